"""`whyrec user export USER` and `whyrec user forget USER`: a user's data out, or gone.

A USER is a dataset user id (sessions started for them, feedback they gave) or the session id
of an anonymous conversation. `export` prints their sessions, messages and feedback as JSON;
`forget` removes them from the session store, the LLM checkpoints, the feedback log and the
interaction rows `build --update` made from that feedback, and compacts the databases so no
deleted text stays in any file. A running server sees the change on its next request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

WorkspaceOption = Annotated[Path, typer.Option(help="Workspace folder (whyrec build).")]
UserArgument = Annotated[str, typer.Argument(help="A dataset user id, or a session id.")]


def _known_user(root: Path, user: str) -> bool:
    """True when the workspace's users.csv lists `user` (read as text: no dataset load)."""
    import csv

    path = root / "data" / "users.csv"
    if not path.is_file():
        return False
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if "user_id" not in header:
            return False
        col = header.index("user_id")
        return any(len(row) > col and row[col] == user for row in reader)


def _open(workspace: Path) -> Any:
    from agent.retention import UserStores
    from tools.workspace import Workspace

    ws = Workspace.open(workspace)
    return UserStores.open(ws.root, ws.state_dir)


def _require(root: Path, user: str, found: int) -> None:
    if not found and not _known_user(root, user):
        raise KeyError(
            f"unknown user '{user[:64]}': no sessions or feedback, and not a dataset user"
        )


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `user export` and `user forget` to the whyrec CLI."""
    user_app = typer.Typer(
        help="A user's data: export it as JSON, or forget it everywhere.", no_args_is_help=True
    )
    app.add_typer(user_app, name="user")

    @user_app.command("export")
    def export_command(user: UserArgument, workspace: WorkspaceOption) -> None:
        """Print the user's sessions, messages and feedback as JSON."""
        from ui.cli import cli_errors, emit_json

        with cli_errors(as_json=True):
            from agent.retention import export_user

            with _open(workspace) as stores:
                data = export_user(stores, user)
            _require(Path(workspace), user, len(data["sessions"]) + len(data["feedback"]))
            emit_json(data)

    @user_app.command("forget")
    def forget_command(user: UserArgument, workspace: WorkspaceOption) -> None:
        """Remove the user's sessions, checkpoints and feedback everywhere; prints what went."""
        from ui.cli import cli_errors, emit_json, say

        with cli_errors(as_json=True):
            from agent.retention import forget_user

            with _open(workspace) as stores:
                result = forget_user(stores, user)
            _require(Path(workspace), user, result["sessions"] + result["feedback_records"])
            emit_json(result)
            say(
                f"forgot {user}: {result['sessions']} sessions, {result['feedback_records']} "
                f"feedback records, {result['interaction_rows']} merged interaction rows"
            )
