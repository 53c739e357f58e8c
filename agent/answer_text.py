"""Reply templates of the rule planner: item lines, effect sentences, the grounded fallback.

Every sentence is written from tool results alone (explanations' evidence, effect
estimates, graph answers), so the grounding check has nothing to flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent.models import RecItem
from agent.parse import Direction
from tools.schemas import EffectAnswer, Explanation, GraphAnswer, ItemSummary, Profile

# Method names a reader would not guess from the code name (the first word stays the code
# name's stem, which ui.why reads back for the chart).
METHOD_NAMES = {"piecewise": "piecewise-linear dose regression"}


def item_text(explanation: Explanation | None, summary: ItemSummary) -> str:
    """One item's explanation: the plain main reason first (the list's own counterfactual
    reason when it was verified), then evidence sentences (grounded in the tool results)."""
    cf = summary.counterfactual
    lead = cf.text if cf is not None and cf.verified else ""
    if not lead and explanation is not None:
        lead = explanation.reason
    if explanation is not None and explanation.evidence:
        rest = [e.text for e in explanation.evidence[:3] if e.text != lead]
        return " ".join([lead, *rest[:2]] if lead else rest)
    if explanation is not None:
        return explanation.summary
    return "Ranked highly for you."


def rec_item(summary: ItemSummary, explanation: Explanation | None) -> RecItem:
    """A RecItem from the recommend result and its explanation."""
    return RecItem(
        item_id=summary.item_id,
        title=summary.title,
        explanation=item_text(explanation, summary),
        evidence=list(explanation.evidence) if explanation else [],
        score=summary.score,
        attributes=dict(summary.attributes),
        counterfactual=summary.counterfactual,
    )


def oriented(effect: EffectAnswer, direction: Direction) -> EffectAnswer:
    """The same contrast told the way the user asked ("older": the lower value as treatment).

    The estimator's default contrast is the upper against the lower quartile; swapping the arms
    of an average effect negates it and its interval, so no second estimate is needed.
    """
    a, b = effect.treatment_value, effect.control_value
    if not (isinstance(a, int | float) and isinstance(b, int | float)) or a == b:
        return effect
    if (direction is Direction.DOWN) == (a < b):
        return effect
    return effect.model_copy(
        update={
            "treatment_value": b,
            "control_value": a,
            "estimate": None if effect.estimate is None else -effect.estimate,
            "ci_low": None if effect.ci_high is None else -effect.ci_high,
            "ci_high": None if effect.ci_low is None else -effect.ci_low,
        }
    )


def effect_sentence(effect: EffectAnswer) -> str:
    what = effect.change_phrase()
    segment = (
        " for " + ", ".join(f"{k} = {v}" for k, v in effect.subgroup.items())
        if effect.subgroup
        else ""
    )
    if not effect.identified:
        reason = effect.reason or "the data cannot separate it from other causes"
        return f"The effect of {what} on {effect.outcome}{segment} is not identified: {reason}."
    if effect.estimate is None:
        return (
            f"The data show no clear effect of {what} on {effect.outcome}{segment}"
            f" ({effect.method or 'no estimate'})."
        )
    direction = "raises" if effect.estimate > 0 else "lowers"
    ci = ""
    if effect.ci_low is not None and effect.ci_high is not None:
        ci = f" (95% interval {effect.ci_low:.3f} to {effect.ci_high:.3f})"
    method_name = METHOD_NAMES.get(str(effect.method), effect.method)
    method = f", estimated by {method_name}" if effect.method else ""
    return (
        f"Setting {what} {direction} {effect.outcome}{segment} by {abs(effect.estimate):.3f}"
        f"{ci}{method}."
    )


def templated_answer(bus: Any, items: Sequence[RecItem]) -> str:
    """An answer written from this turn's tool results alone (the grounded fallback)."""
    if items:
        lines = [f"{n}. {item.title} — {item.explanation}" for n, item in enumerate(items, 1)]
        return "Here is what I found:\n" + "\n".join(lines)
    for record in reversed(bus.records):
        result = record.result
        if isinstance(result, GraphAnswer):
            return result.answer
        if isinstance(result, EffectAnswer):
            return effect_sentence(result)
        if isinstance(result, Explanation):
            bullets = "\n".join(f"- {e.text}" for e in result.evidence)
            return f"Why {result.title}:\n{bullets or result.summary}"
        if isinstance(result, Profile):
            return "I have your profile; ask me for recommendations."
    return "I couldn't answer that reliably from the data. Could you rephrase?"


def _ranker_data(explanation: Explanation) -> dict[str, Any]:
    return next((dict(e.data) for e in explanation.evidence if e.kind == "ranker"), {})


def _number(data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    return float(value) if isinstance(value, int | float) else 0.0


def ranker_preference(a: Explanation, b: Explanation, rating_max: float | None) -> str | None:
    """Which of two items the ranker puts first for this user, in the quantities its
    explanations already state (chance of being picked, predicted rating), never raw scores:
    a raw score means nothing to a reader and cannot be checked against the explanations."""
    data_a, data_b = _ranker_data(a), _ranker_data(b)
    score_a, score_b = data_a.get("score"), data_b.get("score")
    if not isinstance(score_a, int | float) or not isinstance(score_b, int | float):
        return None
    first, second = (a, b) if score_a >= score_b else (b, a)
    d_first, d_second = (data_a, data_b) if first is a else (data_b, data_a)
    parts = []
    if isinstance(d_first.get("choice"), int | float) and isinstance(
        d_second.get("choice"), int | float
    ):
        parts.append(
            f"a {d_first['choice']:.0%} vs {d_second['choice']:.0%} chance of being picked "
            "over an average item (popularity aside)"
        )
    pref_first, pref_second = d_first.get("preference"), d_second.get("preference")
    if isinstance(pref_first, int | float) and isinstance(pref_second, int | float):
        if rating_max is not None:
            parts.append(
                f"a predicted rating of {pref_first:.2f} vs {pref_second:.2f} (of {rating_max:g})"
            )
        elif not parts:
            parts.append(f"a {pref_first:.0%} vs {pref_second:.0%} chance you would pick it")
    if score_a == score_b:
        return f"For you, the ranker scores {a.title} and {b.title} the same."
    main = "choice" if "choice" in d_first and "choice" in d_second else "preference"
    behind = _number(d_first, main) < _number(d_second, main)
    if parts and behind and _number(d_first, "popularity") > _number(d_second, "popularity"):
        parts.append(f"{first.title} comes first because it is more popular")
    detail = f": {'; '.join(parts)}" if parts else ""
    return f"For you, the ranker puts {first.title} ahead of {second.title}{detail}."
