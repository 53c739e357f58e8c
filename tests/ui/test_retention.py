"""Export and forget: `whyrec user export/forget` and /api/users. Forgetting a user leaves no
byte of their conversation in any file under the workspace (session rows, LLM checkpoints,
the feedback log, SQLite WALs), and `build --update` afterwards no longer learns from it.
State files are readable by their owner only."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ui.server import ServerThread, create_app
from ui.settings import ServerSettings

MARKER = "ZQX-forget-me-7781"
KEEP = "QXZ-keep-me-1187"


def _files_containing(root: Path, needle: str) -> list[str]:
    data = needle.encode()
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and data in p.read_bytes()
    )


def _plant(agent, user: str | None, text: str) -> str:
    """A session with `text` in its history and its LLM checkpoint, and one like."""
    from langgraph.checkpoint.base import empty_checkpoint

    from agent.checkpoints import open_checkpointer

    sid = agent.new_session(user)
    state = agent.store.get(sid)
    state.add_turn("user", f"please remember {text}", [])
    agent.store.save(state)
    item = str(agent.workspace.dataset.items["item_id"].iloc[0])
    agent.feedback(sid, item, "like")
    saver, conn = open_checkpointer(agent.state_dir / "checkpoints.sqlite")
    checkpoint = empty_checkpoint()
    checkpoint["channel_values"] = {"messages": [f"human: {text}"]}
    config = {"configurable": {"thread_id": sid, "checkpoint_ns": ""}}
    saver.put(config, checkpoint, {"source": "input", "step": 1}, {})
    conn.close()
    return sid


@pytest.fixture
def workspace_copy(ui_workspace, tmp_path):
    target = tmp_path / "ws"
    shutil.copytree(ui_workspace.root, target)
    shutil.rmtree(target / "state", ignore_errors=True)
    (target / "feedback.jsonl").unlink(missing_ok=True)
    return target


def test_cli_forget_leaves_no_trace_and_export_lists_everything(workspace_copy):
    from agent.api import RecAgent
    from ui.cli import app

    agent = RecAgent.from_workspace(workspace_copy, llm="rule")
    users = agent.workspace.dataset.users["user_id"].astype(str)
    gone_user, kept_user = users.iloc[0], users.iloc[1]
    gone = _plant(agent, gone_user, MARKER)
    kept = _plant(agent, kept_user, KEEP)
    agent.close()
    assert _files_containing(workspace_copy, MARKER)  # planted: the check can fail
    runner = CliRunner()

    exported = runner.invoke(app, ["user", "export", gone_user, "--workspace", str(workspace_copy)])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.stdout)
    assert [s["session_id"] for s in data["sessions"]] == [gone]
    assert any(MARKER in m["text"] for m in data["messages"])
    assert [f["session_id"] for f in data["feedback"]] == [gone]

    result = runner.invoke(app, ["user", "forget", gone_user, "--workspace", str(workspace_copy)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["sessions"] == 1 and summary["feedback_records"] == 1
    assert summary["checkpoint_rows"] >= 1
    assert _files_containing(workspace_copy, MARKER) == []
    assert _files_containing(workspace_copy, gone) == []
    # the other user's data is untouched
    assert _files_containing(workspace_copy, KEEP)
    assert kept.encode() in (workspace_copy / "feedback.jsonl").read_bytes()
    again = runner.invoke(app, ["user", "export", gone_user, "--workspace", str(workspace_copy)])
    assert json.loads(again.stdout)["sessions"] == []
    unknown = runner.invoke(
        app, ["user", "forget", "no-such-user", "--workspace", str(workspace_copy)]
    )
    assert unknown.exit_code == 2
    state = workspace_copy / "state"
    private = [p for p in state.iterdir() if p.is_file()] + [workspace_copy / "feedback.jsonl"]
    assert {p.name for p in private} >= {"sessions.sqlite", "checkpoints.sqlite", "feedback.jsonl"}
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.slow
def test_build_update_after_forget_no_longer_learns_from_the_user(workspace_copy):
    from agent.api import RecAgent
    from tools.workspace_build import BuildOptions, build_workspace
    from ui.cli import app

    agent = RecAgent.from_workspace(workspace_copy, llm="rule")
    anonymous = _plant(agent, None, MARKER)  # merged as user "session:<id>"
    kept = _plant(agent, str(agent.workspace.dataset.users["user_id"].iloc[1]), KEEP)
    agent.close()
    options = BuildOptions(update=True, progress=False, time_budget_s=5, skip=frozenset({"causal"}))
    build_workspace(None, workspace_copy, options)
    assert _files_containing(workspace_copy / "data", anonymous)  # merged into the log
    result = CliRunner().invoke(
        app, ["user", "forget", anonymous, "--workspace", str(workspace_copy)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["interaction_rows"] == 1
    manifest = json.loads((workspace_copy / "workspace.json").read_text())
    assert manifest["feedback"]["merged"] == 1  # the kept user's record stays counted
    rebuilt = build_workspace(None, workspace_copy, options)
    assert rebuilt.manifest["feedback"]["new_records"] == 0
    assert _files_containing(workspace_copy / "data", anonymous) == []
    assert kept.encode() in (workspace_copy / "feedback.jsonl").read_bytes()


def test_rest_export_and_forget_need_an_admin_key(workspace_copy):
    from agent.api import RecAgent

    agent = RecAgent.from_workspace(workspace_copy, llm="rule")
    user = str(agent.workspace.dataset.users["user_id"].iloc[0])
    sid = _plant(agent, user, MARKER)
    settings = ServerSettings(
        enable_ui=False,
        enable_mcp=False,
        api_keys=("key-plain-12345678",),
        admin_keys=("key-admin-87654321",),
    )
    plain = {"Authorization": "Bearer key-plain-12345678"}
    admin = {"Authorization": "Bearer key-admin-87654321"}
    with ServerThread(create_app(agent, agent.workspace, settings)) as server:
        url = f"{server.url}/api/users/{user}"
        assert httpx.get(url + "/export", headers=plain).status_code == 403
        assert httpx.delete(url, headers=plain).status_code == 403
        exported = httpx.get(url + "/export", headers=admin)
        assert exported.status_code == 200
        assert exported.json()["sessions"][0]["session_id"] == sid
        assert "owner" not in exported.json()["sessions"][0]
        r = httpx.delete(url, headers=admin)
        assert r.status_code == 200 and r.json()["sessions"] == 1
        assert httpx.get(url + "/export", headers=admin).json()["sessions"] == []
        missing = httpx.delete(f"{server.url}/api/users/no-such-user", headers=admin)
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "user_not_found"
    assert _files_containing(workspace_copy, MARKER) == []
