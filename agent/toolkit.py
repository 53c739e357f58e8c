"""The tools as a language model sees them, and the per-turn candidate bus behind them.

Each tool in `tools.registry` becomes a langchain tool whose schema is the tool's own
(docstring + typed arguments). Calls run against the turn's `TurnContext` (injected by
langgraph as the run's context), so one compiled agent serves every session. Full results
stay server-side on the turn's `CandidateBus`; the model gets a compact JSON view (ids,
titles, a few key facts, rounded scores). A mistake the model made — unknown tool, arguments
that fail validation, an unknown item or variable — comes back as a tool message with a hint.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from agent.memory import SessionState
from tools.registry import ToolSpec, tool_specs
from tools.schemas import (
    Explanation,
    FeedbackAck,
    ItemSummary,
    Recommendations,
    SearchResult,
    ToolContext,
    ToolError,
    UserContext,
)

if TYPE_CHECKING:
    from tools.protocols import Workspace

MAX_FACTS = 4


@dataclass
class ToolRecord:
    """One tool call this turn: arguments, typed result (or the error), and timing."""

    name: str
    args: dict[str, Any]
    result: BaseModel | None
    error: str | None
    compact: str
    ms: float

    @property
    def ok(self) -> bool:
        """True when the tool returned a result."""
        return self.error is None


@dataclass
class CandidateBus:
    """Everything the tools returned this turn, kept server-side."""

    records: list[ToolRecord] = field(default_factory=list)
    items: dict[str, ItemSummary] = field(default_factory=dict)
    explanations: dict[str, Explanation] = field(default_factory=dict)
    last_list: list[str] = field(default_factory=list)

    def add(self, record: ToolRecord) -> None:
        """File a tool call and index the items it returned."""
        self.records.append(record)
        result = record.result
        if isinstance(result, Recommendations | SearchResult):
            for item in result.items:
                self.items[item.item_id] = item
            self.last_list = [i.item_id for i in result.items]
        elif isinstance(result, Explanation):
            self.explanations[result.item_id] = result

    def sources(self) -> list[str]:
        """Texts the reply may draw facts from: each call's arguments and both result views."""
        out: list[str] = []
        for record in self.records:
            out.append(json.dumps(record.args, default=str))
            out.append(record.compact)
            if record.result is not None:
                out.append(record.result.model_dump_json())
        return out


@dataclass
class TurnContext:
    """What one turn's tool calls run against: the session, its workspace and the bus."""

    state: SessionState
    workspace: Workspace
    bus: CandidateBus = field(default_factory=CandidateBus)
    on_event: Callable[[str, dict[str, Any]], None] | None = None

    def tool_context(self) -> ToolContext:
        """The tools' view of the session."""
        return tool_context(self.workspace, self.state)


def tool_context(workspace: Workspace, state: SessionState) -> ToolContext:
    """Build a ToolContext from a session's memory."""
    cons = state.constraints
    return ToolContext(
        workspace=workspace,
        user=UserContext(
            user_id=state.user_id,
            session_id=state.session_id,
            liked=tuple(state.liked),
            disliked=tuple(state.disliked),
            seen=tuple(state.seen),
            shown=tuple(state.shown),
            wanted={k: tuple(v) for k, v in cons.include.items()},
            unwanted={k: tuple(v) for k, v in cons.exclude.items()},
            ranges={k: (r.min, r.max) for k, r in cons.ranges.items()},
            anchors=tuple(cons.like_items),
            query=cons.query,
        ),
    )


