"""The REST API under /api: sessions and messages, recommendations, explanations, the causal
graph, effects and feedback. JSON in and out (the graph also as PNG or DOT, an effect also as a
PNG chart); errors in the same `{"error": {...}}` shape as the OpenAI endpoint.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ui.causal_view import CausalView
from ui.errors import ERROR_RESPONSES, ApiError, BadRequest, TooLarge, error_body
from ui.middleware import caller_id
from ui.payloads import item_payload, reply_payload, reply_text, to_jsonable
from ui.service import EPHEMERAL_TTL_S, AgentService
from ui.settings import ServerSettings

logger = logging.getLogger(__name__)
ID = Annotated[str, Field(min_length=1, max_length=200)]


class _Body(BaseModel):
    # strict: true is not 1, 0 is not false, "3" is not 3
    model_config = ConfigDict(extra="forbid", strict=True)


class NewSession(_Body):
    """Create a session, optionally for a user of the dataset (personalised ranking)."""

    user_id: ID | None = None


class SendMessage(_Body):
    """One user message; `stream` answers with server-sent events."""

    text: str = Field(min_length=1)
    stream: bool = False


class RecommendRequest(_Body):
    """Ranked items for a session (or a fresh one), optionally for a text query and filters."""

    session_id: ID | None = None
    user_id: ID | None = None
    k: int = Field(default=10, ge=1, le=100)
    query: str | None = Field(default=None, max_length=2000)
    filters: dict[str, Any] | None = None
    without: list[ID] | None = Field(default=None, max_length=200)


class FeedbackRequest(_Body):
    """A like, a dislike, "seen" or a 1-5 rating for an item, in a session."""

    session_id: ID
    item_id: ID
    value: Literal["like", "dislike", "seen"] | Annotated[float, Field(ge=1, le=5)]


class EffectRequest(_Body):
    """An average causal effect of `treatment` on `outcome` (optionally within a subgroup)."""

    treatment: str = Field(min_length=1, max_length=200)
    outcome: str = Field(min_length=1, max_length=200)
    treatment_value: float | str | None = None
    control_value: float | str | None = None
    given: dict[str, str | float] | None = None


class SessionCreated(BaseModel):
    """A new session's id and the backend that answers in it."""

    session_id: str
    backend: str


