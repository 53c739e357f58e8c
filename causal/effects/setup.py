"""The numeric question behind an identified effect: arms, outcome, covariate codes, clusters.

Why: every estimator and refuter works on the same `Setup`, built once per question from the
table (subgroup rows, treatment and control arms, covariate codes, the cluster each row's
treatment lives on), so they differ only in how they estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.analysis_table import AnalysisTable, Frame
from causal.datasets.schema import closest_names
from causal.datasets.variables import Kind, Level, VariableSpec
from causal.effects.errors import BadValueError, ConstantColumnError, EffectError, TooFewRowsError
from causal.effects.problem import Arms, Problem
from causal.effects.results import Identification, Source
from causal.effects.values import default_values, fmt_value, known_values, match_value
from causal.structure.graph import CausalGraph

MIN_ROWS = 20
MIN_PER_ARM = 5
COVARIATE_BINS = 10  # quantile bins of a continuous adjustment variable


@dataclass(frozen=True)
class Question:
    """What some estimators need beyond the setup: the table, graph and identification."""

    table: AnalysisTable
    graph: CausalGraph
    treatment: str
    outcome: str
    ident: Identification


@dataclass(frozen=True)
class Setup:
    """Everything the estimators need, built once per question."""

    problem: Problem
    t_source: np.ndarray
    t_target: np.ndarray
    source_frame: pd.DataFrame
    target_frame: pd.DataFrame
    covariates: tuple[str, ...]
    treatment_value: Any
    control_value: Any
    continuous: bool
    delta: float


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


def cluster_column(spec: VariableSpec) -> str:
    """The column whose values the bootstrap resamples: items for an item attribute, else users."""
    return "item_id" if spec.level is Level.ITEM else "user_id"


def build_setup(
    table: AnalysisTable,
    treatment: str,
    outcome: str,
    ident: Identification,
    covariates: Sequence[str],
    treatment_value: Any,
    control_value: Any,
    given: Mapping[str, Any],
) -> Setup:
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
        raise ConstantColumnError(f"'{outcome}' is constant ({fmt_value(y[0])}) in the rows used")
    t_raw = src[treatment]
    if t_raw.dropna().nunique() < 2:
        only = t_raw.dropna().unique()
        raise ConstantColumnError(
            f"'{treatment}' takes a single value"
            + (f" ({fmt_value(only[0])})" if len(only) else "")
            + " in the rows used, so there is nothing to compare"
        )
    continuous = t_spec.kind is Kind.CONTINUOUS
    if treatment_value is None and control_value is not None:
        raise BadValueError("give --treatment-value together with --control-value")
    if treatment_value is None:
        treatment_value, control_value = default_values(t_spec, t_raw)
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
    cluster_col = cluster_column(t_spec)
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
                known = known_values(t_spec, t_raw, limit=10_000).split(", ")
                close = closest_names(str(value), known)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise BadValueError(
                    f"no rows with {treatment} = {fmt_value(value)!r}{hint} "
                    f"(values here: {known_values(t_spec, t_raw)})"
                )
            if mask.sum() < MIN_PER_ARM:
                raise TooFewRowsError(
                    f"only {int(mask.sum())} rows in the {label} group "
                    f"({treatment} {'=' if value is not None else '!='} "
                    f"{fmt_value(value if value is not None else treatment_value)}); "
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
    return Setup(
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


def restrict(setup: Setup, names: Sequence[str]) -> Setup:
    """The same setup with only some covariates."""
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


__all__ = [
    "COVARIATE_BINS",
    "MIN_PER_ARM",
    "MIN_ROWS",
    "Question",
    "Setup",
    "build_setup",
    "cluster_column",
    "restrict",
]
