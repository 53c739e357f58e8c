"""A scripted fake chat model: replies (or raises) from a list, optionally computed from the prompt."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr

Step = AIMessage | BaseException | Callable[[list[BaseMessage]], AIMessage]


def call(name: str, args: dict[str, Any] | None = None, id: str | None = None) -> dict[str, Any]:
    """A tool call dict for AIMessage(tool_calls=[...])."""
    return {"name": name, "args": args or {}, "id": id or f"call_{name}", "type": "tool_call"}


class ScriptedChatModel(BaseChatModel):
    """Returns the scripted steps in order (the last repeats); records every prompt it got."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    steps: list[Any]
    _cursor: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[Any] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        self.bound_tools = list(tools)
        return self

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        with self._lock:
            self.prompts.append(list(messages))
            step = self.steps[min(self._cursor, len(self.steps) - 1)]
            self._cursor += 1
        if isinstance(step, BaseException):
            raise step
        if callable(step) and not isinstance(step, AIMessage):
            step = step(messages)
        return step.model_copy(deep=True)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(
        self, messages, stop=None, run_manager=None, **kwargs
    ) -> Iterator[ChatGenerationChunk]:
        message = self._next(messages)
        text = message.text
        for start in range(0, len(text), 5):
            piece = ChatGenerationChunk(message=AIMessageChunk(content=text[start : start + 5]))
            if run_manager:
                run_manager.on_llm_new_token(piece.text, chunk=piece)
            yield piece
        if message.tool_calls or message.invalid_tool_calls:
            import json

            chunks = [
                tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
                for i, c in enumerate(message.tool_calls)
            ]
            yield ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    tool_call_chunks=chunks,
                    invalid_tool_calls=message.invalid_tool_calls,
                )
            )
