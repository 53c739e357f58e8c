"""The Python API contract: sessions (isolated, persistent, thread-safe), streaming, direct calls."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from agent.api import RecAgent, UnknownItemError, UnknownSessionError
from agent.memory import SessionIdError
from agent.models import EventKind


def test_sessions_are_isolated(rule_agent):
    a = rule_agent.new_session()
    b = rule_agent.new_session("u00001")
    rule_agent.chat(a, "horror please")
    rule_agent.chat(b, "comedy please")
    assert rule_agent.session_state(a).constraints.include == {"genre": ["horror"]}
    assert rule_agent.session_state(b).constraints.include == {"genre": ["comedy"]}
    assert rule_agent.session_state(b).user_id == "u00001"


def test_a_session_survives_a_restart(agent_workspace, tmp_path):
    state_dir = tmp_path / "state"
    first = RecAgent.from_workspace(agent_workspace.root, llm="rule", state_dir=state_dir)
    sid = first.new_session()
    shown = first.chat(sid, "a drama under $25").items
    first.chat(sid, "I didn't like the first one")
    first.close()

    second = RecAgent.from_workspace(agent_workspace.root, llm="rule", state_dir=state_dir)
    state = second.session_state(sid)
    assert state.constraints.include == {"genre": ["drama"]}
    assert shown[0].item_id in state.disliked
    assert state.turns == 2
    reply = second.chat(sid, "more please")
    assert reply.items and all(i.item_id not in state.shown for i in reply.items)
    second.close()


def test_fifty_concurrent_sessions(rule_agent):
    sessions = [rule_agent.new_session() for _ in range(50)]
    genres = ["comedy", "horror", "drama", "action", "romance"]

    def converse(n: int) -> tuple[str, str, list[str]]:
        sid = sessions[n]
        genre = genres[n % len(genres)]
        rule_agent.chat(sid, f"{genre} please")
        reply = rule_agent.chat(sid, "something else")
        return sid, genre, [i.item_id for i in reply.items]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(converse, range(50)))
    for sid, genre, _items in results:
        state = rule_agent.session_state(sid)
        assert state.constraints.include == {"genre": [genre]}
        assert state.turns == 2


def test_bad_input_is_refused(rule_agent):
    with pytest.raises(SessionIdError):
        rule_agent.chat("bad id!", "hi")
    with pytest.raises(ValueError):
        rule_agent.chat("s-ok", "   ")
    with pytest.raises(ValueError):
        rule_agent.chat("s-ok", "x" * 5000)
    with pytest.raises(UnknownSessionError):
        rule_agent.session_state("never-used")
    sid = rule_agent.new_session()
    with pytest.raises(UnknownItemError):
        rule_agent.explain(sid, "no-such-item")
    with pytest.raises(ValueError):
        rule_agent.feedback(sid, "i000001", "meh")
    with pytest.raises(ValueError):
        rule_agent.recommend(sid, k=3, filters={"colour": ["red"]})


def test_direct_calls(rule_agent):
    sid = rule_agent.new_session()
    items = rule_agent.recommend(sid, k=4, filters={"genre": ["animation"]})
    assert len(items) == 4 and all(i.attributes["genre"] == "animation" for i in items)
    explanation = rule_agent.explain(sid, items[0].item_id)
    assert explanation.item_id == items[0].item_id and explanation.evidence
    ack = rule_agent.feedback(sid, items[0].item_id, 5)
    assert ack.kind == "like"
    assert items[0].item_id in rule_agent.session_state(sid).liked
    rule_agent.reset(sid)
    assert rule_agent.session_state(sid).liked == []


def test_stream_events(rule_agent):
    sid = rule_agent.new_session()
    events = list(rule_agent.stream(sid, "a scifi movie"))
    kinds = [e.kind for e in events]
    assert kinds[-1] is EventKind.DONE and EventKind.ITEMS in kinds
    assert EventKind.TOOL_START in kinds and EventKind.TOOL_END in kinds
    tokens = "".join(e.text for e in events if e.kind is EventKind.TOKEN)
    reply = events[-1].data
    assert tokens == reply.text
    assert kinds.index(EventKind.TOOL_START) < kinds.index(EventKind.TOKEN)
    # The planner's whole reply goes out a line at a time (one SSE event each on the server).
    pieces = [e.text for e in events if e.kind is EventKind.TOKEN]
    assert len(pieces) == len([line for line in reply.text.split("\n") if line]) > 1
    assert all("\n" not in piece.rstrip("\n") for piece in pieces)
