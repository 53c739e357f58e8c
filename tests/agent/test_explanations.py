"""Explanations cite only effects that favour the item, lead with a plain reason, and carry
the counterfactual reason as a separate field."""

from __future__ import annotations

import pytest

from tools.explain import on_item_side, supports
from tools.registry import get_tool
from tools.schemas import EffectAnswer, ToolContext, UserContext


def _effect(a, b, est, lo, hi, treatment="year"):
    return EffectAnswer(
        treatment=treatment,
        outcome="rating",
        treatment_value=a,
        control_value=b,
        identified=True,
        estimate=est,
        ci_low=lo,
        ci_high=hi,
    )


def test_an_effect_is_told_from_the_items_side_and_must_favour_it():
    lowers = _effect(1996, 1986, -0.156, -0.177, -0.140)
    # the case: a 1995 item sits on the 1996 arm, where the effect lowers the rating
    assert not supports(on_item_side(lowers, [], 1995.0))
    # a 1987 item sits on the 1986 arm: told that way round, the same effect favours it
    flipped = on_item_side(lowers, [], 1987.0)
    assert (flipped.treatment_value, flipped.control_value) == (1986, 1996)
    assert supports(flipped) and flipped.ci_low == pytest.approx(0.140)
    assert on_item_side(lowers, [], 1991.0) is None  # exactly between the arms: neither
    crosses = _effect(1996, 1986, 0.05, -0.01, 0.11)
    assert not supports(on_item_side(crosses, [], 1996.0))  # interval includes zero
    drama = _effect("Drama", None, 0.25, 0.18, 0.31, treatment="genres")
    assert supports(on_item_side(drama, ["Crime", "Drama"], None))
    assert on_item_side(drama, ["Comedy"], None) is None  # the item lacks the treatment value
    pair = _effect("Drama", "Comedy", -0.2, -0.3, -0.1, treatment="genres")
    assert supports(on_item_side(pair, ["Comedy"], None))  # comedy vs drama favours comedy
    assert on_item_side(pair, ["Comedy", "Drama"], None) is None  # both arms: says nothing


def _holds(table, item_id, evidence):
    """Independent check: the item's own value is the cited treatment arm."""
    data = evidence.data
    value = table.value(item_id, data["treatment"])
    a, b = data["treatment_value"], data["control_value"]
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(value) - a) < abs(float(value) - b)
    return str(a) in str(value).split("|")


def test_cited_effects_support_their_item_and_the_reason_leads_plainly(agent_workspace):
    from tools.item_table import item_table

    table = item_table(agent_workspace)
    users = [str(u) for u in agent_workspace.dataset.users["user_id"].iloc[:4]]
    cited = 0
    with_counterfactual = 0
    for user in users:
        ctx = ToolContext(workspace=agent_workspace, user=UserContext(user_id=user))
        recs = get_tool("recommend").call(ctx, {"k": 5})
        for item in recs.items:
            explanation = get_tool("explain").call(ctx, {"item_id": item.item_id})
            assert explanation.reason and explanation.summary
            for internal in ("SNIPS", "IPS", "DR", "ranker", "logit"):
                assert internal not in explanation.reason
            for ev in explanation.evidence:
                if ev.kind != "causal":
                    continue
                cited += 1
                assert ev.data["ci_low"] > 0 and ev.data["estimate"] > 0
                assert _holds(table, item.item_id, ev), ev.text
                assert " raises " in ev.text and " lowers " not in ev.text
                assert str(ev.data["treatment_value"]) in ev.text
            cf = explanation.counterfactual
            if cf is not None:
                with_counterfactual += 1
                assert cf.verified and cf.rank <= 10 < cf.rank_without
                assert explanation.reason == cf.text
    assert with_counterfactual > 0


def test_the_python_api_carries_counterfactuals_and_checks_them(rule_agent, agent_workspace):
    user = str(agent_workspace.dataset.users["user_id"].iloc[1])
    items = rule_agent.recommend(rule_agent.new_session(user), k=5)
    assert items and all(i.counterfactual is not None and i.counterfactual.text for i in items)
    found = [i.counterfactual for i in items if i.counterfactual.verified]
    assert found and all(cf.rank <= 5 < cf.rank_without for cf in found)
    check = rule_agent.new_session(user)
    again = rule_agent.recommend(check, k=5, without=found[0].without)
    cited = {s for i in again for s in i.counterfactual.without}
    assert again and not cited & set(found[0].without)
    assert not rule_agent.session_state(check).shown  # a check leaves the session alone


def test_a_dose_effect_names_its_method_in_words_and_the_chart_reads_it_back():
    from agent.answer_text import effect_sentence
    from ui.why import effect_from_text

    effect = _effect(1996, 1986, -0.512, -0.602, -0.140).model_copy(update={"method": "piecewise"})
    sentence = effect_sentence(effect)
    assert "estimated by piecewise-linear dose regression" in sentence
    read = effect_from_text(sentence, "year", "rating")
    assert read is not None and read["ci_low"] == pytest.approx(-0.602)
