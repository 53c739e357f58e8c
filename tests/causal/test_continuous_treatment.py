"""A continuous treatment on a learned graph: estimated by the dose-response slope, with a
positivity check that means something for doses (issue 16's learned-graph route used to fail
or decline every row as 'no overlap')."""

from __future__ import annotations

import numpy as np
import pytest

from causal.datasets.analysis_table import build_analysis_table
from causal.effects import estimate_on_learned_graph
from causal.effects.overlap import dose_unsupported_share
from causal.effects.problem import Arms, Problem
from causal.structure.graph import CausalGraph, EdgeInfo


@pytest.fixture(scope="module")
def funnel():
    from causal.datasets.worlds import FunnelConfig, make_funnel_world

    world = make_funnel_world(FunnelConfig(seed=2, n_users=600, n_items=300, n_interactions=12_000))
    edges = sorted(world.truth.edges)
    graph = CausalGraph(
        edges, world.truth.nodes, edge_info={e: EdgeInfo(oriented_by="data") for e in edges}
    )
    return world, build_analysis_table(world.dataset), graph


def test_a_continuous_treatment_gets_a_dose_fit_not_a_method_error_or_a_decline(funnel) -> None:
    world, table, graph = funnel
    res = estimate_on_learned_graph(
        table, graph, "price", "rating", 30.0, 10.0, n_boot=20, refutations=False
    )
    assert res.identified and res.method == "piecewise"
    assert res.no_overlap_share < 0.05
    # Above the $20 threshold preference drops; the slope must at least get the sign right.
    truth = world.true_effect("price", "rating", 30.0, 10.0)
    assert truth < 0 and res.estimate < 0
    assert "30" in res.summary and "10" in res.summary


def _problem(codes: np.ndarray) -> Problem:
    n = len(codes)
    x = codes.reshape(-1, 1).astype(np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    return Problem(
        arms=Arms(zeros, zeros),
        y=np.zeros(n),
        x_source=x,
        x_target=x,
        cards=(int(codes.max()) + 1,),
        cluster_source=np.arange(n),
        cluster_target=np.arange(n),
        n_clusters=n,
        transported=False,
    )


def test_dose_support_flags_only_values_where_the_dose_never_varies() -> None:
    codes = np.array([0, 0, 0, 1, 1, 2])
    dose = np.array([1.0, 2.0, 3.0, 5.0, 5.0, 7.0])  # value 1: constant dose; value 2: one row
    share, culprits = dose_unsupported_share(_problem(codes), dose)
    assert share == pytest.approx(3 / 6) and culprits == (0,)
    varied = np.array([1.0, 2.0, 3.0, 5.0, 6.0, 7.0])
    share, _ = dose_unsupported_share(_problem(np.array([0, 0, 0, 1, 1, 1])), varied)
    assert share == 0.0


def test_a_threshold_the_straight_line_misses_widens_the_interval_and_is_named(funnel) -> None:
    world, table, graph = funnel
    truth = world.true_effect("price", "rating", 22.0, 18.0)  # the $20 step lies between
    res = estimate_on_learned_graph(
        table, graph, "price", "rating", 22.0, 18.0, n_boot=50, refutations=False
    )
    assert res.identified and res.ci_low <= truth <= res.ci_high
    assert any("not linear in 'price'" in note for note in res.notes)


def test_piecewise_dose_recovers_a_step_that_the_slope_flattens() -> None:
    from causal.effects.estimators.linear_dose import linear_dose, piecewise_dose

    rng = np.random.default_rng(0)
    t = rng.uniform(0.0, 10.0, size=4000)
    y = -1.0 * (t > 5.0) + rng.normal(0.0, 0.3, size=len(t))
    x = np.zeros((len(t), 0), dtype=np.int64)
    cluster = np.arange(len(t))
    args = (y, x, (), cluster, len(t))
    step = piecewise_dose(t, *args, 5.6, 4.4, n_boot=30, rng=np.random.default_rng(1))
    slope = linear_dose(t, *args, 1.2, n_boot=30, rng=np.random.default_rng(1))
    assert -1.0 - 0.3 < step.value < -1.0 + 0.45
    assert slope.value > -0.3  # the straight line spreads the step over the whole range
