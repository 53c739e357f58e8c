"""LLM-backed edge orientation for causal discovery."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage
from llm_fakes import ScriptedChatModel
from openai_loopback import ScriptedOpenAIServer

from agent.orient import llm_orient, parse_choice

DESC = {"quality": "how good the item is", "rating": "the rating the user gave"}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("A", ("quality", "rating")), ("B) rating causes quality", ("rating", "quality")), ("C", None),
     ("A or B", None), ("I cannot tell", None)],
)  # fmt: skip
def test_answers_map_to_directions(answer, expected):
    orient = llm_orient(model=ScriptedChatModel(steps=[AIMessage(answer)]))
    assert orient("quality", "rating", DESC) == expected


def test_failures_mean_no_opinion_and_answers_are_cached():
    model = ScriptedChatModel(steps=[RuntimeError("down"), AIMessage("A"), AIMessage("B")])
    orient = llm_orient(model=model)
    assert orient("quality", "rating", DESC) is None
    assert orient("quality", "rating", DESC) == ("quality", "rating")
    assert orient("rating", "quality", DESC) == ("quality", "rating")  # cached, same pair
    assert len(model.prompts) == 2
    assert "how good the item is" in model.prompts[1][-1].content


def test_over_the_openai_protocol():
    with ScriptedOpenAIServer([{"content": "A"}]) as server:
        orient = llm_orient(f"openai:{server.url}")
        assert orient("quality", "rating", DESC) == ("quality", "rating")
        assert server.requests[0]["messages"][0]["role"] == "system"


def test_rule_backend_is_refused():
    with pytest.raises(ValueError):
        llm_orient("rule")
    assert parse_choice("  b ") == "B"
