"""Effects against the simulator's truth, refusals, refuters and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causal.datasets import UnknownVariableError, build_analysis_table
from causal.datasets.csv_folder import frames_to_dataset
from causal.datasets.synthetic import NODES, SyntheticConfig, make_world
from causal.effects import (
    BadValueError,
    ConstantColumnError,
    EffectError,
    MethodError,
    Source,
    TooFewRowsError,
    estimate_effect,
    parse_given,
)
from causal.structure import CausalGraph

CONTRACT_KEYS = {
    "identified",
    "estimate",
    "ci_low",
    "ci_high",
    "method",
    "adjustment_set",
    "n",
    "refutations",
    "summary",
    "reason",
}


def truth_graph(world) -> CausalGraph:
    """The simulator's DAG."""
    return CausalGraph(sorted(world.truth.edges), NODES)


@pytest.fixture(scope="module")
def worlds():
    out = []
    for seed in (1, 2, 3):
        world = make_world(
            SyntheticConfig(seed=seed, n_users=500, n_items=400, n_interactions=40_000)
        )
        out.append((world, build_analysis_table(world.dataset)))
    return out


def test_confounded_effect_aipw_covers_truth_naive_does_not(worlds) -> None:
    """Position 3 vs 5 on clicks: popular (good) items sit higher, so a naive contrast is biased."""
    naive_errors, aipw_errors = [], []
    for world, table in worlds:
        truth = world.true_effect("position", "clicked", 3, 5).ate
        graph = truth_graph(world)
        res = estimate_effect(table, graph, "position", "clicked", 3, 5, seed=0)
        naive = estimate_effect(table, graph, "position", "clicked", 3, 5, method="naive")
        assert res.identified and res.method == "aipw"
        assert "popularity" in res.adjustment_set
        assert res.ci_low <= truth <= res.ci_high, (world.config.seed, res.to_json(), truth)
        aipw_errors.append(abs(res.estimate - truth) / truth)
        naive_errors.append(abs(naive.estimate - truth) / truth)
    assert np.median(aipw_errors) < 0.12
    assert np.median(naive_errors) > 2 * np.median(aipw_errors)


def test_no_overlap_is_flagged_in_notes_and_summary(worlds) -> None:
    """Popularity tracks quality, so no blockbuster has the lowest quality: the result says so."""
    world, table = worlds[0]
    graph = truth_graph(world)
    res = estimate_effect(table, graph, "popularity", "clicked", 4, 2, refutations=False)
    caveats = [n for n in res.notes if "no overlap" in n]
    assert caveats and "quality" in caveats[0], res.notes
    assert "Caution:" in res.summary
    share = float(caveats[0].split("%")[0]) / 100
    quality_by_arm = table.rows.groupby("popularity", observed=True)["quality"].unique()
    missing = set(quality_by_arm[4.0]) ^ set(quality_by_arm[2.0])
    expected = table.rows["quality"].isin(missing).mean()
    assert share == pytest.approx(expected, abs=0.006)
    fine = estimate_effect(table, graph, "position", "clicked", 3, 5, refutations=False)
    assert not any("no overlap" in n for n in fine.notes)
    assert "Caution:" not in fine.summary


def test_selected_outcome_comes_from_random_log_and_covers_truth(worlds) -> None:
    for world, table in worlds:
        truth = world.true_effect("genre", "rating", "comedy", "drama").ate
        res = estimate_effect(table, truth_graph(world), "genre", "rating", "comedy", "drama")
        assert res.source == "random"
        assert res.n == len(world.dataset.random_exposure)
        assert res.ci_low <= truth <= res.ci_high, (world.config.seed, res.estimate, truth)
        assert abs(res.estimate - truth) < 0.25


def test_subgroup_effect(worlds) -> None:
    world, table = worlds[0]
    given = {"age_group": "25-34"}
    truth = world.true_effect("genre", "rating", "comedy", "drama", given=given).ate
    res = estimate_effect(
        table, truth_graph(world), "genre", "rating", "comedy", "drama", given=given
    )
    assert res.n < len(world.dataset.random_exposure)
    assert res.ci_low <= truth <= res.ci_high
    assert "age_group=25-34" in res.summary


def test_other_methods_agree_on_an_unconfounded_effect(worlds) -> None:
    world, table = worlds[1]
    graph = truth_graph(world)
    truth = world.true_effect("quality", "clicked", 4, 2).ate
    for method in ("aipw", "ipw", "regression", "adjustment", "bn_do"):
        res = estimate_effect(
            table, graph, "quality", "clicked", 4, 2, method=method, n_boot=40, refutations=False
        )
        assert abs(res.estimate - truth) < 0.05, (method, res.estimate, truth)
        assert res.ci_low < res.estimate < res.ci_high


