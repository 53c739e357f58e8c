"""Replicas against one PostgreSQL: closed-loop turns/s and latency for 1, 2 and 4 workers.

    python benchmarks/replicas.py [--workers 1,2,4] [--clients 16] [--seconds 20]
        [--backends rule,fake-llm] [--llm-latency-ms 0] [--workspace W]

Starts a throwaway PostgreSQL cluster (scripts/pg_cluster.py; pg_stat_statements loaded, fsync
and synchronous_commit at their defaults) and, for each backend, `whyrec serve` as:

- `sqlite`: one process, state embedded in (a copy of) the workspace, the baseline;
- `pg xN`: `whyrec serve --workers N --state postgresql://...`, N processes behind one port,
  each run against a fresh database.

Each server first answers one client's turns one after another (`--serial-turns`; the p50 of
that is the per-turn latency without queueing, and its difference to sqlite's the state
overhead of PostgreSQL), then CLIENTS clients run conversations of 10 turns back to back for
SECONDS (closed loop: turns/s, p50, p99). Database statements per turn come from
pg_stat_statements (each is one round trip, except those pipelined together). Backends: `rule`
(the deterministic planner) and `fake-llm`, a loopback OpenAI-protocol model in this process
that calls the `recommend` tool and then answers (after --llm-latency-ms each).
Also times the state operations of a turn alone (lock, load, save) in this process for SQLite
and PostgreSQL. Writes benchmarks/results/replicas.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# the repository before this folder (its agent.py would shadow the agent package)
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from benchmarks.api import MESSAGES, FakeOpenAI, ServeProcess, ensure_workspace, free_port  # noqa: E402
from benchmarks.machine_info import machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
TURNS_PER_CONVERSATION = 10


class Server(ServeProcess):
    """`whyrec serve` (this checkout's code) in a subprocess on a free loopback port."""

    def __init__(self, workspace: Path, llm: str, state: str | None, workers: int) -> None:
        port = free_port()
        command = [sys.executable, "-c", "from ui.cli import main; main()", "serve"]
        command += ["--workspace", str(workspace), "--port", str(port), "--llm", llm]
        command += ["--no-ui", "--no-mcp", "--no-progress", "--workers", str(workers)]
        if state:
            command += ["--state", state]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "WHYREC_LLM": ""}
        for name in ("WHYREC_API_KEYS", "WHYREC_ADMIN_KEYS", "WHYREC_STATE_URL"):
            env.pop(name, None)
        super().__init__(command, env, port, cwd=ROOT)

    def wait_ready(self, timeout_s: float = 600.0) -> None:
        super().wait_ready(timeout_s)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _turn(client: Any, url: str, session: str, text: str) -> float:
    body = {"model": "whyrec", "messages": [{"role": "user", "content": text}]}
    start = time.perf_counter()
    r = await client.post(
        url + "/v1/chat/completions", json=body, headers={"X-Session-Id": session}
    )
    r.raise_for_status()
    return time.perf_counter() - start


async def _session(client: Any, url: str) -> str:
    r = await client.post(url + "/api/sessions")
    r.raise_for_status()
    return str(r.json()["session_id"])


async def serial(url: str, turns: int) -> list[float]:
    """One client, turns one after another (after a warm-up conversation)."""
    import httpx

    async with httpx.AsyncClient(timeout=120) as client:
        session = await _session(client, url)
        for text in MESSAGES:
            await _turn(client, url, session, text)
        out = []
        for n in range(turns):
            if n % TURNS_PER_CONVERSATION == 0:
                session = await _session(client, url)
            out.append(await _turn(client, url, session, MESSAGES[n % len(MESSAGES)]))
    return out


async def closed_loop(url: str, clients: int, seconds: float) -> dict[str, Any]:
    """`clients` clients, each its own connection, sending turns back to back for `seconds`."""
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds

    async def one(n: int) -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            turn = 0
            session = ""
            while time.perf_counter() < stop_at:
                try:
                    if turn % TURNS_PER_CONVERSATION == 0:
                        session = await _session(client, url)
                    text = MESSAGES[(n + turn) % len(MESSAGES)]
                    latencies.append(await _turn(client, url, session, text))
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}"[:160])
                turn += 1

    start = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(clients)))
    wall = time.perf_counter() - start
    return {"latencies": latencies, "errors": errors, "wall_s": wall}


