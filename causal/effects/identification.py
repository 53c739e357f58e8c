"""Identify: a backdoor adjustment set from the graph on the right log, or a refusal with its reason.

Why: identification is a question about the graph and about which log observes the outcome,
asked before any number is computed (DoWhy's identify_effect); a refusal is a result, not an
exception, so callers can show the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from causal.datasets.analysis_table import AnalysisTable, Frame
from causal.effects.errors import EffectError
from causal.effects.results import Identification, Source
from causal.structure.graph import CausalGraph


def _observed_in(table: AnalysisTable, frame: Frame) -> set[str]:
    if not table.has(frame, []):
        return set()
    cols = table.frame(frame).columns
    return {n for n, s in table.variables.items() if n in cols and s.n_levels >= 2}


def choose_source(
    table: AnalysisTable, outcome: str, requested: Source = Source.AUTO
) -> tuple[Source | None, str]:
    """Where the outcome's values should come from, and why (None: nowhere unbiased)."""
    spec = table.spec(outcome)
    has_random = (
        table.random_rows is not None
        and outcome in table.random_rows.columns
        and table.random_rows[outcome].notna().any()
    )
    if requested is Source.RANDOM:
        if not has_random:
            raise EffectError(f"there is no random-exposure log with '{outcome}' in this dataset")
        return Source.RANDOM, "asked for the random-exposure log"
    if requested is Source.LOGGED:
        return Source.LOGGED, "asked for the logged interactions"
    if spec.selected_by:
        if has_random:
            return Source.RANDOM, (
                f"'{outcome}' is only observed when '{spec.selected_by}' = 1 in the log, so it "
                "comes from the random-exposure log"
            )
        return None, (
            f"'{outcome}' is only observed when '{spec.selected_by}' = 1, and that selection "
            f"depends on the same things that drive '{outcome}'; without a random-exposure log "
            "the effect on it is not identified"
        )
    records_nonevents = any(c in table.rows.columns for c in ("clicked", "exposed"))
    if has_random and not records_nonevents:
        return Source.RANDOM, (
            "the log holds only items users chose, so outcomes come from the unbiased "
            "random-exposure log"
        )
    return Source.LOGGED, "logged interactions"


def identify(
    table: AnalysisTable,
    graph: CausalGraph,
    treatment: str,
    outcome: str,
    given: Mapping[str, Any] | None = None,
    source: Source | str = Source.AUTO,
) -> Identification:
    """Backdoor identification of treatment -> outcome on the chosen source (or a refusal)."""
    table.spec(treatment)
    table.spec(outcome)
    source = Source(source)
    for name in (treatment, outcome):
        if name not in graph:
            note = table.spec(name).note
            return Identification(
                False,
                f"'{name}' is not in the causal graph"
                + (f" (left out of discovery: {note})" if note else "")
                + ", so the graph cannot say what confounds it",
            )
    chosen, why = choose_source(table, outcome, source)
    if chosen is None:
        return Identification(False, why)
    sel = table.spec(outcome).selected_by
    if sel == treatment:
        return Identification(
            False,
            f"'{outcome}' exists only when '{treatment}' = 1, so its value under any other "
            f"'{treatment}' is never observed; the effect is not identified",
        )
    frame = Frame.RANDOM if chosen is Source.RANDOM else Frame.ROWS
    if treatment not in table.frame(frame).columns:
        return Identification(
            False,
            f"'{treatment}' is not recorded in the {source_name(chosen)}, where '{outcome}' comes from",
        )
    descendants = set(graph.descendants(treatment))
    for col in given or {}:
        if col in descendants:
            return Identification(
                False,
                f"the subgroup is defined by '{col}', which the graph says '{treatment}' "
                "affects; conditioning on a consequence of the treatment biases its effect",
            )
    if sel and chosen is Source.RANDOM and (sel, outcome) in set(graph.edges):
        # In the random-exposure log the outcome is observed whatever the selection variable
        # says: the selection edge encodes observation, not causation, so it goes.
        graph = CausalGraph(
            [e for e in graph.edges if e != (sel, outcome)],
            graph.nodes,
            info={n: graph.info(n) for n in graph.nodes},
        )
    observed = _observed_in(table, frame)
    if chosen is Source.RANDOM:
        observed &= _observed_in(table, Frame.ROWS)
    observed &= set(graph.nodes)
    observed -= {treatment, outcome}
    if sel:
        observed.discard(sel)
    notes: list[str] = [why] if chosen is Source.RANDOM else []
    adjustment = graph.minimal_backdoor_set(treatment, outcome, observed)
    if adjustment is None:
        missing = sorted(set(graph.parents(treatment)) - observed)
        fronts = graph.frontdoor_sets(treatment, outcome)
        reason = (
            f"no set of variables available in the {source_name(chosen)} blocks every backdoor "
            f"path from '{treatment}' to '{outcome}'"
            + (f" (it would need {', '.join(missing)})" if missing else "")
        )
        if fronts:
            reason += (
                f"; a front-door set exists ({', '.join(fronts[0])}) but is not estimated here"
            )
        return Identification(False, reason, source=chosen)
    precision: list[str] = []
    oset = graph.optimal_adjustment_set(treatment, outcome, observed)
    if oset is None and not graph.has_path(treatment, outcome):
        # No causal path: the outcome's own causes still sharpen the (null) estimate.
        oset = sorted((set(graph.parents(outcome)) & observed) - set(graph.descendants(treatment)))
    if oset is not None:
        extra = sorted(set(oset) - set(adjustment))
        if extra and graph.is_valid_backdoor_set(treatment, outcome, set(adjustment) | set(extra)):
            precision = extra
    if not graph.has_path(treatment, outcome):
        notes.append(
            f"the graph has no directed path from '{treatment}' to '{outcome}', so it implies no "
            "effect; the estimate checks that against the data"
        )
    reason = (
        f"adjusting for {{{', '.join(adjustment)}}} blocks every backdoor path from "
        f"'{treatment}' to '{outcome}'"
        if adjustment
        else f"the graph has no backdoor path from '{treatment}' to '{outcome}'"
    )
    return Identification(True, reason, tuple(adjustment), tuple(precision), chosen, tuple(notes))


def source_name(source: Source | None) -> str:
    """The log a source names, in words."""
    return "random-exposure log" if source is Source.RANDOM else "logged interactions"


__all__ = ["choose_source", "identify", "source_name"]
