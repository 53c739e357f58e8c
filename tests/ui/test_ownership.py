"""Sessions belong to the key that created them: with API keys on, another key gets 404 for a
session on every surface (REST, /v1 with X-Session-Id, the Gradio endpoints, MCP), the same
answer as for a session that does not exist. Without keys nothing changes.

REST and /v1 run against the real agent on a real workspace (owners persist in the session
store); the turn-taking surfaces (Gradio /ask, MCP chat) use the scripted FakeAgent so the
check is about the HTTP layer's routing, not the planner.
"""

from __future__ import annotations

import asyncio

import httpx
import httpx2
import pytest
from fake_agent import FakeAgent

from ui.server import ServerThread, create_app
from ui.settings import ServerSettings

KEY_A = "key-alice-1234567"
KEY_B = "key-bob-76543210"
ADMIN = "key-admin-99999999"


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def real_keyed(ui_workspace, tmp_path_factory):
    """The real agent, keys A and B plus an admin key, its own session store."""
    from agent.api import RecAgent

    state = tmp_path_factory.mktemp("owned-state")
    agent = RecAgent.from_workspace(ui_workspace.root, llm="rule", state_dir=state)
    settings = ServerSettings(
        enable_ui=False, enable_mcp=False, api_keys=(KEY_A, KEY_B), admin_keys=(ADMIN,)
    )
    with ServerThread(create_app(agent, agent.workspace, settings)) as server:
        server.agent = agent
        yield server


@pytest.fixture(scope="module")
def fake_keyed():
    """Every surface (UI, MCP) over the FakeAgent, keys A and B."""
    settings = ServerSettings(enable_ui=True, enable_mcp=True, api_keys=(KEY_A, KEY_B))
    agent = FakeAgent()
    with ServerThread(create_app(agent, None, settings)) as server:
        server.agent = agent
        yield server


def _a_user(agent) -> str:
    return str(agent.workspace.dataset.users["user_id"].astype(str).iloc[0])


def test_rest_session_of_key_a_is_invisible_to_key_b(real_keyed):
    url = real_keyed.url
    user = _a_user(real_keyed.agent)
    r = httpx.post(f"{url}/api/sessions", json={"user_id": user}, headers=_auth(KEY_A))
    assert r.status_code == 201, r.text
    sid = r.json()["session_id"]
    item = str(real_keyed.agent.workspace.dataset.items["item_id"].iloc[0])
    attempts = [
        ("GET", f"/api/sessions/{sid}", None),
        ("GET", f"/api/sessions/{sid}/messages", None),
        ("POST", f"/api/sessions/{sid}/messages", {"text": "hello"}),
        ("POST", "/api/feedback", {"session_id": sid, "item_id": item, "value": "like"}),
        ("POST", "/api/recommend", {"session_id": sid, "k": 3}),
        ("GET", f"/api/explain/{item}?session_id={sid}", None),
        ("DELETE", f"/api/sessions/{sid}", None),
    ]
    crossed = []
    for method, path, body in attempts:
        r = httpx.request(method, url + path, json=body, headers=_auth(KEY_B), timeout=60)
        if r.status_code != 404 or r.json()["error"]["code"] != "session_not_found":
            crossed.append((method, path, r.status_code, r.text[:200]))
    assert crossed == []
    # the owner still reaches it, and B's 404 equals the one for a session that never existed
    assert httpx.get(f"{url}/api/sessions/{sid}", headers=_auth(KEY_A)).status_code == 200
    ghost = httpx.get(f"{url}/api/sessions/s-{'0' * 32}", headers=_auth(KEY_B)).json()
    theirs = httpx.get(f"{url}/api/sessions/{sid}", headers=_auth(KEY_B)).json()
    assert ghost["error"]["code"] == theirs["error"]["code"] == "session_not_found"
    # the owner is stored with the session (survives a restart), and is a key id, not the key
    state = real_keyed.agent.session_state(sid)
    assert state.owner and KEY_A not in state.owner


