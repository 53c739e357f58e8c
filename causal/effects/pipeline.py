"""Causal effects: identify -> estimate -> refute, with typed results and honest refusals.

`estimate_effect(table_or_dataset, graph, treatment, outcome, ...)` answers "what happens to
the outcome if the treatment is set to A instead of B" on average over the logged
interactions (optionally within a subgroup, `given={"age_group": "25-34"}`):

1. identify: a backdoor adjustment set from the graph (validated: no descendant of the
   treatment, every backdoor path blocked), plus precision variables (the rest of the
   O-set) for the outcome model. Refusals are results, not exceptions: identified=False with a
   reason (the effect needs variables the data lacks, the outcome is only observed after the
   treatment, a subgroup is defined by a consequence of the treatment, ...).
2. estimate: AIPW (default), IPW, regression or stratified adjustment, a naive difference in
   means, or a do-query on a discrete Bayesian network fitted with pgmpy; 95% percentile
   intervals from a cluster bootstrap (by user or item, the level the treatment lives on).
3. refute: placebo treatment (permuted at the treatment's level), a random common cause
   added to the adjustment set, and random subsets of the data.

Selection: an outcome observed only for some rows (a rating exists only after a click) is
estimated from the random-exposure log when there is one (transported to the logged rows'
mix of covariates); without one the effect is reported as not identified. A log that holds
only chosen items (no clicks or exposures recorded, like Coat's) also defers to the random
log for outcomes the random log has.

Bad input (unknown variable, constant column, values that do not occur, too few rows) raises
an `EffectError` subclass with a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from causal.datasets.analysis_table import AnalysisTable, build_analysis_table
from causal.datasets.schema import Dataset, UnknownVariableError
from causal.datasets.variables import Kind, VariableSpec
from causal.effects.errors import ConstantColumnError, EffectError, MethodError, TooFewRowsError
from causal.effects.estimators.registry import get_estimator, resolve_method, run_method
from causal.effects.identification import identify, source_name
from causal.effects.overlap import dose_unsupported_share, unsupported_share
from causal.effects.problem import Estimate
from causal.effects.refuters import refute
from causal.effects.results import EffectMethod, EffectResult, Refutation, Source
from causal.effects.setup import Question, Setup, build_setup
from causal.effects.values import fmt_value
from causal.structure.graph import CausalGraph


def estimate_effect(
    table_or_dataset: AnalysisTable | Dataset,
    graph: CausalGraph,
    treatment: str,
    outcome: str,
    treatment_value: Any = None,
    control_value: Any = None,
    given: Mapping[str, Any] | None = None,
    method: EffectMethod | str = EffectMethod.AUTO,
    seed: int = 0,
    n_boot: int = 200,
    refutations: bool = True,
    source: Source | str = Source.AUTO,
) -> EffectResult:
    """Identify, estimate and refute the effect of treatment on outcome (see module docstring).

    treatment_value/control_value default to 1 vs 0 (binary), upper vs lower quartile
    (numeric) or the most common level vs all others (categorical; multi-label values mean
    "contains"). Not identifiable -> identified=False with a reason; bad input -> EffectError.
    """
    table = (
        table_or_dataset
        if isinstance(table_or_dataset, AnalysisTable)
        else build_analysis_table(table_or_dataset)
    )
    try:
        method = EffectMethod(method)
    except ValueError:
        raise MethodError(
            f"unknown method {method!r}; choose one of {[m.value for m in EffectMethod]}"
        ) from None
    try:
        source = Source(source)
    except ValueError:
        raise EffectError(f"unknown source {source!r}; choose auto, logged or random") from None
    known = sorted(set(table.variables) | set(graph.nodes))
    for name in (treatment, outcome):
        if name not in table.variables:
            raise UnknownVariableError(name, known)
    if treatment == outcome:
        raise EffectError("treatment and outcome must be different variables")
    given = dict(given or {})
    for col in given:
        if col not in table.variables:
            raise UnknownVariableError(col, table.variables, what="subgroup column")
        if col in (treatment, outcome):
            raise EffectError(
                f"the subgroup cannot be defined by the {'treatment' if col == treatment else 'outcome'} '{col}'"
            )
    y_spec = table.spec(outcome)
    if not y_spec.numeric:
        raise EffectError(
            f"outcome '{outcome}' is {y_spec.kind.value}; effects are differences in a numeric "
            "outcome (compare a 0/1 indicator instead)"
        )
    t_spec = table.spec(treatment)
    if t_spec.n_levels < 2 and t_spec.kind is not Kind.CONTINUOUS:
        raise ConstantColumnError(
            f"'{treatment}' is {t_spec.note or 'constant'}; there is nothing to compare"
        )
    if y_spec.n_levels < 2 and y_spec.kind is not Kind.CONTINUOUS:
        raise ConstantColumnError(f"'{outcome}' is {y_spec.note or 'constant'}")

    ident = identify(table, graph, treatment, outcome, given, source)
    base = dict(
        treatment=treatment,
        outcome=outcome,
        treatment_value=treatment_value,
        control_value=control_value,
        given=given,
    )
    if not ident.identified:
        return EffectResult(
            identified=False,
            estimate=None,
            ci_low=None,
            ci_high=None,
            method="none",
            adjustment_set=(),
            n=0,
            refutations=(),
            summary=f"The effect of {treatment} on {outcome} is not identified: {ident.reason}.",
            reason=ident.reason,
            source=ident.source.value if ident.source else None,
            notes=ident.notes,
            **base,
        )
    covariates = [*ident.adjustment_set, *ident.precision_set]
    setup = build_setup(
        table, treatment, outcome, ident, covariates, treatment_value, control_value, given
    )
    chosen = resolve_method(method, setup, ident.adjustment_set)
    estimator = get_estimator(chosen)
    run_setup = estimator.prepare(setup, ident.adjustment_set)
    rng = np.random.default_rng(seed)
    question = Question(table, graph, treatment, outcome, ident)
    est = run_method(chosen, run_setup, n_boot=max(int(n_boot), 0), rng=rng, question=question)
    if not np.isfinite(est.value):
        raise TooFewRowsError(
            f"the effect of '{treatment}' on '{outcome}' could not be estimated with "
            f"{chosen.value}: the rows used give no contrast between the groups"
        )
    refs: tuple[Refutation, ...] = ()
    if refutations and estimator.refutable:
        refs = refute(run_setup, chosen, t_spec, est, np.random.default_rng(seed + 1))
    used: tuple[str, ...] = run_setup.covariates
    notes = (*ident.notes, *est.notes)
    no_overlap = positivity_gap(setup)[0]
    caveat = overlap_caveat(setup)
    if caveat:
        notes = (*notes, caveat)
    summary = summary_text(
        treatment,
        outcome,
        setup.treatment_value,
        setup.control_value,
        est,
        chosen,
        used,
        run_setup.problem.n,
        ident.source,
        refs,
        y_spec,
        given,
        setup.continuous,
    )
    if caveat:
        summary = f"{summary} Caution: {caveat}."
    return EffectResult(
        identified=True,
        estimate=est.value,
        ci_low=est.ci_low,
        ci_high=est.ci_high,
        method=chosen.value,
        adjustment_set=tuple(used),
        n=run_setup.problem.n,
        refutations=refs,
        summary=summary,
        reason=ident.reason,
        treatment=treatment,
        outcome=outcome,
        treatment_value=setup.treatment_value,
        control_value=setup.control_value,
        given=given,
        source=ident.source.value if ident.source else None,
        notes=notes,
        no_overlap_share=float(no_overlap),
    )


OVERLAP_WARN_SHARE = 0.05


def positivity_gap(setup: Setup) -> tuple[float, tuple[int, ...]]:
    """Share of rows without support and the covariates at fault: a value seen in one arm
    only, or (continuous treatment) a value under which the dose never varies."""
    if setup.continuous:
        return dose_unsupported_share(setup.problem, setup.t_source)
    return unsupported_share(setup.problem)


def overlap_caveat(setup: Setup) -> str:
    """A plain-language positivity warning, or "" when the groups overlap well enough."""
    share, columns = positivity_gap(setup)
    if share < OVERLAP_WARN_SHARE:
        return ""
    names = ", ".join(setup.covariates[j] for j in columns)
    if setup.continuous:
        return (
            f"{share:.0%} of the rows have a value of {names} under which the treatment never "
            "varies, so the adjusted slope extrapolates there"
        )
    return (
        f"{share:.0%} of the rows have a value of {names} never seen in one of the two groups "
        "(no overlap), so any adjusted estimate extrapolates there"
    )


def summary_text(
    treatment: str,
    outcome: str,
    a: Any,
    b: Any,
    est: Estimate,
    method: EffectMethod,
    adjusted: Sequence[str],
    n: int,
    source: Source | None,
    refs: Sequence[Refutation],
    y_spec: VariableSpec,
    given: Mapping[str, Any],
    continuous: bool,
) -> str:
    """The one-paragraph answer a person reads (effect, interval, adjustment, checks)."""
    binary = y_spec.kind is Kind.BINARY
    scale, unit = (100.0, " percentage points") if binary else (1.0, "")
    what = f"'{outcome}'" + (" (probability)" if binary else "")
    contrast = (
        f"from {fmt_value(b)} to {fmt_value(a)}"
        if b is not None
        else f"to {fmt_value(a)} (vs any other value)"
    )
    sub = f" among rows with {', '.join(f'{k}={v}' for k, v in given.items())}" if given else ""
    ci = (
        f" (95% CI {est.ci_low * scale:+.3g} to {est.ci_high * scale:+.3g})"
        if np.isfinite(est.ci_low) and np.isfinite(est.ci_high)
        else ""
    )
    direction = "raises" if est.value > 0 else "lowers" if est.value < 0 else "does not change"
    significant = np.isfinite(est.ci_low) and (est.ci_low > 0 or est.ci_high < 0)
    hedge = "" if significant else "; the interval includes zero, so no clear effect"
    adj = f"adjusting for {', '.join(adjusted)}" if adjusted else "with no adjustment"
    passed = sum(r.passed for r in refs)
    checks = f"; {passed}/{len(refs)} refutation checks passed" if refs else ""
    return (
        f"Changing '{treatment}' {contrast}{sub} {direction} {what} by "
        f"{abs(est.value) * scale:.3g}{unit}{ci}{hedge}; {adj} ({get_estimator(method).description}, "
        f"{n} rows of the {source_name(source)}){checks}."
    )


__all__ = [
    "OVERLAP_WARN_SHARE",
    "estimate_effect",
    "overlap_caveat",
    "positivity_gap",
    "summary_text",
]