def test_continuous_treatment_uses_regression(worlds) -> None:
    world, table = worlds[2]
    truth = world.true_effect("price", "rating", 10, 20).ate
    res = estimate_effect(table, truth_graph(world), "price", "rating", 10, 20)
    assert res.method == "regression"
    assert abs(res.estimate - truth) < 0.12
    with pytest.raises(MethodError, match="discrete treatment"):
        estimate_effect(table, truth_graph(world), "price", "rating", 10, 20, method="aipw")


def test_refusals_are_results_not_exceptions(worlds) -> None:
    world, table = worlds[0]
    graph = truth_graph(world)
    res = estimate_effect(table, graph, "clicked", "rating", 1, 0)
    assert not res.identified and res.estimate is None
    assert "clicked" in res.reason
    data = res.to_json()
    assert set(data) == CONTRACT_KEYS and data["estimate"] is None
    # Without a random-exposure log a selected outcome is not identified.
    no_random = build_analysis_table(
        frames_to_dataset(
            "no-random", world.dataset.items, world.dataset.users, world.dataset.interactions
        )
    )
    res2 = estimate_effect(no_random, graph, "genre", "rating", "comedy", "drama")
    assert not res2.identified and "random-exposure" in res2.reason
    # A subgroup defined by a consequence of the treatment is refused.
    res3 = estimate_effect(table, graph, "quality", "clicked", 4, 2, given={"position": 1})
    assert not res3.identified and "consequence" in res3.reason
    # A hidden confounder (a graph node with no data) leaves nothing to adjust with.
    hidden = CausalGraph([("taste", "promoted"), ("taste", "clicked"), ("promoted", "clicked")])
    res4 = estimate_effect(table, hidden, "promoted", "clicked")
    assert not res4.identified and "taste" in res4.reason


def test_json_contract_and_summary(worlds) -> None:
    world, table = worlds[0]
    res = estimate_effect(table, truth_graph(world), "promoted", "clicked")
    data = res.to_json()
    assert set(data) == CONTRACT_KEYS
    assert [r["name"] for r in data["refutations"]] == [
        "placebo_treatment",
        "random_common_cause",
        "data_subset",
    ]
    assert all(set(r) == {"name", "passed"} for r in data["refutations"])
    assert all(r["passed"] for r in data["refutations"])  # a real effect survives them
    assert res.treatment_value == 1 and res.control_value == 0
    assert "percentage points" in res.summary and "\n" not in res.summary
    assert data["n"] == len(world.dataset.interactions)


