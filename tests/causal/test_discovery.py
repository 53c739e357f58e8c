"""Discovery against known truth: synthetic worlds, pgmpy's example networks, priors, errors."""

from __future__ import annotations

import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from causal.datasets import build_analysis_table, table_from_frame
from causal.datasets.synthetic import NODES, SyntheticConfig, make_world
from causal.structure import (
    DiscoveryError,
    DiscoveryTimeout,
    PriorError,
    PriorKnowledge,
    discover,
    orient,
    orientation_f1,
    shd,
)


def structural_truth(world) -> set[tuple[str, str]]:
    """The simulator's DAG over NODES."""
    return set(world.truth.edges)


@pytest.fixture(scope="module")
def worlds():
    return [
        make_world(SyntheticConfig(seed=s, n_users=400, n_items=300, n_interactions=30_000))
        for s in (1, 2, 4)
    ]


def test_pc_with_priors_recovers_synthetic_worlds(worlds) -> None:
    for world in worlds:
        table = build_analysis_table(world.dataset)
        result = discover(table, variables=list(NODES), n_bootstrap=0, progress=False)
        truth = structural_truth(world)
        learned = set(result.graph.edges)
        assert shd(learned, truth) <= 2, (world.config.seed, sorted(learned ^ truth))
        assert orientation_f1(learned, truth) >= 0.9
        # Priors orient every edge the way time runs.
        for u, v in learned:
            assert table.spec(u).tier <= table.spec(v).tier


def test_priors_beat_plain_search(worlds) -> None:
    world = worlds[0]
    table = build_analysis_table(world.dataset)
    truth = structural_truth(world)
    plain = discover(table, variables=list(NODES), plain=True, n_bootstrap=0, progress=False)
    prior = discover(table, variables=list(NODES), n_bootstrap=0, progress=False)
    assert shd(prior.graph.edges, truth) < shd(plain.graph.edges, truth)
    # The naive table links item attributes that repeat over rows (over-counted evidence).
    assert any(
        table.spec(u).level.value == "item"
        and table.spec(v).level.value == "item"
        and frozenset((u, v)) != frozenset(("quality", "popularity"))
        for u, v in plain.graph.edges
    )


def test_bootstrap_stability_on_every_edge(worlds) -> None:
    table = build_analysis_table(worlds[1].dataset)
    result = discover(table, variables=list(NODES), n_bootstrap=4, progress=False, seed=3)
    assert result.n_bootstrap == 4
    stability = result.graph.stability()
    assert set(stability) == {f"{u}->{v}" for u, v in result.graph.edges}
    assert all(0.0 <= s <= 1.0 for s in stability.values())
    # Strong, prior-oriented edges come back in every resample.
    assert stability["position->clicked"] == 1.0
    # quality and popularity share tier 0 (roles only), so the priors no longer orient that
    # edge; its adjacency still comes back in every resample.
    assert len(result.resamples) == 4
    pair = frozenset(("quality", "popularity"))
    assert all(any(frozenset(e) == pair for e in edges) for edges in result.resamples)


def test_required_and_forbidden_edges(worlds) -> None:
    table = build_analysis_table(worlds[0].dataset)
    result = discover(
        table,
        variables=list(NODES),
        required=[("promoted", "rating")],
        forbidden=[("quality", "clicked")],
        n_bootstrap=0,
        progress=False,
    )
    edges = set(result.graph.edges)
    assert ("promoted", "rating") in edges
    assert ("quality", "clicked") not in edges
    # Selection edge from the funnel: a rating exists only after a click.
    assert ("clicked", "rating") in edges
    assert result.graph.edge_info("clicked", "rating").oriented_by == "prior"


def test_priors_that_form_a_cycle_are_refused(worlds) -> None:
    table = build_analysis_table(worlds[0].dataset)
    with pytest.raises(PriorError, match="cycle"):
        discover(
            table,
            variables=list(NODES),
            required=[("genre", "price"), ("price", "quality"), ("quality", "genre")],
            progress=False,
        )
    with pytest.raises(PriorError, match="tier"):
        discover(table, variables=list(NODES), required=[("rating", "quality")], progress=False)


