"""The estimator registry: method name -> how to fit it on a `Setup` (DoWhy's method_name lookup).

Why: `estimate_effect` and the refuters ask for an estimate by name; each entry says what the
estimator needs (which covariates, whether it handles a continuous treatment, whether the
refuters can rerun it cheaply), so adding an estimator is one entry, not another branch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from causal.effects.errors import MethodError
from causal.effects.estimators.aipw import aipw
from causal.effects.estimators.bn_do import bn_do
from causal.effects.estimators.linear_dose import linear_dose, piecewise_dose
from causal.effects.estimators.naive import naive
from causal.effects.estimators.regression import regression
from causal.effects.overlap import stratified_coverage
from causal.effects.problem import Estimate
from causal.effects.results import EffectMethod
from causal.effects.setup import Question, Setup, restrict

Fit = Callable[[Setup, int, np.random.Generator, "Question | None"], Estimate]


@dataclass(frozen=True)
class Estimator:
    """One registered estimator.

    covariates: which covariates it is run with -- all of them (confounders and precision
    variables), the adjustment set only, or none. continuous: it handles a continuous
    treatment. refutable: the refuters rerun it (cheap refits only).
    """

    method: EffectMethod
    description: str
    fit: Fit
    covariates: Literal["all", "adjustment", "none"] = "all"
    continuous: bool = False
    refutable: bool = True

    def prepare(self, setup: Setup, adjustment_set: Sequence[str]) -> Setup:
        """The setup restricted to the covariates this estimator uses."""
        if self.covariates == "adjustment":
            return restrict(setup, adjustment_set)
        if self.covariates == "none":
            return restrict(setup, [])
        return setup


def _dose(
    setup: Setup,
    n_boot: int,
    rng: np.random.Generator,
    *,
    adjust: bool = True,
    piecewise: bool = False,
) -> Estimate:
    p = setup.problem
    arrays = (p.y, p.x_source, p.cards, p.cluster_source, p.n_clusters)
    if piecewise:
        treated, control = float(setup.treatment_value), float(setup.control_value)
        return piecewise_dose(setup.t_source, *arrays, treated, control, n_boot=n_boot, rng=rng)
    return linear_dose(setup.t_source, *arrays, setup.delta, n_boot=n_boot, rng=rng, adjust=adjust)


def _fit_naive(
    setup: Setup, n_boot: int, rng: np.random.Generator, _q: Question | None
) -> Estimate:
    if setup.continuous:
        return _dose(setup, n_boot, rng, adjust=False)
    return naive(setup.problem, n_boot=n_boot, rng=rng)


def _fit_regression(
    setup: Setup, n_boot: int, rng: np.random.Generator, _q: Question | None
) -> Estimate:
    if setup.continuous:
        return _dose(setup, n_boot, rng, adjust=True)
    return regression(setup.problem, n_boot=n_boot, rng=rng)


def _fit_piecewise(
    setup: Setup, n_boot: int, rng: np.random.Generator, q: Question | None
) -> Estimate:
    if not setup.continuous:
        return _fit_regression(setup, n_boot, rng, q)
    return _dose(setup, n_boot, rng, piecewise=True)


def _fit_stratified(
    setup: Setup, n_boot: int, rng: np.random.Generator, _q: Question | None
) -> Estimate:
    return regression(setup.problem, n_boot=n_boot, rng=rng, stratified=True)


def _fit_ipw(setup: Setup, n_boot: int, rng: np.random.Generator, _q: Question | None) -> Estimate:
    return aipw(setup.problem, n_boot=n_boot, rng=rng, ipw_only=True)


def _fit_aipw(setup: Setup, n_boot: int, rng: np.random.Generator, _q: Question | None) -> Estimate:
    return aipw(setup.problem, n_boot=n_boot, rng=rng)


def _fit_bn(setup: Setup, n_boot: int, rng: np.random.Generator, q: Question | None) -> Estimate:
    if q is None:
        raise MethodError("bn_do needs the table and graph")
    return bn_do(setup, q, n_boot=n_boot, rng=rng)


ESTIMATORS: dict[EffectMethod, Estimator] = {
    e.method: e
    for e in (
        Estimator(EffectMethod.AIPW, "doubly robust AIPW", _fit_aipw),
        Estimator(
            EffectMethod.IPW, "inverse propensity weighting", _fit_ipw, covariates="adjustment"
        ),
        Estimator(
            EffectMethod.REGRESSION, "regression adjustment", _fit_regression, continuous=True
        ),
        Estimator(
            EffectMethod.PIECEWISE,
            "regression adjustment with a piecewise-linear dose",
            _fit_piecewise,
            continuous=True,
        ),
        Estimator(
            EffectMethod.STRATIFIED,
            "stratified adjustment",
            _fit_stratified,
            covariates="adjustment",
        ),
        Estimator(
            EffectMethod.NAIVE,
            "naive difference in means",
            _fit_naive,
            covariates="none",
            continuous=True,
        ),
        Estimator(
            EffectMethod.BN,
            "do-query on a fitted Bayesian network",
            _fit_bn,
            covariates="adjustment",
            refutable=False,
        ),
    )
}


def get_estimator(method: EffectMethod) -> Estimator:
    """The registered estimator for a concrete method (MethodError for AUTO/ADJUSTMENT or unknown)."""
    try:
        return ESTIMATORS[method]
    except KeyError:
        raise MethodError(f"unknown method {method}") from None


def resolve_method(method: EffectMethod, setup: Setup, confounders: Sequence[str]) -> EffectMethod:
    """The concrete method for a request: AUTO -> AIPW (regression for a continuous treatment),
    ADJUSTMENT -> stratified when strata cover the target rows, else regression."""
    if setup.continuous:
        if method in (EffectMethod.AUTO, EffectMethod.ADJUSTMENT, EffectMethod.REGRESSION):
            return EffectMethod.REGRESSION
        if method is EffectMethod.PIECEWISE:
            return EffectMethod.PIECEWISE
        if method is EffectMethod.NAIVE:
            return EffectMethod.NAIVE
        raise MethodError(
            f"method '{method.value}' needs a discrete treatment; this one is continuous "
            "(use regression, or compare two observed values of a binned variable)"
        )
    if method is EffectMethod.AUTO:
        return EffectMethod.AIPW
    if method is EffectMethod.PIECEWISE:  # a discrete treatment has no dose shape to fit
        return EffectMethod.REGRESSION
    if method is EffectMethod.ADJUSTMENT:
        sub = restrict(setup, confounders)
        return (
            EffectMethod.STRATIFIED
            if stratified_coverage(sub.problem) >= 0.95
            else EffectMethod.REGRESSION
        )
    return method


def run_method(
    method: EffectMethod,
    setup: Setup,
    *,
    n_boot: int,
    rng: np.random.Generator,
    question: Question | None = None,
) -> Estimate:
    """Fit the registered estimator for `method` on `setup` (n_boot=0: the point estimate only)."""
    estimator = get_estimator(method)
    if setup.continuous and not estimator.continuous:
        # A continuous treatment has one adjusted estimator: the linear dose-response slope.
        estimator = ESTIMATORS[EffectMethod.REGRESSION]
    return estimator.fit(setup, n_boot, rng, question)


__all__ = ["ESTIMATORS", "Estimator", "get_estimator", "resolve_method", "run_method"]
