"""The why panel's choices: which causal path an answer rests on, and the effect chart."""

from __future__ import annotations

import pytest

from causal.structure import CausalGraph, NodeInfo
from ui.charts import effect_png, graph_png
from ui.why import answer_effect, answer_path, banner_markdown, cited_effect, effect_from_text


@pytest.fixture(scope="module")
def graph():
    edges = [
        ("quality", "popularity"),
        ("popularity", "position"),
        ("position", "clicked"),
        ("genre", "clicked"),
        ("clicked", "rating"),
        ("price", "rating"),
    ]
    info = {
        "rating": NodeInfo("rating", role="outcome"),
        "clicked": NodeInfo("clicked", role="outcome"),
    }
    return CausalGraph(edges, info=info)


def _reply(items=(), trace=(), fallback=False):
    return {"text": "t", "items": list(items), "trace": list(trace), "fallback": fallback}


def test_an_effect_in_the_trace_gives_its_path(graph):
    trace = [
        {
            "kind": "tool",
            "name": "estimate_effect",
            "args": {"treatment": "quality", "outcome": "clicked"},
        }
    ]
    assert answer_path(_reply(trace=trace), graph) == [
        "quality",
        "popularity",
        "position",
        "clicked",
    ]


def test_an_explicit_path_in_evidence_wins(graph):
    items = [
        {"item_id": "a", "evidence": [{"kind": "causal", "data": {"path": ["price", "rating"]}}]}
    ]
    trace = [{"args": {"treatment": "quality", "outcome": "clicked"}}]
    assert answer_path(_reply(items, trace), graph) == ["price", "rating"]


def test_paths_naming_unknown_variables_are_ignored(graph):
    items = [
        {"item_id": "a", "evidence": [{"data": {"path": ["moon", "rating"]}}], "attributes": {}}
    ]
    assert answer_path(_reply(items), graph) is None


def test_without_causal_evidence_the_items_attributes_lead_to_an_outcome(graph):
    items = [{"item_id": "a", "attributes": {"title_len": 3, "genre": "comedy", "price": 9.0}}]
    # genre reaches rating through clicked; rating is preferred as the outcome
    assert answer_path(_reply(items), graph) == ["genre", "clicked", "rating"]
    matched = [
        {
            "item_id": "a",
            "evidence": [{"data": {"attribute": "price"}}],
            "attributes": {"genre": "x"},
        }
    ]
    assert answer_path(_reply(matched), graph) == ["price", "rating"]


def test_answer_effect_finds_the_estimate():
    effect = {
        "treatment": "price",
        "outcome": "rating",
        "identified": True,
        "estimate": -0.2,
        "ci_low": -0.3,
        "ci_high": -0.1,
    }
    trace = [{"kind": "tool", "name": "estimate_effect", "detail": "", "result": effect}]
    assert answer_effect(_reply(trace=trace))["estimate"] == -0.2
    assert answer_effect(_reply()) is None


def test_banner_names_the_backend_and_the_fallback():
    assert "rule-based planner answers" in banner_markdown("rule")
    text = banner_markdown("openai:http://x/v1", {"fallback": True, "fallback_reason": "timeout"})
    assert "openai:http://x/v1" in text and "rule planner" in text and "timeout" in text


def test_the_effect_chart_shows_only_an_effect_that_is_part_of_the_answer():
    supporting = {
        "item_id": "a",
        "evidence": [{"kind": "causal", "text": "Drama raises rating.", "data": EFFECT}],
    }
    assert cited_effect(_reply([supporting])) == (None, None)
    why = {"text": "Why a:\n- Drama raises rating.", "items": [supporting], "trace": []}
    assert cited_effect(why)[0]["estimate"] == 0.25
    sentence = (
        "Setting year = 1986 instead of 1996 raises rating by 0.156 "
        "(95% interval 0.140 to 0.177), estimated by regression."
    )
    step = {
        "kind": "tool",
        "name": "estimate_effect",
        "args": {"treatment": "year", "outcome": "rating"},
    }
    effect, pair = cited_effect({"text": sentence, "items": [], "trace": [step]})
    assert pair == ("year", "rating")
    assert (
        effect["estimate"] == 0.156
        and effect["ci_low"] == 0.14
        and effect["control_value"] == "1996"
    )
    lowered = effect_from_text(sentence.replace("raises", "lowers"), "year", "rating")
    assert lowered["estimate"] == -0.156
    assert effect_from_text(sentence, "price", "rating") is None
    assert cited_effect({"text": "no numbers", "items": [], "trace": [step]}) == (
        None,
        ("year", "rating"),
    )


EFFECT = {
    "treatment": "genre",
    "outcome": "rating",
    "estimate": 0.25,
    "ci_low": 0.18,
    "ci_high": 0.31,
}


def test_the_panel_graph_is_legible_and_bounded(graph):
    from ui.charts import PANEL_COLUMNS, panel_layout

    layout = panel_layout(graph)
    assert set(layout) == set(graph.nodes)
    rows = {}
    for x, row in layout.values():
        rows.setdefault(row, []).append(x)
    assert all(len(xs) <= PANEL_COLUMNS and len(set(xs)) == len(xs) for xs in rows.values())
    # causes sit above their effects
    assert all(layout[u][1] < layout[v][1] for u, v in graph.edges if graph.tier(u) is None)


def test_pictures_are_pngs(graph):
    assert graph_png(graph, ["genre", "clicked", "rating"]).startswith(b"\x89PNG")
    identified = {
        "treatment": "price",
        "outcome": "rating",
        "identified": True,
        "estimate": -0.2,
        "ci_low": -0.3,
        "ci_high": -0.1,
        "method": "backdoor",
    }
    missing = {
        "treatment": "price",
        "outcome": "rating",
        "identified": False,
        "estimate": None,
        "reason": "selection",
    }
    a, b = effect_png(identified), effect_png(missing)
    assert a.startswith(b"\x89PNG") and b.startswith(b"\x89PNG") and a != b


def test_popularity_evidence_maps_to_the_popularity_node(graph):
    items = [
        {
            "item_id": "a",
            "evidence": [
                {"kind": "query", "data": {}},
                {"kind": "popularity", "data": {"n_ratings": 3}},
            ],
        }
    ]
    assert answer_path(_reply(items), graph) == ["popularity", "position", "clicked", "rating"]


def test_causal_evidence_gives_path_and_effect_with_its_sentence(graph):
    data = {
        "treatment": "genre",
        "outcome": "rating",
        "treatment_value": "drama",
        "estimate": 0.25,
        "ci_low": 0.18,
        "ci_high": 0.31,
        "path": ["genre", "clicked", "rating"],
    }
    items = [
        {
            "item_id": "a",
            "evidence": [{"kind": "attribute", "text": "x", "data": {"attribute": "price"}}],
        },
        {
            "item_id": "b",
            "evidence": [{"kind": "causal", "text": "Drama raises rating.", "data": data}],
        },
    ]
    reply = _reply(items)
    assert answer_path(reply, graph) == ["genre", "clicked", "rating"]
    effect = answer_effect(reply)
    assert effect["estimate"] == 0.25 and effect["summary"] == "Drama raises rating."
