"""The agent's tools: schemas from docstrings, filter validation, graph and effect questions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tools.registry import TOOL_TARGETS, get_tool, tool_specs
from tools.schemas import ToolContext, ToolError, UserContext, coerce_filters


def test_every_tool_has_a_documented_schema():
    specs = tool_specs()
    assert [s.name for s in specs] == list(TOOL_TARGETS)
    for spec in specs:
        schema = spec.json_schema()
        assert schema["description"] and "Args:" not in schema["description"]
        for name, prop in schema["parameters"].get("properties", {}).items():
            assert prop.get("description"), f"{spec.name}.{name} has no description"
    recommend = get_tool("recommend").json_schema()["parameters"]
    assert recommend["properties"]["k"]["maximum"] == 50
    with pytest.raises(KeyError):
        get_tool("nope")


def test_filter_shorthand_and_mistakes():
    parsed = coerce_filters(
        {"genre": ["comedy"], "price": {"max": 20}, "tags": {"all": ["a", "b"]}}
    )
    assert [(f.attribute, f.any_of, f.all_of, f.max) for f in parsed] == [
        ("genre", ["comedy"], None, None),
        ("price", None, None, 20),
        ("tags", None, ["a", "b"], None),
    ]
    with pytest.raises(ValueError):
        coerce_filters({"price": {"below": 3}})
    with pytest.raises(ValidationError):
        get_tool("recommend").args_model.model_validate({"filters": [{"attribute": "price"}]})
    with pytest.raises(ValidationError):
        get_tool("recommend").args_model.model_validate({"k": 3, "colour": "red"})


@pytest.fixture
def ctx(agent_workspace):
    return ToolContext(workspace=agent_workspace, user=UserContext(liked=("i000001",)))


def test_search_and_recommend(ctx):
    found = get_tool("search_items").call(ctx, {"query": "haunted house", "k": 5})
    assert len(found.items) == 5
    assert sum(i.attributes["genre"] == "horror" for i in found.items) >= 3
    recs = get_tool("recommend").call(
        ctx, {"k": 4, "filters": {"genre": ["Comedy"], "price": {"max": 15}}}
    )
    assert len(recs.items) == 4
    assert all(
        i.attributes["genre"] == "comedy" and i.attributes["price"] <= 15 for i in recs.items
    )
    assert all("genre=Comedy" in i.matched for i in recs.items)
    with pytest.raises(ToolError, match="did you mean 'genre'"):
        get_tool("recommend").call(ctx, {"filters": {"genres": ["comedy"]}})
    with pytest.raises(ToolError, match="no value"):
        get_tool("recommend").call(ctx, {"filters": {"genre": ["westerns-ish"]}})


def test_explain_profile_feedback(ctx):
    explanation = get_tool("explain").call(ctx, {"item_id": "i000002"})
    assert explanation.item_id == "i000002" and explanation.evidence
    assert any(e.kind == "similar_liked" for e in explanation.evidence)  # i000001 was liked
    with pytest.raises(ToolError, match="unknown item"):
        get_tool("explain").call(ctx, {"item_id": "zzz"})
    profile = get_tool("get_profile").call(ctx, {})
    assert [r.item_id for r in profile.liked] == ["i000001"]
    ack = get_tool("record_feedback").call(ctx, {"item_id": "i000003", "value": 1})
    assert ack.kind == "dislike"
    with pytest.raises(ToolError):
        get_tool("record_feedback").call(ctx, {"item_id": "i000003", "value": 9})


def test_graph_questions(ctx, agent_workspace):
    graph = agent_workspace.graph
    outcome = "clicked" if "clicked" in graph else graph.nodes[-1]
    parents = get_tool("causal_graph_query").call(ctx, {"kind": "parents", "variables": [outcome]})
    assert parents.nodes == graph.parents(outcome)
    cause = parents.nodes[0]
    why = get_tool("causal_graph_query").call(ctx, {"kind": "why", "variables": [cause, outcome]})
    assert why.paths and why.paths[0][0] == cause and why.paths[0][-1] == outcome
    overview = get_tool("causal_graph_query").call(ctx, {"kind": "overview"})
    assert len(overview.edges) == len(graph.edges)
    with pytest.raises(ToolError, match="unknown variable"):
        get_tool("causal_graph_query").call(ctx, {"kind": "parents", "variables": ["pricee"]})
    with pytest.raises(ToolError, match="needs 2"):
        get_tool("causal_graph_query").call(ctx, {"kind": "paths", "variables": [outcome]})


def test_effects(ctx, agent_workspace):
    stored = next(
        e for e in agent_workspace.causal.effects if "skipped" not in e and e.get("identified")
    )
    answer = get_tool("estimate_effect").call(
        ctx, {"treatment": stored["treatment"], "outcome": stored["outcome"]}
    )
    assert answer.estimate == stored["estimate"]  # the build's key effect, not recomputed
    with pytest.raises(ToolError, match="unknown variable"):
        get_tool("estimate_effect").call(ctx, {"treatment": "nope", "outcome": stored["outcome"]})


def test_recommend_uses_the_ranker_and_explains_its_prediction(agent_workspace):
    user = str(agent_workspace.dataset.users["user_id"].iloc[0])
    ctx = ToolContext(workspace=agent_workspace, user=UserContext(user_id=user))
    recs = get_tool("recommend").call(ctx, {"k": 5})
    assert recs.method == "ranker" and len(recs.items) == 5
    assert all("preference" in i.components for i in recs.items)
    explanation = get_tool("explain").call(ctx, {"item_id": recs.items[0].item_id})
    ranker = next(e for e in explanation.evidence if e.kind == "ranker")
    assert ranker.data["preference"] == pytest.approx(recs.items[0].components["preference"])
    # The text leads with what orders the list: the choice model when it is weighted in.
    if agent_workspace.ranker.weights.choice and "choice" in ranker.data:
        assert f"{ranker.data['choice']:.0%} chance of being picked" in ranker.text
    else:
        assert "predicts" in ranker.text and "chance of being picked" not in ranker.text


def test_feedback_reaches_the_workspace_log(agent_workspace):
    from tools.feedback import feedback_log

    before = len(feedback_log(agent_workspace).read())
    ctx = ToolContext(workspace=agent_workspace, user=UserContext(session_id="s-log"))
    ack = get_tool("record_feedback").call(ctx, {"item_id": "i000004", "value": "like"})
    records = feedback_log(agent_workspace).read()
    assert ack.recorded and len(records) == before + 1
    assert (records[-1].item_id, records[-1].value, records[-1].session_id) == (
        "i000004",
        "like",
        "s-log",
    )