def make_router(service: AgentService, causal: CausalView, settings: ServerSettings) -> APIRouter:
    """The /api routes bound to one agent service and one workspace's causal model."""
    router = APIRouter(prefix="/api", tags=["REST"], responses=ERROR_RESPONSES)

    def check_text(text: str) -> str:
        text = text.strip()
        if not is_unicode(text):
            raise BadRequest(
                "the text is not valid Unicode (it contains a lone surrogate)",
                param="text",
                code="invalid_unicode",
            )
        if len(text) > settings.max_message_chars:
            raise TooLarge(
                f"the message has {len(text)} characters; the limit is "
                f"{settings.max_message_chars} (WHYREC_MAX_MESSAGE_CHARS)",
                param="text",
                code="message_too_long",
            )
        return text

    @router.post("/sessions", summary="Create a session", status_code=201)
    async def create_session(request: Request, body: NewSession | None = None) -> SessionCreated:
        owner = caller_id(request.scope)
        session_id = await service.new_session(body.user_id if body else None, owner)
        return SessionCreated(session_id=session_id, backend=service.backend_name)

    @router.get("/sessions/{session_id}", summary="A session's state")
    async def get_session(session_id: str, request: Request) -> dict[str, Any]:
        await service.require_session(session_id, caller_id(request.scope))
        state = await service.call(service.agent.session_state, session_id)
        return {"session_id": session_id, **_as_dict(to_jsonable(state))}

    @router.delete("/sessions/{session_id}", summary="Forget a session's conversation")
    async def reset_session(session_id: str, request: Request) -> dict[str, Any]:
        await service.require_session(session_id, caller_id(request.scope))
        async with service.session_lock(session_id):
            await service.call(service.agent.reset, session_id)
        return {"session_id": session_id, "reset": True}

    @router.get("/sessions/{session_id}/messages", summary="The conversation so far")
    async def list_messages(session_id: str, request: Request) -> dict[str, Any]:
        await service.require_session(session_id, caller_id(request.scope))
        state = _as_dict(to_jsonable(await service.call(service.agent.session_state, session_id)))
        messages = state.get("messages") or state.get("history") or []
        return {"session_id": session_id, "messages": messages}

    @router.post(
        "/sessions/{session_id}/messages",
        summary="Send a message; the agent's reply (or an event stream)",
        response_model=None,
    )
    async def send_message(
        session_id: str, body: SendMessage, request: Request
    ) -> JSONResponse | StreamingResponse:
        text = check_text(body.text)
        await service.require_session(session_id, caller_id(request.scope))
        if body.stream:
            return StreamingResponse(
                _event_stream(service, session_id, text),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        reply = await service.chat(session_id, text)
        return JSONResponse(_reply_json(reply, session_id))

    @router.post("/recommend", summary="Ranked items with explanations")
    async def recommend(body: RecommendRequest, request: Request) -> dict[str, Any]:
        session_id = body.session_id
        owner = caller_id(request.scope)
        if session_id is None:
            session_id = await service.new_session(body.user_id, owner, ttl_s=EPHEMERAL_TTL_S)
        else:
            await service.require_session(session_id, owner)
        items = await service.call(
            service.agent.recommend,
            session_id,
            k=body.k,
            query=check_text(body.query) if body.query else None,
            filters=body.filters,
            without=body.without,
        )
        return {"session_id": session_id, "items": [item_payload(i) for i in items]}

    @router.get("/explain/{item_id}", summary="Why an item is (or is not) recommended")
    async def explain(
        item_id: str,
        request: Request,
        session_id: Annotated[str | None, Query(max_length=200)] = None,
    ) -> dict[str, Any]:
        owner = caller_id(request.scope)
        if session_id is None:
            session_id = await service.new_session(None, owner, ttl_s=EPHEMERAL_TTL_S)
        else:
            await service.require_session(session_id, owner)
        explanation = await service.call(service.agent.explain, session_id, item_id)
        return {"session_id": session_id, **_as_dict(to_jsonable(explanation))}

    @router.get(
        "/graph",
        summary="The causal graph as JSON, PNG or DOT (a path may be highlighted)",
        response_model=None,
        responses={200: {"content": {"image/png": {}, "text/vnd.graphviz": {}}}},
    )
    async def graph(
        format: Literal["json", "png", "dot"] = "json",
        highlight: Annotated[
            str | None, Query(description="Comma-separated path of variables to highlight")
        ] = None,
    ) -> Response:
        path = [p.strip() for p in highlight.split(",") if p.strip()] if highlight else None
        if format == "json":
            return JSONResponse(await service.call(causal.graph_json))
        if format == "dot":
            dot = await service.call(causal.graph_dot, path)
            return PlainTextResponse(dot, media_type="text/vnd.graphviz")
        png = await service.call(causal.graph_png, path)
        return Response(png, media_type="image/png")

    @router.post(
        "/effect",
        summary="Estimate a causal effect with its confidence interval",
        response_model=None,
        responses={200: {"content": {"image/png": {}}}},
    )
    async def effect(body: EffectRequest, format: Literal["json", "png"] = "json") -> Response:
        result = await service.call(
            causal.effect,
            body.treatment,
            body.outcome,
            body.treatment_value,
            body.control_value,
            body.given,
        )
        if format == "png":
            return Response(await service.call(causal.effect_png, result), media_type="image/png")
        return JSONResponse(_as_dict(to_jsonable(result)))

    @router.post("/feedback", summary="Record a like, dislike or rating")
    async def feedback(body: FeedbackRequest, request: Request) -> dict[str, Any]:
        await service.require_session(body.session_id, caller_id(request.scope))
        result = await service.call(
            service.agent.feedback, body.session_id, body.item_id, body.value
        )
        return {"session_id": body.session_id, **_as_dict(to_jsonable(result))}

    return router


def is_unicode(text: str) -> bool:
    """False for text with a lone surrogate (it cannot be stored or sent as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"result": value}


def _reply_json(reply: Any, session_id: str) -> dict[str, Any]:
    payload = reply_payload(reply, session_id)
    trace = getattr(reply, "trace", None) if not isinstance(reply, dict) else reply.get("trace")
    return {"text": reply_text(reply), **payload, "trace": to_jsonable(trace)}


async def _event_stream(service: AgentService, session_id: str, text: str) -> AsyncIterator[str]:
    """Server-sent events `token`, `tool_start`, `tool_end`, `items`, `done` (the full reply)."""
    try:
        async for event in service.stream(session_id, text):
            if event.kind == "done":
                data: Any = _reply_json(event.data, session_id)
            elif event.kind == "token":
                data = {"text": event.text}
            else:
                data = to_jsonable(event.data)
            yield f"event: {event.kind}\ndata: {json.dumps(data)}\n\n"
    except ApiError as exc:
        yield f"event: error\ndata: {json.dumps(exc.body())}\n\n"
    except Exception as exc:  # the agent failed mid-stream: the status line has gone already
        logger.error("streamed turn failed: %s", type(exc).__name__, exc_info=exc)
        body = error_body(f"the agent failed: {type(exc).__name__}", "server_error")
        yield f"event: error\ndata: {json.dumps(body)}\n\n"
