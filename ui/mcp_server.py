"""MCP (streamable HTTP at /mcp): the agent's capabilities as tools for any MCP client.

Tools: `new_session`, `chat` (a full agent turn), `recommend`, `explain`, `feedback`,
`causal_graph` and `estimate_effect`. They run through the same AgentService as the HTTP API,
so sessions are shared across surfaces. A caller's mistake (unknown session, item or variable)
comes back as a tool error with the message, not a crash.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field
from starlette.routing import BaseRoute

from ui.causal_view import CausalView
from ui.errors import ApiError
from ui.payloads import item_payload, reply_payload, reply_text, to_jsonable
from ui.service import AgentService
from ui.settings import ServerSettings

T = TypeVar("T")
MCP_PATH = "/mcp"


def build_mcp(service: AgentService, causal: CausalView, settings: ServerSettings) -> Any:
    """An MCPServer whose tools call the agent service."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    server = MCPServer(
        name="whyrec",
        title="WhyRec",
        instructions=(
            "A recommender that explains why. Start with new_session, then chat (a full agent "
            "turn) or call recommend / explain / feedback directly; causal_graph and "
            "estimate_effect show the causal model behind the explanations."
        ),
        log_level="WARNING",
    )

    async def guarded(call: Awaitable[T]) -> T:
        try:
            return await call
        except ApiError as exc:
            raise ToolError(exc.message) from None

    async def session_or_new(session_id: str | None) -> str:
        if session_id:
            return await service.require_session(session_id)
        return await service.new_session(None)

    @server.tool()
    async def new_session(
        user_id: Annotated[
            str | None, Field(description="A user id of the dataset, for personalised ranking")
        ] = None,
    ) -> dict[str, Any]:
        """Start a conversation; returns its session_id for the other tools."""
        session_id = await guarded(service.new_session(user_id))
        return {"session_id": session_id, "backend": service.backend_name}

    @server.tool()
    async def chat(
        message: Annotated[str, Field(min_length=1, description="What the user says")],
        session_id: Annotated[
            str | None, Field(description="Session to continue; omitted starts a new one")
        ] = None,
    ) -> dict[str, Any]:
        """One conversational turn with the agent: its answer and the items it recommends, each with an explanation."""
        if len(message) > settings.max_message_chars:
            raise ToolError(
                f"the message has {len(message)} characters; the limit is {settings.max_message_chars}"
            )
        sid = await guarded(session_or_new(session_id))
        reply = await guarded(service.chat(sid, message.strip()))
        return {"text": reply_text(reply), **reply_payload(reply, sid)}

    @server.tool()
    async def recommend(
        session_id: Annotated[str | None, Field(description="Session (its preferences)")] = None,
        query: Annotated[
            str | None, Field(description="Free-text wish, e.g. 'dark sci-fi'")
        ] = None,
        k: Annotated[int, Field(ge=1, le=50, description="How many items")] = 10,
    ) -> dict[str, Any]:
        """Ranked items for a session, optionally for a text query, each with its explanation."""
        sid = await guarded(session_or_new(session_id))
        items = await guarded(service.call(service.agent.recommend, sid, k=k, query=query))
        return {"session_id": sid, "items": [item_payload(i) for i in items]}

    @server.tool()
    async def explain(
        item_id: Annotated[str, Field(min_length=1, description="The item to explain")],
        session_id: Annotated[str | None, Field(description="Session (its preferences)")] = None,
    ) -> dict[str, Any]:
        """Why an item is (or is not) a good match, grounded in the causal model and the ranker."""
        sid = await guarded(session_or_new(session_id))
        explanation = await guarded(service.call(service.agent.explain, sid, item_id))
        data = to_jsonable(explanation)
        return {"session_id": sid, **(data if isinstance(data, dict) else {"explanation": data})}

    @server.tool()
    async def feedback(
        session_id: Annotated[str, Field(min_length=1)],
        item_id: Annotated[str, Field(min_length=1)],
        value: Annotated[
            Literal["like", "dislike"] | float, Field(description="like, dislike or a rating")
        ],
    ) -> dict[str, Any]:
        """Record that the user liked, disliked or rated an item (it updates their ranking)."""
        sid = await guarded(service.require_session(session_id))
        result = await guarded(service.call(service.agent.feedback, sid, item_id, value))
        data = to_jsonable(result)
        return {"session_id": sid, **(data if isinstance(data, dict) else {"result": data})}

    @server.tool()
    async def causal_graph() -> dict[str, Any]:
        """The causal graph learned from the interaction logs: nodes, edges and edge stability."""
        return await guarded(service.call(causal.graph_json))

    @server.tool()
    async def estimate_effect(
        treatment: Annotated[str, Field(min_length=1, description="Cause variable (a graph node)")],
        outcome: Annotated[str, Field(min_length=1, description="Effect variable (a graph node)")],
        treatment_value: float | str | None = None,
        control_value: float | str | None = None,
    ) -> dict[str, Any]:
        """Average causal effect of treatment on outcome with a 95% CI (identify, estimate, refute)."""
        return await guarded(
            service.call(causal.effect, treatment, outcome, treatment_value, control_value, None)
        )

    return server


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
