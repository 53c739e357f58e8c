"""The stores behind a state URL, in one process against a real PostgreSQL: sessions, the
feedback log (order, positions, the build watermark), LLM checkpoints shared by two agents,
the session lock across connections, export and forget, and a URL that is not PostgreSQL."""

from __future__ import annotations

import itertools
import json
import threading
import time

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from llm_fakes import ScriptedChatModel, call

from agent.api import RecAgent
from agent.backends import parse_backend_spec
from agent.retention import UserStores, export_user, forget_user
from agent.state_pg import PgSessionStore
from tools.feedback import feedback_log, merge_new_feedback
from tools.state_db import StateDB, StateUrlError, check_state_url, redact, state_db


def test_a_state_url_must_be_postgresql(monkeypatch):
    for bad in ("sqlite:///x.db", "mysql://u@h/db", "/var/lib/state", "http://h"):
        with pytest.raises(StateUrlError, match="postgresql://"):
            check_state_url(bad)
    assert redact("postgresql://app:s3cret@db:5432/w") == "postgresql://app:***@db:5432/w"
    monkeypatch.setenv("WHYREC_STATE_URL", "postgresql://app:s3cret@127.0.0.1:1/none")
    with pytest.raises(StateUrlError) as caught:  # unreachable: a clear error, no password
        StateDB("postgresql://app:s3cret@127.0.0.1:1/none", max_size=2)
    assert "s3cret" not in str(caught.value) and "cannot reach" in str(caught.value)


def test_rule_agent_keeps_sessions_in_postgres(pg_url, state_workspace, tmp_path):
    agent = RecAgent.from_workspace(state_workspace.root, "rule", state_dir=tmp_path / "state")
    try:
        sid = agent.new_session()
        reply = agent.chat(sid, "recommend something")
        assert reply.text
        first = reply.items[0].item_id if reply.items else None
        if first:
            agent.feedback(sid, first, "like")
        assert isinstance(agent.store, PgSessionStore)
        assert not (tmp_path / "state" / "sessions.sqlite").exists()
        other = PgSessionStore(state_db())  # another process's view: the same rows
        state = other.load(sid)
        assert state is not None and state.turns == 1 and len(state.history) == 2
        if first:
            assert state.liked == [first]
            records = feedback_log(state_workspace.root).read()
            assert [(r.session_id, r.item_id, r.value) for r in records] == [(sid, first, "like")]
        assert not (state_workspace.root / "feedback.jsonl").exists()
        assert sid in other.session_ids()
    finally:
        agent.close()


def test_a_stream_left_early_keeps_its_turn(pg_url, state_workspace, tmp_path):
    agent = RecAgent.from_workspace(state_workspace.root, "rule", state_dir=tmp_path / "state")
    try:
        sid = agent.new_session()
        events = agent.stream(sid, "recommend something")
        next(events)
        events.close()  # the reader went away after the first event
        assert agent.session_state(sid).turns == 1
        assert [e.kind.value for e in agent.stream(sid, "more")][-1] == "done"
        assert agent.session_state(sid).turns == 2
    finally:
        agent.close()


def test_feedback_table_order_positions_and_watermark(pg_url, state_workspace):
    log = feedback_log(state_workspace.root)
    assert log.table is not None and len(log) == 0
    items = list(state_workspace.dataset.items["item_id"].astype(str))[:6]
    for n, item in enumerate(items):
        log.append(item_id=item, value=["like", 4, "dislike"][n % 3], user_id=f"u{n % 2}")
    records = log.read()
    assert [r.item_id for r in records] == items
    assert [r.value for r in records][:3] == ["like", 4.0, "dislike"]
    dataset = state_workspace.dataset
    _merged, state = merge_new_feedback(dataset, state_workspace.root, {"feedback": {"merged": 2}})
    assert state["merged"] == 6 and state["new_records"] == 4
    removed = log.remove_records(lambda r: r.user_id == "u1")
    assert [p for p, _ in removed] == [1, 3, 5]
    assert [r.item_id for r in log.read()] == items[0::2]


def test_feedback_inserted_during_a_turn_commits_with_it(pg_url, state_workspace):
    db = state_db()
    log = feedback_log(state_workspace.root)
    item = str(state_workspace.dataset.items["item_id"].iloc[0])
    with pytest.raises(RuntimeError), db.session_lock("whyrec-session:s-rollback"):
        log.append(item_id=item, value="like", session_id="s-rollback")
        raise RuntimeError("the replica died mid-turn")
    assert len(log) == 0  # rolled back: never acknowledged, never stored
    with db.session_lock("whyrec-session:s-commit"):
        log.append(item_id=item, value="like", session_id="s-commit")
    assert [r.session_id for r in log.read()] == ["s-commit"]


