"""The in-process transformers backend: tool-call parsing and the plumbing on a tiny random Llama."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from tiny_llama import build_tiny_llama

from agent.backends import BackendKind, make_chat_model, parse_backend_spec
from agent.hf_chat import TransformersChatModel, parse_tool_calls


@tool
def search_items(query: str, k: int = 5) -> str:
    """Search the catalog for items matching a text query."""
    return query


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> TransformersChatModel:
    folder = build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))
    model = make_chat_model(f"hf:{folder}")
    assert isinstance(model, TransformersChatModel)
    model.max_new_tokens = 12
    return model


def _script_generation(model: TransformersChatModel, text: str, monkeypatch) -> dict:
    """Make generate() emit `text` after the prompt (and feed a streamer if given one)."""
    import torch

    seen: dict = {}
    ids = model._tokenizer(text, add_special_tokens=False)["input_ids"]

    def fake_generate(input_ids, attention_mask=None, streamer=None, **kwargs):
        seen["prompt"] = model._tokenizer.decode(input_ids[0])
        out = torch.cat([input_ids, torch.tensor([ids])], dim=1)
        if streamer is not None:
            streamer.put(input_ids)
            for token in ids:
                streamer.put(torch.tensor([token]))
            streamer.end()
        return out

    monkeypatch.setattr(model._model, "generate", fake_generate)
    return seen


def test_parse_hermes_calls():
    text = (
        'Let me look.\n<tool_call>\n{"name": "search_items", "arguments": {"query": "space"}}\n'
        '</tool_call><tool_call>{"name": "explain", "arguments": "{\\"item_id\\": \\"7\\"}"}'
        "</tool_call>"
    )
    out = parse_tool_calls(text)
    assert out.content == "Let me look."
    assert [c["name"] for c in out.tool_calls] == ["search_items", "explain"]
    assert out.tool_calls[0]["args"] == {"query": "space"}
    assert out.tool_calls[1]["args"] == {"item_id": "7"}
    assert not out.invalid_tool_calls


def test_parse_llama3_json_and_python_tag():
    out = parse_tool_calls('<|python_tag|>{"name": "recommend", "parameters": {"k": 3}}')
    assert out.tool_calls[0]["name"] == "recommend"
    assert out.tool_calls[0]["args"] == {"k": 3}
    assert out.content == ""


def test_parse_mistral_list():
    out = parse_tool_calls('[TOOL_CALLS] [{"name": "get_profile", "arguments": {}}]')
    assert [c["name"] for c in out.tool_calls] == ["get_profile"]


@pytest.mark.parametrize(
    "text",
    [
        '<tool_call>{"name": "search_items", "arguments": {"query": </tool_call>',
        '<tool_call>{"arguments": {"query": "x"}}</tool_call>',
        '{"name": "search_items", "arguments": [1, 2]}',
        '{"name": "search_items", "arguments": "{not json"}',
    ],
)
def test_parse_malformed_calls_become_invalid(text):
    out = parse_tool_calls(text)
    assert not out.tool_calls
    assert len(out.invalid_tool_calls) == 1
    assert out.invalid_tool_calls[0]["error"]


def test_plain_text_with_braces_is_content():
    out = parse_tool_calls("Ratings go {up} when quality rises.")
    assert out.content == "Ratings go {up} when quality rises."
    assert not out.tool_calls and not out.invalid_tool_calls


def test_spec_parsing():
    spec = parse_backend_spec("hf:/models/qwen")
    assert spec.kind is BackendKind.HF and spec.target == "/models/qwen"
    assert parse_backend_spec(None).kind in tuple(BackendKind)


def test_random_model_generates_without_error(tiny_model):
    reply = tiny_model.bind_tools([search_items]).invoke([HumanMessage("recommend a movie")])
    assert isinstance(reply, AIMessage)
    assert isinstance(reply.content, str)
    chunks = list(tiny_model.stream([HumanMessage("hi")]))
    assert chunks, "streaming yields at least one chunk"


def test_tools_reach_the_chat_template_and_calls_parse(tiny_model, monkeypatch):
    seen = _script_generation(
        tiny_model,
        '<tool_call>{"name": "search_items", "arguments": {"query": "space", "k": 3}}</tool_call>',
        monkeypatch,
    )
    history = [
        HumanMessage("find space movies"),
        AIMessage("", tool_calls=[{"name": "search_items", "args": {"query": "a"}, "id": "c1"}]),
        ToolMessage('{"items": []}', tool_call_id="c1", name="search_items"),
    ]
    reply = tiny_model.bind_tools([search_items]).invoke(history)
    assert '"name": "search_items"' in seen["prompt"]  # the tool schema was rendered
    assert "<tool_call>" in seen["prompt"]  # the earlier call was rendered back
    assert reply.tool_calls[0]["name"] == "search_items"
    assert reply.tool_calls[0]["args"] == {"query": "space", "k": 3}


def test_unparseable_call_is_reported_not_raised(tiny_model, monkeypatch):
    _script_generation(tiny_model, '<tool_call>{"name": "search_items", "argu', monkeypatch)
    reply = tiny_model.bind_tools([search_items]).invoke("find space movies")
    assert not reply.tool_calls
    assert reply.invalid_tool_calls and reply.invalid_tool_calls[0]["error"]


def test_stream_reassembles_tool_call(tiny_model, monkeypatch):
    _script_generation(
        tiny_model,
        '<tool_call>{"name": "search_items", "arguments": {"query": "alien"}}</tool_call>',
        monkeypatch,
    )
    merged = None
    for chunk in tiny_model.bind_tools([search_items]).stream("find alien"):
        merged = chunk if merged is None else merged + chunk
        assert "<tool_call" not in chunk.content  # no raw call text leaks as content
    assert merged.tool_calls[0]["name"] == "search_items"
    assert merged.tool_calls[0]["args"] == {"query": "alien"}


def test_stream_plain_text_token_by_token(tiny_model, monkeypatch):
    _script_generation(tiny_model, "Here are three movies: Alien, Heat and Fargo.", monkeypatch)
    pieces = [c.content for c in tiny_model.stream("hi")]
    assert len([p for p in pieces if p]) > 1
    assert "".join(pieces) == "Here are three movies: Alien, Heat and Fargo."


def test_model_folder_without_chat_template_is_refused(tmp_path):
    folder = build_tiny_llama(tmp_path / "m")
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    for extra in folder.glob("chat_template.*"):
        extra.unlink()
    with pytest.raises(ValueError, match="chat template"):
        TransformersChatModel.load(str(folder))


def test_spec_path_is_kept(tmp_path: Path):
    assert parse_backend_spec(f"hf:{tmp_path}").display() == f"hf:{tmp_path}"
