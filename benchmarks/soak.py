"""Soak test: many concurrent sessions for minutes; errors, latency and server memory over time.

    python benchmarks/soak.py --workspace W [--sessions 100] [--minutes 10] [--think-s 2]
        [--llm rule] [--no-copy] [--out benchmarks/results/soak.json]

Starts `whyrec serve` (no UI, no MCP) as a subprocess on 127.0.0.1 against a copy of the
workspace (so its state stays untouched; --no-copy serves W itself), then runs `--sessions`
clients side by side. Each creates a session and, until time is up, takes scripted turns
(REST messages and /v1 chat completions with X-Session-Id, alternating), gives feedback now
and then, and thinks `--think-s` seconds between requests; every 20th request starts a fresh
session (so the store keeps growing, as it does in service). The server's RSS is sampled
every 10 s. Reports errors, p50/p99 per request kind, and RSS at start, at minute 2 and at the
end, with the growth between minute 2 and the end (target <= 10%). Writes a results JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository first, always: this folder's causal.py and agent.py would shadow the packages.
sys.path.insert(0, str(ROOT))

from benchmarks.machine_info import machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
SCRIPT = (
    "I want something to watch tonight",
    "a comedy please",
    "not romance",
    "why the first one?",
    "more like the second one",
    "something different",
)


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (Linux /proc), None when unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def start_server(workspace: Path, port: int, llm: str) -> subprocess.Popen:
    """`whyrec serve` on 127.0.0.1:port; returns once /healthz answers."""
    import httpx

    cmd = [
        sys.executable,
        "-c",
        "from ui.cli import main; main()",
        "serve",
        "--workspace",
        str(workspace),
        "--port",
        str(port),
        "--llm",
        llm,
        "--no-ui",
        "--no-mcp",
        "--no-progress",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-800:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise TimeoutError("the server did not start within 300 s")


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))], 1)


class Soak:
    """Clients, their samples and the memory sampler for one run."""

    def __init__(self, url: str, pid: int, args: argparse.Namespace, items: list[str]) -> None:
        self.url = url
        self.pid = pid
        self.args = args
        self.items = items
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.rss: list[tuple[float, float | None]] = []
        self.started = time.monotonic()
        self.stop = threading.Event()

    def _record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latency[kind].append(seconds * 1000)
            else:
                self.errors[kind] += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(f"{kind}: {error[:200]}")

    def _call(self, http: Any, kind: str, method: str, path: str, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            response = http.request(method, path, **kwargs)
        except Exception as exc:  # a transport error counts as an error, the client goes on
            self._record(kind, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}")
            return None
        ok = response.status_code < 400
        error = None if ok else f"{response.status_code} {response.text[:160]}"
        self._record(kind, time.perf_counter() - t0, error)
        return response if ok else None

    def client(self, n: int) -> None:
        import httpx

        rng = random.Random(n)
        time.sleep(rng.random() * self.args.think_s)  # spread the start
        with httpx.Client(base_url=self.url, timeout=120) as http:
            session = None
            count = 0
            while not self.stop.is_set():
                if session is None or count % 20 == 0:
                    created = self._call(http, "create", "POST", "/api/sessions")
                    session = created.json()["session_id"] if created is not None else None
                    if session is None:
                        time.sleep(self.args.think_s)
                        continue
                text = SCRIPT[count % len(SCRIPT)]
                if count % 2 == 0:
                    self._call(
                        http,
                        "rest_turn",
                        "POST",
                        f"/api/sessions/{session}/messages",
                        json={"text": text},
                    )
                else:
                    body = {"model": "whyrec", "messages": [{"role": "user", "content": text}]}
                    self._call(
                        http,
                        "v1_turn",
                        "POST",
                        "/v1/chat/completions",
                        json=body,
                        headers={"X-Session-Id": session},
                    )
                if count % 5 == 4:
                    value = rng.choice(["like", "dislike", 4, 2])
                    body = {
                        "session_id": session,
                        "item_id": rng.choice(self.items),
                        "value": value,
                    }
                    self._call(http, "feedback", "POST", "/api/feedback", json=body)
                count += 1
                self.stop.wait(self.args.think_s * (0.5 + rng.random()))

    def sample_memory(self) -> None:
        while not self.stop.is_set():
            self.rss.append((round(time.monotonic() - self.started, 1), rss_mb(self.pid)))
            self.stop.wait(10)
        self.rss.append((round(time.monotonic() - self.started, 1), rss_mb(self.pid)))

    def rss_at(self, seconds: float) -> float | None:
        """The sample closest to `seconds` after the start."""
        known = [(abs(t - seconds), v) for t, v in self.rss if v is not None]
        return min(known)[1] if known else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--think-s", type=float, default=2.0, help="pause between requests")
    parser.add_argument("--llm", default="rule")
    parser.add_argument("--no-copy", action="store_true", help="serve W itself (its state grows)")
    parser.add_argument("--out", type=Path, default=RESULTS / "soak.json")
    args = parser.parse_args(argv)
    from tools.workspace import Workspace
    from ui.server import free_port

    tmp = None
    workspace = args.workspace
    if not args.no_copy:
        tmp = Path(tempfile.mkdtemp(prefix="whyrec-soak-"))
        workspace = tmp / "ws"
        shutil.copytree(args.workspace, workspace, ignore=shutil.ignore_patterns("state"))
    items = [str(i) for i in Workspace.open(workspace).dataset.items["item_id"].head(200)]
    port = free_port()
    proc = start_server(workspace, port, args.llm)
    soak = Soak(f"http://127.0.0.1:{port}", proc.pid, args, items)
    threads = [
        threading.Thread(target=soak.client, args=(n,), daemon=True) for n in range(args.sessions)
    ]
    sampler = threading.Thread(target=soak.sample_memory, daemon=True)
    load_before = machine()["load_average"]
    try:
        sampler.start()
        for thread in threads:
            thread.start()
        time.sleep(args.minutes * 60)
        soak.stop.set()
        for thread in threads:
            thread.join(150)
        sampler.join(15)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    duration = time.monotonic() - soak.started
    start_rss = soak.rss_at(0)
    minute2_at = 120.0 if duration >= 240 else duration / 2  # a short run: its midpoint
    minute2 = soak.rss_at(minute2_at)
    end_rss = soak.rss_at(duration)
    growth = round(100 * (end_rss - minute2) / minute2, 1) if end_rss and minute2 else None
    kinds = {}
    for kind in sorted(set(soak.latency) | set(soak.errors)):
        values = soak.latency.get(kind, [])
        kinds[kind] = {
            "ok": len(values),
            "errors": soak.errors.get(kind, 0),
            "p50_ms": _pct(values, 50),
            "p99_ms": _pct(values, 99),
            "mean_ms": round(statistics.fmean(values), 1) if values else None,
        }
    requests = sum(k["ok"] + k["errors"] for k in kinds.values())
    errors = sum(k["errors"] for k in kinds.values())
    print(
        f"soak: {args.sessions} clients, {duration / 60:.1f} min, {requests} requests, {errors} errors"
    )
    print(f"{'kind':<10} {'ok':>7} {'errors':>7} {'p50 ms':>9} {'p99 ms':>9}")
    for kind, k in kinds.items():
        print(
            f"{kind:<10} {k['ok']:>7} {k['errors']:>7} {k['p50_ms'] or '-':>9} {k['p99_ms'] or '-':>9}"
        )
    minute2_label = f"at {minute2_at:.0f} s"
    print(
        f"server RSS MB: start {start_rss}, {minute2_label} {minute2}, end {end_rss}; growth {growth}%"
    )
    payload = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python "
        + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])]),
        "machine": {**machine(), "load_average_before": load_before},
        "note": "the machine is shared with other work; load averages show how busy it was",
        "sessions": args.sessions,
        "minutes": round(duration / 60, 2),
        "think_s": args.think_s,
        "llm": args.llm,
        "requests": requests,
        "errors": errors,
        "error_samples": soak.error_samples,
        "kinds": kinds,
        "rss_mb": {
            "start": start_rss,
            "minute_2": minute2,
            "minute_2_at_s": minute2_at,
            "end": end_rss,
            "growth_pct_minute2_to_end": growth,
            "samples": soak.rss,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