def test_orientation_function_decides_undecided_edges() -> None:
    # a - b - c with no v-structure and no tiers: the data cannot orient a - b.
    calls: list[tuple[str, str]] = []

    def alphabetical(x: str, y: str, descriptions) -> tuple[str, str]:
        calls.append((x, y))
        assert descriptions["a"] == "first"
        return (min(x, y), max(x, y))

    adj = {frozenset(("a", "b")), frozenset(("b", "c"))}
    edges, how = orient(
        ["a", "b", "c"],
        adj,
        PriorKnowledge(),
        sepsets={frozenset(("a", "c")): {"b"}},
        orient_fn=alphabetical,
        descriptions={"a": "first", "b": "", "c": ""},
    )
    assert set(edges) == {("a", "b"), ("b", "c")}
    assert how[("a", "b")] == "orient_fn"
    # After a -> b, Meek's rule 1 orients b -> c from the data: asked only once.
    assert how[("b", "c")] == "data" and calls == [("a", "b")]
    # Without a function the edge is still oriented, and marked arbitrary.
    _, how2 = orient(["a", "b", "c"], adj, PriorKnowledge(), sepsets={frozenset(("a", "c")): {"b"}})
    assert "arbitrary" in how2.values()

    # A failing orienter never breaks discovery.
    def broken(x, y, d):
        raise RuntimeError("model offline")

    edges3, _ = orient(["a", "b", "c"], adj, PriorKnowledge(), orient_fn=broken)
    assert len(edges3) == 2


def test_hc_and_ges_run_with_priors(worlds) -> None:
    table = build_analysis_table(worlds[0].dataset)
    truth = structural_truth(worlds[0])
    for method in ("hc", "ges"):
        result = discover(
            table, method=method, variables=list(NODES), n_bootstrap=0, progress=False
        )
        assert nx.is_directed_acyclic_graph(nx.DiGraph(result.graph.edges))
        assert shd(result.graph.edges, truth) <= 8
        for u, v in result.graph.edges:
            assert table.spec(u).tier <= table.spec(v).tier


def _example(name: str, n: int, seed: int = 0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.sampling import BayesianModelSampling
        from pgmpy.utils import get_example_model

        model = get_example_model(name)
    frame = BayesianModelSampling(model).forward_sample(size=n, seed=seed, show_progress=False)
    return model, frame


@pytest.mark.parametrize(("name", "n", "max_shd"), [("asia", 5000, 5), ("sachs", 3000, 10)])
def test_example_networks(name: str, n: int, max_shd: int) -> None:
    # pgmpy's networks have no roles, so no tiers: plain search, then the orientation hook
    # fed by a scripted oracle that answers wrongly for 20% of the pairs it is asked about.
    import random

    model, frame = _example(name, n)
    truth = set(model.edges())
    asked: list[tuple[str, str]] = []

    def oracle(x: str, y: str, _descriptions) -> tuple[str, str] | None:
        asked.append((x, y))
        right = (x, y) if (x, y) in truth else (y, x) if (y, x) in truth else None
        if right is None:
            return None
        wrong = random.Random(f"{min(x, y)}|{max(x, y)}").random() < 0.2
        return (right[1], right[0]) if wrong else right

    plain = discover(table_from_frame(frame), plain=True, n_bootstrap=0, progress=False)
    hooked = discover(
        table_from_frame(frame), plain=True, n_bootstrap=0, progress=False, orient_fn=oracle
    )
    assert asked, "some edge was left undecided by the data"
    assert shd(hooked.graph.edges, truth) <= max_shd
    assert shd(hooked.graph.edges, truth) <= shd(plain.graph.edges, truth)
    # The hook only orients: the skeleton is the data's.
    assert {frozenset(e) for e in hooked.graph.edges} == {frozenset(e) for e in plain.graph.edges}
    skeleton_plain = {frozenset(e) for e in plain.graph.edges}
    recall = len(skeleton_plain & {frozenset(e) for e in truth}) / len(truth)
    assert recall >= 0.6


def test_bad_input_gives_clear_errors(worlds) -> None:
    table = build_analysis_table(worlds[0].dataset)
    with pytest.raises(DiscoveryError, match="constant"):
        discover(table, variables=["exposed", "clicked"], progress=False)
    with pytest.raises(ValueError, match="did you mean"):
        discover(table, variables=["clickd", "rating"], progress=False)
    with pytest.raises(DiscoveryError, match="at least 2"):
        discover(table, variables=["clicked"], progress=False)
    with pytest.raises(DiscoveryError, match="unknown discovery method"):
        discover(table, method="magic", progress=False)
    tiny = table_from_frame(pd.DataFrame({"a": [0, 1] * 5, "b": [1, 0] * 5}))
    with pytest.raises(DiscoveryError, match="at least 20"):
        discover(tiny, progress=False)


def test_time_budget() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"v{k}": rng.integers(0, 3, 3000) for k in range(10)})
    with pytest.raises(DiscoveryTimeout, match="time budget"):
        discover(table_from_frame(frame), time_budget_s=1e-6, progress=False)
    # A generous budget lets the main search finish but caps the bootstrap.
    result = discover(table_from_frame(frame), time_budget_s=30, n_bootstrap=3, progress=False)
    assert result.n_bootstrap <= 3


