"""`whyrec serve`: the web UI and every API on one port, with defaults that work on first run.

With no workspace on disk it builds one first: MovieLens-100K (downloaded once through pip), or,
when the download is impossible, a synthetic world (with a message saying so). The LLM backend
is `rule` unless `--llm` (or WHYREC_LLM) names another.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_SOURCE = "movielens-100k"
FALLBACK_SOURCE = "synthetic"


def default_workspace(source: str = DEFAULT_SOURCE) -> Path:
    """Where `whyrec serve` keeps the workspace it builds for `source` by default."""
    from tools.workspace import default_home

    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in source).strip("-") or "default"
    return default_home() / "workspaces" / slug


def ensure_workspace(
    workspace: Path | None,
    source: str = DEFAULT_SOURCE,
    *,
    fallback_source: str = FALLBACK_SOURCE,
    progress: bool = True,
    log: Callable[[str], None] = lambda message: None,
) -> Path:
    """An existing workspace, else one built from `source` (from `fallback_source` when the
    download fails); returns its path."""
    from causal.datasets.movielens import FetchError
    from tools.workspace import is_workspace
    from tools.workspace_build import BuildOptions, build_workspace

    target = Path(workspace).expanduser() if workspace is not None else default_workspace(source)
    if is_workspace(target):
        return target
    log(f"first run: building the {source} workspace in {target} (once; this takes a while) ...")
    try:
        build_workspace(source, target, BuildOptions(progress=progress), log=log)
        return target
    except FetchError as exc:
        fallback = target.parent / default_workspace(fallback_source).name
        log(
            f"could not download {source} ({exc}).\n"
            f"Serving a synthetic world instead (simulated users and items with a known causal "
            f"truth) from {fallback}. Pass --source movielens-100k:PATH with a local copy to use "
            "the real data."
        )
        if not is_workspace(fallback):
            build_workspace(fallback_source, fallback, BuildOptions(progress=progress), log=log)
        return fallback


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `serve` to the whyrec CLI."""

    @app.command("serve")
    def serve(
        workspace: Annotated[
            Path | None,
            typer.Option(
                help="Workspace folder (built from --source on first run). "
                "Default: $WHYREC_HOME/workspaces/movielens-100k."
            ),
        ] = None,
        source: Annotated[
            str, typer.Option(help="SOURCE to build the workspace from when it does not exist.")
        ] = DEFAULT_SOURCE,
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
        llm: Annotated[
            str | None,
            typer.Option(
                help="LLM backend: rule, openai:URL[#MODEL] or hf:MODEL_OR_PATH "
                "(default $WHYREC_LLM, else rule)."
            ),
        ] = None,
        max_message_chars: Annotated[
            int | None,
            typer.Option(
                help="Longest accepted message (default $WHYREC_MAX_MESSAGE_CHARS or 4000)."
            ),
        ] = None,
        ui: Annotated[bool, typer.Option("--ui/--no-ui", help="Serve the web UI at /.")] = True,
        mcp: Annotated[bool, typer.Option("--mcp/--no-mcp", help="Serve MCP at /mcp.")] = True,
        progress: Annotated[
            bool, typer.Option("--progress/--no-progress", help="Show build progress bars.")
        ] = True,
        state: Annotated[
            str | None,
            typer.Option(
                help="Keep sessions, LLM checkpoints and feedback in PostgreSQL "
                "(postgresql://...), shared by every replica (default $WHYREC_STATE_URL; "
                "unset: in the workspace).",
                show_default=False,
            ),
        ] = None,
        workers: Annotated[
            int,
            typer.Option(help="Server processes behind the one port (more than 1 needs --state)."),
        ] = 1,
    ) -> None:
        """Serve the web UI, the OpenAI-compatible endpoint, REST and MCP (Ctrl-C stops)."""
        from ui.cli import cli_errors, say

        with cli_errors():
            from ui.settings import ServerSettings

            settings = ServerSettings.from_env(
                host=host,
                port=port,
                max_message_chars=max_message_chars,
                enable_ui=ui,
                enable_mcp=mcp,
            )
            from ui.workers import check_processes, use_state

            use_state(state)
            check_processes(workers)
            from ui.server import check_port

            check_port(settings.host, settings.port)
            path = ensure_workspace(workspace, source, progress=progress, log=say)
            if workers > 1:
                from ui.workers import serve_workers

                say(
                    f"WhyRec is serving at {settings.base_url()} with {workers} worker processes "
                    "(each loads the workspace; Ctrl-C stops)"
                )
                serve_workers(path, llm, settings, workers)
                return
            say(f"loading workspace {path} ...")
            from agent.api import RecAgent

            agent = RecAgent.from_workspace(path, llm=llm)
            agent.warm_up()  # models and artefacts load now, not on someone's first turn
            from ui.server import create_app, serve_app

            app = create_app(agent, agent.workspace, settings)
            say(
                f"WhyRec is serving at {settings.base_url()}  (LLM backend: {agent.backend_name}; "
                f"API keys {'required' if settings.auth_enabled else 'off'}; Ctrl-C stops)"
            )
            say(
                f"  web UI {settings.base_url()}/   OpenAI {settings.base_url()}/v1   "
                f"REST {settings.base_url()}/docs   MCP {settings.base_url()}/mcp"
            )
            serve_app(app, settings)
