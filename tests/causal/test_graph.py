"""CausalGraph queries on hand-built DAGs, exports and errors."""

from __future__ import annotations

import json

import pytest

from causal.datasets import UnknownVariableError
from causal.structure import CausalGraph, EdgeInfo, GraphError, NodeInfo


@pytest.fixture
def confounded() -> CausalGraph:
    """z confounds x -> m -> y; w is a child of y; u -> x only (an instrument)."""
    info = {
        "z": NodeInfo("z", "user_attribute", 0, "who the user is"),
        "u": NodeInfo("u", "item_attribute", 0, "an instrument"),
        "x": NodeInfo("x", "treatment", 1, "what was shown"),
        "m": NodeInfo("m", "exposure", 2, "a mediator"),
        "y": NodeInfo("y", "outcome", 3, "what happened"),
        "w": NodeInfo("w", "outcome", 4, "a consequence of y"),
    }
    edges = [("z", "x"), ("z", "y"), ("u", "x"), ("x", "m"), ("m", "y"), ("y", "w")]
    stability = {e: EdgeInfo(stability=0.5 + 0.1 * k) for k, e in enumerate(edges)}
    return CausalGraph(edges, list(info), info=info, edge_info=stability)


def test_family_queries(confounded: CausalGraph) -> None:
    g = confounded
    assert g.parents("x") == ["u", "z"]
    assert g.children("x") == ["m"]
    assert g.ancestors("y") == ["m", "u", "x", "z"]
    assert g.descendants("x") == ["m", "w", "y"]
    assert g.markov_blanket("m") == ["x", "y", "z"]
    assert g.role("x") == "treatment" and g.tier("y") == 3
    assert g.description("z") == "who the user is"


def test_paths_and_d_separation(confounded: CausalGraph) -> None:
    g = confounded
    assert g.directed_paths("u", "w") == [["u", "x", "m", "y", "w"]]
    assert g.directed_paths("y", "x") == []
    assert g.has_path("z", "w") and not g.has_path("w", "z")
    assert not g.is_d_separated("x", "y")
    assert g.is_d_separated("x", "y", ["z", "m"])
    assert g.is_d_separated("u", "z")  # marginally independent roots
    assert not g.is_d_separated("u", "z", ["x"])  # conditioning on the collider x opens it
    with pytest.raises(GraphError):
        g.is_d_separated("x", "y", ["x"])


def test_adjustment_sets_never_contain_a_mediator(confounded: CausalGraph) -> None:
    g = confounded
    assert g.minimal_backdoor_set("x", "y") == ["z"]
    assert g.is_valid_backdoor_set("x", "y", ["z"])
    assert not g.is_valid_backdoor_set("x", "y", [])
    assert not g.is_valid_backdoor_set("x", "y", ["z", "m"])  # m descends from x
    for s in g.all_backdoor_sets("x", "y"):
        assert "m" not in s and "w" not in s
    assert ["z"] in g.backdoor_sets("x", "y")
    # The O-set adds nothing here beyond the confounder: y's other parent is z.
    assert g.optimal_adjustment_set("x", "y") == ["z"]
    # Only observed variables may be used: without z nothing works.
    assert g.minimal_backdoor_set("x", "y", observed=["u", "m", "w"]) is None


def test_frontdoor() -> None:
    # Classic front-door: hidden h confounds x and y; x -> m -> y.
    g = CausalGraph([("h", "x"), ("h", "y"), ("x", "m"), ("m", "y")])
    assert ["m"] in g.frontdoor_sets("x", "y")
    assert g.minimal_backdoor_set("x", "y", observed=["m"]) is None


def test_unknown_variable_lists_close_names(confounded: CausalGraph) -> None:
    with pytest.raises(UnknownVariableError) as info:
        confounded.parents("yy")
    assert "'y'" in str(info.value)
    assert info.value.suggestions[0] == "y"
    with pytest.raises(UnknownVariableError):
        confounded.directed_paths("x", "nope")


def test_cycle_and_self_loop_are_rejected() -> None:
    with pytest.raises(GraphError, match="cycle"):
        CausalGraph([("a", "b"), ("b", "c"), ("c", "a")])
    with pytest.raises(GraphError, match="self-loop"):
        CausalGraph([("a", "a")])


def test_json_contract_and_round_trip(confounded: CausalGraph, tmp_path) -> None:
    data = confounded.to_json()
    assert set(data) == {"nodes", "edges", "stability"}
    assert ["x", "m"] in data["edges"]
    assert data["stability"]["z->x"] == pytest.approx(0.5)
    json.dumps(data)
    path = tmp_path / "g.json"
    confounded.save(path)
    back = CausalGraph.load(path)
    assert back.edges == confounded.edges
    assert back.role("m") == "exposure" and back.tier("w") == 4
    assert back.stability() == confounded.stability()
    # The contract form alone is enough to rebuild the structure.
    bare = CausalGraph.from_json(json.dumps(data))
    assert bare.edges == confounded.edges
    with pytest.raises(GraphError):
        CausalGraph.from_json("{not json")
    with pytest.raises(GraphError):
        CausalGraph.from_json({"nodes": ["a"]})


def test_dot_and_png(confounded: CausalGraph, tmp_path) -> None:
    dot = confounded.to_dot(highlight_path=["x", "m", "y"])
    assert dot.startswith("digraph")
    assert '"x" -> "m"' in dot and "penwidth=3" in dot
    assert "#f4a261" in dot  # treatment colour
    png = confounded.to_png(tmp_path / "g.png", highlight_path=["z", "x", "m", "y"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 5_000
    with pytest.raises(UnknownVariableError):
        confounded.to_png(tmp_path / "h.png", highlight_path=["x", "zz"])


def test_subgraph_keeps_info(confounded: CausalGraph) -> None:
    sub = confounded.subgraph(["x", "m", "y"])
    assert sub.edges == [("m", "y"), ("x", "m")]
    assert sub.role("y") == "outcome"