def _round(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value


def compact_item(item: ItemSummary) -> dict[str, Any]:
    """An item as the model sees it: id, title, a few facts, score and components."""
    facts = {k: _round(v) for k, v in list(item.attributes.items())[:MAX_FACTS] if v is not None}
    out: dict[str, Any] = {"item_id": item.item_id, "title": item.title, "facts": facts}
    if item.score is not None:
        out["score"] = round(item.score, 3)
    if item.components:
        out["components"] = {k: round(v, 3) for k, v in item.components.items()}
    if item.matched:
        out["matches"] = item.matched
    if item.counterfactual is not None and item.counterfactual.text:
        out["why"] = item.counterfactual.text  # checked by re-scoring: cite it as it stands
    return out


def compact_result(name: str, result: BaseModel) -> str:
    """The JSON text a model reads for a tool result (item lists stay on the bus)."""
    if isinstance(result, Recommendations | SearchResult):
        body: dict[str, Any] = {"items": [compact_item(i) for i in result.items]}
        if isinstance(result, Recommendations) and result.note:
            body["note"] = result.note
        if not result.items:
            body["note"] = "no items match; relax a filter or change the query"
    elif isinstance(result, Explanation):
        body = {
            "item_id": result.item_id,
            "title": result.title,
            "summary": result.summary,
            "reason": result.reason,
            "evidence": [e.text for e in result.evidence],
        }
    elif isinstance(result, FeedbackAck):
        body = result.model_dump(exclude={"recorded"})
    else:
        body = result.model_dump(exclude_none=True)
    return json.dumps(body, default=str, ensure_ascii=False)


def validation_hint(exc: ValidationError, spec: ToolSpec) -> str:
    """A short message saying which arguments were wrong and what the tool accepts."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}"
        for err in exc.errors()[:5]
    )
    accepted = ", ".join(spec.args_model.model_fields)
    return f"Error: invalid arguments for {spec.name}: {problems}. It accepts: {accepted}."


def run_tool(
    ctx: TurnContext, spec: ToolSpec, args: dict[str, Any], *, from_model: bool = False
) -> ToolRecord:
    """Run one tool and file it on the bus; a model's mistake becomes a hint, not an exception.

    A call the language model made (`from_model`) also updates the session memory from its
    arguments (`agent.tool_memory`): on the LLM path that is where memory comes from."""
    if ctx.on_event:
        ctx.on_event("tool_start", {"tool": spec.name, "args": args})
    started = time.perf_counter()
    result: BaseModel | None = None
    error: str | None = None
    try:
        result = spec.call(ctx.tool_context(), args)
    except ValidationError as exc:
        error = validation_hint(exc, spec)
    except ToolError as exc:
        error = f"Error: {exc.message}" + (f" Hint: {exc.hint}" if exc.hint else "")
    ms = (time.perf_counter() - started) * 1000.0
    compact = compact_result(spec.name, result) if result is not None else (error or "")
    record = ToolRecord(spec.name, dict(args), result, error, compact, ms)
    ctx.bus.add(record)
    if isinstance(result, FeedbackAck):
        ctx.state.set_feedback(result.item_id, result.kind)
    if from_model:
        from agent.tool_memory import remember_tool_call

        remember_tool_call(ctx.state, spec, args, result)
    if ctx.on_event:
        ctx.on_event("tool_end", {"tool": spec.name, "ok": error is None, "ms": round(ms, 2)})
    return record


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its `$defs` references expanded (small models handle refs badly)."""
    defs = schema.get("$defs", {})

    def expand(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                merged = {
                    **defs[ref.split("/")[-1]],
                    **{k: v for k, v in node.items() if k != "$ref"},
                }
                return expand(merged)
            return {k: expand(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [expand(v) for v in node]
        return node

    return expand(schema)


def langchain_tools() -> list[Any]:
    """Every tool as a langchain StructuredTool reading the TurnContext from the runtime."""
    from langchain_core.tools import StructuredTool
    from langgraph.prebuilt import ToolRuntime

    out = []
    for spec in tool_specs():

        def call(runtime: ToolRuntime, _spec: ToolSpec = spec, **kwargs: Any) -> str:
            ctx = runtime.context
            if not isinstance(ctx, TurnContext):
                raise TypeError("the agent must be run with a TurnContext as its context")
            return run_tool(ctx, _spec, kwargs, from_model=True).compact

        # Real classes, not strings: langgraph resolves the hints to find the injected runtime.
        call.__annotations__ = {"runtime": ToolRuntime, "return": str}
        out.append(
            StructuredTool.from_function(
                func=call,
                name=spec.name,
                description=spec.description,
                args_schema=inline_refs(spec.args_model.model_json_schema()),
                infer_schema=False,
            )
        )
    return out