def test_v1_x_session_id_of_another_key_is_404(real_keyed):
    url = real_keyed.url
    sid = httpx.post(f"{url}/api/sessions", headers=_auth(KEY_A)).json()["session_id"]
    body = {"model": "whyrec", "messages": [{"role": "user", "content": "hi"}]}
    for stream in (False, True):
        r = httpx.post(
            f"{url}/v1/chat/completions",
            json={**body, "stream": stream},
            headers={**_auth(KEY_B), "X-Session-Id": sid},
        )
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "session_not_found"


def test_v1_and_gradio_and_mcp_turns_respect_owners(fake_keyed):
    url = fake_keyed.url
    body = {"model": "whyrec", "messages": [{"role": "user", "content": "hi"}]}
    r = httpx.post(f"{url}/v1/chat/completions", json=body, headers=_auth(KEY_A))
    assert r.status_code == 200, r.text
    sid = r.headers["x-session-id"]
    again = httpx.post(
        f"{url}/v1/chat/completions", json=body, headers={**_auth(KEY_A), "X-Session-Id": sid}
    )
    assert again.status_code == 200 and again.headers["x-session-id"] == sid
    stolen = httpx.post(
        f"{url}/v1/chat/completions", json=body, headers={**_auth(KEY_B), "X-Session-Id": sid}
    )
    assert stolen.status_code == 404
    # equal `user` names of two keys are two conversations
    named = {**body, "user": "same-name"}
    sa = httpx.post(f"{url}/v1/chat/completions", json=named, headers=_auth(KEY_A))
    sb = httpx.post(f"{url}/v1/chat/completions", json=named, headers=_auth(KEY_B))
    assert sa.headers["x-session-id"] != sb.headers["x-session-id"]

    from gradio_client import Client

    alice = Client(url + "/", auth=("alice", KEY_A), verbose=False)
    mine = alice.predict("hello", sid, api_name="/ask")
    assert mine["session_id"] == sid
    bob = Client(url + "/", auth=("bob", KEY_B), verbose=False)
    with pytest.raises(Exception, match="unknown session"):
        bob.predict("hello", sid, api_name="/ask")
    with pytest.raises(Exception):  # noqa: B017 - a name bound to key A cannot log in with B
        Client(url + "/", auth=("alice", KEY_B), verbose=False)

    assert _mcp_chat(url, KEY_A, sid) is False  # the owner's call succeeds
    assert _mcp_chat(url, KEY_B, sid) is True  # another key: a tool error


def _mcp_chat(url: str, key: str, session_id: str) -> bool:
    """Whether an MCP chat in `session_id` with `key` came back as an error."""
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def go() -> bool:
        async with httpx2.AsyncClient(headers=_auth(key), timeout=30) as http:
            transport = streamable_http_client(url + "/mcp", http_client=http)
            async with Client(transport) as client:
                result = await client.call_tool("chat", {"message": "hi", "session_id": session_id})
                if result.is_error:
                    assert "unknown session" in str(result.content)
                    # the registry tools take the same check
                    ranked = await client.call_tool("recommend", {"k": 2, "session_id": session_id})
                    assert ranked.is_error and "unknown session" in str(ranked.content)
                return bool(result.is_error)

    return asyncio.run(go())


def test_mcp_transport_session_is_bound_to_its_key(fake_keyed):
    url = fake_keyed.url + "/mcp"
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    r = httpx.post(url, json=init, headers={**headers, **_auth(KEY_A)})
    assert r.status_code == 200, r.text
    mcp_sid = r.headers.get("mcp-session-id")
    assert mcp_sid  # a stateful transport: there is a session someone could try to take
    ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    stolen = httpx.post(
        url, json=ping, headers={**headers, **_auth(KEY_B), "mcp-session-id": mcp_sid}
    )
    assert stolen.status_code == 404
    assert stolen.json()["error"]["code"] == "session_not_found"


def test_without_keys_sessions_are_shared_as_before():
    settings = ServerSettings(enable_ui=False, enable_mcp=False)
    with ServerThread(create_app(FakeAgent(), None, settings)) as server:
        sid = httpx.post(f"{server.url}/api/sessions").json()["session_id"]
        assert httpx.get(f"{server.url}/api/sessions/{sid}").status_code == 200
