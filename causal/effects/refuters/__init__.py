"""Refuters, one module each (DoWhy's causal_refuters/): placebo treatment, random common cause,
data subsets; `refute` runs all three on one estimate."""

from __future__ import annotations

import time

import numpy as np

from causal.datasets.variables import VariableSpec
from causal.effects.estimators.registry import run_method
from causal.effects.problem import Estimate
from causal.effects.refuters.data_subset import data_subset
from causal.effects.refuters.placebo import placebo_treatment
from causal.effects.refuters.random_common_cause import random_common_cause
from causal.effects.results import EffectMethod, Refutation
from causal.effects.setup import Setup

NAMES = ("placebo_treatment", "random_common_cause", "data_subset")


def refute(
    setup: Setup,
    method: EffectMethod,
    t_spec: VariableSpec,
    estimate: Estimate,
    rng: np.random.Generator,
    *,
    budget_s: float = 1.5,
) -> tuple[Refutation, ...]:
    """Placebo treatment, random common cause and data-subset checks of one estimate."""
    value, lo, hi = estimate.value, estimate.ci_low, estimate.ci_high
    if not (np.isfinite(value) and np.isfinite(lo) and np.isfinite(hi)):
        return tuple(Refutation(name, False, "no interval to compare with") for name in NAMES)
    started = time.perf_counter()
    run_method(method, setup, n_boot=0, rng=rng)
    one = max(time.perf_counter() - started, 1e-3)
    draws = int(np.clip(budget_s * 0.6 / one, 5, 19))
    return (
        placebo_treatment(setup, method, t_spec, estimate, rng, draws),
        random_common_cause(setup, method, estimate, rng),
        data_subset(setup, method, estimate, rng),
    )


__all__ = ["NAMES", "refute"]
