"""Protocol-level checks of the HTTP layer with a scripted stand-in agent (FakeAgent): SSE
framing, error mapping, key checks, limits and session routing. The real agent is exercised
against a real workspace in test_openai_contract.py, test_rest_api.py, test_mcp.py and
test_browser.py."""

from __future__ import annotations

import json

import httpx
import pytest
from fake_agent import FakeAgent

from ui.middleware import key_id, match_key, presented_key
from ui.server import ServerThread, create_app
from ui.settings import ServerSettings, SettingsError, parse_api_keys

KEYS = ("key-alpha-123456", "key-bravo-654321")


@pytest.fixture(scope="module")
def fake_server():
    agent = FakeAgent()
    settings = ServerSettings(enable_ui=False, enable_mcp=False, max_message_chars=200)
    with ServerThread(create_app(agent, None, settings)) as server:
        server.agent = agent
        yield server


@pytest.fixture(scope="module")
def keyed_server():
    settings = ServerSettings(enable_ui=False, enable_mcp=True, api_keys=KEYS)
    with ServerThread(create_app(FakeAgent(), None, settings)) as server:
        yield server


def _sse_lines(text: str) -> list[str]:
    return [line[len("data: ") :] for line in text.split("\n\n") if line.startswith("data: ")]


def test_stream_is_framed_as_openai_sse_and_ends_with_done(fake_server):
    body = {"model": "whyrec", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with httpx.stream("POST", fake_server.url + "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        session_id = r.headers["x-session-id"]
        text = r.read().decode()
    events = _sse_lines(text)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert content == "you said: hi (turn 1)"
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["whyrec"]["session_id"] == session_id
    assert last["whyrec"]["items"][0]["explanation"] == "because hi"


def test_failure_mid_stream_becomes_an_error_event_then_done(fake_server):
    fake_server.agent.fail_stream_after = 2
    try:
        body = {"stream": True, "messages": [{"role": "user", "content": "boom now"}]}
        r = httpx.post(fake_server.url + "/v1/chat/completions", json=body)
    finally:
        fake_server.agent.fail_stream_after = None
    events = _sse_lines(r.text)
    assert events[-1] == "[DONE]"
    error = json.loads(events[-2])
    assert error["error"]["type"] == "server_error"
    assert "RuntimeError" in error["error"]["message"]


def test_user_field_continues_a_conversation_and_keeps_users_apart(fake_server):
    url = fake_server.url + "/v1/chat/completions"

    def ask(user: str, text: str) -> dict:
        r = httpx.post(url, json={"user": user, "messages": [{"role": "user", "content": text}]})
        assert r.status_code == 200, r.text
        return r.json()

    a1, b1, a2 = ask("ann", "one"), ask("bob", "two"), ask("ann", "three")
    assert a1["whyrec"]["session_id"] == a2["whyrec"]["session_id"]
    assert b1["whyrec"]["session_id"] != a1["whyrec"]["session_id"]
    assert a2["choices"][0]["message"]["content"].endswith("(turn 2)")
    assert b1["choices"][0]["message"]["content"].endswith("(turn 1)")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_body"),
        (b'{"messages": []}', 422, "invalid_value"),
        (b'{"messages": [{"role": "wizard", "content": "x"}]}', 422, "invalid_value"),
        (b'{"messages": [{"role": "system", "content": "x"}]}', 400, "no_user"),
        (b'{"messages": [{"role": "user", "content": "   "}]}', 400, "empty_message"),
        (b'{"model": "gpt-9", "messages": [{"role": "user", "content": "x"}]}', 404, None),
        (b'{"n": 3, "messages": [{"role": "user", "content": "x"}]}', 422, "invalid_value"),
    ],
)
def test_bad_chat_requests_get_a_clear_4xx(fake_server, body, status, code):
    r = httpx.post(
        fake_server.url + "/v1/chat/completions",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code


def test_oversize_message_and_body_are_413(fake_server):
    long_text = "x" * 201
    r = httpx.post(
        fake_server.url + "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": long_text}]},
    )
    assert r.status_code == 413
    assert "limit is 200" in r.json()["error"]["message"]
    r = httpx.post(
        fake_server.url + "/api/sessions",
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"


def test_unknown_session_is_404_everywhere(fake_server):
    r = httpx.post(
        fake_server.url + "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "x"}]},
        headers={"X-Session-Id": "no-such-session"},
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "session_not_found"
    assert httpx.get(fake_server.url + "/api/sessions/nope/messages").status_code == 404
    r = httpx.post(
        fake_server.url + "/api/feedback",
        json={"session_id": "nope", "item_id": "i1", "value": "like"},
    )
    assert r.status_code == 404


def test_rest_stream_sends_typed_events(fake_server):
    session = httpx.post(fake_server.url + "/api/sessions").json()["session_id"]
    r = httpx.post(
        f"{fake_server.url}/api/sessions/{session}/messages", json={"text": "yo", "stream": True}
    )
    kinds = [block.split("\n")[0] for block in r.text.strip().split("\n\n")]
    assert kinds[0] == "event: tool_start"
    assert "event: token" in kinds
    assert kinds[-1] == "event: done"
    done = json.loads(r.text.strip().split("\n\n")[-1].split("data: ", 1)[1])
    assert done["text"] == "you said: yo (turn 1)"


def test_keys_are_required_on_v1_api_and_mcp_but_not_on_healthz(keyed_server):
    url = keyed_server.url
    for path in ("/v1/models", "/api/sessions/x/messages"):
        r = httpx.get(url + path)
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json()["error"]["code"] == "missing_api_key"
        r = httpx.get(url + path, headers={"Authorization": "Bearer wrong-key-0000"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "invalid_api_key"
    assert httpx.post(url + "/mcp", json={}).status_code == 401
    assert httpx.get(url + "/healthz").status_code == 200
    r = httpx.get(url + "/v1/models", headers={"Authorization": f"Bearer {KEYS[1]}"})
    assert r.status_code == 200
    r = httpx.get(url + "/v1/models", headers={"X-API-Key": KEYS[0]})
    assert r.status_code == 200


def test_same_user_name_under_different_keys_gets_different_sessions(keyed_server):
    def ask(key: str) -> str:
        r = httpx.post(
            keyed_server.url + "/v1/chat/completions",
            json={"user": "shared-name", "messages": [{"role": "user", "content": "x"}]},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert r.status_code == 200, r.text
        return r.json()["whyrec"]["session_id"]

    assert ask(KEYS[0]) != ask(KEYS[1])
    assert ask(KEYS[0]) == ask(KEYS[0])


def test_key_helpers():
    assert match_key("key-alpha-123456", KEYS) == key_id("key-alpha-123456")
    assert match_key("key-alpha-12345", KEYS) is None
    assert presented_key([(b"authorization", b"Bearer  abc ")]) == "abc"
    assert presented_key([(b"authorization", b"Basic abc")]) is None
    assert parse_api_keys("aaaaaaaa, bbbbbbbb aaaaaaaa") == ("aaaaaaaa", "bbbbbbbb")
    with pytest.raises(SettingsError, match="8 characters"):
        parse_api_keys("short")
    assert "aaaaaaaa" not in repr(ServerSettings(api_keys=("aaaaaaaa",)))


def test_user_sessions_survive_a_restart_and_are_not_guessable(tmp_path):
    from types import SimpleNamespace

    from ui.server import SECRET_FILE, session_secret
    from ui.service import AgentService

    workspace = SimpleNamespace(state_dir=tmp_path)
    secret = session_secret(workspace)
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert session_secret(workspace) == secret
    before = AgentService(FakeAgent(), workspace, secret=secret).user_session_id("", "ann")
    after = AgentService(FakeAgent(), workspace, secret=session_secret(workspace))
    assert after.user_session_id("", "ann") == before
    assert after.user_session_id("", "bob") != before
    assert after.user_session_id("key-1", "ann") != before
    other_secret = AgentService(FakeAgent(), workspace).user_session_id("", "ann")
    assert other_secret != before


class SlowAgent(FakeAgent):
    """Each turn takes 0.3 s; records how many turns of one session overlap."""

    def __init__(self) -> None:
        super().__init__()
        import threading

        self.active: dict[str, int] = {}
        self.max_overlap = 0
        self.guard = threading.Lock()

    def chat(self, session_id, text):
        import time

        with self.guard:
            self.active[session_id] = self.active.get(session_id, 0) + 1
            self.max_overlap = max(self.max_overlap, self.active[session_id])
        time.sleep(0.3)
        with self.guard:
            self.active[session_id] -= 1
        return super().chat(session_id, text)


def test_turns_of_one_session_queue_while_sessions_run_side_by_side():
    import asyncio
    import time

    agent = SlowAgent()
    settings = ServerSettings(enable_ui=False, enable_mcp=False)
    with ServerThread(create_app(agent, None, settings)) as server:

        async def turns(users: list[str]) -> float:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                start = time.perf_counter()
                replies = await asyncio.gather(
                    *(
                        client.post(
                            "/v1/chat/completions",
                            json={"user": u, "messages": [{"role": "user", "content": "x"}]},
                        )
                        for u in users
                    )
                )
                assert all(r.status_code == 200 for r in replies)
                return time.perf_counter() - start

        parallel = asyncio.run(turns(["p1", "p2", "p3", "p4"]))
        serial = asyncio.run(turns(["same"] * 3))
    assert parallel < 0.9, "different sessions must not wait for each other"
    assert serial >= 0.9, "turns of one session run one after another"
    assert agent.max_overlap == 1
