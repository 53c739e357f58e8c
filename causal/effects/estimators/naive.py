"""The naive difference in means: no adjustment, the baseline every adjusted estimate is read against."""

from __future__ import annotations

import numpy as np

from causal.effects.bootstrap import cluster_weights, percentile_ci
from causal.effects.problem import Estimate, Problem


def naive(p: Problem, *, n_boot: int, rng: np.random.Generator) -> Estimate:
    """Difference in mean outcome between treated and control source rows (no adjustment)."""
    a = p.arms.source

    def stat(ws: np.ndarray) -> float:
        w1, w0 = ws * (a == 1), ws * (a == 0)
        if w1.sum() <= 0 or w0.sum() <= 0:
            return float("nan")
        return float(np.sum(w1 * p.y) / w1.sum() - np.sum(w0 * p.y) / w0.sum())

    value = stat(np.ones(p.n))
    boots = np.array(
        [stat(cw[p.cluster_source]) for cw in cluster_weights(rng, p.n_clusters, n_boot)]
    )
    lo, hi = percentile_ci(boots)
    return Estimate(value, lo, hi, n_boot)


__all__ = ["naive"]
