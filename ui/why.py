"""What the "why" panel shows for an answer: the causal path behind it and the effect estimate.

The agent's Reply carries a trace of the tool calls it made and, per item, the evidence its
explanation rests on. The path comes from the first evidence or tool call that names one (an
explicit path, or a treatment and an outcome joined by a directed path in the graph); the effect
is the estimate the agent computed, else the one along that path, estimated here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ui.payloads import field, to_jsonable

logger = logging.getLogger(__name__)

PATH_KEYS = ("causal_path", "path", "highlight_path")
TREATMENT_KEYS = ("treatment", "cause", "source")
OUTCOME_KEYS = ("outcome", "effect_on", "target")


def _records(reply: Any) -> Iterable[Mapping[str, Any]]:
    """Every dict-like record in the reply's items' evidence and its trace, in order."""
    for item in field(reply, "items", None) or []:
        evidence = to_jsonable(field(item, "evidence", None))
        yield from _walk(evidence)
    yield from _walk(to_jsonable(field(reply, "trace", None)))


def _walk(value: Any, depth: int = 0) -> Iterable[Mapping[str, Any]]:
    if depth > 6:
        return
    if isinstance(value, Mapping):
        yield value
        for child in value.values():
            yield from _walk(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child, depth + 1)


def answer_path(reply: Any, graph: Any) -> list[str] | None:
    """The causal path (graph node names, cause first) that the answer rests on, if any.

    An explicit path or a treatment/outcome pair in the evidence or the trace wins; otherwise
    the path from an attribute behind the top items (the ones their evidence names first, then
    the attributes on the cards) to an outcome of the graph.
    """
    explicit = _explicit_path(reply, graph)
    if explicit:
        return explicit
    outcomes = _outcomes(graph)
    for name in _attribute_candidates(reply):
        variable = _graph_name(name, graph)
        if variable is None or variable in outcomes:
            continue
        for outcome in outcomes:  # the preferred outcome first
            paths = graph.directed_paths(variable, outcome, limit=5)
            if paths:
                return min(paths, key=len)
    return None


OUTCOME_PREFERENCE = ("rating", "clicked")
ATTRIBUTE_KEYS = ("attribute", "variable", "attributes", "matched_attributes")


def _graph_name(name: str, graph: Any) -> str | None:
    """`name` when it is a node; else the one node whose name contains it ("popularity" ->
    "item_popularity"); else None."""
    if name in graph:
        return name
    if len(name) < 5:
        return None
    matches = [n for n in graph.nodes if name in n]
    return matches[0] if len(matches) == 1 else None


def _outcomes(graph: Any) -> list[str]:
    """Outcome nodes of the graph, the usual recommender outcomes first."""
    nodes = list(graph.nodes)
    marked = [n for n in nodes if _role(graph, n) == "outcome"]
    ordered = [n for n in OUTCOME_PREFERENCE if n in nodes]
    return list(dict.fromkeys([*ordered, *marked]))


def _role(graph: Any, name: str) -> str | None:
    try:
        role = graph.role(name)
    except Exception:  # a graph without roles: nothing is an outcome by role
        return None
    return str(getattr(role, "value", role)) if role is not None else None


def _attribute_candidates(reply: Any) -> list[str]:
    """Variable names the answer's items rest on: evidence first, then card attributes."""
    names: list[str] = []
    for record in _records(reply):
        for key in ATTRIBUTE_KEYS:
            value = record.get(key)
            if isinstance(value, str):
                names.append(value)
            elif isinstance(value, list):
                names.extend(v for v in value if isinstance(v, str))
            elif isinstance(value, Mapping):
                names.extend(str(k) for k in value)
        if record.get("kind") == "popularity":  # "N users rated it": popularity's path
            names.append("popularity")
        for matched in record.get("matched", []) if isinstance(record.get("matched"), list) else []:
            if isinstance(matched, str) and "=" in matched:
                names.append(matched.split("=", 1)[0])
    for item in field(reply, "items", None) or []:
        attributes = field(item, "attributes", None) or {}
        names.extend(str(k) for k in attributes)
    return list(dict.fromkeys(names))


def _explicit_path(reply: Any, graph: Any) -> list[str] | None:
    for record in _records(reply):
        for key in PATH_KEYS:
            path = record.get(key)
            if (
                isinstance(path, list)
                and len(path) >= 2
                and all(isinstance(p, str) and p in graph for p in path)
            ):
                return list(path)
        treatment = _first(record, TREATMENT_KEYS)
        outcome = _first(record, OUTCOME_KEYS)
        if treatment in graph and outcome in graph and treatment != outcome:
            paths = graph.directed_paths(treatment, outcome, limit=5)
            if paths:
                return min(paths, key=len)
            return [treatment, outcome]
    return None


