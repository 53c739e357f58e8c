"""Random common cause: add a covariate of pure noise; a sound estimate barely moves."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from causal.effects.estimators.registry import run_method
from causal.effects.problem import Estimate
from causal.effects.results import EffectMethod, Refutation
from causal.effects.setup import Setup


def random_common_cause(
    setup: Setup, method: EffectMethod, estimate: Estimate, rng: np.random.Generator
) -> Refutation:
    """Passes when the estimate moves by at most a quarter of the interval's width."""
    half = max((estimate.ci_high - estimate.ci_low) / 2.0, 1e-12)
    p = setup.problem
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
        new = run_method(method, alt, n_boot=0, rng=rng).value
    except (ValueError, np.linalg.LinAlgError) as exc:
        return Refutation("random_common_cause", False, f"failed: {exc}")
    moved = abs(new - estimate.value)
    return Refutation(
        "random_common_cause",
        bool(moved <= 0.5 * half),
        f"adding a random covariate moves the estimate to {new:.3g}",
        float(new),
    )


__all__ = ["random_common_cause"]
