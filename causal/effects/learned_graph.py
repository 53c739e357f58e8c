"""Effects on a learned graph: intervals that carry the graph's uncertainty, or a decline.

Why: `estimate_effect` takes its graph as given, so its bootstrap interval covers sampling
error only. On a discovered graph the adjustment set itself is uncertain (an edge the data
could not orient, an edge a resample drops), and a cell-based outcome model may be
misspecified. `estimate_on_learned_graph` therefore:

1. estimates on the graph as learned (AIPW, cluster bootstrap);
2. re-identifies the effect on alternative graphs the data cannot rule out: the graph with
   each edge whose direction was decided arbitrarily (or by the orientation hook) near the
   treatment reversed, and the graphs learned on resamples (`DiscoveryResult.resamples`)
   that give a different adjustment set in at least `min_share` of them;
3. declines (identified=False, with the reason) when the effect is not identified on the
   learned graph, when the treatment groups do not overlap on the adjustment variables for
   more than `max_no_overlap` of the rows (every adjustment method would extrapolate), or
   when an alternative graph moves the estimate outside the interval (the answer then hangs
   on an orientation the data leaves open);
4. otherwise reports the union of the intervals: the learned graph's AIPW and regression
   intervals (two outcome models: a misspecification check) and each alternative's;
5. for an attribute of the user (or item) that the graph shows has causes of its own, a hidden
   trait at that level may confound it unseen (`hidden_confounding`): the interval is widened
   by the bias such a trait could cause, or the effect is declined when that bias could
   account for the whole estimate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import networkx as nx

from causal.datasets.analysis_table import AnalysisTable
from causal.datasets.variables import Kind
from causal.effects.hidden_confounding import hidden_confounding_bound
from causal.effects.identification import identify
from causal.effects.pipeline import estimate_effect
from causal.effects.results import EffectResult
from causal.structure.graph import CausalGraph

MAX_NO_OVERLAP = 0.10
MIN_SHARE = 0.2
UNDECIDED = ("arbitrary", "orient_fn")


def alternative_graphs(
    graph: CausalGraph,
    treatment: str,
    resamples: Sequence[Iterable[tuple[str, str]]] = (),
    *,
    min_share: float = MIN_SHARE,
) -> list[tuple[CausalGraph, str]]:
    """Graphs the data cannot rule out, each with a sentence saying how it differs.

    Reversals: edges whose direction no data or prior decided, within two steps of the
    treatment (their direction decides what is a confounder and what a mediator).
    Resamples: resample graphs, grouped by edge set, kept when at least `min_share` of them.
    """
    out: list[tuple[CausalGraph, str]] = []
    if treatment in graph:
        near = {treatment, *graph.parents(treatment), *graph.children(treatment)}
        for u, v in graph.edges:
            how = graph.edge_info(u, v).oriented_by
            if how not in UNDECIDED or not ({u, v} & near):
                continue
            edges = [e for e in graph.edges if e != (u, v)] + [(v, u)]
            if nx.is_directed_acyclic_graph(nx.DiGraph(edges)):
                out.append((_like(graph, edges), f"{v} -> {u} instead of {u} -> {v}"))
    if resamples:
        groups: dict[frozenset, int] = {}
        for edges in resamples:
            key = frozenset(tuple(e) for e in edges)
            groups[key] = groups.get(key, 0) + 1
        total = len(resamples)
        for key, count in sorted(groups.items(), key=lambda kv: -kv[1]):
            if count / total >= min_share and key != frozenset(graph.edges):
                out.append(
                    (_like(graph, sorted(key)), f"a graph found in {count} of {total} resamples")
                )
    return out


def is_learned(graph: CausalGraph) -> bool:
    """True when discovery decided the graph's edges (not a graph the user supplied): its
    effects then go through `estimate_on_learned_graph`."""
    how = {graph.edge_info(u, v).oriented_by for u, v in graph.edges}
    return bool(how - {None, "given"})


def main_method(table: AnalysisTable, treatment: str) -> str:
    """AIPW for a discrete treatment; for a dose, regression on a piecewise-linear dose (the
    straight-line slope misstates a contrast across a threshold or plateau)."""
    spec = table.variables.get(treatment)  # an unknown name is reported by estimate_effect
    return "piecewise" if spec is not None and spec.kind is Kind.CONTINUOUS else "aipw"


def _like(graph: CausalGraph, edges: Sequence[tuple[str, str]]) -> CausalGraph:
    return CausalGraph(sorted(edges), graph.nodes, info={n: graph.info(n) for n in graph.nodes})


def estimate_on_learned_graph(
    table: AnalysisTable,
    graph: CausalGraph,
    treatment: str,
    outcome: str,
    treatment_value: Any = None,
    control_value: Any = None,
    given: Mapping[str, Any] | None = None,
    *,
    resamples: Sequence[Iterable[tuple[str, str]]] = (),
    seed: int = 0,
    n_boot: int = 200,
    refutations: bool = True,
    source: str = "auto",
    max_no_overlap: float = MAX_NO_OVERLAP,
    exogenous: Iterable[str] = (),
) -> EffectResult:
    """The effect with an interval widened for graph, model and hidden-confounding
    uncertainty, or a decline.

    Refutations (when asked for) run on the learned graph's estimate only. `exogenous` names
    user or item attributes nothing hidden drives (demographics, say): they get no
    hidden-confounding widening.
    """
    common = dict(seed=seed, n_boot=n_boot, refutations=False, given=given, source=source)
    main = estimate_effect(
        table,
        graph,
        treatment,
        outcome,
        treatment_value,
        control_value,
        method=main_method(table, treatment),
        **{**common, "refutations": refutations},
    )
    if not main.identified:
        return main
    share = main.no_overlap_share
    if share > max_no_overlap:
        return _decline(
            main,
            f"{share:.0%} of the rows have an adjustment value never seen with one of the two "
            f"treatment values (no overlap), so any estimate extrapolates; the effect is not "
            "reported",
        )
    lows, highs = [main.ci_low], [main.ci_high]
    notes = list(main.notes)
    # A second outcome model: regression beside AIPW, or beside a piecewise-linear dose fit
    # the straight-line slope (the usual summary of a dose), so the interval covers both.
    dose = main.method == "piecewise"
    reg = estimate_effect(
        table,
        graph,
        treatment,
        outcome,
        main.treatment_value,
        main.control_value,
        method="regression",
        **common,
    )
    lows.append(reg.ci_low)
    highs.append(reg.ci_high)
    if dose and not (main.ci_low <= reg.estimate <= main.ci_high):
        notes.append(
            f"the effect is not linear in '{treatment}': a straight line through all doses "
            f"gives {reg.estimate:.3g} against the piecewise-linear fit's {main.estimate:.3g}"
        )
    seen = {tuple(sorted(main.adjustment_set))}
    for alt, why in alternative_graphs(graph, treatment, resamples):
        ident = identify(table, alt, treatment, outcome, given, source)
        if not ident.identified:
            return _decline(
                main,
                f"with {why} (the data leave it open) the effect is not identified: {ident.reason}",
            )
        key = tuple(sorted((*ident.adjustment_set, *ident.precision_set)))
        if key in seen:
            continue
        seen.add(key)
        res = estimate_effect(
            table,
            alt,
            treatment,
            outcome,
            treatment_value,
            control_value,
            method=main.method,
            **common,
        )
        if not (main.ci_low <= res.estimate <= main.ci_high):
            return _decline(
                main,
                f"the estimate depends on a part of the graph the data leave open: "
                f"{main.estimate:.3g} on the learned graph, {res.estimate:.3g} with {why}",
            )
        lows.append(res.ci_low)
        highs.append(res.ci_high)
        notes.append(f"interval widened to cover the graph with {why}")
    lo, hi = min(lows), max(highs)
    if (lo, hi) != (main.ci_low, main.ci_high):
        notes.append(
            "interval is the union over outcome models and alternative graphs "
            f"(sampling-only interval {main.ci_low:.3g} to {main.ci_high:.3g})"
        )
    hidden = hidden_confounding_bound(
        table,
        graph,
        treatment,
        outcome,
        treatment_value,
        control_value,
        given,
        source=source,
        exogenous=exogenous,
    )
    if hidden is not None:
        why = hidden.sentence(treatment, outcome)
        if hidden.bound >= abs(main.estimate):
            return _decline(
                main,
                f"{why}, which is as large as the estimate {main.estimate:.3g} itself; the log "
                "cannot tell the effect from such a trait",
            )
        lo, hi = lo - hidden.bound, hi + hidden.bound
        notes.append(f"interval widened by {hidden.bound:.3g} on each side: {why}")
    if (lo, hi) == (main.ci_low, main.ci_high):
        return replace(main, notes=tuple(notes))
    return replace(
        main, ci_low=lo, ci_high=hi, summary=widened_summary(main, lo, hi), notes=tuple(notes)
    )


_CI = re.compile(r" \(95% CI [^)]*\)")
_NO_CLEAR = "; the interval includes zero, so no clear effect"


def widened_summary(main: EffectResult, low: float, high: float) -> str:
    """The summary sentence quoting the interval actually reported, not the sampling-only one,
    so the words a person reads match ci_low/ci_high."""
    scale = 100.0 if "percentage points" in main.summary else 1.0
    interval = f" (95% CI {low * scale:+.3g} to {high * scale:+.3g}, widened: see notes)"
    summary, found = _CI.subn(interval, main.summary, count=1)
    if not found:
        return main.summary
    if low <= 0 <= high and _NO_CLEAR not in summary:
        summary = summary.replace(interval, interval + _NO_CLEAR, 1)
    return summary


def _decline(main: EffectResult, reason: str) -> EffectResult:
    return replace(
        main,
        identified=False,
        estimate=None,
        ci_low=None,
        ci_high=None,
        method="none",
        summary=f"The effect of {main.treatment} on {main.outcome} is not reported: {reason}.",
        reason=reason,
        notes=(*main.notes, f"declined; the learned graph's estimate was {main.estimate:.3g}"),
    )


__all__ = ["alternative_graphs", "estimate_on_learned_graph", "is_learned", "widened_summary"]
