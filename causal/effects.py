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

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.analysis_table import AnalysisTable, Frame, build_analysis_table
from causal.datasets.schema import Dataset, UnknownVariableError, closest_names
from causal.datasets.variables import MULTILABEL_SEPARATOR, Kind, Level, VariableSpec
from causal.structure.graph import CausalGraph

MIN_ROWS = 20
MIN_PER_ARM = 5
COVARIATE_BINS = 10  # quantile bins of a continuous adjustment variable


class EffectError(ValueError):
    """An effect question that cannot be asked of this data as posed."""


class ConstantColumnError(EffectError):
    """The treatment or outcome takes a single value in the rows used."""


class TooFewRowsError(EffectError):
    """Not enough rows (overall or in an arm) for the method."""


class BadValueError(EffectError):
    """A treatment, control or subgroup value that does not occur in the data."""


class MethodError(EffectError):
    """A method that does not apply to this treatment or outcome."""


class EffectMethod(StrEnum):
    """Estimators; ADJUSTMENT picks stratified when strata cover the data, else regression."""

    AUTO = "auto"
    NAIVE = "naive"
    ADJUSTMENT = "adjustment"
    STRATIFIED = "stratified"
    REGRESSION = "regression"
    IPW = "ipw"
    AIPW = "aipw"
    BN = "bn_do"


class Source(StrEnum):
    """Which log the outcomes come from."""

    AUTO = "auto"
    LOGGED = "logged"
    RANDOM = "random"


@dataclass(frozen=True)
class Refutation:
    """One refutation check: did the estimate survive it?"""

    name: str
    passed: bool
    detail: str = ""
    value: float | None = None


