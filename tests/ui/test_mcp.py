"""MCP over streamable HTTP: the mcp SDK's client lists the tools and calls them on the live
server (the real agent and workspace)."""

from __future__ import annotations

import asyncio

import httpx
from mcp import Client

from tools.registry import TOOL_TARGETS


def _run(coro):
    return asyncio.run(coro)


def test_lists_the_agent_tools_with_their_schemas(live_server):
    async def go():
        async with Client(live_server.url + "/mcp") as client:
            return (await client.list_tools()).tools

    tools = {t.name: t for t in _run(go())}
    expected = (set(TOOL_TARGETS) - {"record_feedback"}) | {"chat", "new_session", "feedback"}
    assert expected <= set(tools)
    for tool in tools.values():
        assert tool.description, tool.name
        assert tool.input_schema["type"] == "object"
    assert "session_id" in tools["recommend"].input_schema["properties"]
    assert tools["chat"].input_schema["required"] == ["message"]


def test_calls_chat_then_the_registry_tools_in_that_session(live_server):
    async def go():
        async with Client(live_server.url + "/mcp") as client:
            started = await client.call_tool("new_session", {})
            session_id = started.structured_content["session_id"]
            chat = await client.call_tool(
                "chat", {"message": "Recommend me a comedy", "session_id": session_id}
            )
            ranked = await client.call_tool("recommend", {"k": 3, "session_id": session_id})
            graph = await client.call_tool("causal_graph", {})
            return session_id, chat, ranked, graph

    session_id, chat, ranked, graph = _run(go())
    assert not chat.is_error, chat.content
    assert chat.structured_content["session_id"] == session_id
    assert chat.structured_content["text"] and chat.structured_content["items"]
    assert not ranked.is_error, ranked.content
    items = ranked.structured_content["items"]
    assert 1 <= len(items) <= 3
    assert not graph.is_error and graph.structured_content["nodes"]
    # the session MCP used is the same one the REST API sees
    history = httpx.get(f"{live_server.url}/api/sessions/{session_id}/messages").json()
    assert any("comedy" in str(m).lower() for m in history["messages"])


def test_mistakes_come_back_as_tool_errors(live_server):
    async def go():
        async with Client(live_server.url + "/mcp") as client:
            unknown_session = await client.call_tool(
                "chat", {"message": "hi", "session_id": "s-nobody"}
            )
            unknown_variable = await client.call_tool(
                "estimate_effect", {"treatment": "moon_phase", "outcome": "rating"}
            )
            return unknown_session, unknown_variable

    unknown_session, unknown_variable = _run(go())
    assert unknown_session.is_error and "unknown session" in unknown_session.content[0].text
    assert unknown_variable.is_error and "moon_phase" in unknown_variable.content[0].text
