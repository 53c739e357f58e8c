"""The OpenAI-compatible endpoint, driven by the official openai client against the live server
(the real agent on a real workspace), streamed and not."""

from __future__ import annotations

import httpx
import openai
import pytest


@pytest.fixture(scope="module")
def client(live_server):
    with openai.OpenAI(base_url=live_server.url + "/v1", api_key="unused", max_retries=0) as c:
        yield c


def test_models_lists_whyrec(client):
    models = client.models.list()
    assert [m.id for m in models.data] == ["whyrec"]
    assert client.models.retrieve("whyrec").id == "whyrec"


def test_non_streamed_completion_carries_items_with_explanations(client, live_server):
    completion = client.chat.completions.create(
        model="whyrec",
        messages=[
            {"role": "system", "content": "ignored: the agent has its own instructions"},
            {"role": "user", "content": "Recommend me a comedy"},
        ],
        user="contract-nonstream",
    )
    assert completion.object == "chat.completion"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content and len(choice.message.content) > 10
    assert choice.message.tool_calls is None
    ext = completion.model_extra["whyrec"]
    assert ext["backend"] == "rule"
    assert ext["items"], "a recommendation request should recommend items"
    item_ids = set(live_server.workspace.dataset.items["item_id"].astype(str))
    for item in ext["items"]:
        assert item["item_id"] in item_ids
        assert item["title"] and item["explanation"]
    assert completion.usage.total_tokens > 0


def test_streamed_completion_matches_the_protocol(client):
    stream = client.chat.completions.create(
        model="whyrec",
        messages=[{"role": "user", "content": "Recommend me something with a high rating"}],
        user="contract-stream",
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    with_choices = [c for c in chunks if c.choices]
    assert len(with_choices) >= 3
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    text = "".join(c.choices[0].delta.content or "" for c in with_choices)
    assert len(text) > 10
    finals = [c for c in with_choices if c.choices[0].finish_reason == "stop"]
    assert len(finals) == 1 and finals[0] is with_choices[-1]
    ext = finals[0].model_extra["whyrec"]
    assert ext["items"] and all(i["explanation"] for i in ext["items"])
    assert chunks[-1].usage is not None and not chunks[-1].choices


def test_user_field_keeps_a_conversation_and_isolates_others(client):
    def ask(user: str, text: str):
        return client.chat.completions.create(
            model="whyrec", messages=[{"role": "user", "content": text}], user=user
        ).model_extra["whyrec"]

    first = ask("iso-ann", "Recommend me a drama")
    other = ask("iso-bob", "Recommend me a comedy")
    again = ask("iso-ann", "Show me more")
    assert first["session_id"] == again["session_id"] != other["session_id"]
    shown_before = {i["item_id"] for i in first["items"]}
    assert shown_before and not shown_before & {i["item_id"] for i in again["items"]}, (
        "'more' continues Ann's conversation: it must not repeat what she was shown"
    )


def test_x_session_id_header_names_the_session(client, live_server):
    session_id = httpx.post(live_server.url + "/api/sessions").json()["session_id"]
    completion = client.chat.completions.create(
        model="whyrec",
        messages=[{"role": "user", "content": "Recommend me a comedy"}],
        extra_headers={"X-Session-Id": session_id},
    )
    assert completion.model_extra["whyrec"]["session_id"] == session_id
    history = httpx.get(f"{live_server.url}/api/sessions/{session_id}/messages").json()
    assert any("comedy" in str(m).lower() for m in history["messages"])


def test_client_errors_are_4xx_with_a_message(client):
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.NotFoundError, match="unknown session"):
        client.chat.completions.create(
            model="whyrec",
            messages=[{"role": "user", "content": "hi"}],
            extra_headers={"X-Session-Id": "s-doesnotexist"},
        )
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(
            model="whyrec", messages=[{"role": "user", "content": "x" * 2001}]
        )
    assert info.value.status_code == 413 and "limit is 2000" in info.value.message
    with pytest.raises(openai.BadRequestError, match="user message"):
        client.chat.completions.create(
            model="whyrec", messages=[{"role": "assistant", "content": "hello"}]
        )