def _planted(seed: int, n_items: int = 4, n_users: int = 300):
    """A badge on half of a handful of items, no effect at all; items differ a lot."""
    rng = np.random.default_rng(seed)
    items = pd.DataFrame(
        {
            "item_id": [f"i{k}" for k in range(n_items)],
            "title": [f"t{k}" for k in range(n_items)],
            "badge": [1.0] * (n_items // 2) + [0.0] * (n_items - n_items // 2),
        }
    )
    item_effect = rng.normal(0, 0.8, n_items)
    users = pd.DataFrame({"user_id": [f"u{k}" for k in range(n_users)]})
    rows = [
        (f"u{u}", f"i{i}", float(np.clip(np.round(3 + item_effect[i] + rng.normal(0, 0.7)), 1, 5)))
        for u in range(n_users)
        for i in rng.choice(n_items, n_items, replace=False)
    ]
    inter = pd.DataFrame(rows, columns=["user_id", "item_id", "rating"])
    return build_analysis_table(frames_to_dataset("planted", items, users, inter))


def test_placebo_refuter_flags_a_planted_spurious_effect() -> None:
    graph = CausalGraph([("badge", "rating")])
    claimed = 0
    for seed in range(8):
        res = estimate_effect(_planted(seed), graph, "badge", "rating", 1, 0)
        if res.ci_low > 0 or res.ci_high < 0:  # the interval claims an effect that is not there
            claimed += 1
            placebo = res.refutations[0]
            assert placebo.name == "placebo_treatment" and not placebo.passed, res.refutations
            assert "does not stand out" in placebo.detail
    assert claimed >= 2  # with two items per arm the bootstrap is fooled; the placebo is not


def test_bad_input(worlds) -> None:
    world, table = worlds[0]
    graph = truth_graph(world)
    with pytest.raises(UnknownVariableError, match="did you mean 'genre'"):
        estimate_effect(table, graph, "genr", "rating")
    with pytest.raises(ConstantColumnError):
        estimate_effect(table, graph, "exposed", "clicked")
    with pytest.raises(BadValueError, match="values here"):
        estimate_effect(table, graph, "genre", "rating", "western", "drama")
    with pytest.raises(BadValueError):
        estimate_effect(table, graph, "quality", "clicked", "high", "low")
    with pytest.raises(TooFewRowsError):
        estimate_effect(
            table, graph, "genre", "rating", "comedy", "drama", given={"price": "72-73.5"}
        )
    with pytest.raises(EffectError, match="numeric"):
        estimate_effect(table, graph, "quality", "genre")
    with pytest.raises(EffectError, match="different"):
        estimate_effect(table, graph, "rating", "rating")
    with pytest.raises(EffectError, match="COL=VAL"):
        parse_given(["age_group"])
    with pytest.raises(MethodError):
        estimate_effect(table, graph, "promoted", "clicked", method="magic")
    with pytest.raises(EffectError):
        estimate_effect(
            table,
            graph,
            "promoted",
            "clicked",
            source=Source.RANDOM.value,
            given={"age_group": "nope"},
        )


# ---------------------------------------------------------------------- learned graphs
@pytest.fixture(scope="module")
def funnel():
    from causal.datasets.worlds import FunnelConfig, make_funnel_world

    world = make_funnel_world(FunnelConfig(seed=2, n_users=600, n_items=300, n_interactions=12_000))
    return world, build_analysis_table(world.dataset)


def _marked(world, arbitrary: set[tuple[str, str]]) -> CausalGraph:
    """The true observed graph, with some edges marked as oriented arbitrarily."""
    from causal.structure import EdgeInfo

    edges = sorted(world.truth.edges)
    info = {e: EdgeInfo(oriented_by="arbitrary" if e in arbitrary else "data") for e in edges}
    return CausalGraph(edges, world.truth.nodes, edge_info=info)


def test_alternative_graphs_reverse_only_undecided_edges_near_the_treatment(funnel) -> None:
    from causal.effects import alternative_graphs

    world, _ = funnel
    graph = _marked(world, {("quality", "popularity"), ("genre", "length")})
    alts = alternative_graphs(graph, "quality")
    assert [why for _, why in alts] == ["popularity -> quality instead of quality -> popularity"]
    assert ("popularity", "quality") in alts[0][0].edges
    # Resample graphs count when at least min_share of the resamples agree on them.
    other = tuple(e for e in world.truth.edges if e != ("age_group", "device"))
    alts = alternative_graphs(graph, "age_group", [other, other, world.truth.edges], min_share=0.5)
    assert [why for _, why in alts] == ["a graph found in 2 of 3 resamples"]


def test_learned_graph_interval_covers_both_outcome_models(funnel) -> None:
    from causal.effects import estimate_on_learned_graph

    world, table = funnel
    graph = _marked(world, set())
    args = ("exposed", "clicked", 1, 0)
    res = estimate_on_learned_graph(table, graph, *args, n_boot=20, refutations=False)
    aipw = estimate_effect(table, graph, *args, method="aipw", refutations=False, n_boot=20)
    reg = estimate_effect(table, graph, *args, method="regression", refutations=False, n_boot=20)
    assert res.identified and res.estimate == pytest.approx(aipw.estimate)
    assert res.ci_low <= min(aipw.ci_low, reg.ci_low) + 1e-12
    assert res.ci_high >= max(aipw.ci_high, reg.ci_high) - 1e-12
    truth = world.true_effect(*args)
    assert res.ci_low <= truth <= res.ci_high


def test_learned_graph_declines_when_an_open_orientation_moves_the_answer(funnel) -> None:
    from causal.effects import estimate_on_learned_graph

    world, table = funnel
    # Reversed, popularity would be a confounder of quality: adjusting for it blocks the
    # path through position and exposure, and the estimate moves outside the interval.
    graph = _marked(world, {("quality", "popularity")})
    res = estimate_on_learned_graph(
        table, graph, "quality", "clicked", 4, 2, n_boot=20, refutations=False
    )
    assert not res.identified and res.estimate is None
    assert "popularity -> quality" in res.reason
    decided = estimate_on_learned_graph(
        table, _marked(world, set()), "quality", "clicked", 4, 2, n_boot=20, refutations=False
    )
    assert decided.identified


def test_learned_graph_declines_without_overlap(funnel) -> None:
    from causal.effects import estimate_on_learned_graph

    world, table = funnel
    # Niche items are never placed first: position 1 vs 5 has no support there.
    res = estimate_on_learned_graph(
        table, _marked(world, set()), "position", "clicked", 1, 5, n_boot=20, refutations=False
    )
    assert not res.identified and "no overlap" in res.reason


def test_workspace_sends_only_learned_graphs_through_the_uncertainty_path() -> None:
    from causal.effects.learned_graph import is_learned
    from causal.structure import EdgeInfo

    edges = [("a", "b"), ("b", "c")]
    learned = CausalGraph(edges, edge_info={e: EdgeInfo(oriented_by="data") for e in edges})
    given = CausalGraph(edges, edge_info={e: EdgeInfo(oriented_by="given") for e in edges})
    assert is_learned(learned)
    assert not is_learned(given) and not is_learned(CausalGraph(edges))
