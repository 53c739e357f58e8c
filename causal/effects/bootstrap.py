"""Cluster bootstrap: Poisson(1) weights per user or item, percentile intervals, a time budget.

Why: rows of one user (or item) are not independent, so every estimator resamples the level
the treatment lives on; one implementation keeps their intervals comparable.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from causal.effects.problem import Problem

BOOT_BUDGET_S = 1.2  # seconds of bootstrap refits per estimate
MIN_BOOT = 50


def cluster_weights(rng: np.random.Generator, n_clusters: int, n_boot: int) -> np.ndarray:
    return rng.poisson(1.0, size=(n_boot, n_clusters)).astype(np.float64)


def percentile_ci(values: np.ndarray) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return float("nan"), float("nan")
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def bootstrap(
    fit: Callable[[np.ndarray, np.ndarray], float],
    p: Problem,
    n_boot: int,
    rng: np.random.Generator,
    budget_s: float,
) -> np.ndarray:
    """Cluster-bootstrap replicates of `fit(source_weights, target_weights)` within a budget."""
    out: list[float] = []
    started = time.perf_counter()
    for cw in cluster_weights(rng, p.n_clusters, n_boot):
        out.append(fit(cw[p.cluster_source], cw[p.cluster_target]))
        if len(out) >= MIN_BOOT and time.perf_counter() - started > budget_s:
            break
    return np.asarray(out, dtype=float)


__all__ = ["BOOT_BUDGET_S", "MIN_BOOT", "bootstrap", "cluster_weights", "percentile_ci"]
