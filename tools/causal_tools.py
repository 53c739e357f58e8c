"""Tools over the causal engine: ask the learned graph a question, estimate an effect.

Thin wrappers: the graph queries are `causal.structure.CausalGraph` methods and the estimates come
from `causal.effects`; these functions only check names (a wrong one is the model's mistake,
returned with the closest names), phrase the answer, and type the result.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from tools.background import start_background
from tools.schemas import EffectAnswer, GraphAnswer, GraphQueryKind, ToolContext, ToolError

if TYPE_CHECKING:
    from tools.protocols import Workspace

_MAX_PATHS = 5

Variables = Annotated[
    list[str],
    Field(description="variable names from the graph (the data's column names)", max_length=8),
]


def _graph(ctx: ToolContext) -> Any:
    graph = getattr(ctx.workspace, "graph", None)
    if graph is None:
        raise ToolError(
            "this workspace has no causal graph",
            "answer from the catalog instead; the graph is made by `whyrec build`",
        )
    return graph


def _check(graph: Any, names: list[str], need: int, kind: GraphQueryKind) -> None:
    from causal.datasets import UnknownVariableError

    if len(names) < need:
        raise ToolError(
            f"'{kind.value}' needs {need} variable(s), got {len(names)}",
            f"pass variables like {graph.nodes[:need] or ['x']}",
        )
    try:
        graph.check(*names)
    except UnknownVariableError as exc:
        raise ToolError(str(exc), "use the graph's variable names exactly") from None


def _arrow(path: list[str]) -> str:
    return " -> ".join(path)


def causal_graph_query(
    ctx: ToolContext, kind: GraphQueryKind, variables: Variables | None = None
) -> GraphAnswer:
    """Ask the causal graph learned from the interaction logs a structural question.

    Args:
        kind: parents | children | ancestors | descendants | markov_blanket (one variable);
            paths | why | adjustment_set (two: cause, effect); d_separated (two, then any
            conditioning variables); overview (none: all variables and edges).
        variables: the variables the question is about, e.g. ["popularity", "rating"].
    """
    graph = _graph(ctx)
    names = list(variables or [])
    kind = GraphQueryKind(kind)
    if kind is GraphQueryKind.OVERVIEW:
        return GraphAnswer(
            kind=kind,
            variables=[],
            answer=f"The graph has {len(graph.nodes)} variables and {len(graph.edges)} edges.",
            nodes=graph.nodes,
            edges=graph.edges,
        )
    single = {
        GraphQueryKind.PARENTS: (graph.parents, "direct causes"),
        GraphQueryKind.CHILDREN: (graph.children, "direct effects"),
        GraphQueryKind.ANCESTORS: (graph.ancestors, "causes (direct or indirect)"),
        GraphQueryKind.DESCENDANTS: (graph.descendants, "effects (direct or indirect)"),
        GraphQueryKind.MARKOV_BLANKET: (graph.markov_blanket, "Markov blanket"),
    }
    if kind in single:
        _check(graph, names, 1, kind)
        fn, label = single[kind]
        found = fn(names[0])
        listed = ", ".join(found) if found else "none"
        return GraphAnswer(
            kind=kind,
            variables=names[:1],
            answer=f"The {label} of {names[0]}: {listed}.",
            nodes=found,
        )
    _check(graph, names, 2, kind)
    cause, effect = names[0], names[1]
    if kind is GraphQueryKind.D_SEPARATED:
        given = names[2:]
        _check(graph, given, 0, kind)
        separated = graph.is_d_separated(cause, effect, given)
        cond = f" given {', '.join(given)}" if given else ""
        verdict = "independent" if separated else "not independent"
        return GraphAnswer(
            kind=kind,
            variables=names,
            answer=f"In the graph, {cause} and {effect} are {verdict}{cond} (d-separation).",
        )
    if kind is GraphQueryKind.ADJUSTMENT_SET:
        adjustment = graph.minimal_backdoor_set(cause, effect)
        text = (
            f"To estimate the effect of {cause} on {effect}, adjust for "
            f"{', '.join(adjustment) if adjustment else 'nothing (no backdoor paths)'}."
            if adjustment is not None
            else f"No set of observed variables blocks every backdoor path from {cause} to {effect}."
        )
        return GraphAnswer(kind=kind, variables=names[:2], answer=text, adjustment_set=adjustment)
    paths = graph.directed_paths(cause, effect, limit=_MAX_PATHS)
    if kind is GraphQueryKind.PATHS:
        text = (
            f"Directed paths from {cause} to {effect}: " + "; ".join(_arrow(p) for p in paths) + "."
            if paths
            else f"There is no directed path from {cause} to {effect}."
        )
        return GraphAnswer(kind=kind, variables=names[:2], answer=text, paths=paths)
    # WHY: how does cause affect effect — paths, plus what confounds the relation.
    adjustment = graph.minimal_backdoor_set(cause, effect) if paths else None
    if not paths:
        reverse = graph.directed_paths(effect, cause, limit=1)
        text = f"In the learned graph {cause} does not affect {effect}" + (
            f"; it runs the other way: {_arrow(reverse[0])}." if reverse else "."
        )
    else:
        direct = [p for p in paths if len(p) == 2]
        via = [p for p in paths if len(p) > 2]
        parts = []
        if direct:
            parts.append(f"{cause} affects {effect} directly")
        if via:
            middles = sorted({m for p in via for m in p[1:-1]})
            parts.append(f"through {', '.join(middles)} ({'; '.join(_arrow(p) for p in via)})")
        text = " and ".join(parts) + "."
        text = text[0].upper() + text[1:]
        if adjustment:
            text += (
                f" {', '.join(adjustment)} also influence both, so compare like with like on them."
            )
    return GraphAnswer(
        kind=kind, variables=names[:2], answer=text, paths=paths, adjustment_set=adjustment
    )


INTERACTIVE_BOOTSTRAPS = 100  # enough for a 95% interval; the build's key effects use the same
_EFFECT_CACHE_SIZE = 128
_EFFECTS: OrderedDict[tuple[int, str], EffectAnswer] = OrderedDict()
_EFFECTS_LOCK = threading.Lock()


def _answer(
    data: dict[str, Any], treatment: str, outcome: str, subgroup: dict[str, Any]
) -> EffectAnswer:
    return EffectAnswer(
        treatment=treatment,
        outcome=outcome,
        treatment_value=data.get("treatment_value"),
        control_value=data.get("control_value"),
        subgroup=dict(data.get("given") or subgroup),
        identified=bool(data.get("identified")),
        estimate=data.get("estimate"),
        ci_low=data.get("ci_low"),
        ci_high=data.get("ci_high"),
        method=data.get("method"),
        adjustment_set=list(data.get("adjustment_set") or []),
        n=data.get("n"),
        refutations=[
            {"name": r.get("name"), "passed": r.get("passed")}
            for r in data.get("refutations") or []
        ],
        summary=str(data.get("summary") or ""),
        reason=data.get("reason") or None,
    )


def stored_effect(workspace: Workspace, treatment: str, outcome: str) -> EffectAnswer | None:
    """The build's precomputed key effect of treatment on outcome (default values), if any."""
    artifacts = getattr(workspace, "causal", None)
    if artifacts is None:
        return None
    data = artifacts.effect(treatment, outcome)
    if not data or "skipped" in data:
        return None
    return _answer(dict(data), treatment, outcome, {})


