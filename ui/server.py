"""One FastAPI app serving every surface: the OpenAI-compatible /v1, REST /api, MCP at /mcp,
/healthz, the OpenAPI docs at /docs, and the Gradio web UI at /.

`create_app` wires a loaded agent into the app; `serve` runs it under uvicorn;
`ServerThread` runs it in a background thread on a free loopback port (tests, benchmarks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request

from ui.causal_view import CausalView
from ui.errors import ERROR_RESPONSES, NotFound, WrongMethod, install_error_handlers
from ui.middleware import (
    ApiKeyMiddleware,
    BodyLimitMiddleware,
    McpOwnerMiddleware,
    RequestGuardMiddleware,
    UiLogins,
)
from ui.reload import watch_workspace
from ui.service import AgentService
from ui.settings import PROTECTED_PREFIXES, ServerSettings, worker_threads

if TYPE_CHECKING:
    from tools.protocols import Workspace

logger = logging.getLogger(__name__)

API_DESCRIPTION = """WhyRec: a conversational recommender that can say *why*.

* **OpenAI-compatible**: `POST /v1/chat/completions` (model `whyrec`, streamed or not; the
  session from `X-Session-Id` or the `user` field; items and explanations in the `whyrec`
  extension field) and `GET /v1/models`.
* **REST** under `/api`: sessions and messages, recommendations, explanations, the causal graph,
  effects, feedback.
* **MCP** (streamable HTTP) at `/mcp`, the web UI at `/`.

When `WHYREC_API_KEYS` is set, `/v1`, `/api` and `/mcp` need `Authorization: Bearer KEY`, and
every session belongs to the key that created it (any other key gets 404 for it). Keys in
`WHYREC_ADMIN_KEYS` may also export and forget users (`/api/users/{user_id}`). Sessions expire
after `WHYREC_SESSION_TTL` idle (default 7 days).
"""


def create_app(
    agent: Any,
    workspace: Workspace | None = None,
    settings: ServerSettings | None = None,
) -> FastAPI:
    """The app serving `agent` (a RecAgent) over every surface."""
    settings = settings or ServerSettings()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    service = AgentService(
        agent,
        workspace,
        workers=worker_threads(settings, agent),
        max_message_chars=settings.max_message_chars,
        secret=session_secret(workspace),
        auth=settings.auth_enabled,
    )
    if settings.auth_enabled:
        service.ui_logins = UiLogins(settings.all_keys)
    causal = CausalView(workspace)
    mcp_server = None
    if settings.enable_mcp:
        from ui.mcp_server import build_mcp

        mcp_server = build_mcp(service, causal, settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if mcp_server is not None:
                await stack.enter_async_context(mcp_server.session_manager.run())
            expiry = asyncio.ensure_future(_expire_forever(service))
            watch = asyncio.ensure_future(watch_workspace(service, causal))
            try:
                yield
            finally:
                expiry.cancel()
                watch.cancel()
        close = getattr(agent, "close", None)
        if callable(close):
            close()

    app = FastAPI(
        title="WhyRec",
        version=_version(),
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.service = service
    app.state.causal = causal
    app.state.settings = settings
    install_error_handlers(app)

    @app.get(
        "/healthz",
        tags=["health"],
        summary="200 once the agent is ready",
        responses={405: ERROR_RESPONSES[405], 500: ERROR_RESPONSES[500]},
    )
    async def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "backend": service.backend_name,
            "workspace": getattr(service.workspace, "name", None),
            "auth": settings.auth_enabled,
        }

    from ui import openai_api, rest_api, rest_users

    app.include_router(openai_api.make_router(service, settings))
    app.include_router(rest_api.make_router(service, causal, settings))
    app.include_router(rest_users.make_router(service))

    async def unknown_route(request: Request) -> None:
        """Unknown paths under /api and /v1 get a JSON 404 (not the web UI's page); a known
        path asked with a method it does not serve gets 405."""
        path = request.url.path
        for route in _flat_routes(app.router.routes):
            regex = getattr(route, "path_regex", None)
            name = getattr(route, "name", None)
            methods = getattr(route, "methods", None)  # a Mount (the UI at /) has none
            if methods and name != "unknown_route" and regex is not None and regex.match(path):
                raise WrongMethod(
                    f"{request.method} is not allowed on {path[:120]}", code="method_not_allowed"
                )
        raise NotFound(f"no such endpoint: {path[:120]}; see /docs", code="no_route")

    for prefix in ("/api", "/v1"):
        app.add_api_route(
            prefix + "/{rest:path}",
            unknown_route,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            include_in_schema=False,
        )

    if mcp_server is not None:
        from ui.mcp_server import mcp_routes

        app.router.routes.extend(mcp_routes(mcp_server, settings))
    # Middleware wraps the whole app, the mounted UI included (it guards only its prefixes).
    # The last added runs first: guard, then keys, then MCP ownership, then the body limit.
    app.add_middleware(
        BodyLimitMiddleware, limit=settings.max_body_bytes, prefixes=PROTECTED_PREFIXES
    )
    app.add_middleware(McpOwnerMiddleware)
    app.add_middleware(
        ApiKeyMiddleware,
        keys=settings.api_keys,
        prefixes=PROTECTED_PREFIXES,
        admin_keys=settings.admin_keys,
    )
    app.add_middleware(RequestGuardMiddleware, prefixes=(*PROTECTED_PREFIXES, "/healthz"))
    if settings.enable_ui:
        import gradio as gr

        from ui.web import UI_CSS, build_ui

        blocks = build_ui(service, causal)
        gr.mount_gradio_app(
            app,
            blocks,
            path="/",
            footer_links=["api"],
            run_history=False,
            ssr_mode=False,
            css=UI_CSS,
            mcp_server=False,
            auth=service.ui_logins.check if settings.auth_enabled else None,
            auth_message="This WhyRec server needs an API key: any user name, the key as password.",
        )
    return app


def _flat_routes(routes: list[Any]) -> list[Any]:
    """Every route, those of included routers too."""
    out: list[Any] = []
    for route in routes:
        inner = getattr(getattr(route, "original_router", None), "routes", None)
        out.extend(_flat_routes(list(inner)) if inner is not None else [route])
    return out


SECRET_FILE = "http-session-secret"
EXPIRY_INTERVAL_S = 600.0


async def _expire_forever(service: AgentService) -> None:
    """Drop idle sessions now and every EXPIRY_INTERVAL_S (WHYREC_SESSION_TTL says how idle)."""
    while True:
        try:
            gone = await service.expire_sessions()
            if gone:
                logger.info("expired %d idle sessions", gone)
        except Exception as exc:  # expiry must never take the server down
            logger.warning("session expiry failed: %s", type(exc).__name__)
        await asyncio.sleep(EXPIRY_INTERVAL_S)


def session_secret(workspace: Workspace | None) -> bytes | None:
    """The server secret behind `user`-named session ids, kept in the workspace's state folder
    (created on first use, readable by the owner only), or in the state database that replicas
    share when $WHYREC_STATE_URL is set; None without a workspace."""
    from tools.state_db import state_db

    db = state_db()
    if db is not None:
        return db.shared_secret(SECRET_FILE)
    state_dir = getattr(workspace, "state_dir", None)
    if state_dir is None:
        return None
    path = Path(state_dir) / SECRET_FILE
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    data = secrets.token_bytes(32)
    tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    try:  # first writer wins: worker processes starting together must agree on one secret
        os.link(tmp, path)
    except FileExistsError:
        existing = path.read_bytes()
        if len(existing) >= 32:
            data = existing
        else:  # an empty or short file (an interrupted old write): replace it
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return data


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("whyrec")
    except Exception:  # running from a source tree without an install
        return "0.0.0"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def uvicorn_config(app: FastAPI, host: str, port: int, log_level: str = "warning") -> Any:
    """The uvicorn Config WhyRec serves with (no access log: paths can carry ids)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=3,
        lifespan="on",
    )