def statements(url: str) -> int:
    """Statements run in `url`'s database so far (pg_stat_statements)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() "
            "AND s.query NOT ILIKE '%pg_stat_statements%'"
        ).fetchone()
    return int(row[0]) if row else 0


def fresh_database(admin_url: str) -> str:
    """A new database on the cluster, with pg_stat_statements; its URL."""
    import psycopg

    name = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    return url


def run_config(
    name: str, workspace: Path, llm: str, state: str | None, workers: int, args: Any
) -> dict[str, Any]:
    print(f"  {name}: starting ...", file=sys.stderr, flush=True)
    server = Server(workspace, llm, state, workers)
    try:
        server.wait_ready()
        serial_s = asyncio.run(serial(server.url, args.serial_turns))
        before = statements(state) if state else 0
        loop = asyncio.run(closed_loop(server.url, args.clients, args.seconds))
        after = statements(state) if state else 0
    finally:
        server.stop()
    lat = [x * 1000 for x in loop["latencies"]]
    turns = len(lat)
    row = {
        "config": name,
        "workers": workers,
        "state": "postgresql" if state else "sqlite",
        "serial_p50_ms": _round(_pct([x * 1000 for x in serial_s], 0.5)),
        "turns": turns,
        "errors": len(loop["errors"]),
        "error_samples": loop["errors"][:3],
        "turns_per_s": round(turns / loop["wall_s"], 2) if loop["wall_s"] else 0.0,
        "p50_ms": _round(_pct(lat, 0.5)),
        "p99_ms": _round(_pct(lat, 0.99)),
        "mean_ms": _round(statistics.fmean(lat)) if lat else None,
        "statements_per_turn": round((after - before) / turns, 1) if state and turns else None,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(f"  {name}: {row['turns_per_s']} turns/s, p50 {row['p50_ms']} ms", file=sys.stderr)
    return row


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def state_ops(workspace: Path, pg_url: str, n: int = 300) -> dict[str, float | None]:
    """p50 ms of a turn's state operations alone (lock, load, save) on SQLite and PostgreSQL."""
    from agent.memory import SessionState, SessionStore
    from agent.state_pg import PgSessionStore
    from tools.state_db import StateDB

    def time_store(store: Any) -> float | None:
        samples = []
        for k in range(n):
            sid = f"s-bench-{k % 20}"
            start = time.perf_counter()
            with store.session_lock(sid):
                state = store.load(sid) or SessionState(session_id=sid)
                state.add_turn("user", "a wish", [])
                state.add_turn("assistant", "some picks", [f"i{k}"])
                store.save(state)
            samples.append((time.perf_counter() - start) * 1000)
        return _round(_pct(samples[20:], 0.5))

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SessionStore(Path(tmp) / "sessions.sqlite")
        sqlite_ms = time_store(sqlite)
        sqlite.close()
    db = StateDB(pg_url, max_size=4)
    pg_ms = time_store(PgSessionStore(db))
    db.close()
    return {"sqlite_ms_p50": sqlite_ms, "postgresql_ms_p50": pg_ms}


_COUNTER: dict[str, int] = {}


def count_round_trips() -> dict[str, int]:
    """Count this process's round trips to PostgreSQL from now on: each statement sent outside
    a pipeline is one, each pipeline block (however many statements) is one."""
    import psycopg

    if _COUNTER:
        return _COUNTER
    counter = _COUNTER
    counter["round_trips"] = 0
    cursor_execute = psycopg.Cursor.execute
    cursor_executemany = psycopg.Cursor.executemany
    pipeline = psycopg.Connection.pipeline

    def outside(cursor: Any) -> bool:
        return getattr(cursor.connection, "_pipeline", None) is None

    def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        counter["round_trips"] += outside(self)
        return cursor_execute(self, *args, **kwargs)

    def executemany(self: Any, *args: Any, **kwargs: Any) -> Any:
        counter["round_trips"] += outside(self)
        return cursor_executemany(self, *args, **kwargs)

    @contextlib.contextmanager
    def counted_pipeline(self: Any) -> Any:
        outer = getattr(self, "_pipeline", None) is None
        with pipeline(self) as pipe:
            yield pipe
        counter["round_trips"] += outer

    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    psycopg.Cursor.executemany = executemany  # type: ignore[method-assign]
    psycopg.Connection.pipeline = counted_pipeline  # type: ignore[method-assign]
    return counter


