"""`whyrec chat`: talk to the agent in the terminal (interactive, or scripted with -m).

Each line you type is one turn; replies stream as they are written. `/new` starts a fresh
session, `/state` shows what the agent remembers, `/quit` (or Ctrl-D) ends. `--session ID`
resumes a saved session (sessions live in the workspace's state folder), `-m TEXT` (repeatable)
runs turns without a prompt, and `--json` prints each Reply as one JSON line for scripts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

HELP_TEXT = (
    "Commands: /new (fresh session), /state (what I remember), /quit. Anything else is a turn."
)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `chat` to the whyrec CLI."""

    @app.command("chat")
    def chat(
        workspace: Annotated[
            Path | None,
            typer.Option(
                help="Workspace folder (built from --source on first run). "
                "Default: $WHYREC_HOME/workspaces/movielens-100k."
            ),
        ] = None,
        source: Annotated[
            str, typer.Option(help="SOURCE to build the workspace from when it does not exist.")
        ] = "movielens-100k",
        llm: Annotated[
            str | None,
            typer.Option(
                help="LLM backend: rule, openai:URL[#MODEL] or hf:MODEL_OR_PATH "
                "(default $WHYREC_LLM, else rule)."
            ),
        ] = None,
        user: Annotated[
            str | None, typer.Option(help="Chat as this dataset user (personalised ranking).")
        ] = None,
        session: Annotated[
            str | None, typer.Option(help="Resume this session id instead of starting one.")
        ] = None,
        state_dir: Annotated[
            Path | None, typer.Option(help="Where sessions are kept (default WORKSPACE/state).")
        ] = None,
        message: Annotated[
            list[str] | None,
            typer.Option("--message", "-m", help="A turn to send (repeatable); no prompt then."),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print each Reply as a JSON line.")
        ] = False,
        trace: Annotated[
            bool, typer.Option("--trace", help="Show the tools each turn called.")
        ] = False,
        progress: Annotated[
            bool, typer.Option("--progress/--no-progress", help="Show build progress bars.")
        ] = True,
    ) -> None:
        """Chat with the recommender in the terminal."""
        from ui.cli import cli_errors, say
        from ui.cli_serve import ensure_workspace

        with cli_errors(as_json):
            path = ensure_workspace(workspace, source, progress=progress, log=say)
            from agent.api import RecAgent

            agent = RecAgent.from_workspace(path, llm=llm, state_dir=state_dir)
            try:
                if session is not None:
                    agent.session_state(session)  # an unknown id is an error, not a new session
                    session_id = session
                else:
                    session_id = agent.new_session(user)
                if not as_json:
                    say(f"WhyRec ({agent.backend_name}) on {path.name}; session {session_id}")
                turns = message if message else None
                _loop(agent, session_id, turns, as_json=as_json, trace=trace)
            finally:
                agent.close()


def _lines(turns: list[str] | None, interactive: bool) -> Any:
    if turns is not None:
        yield from turns
        return
    while True:
        if interactive:
            typer.echo("you> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            return
        yield line.rstrip("\n")


def _loop(
    agent: Any, session_id: str, turns: list[str] | None, *, as_json: bool, trace: bool
) -> None:
    from ui.cli import say

    interactive = turns is None and sys.stdin.isatty() and not as_json
    if interactive:
        say(HELP_TEXT)
    for line in _lines(turns, interactive):
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit", "quit", "exit"):
            return
        if text == "/help":
            say(HELP_TEXT)
            continue
        if text == "/new":
            session_id = agent.new_session(agent.session_state(session_id).user_id)
            say(f"new session {session_id}")
            continue
        if text == "/state":
            typer.echo(agent.session_state(session_id).model_dump_json(indent=2))
            continue
        _turn(agent, session_id, text, as_json=as_json, trace=trace)


def _turn(agent: Any, session_id: str, text: str, *, as_json: bool, trace: bool) -> None:
    from ui.cli import say

    if as_json:
        reply = agent.chat(session_id, text)
        typer.echo(json.dumps(reply.model_dump(mode="json"), ensure_ascii=False))
        return
    typer.echo("whyrec> ", nl=False)
    reply = None
    for event in agent.stream(session_id, text):
        if event.kind == "token":
            typer.echo(event.text, nl=False)
        elif event.kind == "done":
            reply = event.data
    typer.echo("")
    if reply is None:
        return
    if reply.fallback:
        say(f"(answered by the rule planner: {reply.fallback_reason})")
    if trace:
        steps = [s for s in reply.trace if s.kind == "tool"]
        total = next((s.ms for s in reply.trace if s.name == "total"), None)
        used = ", ".join(f"{s.name}{'' if s.ok else ' (error)'}" for s in steps) or "none"
        say(f"[tools: {used}; grounded: {reply.grounded}; {total} ms]")
