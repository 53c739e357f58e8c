"""An in-process transformers chat model with tool calling through the model's chat template.

`TransformersChatModel` is a langchain `BaseChatModel`, so the agent loop treats it like any
other backend. Tools are rendered by the tokenizer's own chat template (Qwen's hermes
`<tool_call>` blocks, Llama 3.1's JSON calls...), and the generated text is parsed back into
tool calls by `parse_tool_calls`. Text that tries to be a tool call but is not valid JSON
becomes an `invalid_tool_call` (so the agent can re-ask), never an exception.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, PrivateAttr

_HERMES = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_MISTRAL = re.compile(r"\[TOOL_CALLS\]\s*(.*)$", re.DOTALL)
_PYTHON_TAG = "<|python_tag|>"
# Prefixes after which streamed text may turn out to be a tool call, so it is held back.
_CALL_PREFIXES = ("<tool_call>", "[TOOL_CALLS]", _PYTHON_TAG, "{", "[")


@dataclass(frozen=True)
class ParsedOutput:
    """Generated text split into plain content, valid tool calls and broken ones."""

    content: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    invalid_tool_calls: list[dict[str, Any]] = field(default_factory=list)


def _new_id() -> str:
    return "call_" + uuid.uuid4().hex[:12]


def _showable_length(text: str) -> int:
    """How much of streamed text is surely plain content (not the start of a tool call)."""
    head = text.lstrip()
    if head and any(head.startswith(p) or p.startswith(head) for p in _CALL_PREFIXES):
        return 0
    best = len(text)
    for tag in ("<tool_call>", "[TOOL_CALLS]", _PYTHON_TAG):
        at = text.find(tag)
        if at >= 0:
            best = min(best, at)
            continue
        for k in range(len(tag) - 1, 0, -1):
            if text.endswith(tag[:k]):
                best = min(best, len(text) - k)
                break
    return best


def _one_call(obj: object, raw: str) -> tuple[dict | None, dict | None]:
    """A tool call from a decoded JSON object, or an invalid call saying what is wrong."""
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        return None, invalid_tool_call(
            name=None, args=raw, id=_new_id(), error="a tool call needs a string 'name'"
        )
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except json.JSONDecodeError as exc:
            return None, invalid_tool_call(
                name=obj["name"], args=args, id=_new_id(), error=f"arguments are not JSON: {exc}"
            )
    if not isinstance(args, dict):
        return None, invalid_tool_call(
            name=obj["name"], args=raw, id=_new_id(), error="arguments must be a JSON object"
        )
    return tool_call(name=obj["name"], args=args, id=_new_id()), None


def _calls_from_json(raw: str) -> tuple[list[dict], list[dict]]:
    calls: list[dict] = []
    bad: list[dict] = []
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        return [], [invalid_tool_call(name=None, args=raw, id=_new_id(), error=f"bad JSON: {exc}")]
    for one in obj if isinstance(obj, list) else [obj]:
        good, broken = _one_call(one, raw)
        if good:
            calls.append(good)
        if broken:
            bad.append(broken)
    return calls, bad


def parse_tool_calls(text: str) -> ParsedOutput:
    """Split a model's output into content and tool calls (hermes, Llama-3 JSON, Mistral)."""
    stripped = text.strip()
    blocks = _HERMES.findall(stripped)
    if "<tool_call>" in stripped:
        calls: list[dict] = []
        bad: list[dict] = []
        for block in blocks:
            good, broken = _calls_from_json(block)
            calls += good
            bad += broken
        content = stripped[: stripped.index("<tool_call>")].strip()
        return ParsedOutput(content, calls, bad)
    mistral = _MISTRAL.search(stripped)
    if mistral:
        calls, bad = _calls_from_json(mistral.group(1))
        return ParsedOutput(stripped[: mistral.start()].strip(), calls, bad)
    candidate = stripped.removeprefix(_PYTHON_TAG).strip()
    if candidate.startswith("{") and '"name"' in candidate:
        calls, bad = _calls_from_json(candidate)
        return ParsedOutput("", calls, bad)
    return ParsedOutput(stripped)


def _to_chat_dict(message: BaseMessage) -> dict[str, Any]:
    """A langchain message as the role/content dict chat templates expect."""
    if isinstance(message, SystemMessage):
        return {"role": "system", "content": message.text}
    if isinstance(message, HumanMessage):
        return {"role": "user", "content": message.text}
    if isinstance(message, ToolMessage):
        return {
            "role": "tool",
            "content": message.text,
            "tool_call_id": message.tool_call_id,
            "name": message.name or "",
        }
    if isinstance(message, AIMessage):
        out: dict[str, Any] = {"role": "assistant", "content": message.text}
        if message.tool_calls:
            out["tool_calls"] = [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": call["args"]},
                }
                for call in message.tool_calls
            ]
        return out
    return {"role": "user", "content": message.text}


