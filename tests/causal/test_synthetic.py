"""Synthetic worlds: deterministic by seed, with a truth that matches their data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causal.datasets.synthetic import NODES, TRUE_EDGES, SyntheticConfig, make_world

SMALL = SyntheticConfig(n_users=200, n_items=120, n_interactions=8000, random_per_user=8)


def test_deterministic_by_seed() -> None:
    a = make_world(SMALL)
    b = make_world(SMALL)
    c = make_world(SyntheticConfig(**{**SMALL.__dict__, "seed": 1}))
    pd.testing.assert_frame_equal(a.dataset.interactions, b.dataset.interactions)
    pd.testing.assert_frame_equal(a.dataset.items, b.dataset.items)
    np.testing.assert_array_equal(a.truth.expected_rating, b.truth.expected_rating)
    assert not a.dataset.interactions["clicked"].equals(c.dataset.interactions["clicked"])
    assert a.truth.top_k("u00003", 5) == b.truth.top_k("u00003", 5)


def test_data_shape_and_funnel() -> None:
    world = make_world(SMALL)
    inter = world.dataset.interactions
    assert len(inter) == SMALL.n_interactions
    assert not inter.duplicated(["user_id", "item_id"]).any()
    # Ratings exist exactly when the user clicked.
    assert (inter["rating"].notna() == (inter["clicked"] == 1)).all()
    assert inter["position"].between(1, SMALL.slate_size).all()
    rnd = world.dataset.random_exposure
    assert len(rnd) == SMALL.n_users * SMALL.random_per_user
    assert rnd["rating"].notna().all()
    assert world.dataset.items["title"].is_unique
    assert set(NODES) <= set(inter.columns) | set(world.dataset.items.columns) | set(
        world.dataset.users.columns
    )
    assert all(a in NODES and b in NODES for a, b in TRUE_EDGES)


def test_logging_policy_favours_popular_and_promoted() -> None:
    world = make_world(SMALL)
    rows = world.dataset.interactions.merge(world.dataset.items, on="item_id")
    items = world.dataset.items
    share_promoted_items = items["promoted"].mean()
    assert rows["promoted"].mean() > 1.5 * share_promoted_items
    assert rows.groupby("promoted")["position"].mean().diff().iloc[-1] < -1.0


def test_true_effects_from_intervention() -> None:
    world = make_world(SMALL)
    # Promotion raises exposure (better positions, so more clicks) but not preference.
    promo_click = world.true_effect("promoted", "clicked", 1, 0)
    assert promo_click.ate > 0.03
    assert world.true_effect("promoted", "rating", 1, 0).ate == pytest.approx(0.0, abs=1e-12)
    # Position 1 is clicked more than position 10, for the same rows.
    assert world.true_effect("position", "clicked", 1, 10).ate > 0.1
    # Quality raises preference.
    assert world.true_effect("quality", "rating", 5, 1).ate > 1.0
    sub = world.true_effect("genre", "rating", "horror", "comedy", given={"age_group": "18-24"})
    assert sub.n < len(world.dataset.interactions)
    with pytest.raises(ValueError, match="treatment must be one of"):
        world.true_effect("clicked", "rating", 1, 0)


def test_naive_estimate_is_biased_for_promotion_on_rating() -> None:
    """Click selection makes promoted items look worse among rated rows, though truth is 0."""
    world = make_world(SyntheticConfig(n_users=400, n_items=200, n_interactions=30000))
    rows = world.dataset.interactions.merge(world.dataset.items, on="item_id")
    naive = rows.groupby("promoted")["rating"].mean()
    assert naive.loc[1.0] - naive.loc[0.0] < -0.02


def test_bad_config() -> None:
    with pytest.raises(ValueError, match="too many distinct pairs"):
        make_world(SyntheticConfig(n_users=10, n_items=10, n_interactions=100))


# ---------------------------------------------------------------------- funnel worlds
@pytest.fixture(scope="module")
def funnel():
    from causal.datasets.worlds import FunnelConfig, make_funnel_world

    return make_funnel_world(FunnelConfig(seed=3, n_users=300, n_items=200, n_interactions=6000))


def test_funnel_world_is_deterministic_and_sized() -> None:
    from causal.datasets.worlds import FunnelConfig, make_funnel_world

    cfg = FunnelConfig(seed=5, n_users=200, n_items=150, n_interactions=3000)
    a, b = make_funnel_world(cfg), make_funnel_world(cfg)
    pd.testing.assert_frame_equal(a.dataset.interactions, b.dataset.interactions)
    assert len(a.dataset.interactions) == 3000
    assert not a.dataset.interactions.duplicated(["user_id", "item_id"]).any()
    with pytest.raises(ValueError, match="n_interactions"):
        make_funnel_world(cfg, n_interactions=500)


def test_funnel_zeros_and_selection(funnel) -> None:
    from causal.datasets import build_analysis_table

    inter = funnel.dataset.interactions
    assert (inter.loc[inter["exposed"] == 0, "clicked"] == 0).all()  # funnel zeros
    assert (inter["rating"].notna() == (inter["clicked"] == 1)).all()
    assert 0.2 < inter["exposed"].mean() < 0.95
    table = build_analysis_table(funnel.dataset)
    # The rating is selected by the narrowest funnel step (the click), not by exposure.
    assert table.spec("rating").selected_by == "clicked"


def test_funnel_priors_come_from_roles_not_truth(funnel) -> None:
    from causal.datasets import build_analysis_table
    from causal.datasets.schema import DEFAULT_TIER_BY_ROLE
    from causal.datasets.worlds import OBSERVED, TRUE_EDGES

    table = build_analysis_table(funnel.dataset)
    for name in OBSERVED:
        info = funnel.dataset.schema.variables[name]
        assert info.tier == DEFAULT_TIER_BY_ROLE[info.role] or name == "rating"
    # Nine attributes share tier 0, so tiers cannot orient the edges among them.
    attributes = [n for n in OBSERVED if table.spec(n).tier == 0]
    assert len(attributes) >= 9
    within = [(u, v) for u, v in TRUE_EDGES if u in attributes and v in attributes]
    assert len(within) >= 6


def test_funnel_true_effects_by_intervention(funnel) -> None:
    inter = funnel.dataset.interactions
    # Blocking exposure removes every click: the effect equals the expected click rate.
    exposed_effect = funnel.true_effect("exposed", "clicked", 1, 0)
    assert exposed_effect > 0.3
    assert funnel.true_effect("exposed", "clicked", 0, 0) == 0.0
    # A variable with no path to the outcome has no effect; better items are clicked more.
    assert funnel.true_effect("signup_year", "clicked", 2023, 2019) == pytest.approx(0.0)
    assert funnel.true_effect("quality", "clicked", 4, 2) > 0.05
    assert funnel.true_effect("position", "clicked", 1, 5) > 0.0
    # The observed click rate matches the simulator's expectation with nothing set.
    expected = funnel._expected("clicked", {}).mean()
    assert abs(inter["clicked"].mean() - expected) < 0.02
    with pytest.raises(ValueError):
        funnel.true_effect("clicked", "rating", 1, 0)


def test_funnel_truth_graph_declines_the_latent_confounded_effect(funnel) -> None:
    from causal.datasets import build_analysis_table
    from causal.effects import estimate_effect

    table = build_analysis_table(funnel.dataset)
    graph = funnel.truth.graph(with_latents=True)
    hidden = estimate_effect(table, graph, "premium", "clicked", 1, 0, refutations=False)
    assert not hidden.identified and "engagement" in hidden.reason
    fine = estimate_effect(table, graph, "exposed", "clicked", 1, 0, refutations=False)
    truth = funnel.true_effect("exposed", "clicked", 1, 0)
    assert fine.identified and fine.ci_low <= truth <= fine.ci_high
