"""The agent end to end over the OpenAI protocol: a loopback server replays tool calls."""

from __future__ import annotations

import json

from openai_loopback import ScriptedOpenAIServer

from agent.api import RecAgent
from agent.models import EventKind


def _cite_first(request: dict) -> dict:
    """Answer with the first item the recommend tool returned (read from the request)."""
    tool_messages = [m for m in request["messages"] if m["role"] == "tool"]
    item = json.loads(tool_messages[-1]["content"])["items"][0]
    return {"content": f"You might like {item['title']}, a comedy."}


SCRIPT = [
    {
        "tool_calls": [
            {"name": "recommend", "arguments": {"k": 3, "filters": {"genre": ["comedy"]}}}
        ]
    },
    _cite_first,
]


def _agent(workspace, server, tmp_path, monkeypatch) -> RecAgent:
    monkeypatch.setenv("WHYREC_LLM_TIMEOUT", "5")
    monkeypatch.setenv("WHYREC_LLM_MAX_RETRIES", "0")
    return RecAgent.from_workspace(
        workspace.root, llm=f"openai:{server.url}", state_dir=tmp_path / "state"
    )


def test_streamed_turn_over_openai_protocol(agent_workspace, tmp_path, monkeypatch):
    with ScriptedOpenAIServer(SCRIPT, chunk_size=3) as server:
        agent = _agent(agent_workspace, server, tmp_path, monkeypatch)
        assert agent.backend_name.startswith("openai:http://127.0.0.1")
        events = list(agent.stream(agent.new_session(), "something funny"))
        agent.close()
        assert all(r.get("stream") for r in server.requests)
        assert server.requests[0]["tools"], "the tools were offered to the model"
    reply = events[-1].data
    assert not reply.fallback and reply.grounded
    assert reply.items and reply.items[0].title in reply.text
    assert [e.data["tool"] for e in events if e.kind is EventKind.TOOL_START] == [
        "recommend",
        "explain",
    ]
    assert "".join(e.text for e in events if e.kind is EventKind.TOKEN) == reply.text


def test_plain_chat_over_openai_protocol(agent_workspace, tmp_path, monkeypatch):
    with ScriptedOpenAIServer(SCRIPT) as server:
        agent = _agent(agent_workspace, server, tmp_path, monkeypatch)
        reply = agent.chat(agent.new_session(), "something funny")
        agent.close()
    assert not reply.fallback and reply.items[0].attributes["genre"] == "comedy"


def test_malformed_streamed_call_then_recovery(agent_workspace, tmp_path, monkeypatch):
    script = [{"tool_calls": [{"name": "recommend", "arguments": '{"k": 3, "filters": '}]}, *SCRIPT]
    with ScriptedOpenAIServer(script) as server:
        agent = _agent(agent_workspace, server, tmp_path, monkeypatch)
        reply = agent.chat(agent.new_session(), "something funny")
        agent.close()
    assert not reply.fallback and reply.items
    assert any("malformed" in step.detail for step in reply.trace)


def test_server_errors_fall_back_to_rules(agent_workspace, tmp_path, monkeypatch):
    with ScriptedOpenAIServer([{"status": 500}]) as server:
        agent = _agent(agent_workspace, server, tmp_path, monkeypatch)
        reply = agent.chat(agent.new_session(), "a horror movie")
        agent.close()
    assert reply.fallback and reply.items
    assert all(i.attributes["genre"] == "horror" for i in reply.items)


def test_endpoint_down_falls_back(agent_workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("WHYREC_LLM_TIMEOUT", "2")
    monkeypatch.setenv("WHYREC_LLM_MAX_RETRIES", "0")
    agent = RecAgent.from_workspace(
        agent_workspace.root, llm="openai:http://127.0.0.1:9/v1#m", state_dir=tmp_path / "s"
    )
    events = list(agent.stream(agent.new_session(), "a horror movie"))
    agent.close()
    reply = events[-1].data
    assert reply.fallback and "unreachable" in reply.fallback_reason
    assert "rule planner" in "".join(e.text for e in events if e.kind is EventKind.TOKEN)
