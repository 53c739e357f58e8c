"""`whyrec serve --workers N`: N server processes behind one port on one machine.

One process of Python runs one turn of the rule planner at a time (the GIL), so a machine's
other cores stay idle. This process supervises N spawned workers (not forked: a fork of a
process holding torch and chromadb threads is unsafe), each running uvicorn on a socket of its
own bound to the same port with SO_REUSEPORT, so the kernel spreads connections over them; a
worker that dies is replaced. A spawned process starts from nothing, so each loads the
workspace itself from the description this process leaves in $WHYREC_SERVE_CHILD. Workers share sessions, LLM
checkpoints and feedback through the state database, so more than one needs a state URL.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ENV_CHILD = "WHYREC_SERVE_CHILD"
MAX_PROCESSES = 64
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
QUICK_DEATH_S = 120.0  # a worker exiting this soon after its start counts as a failed start
MAX_QUICK_DEATHS = 3
# settings a worker takes from the parent's command line (keys come from the environment)
FORWARDED = ("host", "port", "max_message_chars", "max_body_bytes", "enable_ui", "enable_mcp")


def check_processes(processes: int) -> int:
    """`processes` when it is usable: 1-64, and a state URL for more than one."""
    from tools.state_db import ENV_STATE_URL, state_url

    if not 1 <= processes <= MAX_PROCESSES:
        raise ValueError(f"--workers must be from 1 to {MAX_PROCESSES}, got {processes}")
    if processes > 1 and state_url() is None:
        raise ValueError(
            "--workers above 1 needs shared state: pass --state postgresql://... (or set "
            f"{ENV_STATE_URL}); SQLite state belongs to one process"
        )
    return processes


def use_state(url: str | None) -> None:
    """Make `url` (from --state) this process's state URL, inherited by its workers, and check
    that the database answers (its tables are created here, once, before workers start)."""
    from tools.state_db import ENV_STATE_URL, check_state_url, state_db

    if url:
        os.environ[ENV_STATE_URL] = check_state_url(url)
    state_db()


def serve_workers(
    workspace: Path, llm: str | None, settings: Any, processes: int, log_level: str = "warning"
) -> None:
    """Serve on settings.host:port with `processes` worker processes until interrupted; a
    worker that dies is replaced (one that keeps dying at start stops the whole server)."""
    import multiprocessing

    check_processes(processes)
    wanted = {k: getattr(settings, k) for k in FORWARDED}
    os.environ[ENV_CHILD] = json.dumps({"workspace": str(workspace), "llm": llm, **wanted})
    context = multiprocessing.get_context("spawn")
    args = (settings.host, settings.port, log_level)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in STOP_SIGNALS}

    def start() -> Any:
        worker = context.Process(target=run_worker, args=args, name="whyrec-worker")
        worker.start()
        worker.started_at = time.monotonic()
        return worker

    workers = [start() for _ in range(processes)]
    quick_deaths = 0
    try:
        while not stop.wait(0.5):
            for n, worker in enumerate(workers):
                if worker.is_alive():
                    continue
                quick = time.monotonic() - worker.started_at < QUICK_DEATH_S
                quick_deaths = quick_deaths + 1 if quick else 0
                if quick_deaths > MAX_QUICK_DEATHS:
                    raise RuntimeError(
                        f"worker processes keep exiting at start (last exit code "
                        f"{worker.exitcode}); run without --workers to see why"
                    )
                logger.warning(
                    "worker %s exited (%s); starting another", worker.pid, worker.exitcode
                )
                workers[n] = start()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        for worker in workers:
            worker.join(10)
            if worker.is_alive():
                worker.kill()
                worker.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket of this worker's own on host:port (SO_REUSEPORT: the kernel spreads new
    connections evenly over the workers; a shared socket lets whichever worker wakes first
    take a whole burst of keep-alive connections while the others idle)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def run_worker(host: str, port: int, log_level: str) -> None:
    """One worker process: uvicorn with the app from `worker_app`, on its own socket."""
    import uvicorn

    config = uvicorn.Config(
        "ui.workers:worker_app",
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=3,
        lifespan="on",
    )
    sock = listening_socket(host, port)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


def worker_app() -> Any:
    """The app of one worker process (uvicorn calls this in each spawned child)."""
    from agent.api import RecAgent
    from ui.server import create_app, freeze_startup_heap
    from ui.settings import ServerSettings

    raw = os.environ.get(ENV_CHILD)
    if not raw:
        raise RuntimeError(f"{ENV_CHILD} is not set: start workers with `whyrec serve --workers`")
    spec = json.loads(raw)
    workspace = spec.pop("workspace")
    llm = spec.pop("llm")
    settings = ServerSettings.from_env(**{k: v for k, v in spec.items() if k in FORWARDED})
    agent = RecAgent.from_workspace(workspace, llm=llm)
    agent.warm_up()
    app = create_app(agent, agent.workspace, settings)
    freeze_startup_heap()
    return app