@dataclass(frozen=True)
class Identification:
    """The identify step's answer."""

    identified: bool
    reason: str
    adjustment_set: tuple[str, ...] = ()
    precision_set: tuple[str, ...] = ()
    source: Source | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EffectResult:
    """A typed effect answer; `to_json()` gives exactly the CLI contract's keys."""

    identified: bool
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    adjustment_set: tuple[str, ...]
    n: int
    refutations: tuple[Refutation, ...]
    summary: str
    reason: str
    treatment: str = ""
    outcome: str = ""
    treatment_value: Any = None
    control_value: Any = None
    given: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None
    notes: tuple[str, ...] = ()
    no_overlap_share: float = 0.0  # share of rows with an adjustment value seen in one arm only

    def to_json(self) -> dict[str, Any]:
        """{"identified", "estimate", "ci_low", "ci_high", "method", "adjustment_set", "n",
        "refutations": [{"name", "passed"}], "summary", "reason"}."""
        return {
            "identified": self.identified,
            "estimate": _num(self.estimate),
            "ci_low": _num(self.ci_low),
            "ci_high": _num(self.ci_high),
            "method": self.method,
            "adjustment_set": list(self.adjustment_set),
            "n": int(self.n),
            "refutations": [{"name": r.name, "passed": bool(r.passed)} for r in self.refutations],
            "summary": self.summary,
            "reason": self.reason,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-friendly (contract keys plus the question and details)."""
        out = self.to_json()
        out["refutations"] = [
            {"name": r.name, "passed": bool(r.passed), "detail": r.detail, "value": _num(r.value)}
            for r in self.refutations
        ]
        out.update(
            treatment=self.treatment,
            outcome=self.outcome,
            treatment_value=_plain(self.treatment_value),
            control_value=_plain(self.control_value),
            given={k: _plain(v) for k, v in self.given.items()},
            source=self.source,
            notes=list(self.notes),
        )
        return out


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if not np.isfinite(value) else round(value, 6)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


# ---------------------------------------------------------------------- values and subgroups
def parse_given(items: Iterable[str]) -> dict[str, str]:
    """Parse CLI `--given COL=VAL` strings into a dict (EffectError when malformed)."""
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise EffectError(f"--given expects COL=VAL, got {item!r}")
        col, _, val = item.partition("=")
        col, val = col.strip(), val.strip()
        if not col or not val:
            raise EffectError(f"--given expects COL=VAL with both parts, got {item!r}")
        out[col] = val
    return out


_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$")
_CMP = re.compile(r"^\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


def match_value(
    spec: VariableSpec, series: pd.Series, value: Any, *, allow_ranges: bool = False
) -> np.ndarray:
    """Rows whose value equals `value` (multi-label: contains it; numeric ranges if allowed)."""
    if spec.kind is Kind.MULTILABEL:
        want = str(value).strip().lower()
        return (
            series.fillna("")
            .astype(str)
            .map(lambda v: want in [p.strip().lower() for p in v.split(MULTILABEL_SEPARATOR)])
            .to_numpy(dtype=bool)
        )
    numeric_col = pd.api.types.is_numeric_dtype(series.dtype)
    if numeric_col:
        vals = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        text = str(value).strip()
        if allow_ranges:
            m = _RANGE.match(text)
            if m:
                lo, hi = float(m.group(1)), float(m.group(2))
                return (vals >= lo) & (vals <= hi)
            m = _CMP.match(text)
            if m:
                op, ref = m.group(1), float(m.group(2))
                return {"<": vals < ref, "<=": vals <= ref, ">": vals > ref, ">=": vals >= ref}[op]
        try:
            target = float(text)
        except ValueError:
            raise BadValueError(
                f"'{spec.name}' is numeric; {value!r} is not a number"
                + (" or a range like 25-34" if allow_ranges else "")
            ) from None
        return np.isclose(vals, target) & ~np.isnan(vals)
    text = series.astype(object).where(series.notna(), None)
    exact = text.map(lambda v: v is not None and str(v) == str(value)).to_numpy(dtype=bool)
    if exact.any():
        return exact
    want = str(value).strip().lower()
    return text.map(lambda v: v is not None and str(v).strip().lower() == want).to_numpy(dtype=bool)


def _known_values(spec: VariableSpec, series: pd.Series, limit: int = 12) -> str:
    if spec.kind is Kind.MULTILABEL:
        labels = sorted(
            {p.strip() for v in series.dropna().astype(str) for p in v.split(MULTILABEL_SEPARATOR)}
        )
    else:
        labels = [str(v) for v in pd.unique(series.dropna())]
        try:
            labels = [f"{float(v):g}" for v in sorted(float(v) for v in labels)]
        except ValueError:
            labels = sorted(labels)
    more = " ..." if len(labels) > limit else ""
    return ", ".join(labels[:limit]) + more


def _fmt_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


# ---------------------------------------------------------------------- identify
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
            f"'{treatment}' is not recorded in the {_source_name(chosen)}, where '{outcome}' comes from",
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
            f"no set of variables available in the {_source_name(chosen)} blocks every backdoor "
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


def _source_name(source: Source | None) -> str:
    return "random-exposure log" if source is Source.RANDOM else "logged interactions"


# ---------------------------------------------------------------------- estimate
@dataclass(frozen=True)
class _Setup:
    """Everything the estimators need, built once per question."""

    problem: Any  # estimators.Problem
    t_source: np.ndarray
    t_target: np.ndarray
    source_frame: pd.DataFrame
    target_frame: pd.DataFrame
    covariates: tuple[str, ...]
    treatment_value: Any
    control_value: Any
    continuous: bool
    delta: float


def _default_values(spec: VariableSpec, series: pd.Series) -> tuple[Any, Any]:
    if spec.kind is Kind.BINARY:
        return 1, 0
    if spec.numeric:
        vals = pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=float)
        if len(vals) == 0:
            raise ConstantColumnError(f"'{spec.name}' has no values in the rows used")
        lo, hi = np.quantile(vals, [0.25, 0.75], method="nearest")
        if lo == hi:
            lo, hi = float(vals.min()), float(vals.max())
        return _clean_number(hi), _clean_number(lo)
    if spec.kind is Kind.MULTILABEL:
        labels = series.dropna().astype(str).str.split(MULTILABEL_SEPARATOR).explode().str.strip()
        return labels.value_counts().index[0], None
    return series.dropna().astype(str).value_counts().index[0], None


def _clean_number(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(float(v), 4)


def _subset(frame: pd.DataFrame, table: AnalysisTable, given: Mapping[str, Any]) -> pd.DataFrame:
    mask = np.ones(len(frame), dtype=bool)
    for col, val in given.items():
        spec = table.spec(col)
        if col not in frame.columns:
            raise EffectError(f"subgroup column '{col}' is not recorded in this log")
        mask &= match_value(spec, frame[col], val, allow_ranges=True)
    return frame[mask]


def _fine_bins(
    source: pd.Series, target: pd.Series, n_bins: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Quantile codes of a continuous covariate on source and target rows (-1 when missing)."""
    xs = pd.to_numeric(source, errors="coerce").to_numpy(dtype=float)
    xt = pd.to_numeric(target, errors="coerce").to_numpy(dtype=float)
    both = np.concatenate([xs, xt])
    both = both[~np.isnan(both)]
    if len(both) == 0:
        return np.full(len(xs), -1), np.full(len(xt), -1), 1
    edges = np.unique(np.quantile(both, np.linspace(0, 1, n_bins + 1)[1:-1]))

    def code(x: np.ndarray) -> np.ndarray:
        out = np.searchsorted(edges, np.nan_to_num(x), side="right").astype(np.int64)
        return np.where(np.isnan(x), -1, out)

    return code(xs), code(xt), len(edges) + 1


def _cluster_column(spec: VariableSpec) -> str:
    return "item_id" if spec.level is Level.ITEM else "user_id"


def _build_setup(
    table: AnalysisTable,
    treatment: str,
    outcome: str,
    ident: Identification,
    covariates: Sequence[str],
    treatment_value: Any,
    control_value: Any,
    given: Mapping[str, Any],
) -> _Setup:
    from causal.estimators import Arms, Problem

    t_spec = table.spec(treatment)
    src_frame = table.frame(Frame.RANDOM if ident.source is Source.RANDOM else Frame.ROWS)
    tgt_frame = table.rows
    src = _subset(src_frame, table, given)
    tgt = _subset(tgt_frame, table, given) if ident.source is Source.RANDOM else src
    if given and len(src) == 0:
        raise TooFewRowsError(
            f"no rows in the subgroup {', '.join(f'{k}={v}' for k, v in given.items())}"
        )
    y_all = pd.to_numeric(src[outcome], errors="coerce")
    keep = y_all.notna().to_numpy().copy()
    if t_spec.kind is Kind.CONTINUOUS:  # a dose needs a value; rows without one say nothing
        keep &= pd.to_numeric(src[treatment], errors="coerce").notna().to_numpy()
    if not keep.all():
        src = src[keep]
        if ident.source is not Source.RANDOM:
            tgt = src
    if len(src) < MIN_ROWS:
        raise TooFewRowsError(
            f"only {len(src)} rows have '{outcome}' here; the estimate needs at least {MIN_ROWS}"
        )
    y = pd.to_numeric(src[outcome], errors="coerce").to_numpy(dtype=float)
    if np.nanstd(y) == 0:
        raise ConstantColumnError(f"'{outcome}' is constant ({_fmt_value(y[0])}) in the rows used")
    t_raw = src[treatment]
    if t_raw.dropna().nunique() < 2:
        only = t_raw.dropna().unique()
        raise ConstantColumnError(
            f"'{treatment}' takes a single value"
            + (f" ({_fmt_value(only[0])})" if len(only) else "")
            + " in the rows used, so there is nothing to compare"
        )
    continuous = t_spec.kind is Kind.CONTINUOUS
    if treatment_value is None and control_value is not None:
        raise BadValueError("give --treatment-value together with --control-value")
    if treatment_value is None:
        treatment_value, control_value = _default_values(t_spec, t_raw)
    if control_value is None and t_spec.numeric:
        raise BadValueError(f"'{treatment}' is numeric: give a control value to compare with")
    cards = []
    xs_cols, xt_cols = [], []
    codes_src = table.codes(Frame.RANDOM if ident.source is Source.RANDOM else Frame.ROWS).loc[
        src.index
    ]
    codes_tgt = table.codes(Frame.ROWS).loc[tgt.index]
    for c in covariates:
        k = max(table.spec(c).n_levels, 1)
        a = codes_src[c].to_numpy(dtype=np.int64)
        b = codes_tgt[c].to_numpy(dtype=np.int64)
        if table.spec(c).kind is Kind.CONTINUOUS:
            # Deciles rather than the discovery's quintiles: less confounding left inside a bin.
            a, b, k = _fine_bins(src[c], tgt[c], COVARIATE_BINS)
        if (a < 0).any() or (b < 0).any():
            a = np.where(a < 0, k, a)
            b = np.where(b < 0, k, b)
            k += 1
        cards.append(k)
        xs_cols.append(a)
        xt_cols.append(b)
    x_src = np.column_stack(xs_cols) if xs_cols else np.zeros((len(src), 0), dtype=np.int64)
    x_tgt = np.column_stack(xt_cols) if xt_cols else np.zeros((len(tgt), 0), dtype=np.int64)
    cluster_col = _cluster_column(t_spec)
    ids = pd.concat([src[cluster_col], tgt[cluster_col]], ignore_index=True)
    cluster_ids, uniques = pd.factorize(ids)
    cl_src = cluster_ids[: len(src)].astype(np.int64)
    cl_tgt = cluster_ids[len(src) :].astype(np.int64)
    if continuous:
        try:
            a_val, b_val = float(treatment_value), float(control_value)
        except (TypeError, ValueError):
            raise BadValueError(f"'{treatment}' is numeric; values must be numbers") from None
        arms_src = np.zeros(len(src), dtype=np.int64)
        arms_tgt = np.zeros(len(tgt), dtype=np.int64)
        delta = a_val - b_val
        if delta == 0:
            raise BadValueError("treatment and control values are the same")
    else:
        m1 = match_value(t_spec, t_raw, treatment_value)
        if control_value is None:
            m0 = ~m1 & t_raw.notna().to_numpy()
        else:
            m0 = match_value(t_spec, t_raw, control_value)
            if t_spec.kind is Kind.MULTILABEL:
                m1, m0 = m1 & ~m0, m0 & ~m1
        if str(treatment_value) == str(control_value):
            raise BadValueError("treatment and control values are the same")
        for label, mask, value in (
            ("treatment", m1, treatment_value),
            ("control", m0, control_value),
        ):
            if value is not None and not mask.any():
                known = _known_values(t_spec, t_raw, limit=10_000).split(", ")
                close = closest_names(str(value), known)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise BadValueError(
                    f"no rows with {treatment} = {_fmt_value(value)!r}{hint} "
                    f"(values here: {_known_values(t_spec, t_raw)})"
                )
            if mask.sum() < MIN_PER_ARM:
                raise TooFewRowsError(
                    f"only {int(mask.sum())} rows in the {label} group "
                    f"({treatment} {'=' if value is not None else '!='} "
                    f"{_fmt_value(value if value is not None else treatment_value)}); "
                    f"the estimate needs at least {MIN_PER_ARM}"
                )
        arms_src = np.where(m1, 1, np.where(m0, 0, 2)).astype(np.int64)
        if ident.source is Source.RANDOM:
            t1 = match_value(t_spec, tgt[treatment], treatment_value)
            t0 = (
                ~t1 if control_value is None else match_value(t_spec, tgt[treatment], control_value)
            )
            arms_tgt = np.where(t1, 1, np.where(t0, 0, 2)).astype(np.int64)
        else:
            arms_tgt = arms_src
        delta = 1.0
    problem = Problem(
        arms=Arms(arms_src, arms_tgt),
        y=y,
        x_source=x_src,
        x_target=x_tgt,
        cards=tuple(cards),
        cluster_source=cl_src,
        cluster_target=cl_tgt,
        n_clusters=len(uniques),
        transported=ident.source is Source.RANDOM,
        n_confounders=len([c for c in covariates if c in ident.adjustment_set]),
    )
    t_src = pd.to_numeric(t_raw, errors="coerce").to_numpy(dtype=float) if continuous else arms_src
    return _Setup(
        problem=problem,
        t_source=t_src,
        t_target=arms_tgt,
        source_frame=src,
        target_frame=tgt,
        covariates=tuple(covariates),
        treatment_value=treatment_value,
        control_value=control_value,
        continuous=continuous,
        delta=delta,
    )


def _run_method(
    method: EffectMethod,
    setup: _Setup,
    *,
    n_boot: int,
    rng: np.random.Generator,
    bn: tuple[AnalysisTable, CausalGraph, str, str, Identification] | None = None,
):
    from causal import estimators as est

    p = setup.problem
    if setup.continuous:
        if method in (EffectMethod.NAIVE,):
            return est.linear_dose(
                setup.t_source,
                p.y,
                p.x_source,
                p.cards,
                p.cluster_source,
                p.n_clusters,
                setup.delta,
                n_boot=n_boot,
                rng=rng,
                adjust=False,
            )
        return est.linear_dose(
            setup.t_source,
            p.y,
            p.x_source,
            p.cards,
            p.cluster_source,
            p.n_clusters,
            setup.delta,
            n_boot=n_boot,
            rng=rng,
        )
    if method is EffectMethod.NAIVE:
        return est.naive(p, n_boot=n_boot, rng=rng)
    if method is EffectMethod.IPW:
        return est.aipw(p, n_boot=n_boot, rng=rng, ipw_only=True)
    if method is EffectMethod.AIPW:
        return est.aipw(p, n_boot=n_boot, rng=rng)
    if method is EffectMethod.STRATIFIED:
        return est.regression(p, n_boot=n_boot, rng=rng, stratified=True)
    if method is EffectMethod.REGRESSION:
        return est.regression(p, n_boot=n_boot, rng=rng)
    if method is EffectMethod.BN:
        if bn is None:
            raise MethodError("bn_do needs the table and graph")
        return _bn_do(setup, *bn, n_boot=n_boot, rng=rng)
    raise MethodError(f"unknown method {method}")


def _resolve_method(
    method: EffectMethod, setup: _Setup, confounders: Sequence[str]
) -> EffectMethod:
    from causal import estimators as est

    if setup.continuous:
        if method in (EffectMethod.AUTO, EffectMethod.ADJUSTMENT, EffectMethod.REGRESSION):
            return EffectMethod.REGRESSION
        if method is EffectMethod.NAIVE:
            return EffectMethod.NAIVE
        raise MethodError(
            f"method '{method.value}' needs a discrete treatment; this one is continuous "
            "(use regression, or compare two observed values of a binned variable)"
        )
    if method is EffectMethod.AUTO:
        return EffectMethod.AIPW
    if method is EffectMethod.ADJUSTMENT:
        sub = _restrict(setup, confounders)
        return (
            EffectMethod.STRATIFIED
            if est.stratified_coverage(sub.problem) >= 0.95
            else EffectMethod.REGRESSION
        )
    return method


def _restrict(setup: _Setup, names: Sequence[str]) -> _Setup:
    """The same setup with only some covariates."""
    from dataclasses import replace

    keep = [setup.covariates.index(n) for n in names if n in setup.covariates]
    p = setup.problem
    cards = tuple(p.cards[k] for k in keep)
    problem = replace(
        p,
        x_source=p.x_source[:, keep] if keep else np.zeros((p.n, 0), dtype=np.int64),
        x_target=p.x_target[:, keep] if keep else np.zeros((len(p.x_target), 0), dtype=np.int64),
        cards=cards,
        n_confounders=len([k for k in keep if k < p.n_confounders]),
        cache={},
    )
    return replace(setup, problem=problem, covariates=tuple(names))


def _bn_do(
    setup: _Setup,
    table: AnalysisTable,
    graph: CausalGraph,
    treatment: str,
    outcome: str,
    ident: Identification,
    *,
    n_boot: int,
    rng: np.random.Generator,
):
    """pgmpy do-query on a discrete Bayesian network over confounders, treatment and outcome."""
    import logging
    import warnings

    from pgmpy.inference import CausalInference
    from pgmpy.models import DiscreteBayesianNetwork
    from pgmpy.parameter_estimator import DiscreteBayesianEstimator

    from causal.estimators import Estimate

    y_spec = table.spec(outcome)
    if not y_spec.numeric:
        raise MethodError("bn_do needs a numeric outcome")
    if setup.control_value is None:
        raise MethodError("bn_do needs an explicit control value (do(T = B))")
    frame = Frame.RANDOM if ident.source is Source.RANDOM else Frame.ROWS
    codes = table.codes(frame).loc[setup.source_frame.index]
    t_spec = table.spec(treatment)
    a_code = _code_of(t_spec, setup.treatment_value)
    b_code = _code_of(t_spec, setup.control_value)
    # The backdoor network: confounders -> treatment, confounders and treatment -> outcome.
    # (Fitting the whole ancestral graph gives the outcome a CPT too sparse to estimate.)
    adjustment = [c for c in ident.adjustment_set if c in codes.columns]
    nodes = [*adjustment, treatment, outcome]
    edges = [(c, treatment) for c in adjustment] + [(c, outcome) for c in adjustment]
    edges.append((treatment, outcome))
    data = codes[nodes]
    data = data[(data >= 0).all(axis=1)]
    values = np.asarray(y_spec.values, dtype=float)

    def fit_query(frame_codes: pd.DataFrame) -> float:
        model = DiscreteBayesianNetwork(edges)
        model.add_nodes_from(nodes)
        states = {n: list(range(max(table.spec(n).n_levels, 1))) for n in nodes}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logging.getLogger("pgmpy").setLevel(logging.ERROR)
            model.fit(
                frame_codes,
                estimator=DiscreteBayesianEstimator(
                    prior_type="BDeu", equivalent_sample_size=1, state_names=states
                ),
            )
            ci = CausalInference(model)
            out = []
            for code in (a_code, b_code):
                dist = ci.query(
                    [outcome],
                    do={treatment: code},
                    adjustment_set=set(adjustment),
                    show_progress=False,
                )
                probs = np.asarray(dist.values, dtype=float)
                names = dist.state_names[outcome]
                out.append(
                    float(sum(values[int(s)] * pr for s, pr in zip(names, probs, strict=True)))
                )
        return out[0] - out[1]

    value = fit_query(data)
    b = min(n_boot, 20)
    boots = []
    for _ in range(b):
        idx = rng.integers(0, len(data), size=len(data))
        boots.append(fit_query(data.iloc[idx]))
    lo, hi = np.percentile(boots, [2.5, 97.5]) if len(boots) >= 2 else (np.nan, np.nan)
    return Estimate(
        value, float(lo), float(hi), b, (f"interval from {b} bootstrap refits of the network",)
    )


def _code_of(spec: VariableSpec, value: Any) -> int:
    if spec.numeric and spec.kind is not Kind.CONTINUOUS:
        lookup = np.asarray(spec.values)
        hit = np.flatnonzero(np.isclose(lookup, float(value)))
        if len(hit):
            return int(hit[0])
    labels = [lab.lower() for lab in spec.labels]
    text = str(value).strip().lower()
    if text in labels:
        return labels.index(text)
    raise MethodError(f"bn_do cannot map {spec.name} = {value!r} to a level of the network")


# ---------------------------------------------------------------------- refute
def _placebo(
    setup: _Setup, method: EffectMethod, t_spec: VariableSpec, rng: np.random.Generator, draws: int
) -> list[float]:
    from dataclasses import replace

    from causal.estimators import Arms

    p = setup.problem
    out = []
    for _ in range(draws):
        if setup.continuous:
            perm = _permute_by_cluster(setup.t_source, p.cluster_source, t_spec, rng)
            alt = replace(setup, t_source=perm)
        else:
            perm = _permute_by_cluster(p.arms.source, p.cluster_source, t_spec, rng)
            arms_tgt = perm if not p.transported else p.arms.target
            # Covariate cells and transport weights do not depend on the arms: share them.
            alt = replace(setup, problem=replace(p, arms=Arms(perm, arms_tgt), cache=p.cache))
        try:
            out.append(_run_method(method, alt, n_boot=0, rng=rng).value)
        except (ValueError, np.linalg.LinAlgError):
            continue
    return [v for v in out if np.isfinite(v)]


def _permute_by_cluster(
    values: np.ndarray, clusters: np.ndarray, spec: VariableSpec, rng: np.random.Generator
) -> np.ndarray:
    if spec.level is Level.INTERACTION:
        return rng.permutation(values)
    # One value per cluster (the treatment is an attribute of the user or item): permute those.
    first = {}
    for c, v in zip(clusters.tolist(), values.tolist(), strict=True):
        first.setdefault(c, v)
    keys = np.array(list(first))
    vals = np.array([first[k] for k in keys])
    shuffled = dict(zip(keys.tolist(), rng.permutation(vals).tolist(), strict=True))
    return np.array([shuffled[c] for c in clusters.tolist()], dtype=values.dtype)


def refute(
    setup: _Setup,
    method: EffectMethod,
    t_spec: VariableSpec,
    estimate: Any,
    rng: np.random.Generator,
    *,
    budget_s: float = 1.5,
) -> tuple[Refutation, ...]:
    """Placebo treatment, random common cause and data-subset checks of one estimate."""
    from dataclasses import replace

    value, lo, hi = estimate.value, estimate.ci_low, estimate.ci_high
    if not (np.isfinite(value) and np.isfinite(lo) and np.isfinite(hi)):
        return tuple(
            Refutation(name, False, "no interval to compare with")
            for name in ("placebo_treatment", "random_common_cause", "data_subset")
        )
    half = max((hi - lo) / 2.0, 1e-12)
    excludes_zero = lo > 0 or hi < 0
    started = time.perf_counter()
    _run_method(method, setup, n_boot=0, rng=rng)
    one = max(time.perf_counter() - started, 1e-3)
    draws = int(np.clip(budget_s * 0.6 / one, 5, 19))
    placebo = _placebo(setup, method, t_spec, rng, draws)
    if not placebo:
        pl = Refutation("placebo_treatment", False, "placebo estimates could not be computed")
    else:
        arr = np.abs(np.asarray(placebo))
        level = (
            "users"
            if t_spec.level is Level.USER
            else "items"
            if t_spec.level is Level.ITEM
            else "rows"
        )
        if excludes_zero:
            passed = abs(value) > float(arr.max())
            detail = (
                f"permuting the treatment across {level} {len(placebo)} times gives effects up to "
                f"{arr.max():.3g}; the estimate {value:.3g} "
                + ("stands out" if passed else "does not stand out")
            )
        else:
            mean = float(np.mean(placebo))
            passed = abs(mean) <= half
            detail = (
                f"placebo effects average {mean:.3g} (no effect claimed; the pipeline adds no bias)"
            )
        pl = Refutation("placebo_treatment", bool(passed), detail, float(np.mean(placebo)))
    # Random common cause: one more covariate of pure noise.
    p = setup.problem
    if setup.continuous or p.x_source.shape[1] >= 0:
        noise_s = rng.integers(0, 2, size=p.n)
        noise_t = noise_s if not p.transported else rng.integers(0, 2, size=len(p.x_target))
        alt_problem = replace(
            p,
            x_source=np.column_stack([noise_s, p.x_source]),
            x_target=np.column_stack([noise_t, p.x_target]),
            cards=(2, *p.cards),
            n_confounders=p.n_confounders + 1,
            cache={},
        )
        alt = replace(setup, problem=alt_problem, covariates=("_random", *setup.covariates))
        try:
            new = _run_method(method, alt, n_boot=0, rng=rng).value
            moved = abs(new - value)
            ok = moved <= 0.5 * half
            rcc = Refutation(
                "random_common_cause",
                bool(ok),
                f"adding a random covariate moves the estimate to {new:.3g}",
                float(new),
            )
        except (ValueError, np.linalg.LinAlgError) as exc:
            rcc = Refutation("random_common_cause", False, f"failed: {exc}")
    # Data subsets: 80% of the clusters, five times.
    subs = []
    for _ in range(5):
        keep_clusters = rng.random(p.n_clusters) < 0.8
        ks = keep_clusters[p.cluster_source]
        kt = keep_clusters[p.cluster_target]
        if ks.sum() < MIN_ROWS:
            continue
        sub_problem = replace(
            p,
            arms=type(p.arms)(p.arms.source[ks], p.arms.target[kt]),
            y=p.y[ks],
            x_source=p.x_source[ks],
            x_target=p.x_target[kt],
            cluster_source=p.cluster_source[ks],
            cluster_target=p.cluster_target[kt],
            cache={},
        )
        alt = replace(setup, problem=sub_problem, t_source=setup.t_source[ks])
        try:
            v = _run_method(method, alt, n_boot=0, rng=rng).value
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(v):
            subs.append(v)
    if subs:
        worst = max(abs(v - value) for v in subs)
        # An 80% subset moves an estimate by about half a standard error; allow twice that
        # margin beyond the interval before calling the estimate unstable.
        ok = all(lo - 0.5 * half <= v <= hi + 0.5 * half for v in subs)
        ds = Refutation(
            "data_subset",
            bool(ok),
            f"estimates on {len(subs)} random 80% subsets range {min(subs):.3g} to {max(subs):.3g}",
            float(worst),
        )
    else:
        ds = Refutation("data_subset", False, "subset estimates could not be computed")
    return (pl, rcc, ds)


# ---------------------------------------------------------------------- the entry point
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
    setup = _build_setup(
        table, treatment, outcome, ident, covariates, treatment_value, control_value, given
    )
    chosen = _resolve_method(method, setup, ident.adjustment_set)
    run_setup = setup
    if chosen in (EffectMethod.STRATIFIED, EffectMethod.IPW):
        run_setup = _restrict(setup, ident.adjustment_set)
    if chosen is EffectMethod.NAIVE:
        run_setup = _restrict(setup, [])
    rng = np.random.default_rng(seed)
    bn = (table, graph, treatment, outcome, ident) if chosen is EffectMethod.BN else None
    est = _run_method(chosen, run_setup, n_boot=max(int(n_boot), 0), rng=rng, bn=bn)
    if not np.isfinite(est.value):
        raise TooFewRowsError(
            f"the effect of '{treatment}' on '{outcome}' could not be estimated with "
            f"{chosen.value}: the rows used give no contrast between the groups"
        )
    refs: tuple[Refutation, ...] = ()
    if refutations and chosen is not EffectMethod.BN:
        refs = refute(run_setup, chosen, t_spec, est, np.random.default_rng(seed + 1))
    used: tuple[str, ...] = run_setup.covariates
    if chosen is EffectMethod.NAIVE:
        used = ()
    elif chosen is EffectMethod.BN:
        used = tuple(ident.adjustment_set)
    notes = (*ident.notes, *est.notes)
    from causal.estimators import unsupported_share

    no_overlap = unsupported_share(setup.problem)[0]
    overlap_caveat = _overlap_caveat(setup)
    if overlap_caveat:
        notes = (*notes, overlap_caveat)
    summary = _summary(
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
    if overlap_caveat:
        summary = f"{summary} Caution: {overlap_caveat}."
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


_METHOD_NAMES = {
    EffectMethod.AIPW: "doubly robust AIPW",
    EffectMethod.IPW: "inverse propensity weighting",
    EffectMethod.REGRESSION: "regression adjustment",
    EffectMethod.STRATIFIED: "stratified adjustment",
    EffectMethod.NAIVE: "naive difference in means",
    EffectMethod.BN: "do-query on a fitted Bayesian network",
}


OVERLAP_WARN_SHARE = 0.05


def _overlap_caveat(setup: _Setup) -> str:
    """A plain-language positivity warning, or "" when the groups overlap well enough."""
    from causal.estimators import unsupported_share

    share, columns = unsupported_share(setup.problem)
    if share < OVERLAP_WARN_SHARE:
        return ""
    names = ", ".join(setup.covariates[j] for j in columns)
    return (
        f"{share:.0%} of the rows have a value of {names} never seen in one of the two groups "
        "(no overlap), so any adjusted estimate extrapolates there"
    )


def _summary(
    treatment: str,
    outcome: str,
    a: Any,
    b: Any,
    est: Any,
    method: EffectMethod,
    adjusted: Sequence[str],
    n: int,
    source: Source | None,
    refs: Sequence[Refutation],
    y_spec: VariableSpec,
    given: Mapping[str, Any],
    continuous: bool,
) -> str:
    binary = y_spec.kind is Kind.BINARY
    scale, unit = (100.0, " percentage points") if binary else (1.0, "")
    what = f"'{outcome}'" + (" (probability)" if binary else "")
    contrast = (
        f"from {_fmt_value(b)} to {_fmt_value(a)}"
        if b is not None
        else f"to {_fmt_value(a)} (vs any other value)"
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
        f"{abs(est.value) * scale:.3g}{unit}{ci}{hedge}; {adj} ({_METHOD_NAMES[method]}, "
        f"{n} rows of the {_source_name(source)}){checks}."
    )


__all__ = [
    "BadValueError",
    "ConstantColumnError",
    "EffectError",
    "EffectMethod",
    "EffectResult",
    "Identification",
    "MethodError",
    "Refutation",
    "Source",
    "TooFewRowsError",
    "choose_source",
    "estimate_effect",
    "identify",
    "match_value",
    "parse_given",
    "refute",
]
