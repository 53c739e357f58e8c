"""MCP (streamable HTTP at /mcp): the agent's tools for any MCP client.

Two groups of tools:

- the agent's own tools from `tools.registry` (search_items, recommend, explain,
  causal_graph_query, estimate_effect, get_profile, ...), with the same names, descriptions and
  argument schemas the LLM sees, plus an optional `session_id`: with one, the tool sees that
  conversation's user (likes, dislikes, wishes) exactly as it does inside the agent;
- conversation tools over the agent's Python API: `new_session`, `chat` (one full agent turn),
  `feedback` (updates the session's memory and the workspace's feedback log) and
  `causal_graph` (the whole graph).

Everything runs through the same AgentService as the HTTP API, so sessions are shared across
surfaces, and so is ownership: with API keys on, a session belongs to the key that created it,
and a tool given another key's session id answers as for an unknown session. A caller's mistake (unknown session, item or variable, bad arguments) comes back as a
tool error with the message, not a crash.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable
from typing import Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import Context
from pydantic import Field, ValidationError
from starlette.routing import BaseRoute

from ui.causal_view import CausalView
from ui.errors import ApiError
from ui.middleware import caller_id
from ui.payloads import reply_payload, reply_text, to_jsonable
from ui.service import AgentService
from ui.settings import ServerSettings

T = TypeVar("T")
MCP_PATH = "/mcp"
# Registry tools left out: feedback goes through the agent (it also updates session memory).
SKIPPED_REGISTRY_TOOLS = frozenset({"record_feedback"})


def build_mcp(service: AgentService, causal: CausalView, settings: ServerSettings) -> Any:
    """An MCPServer whose tools call the agent service and the agent's tool registry."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    # MCPServer calls logging.basicConfig; logging is configured by entry points only, so a
    # placeholder handler on the root logger turns that call into a no-op.
    root = logging.getLogger()
    placeholder = logging.NullHandler()
    root.addHandler(placeholder)
    try:
        server = _new_server(MCPServer)
    finally:
        root.removeHandler(placeholder)

    async def guarded(call: Awaitable[T]) -> T:
        try:
            return await call
        except ApiError as exc:
            raise ToolError(exc.message) from None

    async def session_or_new(session_id: str | None, owner: str | None) -> str:
        if session_id:
            return await service.require_session(session_id, owner)
        return await service.new_session(None, owner)

    @server.tool()
    async def new_session(
        user_id: Annotated[
            str | None, Field(description="A user id of the dataset, for personalised ranking")
        ] = None,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Start a conversation; returns its session_id for the other tools."""
        session_id = await guarded(service.new_session(user_id, mcp_owner(ctx)))
        return {"session_id": session_id, "backend": service.backend_name}

    @server.tool()
    async def chat(
        message: Annotated[str, Field(min_length=1, description="What the user says")],
        session_id: Annotated[
            str | None, Field(description="Session to continue; omitted starts a new one")
        ] = None,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """One conversational turn with the agent: its answer and the items it recommends, each with an explanation."""
        if len(message) > settings.max_message_chars:
            raise ToolError(
                f"the message has {len(message)} characters; the limit is {settings.max_message_chars}"
            )
        sid = await guarded(session_or_new(session_id, mcp_owner(ctx)))
        reply = await guarded(service.chat(sid, message.strip()))
        return {"text": reply_text(reply), **reply_payload(reply, sid)}

    @server.tool()
    async def feedback(
        session_id: Annotated[str, Field(min_length=1)],
        item_id: Annotated[str, Field(min_length=1)],
        value: Annotated[
            Literal["like", "dislike", "seen"] | float,
            Field(description="like, dislike, seen or a 1-5 rating"),
        ],
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Record that the user liked, disliked or rated an item (it shapes their next recommendations)."""
        if isinstance(value, bool) or (not isinstance(value, str) and not 1 <= value <= 5):
            raise ToolError("value must be like, dislike, seen or a rating from 1 to 5")
        sid = await guarded(service.require_session(session_id, mcp_owner(ctx)))
        result = await guarded(service.call(service.agent.feedback, sid, item_id, value))
        data = to_jsonable(result)
        return {"session_id": sid, **(data if isinstance(data, dict) else {"result": data})}

    @server.tool()
    async def causal_graph() -> dict[str, Any]:
        """The whole causal graph learned from the interaction logs: nodes, edges, edge stability."""
        return await guarded(service.call(causal.graph_json))

    taken = {"new_session", "chat", "feedback", "causal_graph"}
    for spec in _registry_specs():
        if spec.name in SKIPPED_REGISTRY_TOOLS or spec.name in taken:
            continue
        server.add_tool(
            _registry_tool(service, spec, ToolError),
            name=spec.name,
            description=spec.description,
        )
    return server


def mcp_owner(ctx: Any) -> str | None:
    """The caller's key id for an MCP tool call (from the HTTP request behind it)."""
    try:
        request = ctx.request_context.request if ctx is not None else None
    except (AttributeError, ValueError):  # no request (a direct call in tests)
        return None
    scope = getattr(request, "scope", None)
    return caller_id(scope) if isinstance(scope, dict) else None


def _new_server(server_class: Any) -> Any:
    return server_class(
        name="whyrec",
        title="WhyRec",
        instructions=(
            "A recommender that explains why. `chat` runs a full agent turn (start with "
            "`new_session`, or let `chat` start one). The other tools are the agent's own: "
            "search and rank items, explain them, query the causal graph and estimate effects; "
            "pass a session_id to act for that conversation's user."
        ),
        log_level="WARNING",
    )


def _registry_specs() -> tuple[Any, ...]:
    from tools.registry import tool_specs

    return tool_specs()


def _registry_tool(service: AgentService, spec: Any, tool_error: type[Exception]) -> Any:
    """An async function with the spec's arguments (+ session_id) that runs the tool."""
    parameters = []
    for name, info in spec.args_model.model_fields.items():
        annotation = Annotated[
            (info.annotation, *info.metadata, Field(description=info.description))
        ]
        default = inspect.Parameter.empty if info.is_required() else info.get_default()
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
            )
        )
    parameters.append(
        inspect.Parameter(
            "session_id",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                str | None,
                Field(description="Act for this conversation's user (its likes, dislikes, wishes)"),
            ],
            default=None,
        )
    )

    async def run(**kwargs: Any) -> dict[str, Any]:
        session_id = kwargs.pop("session_id", None)
        ctx = kwargs.pop("ctx", None)
        try:
            if session_id:
                await service.require_session(session_id, mcp_owner(ctx))
            result = await service.call(_call_tool, service, spec, session_id, kwargs)
        except ApiError as exc:
            raise tool_error(exc.message) from None
        except ValidationError as exc:
            raise tool_error(f"invalid arguments for {spec.name}: {exc}") from None
        data = to_jsonable(result)
        return data if isinstance(data, dict) else {"result": data}

    parameters.append(
        inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context, default=None)
    )
    run.__name__ = spec.name
    run.__doc__ = spec.description
    run.__annotations__ = {"ctx": Context, "return": dict[str, Any]}
    run.__signature__ = inspect.Signature(parameters, return_annotation=dict[str, Any])  # type: ignore[attr-defined]
    return run


def _call_tool(
    service: AgentService, spec: Any, session_id: str | None, args: dict[str, Any]
) -> Any:
    """Run one registry tool in a worker thread, in a session's user context when given one."""
    from agent.toolkit import tool_context
    from tools.schemas import ToolContext, ToolError

    workspace = service.tool_workspace()
    if session_id:
        ctx = tool_context(workspace, service.agent.session_state(session_id))
    else:
        ctx = ToolContext(workspace=workspace)
    try:
        return spec.call(ctx, args)
    except ToolError as exc:  # the caller's mistake, with a hint
        raise ValueError(str(exc)) from None


def mcp_routes(server: Any, settings: ServerSettings) -> list[BaseRoute]:
    """The streamable-HTTP route(s) at /mcp, to add to the main app (its lifespan runs the
    session manager)."""
    from mcp.server.transport_security import TransportSecuritySettings

    security = None
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        # Served beyond loopback: the host header varies, and /mcp sits behind the API keys.
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=security,
        host=settings.host,
        max_request_body_size=settings.max_body_bytes,
    )
    return list(app.routes)
