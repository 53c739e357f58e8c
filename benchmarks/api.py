"""Load test of the HTTP server: concurrent sessions holding multi-turn conversations.

    python benchmarks/api.py [--sessions 50] [--turns 10] [--tool-latency-ms 400] [--llm-latency-ms 600]

For each backend it starts `whyrec serve` in a subprocess on a free loopback port and runs
SESSIONS conversations at once, each TURNS sequential turns through the OpenAI-compatible
endpoint (non-streamed; a session per conversation via X-Session-Id). Backends:

- `null`: the same app around an agent that does no work (the HTTP layer's own cost; target
  p99 <= 250 ms);
- `rule`: no LLM, the deterministic planner;
- `fake-openai`: a loopback OpenAI-protocol server in this process that behaves like a
  tool-calling model: it first calls the `recommend` tool (after --tool-latency-ms, 400 ms),
  then answers in text once the tool result is in the conversation (after --llm-latency-ms,
  600 ms), used as `openai:http://127.0.0.1:PORT/v1`; a turn is two model calls and a tool run.

A warm-up conversation (not measured) runs first on each server. Reports throughput,
p50/p99/max turn latency, errors and fallbacks, checks the targets (zero
errors; p99 <= tool + answer latency + 250 ms for the fake LLM) and writes benchmarks/results/api.json.
Without --workspace it builds a synthetic workspace once under benchmarks/results/tmp/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository first, always: this folder's causal.py and agent.py would shadow the packages.
sys.path.insert(0, str(ROOT))

from benchmarks.machine_info import machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
MESSAGES = (
    "Recommend me a comedy",
    "I like drama too",
    "Something more recent",
    "Not horror please",
    "Why the first one?",
    "Show me more like that",
    "I liked the second one",
    "Something highly rated",
    "Maybe some action",
    "Thanks, anything else?",
)
FAKE_ANSWER = "Here are a few picks that match what you asked for."


@dataclass
class RunResult:
    """One backend's measurements."""

    backend: str
    sessions: int
    turns_per_session: int
    turns: int = 0
    errors: int = 0
    fallbacks: int = 0
    wall_s: float = 0.0
    throughput_turns_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    mean_ms: float = 0.0
    llm_calls: int | None = None
    tool_calls: int | None = None
    think_ms: float = 0.0
    target_p99_ms: float | None = None
    passed: bool = False
    error_samples: list[str] = field(default_factory=list)