def test_session_lock_serialises_across_pools(pg_url):
    first, second = StateDB(pg_url, max_size=2), StateDB(pg_url, max_size=2)
    inside: list[tuple[str, float, float]] = []

    def turn(db: StateDB, name: str) -> None:
        for _ in range(3):
            with db.session_lock("whyrec-session:shared"):
                start = time.monotonic()
                time.sleep(0.05)
                inside.append((name, start, time.monotonic()))

    threads = [threading.Thread(target=turn, args=(d, n)) for d, n in ((first, "a"), (second, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spans = sorted((s, e) for _, s, e in inside)
    assert len(spans) == 6
    assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans))
    first.close()
    second.close()


def test_replicas_setting_up_the_schema_at_once_do_not_deadlock(pg_url):
    """langgraph's migrations run CREATE INDEX CONCURRENTLY under the set-up lock; it waits for
    every open transaction, so a replica waiting for that lock must not be inside one."""
    first, second = StateDB(pg_url, max_size=3), StateDB(pg_url, max_size=3)
    waiting = threading.Event()
    done: list[str] = []

    def other_replica() -> None:
        waiting.set()
        with second.setup_lock():
            done.append("second")

    with first.setup_lock() as conn:
        thread = threading.Thread(target=other_replica)
        thread.start()
        waiting.wait()
        time.sleep(0.3)  # the other replica is waiting for the lock now
        conn.execute("SET statement_timeout = '10s'")  # fail rather than hang
        conn.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS t_item ON whyrec_feedback (item_id)")
        conn.execute("RESET statement_timeout")
    thread.join(30)
    assert done == ["second"]
    first.close()
    second.close()


def _llm_agent(workspace, tmp_path, steps):
    model = ScriptedChatModel(steps=steps)
    spec = parse_backend_spec("hf:scripted")
    return RecAgent(workspace, spec, state_dir=tmp_path, chat_model=model), model


def _cite(messages) -> AIMessage:
    tool = next(m for m in reversed(messages) if isinstance(m, ToolMessage))
    item = json.loads(tool.content)["items"][0]
    return AIMessage(f"Try {item['title']}.")


def test_llm_checkpoints_follow_the_conversation_to_another_agent(
    pg_url, state_workspace, tmp_path
):
    recommend = AIMessage("", tool_calls=[call("recommend", {"k": 2})])
    one, _ = _llm_agent(state_workspace, tmp_path / "a", [recommend, _cite])
    two, model_two = _llm_agent(state_workspace, tmp_path / "b", [recommend, _cite])
    sid = one.new_session()
    one.chat(sid, "first wish: something cheerful")
    two.chat(sid, "second wish: another one")
    humans = [m.content for m in model_two.prompts[0] if isinstance(m, HumanMessage)]
    assert "first wish: something cheerful" in humans[0]
    assert any("second wish" in h for h in humans)
    assert not (tmp_path / "a" / "checkpoints.sqlite").exists()
    with state_db().connection() as conn:
        ids = conn.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %s", (sid,)
        ).fetchone()[0]
    assert ids == 1  # only the newest checkpoint is kept
    state = one.session_state(sid)
    assert state.turns == 2
    one.close()
    two.close()


def test_export_and_forget_work_on_the_shared_store(pg_url, state_workspace, tmp_path):
    recommend = AIMessage("", tool_calls=[call("recommend", {"k": 2})])
    agent, _ = _llm_agent(state_workspace, tmp_path, [recommend, _cite])
    user = str(state_workspace.dataset.users["user_id"].iloc[0])
    sid = agent.new_session(user)
    reply = agent.chat(sid, "anything good")
    agent.feedback(sid, reply.items[0].item_id, 5)
    keep = agent.new_session()
    agent.feedback(keep, reply.items[0].item_id, "dislike")
    with UserStores.open(state_workspace.root, tmp_path / "cli-state") as stores:
        data = export_user(stores, user)
        assert [s["session_id"] for s in data["sessions"]] == [sid]
        assert [f["value"] for f in data["feedback"]] == [5.0]
        result = forget_user(stores, user)
    assert result["sessions"] == 1 and result["feedback_records"] == 1
    assert result["checkpoint_rows"] >= 1
    assert agent.store.load(sid) is None and agent.store.load(keep) is not None
    assert [r.session_id for r in feedback_log(state_workspace.root).read()] == [keep]
    with state_db().connection() as conn:
        left = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (sid,))
        assert left.fetchone()[0] == 0
    agent.close()
