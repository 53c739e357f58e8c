"""Continuous treatments: a dose-response fit (linear, or piecewise linear with knots at the
dose's deciles) contrasted between two doses, cluster-bootstrapped.

Why: one slope is the usual adjusted estimate for a dose, but a threshold or a plateau makes
it wrong with confidence; the piecewise fit is the check that widens or flags it.
"""

from __future__ import annotations

import numpy as np

from causal.effects.bootstrap import cluster_weights, percentile_ci
from causal.effects.problem import Estimate


def decile_knots(t: np.ndarray) -> tuple[float, ...]:
    """The dose's distinct inner deciles (finite values only): the piecewise fit's knots."""
    values = np.asarray(t, dtype=np.float64)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return ()
    low, high = float(values.min()), float(values.max())
    knots = sorted({float(q) for q in np.quantile(values, np.linspace(0.1, 0.9, 9))})
    return tuple(k for k in knots if low < k < high)


def dose_basis(t: np.ndarray | float, knots: tuple[float, ...]) -> np.ndarray:
    """Columns t, (t - k)+ for each knot: a continuous piecewise-linear dose-response."""
    values = np.atleast_1d(np.asarray(t, dtype=np.float64))
    return np.column_stack([values, *(np.maximum(values - k, 0.0) for k in knots)])


def linear_dose(
    t: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    cards: tuple[int, ...],
    cluster: np.ndarray,
    n_clusters: int,
    delta: float,
    *,
    n_boot: int,
    rng: np.random.Generator,
    adjust: bool = True,
) -> Estimate:
    """Continuous treatment: OLS of y on t (linear) plus one-hot covariates; effect = beta * delta."""
    return dose_contrast(
        t.astype(np.float64).reshape(-1, 1),
        np.array([delta], dtype=np.float64),
        y,
        x,
        cards,
        cluster,
        n_clusters,
        n_boot=n_boot,
        rng=rng,
        adjust=adjust,
    )


def piecewise_dose(
    t: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    cards: tuple[int, ...],
    cluster: np.ndarray,
    n_clusters: int,
    treated: float,
    control: float,
    *,
    n_boot: int,
    rng: np.random.Generator,
) -> Estimate:
    """Continuous treatment: OLS on a piecewise-linear dose (knots at the deciles) plus
    one-hot covariates; effect = f(treated) - f(control)."""
    knots = decile_knots(t)
    contrast = (dose_basis(treated, knots) - dose_basis(control, knots))[0]
    return dose_contrast(
        dose_basis(t, knots), contrast, y, x, cards, cluster, n_clusters, n_boot=n_boot, rng=rng
    )


def dose_contrast(
    basis: np.ndarray,
    contrast: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    cards: tuple[int, ...],
    cluster: np.ndarray,
    n_clusters: int,
    *,
    n_boot: int,
    rng: np.random.Generator,
    adjust: bool = True,
) -> Estimate:
    """OLS of y on the dose basis plus one-hot covariates; effect = contrast . beta_dose.

    The bootstrap reweights per-cluster Gram matrices, so each replicate costs O(clusters).
    """
    m = basis.shape[1]
    cols = [np.ones(len(basis)), *(basis[:, j] for j in range(m))]
    if adjust:
        for j, card in enumerate(cards):
            for level in range(1, card):
                cols.append((x[:, j] == level).astype(np.float64))
    d = np.column_stack(cols)
    k = d.shape[1]
    grams = np.zeros((n_clusters, k, k))
    rhs = np.zeros((n_clusters, k))
    order = np.argsort(cluster, kind="stable")
    sorted_c = cluster[order]
    starts = np.flatnonzero(np.r_[True, sorted_c[1:] != sorted_c[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for lo, hi in zip(starts, ends, strict=True):
        rows = order[lo:hi]
        dc = d[rows]
        grams[sorted_c[lo]] = dc.T @ dc
        rhs[sorted_c[lo]] = dc.T @ y[rows]
    ridge = 1e-6 * np.eye(k)

    def solve(w: np.ndarray) -> float:
        g = np.tensordot(w, grams, axes=1) + ridge
        r = w @ rhs
        try:
            beta = np.linalg.solve(g, r)
        except np.linalg.LinAlgError:
            return float("nan")
        return float(beta[1 : 1 + m] @ contrast)

    value = solve(np.ones(n_clusters))
    boots = np.array([solve(cw) for cw in cluster_weights(rng, n_clusters, n_boot)])
    lo, hi = percentile_ci(boots)
    return Estimate(value, lo, hi, n_boot)


__all__ = ["decile_knots", "dose_basis", "dose_contrast", "linear_dose", "piecewise_dose"]
