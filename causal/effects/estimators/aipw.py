"""AIPW (doubly robust) and Hajek IPW, averaged over the target rows, refit per bootstrap replicate."""

from __future__ import annotations

import numpy as np

from causal.effects.bootstrap import BOOT_BUDGET_S, bootstrap, percentile_ci
from causal.effects.models import E_MIN, outcome_model, propensity_model, transport_weights
from causal.effects.problem import Estimate, Problem


def _arm_count(p: Problem) -> int:
    return 3 if (p.arms.source == 2).any() else 2


def _aipw_value(p: Problem, ws: np.ndarray, wt: np.ndarray, ipw_only: bool) -> tuple[float, float]:
    """AIPW (or Hajek IPW) fitted with row weights; returns (estimate, share at the floor)."""
    a = p.arms.source
    if not (ws[a == 1].sum() > 0 and ws[a == 0].sum() > 0):
        return float("nan"), 0.0  # a bootstrap replicate that drew no treated or no control rows
    conf = p.cells(confounders_only=True)
    cells = p.cells()
    a = p.arms.source
    e = propensity_model(
        conf, a, _arm_count(p), clusters=conf.clusters_per_cell(p.cluster_source), w=ws
    )
    es = e[conf.source]
    floor = float((np.minimum(es[:, 0], es[:, 1]) <= E_MIN + 1e-12).mean())
    w_t = transport_weights(cells, ws=ws, wt=wt)[cells.source] if p.transported else np.ones(p.n)
    if ipw_only:
        t1 = ws * w_t * (a == 1) / es[:, 1]
        t0 = ws * w_t * (a == 0) / es[:, 0]
        den1, den0 = np.sum(t1), np.sum(t0)
        if den1 <= 0 or den0 <= 0:
            return float("nan"), floor
        return float(np.sum(t1 * p.y) / den1 - np.sum(t0 * p.y) / den0), floor
    mu1 = outcome_model(cells, a, p.y, 1, ws, clusters=cells.arm_clusters(a, 1, p.cluster_source))
    mu0 = outcome_model(cells, a, p.y, 0, ws, clusters=cells.arm_clusters(a, 0, p.cluster_source))
    ms = cells.source
    resid = w_t * ((a == 1) * (p.y - mu1[ms]) / es[:, 1] - (a == 0) * (p.y - mu0[ms]) / es[:, 0])
    den_t, den_s = np.sum(wt), np.sum(ws * w_t)
    if den_t <= 0 or den_s <= 0:
        return float("nan"), floor
    m_target = (mu1 - mu0)[cells.target]
    return float(np.sum(wt * m_target) / den_t + np.sum(ws * resid) / den_s), floor


def aipw(
    p: Problem,
    *,
    n_boot: int,
    rng: np.random.Generator,
    ipw_only: bool = False,
    budget_s: float = BOOT_BUDGET_S,
) -> Estimate:
    """Doubly robust AIPW (or Hajek IPW with ipw_only) averaged over the target rows.

    The propensity uses the confounders only (the first `n_confounders` covariates); the
    outcome model uses all covariates. The bootstrap refits every model on each replicate
    (the cell models adapt to the users and items in the sample, so reweighting fixed
    per-row terms would understate the uncertainty); replicates stop at `budget_s`.
    """
    value, floor = _aipw_value(p, np.ones(p.n), np.ones(len(p.arms.target)), ipw_only)
    notes = []
    if floor > 0.05:
        notes.append(
            f"{floor:.0%} of rows have a propensity at the {E_MIN} floor (weak overlap); "
            "the estimate leans on the outcome model there"
        )
    boots = bootstrap(lambda ws, wt: _aipw_value(p, ws, wt, ipw_only)[0], p, n_boot, rng, budget_s)
    lo, hi = percentile_ci(boots)
    return Estimate(value, lo, hi, len(boots), tuple(notes))


__all__ = ["aipw"]