def fake_reply(request: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """What a tool-calling model answers: a `recommend` call first, then text after its result.

    A turn is a tool call (the request offers tools and no tool result follows the last user
    message), then the answer (a tool result is there). Requests without tools get text.
    """
    messages = request.get("messages") or []
    last_user = max((k for k, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    answered = any(m.get("role") == "tool" for m in messages[last_user + 1 :])
    names = [
        t.get("function", {}).get("name")
        for t in request.get("tools") or []
        if isinstance(t, dict) and t.get("function")
    ]
    if names and not answered:
        name = "recommend" if "recommend" in names else names[0]
        args = {"k": 3} if name == "recommend" else {}
        call = {
            "id": f"call_{uuid.uuid4().hex[:12]}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        return {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
    return {"role": "assistant", "content": FAKE_ANSWER}, "stop"


class FakeOpenAI:
    """An OpenAI-protocol server on 127.0.0.1 that calls a tool, then answers, each after a delay.

    `latency_s` is the answer's delay, `tool_latency_s` the tool call's (None: the same).
    """

    def __init__(self, latency_s: float, tool_latency_s: float | None = None) -> None:
        self.latency_s = latency_s
        self.tool_latency_s = latency_s if tool_latency_s is None else tool_latency_s
        self.calls = 0
        self.tool_calls = 0
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle on, the body waits for the
            # client's delayed ACK (~40 ms), which would be added to every "200 ms" call.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._send({"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    request = json.loads(self.rfile.read(length) or b"{}")
                except json.JSONDecodeError:
                    request = {}
                message, finish = fake_reply(request if isinstance(request, dict) else {})
                with outer._lock:
                    outer.calls += 1
                    outer.tool_calls += finish == "tool_calls"
                time.sleep(outer.tool_latency_s if finish == "tool_calls" else outer.latency_s)
                self._send(
                    {
                        "id": f"chatcmpl-{uuid.uuid4().hex}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": "fake",
                        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                )

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 256
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_workspace(path: Path | None) -> Path:
    """The workspace to serve: --workspace, else a synthetic one built once."""
    if path is not None:
        return path
    target = RESULTS / "tmp" / "api-workspace"
    if (target / "workspace.json").is_file():
        return target
    sys.path.insert(0, str(ROOT))
    from causal.datasets.synthetic import SyntheticConfig, make_world
    from tools.workspace_build import BuildOptions, build_workspace

    print(f"building a synthetic workspace in {target} (once) ...", file=sys.stderr)
    world = make_world(SyntheticConfig(seed=11, n_users=300, n_items=200, n_interactions=20000))
    build_workspace(world.dataset, target, BuildOptions(progress=False, time_budget_s=60))
    return target


class NullAgent:
    """An agent that does no work (a canned Reply): measures the HTTP layer's own cost."""

    backend_name = "none (HTTP layer only)"

    def __init__(self) -> None:
        from agent.models import RecItem, Reply

        self._sessions: set[str] = set()
        item = RecItem(item_id="i1", title="An item", explanation="a canned explanation")
        self._reply = Reply(text=FAKE_ANSWER, items=[item], backend="none")

    def new_session(self, user_id: str | None = None) -> str:
        session_id = "s-" + uuid.uuid4().hex
        self._sessions.add(session_id)
        return session_id

    def session_state(self, session_id: str) -> dict[str, Any]:
        if session_id not in self._sessions:
            raise KeyError(session_id)
        return {}

    def chat(self, session_id: str, text: str) -> Any:
        return self._reply

    def close(self) -> None:
        pass


def serve_null(port: int) -> None:
    """Serve the full app (UI, APIs, MCP) around a NullAgent on 127.0.0.1:PORT."""
    sys.path.insert(0, str(ROOT))
    from ui.server import create_app, serve_app
    from ui.settings import ServerSettings

    settings = ServerSettings(port=port)
    serve_app(create_app(NullAgent(), None, settings), settings)


class ServeProcess:
    """A server command on a loopback port: started, polled on /healthz until ready, stopped.

    stderr goes to a temporary file, not a pipe: a pipe nobody reads stalls a chatty server.
    """

    def __init__(
        self, command: list[str], env: dict[str, str], port: int, cwd: Path | None = None
    ) -> None:
        self.command = command
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=self.log, cwd=cwd
        )

    def wait_ready(self, timeout_s: float = 300.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                tail = self.log.read()[-2000:].decode(errors="replace")
                raise RuntimeError(f"whyrec serve exited: {tail}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError("whyrec serve did not become ready")

    def stop(self, grace_s: float = 20.0) -> None:
        self.process.terminate()
        try:
            self.process.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Server(ServeProcess):
    """`whyrec serve` in a subprocess (or the HTTP layer around a NullAgent, llm == "null")."""

    def __init__(self, workspace: Path, llm: str, workers: int | None = None) -> None:
        port = free_port()
        whyrec = Path(sys.executable).parent / "whyrec"
        command = [
            str(whyrec),
            "serve",
            "--workspace",
            str(workspace),
            "--port",
            str(port),
            "--llm",
            llm,
            "--no-progress",
        ]
        if llm == "null":
            command = [sys.executable, __file__, "--serve-null", str(port)]
        env = {**os.environ, "WHYREC_API_KEYS": "", "HF_HUB_OFFLINE": "1", "WHYREC_LLM": ""}
        if workers is not None:
            env["WHYREC_SERVER_WORKERS"] = str(workers)
        super().__init__(command, env, port)


async def _conversation(
    client: Any, url: str, turns: int, n: int, out: dict[str, Any], think_s: float = 0.0
) -> None:
    try:
        r = await client.post(url + "/api/sessions")
        r.raise_for_status()
        session_id = r.json()["session_id"]
    except Exception as exc:  # count it and stop this conversation
        out["errors"] += turns
        out["samples"].append(f"session: {type(exc).__name__}: {exc}"[:200])
        return
    # People don't type in lockstep: with a think time, each session starts at a random moment
    # within one think time and pauses 0.5-1.5x the think time between turns (seeded).
    jitter = random.Random(n)
    if think_s:
        await asyncio.sleep(jitter.uniform(0.0, think_s))
    for turn in range(turns):
        if think_s and turn:
            await asyncio.sleep(think_s * jitter.uniform(0.5, 1.5))
        text = MESSAGES[(n + turn) % len(MESSAGES)]
        body = {"model": "whyrec", "messages": [{"role": "user", "content": text}]}
        start = time.perf_counter()
        try:
            r = await client.post(
                url + "/v1/chat/completions", json=body, headers={"X-Session-Id": session_id}
            )
            elapsed = time.perf_counter() - start
            if r.status_code != 200:
                out["errors"] += 1
                out["samples"].append(f"{r.status_code}: {r.text[:160]}")
                continue
            data = r.json()
            out["latencies"].append(elapsed)
            if data.get("whyrec", {}).get("fallback"):
                out["fallbacks"] += 1
        except Exception as exc:
            out["errors"] += 1
            out["samples"].append(f"{type(exc).__name__}: {exc}"[:200])


async def load(url: str, sessions: int, turns: int, think_s: float = 0.0) -> dict[str, Any]:
    """Run `sessions` conversations of `turns` turns at once; latencies in seconds."""
    import httpx

    out: dict[str, Any] = {"latencies": [], "errors": 0, "fallbacks": 0, "samples": []}
    limits = httpx.Limits(max_connections=sessions + 10, max_keepalive_connections=sessions + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        # warm-up: one whole conversation, so lazily loaded models and caches are not measured
        r = await client.post(url + "/api/sessions")
        sid = r.json()["session_id"]
        for text in MESSAGES:
            await client.post(
                url + "/v1/chat/completions",
                json={"messages": [{"role": "user", "content": text}]},
                headers={"X-Session-Id": sid},
            )
        start = time.perf_counter()
        await asyncio.gather(
            *(_conversation(client, url, turns, n, out, think_s) for n in range(sessions))
        )
        out["wall_s"] = time.perf_counter() - start
    return out


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_backend(
    name: str,
    llm: str,
    workspace: Path,
    sessions: int,
    turns: int,
    target_ms: float | None,
    workers: int | None = None,
    think_s: float = 0.0,
) -> RunResult:
    server = Server(workspace, llm, workers)
    try:
        server.wait_ready()
        raw = asyncio.run(load(server.url, sessions, turns, think_s))
    finally:
        server.stop()
    lat_ms = [x * 1000 for x in raw["latencies"]]
    result = RunResult(backend=name, sessions=sessions, turns_per_session=turns)
    result.turns = len(lat_ms)
    result.errors = raw["errors"]
    result.fallbacks = raw["fallbacks"]
    result.wall_s = round(raw["wall_s"], 3)
    result.throughput_turns_per_s = round(result.turns / raw["wall_s"], 2) if raw["wall_s"] else 0
    result.p50_ms = round(_percentile(lat_ms, 0.50), 1)
    result.p99_ms = round(_percentile(lat_ms, 0.99), 1)
    result.max_ms = round(max(lat_ms), 1) if lat_ms else float("nan")
    result.mean_ms = round(statistics.fmean(lat_ms), 1) if lat_ms else float("nan")
    result.target_p99_ms = target_ms
    result.error_samples = raw["samples"][:5]
    result.passed = result.errors == 0 and (target_ms is None or result.p99_ms <= target_ms)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument(
        "--llm-latency-ms", type=float, default=600.0, help="the answer call's delay"
    )
    parser.add_argument(
        "--tool-latency-ms", type=float, default=400.0, help="the tool-call decision's delay"
    )
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument(
        "--backends",
        default="null,rule,fake-openai",
        help="comma-separated: null (HTTP layer only), rule, fake-openai",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="server worker threads (WHYREC_SERVER_WORKERS)"
    )
    parser.add_argument(
        "--think-ms",
        default="0,2000",
        help="comma-separated mean pauses between a session's turns, each run in turn; "
        "jittered 0.5-1.5x with staggered starts (0: closed loop, the next turn right away)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "api.json")
    parser.add_argument("--serve-null", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_null is not None:
        serve_null(args.serve_null)
        return 0
    if args.sessions < 1 or args.turns < 1 or args.sessions > 500 or args.turns > 100:
        parser.error("--sessions must be 1..500 and --turns 1..100")

    workspace = ensure_workspace(args.workspace)
    machine_at_start = {**machine(), "load_average_1m": round(os.getloadavg()[0], 2)}
    results: list[RunResult] = []
    w = args.workers
    try:
        thinks_ms = [float(t) for t in str(args.think_ms).split(",") if t.strip()]
    except ValueError:
        parser.error("--think-ms takes numbers, e.g. 0,2000")
    if not thinks_ms or any(t < 0 for t in thinks_ms):
        parser.error("--think-ms takes non-negative numbers, e.g. 0,2000")
    plan = [(t, b.strip()) for t in thinks_ms for b in args.backends.split(",") if b.strip()]
    for think_ms, backend in plan:
        think = think_ms / 1000
        mode = "closed loop" if not think_ms else f"think {think_ms:.0f} ms"
        print(
            f"running {backend} ({mode}): {args.sessions} sessions x {args.turns} turns ...",
            file=sys.stderr,
        )
        before = len(results)
        if backend == "null":
            results.append(
                run_backend(
                    "null (HTTP only)",
                    "null",
                    workspace,
                    args.sessions,
                    args.turns,
                    250.0,
                    w,
                    think,
                )
            )
        elif backend == "rule":
            results.append(
                run_backend("rule", "rule", workspace, args.sessions, args.turns, None, w, think)
            )
        elif backend == "fake-openai":
            latency = args.llm_latency_ms / 1000
            with FakeOpenAI(latency, args.tool_latency_ms / 1000) as fake:
                result = run_backend(
                    f"fake-openai (tool {args.tool_latency_ms:.0f} + answer "
                    f"{args.llm_latency_ms:.0f} ms)",
                    f"openai:{fake.url}#fake",
                    workspace,
                    args.sessions,
                    args.turns,
                    args.tool_latency_ms + args.llm_latency_ms + 250.0,
                    w,
                    think,
                )
                result.llm_calls = fake.calls
                result.tool_calls = fake.tool_calls
            results.append(result)
        else:
            parser.error(f"unknown backend {backend!r}")
        for r in results[before:]:
            r.think_ms = think_ms

    header = (
        f"{'backend':<24} {'think ms':>8} {'turns':>6} {'errors':>6} {'fallbk':>6} {'turns/s':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'target':>8} {'pass':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        target = f"{r.target_p99_ms:.0f}" if r.target_p99_ms is not None else "-"
        print(
            f"{r.backend:<24} {r.think_ms:>8.0f} {r.turns:>6} {r.errors:>6} {r.fallbacks:>6} "
            f"{r.throughput_turns_per_s:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.max_ms:>8.1f} "
            f"{target:>8} {'yes' if r.passed else 'NO':>5}"
        )
        for sample in r.error_samples:
            print(f"    error: {sample}")
    ratios = {}
    for r in results:
        base = next(b for b in results if b.think_ms == r.think_ms)
        if r is not base and base.p50_ms and base.throughput_turns_per_s:
            ratios[f"{r.backend} / {base.backend} (think {r.think_ms:.0f} ms)"] = {
                "p50": round(r.p50_ms / base.p50_ms, 2),
                "throughput": round(r.throughput_turns_per_s / base.throughput_turns_per_s, 2),
            }
    if ratios:
        print(f"ratios against the first backend of each mode (same run): {ratios}")
    for r in results:
        if r.llm_calls is not None and r.turns:
            calls = r.llm_calls / (r.turns + len(MESSAGES))
            tools = (r.tool_calls or 0) / (r.turns + len(MESSAGES))
            print(
                f"{r.backend} (think {r.think_ms:.0f} ms): {calls:.2f} LLM calls and "
                f"{tools:.2f} tool calls per turn (warm-up conversation included)"
            )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "api",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine_at_start, "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
        "command": " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]),
        "workspace": str(workspace),
        "think_ms": thinks_ms,
        "results": [asdict(r) for r in results],
        "ratios": ratios,
    }
    args.out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
