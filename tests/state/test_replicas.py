"""Replicas sharing one PostgreSQL: real `whyrec serve` processes on their own ports.

Replica A runs two worker processes behind its port (`--workers 2`), replica B one. A
conversation alternates between them and keeps its memory; concurrent turns on one session
from both replicas serialise (no lost or interleaved turn); a rebuilt workspace is picked up
by every replica; and a replica killed with SIGKILL during a burst of feedback loses no
acknowledged record and stores none twice.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 240  # three processes load torch and the catalog at once


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Replica:
    """One `whyrec serve` process (with its workers) on a free loopback port."""

    def __init__(self, workspace: Path, url: str, log: Path, workers: int = 1) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "WHYREC_RELOAD_S": "0.5",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
        env.pop("WHYREC_API_KEYS", None)
        env.pop("WHYREC_ADMIN_KEYS", None)
        command = [
            sys.executable,
            "-c",
            "from ui.cli import main; main()",
            "serve",
            "--workspace",
            str(workspace),
            "--port",
            str(self.port),
            "--no-ui",
            "--no-mcp",
            "--no-progress",
            "--state",
            url,
            "--workers",
            str(workers),
        ]
        self.log = log
        with open(log, "wb") as errors:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=errors, cwd=ROOT
            )

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"replica exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"replica not ready: {self.log.read_text()[-2000:]}")

    def workers(self) -> list[int]:
        """The worker processes it spawned (not multiprocessing's resource tracker)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        pids = [int(p) for p in path.read_text().split()] if path.exists() else []
        return [p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def shared(pg_cluster, state_workspace, tmp_path_factory):
    """A database of its own, a copy of the workspace, and two replicas serving it."""
    name = "r_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = pg_cluster.url.rsplit("/", 1)[0] + "/" + name
    folder = tmp_path_factory.mktemp("replicas")
    workspace = folder / "ws"
    shutil.copytree(state_workspace.root, workspace)
    a = Replica(workspace, url, folder / "a.log", workers=2)
    b = Replica(workspace, url, folder / "b.log")
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        a.wait_ready(deadline)
        b.wait_ready(deadline)
        yield {"url": url, "workspace": workspace, "a": a, "b": b}
    finally:
        a.stop()
        b.stop()


def _chat(base: str, session: str, text: str) -> dict:
    response = httpx.post(
        f"{base}/api/sessions/{session}/messages", json={"text": text}, timeout=60
    )
    response.raise_for_status()
    return response.json()


def _state(base: str, session: str) -> dict:
    response = httpx.get(f"{base}/api/sessions/{session}", timeout=30)
    response.raise_for_status()
    return response.json()


def test_replica_a_runs_two_worker_processes(shared):
    assert len(shared["a"].workers()) == 2


def test_a_conversation_alternates_between_replicas(shared):
    a, b = shared["a"].base, shared["b"].base
    session = httpx.post(f"{a}/api/sessions", json={}, timeout=30).json()["session_id"]
    texts = ["recommend something", "something else", "more please", "one more list"]
    shown: list[str] = []
    for n, text in enumerate(texts, 1):
        here, there = (a, b) if n % 2 else (b, a)
        reply = _chat(here, session, text)
        items = [i["item_id"] for i in reply.get("items", [])]
        assert not set(items) & set(shown)  # memory of what was shown crossed over
        shown += items
        state = _state(there, session)  # the other replica sees the turn at once
        assert state["turns"] == n
        assert [t["text"] for t in state["history"] if t["role"] == "user"] == texts[:n]
    assert shown


def test_concurrent_turns_on_one_session_serialise(shared):
    a, b = shared["a"].base, shared["b"].base
    session = httpx.post(f"{b}/api/sessions", json={}, timeout=30).json()["session_id"]
    texts = [f"wish number {n}" for n in range(10)]
    start = threading.Barrier(len(texts))
    errors: list[BaseException] = []

    def send(n: int) -> None:
        start.wait()
        try:
            _chat(a if n % 2 else b, session, texts[n])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    state = _state(a, session)
    history = state["history"]
    assert state["turns"] == len(texts)  # no turn lost to a concurrent save
    assert [t["role"] for t in history] == ["user", "assistant"] * len(texts)  # none interleaved
    assert sorted(t["text"] for t in history if t["role"] == "user") == sorted(texts)


def test_replicas_reload_a_rebuilt_workspace(shared):
    from causal.datasets.csv_folder import replace_folder

    workspace: Path = shared["workspace"]
    rebuilt = workspace.with_name(".ws.rebuilt")
    shutil.copytree(workspace, rebuilt, ignore=shutil.ignore_patterns("state"))
    manifest = json.loads((rebuilt / "workspace.json").read_text())
    manifest["dataset"]["name"] = "rebuilt-world"
    (rebuilt / "workspace.json").write_text(json.dumps(manifest))
    replace_folder(rebuilt, workspace)
    deadline = time.monotonic() + 60
    streak = {shared["a"].base: 0, shared["b"].base: 0}  # A's answers come from either worker
    while min(streak.values()) < 6 and time.monotonic() < deadline:
        for base in streak:
            name = httpx.get(base + "/healthz", timeout=5).json()["workspace"]
            streak[base] = streak[base] + 1 if name == "rebuilt-world" else 0
        time.sleep(0.1)
    assert min(streak.values()) >= 6, "a replica kept serving the old workspace"


def test_kill_9_during_a_feedback_burst_loses_no_acknowledged_record(shared, state_workspace):
    a, b = shared["a"], shared["b"]
    items = list(state_workspace.dataset.items["item_id"].astype(str))
    sessions = [
        httpx.post(f"{b.base}/api/sessions", json={}, timeout=30).json()["session_id"]
        for _ in range(4)
    ]
    acked: list[tuple[str, str]] = []
    lock = threading.Lock()

    def burst(session: str) -> None:
        with httpx.Client(base_url=b.base, timeout=30) as client:
            for item in items:
                body = {"session_id": session, "item_id": item, "value": "like"}
                try:
                    response = client.post("/api/feedback", json=body)
                except httpx.HTTPError:
                    return  # the replica is gone
                if response.status_code != 200:
                    return
                with lock:
                    acked.append((session, item))

    threads = [threading.Thread(target=burst, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acked) < 30 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(b.proc.pid, signal.SIGKILL)
    for thread in threads:
        thread.join()
    b.proc.wait()
    assert 30 <= len(acked) < len(items) * len(sessions)  # killed mid-burst
    with psycopg.connect(shared["url"]) as conn:
        rows = conn.execute("SELECT session_id, item_id FROM whyrec_feedback").fetchall()
    counts = Counter((s, i) for s, i in rows if s in sessions)
    assert all(counts[pair] == 1 for pair in acked)  # every acknowledged record, once
    assert max(counts.values()) == 1  # nothing doubled
    assert len(counts) - len(acked) <= len(sessions)  # at most the requests in flight
    for session in sessions:  # the session rows committed with their feedback
        liked = set(_state(a.base, session)["liked"])
        assert {i for s, i in acked if s == session} <= liked