def check_port(host: str, port: int) -> None:
    """Raise ValueError when nobody can listen on host:port (in use, or not an address here)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ValueError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port or --host"
            ) from None


def serve_app(app: FastAPI, settings: ServerSettings, log_level: str = "warning") -> None:
    """Run `app` under uvicorn until interrupted."""
    import uvicorn

    freeze_startup_heap()
    uvicorn.Server(uvicorn_config(app, settings.host, settings.port, log_level)).run()


def freeze_startup_heap() -> None:
    """Move everything loaded so far out of the garbage collector's sight.

    Models, catalogs and libraries leave millions of long-lived objects; a full collection
    walks them all and stopped every request for up to half a second under load (measured:
    gen-2 passes of 100-520 ms). Frozen objects are never scanned; what requests allocate
    is still collected as usual.
    """
    import gc

    gc.collect()
    gc.freeze()


class ServerThread:
    """Run an app under uvicorn in a background thread on 127.0.0.1; a context manager."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int | None = None) -> None:
        import uvicorn

        self.host = host
        self.port = port or free_port(host)
        # uvicorn installs signal handlers only in the main thread, so none are taken here.
        self.server = uvicorn.Server(uvicorn_config(app, host, self.port))
        self.thread = threading.Thread(target=self.server.run, name="whyrec-server", daemon=True)

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:PORT."""
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 60.0) -> ServerThread:
        """Start and wait until the server accepts requests."""
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the server thread exited during start-up")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the server did not start within {timeout_s} s")
            time.sleep(0.02)
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the server to exit and wait for the thread.

        Browser and gradio_client heartbeats hold streams open forever; after a one-second grace
        uvicorn cancels them and logs each cancellation as an error, which is expected here.
        """
        self.server.config.timeout_graceful_shutdown = 1
        quiet = logging.getLogger("uvicorn.error")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)
        try:
            self.server.should_exit = True
            if self.thread.is_alive():
                self.thread.join(timeout_s)
        finally:
            quiet.setLevel(level)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
