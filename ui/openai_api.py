"""The OpenAI-compatible endpoint: POST /v1/chat/completions (streamed or not) and GET /v1/models.

Chatbot platforms send the whole conversation each time; the agent keeps its own memory, so
only the last user message is a new turn. The conversation is the session named by the
`X-Session-Id` header, else the one the `user` field names (created on first sight), else a
fresh one. The agent calls its tools server-side: requests carry no tools and answers carry
no tool calls. Recommended items with their explanations travel in the `whyrec` extension field
of the completion (and of the last chunk when streaming); the session id also comes back in the
`X-Session-Id` response header.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ui.errors import ERROR_RESPONSES, ApiError, BadRequest, NotFound, TooLarge, error_body
from ui.middleware import caller_id
from ui.payloads import reply_payload, reply_text
from ui.service import AgentService
from ui.settings import MODEL_NAME, ServerSettings

logger = logging.getLogger(__name__)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class ContentPart(BaseModel):
    """A part of a multi-part message; only text parts are read."""

    model_config = ConfigDict(extra="allow", strict=True)
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """One message of the conversation the client sends."""

    model_config = ConfigDict(extra="allow", strict=True)
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None
    name: str | None = None

    def text(self) -> str:
        """The message's text (text parts joined)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text or "" for p in self.content if p.type in ("text", "input_text"))


class StreamOptions(BaseModel):
    """OpenAI stream options: a final usage chunk on request."""

    model_config = ConfigDict(extra="allow", strict=True)
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The subset of the OpenAI request WhyRec reads; sampling knobs are accepted and ignored."""

    # strict: {"stream": 0} or {"n": true} is an error, not a guess
    model_config = ConfigDict(extra="allow", strict=True)
    model: str = MODEL_NAME
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: str | None = Field(default=None, max_length=256)
    n: int = Field(default=1, ge=1, le=1)


def make_router(service: AgentService, settings: ServerSettings) -> APIRouter:
    """The /v1 routes bound to one agent service."""
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], responses=ERROR_RESPONSES)

    @router.get("/models", summary="List models (one: whyrec)")
    async def list_models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [
                {
                    "id": MODEL_NAME,
                    "object": "model",
                    "created": 0,
                    "owned_by": "whyrec",
                    "backend": service.backend_name,
                }
            ],
        }

    @router.get("/models/{model_id}", summary="Describe a model")
    async def get_model(model_id: str) -> dict[str, Any]:
        _check_model(model_id)
        return {"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "whyrec"}

    @router.post(
        "/chat/completions",
        summary="Chat with the agent (OpenAI protocol, streamed or not)",
        response_model=None,
    )
    async def chat_completions(
        body: ChatCompletionRequest,
        request: Request,
        x_session_id: Annotated[str | None, Header()] = None,
    ) -> JSONResponse | StreamingResponse:
        _check_model(body.model)
        text = _last_user_text(body.messages, settings.max_message_chars)
        namespace = caller_id(request.scope)
        session_id, _ = await service.session_for(namespace, x_session_id, body.user)
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        headers = {"X-Session-Id": session_id}
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            chunks = _stream_chunks(
                service, session_id, text, completion_id, created, include_usage
            )
            return StreamingResponse(
                chunks, media_type="text/event-stream", headers={**SSE_HEADERS, **headers}
            )
        reply = await service.chat(session_id, text)
        answer = reply_text(reply)
        return JSONResponse(
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": MODEL_NAME,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": _usage(text, answer),
                "whyrec": reply_payload(reply, session_id),
            },
            headers=headers,
        )

    return router


def _check_model(model: str) -> None:
    if model != MODEL_NAME:
        raise NotFound(
            f"the model '{model[:80]}' does not exist; this server serves '{MODEL_NAME}'",
            param="model",
            code="model_not_found",
        )


def _last_user_text(messages: list[ChatMessage], limit: int) -> str:
    for message in reversed(messages):
        if message.role == "user":
            text = message.text().strip()
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise BadRequest(
                    "the last user message is not valid Unicode (it contains a lone surrogate)",
                    param="messages",
                    code="invalid_unicode",
                ) from None
            if not text:
                raise BadRequest(
                    "the last user message is empty", param="messages", code="empty_message"
                )
            if len(text) > limit:
                raise TooLarge(
                    f"the message has {len(text)} characters; the limit is {limit} "
                    "(WHYREC_MAX_MESSAGE_CHARS)",
                    param="messages",
                    code="message_too_long",
                )
            return text
    raise BadRequest("messages must contain a user message", param="messages", code="no_user")


def _usage(prompt: str, answer: str) -> dict[str, int]:
    """Approximate token counts (words): the agent's own LLM usage is not exposed here."""
    p, c = len(prompt.split()), len(answer.split())
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, separators=(',', ':'))}\n\n"


async def _stream_chunks(
    service: AgentService,
    session_id: str,
    text: str,
    completion_id: str,
    created: int,
    include_usage: bool,
) -> AsyncIterator[str]:
    """SSE chunks in the OpenAI format, then `data: [DONE]`; an error becomes an error event."""

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_NAME,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        payload.update(extra)
        return payload

    yield _sse(chunk({"role": "assistant", "content": ""}))
    streamed: list[str] = []
    try:
        async for event in service.stream(session_id, text):
            if event.kind == "token" and event.text:
                streamed.append(event.text)
                yield _sse(chunk({"content": event.text}))
            elif event.kind == "done":
                reply = event.data
                answer = reply_text(reply)
                if not streamed and answer:
                    streamed.append(answer)
                    yield _sse(chunk({"content": answer}))
                yield _sse(chunk({}, "stop", whyrec=reply_payload(reply, session_id)))
        if include_usage:
            usage_chunk = chunk({}, None, usage=_usage(text, "".join(streamed)))
            usage_chunk["choices"] = []
            yield _sse(usage_chunk)
    except ApiError as exc:
        yield _sse(exc.body())
    except Exception as exc:  # the agent failed mid-stream: the status line has gone already
        logger.error("streamed turn failed: %s", type(exc).__name__, exc_info=exc)
        yield _sse(error_body(f"the agent failed: {type(exc).__name__}", "server_error"))
    yield "data: [DONE]\n\n"
