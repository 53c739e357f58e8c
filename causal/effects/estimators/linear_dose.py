"""Continuous treatments: a linear dose-response slope times the contrast, cluster-bootstrapped."""

from __future__ import annotations

import numpy as np

from causal.effects.bootstrap import cluster_weights, percentile_ci
from causal.effects.problem import Estimate


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
    """Continuous treatment: OLS of y on t (linear) plus one-hot covariates; effect = beta * delta.

    The bootstrap reweights per-cluster Gram matrices, so each replicate costs O(clusters).
    """
    cols = [np.ones(len(t)), t.astype(np.float64)]
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
        return float(beta[1] * delta)

    value = solve(np.ones(n_clusters))
    boots = np.array([solve(cw) for cw in cluster_weights(rng, n_clusters, n_boot)])
    lo, hi = percentile_ci(boots)
    return Estimate(value, lo, hi, n_boot)


__all__ = ["linear_dose"]