def test_conflicting_colliders_stay_undecided() -> None:
    # a - b - c - d: sepsets claim a -> b <- c and b -> c <- d; the two disagree on b - c.
    nodes = ["a", "b", "c", "d"]
    adj = {frozenset(("a", "b")), frozenset(("b", "c")), frozenset(("c", "d"))}
    seps = {
        frozenset(("a", "c")): set(),
        frozenset(("b", "d")): set(),
        frozenset(("a", "d")): set(),
    }
    _, how = orient(nodes, adj, PriorKnowledge(), sepsets=seps)
    assert "data" not in how.values()
    # Without the conflict the collider is oriented from the data.
    seps_ok = {
        frozenset(("a", "c")): set(),
        frozenset(("b", "d")): {"c"},
        frozenset(("a", "d")): set(),
    }
    edges, how_ok = orient(nodes, adj, PriorKnowledge(), sepsets=seps_ok)
    assert ("a", "b") in edges and ("c", "b") in edges
    assert how_ok[("a", "b")] == how_ok[("c", "b")] == "data"


def test_collider_ruled_out_by_priors_drops_its_whole_triple() -> None:
    # z -> x is required, so "x -> z <- y" (empty sepset) is wrong: y - z stays undecided.
    adj = {frozenset(("x", "z")), frozenset(("y", "z"))}
    priors = PriorKnowledge(required=(("z", "x"),))
    edges, how = orient(["x", "y", "z"], adj, priors, sepsets={frozenset(("x", "y")): set()})
    assert ("z", "x") in edges
    pair = next(e for e in edges if set(e) == {"y", "z"})
    assert how[pair] == "arbitrary"


def test_stability_selection_keeps_only_stable_edges(worlds) -> None:
    table = build_analysis_table(worlds[2].dataset)
    base = discover(table, variables=list(NODES), n_bootstrap=3, progress=False, seed=1)
    strict = discover(
        table,
        variables=list(NODES),
        n_bootstrap=3,
        progress=False,
        seed=1,
        stability_threshold=1.0,
    )
    assert set(strict.graph.edges) <= set(base.graph.edges)
    for u, v in strict.graph.edges:
        pair = frozenset((u, v))
        assert all(any(frozenset(e) == pair for e in r) for r in strict.resamples)
    with pytest.raises(DiscoveryError, match="stability_threshold"):
        discover(table, variables=list(NODES), stability_threshold=1.5, progress=False)


@pytest.mark.slow
def test_funnel_world_beats_pgmpy_pc_with_the_same_role_tiers() -> None:
    from pgmpy.causal_discovery import PC, ExpertKnowledge

    from causal.datasets.worlds import OBSERVED, FunnelConfig, make_funnel_world

    world = make_funnel_world(FunnelConfig(seed=11, n_interactions=10_000))
    table = build_analysis_table(world.dataset)
    truth = set(world.truth.edges)
    ours = discover(table, variables=list(OBSERVED), n_bootstrap=0, progress=False)
    codes = table.codes("rows")[list(OBSERVED)]
    frame = codes.astype(str)  # a missing value (-1) is one more level, as pgmpy sees it
    tiers = {v: table.spec(v).tier for v in OBSERVED}
    order = [[v for v in OBSERVED if tiers[v] == t] for t in sorted(set(tiers.values()))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pc = PC(
            ci_test="chi_square",
            return_type="dag",
            max_cond_vars=4,
            expert_knowledge=ExpertKnowledge(temporal_order=order),
            n_jobs=1,
            show_progress=False,
        ).fit(frame)
    theirs = {(str(u), str(v)) for u, v in pc.causal_graph_.edges()}
    assert shd(ours.graph.edges, truth) <= 0.5 * shd(theirs, truth)
