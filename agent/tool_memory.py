"""Session memory on the LLM path, read from the model's own tool calls, not from the user's text.

When a language model drives the turn it has already understood the user: the filters and
query it passes to `recommend` / `search_items` are its reading of the wishes so far, an
`explain` call names the item in focus, and `record_feedback` states a like, dislike or
"seen" (the toolkit files those on the session already). `remember_tool_call` folds one
successful call into the session's constraints, so the next turn's prompt, the rule
planner's fallback and `session_state` all see what the model understood. The arguments are
untrusted: they are re-validated with the tool's own argument model, and only calls that
succeeded (the tool accepted every attribute and value) are remembered.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from agent.memory import NumericRange, SessionState
from tools.registry import ToolSpec

MAX_QUERY_CHARS = 200
LIST_TOOLS = frozenset({"recommend", "search_items"})
# the recommend tool's popularity band -> the session's popularity wish
POPULARITY_WISH = {"less_known": "down", "middle_known": "middle", "well_known": "up"}


def remember_tool_call(
    state: SessionState, spec: ToolSpec, args: dict[str, Any], result: BaseModel | None
) -> bool:
    """Fold one model tool call into the session memory; True when anything was kept."""
    if result is None:
        return False  # the tool refused the call: nothing in it is trustworthy
    try:
        parsed = spec.args_model.model_validate(dict(args))
    except ValidationError:
        return False
    if spec.name in LIST_TOOLS:
        _remember_list_call(state, parsed)
        return True
    if spec.name == "explain":
        item_id = getattr(parsed, "item_id", None)
        if isinstance(item_id, str):
            state.focus = item_id
            state.focus_listed = False
            return True
    return False


def _remember_list_call(state: SessionState, parsed: BaseModel) -> None:
    """The model's filters and query are its current reading of the wishes: they replace
    the earlier ones (a filter it dropped is a wish the user let go)."""
    cons = state.constraints
    include: dict[str, list[str]] = {}
    exclude: dict[str, list[str]] = {}
    ranges: dict[str, NumericRange] = {}
    any_mode: list[str] = []
    for flt in getattr(parsed, "filters", None) or []:
        attr = str(flt.attribute)
        wanted = [str(v) for v in (flt.all_of or [])] + [str(v) for v in (flt.any_of or [])]
        if wanted:
            include[attr] = list(dict.fromkeys(wanted))
            if flt.any_of and len(flt.any_of) > 1 and not flt.all_of:
                any_mode.append(attr)
        if flt.none_of:
            exclude[attr] = list(dict.fromkeys(str(v) for v in flt.none_of))
        if flt.min is not None or flt.max is not None:
            ranges[attr] = NumericRange(min=flt.min, max=flt.max)
    cons.include, cons.exclude, cons.ranges, cons.any_mode = include, exclude, ranges, any_mode
    query = getattr(parsed, "query", None)
    cons.query = " ".join(str(query).split())[:MAX_QUERY_CHARS] if query else ""
    if "popularity" in type(parsed).model_fields:  # `recommend` takes a band; `search_items` not
        band = getattr(parsed, "popularity", None)
        cons.popularity = POPULARITY_WISH.get(str(band)) if band else None
