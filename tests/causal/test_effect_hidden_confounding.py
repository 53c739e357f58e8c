"""Hidden confounding at the user level: the bound, and what the learned-graph path does with it.

The funnel world hides a user trait (`engagement`) that drives both `premium` and clicks, so
no observed adjustment set identifies premium -> clicked; the learned-graph path must widen
its interval enough to cover the truth, or decline with the reason.
"""

from __future__ import annotations

import numpy as np
import pytest

from causal.datasets.analysis_table import build_analysis_table
from causal.effects import estimate_on_learned_graph
from causal.effects.hidden_confounding import between_cluster_sd, hidden_confounding_bound
from causal.structure.graph import CausalGraph, EdgeInfo


@pytest.fixture(scope="module")
def funnel():
    from causal.datasets.worlds import FunnelConfig, make_funnel_world

    world = make_funnel_world(FunnelConfig(seed=2, n_users=600, n_items=300, n_interactions=12_000))
    edges = sorted(world.truth.edges)  # observed edges only: the latent trait is not in it
    graph = CausalGraph(
        edges, world.truth.nodes, edge_info={e: EdgeInfo(oriented_by="data") for e in edges}
    )
    return world, build_analysis_table(world.dataset), graph


def test_between_cluster_sd_recovers_a_planted_cluster_effect() -> None:
    rng = np.random.default_rng(0)
    clusters = np.repeat(np.arange(800), rng.integers(3, 15, size=800))
    effects = rng.normal(0.0, 0.3, size=800)
    residuals = effects[clusters] + rng.normal(0.0, 1.0, size=len(clusters))
    assert between_cluster_sd(residuals, clusters) == pytest.approx(0.3, abs=0.06)
    pure_noise = rng.normal(0.0, 1.0, size=len(clusters))
    assert between_cluster_sd(pure_noise, clusters) < 0.08
    assert between_cluster_sd(np.zeros(3), np.array([0, 1, 2])) == 0.0


def test_bound_applies_to_user_and_item_attributes_unless_declared_exogenous(funnel) -> None:
    _world, table, graph = funnel
    premium = hidden_confounding_bound(table, graph, "premium", "clicked", 1, 0)
    assert premium is not None and premium.level == "user"
    assert set(premium.causes) == {"age_group", "region"}
    assert premium.bound > 0 and premium.sd_between > 0
    assert "premium" in premium.sentence("premium", "clicked")
    # A root attribute is bounded too (a learned graph's missing parents prove nothing); an
    # exogenous declaration and a treatment that varies within users get no bound.
    age = hidden_confounding_bound(table, graph, "age_group", "clicked", "50+", "18-24")
    assert (
        age is not None
        and age.causes == ()
        and "compared across users" in age.sentence("age_group", "clicked")
    )
    genre = hidden_confounding_bound(table, graph, "genre", "rating", "comedy", "drama")
    assert genre is not None and genre.level == "item"
    assert (
        hidden_confounding_bound(table, graph, "premium", "clicked", 1, 0, exogenous=["premium"])
        is None
    )
    assert hidden_confounding_bound(table, graph, "exposed", "clicked", 1, 0) is None
    with pytest.raises(ValueError, match="hidden_share"):
        hidden_confounding_bound(table, graph, "premium", "clicked", 1, 0, hidden_share=1.0)


def test_premium_is_covered_or_declined_never_a_wrong_interval(funnel) -> None:
    world, table, graph = funnel
    truth = world.true_effect("premium", "clicked", 1, 0)
    res = estimate_on_learned_graph(
        table, graph, "premium", "clicked", 1, 0, n_boot=20, refutations=False
    )
    plain = estimate_on_learned_graph(
        table,
        graph,
        "premium",
        "clicked",
        1,
        0,
        n_boot=20,
        refutations=False,
        exogenous=["premium"],
    )
    # Without the hidden-trait allowance the interval misses the truth: the problem is real.
    assert plain.identified and not (plain.ci_low <= truth <= plain.ci_high)
    if res.identified:
        assert res.ci_low <= truth <= res.ci_high
        assert any("hidden trait" in n for n in res.notes)
    else:
        assert "hidden trait of the user" in res.reason and res.estimate is None


def test_a_widened_interval_is_the_one_the_summary_quotes(funnel) -> None:
    from causal.effects import estimate_effect
    from causal.effects.learned_graph import widened_summary

    _world, table, graph = funnel
    main = estimate_effect(table, graph, "exposed", "clicked", 1, 0, n_boot=20)
    assert main.identified and main.ci_low > 0  # a clear effect before widening
    low, high = main.ci_low - 1.0, main.ci_high + 0.25
    text = widened_summary(main, low, high)
    assert f"95% CI {low * 100:+.3g} to {high * 100:+.3g}" in text  # clicks: percentage points
    assert f"{main.ci_low * 100:+.3g} to" not in text
    assert "no clear effect" in text and "no clear effect" not in main.summary