def answer_effect(reply: Any) -> dict[str, Any] | None:
    """An effect estimate the agent computed during the turn (with its CI), if any."""
    for record in _records(reply):
        data = record.get("data")
        if isinstance(data, Mapping) and _is_effect(data):  # causal evidence: keep its sentence
            found = dict(data)
            if not found.get("summary") and isinstance(record.get("text"), str):
                found["summary"] = record["text"]
            return found
        if _is_effect(record):
            return dict(record)
    return None


def _is_effect(record: Mapping[str, Any]) -> bool:
    return "estimate" in record and ("ci_low" in record or "identified" in record)


def _first(record: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def banner_markdown(backend: str, reply: Any = None) -> str:
    """Who answers, in words, and a warning when this turn fell back to the rule planner."""
    from ui.intro import backend_sentence

    text = f"**Who answers:** {backend_sentence(backend)}"
    if reply is not None and field(reply, "fallback", False):
        reason = field(reply, "fallback_reason", None) or "the LLM backend failed"
        reason = re.sub(r"([\\`*_{}\[\]()<>#+!|~:$])", r"\\\1", str(reason))[:300]
        text += (
            f"  \n⚠ **This answer came from the rule planner**: the LLM backend failed ({reason})."
        )
    return text


_NUMBER = r"([-+]?\d+(?:\.\d+)?)"
_EFFECT_SENTENCE = re.compile(
    r"(?P<treatment>[\w .-]+?) = (?P<value>[^,;()]+?) instead of (?P<control>[^,;()]+?) "
    r"(?P<verb>raises|lowers|increases|decreases|changes) (?P<outcome>[\w .-]+?) by "
    + _NUMBER
    + r"\s*\(95% interval "
    + _NUMBER
    + r" to "
    + _NUMBER
    + r"\)(?:, estimated by (?P<method>[\w-]+))?"
)


def effect_from_text(text: str, treatment: str, outcome: str) -> dict[str, Any] | None:
    """The effect a reply states in words ("year = 1986 instead of 1996 raises rating by 0.156
    (95% interval 0.140 to 0.177)"), so the chart shows exactly what the answer says."""
    for match in _EFFECT_SENTENCE.finditer(str(text)):
        if match.group("treatment").strip().split()[-1] != treatment:
            continue
        if match.group("outcome").strip().split()[0] != outcome:
            continue
        size, low, high = (float(match.group(i)) for i in (6, 7, 8))
        sign = -1.0 if match.group("verb") in ("lowers", "decreases") else 1.0
        estimate = sign * abs(size)
        return {
            "treatment": treatment,
            "outcome": outcome,
            "treatment_value": match.group("value").strip(),
            "control_value": match.group("control").strip(),
            "identified": True,
            "estimate": estimate,
            "ci_low": min(low, high),
            "ci_high": max(low, high),
            "method": match.group("method"),
            "summary": match.group(0),
        }
    return None


def cited_effect(reply: Any) -> tuple[dict[str, Any] | None, tuple[str, str] | None]:
    """The effect that is part of this answer: (an estimate found in the trace or in evidence
    the reply's text quotes, else None; the (treatment, outcome) an effect tool was asked
    about, else None). Effects the cards merely cite as support are not "the answer"."""
    text = str(field(reply, "text", "") or "")
    for record in _walk(to_jsonable(field(reply, "trace", None))):
        if _is_effect(record):
            return dict(record), None
    for item in field(reply, "items", None) or []:
        for record in _walk(to_jsonable(field(item, "evidence", None))):
            data = record.get("data")
            quoted = (
                isinstance(record.get("text"), str) and record["text"] and record["text"] in text
            )
            if quoted and isinstance(data, Mapping) and _is_effect(data):
                found = dict(data)
                found.setdefault("summary", record["text"])
                return found, None
    for step in to_jsonable(field(reply, "trace", None)) or []:
        if not isinstance(step, Mapping) or "effect" not in str(step.get("name", "")):
            continue
        args = step.get("args") if isinstance(step.get("args"), Mapping) else {}
        treatment, outcome = _first(args, TREATMENT_KEYS), _first(args, OUTCOME_KEYS)
        if treatment and outcome:
            return effect_from_text(text, treatment, outcome), (treatment, outcome)
    return None, None