def estimate_effect(
    ctx: ToolContext,
    treatment: str,
    outcome: str,
    treatment_value: str | float | None = None,
    control_value: str | float | None = None,
    subgroup: dict[str, str | float] | None = None,
) -> EffectAnswer:
    """Estimate the causal effect of changing one variable on an outcome (identify, estimate, refute).

    Args:
        treatment: the variable to change, e.g. "price", "promoted", "position".
        outcome: the variable affected, e.g. "rating" or "clicked".
        treatment_value: the value to set (default: a high or "yes" value).
        control_value: the value to compare with (default: a low or "no" value).
        subgroup: restrict to a segment, e.g. {"age_group": "25-34"}.
    """
    graph = _graph(ctx)
    for name in (treatment, outcome, *(subgroup or {})):
        _check(graph, [name], 1, GraphQueryKind.PARENTS)
    given = dict(subgroup or {})
    if treatment_value is None and control_value is None and not given:
        stored = stored_effect(ctx.workspace, treatment, outcome)
        if stored is not None:
            return stored
    key = (
        id(ctx.workspace),
        json.dumps(
            [treatment, outcome, treatment_value, control_value, given], sort_keys=True, default=str
        ),
    )
    with _EFFECTS_LOCK:
        if key in _EFFECTS:
            _EFFECTS.move_to_end(key)
            return _EFFECTS[key]
    try:
        result = ctx.workspace.estimate_effect(
            treatment,
            outcome,
            treatment_value=treatment_value,
            control_value=control_value,
            given=given,
            n_boot=INTERACTIVE_BOOTSTRAPS,
        )
    except ValueError as exc:  # an effect question the data cannot answer as asked
        raise ToolError(str(exc), "check the variable names and values (see the graph)") from None
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    answer = _answer(data, treatment, outcome, given)
    with _EFFECTS_LOCK:
        _EFFECTS[key] = answer
        while len(_EFFECTS) > _EFFECT_CACHE_SIZE:
            _EFFECTS.popitem(last=False)
    return answer


_PENDING: set[tuple[int, str]] = set()
_ONE_AT_A_TIME = threading.Semaphore(1)  # background estimates queue up instead of competing


def _effect_key(
    workspace: Workspace, treatment: str, outcome: str, given: dict[str, Any]
) -> tuple[int, str]:
    return (
        id(workspace),
        json.dumps([treatment, outcome, None, None, given], sort_keys=True, default=str),
    )


def effect_soon(
    workspace: Workspace, treatment: str, outcome: str, given: dict[str, Any]
) -> EffectAnswer | None:
    """A cached effect for a segment, or None while it is computed in the background.

    Segment effects take seconds to estimate; explanations must not wait for them, so the first
    ask schedules the estimate on one background thread and later asks find it cached.
    """
    key = _effect_key(workspace, treatment, outcome, given)
    with _EFFECTS_LOCK:
        if key in _EFFECTS:
            return _EFFECTS[key]
        if key in _PENDING:
            return None
        _PENDING.add(key)

    def work() -> None:
        try:
            with _ONE_AT_A_TIME:
                result = workspace.estimate_effect(
                    treatment, outcome, given=dict(given), n_boot=INTERACTIVE_BOOTSTRAPS
                )
            answer = _answer(result.to_dict(), treatment, outcome, given)
        except Exception:  # a segment too small or odd: no segment-specific evidence
            answer = None
        with _EFFECTS_LOCK:
            _PENDING.discard(key)
            if answer is not None:
                _EFFECTS[key] = answer

    # Waited for at exit (bounded): a thread left inside numpy crashes the interpreter's exit.
    start_background(work, "whyrec-segment-effect")
    return None
