"""`whyrec chat`: scripted turns as JSON, interactive input, and resuming a session."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ui.cli import app


def _run(args, input_text=None):
    result = CliRunner().invoke(app, ["chat", *args], input=input_text)
    return result


def test_scripted_dialogue_as_json(agent_workspace, tmp_path):
    state = tmp_path / "state"
    result = _run(
        [
            "--workspace", str(agent_workspace.root), "--state-dir", str(state), "--json",
            "-m", "a comedy under $20", "-m", "cheaper", "-m", "why the first one?",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    replies = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(replies) == 3
    assert all(r["backend"] == "rule" and r["grounded"] for r in replies)
    comedy, cheaper, why = replies
    assert all(i["attributes"]["genre"] == "comedy" for i in comedy["items"] + cheaper["items"])
    assert why["items"][0]["item_id"] == cheaper["items"][0]["item_id"]

    session = comedy["session_id"]
    again = _run(
        ["--workspace", str(agent_workspace.root), "--state-dir", str(state), "--session", session,
         "--json", "-m", "what do you know about me?"]
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    profile = json.loads(again.stdout.strip().splitlines()[-1])
    assert "comedy" in profile["text"]


def test_interactive_input(agent_workspace, tmp_path):
    result = _run(
        ["--workspace", str(agent_workspace.root), "--state-dir", str(tmp_path / "s"), "--trace"],
        input_text="hello\nsomething scary\n/state\nquit\n",
    )
    assert result.exit_code == 0, result.output
    assert "Here are" in result.stdout
    assert '"horror"' in result.stdout  # the /state dump


def test_unknown_session_is_a_clear_error(agent_workspace, tmp_path):
    result = _run(
        ["--workspace", str(agent_workspace.root), "--state-dir", str(tmp_path / "s"),
         "--session", "nope", "-m", "hi"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "unknown session" in result.output
