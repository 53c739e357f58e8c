"""The re-ask guard: an empty re-ask cannot pass the first answer off as grounded, inventions
appended to a good answer are caught, and each stage's grounding is reported separately."""

from __future__ import annotations

import json

from langchain_core.messages import AIMessage, ToolMessage
from llm_fakes import ScriptedChatModel, call

from agent.api import RecAgent
from agent.backends import parse_backend_spec

RECOMMEND = AIMessage("", tool_calls=[call("recommend", {"k": 3})])


def _items(messages) -> list[dict]:
    for message in reversed(messages):
        if isinstance(message, ToolMessage) and message.name == "recommend":
            return json.loads(message.content)["items"]
    raise AssertionError("no recommend result in the prompt")


def _agent(workspace, tmp_path, steps):
    model = ScriptedChatModel(steps=steps)
    spec = parse_backend_spec("hf:scripted")
    return RecAgent(workspace, spec, state_dir=tmp_path / "state", chat_model=model)


def good(messages) -> AIMessage:
    item = _items(messages)[0]
    return AIMessage(f"Try {item['title']}: it scores {item['score']:.2f} for you.")


def padded(messages) -> AIMessage:
    """A correct answer with an invented title and rating appended (the issue's example)."""
    item = _items(messages)[0]
    return AIMessage(
        f"Try {item['title']}: it scores {item['score']:.2f} for you. You may also enjoy "
        "Harbor Lights (1987), which users rate 4.9 stars."
    )


def test_an_empty_reask_leaves_the_turn_ungrounded_and_falls_back(agent_workspace, tmp_path):
    agent = _agent(agent_workspace, tmp_path, [RECOMMEND, padded, AIMessage("")])
    reply = agent.chat(agent.new_session(), "recommend something")
    assert reply.grounded_first_pass is False and reply.grounded_after_reask is False
    assert "Harbor Lights" not in reply.text and "4.9" not in reply.text
    assert reply.text.startswith("Here is what I found") and reply.grounded
    stats = agent.grounding_stats()
    assert stats["llm_templated"] == 1 and stats["llm_grounded_after_reask"] == 0
    agent.close()


def test_stages_are_reported_separately(agent_workspace, tmp_path):
    agent = _agent(agent_workspace, tmp_path, [RECOMMEND, padded, good])
    reply = agent.chat(agent.new_session(), "recommend something")
    assert reply.grounded_first_pass is False and reply.grounded_after_reask is True
    assert reply.grounded and "Harbor Lights" not in reply.text
    first = _agent(agent_workspace, tmp_path / "b", [RECOMMEND, good])
    ok = first.chat(first.new_session(), "recommend something")
    assert ok.grounded_first_pass is True and ok.grounded_after_reask is True and ok.grounded
    agent.close()
    first.close()
