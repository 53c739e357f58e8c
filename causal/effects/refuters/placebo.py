"""Placebo treatment: permute the treatment at the level it lives on; the effect should vanish."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from causal.datasets.variables import Level, VariableSpec
from causal.effects.estimators.registry import run_method
from causal.effects.problem import Arms, Estimate
from causal.effects.results import EffectMethod, Refutation
from causal.effects.setup import Setup


def placebo_estimates(
    setup: Setup, method: EffectMethod, t_spec: VariableSpec, rng: np.random.Generator, draws: int
) -> list[float]:
    """Point estimates with the treatment permuted across users, items or rows `draws` times."""
    p = setup.problem
    out = []
    for _ in range(draws):
        if setup.continuous:
            perm = permute_by_cluster(setup.t_source, p.cluster_source, t_spec, rng)
            alt = replace(setup, t_source=perm)
        else:
            perm = permute_by_cluster(p.arms.source, p.cluster_source, t_spec, rng)
            arms_tgt = perm if not p.transported else p.arms.target
            # Covariate cells and transport weights do not depend on the arms: share them.
            alt = replace(setup, problem=replace(p, arms=Arms(perm, arms_tgt), cache=p.cache))
        try:
            out.append(run_method(method, alt, n_boot=0, rng=rng).value)
        except (ValueError, np.linalg.LinAlgError):
            continue
    return [v for v in out if np.isfinite(v)]


def permute_by_cluster(
    values: np.ndarray, clusters: np.ndarray, spec: VariableSpec, rng: np.random.Generator
) -> np.ndarray:
    """A permutation of the treatment that keeps one value per user (or item) when it lives there."""
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


def placebo_treatment(
    setup: Setup,
    method: EffectMethod,
    t_spec: VariableSpec,
    estimate: Estimate,
    rng: np.random.Generator,
    draws: int,
) -> Refutation:
    """Passes when the estimate stands out from the placebo effects (or, with no effect claimed,
    when the placebo effects average inside the interval's half-width)."""
    value, lo, hi = estimate.value, estimate.ci_low, estimate.ci_high
    half = max((hi - lo) / 2.0, 1e-12)
    excludes_zero = lo > 0 or hi < 0
    placebo = placebo_estimates(setup, method, t_spec, rng, draws)
    if not placebo:
        return Refutation("placebo_treatment", False, "placebo estimates could not be computed")
    arr = np.abs(np.asarray(placebo))
    level = (
        "users" if t_spec.level is Level.USER else "items" if t_spec.level is Level.ITEM else "rows"
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
    return Refutation("placebo_treatment", bool(passed), detail, float(np.mean(placebo)))


__all__ = ["permute_by_cluster", "placebo_estimates", "placebo_treatment"]
