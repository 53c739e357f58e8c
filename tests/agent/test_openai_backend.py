"""The openai:URL backend against a loopback OpenAI-protocol server (no real network)."""

from __future__ import annotations

import pytest
from langchain_core.tools import tool
from openai_loopback import ScriptedOpenAIServer

from agent.backends import (
    BackendError,
    BackendKind,
    LLMSettings,
    discover_openai_model,
    make_chat_model,
    parse_backend_spec,
    redact_url,
)


@tool
def recommend(k: int = 5, query: str | None = None) -> str:
    """Recommend k items, optionally matching a text query."""
    return ""


def _model(server: ScriptedOpenAIServer, **kw):
    settings = LLMSettings(timeout_s=kw.pop("timeout_s", 5.0), max_retries=kw.pop("retries", 0))
    return make_chat_model(parse_backend_spec(f"openai:{server.url}"), settings)


def test_spec_parsing_and_redaction(monkeypatch):
    monkeypatch.delenv("WHYREC_OPENAI_MODEL", raising=False)
    spec = parse_backend_spec("openai:http://user:secret@gpu:8000#Qwen/Qwen2.5-7B-Instruct")
    assert spec.kind is BackendKind.OPENAI
    assert spec.target == "http://user:secret@gpu:8000/v1"
    assert spec.model == "Qwen/Qwen2.5-7B-Instruct"
    assert "secret" not in spec.display()
    assert redact_url("https://h:1/v1?api_key=abc") == "https://h:1/v1"
    with pytest.raises(BackendError):
        parse_backend_spec("openai:ftp://x")
    with pytest.raises(BackendError):
        parse_backend_spec("gemini:foo")
    monkeypatch.setenv("WHYREC_LLM", "rule")
    assert parse_backend_spec(None).kind is BackendKind.RULE


def test_model_name_discovered_from_server():
    with ScriptedOpenAIServer(model="served-qwen") as server:
        assert discover_openai_model(server.url) == "served-qwen"
        model = _model(server)
        assert model.model_name == "served-qwen"
        assert type(model).__name__ == "PassThroughChatOpenAI"
        # Bound once per model, tool list and options (create_agent binds before every call).
        assert model.bind_tools([recommend]) is model.bind_tools([recommend])
        assert model.bind_tools([recommend], tool_choice="auto") is not model.bind_tools(
            [recommend]
        )
        assert _model(server).bind_tools([recommend]) is not model.bind_tools([recommend])


def test_non_streamed_tool_call():
    script = [{"tool_calls": [{"name": "recommend", "arguments": {"k": 3, "query": "space"}}]}]
    with ScriptedOpenAIServer(script) as server:
        reply = _model(server).bind_tools([recommend]).invoke("space movies please")
        sent = server.requests[-1]
    assert reply.tool_calls[0]["name"] == "recommend"
    assert reply.tool_calls[0]["args"] == {"k": 3, "query": "space"}
    assert sent["tools"][0]["function"]["name"] == "recommend"


@pytest.mark.parametrize("stream", [False, True])
def test_request_body_is_what_plain_chat_openai_sends(stream):
    """The pass-through (messages and tools via extra_body) puts the same JSON on the wire."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
    from langchain_openai import ChatOpenAI

    history = [
        SystemMessage("You recommend films."),
        HumanMessage("space movies please"),
        AIMessage("", tool_calls=[{"name": "recommend", "args": {"k": 2}, "id": "c1"}]),
        ToolMessage('{"items": [{"title": "Alien (1979)"}]}', tool_call_id="c1"),
        HumanMessage("and why?"),
    ]
    bodies = []
    for make in (
        lambda server: _model(server),
        lambda server: ChatOpenAI(
            model="whyrec-test", base_url=server.url, api_key="none", max_retries=0,
            temperature=LLMSettings().temperature, max_tokens=LLMSettings().max_tokens,
            stream_usage=False,
        ),
    ):  # fmt: skip
        with ScriptedOpenAIServer([{"content": "Because."}], model="whyrec-test") as server:
            model = make(server).bind_tools([recommend])
            if stream:
                text = "".join(str(chunk.content) for chunk in model.stream(history))
            else:
                text = model.invoke(history).content
            bodies.append(server.requests[-1])
        assert text == "Because."
    ours, plain = bodies
    assert ours["messages"] == plain["messages"] and len(ours["messages"]) == 5
    assert ours["tools"] == plain["tools"]
    assert ours == plain


def test_streamed_tool_call_fragments_are_reassembled():
    script = [
        {
            "content": "Let me check.",
            "tool_calls": [
                {"name": "recommend", "arguments": {"k": 4, "query": "funny space adventure"}}
            ],
        }
    ]
    with ScriptedOpenAIServer(script, chunk_size=3) as server:
        chunks = list(_model(server).bind_tools([recommend]).stream("hi"))
    assert len(chunks) > 5  # really fragmented
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert merged.content == "Let me check."
    assert merged.tool_calls == [
        {
            "name": "recommend",
            "args": {"k": 4, "query": "funny space adventure"},
            "id": merged.tool_calls[0]["id"],
            "type": "tool_call",
        }
    ]


def test_malformed_tool_call_is_invalid_not_an_exception():
    script = [{"tool_calls": [{"name": "recommend", "arguments": '{"k": 3, "query": '}]}]
    with ScriptedOpenAIServer(script) as server:
        reply = _model(server).bind_tools([recommend]).invoke("x")
    assert not reply.tool_calls
    assert reply.invalid_tool_calls[0]["name"] == "recommend"


def test_retries_after_a_server_error():
    with ScriptedOpenAIServer([{"status": 503}, {"content": "recovered"}]) as server:
        reply = _model(server, retries=2).invoke("x")
        assert reply.content == "recovered"
        assert len(server.requests) == 2


def test_timeout_raises_quickly():
    import time

    with ScriptedOpenAIServer([{"delay": 3.0, "content": "late"}]) as server:
        model = _model(server, timeout_s=0.5)
        start = time.perf_counter()
        with pytest.raises(Exception, match=r"(?i)time"):
            model.invoke("x")
        assert time.perf_counter() - start < 2.5


def test_api_key_sent_but_not_shown(monkeypatch):
    monkeypatch.setenv("WHYREC_OPENAI_API_KEY", "sk-test-secret")
    with ScriptedOpenAIServer() as server:
        model = _model(server)
        assert "sk-test-secret" not in repr(model)
        assert "sk-test-secret" not in parse_backend_spec(f"openai:{server.url}").display()
