"""Data subsets: re-estimate on random 80% of the users (or items); the estimate should hold."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from causal.effects.estimators.registry import run_method
from causal.effects.problem import Estimate
from causal.effects.results import EffectMethod, Refutation
from causal.effects.setup import MIN_ROWS, Setup

DRAWS = 5
KEEP = 0.8


def data_subset(
    setup: Setup, method: EffectMethod, estimate: Estimate, rng: np.random.Generator
) -> Refutation:
    """Passes when every subset estimate lies within the interval widened by half its half-width."""
    value, lo, hi = estimate.value, estimate.ci_low, estimate.ci_high
    half = max((hi - lo) / 2.0, 1e-12)
    p = setup.problem
    subs = []
    for _ in range(DRAWS):
        keep_clusters = rng.random(p.n_clusters) < KEEP
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
            v = run_method(method, alt, n_boot=0, rng=rng).value
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(v):
            subs.append(v)
    if not subs:
        return Refutation("data_subset", False, "subset estimates could not be computed")
    worst = max(abs(v - value) for v in subs)
    # An 80% subset moves an estimate by about half a standard error; allow twice that
    # margin beyond the interval before calling the estimate unstable.
    ok = all(lo - 0.5 * half <= v <= hi + 0.5 * half for v in subs)
    return Refutation(
        "data_subset",
        bool(ok),
        f"estimates on {len(subs)} random 80% subsets range {min(subs):.3g} to {max(subs):.3g}",
        float(worst),
    )


__all__ = ["data_subset"]
