"""The agent's public result types (pydantic): replies, recommended items, trace, stream events.

These are what `agent.api.RecAgent` returns and what the HTTP layer serialises; `Evidence`
and `Explanation` come from the tools, whose results they are.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from agent.memory import SessionState
from tools.schemas import AttributeValue, Counterfactual, Evidence, Explanation, FeedbackAck

__all__ = [
    "AgentEvent",
    "EventKind",
    "Evidence",
    "Explanation",
    "FeedbackResult",
    "RecItem",
    "Reply",
    "SessionState",
    "TraceStep",
]


class RecItem(BaseModel):
    """A recommended item with its explanation and the evidence behind it."""

    item_id: str
    title: str
    explanation: str
    evidence: list[Evidence] = Field(default_factory=list)
    score: float | None = None
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    counterfactual: Counterfactual | None = None


class TraceStep(BaseModel):
    """One step of a turn: a tool call (with its arguments and timing) or a decision."""

    kind: str  # "tool" | "intent" | "llm" | "grounding" | "fallback"
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    ms: float | None = None
    detail: str = ""


class Reply(BaseModel):
    """One turn's answer."""

    text: str
    items: list[RecItem] = Field(default_factory=list)
    trace: list[TraceStep] = Field(default_factory=list)
    backend: str
    fallback: bool = False
    fallback_reason: str | None = None
    grounded: bool = True
    # The LLM's own answer checked before any re-ask, after the re-ask, and (`grounded`) what
    # was finally shown, templated fallback included; None where that stage did not happen.
    grounded_first_pass: bool | None = None
    grounded_after_reask: bool | None = None
    session_id: str = ""


class FeedbackResult(FeedbackAck):
    """Feedback stored for a session (and in the workspace's feedback log when it has one)."""


class EventKind(StrEnum):
    """Kinds of streamed events."""

    TOKEN = "token"
    TOOL_START = "tool_start"
    TOOL_END = "tool_end"
    ITEMS = "items"
    DONE = "done"


class AgentEvent(BaseModel):
    """A streamed event: a text token, a tool starting or ending, the items, or the final Reply."""

    kind: EventKind
    text: str = ""
    data: Any = None
