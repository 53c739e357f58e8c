"""`whyrec serve --workers N`: N server processes behind one port on one machine.

One process of Python runs one turn of the rule planner at a time (the GIL), so a machine's
other cores stay idle. uvicorn's supervisor binds the port once in this process and spawns N
workers that accept connections on that socket (gunicorn's pre-fork model, with spawned rather
than forked children: a fork of a process holding torch and chromadb threads is unsafe); a worker
that dies is replaced. A spawned process starts from nothing, so each loads the workspace itself
from the description this process leaves in $WHYREC_SERVE_CHILD. Workers share sessions, LLM
checkpoints and feedback through the state database, so more than one needs a state URL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ENV_CHILD = "WHYREC_SERVE_CHILD"
MAX_PROCESSES = 64
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
    """Serve on settings.host:port with `processes` worker processes until interrupted."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    check_processes(processes)
    wanted = {k: getattr(settings, k) for k in FORWARDED}
    os.environ[ENV_CHILD] = json.dumps({"workspace": str(workspace), "llm": llm, **wanted})
    config = uvicorn.Config(
        "ui.workers:worker_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=processes,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=3,
        lifespan="on",
    )
    sock = config.bind_socket()
    try:
        Multiprocess(config, sockets=[sock]).run()
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