def round_trips_per_turn(workspace: Path, pg_url: str, llm: str, turns: int = 30) -> float:
    """Round trips of the state database per `RecAgent.chat` turn, in this process (the HTTP
    layer adds one session lookup the first time a replica sees a session)."""
    from agent.api import RecAgent

    os.environ["WHYREC_STATE_URL"] = pg_url
    try:
        agent = RecAgent.from_workspace(workspace, llm, state_dir=workspace / "state-rt")
        agent.warm_up()
        session = agent.new_session()
        for text in MESSAGES[:3]:  # warm: checkpoint tables, first connections
            agent.chat(session, text)
        counter = count_round_trips()
        start = counter["round_trips"]
        for n in range(turns):
            agent.chat(session, MESSAGES[n % len(MESSAGES)])
        used = counter["round_trips"] - start
        agent.close()
    finally:
        os.environ.pop("WHYREC_STATE_URL", None)
    return round(used / turns, 2)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--serial-turns", type=int, default=40)
    parser.add_argument("--backends", default="rule,fake-llm")
    parser.add_argument("--llm-latency-ms", type=float, default=0.0)
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS / "replicas.json")
    args = parser.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    if not workers or any(not 1 <= w <= 16 for w in workers) or args.clients < 1:
        parser.error("--workers takes counts from 1 to 16 and --clients at least 1")

    from pg_cluster import PgCluster

    source = ensure_workspace(args.workspace)
    scratch = Path(tempfile.mkdtemp(prefix="whyrec-replicas-"))
    workspace = scratch / "ws"  # sqlite writes its state here; the source stays untouched
    shutil.copytree(source, workspace, ignore=shutil.ignore_patterns("state", "feedback.jsonl"))
    started = {**machine(), "load_average_1m": round(os.getloadavg()[0], 2)}
    rows: list[dict[str, Any]] = []
    trips: dict[str, float] = {}
    cluster = PgCluster({"shared_preload_libraries": "pg_stat_statements"})
    cluster.start()
    try:
        overhead = state_ops(workspace, fresh_database(cluster.url))
        print(f"state operations alone: {overhead}", file=sys.stderr)
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            if backend not in ("rule", "fake-llm"):
                parser.error(f"unknown backend {backend!r}")
            print(f"backend {backend}:", file=sys.stderr)
            fake = FakeOpenAI(args.llm_latency_ms / 1000) if backend == "fake-llm" else None
            if fake is not None:
                fake.__enter__()
            llm = f"openai:{fake.url}#fake" if fake is not None else "rule"
            try:
                trips[backend] = round_trips_per_turn(workspace, fresh_database(cluster.url), llm)
                print(f"  round trips per turn: {trips[backend]}", file=sys.stderr)
                base = run_config("sqlite x1", workspace, llm, None, 1, args)
                rows.append({"backend": backend, **base})
                for n in workers:
                    url = fresh_database(cluster.url)
                    row = run_config(f"pg x{n}", workspace, llm, url, n, args)
                    rows.append({"backend": backend, **row})
            finally:
                if fake is not None:
                    fake.__exit__()
    finally:
        cluster.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    summary = summarise(rows)
    print_table(rows, overhead, summary)
    print(f"state-database round trips per turn (in process): {trips}")
    payload = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python benchmarks/replicas.py " + " ".join(shlex.quote(a) for a in argv),
        "machine": started,
        "load_average_end": machine()["load_average"],
        "settings": {
            "clients": args.clients,
            "seconds": args.seconds,
            "serial_turns": args.serial_turns,
            "llm_latency_ms": args.llm_latency_ms,
            "workspace": str(source),
        },
        "state_ops": overhead,
        "round_trips_per_turn": trips,
        "runs": rows,
        "summary": summary,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Scaling of 2 workers over 1 and the serial-latency overhead of PostgreSQL over SQLite."""
    out: dict[str, Any] = {}
    for backend in dict.fromkeys(r["backend"] for r in rows):
        mine = {r["config"]: r for r in rows if r["backend"] == backend}
        one, two, base = mine.get("pg x1"), mine.get("pg x2"), mine.get("sqlite x1")
        entry: dict[str, Any] = {}
        if one and two and one["turns_per_s"]:
            entry["x2_over_x1"] = round(two["turns_per_s"] / one["turns_per_s"], 2)
            entry["x2_over_x1_target"] = 1.7
        if one and base and one["serial_p50_ms"] is not None and base["serial_p50_ms"] is not None:
            entry["pg_serial_p50_overhead_ms"] = round(
                one["serial_p50_ms"] - base["serial_p50_ms"], 1
            )
            entry["overhead_target_ms"] = 10.0
        out[backend] = entry
    return out


def print_table(rows: list[dict[str, Any]], overhead: dict[str, Any], summary: dict) -> None:
    header = (
        f"{'backend':<9} {'config':<10} {'turns/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'serial p50':>10} {'stmts/turn':>10} {'errors':>6} {'load':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        stmts = "-" if r["statements_per_turn"] is None else f"{r['statements_per_turn']:.1f}"
        print(
            f"{r['backend']:<9} {r['config']:<10} {r['turns_per_s']:>8.1f} "
            f"{_fmt(r['p50_ms']):>8} {_fmt(r['p99_ms']):>8} {_fmt(r['serial_p50_ms']):>10} "
            f"{stmts:>10} {r['errors']:>6} {r['load_average_1m']:>5.1f}"
        )
    print(
        f"state ops alone (lock+load+save) p50: sqlite {overhead['sqlite_ms_p50']} ms, "
        f"postgresql {overhead['postgresql_ms_p50']} ms"
    )
    for backend, entry in summary.items():
        print(f"{backend}: {entry}")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    sys.exit(main())
