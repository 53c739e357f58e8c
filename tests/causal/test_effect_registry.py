"""The estimator registry: every concrete method is registered, and a lookup by name runs the
same estimator as a direct call (the registry replaced an if/elif; it must not change figures)."""

from __future__ import annotations

import numpy as np
import pytest

from causal.datasets.analysis_table import build_analysis_table
from causal.datasets.synthetic import NODES, SyntheticConfig, make_world
from causal.effects import EffectMethod, MethodError, estimate_effect, identify
from causal.effects.estimators import ESTIMATORS, get_estimator, resolve_method, run_method
from causal.effects.estimators.aipw import aipw
from causal.effects.estimators.naive import naive
from causal.effects.estimators.regression import regression
from causal.effects.setup import build_setup
from causal.structure.graph import CausalGraph


@pytest.fixture(scope="module")
def question():
    world = make_world(SyntheticConfig(seed=4, n_users=200, n_items=150, n_interactions=8_000))
    table = build_analysis_table(world.dataset)
    graph = CausalGraph(sorted(world.truth.edges), NODES)
    ident = identify(table, graph, "position", "clicked")
    covariates = [*ident.adjustment_set, *ident.precision_set]
    setup = build_setup(table, "position", "clicked", ident, covariates, 3, 5, {})
    return table, graph, ident, setup


def test_every_concrete_method_is_registered_once() -> None:
    concrete = set(EffectMethod) - {EffectMethod.AUTO, EffectMethod.ADJUSTMENT}
    assert set(ESTIMATORS) == concrete
    assert all(ESTIMATORS[m].method is m and ESTIMATORS[m].description for m in concrete)
    for placeholder in (EffectMethod.AUTO, EffectMethod.ADJUSTMENT):
        with pytest.raises(MethodError):
            get_estimator(placeholder)


@pytest.mark.parametrize(
    ("method", "direct"),
    [
        (EffectMethod.AIPW, lambda p, rng: aipw(p, n_boot=0, rng=rng)),
        (EffectMethod.IPW, lambda p, rng: aipw(p, n_boot=0, rng=rng, ipw_only=True)),
        (EffectMethod.REGRESSION, lambda p, rng: regression(p, n_boot=0, rng=rng)),
        (EffectMethod.STRATIFIED, lambda p, rng: regression(p, n_boot=0, rng=rng, stratified=True)),
        (EffectMethod.NAIVE, lambda p, rng: naive(p, n_boot=0, rng=rng)),
    ],
)
def test_lookup_by_name_runs_that_estimator(question, method, direct) -> None:
    _table, _graph, ident, setup = question
    run_setup = get_estimator(method).prepare(setup, ident.adjustment_set)
    via_registry = run_method(method, run_setup, n_boot=0, rng=np.random.default_rng(0))
    expected = direct(run_setup.problem, np.random.default_rng(0))
    assert np.isfinite(via_registry.value)
    assert via_registry.value == expected.value


def test_prepare_gives_each_estimator_its_covariates(question) -> None:
    _table, _graph, ident, setup = question
    assert ident.precision_set, "the test needs a precision variable to tell the sets apart"
    assert get_estimator(EffectMethod.AIPW).prepare(setup, ident.adjustment_set) is setup
    ipw = get_estimator(EffectMethod.IPW).prepare(setup, ident.adjustment_set)
    assert ipw.covariates == tuple(ident.adjustment_set)
    assert get_estimator(EffectMethod.NAIVE).prepare(setup, ident.adjustment_set).covariates == ()


def test_resolve_method_and_the_reported_method(question) -> None:
    table, graph, ident, setup = question
    assert resolve_method(EffectMethod.AUTO, setup, ident.adjustment_set) is EffectMethod.AIPW
    adjusted = resolve_method(EffectMethod.ADJUSTMENT, setup, ident.adjustment_set)
    assert adjusted in (EffectMethod.STRATIFIED, EffectMethod.REGRESSION)
    res = estimate_effect(
        table, graph, "position", "clicked", 3, 5, method="adjustment", n_boot=20, refutations=False
    )
    assert res.method == adjusted.value
    assert get_estimator(adjusted).description in res.summary