class TransformersChatModel(BaseChatModel):
    """A transformers causal LM behind langchain's chat interface (tool calls via its template)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    max_new_tokens: int = 512
    temperature: float = 0.0
    _model: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def load(cls, model_path: str, **kwargs: Any) -> TransformersChatModel:
        """Load tokenizer and weights from a local folder (or the HF cache)."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(model_path)
        if not getattr(tokenizer, "chat_template", None):
            raise ValueError(f"{model_path} has no chat template; the hf backend needs one")
        model = AutoModelForCausalLM.from_pretrained(model_path, dtype="auto")
        if torch.cuda.is_available():  # one GPU when there is one, else the CPU
            model = model.to("cuda")
        return cls.from_parts(model, tokenizer, model_path=model_path, **kwargs)

    @classmethod
    def from_parts(
        cls, model: Any, tokenizer: Any, *, model_path: str = "in-memory", **kwargs: Any
    ) -> TransformersChatModel:
        """Wrap an already-loaded model and tokenizer."""
        out = cls(model_path=model_path, **kwargs)
        model.eval()
        out._model = model
        out._tokenizer = tokenizer
        return out

    @property
    def _llm_type(self) -> str:
        return "whyrec-transformers"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "max_new_tokens": self.max_new_tokens}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Any],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Bind tools; they reach the model through its chat template."""
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    # -- generation -------------------------------------------------------------------

    def _prompt_ids(self, messages: list[BaseMessage], tools: list[dict] | None) -> Any:
        chat = [_to_chat_dict(m) for m in messages]
        encoded = self._tokenizer.apply_chat_template(
            chat,
            tools=tools or None,
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
            return_tensors="pt",
            sanitize_control_tokens=True,
        )
        return encoded.to(self._model.device)

    def _generate_kwargs(self) -> dict[str, Any]:
        tok = self._tokenizer
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        kwargs: dict[str, Any] = {"max_new_tokens": self.max_new_tokens, "pad_token_id": pad}
        if self.temperature > 0:
            kwargs.update(do_sample=True, temperature=self.temperature)
        else:
            kwargs.update(do_sample=False)
        return kwargs

    def _decode(self, ids: Any) -> str:
        text = self._tokenizer.decode(ids, skip_special_tokens=False)
        for special in self._tokenizer.all_special_tokens:
            text = text.replace(special, "")
        return text

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        encoded = self._prompt_ids(messages, kwargs.get("tools"))
        with self._lock:
            import torch

            with torch.no_grad():
                output = self._model.generate(**encoded, **self._generate_kwargs())
        prompt_len = encoded["input_ids"].shape[-1]
        text = self._decode(output[0][prompt_len:])
        if stop:
            for s in stop:
                text = text.split(s)[0]
        parsed = parse_tool_calls(text)
        message = AIMessage(
            content=parsed.content,
            tool_calls=parsed.tool_calls,
            invalid_tool_calls=parsed.invalid_tool_calls,
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Stream plain text token by token; text that may be a tool call is held to the end."""
        from transformers import TextIteratorStreamer

        encoded = self._prompt_ids(messages, kwargs.get("tools"))
        streamer = TextIteratorStreamer(
            self._tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=600
        )
        errors: list[BaseException] = []

        def work() -> None:
            import torch

            try:
                with self._lock, torch.no_grad():
                    self._model.generate(**encoded, streamer=streamer, **self._generate_kwargs())
            except BaseException as exc:  # surfaced in the caller's thread below
                errors.append(exc)
                streamer.end()

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        text = ""
        emitted = 0
        for piece in streamer:
            text += piece
            safe = _showable_length(text)
            if safe > emitted:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text[emitted:safe]))
                emitted = safe
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk
        thread.join()
        if errors:
            raise errors[0]
        parsed = parse_tool_calls(text)
        if not parsed.tool_calls and not parsed.invalid_tool_calls:
            if len(text) > emitted:
                yield ChatGenerationChunk(message=AIMessageChunk(content=text[emitted:]))
            return
        content = "" if emitted else parsed.content
        if parsed.invalid_tool_calls and not parsed.tool_calls:
            # Keep the broken call visible to the agent, which re-asks the model once.
            final = AIMessageChunk(content=content, invalid_tool_calls=parsed.invalid_tool_calls)
        else:
            chunks = [
                tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
                for i, c in enumerate(parsed.tool_calls)
            ]
            final = AIMessageChunk(content=content, tool_call_chunks=chunks)
        yield ChatGenerationChunk(message=final)
