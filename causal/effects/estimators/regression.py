"""Regression (g-computation) and stratified adjustment over covariate cells."""

from __future__ import annotations

import numpy as np

from causal.effects.bootstrap import BOOT_BUDGET_S, bootstrap, percentile_ci
from causal.effects.models import SHRINK, outcome_model
from causal.effects.problem import Estimate, Problem


def regression(
    p: Problem, *, n_boot: int, rng: np.random.Generator, stratified: bool = False
) -> Estimate:
    """g-computation: average over target rows of mu_1(x) - mu_0(x), refit per replicate.

    `stratified=True` uses raw cell means (no shrinkage) and averages only over target cells
    that have both arms in the source; it says so when that drops target rows.
    """
    cells = p.cells()
    a = p.arms.source
    notes: list[str] = []
    cl1 = cells.arm_clusters(a, 1, p.cluster_source)
    cl0 = cells.arm_clusters(a, 0, p.cluster_source)

    def fit(ws: np.ndarray, wt: np.ndarray) -> float:
        shrink = 0.0 if stratified else SHRINK
        mu1 = outcome_model(cells, a, p.y, 1, ws, shrink, cl1)
        mu0 = outcome_model(cells, a, p.y, 0, ws, shrink, cl0)
        diff = mu1 - mu0
        pt = np.bincount(cells.target, weights=wt, minlength=cells.n_cells)
        ok = np.isfinite(diff) & (pt > 0)
        if not ok.any():
            return float("nan")
        return float(np.sum(pt[ok] * diff[ok]) / np.sum(pt[ok]))

    value = fit(np.ones(p.n), np.ones(len(p.arms.target)))
    if stratified:
        mu1 = outcome_model(cells, a, p.y, 1, None, 0.0)
        mu0 = outcome_model(cells, a, p.y, 0, None, 0.0)
        covered = np.isfinite(mu1 - mu0)[cells.target].mean() if len(cells.target) else 0.0
        if covered < 1.0:
            notes.append(f"strata with both arms hold {covered:.0%} of the target rows")
    boots = bootstrap(fit, p, n_boot, rng, BOOT_BUDGET_S)
    lo, hi = percentile_ci(boots)
    return Estimate(value, lo, hi, len(boots), tuple(notes))


__all__ = ["regression"]
