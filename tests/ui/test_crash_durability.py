"""kill -9 during a burst of feedback loses no acknowledged record: `whyrec serve` runs as a
subprocess on 127.0.0.1, eight clients post feedback as fast as it answers, the server is
killed with SIGKILL mid-burst, and every record it answered 200 for is in feedback.jsonl (and
the session store still opens)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from ui.server import free_port

REPO = Path(__file__).resolve().parents[2]


def start_server(workspace: Path, port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`whyrec serve` on 127.0.0.1:port (no UI, no MCP); returns once /healthz answers."""
    cmd = [
        sys.executable,
        "-c",
        "from ui.cli import main; main()",
        "serve",
        "--workspace",
        str(workspace),
        "--port",
        str(port),
        "--no-ui",
        "--no-mcp",
        "--no-progress",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise TimeoutError("the server did not start")


ROUNDS = int(os.environ.get("WHYREC_KILL_ROUNDS", "1"))


def _burst_and_kill(
    workspace: Path, items: list[str], sessions: list[str], seed: int
) -> list[tuple[str, str, object]]:
    """Serve, post feedback from eight clients, SIGKILL the server once 150 are acknowledged;
    returns the acknowledged records. New sessions are appended to `sessions`."""
    port = free_port()
    proc = start_server(workspace, port)
    url = f"http://127.0.0.1:{port}"
    mine = [httpx.post(f"{url}/api/sessions").json()["session_id"] for _ in range(8)]
    sessions += mine
    acked: list[tuple[str, str, object]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(session_id: str, n: int) -> None:
        rng = random.Random(seed * 100 + n)
        with httpx.Client(base_url=url, timeout=10) as http:
            while not stop.is_set():
                item = rng.choice(items)
                value = rng.choice(["like", "dislike", "seen", 1, 2, 3, 4, 5])
                body = {"session_id": session_id, "item_id": item, "value": value}
                try:
                    r = http.post("/api/feedback", json=body)
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 200:
                    with lock:
                        acked.append((session_id, item, value))

    threads = [threading.Thread(target=client, args=(s, n)) for n, s in enumerate(mine)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acked) < 150 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)  # mid-burst: requests are in flight
    proc.wait(10)
    stop.set()
    for thread in threads:
        thread.join(15)
    assert len(acked) >= 150
    return acked


@pytest.mark.slow
def test_kill_9_during_a_feedback_burst_loses_no_acknowledged_record(ui_workspace, tmp_path):
    from agent.memory import SessionStore
    from tools.feedback import feedback_log

    workspace = tmp_path / "ws"
    shutil.copytree(ui_workspace.root, workspace)
    shutil.rmtree(workspace / "state", ignore_errors=True)
    (workspace / "feedback.jsonl").unlink(missing_ok=True)
    items = [str(i) for i in ui_workspace.dataset.items["item_id"].head(40)]
    acked: list[tuple[str, str, object]] = []
    sessions: list[str] = []
    for round_ in range(ROUNDS):  # each round: start, burst, kill -9 mid-burst
        acked += _burst_and_kill(workspace, items, sessions, seed=round_)
    stored = Counter(
        (r.session_id, r.item_id, r.value if isinstance(r.value, str) else int(r.value))
        for r in feedback_log(workspace).read()
    )
    wanted = Counter((s, i, v) for s, i, v in acked)
    lost = wanted - stored
    print(
        f"kill -9 x{ROUNDS}: {len(acked)} acknowledged, {sum(stored.values())} stored, "
        f"{sum(lost.values())} lost"
    )
    assert not lost, f"{sum(lost.values())} acknowledged records lost of {len(acked)}"
    store = SessionStore(workspace / "state" / "sessions.sqlite")
    try:
        assert all(store.load(s) is not None for s in sessions)
    finally:
        store.close()
