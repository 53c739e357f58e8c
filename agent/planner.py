"""The rule backend: a deterministic planner that reads the turn, updates memory, calls tools.

No language model: `agent.nlu` finds the intent and slots, `update_memory` folds them into the
session (wishes accumulate across turns; "actually" replaces; "cheaper" and "older" move a
bound relative to what was just shown), and `RulePlanner.respond` calls the same tools an LLM
would — recommend, explain, compare, what-if, graph questions, profile, feedback — and writes
the answer from templates that use only the tool results. When a request is too vague to
rank well it still shows picks and asks about the attribute that best splits the candidates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from agent.memory import NumericRange, SessionState
from agent.models import RecItem
from agent.nlu import (
    Direction,
    FeedbackKind,
    Intent,
    Parse,
    spoken_name,
    understand,
    unknown_causal_terms,
)
from agent.toolkit import TurnContext, run_tool
from agent.vocab import NumericKind, Vocabulary
from tools.registry import get_tool
from tools.schemas import (
    EffectAnswer,
    Explanation,
    GraphAnswer,
    GraphQueryKind,
    ItemSummary,
    Profile,
    Recommendations,
)

DEFAULT_K = 10
MAX_QUERY_WORDS = 12
POOL_K = 30  # candidates ranked per turn; the first k are shown, all inform the next question
ASK_WHEN_MORE_THAN = 2  # ask while the pool holds more than this many times k candidates

INTENT_PROTOTYPES: dict[Intent, tuple[str, ...]] = {
    Intent.RECOMMEND: (
        "recommend me something to watch",
        "I am looking for a good movie",
        "suggest something I might enjoy",
        "what should I try next",
    ),
    Intent.WHY: (
        "why did you pick that",
        "what makes this a good match for me",
        "tell me more about that recommendation",
    ),
    Intent.WHAT_IF: (
        "what would happen if it cost less",
        "would people click more if it was promoted",
    ),
    Intent.CAUSAL: (
        "what influences the ratings people give",
        "is popularity the reason people click",
    ),
    Intent.RESET: ("let's start from scratch", "forget what I said before"),
    Intent.PROFILE: ("what have I told you so far", "what do you remember about my taste"),
    Intent.HELP: ("what can you do", "how do I use this"),
}


@dataclass
class PlannerReply:
    """The rule planner's answer to one turn."""

    text: str
    items: list[RecItem] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    asked: str | None = None


class IntentClassifier:
    """Nearest intent prototype by sentence embedding: the fallback when no pattern fires."""

    def __init__(self, embed: Any, threshold: float = 0.55) -> None:
        self._embed = embed
        self.threshold = threshold
        self._labels: list[Intent] = []
        self._matrix: np.ndarray | None = None

    def _prototypes(self) -> np.ndarray:
        if self._matrix is None:
            texts: list[str] = []
            for intent, examples in INTENT_PROTOTYPES.items():
                texts += examples
                self._labels += [intent] * len(examples)
            self._matrix = self._embed(texts)
        return self._matrix

    def classify(self, text: str) -> tuple[Intent | None, float]:
        """The closest intent and its cosine similarity (None below the threshold)."""
        matrix = self._prototypes()
        sims = matrix @ self._embed([text])[0]
        best = int(np.argmax(sims))
        score = float(sims[best])
        return (self._labels[best] if score >= self.threshold else None), score


# -- memory --------------------------------------------------------------------------


def _shown_values(ctx: TurnContext, attribute: str) -> list[float]:
    from tools.items import item_table

    table = item_table(ctx.workspace)
    values = []
    for item_id in ctx.state.last_shown:
        if table.has(item_id):
            value = table.value(item_id, attribute)
            if isinstance(value, int | float):
                values.append(float(value))
    return values


def _resolve_relative(
    ctx: TurnContext, vocab: Vocabulary, attribute: str, direction: Direction
) -> NumericRange:
    """'cheaper' / 'older': a bound just past what the user saw (or the catalog's middle)."""
    info = vocab.numeric[attribute]
    current = ctx.state.constraints.ranges.get(attribute, NumericRange())
    seen = _shown_values(ctx, attribute)
    centre = float(np.median(seen)) if seen else info.median
    if info.kind is NumericKind.YEAR:
        step = 1.0
    elif info.kind is NumericKind.PRICE:
        step = 0.2 * centre
    else:
        step = 0.1 * max(info.high - info.low, 1e-9)
    if direction is Direction.DOWN:
        bound = centre - step
        if current.max is not None:
            bound = min(bound, current.max - step)
        low = current.min if current.min is not None and current.min < bound else None
        return NumericRange(min=low, max=max(bound, info.low))
    bound = centre + step
    if current.min is not None:
        bound = max(bound, current.min + step)
    high = current.max if current.max is not None and current.max > bound else None
    return NumericRange(min=min(bound, info.high), max=high)


def update_memory(ctx: TurnContext, parse: Parse, vocab: Vocabulary) -> list[str]:
    """Fold one turn's slots and feedback into the session; returns notes to tell the user."""
    state = ctx.state
    notes: list[str] = []
    cons = state.constraints
    if Intent.RESET in parse.intents:
        state.constraints = type(cons)()
        state.last_shown = []
        state.shown = []
        state.focus = None
        return ["Starting over."]
    for item_id, kind in parse.feedback:
        ack = run_tool(ctx, get_tool("record_feedback"), {"item_id": item_id, "value": kind.value})
        if ack.ok:
            title = vocab.title_of(item_id)
            word = {"like": "liked", "dislike": "didn't like", "seen": "have seen"}[kind.value]
            notes.append(f"Noted: you {word} {title}.")
        if kind is FeedbackKind.LIKE and item_id not in cons.like_items:
            cons.like_items = [*cons.like_items, item_id][-3:]
    for attr in parse.cleared:
        cons.include.pop(attr, None)
        if attr in cons.any_mode:
            cons.any_mode.remove(attr)
    for phrase, kind in parse.unsupported:
        notes.append(f"This catalog has no {kind} information, so I can't make it {phrase}.")
    hypothetical = parse.intent in (Intent.WHAT_IF, Intent.CAUSAL)
    if hypothetical:  # "what if it were a comedy?" asks; it does not wish
        parse = replace(parse, include={}, exclude={}, ranges={}, relative=(), query="")
    for attr, values in parse.include.items():
        current = [] if parse.replace else cons.include.get(attr, [])
        cons.include[attr] = list(dict.fromkeys([*current, *values]))
        if attr in parse.either and attr not in cons.any_mode:
            cons.any_mode.append(attr)
        elif parse.replace and attr in cons.any_mode:
            cons.any_mode.remove(attr)
        if attr in cons.exclude:
            cons.exclude[attr] = [v for v in cons.exclude[attr] if v not in values]
    for attr, values in parse.exclude.items():
        cons.exclude[attr] = list(dict.fromkeys([*cons.exclude.get(attr, []), *values]))
        if attr in cons.include:
            cons.include[attr] = [v for v in cons.include[attr] if v not in values]
    for attr in [a for a, v in cons.include.items() if not v]:
        del cons.include[attr]
    for attr in [a for a, v in cons.exclude.items() if not v]:
        del cons.exclude[attr]
    for attr, rng in parse.ranges.items():
        cons.ranges[attr] = NumericRange(min=rng.low, max=rng.high)
    for attr, direction in parse.relative:
        if attr in vocab.numeric:
            cons.ranges[attr] = _resolve_relative(ctx, vocab, attr, direction)
    if parse.like_items:
        cons.like_items = list(dict.fromkeys([*parse.like_items, *cons.like_items]))[:3]
    wants_items = {Intent.RECOMMEND, Intent.REFINE} & set(parse.intents)
    if parse.query and wants_items:
        words = (
            parse.query.split() if parse.replace else [*cons.query.split(), *parse.query.split()]
        )
        cons.query = " ".join(list(dict.fromkeys(words))[-MAX_QUERY_WORDS:])
    if parse.items:
        state.focus = parse.items[0]
    return notes


def memory_lines(state: SessionState, vocab: Vocabulary) -> list[str]:
    """The session memory in words (for prompts and the profile answer)."""
    cons = state.constraints
    lines = []
    for attr, values in cons.include.items():
        lines.append(f"wants {attr}: {', '.join(values)}")
    for attr, values in cons.exclude.items():
        lines.append(f"does not want {attr}: {', '.join(values)}")
    for attr, rng in cons.ranges.items():
        info = vocab.numeric.get(attr)
        fmt = info.fmt if info else str
        if rng.min is not None and rng.max is not None:
            lines.append(f"{attr} between {fmt(rng.min)} and {fmt(rng.max)}")
        elif rng.min is not None:
            lines.append(f"{attr} at least {fmt(rng.min)}")
        elif rng.max is not None:
            lines.append(f"{attr} at most {fmt(rng.max)}")
    if cons.like_items:
        lines.append("more like: " + ", ".join(vocab.title_of(i) for i in cons.like_items))
    if cons.query:
        lines.append(f"looking for: {cons.query}")
    for label, ids in (("liked", state.liked), ("disliked", state.disliked), ("seen", state.seen)):
        if ids:
            lines.append(f"{label}: " + ", ".join(vocab.title_of(i) for i in ids[-5:]))
    return lines


# -- text templates ----------------------------------------------------------------------


def item_text(explanation: Explanation | None, summary: ItemSummary) -> str:
    """One item's explanation: its evidence sentences (grounded in the tool results)."""
    if explanation is not None and explanation.evidence:
        return " ".join(e.text for e in explanation.evidence[:3])
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
    )


def _oriented(effect: EffectAnswer, direction: Direction) -> EffectAnswer:
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


def _effect_sentence(effect: EffectAnswer) -> str:
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
    method = f", estimated by {effect.method}" if effect.method else ""
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
            return _effect_sentence(result)
        if isinstance(result, Explanation):
            bullets = "\n".join(f"- {e.text}" for e in result.evidence)
            return f"Why {result.title}:\n{bullets or result.summary}"
        if isinstance(result, Profile):
            return "I have your profile; ask me for recommendations."
    return "I couldn't answer that reliably from the data. Could you rephrase?"


class RulePlanner:
    """Answers turns without an LLM, through the same tools."""

    def __init__(
        self,
        workspace: Any,
        vocab: Vocabulary,
        *,
        variables: Sequence[str] = (),
        outcomes: Sequence[str] = (),
        classifier: IntentClassifier | None = None,
        k: int = DEFAULT_K,
    ) -> None:
        self.workspace = workspace
        self.vocab = vocab
        self.variables = list(variables)
        self.outcomes = list(outcomes)
        self.classifier = classifier
        self.k = k
        self.multi = frozenset(n for n, a in vocab.categorical.items() if a.multi)

    # -- reading ---------------------------------------------------------------------

    def read(self, state: SessionState, text: str, *, classify: bool = True) -> Parse:
        """Intents and slots of one turn (embedding fallback when no pattern fires, if asked)."""
        parse = understand(
            text,
            self.vocab,
            state.last_shown,
            focus=state.focus,
            variables=self.variables,
            outcomes=self.outcomes,
        )
        if not parse.intents and parse.items and not parse.has_slots and not parse.query.strip():
            # A bare title ("Toy Story"): picks like it.
            return replace(parse, intents=(Intent.RECOMMEND,), like_items=parse.items[:1])
        if parse.intents or self.classifier is None or not classify:
            return parse
        intent, _score = self.classifier.classify(text)
        return replace(parse, intents=(intent or Intent.RECOMMEND,))

    # -- answering -------------------------------------------------------------------

    def respond(self, ctx: TurnContext, parse: Parse, notes: Sequence[str] = ()) -> PlannerReply:
        """Answer a turn whose memory update already happened."""
        intents = list(parse.intents) or [Intent.RECOMMEND]
        primary = intents[0]
        lead = " ".join(notes)
        if primary is Intent.RESET:
            reply = self._greeting(ctx, "OK, a fresh start.")
        elif primary in (Intent.GREETING, Intent.HELP):
            reply = self._greeting(ctx, "Hi! I recommend items and explain why.")
        elif primary is Intent.PROFILE:
            reply = self._profile(ctx)
        elif primary is Intent.WHY:
            reply = self._why(ctx, parse)
        elif primary is Intent.COMPARE:
            reply = self._compare(ctx, parse)
        elif primary is Intent.WHAT_IF:
            reply = self._what_if(ctx, parse)
        elif primary is Intent.CAUSAL:
            reply = self._causal(ctx, parse)
        elif primary is Intent.FEEDBACK and not (
            {Intent.RECOMMEND, Intent.REFINE} & set(intents) or ctx.state.constraints.like_items
        ):
            reply = PlannerReply(text=lead or "Noted.")
            lead = ""
        else:
            reply = self._recommend(ctx, parse)
        if lead:
            reply.text = f"{lead} {reply.text}"
        reply.intents = [i.value for i in intents]
        return reply

    def _greeting(self, ctx: TurnContext, opener: str) -> PlannerReply:
        question = self._question(ctx, [], force=True)
        return PlannerReply(
            text=f"{opener} Tell me what you're in the mood for. {question or ''}".strip(),
            asked=question,
        )

    def _profile(self, ctx: TurnContext) -> PlannerReply:
        profile = run_tool(ctx, get_tool("get_profile"), {}).result
        lines = memory_lines(ctx.state, self.vocab)
        if isinstance(profile, Profile) and profile.segment:
            lines.insert(0, "segment: " + ", ".join(f"{k} {v}" for k, v in profile.segment.items()))
        if not lines:
            return PlannerReply(text="I don't know anything about your taste yet.")
        return PlannerReply(text="Here is what I know: " + "; ".join(lines) + ".")

    def _explain(self, ctx: TurnContext, item_id: str) -> Explanation | None:
        result = run_tool(ctx, get_tool("explain"), {"item_id": item_id}).result
        return result if isinstance(result, Explanation) else None

    def _target_items(self, ctx: TurnContext, parse: Parse, n: int) -> list[str]:
        items = list(parse.items) or ([ctx.state.focus] if ctx.state.focus else [])
        for item_id in ctx.state.last_shown:
            if len(items) >= n:
                break
            if item_id not in items:
                items.append(item_id)
        return items[:n]

    def _why(self, ctx: TurnContext, parse: Parse) -> PlannerReply:
        targets = self._target_items(ctx, parse, 1)
        if not targets:
            return PlannerReply(
                text="Ask me once I've recommended something: which one do you mean?"
            )
        explanation = self._explain(ctx, targets[0])
        if explanation is None:
            return PlannerReply(text="I couldn't explain that item.")
        bullets = "\n".join(f"- {e.text}" for e in explanation.evidence)
        summary = ItemSummary(item_id=explanation.item_id, title=explanation.title)
        return PlannerReply(
            text=f"Why {explanation.title}:\n{bullets or explanation.summary}",
            items=[rec_item(summary, explanation)],
        )

    def _compare(self, ctx: TurnContext, parse: Parse) -> PlannerReply:
        targets = self._target_items(ctx, parse, 2)
        if len(targets) < 2:
            return PlannerReply(
                text="Which two should I compare? Say e.g. 'compare the first and the third'."
            )
        explanations = [self._explain(ctx, t) for t in targets]
        if any(e is None for e in explanations):
            return PlannerReply(text="I couldn't compare those items.")
        a, b = explanations  # type: ignore[misc]
        lines = [f"{e.title}: {e.summary}" for e in (a, b)]
        score_a = next((e.data.get("score") for e in a.evidence if e.kind == "ranker"), None)
        score_b = next((e.data.get("score") for e in b.evidence if e.kind == "ranker"), None)
        if isinstance(score_a, int | float) and isinstance(score_b, int | float):
            better = a if score_a >= score_b else b
            lines.append(
                f"For you, the ranker prefers {better.title} ({score_a:.3f} vs {score_b:.3f})."
            )
        items = [rec_item(ItemSummary(item_id=e.item_id, title=e.title), e) for e in (a, b)]
        return PlannerReply(text="\n".join(lines), items=items)

    def _what_if(self, ctx: TurnContext, parse: Parse) -> PlannerReply:
        question = parse.what_if
        if question is None or question.treatment is None:
            names = ", ".join(self.variables[:12])
            return PlannerReply(text=f"What should change? I can reason about: {names}.")
        outcome = question.outcome or (self.outcomes[0] if self.outcomes else None)
        if outcome is None:
            return PlannerReply(text="This workspace has no outcome to reason about.")
        args: dict[str, Any] = {"treatment": question.treatment, "outcome": outcome}
        treated, control = self._what_if_values(ctx, parse)
        if treated is not None:
            args["treatment_value"] = treated
        if control is not None:
            args["control_value"] = control
        record = run_tool(ctx, get_tool("estimate_effect"), args)
        result = record.result
        if not isinstance(result, EffectAnswer):
            return PlannerReply(
                text=f"I can't estimate that: {record.compact.removeprefix('Error: ')}"
            )
        if treated is None and control is None and question.direction is not None:
            result = _oriented(result, question.direction)
        return PlannerReply(text=_effect_sentence(result))

    def _what_if_values(self, ctx: TurnContext, parse: Parse) -> tuple[Any, Any]:
        question = parse.what_if
        if question is None or question.treatment is None:
            return None, None
        info = self.vocab.numeric.get(question.treatment)
        focus = self._target_items(ctx, parse, 1)
        current: float | None = None
        if info is not None and focus:
            from tools.items import item_table

            table = item_table(ctx.workspace)
            if table.has(focus[0]):
                value = table.value(focus[0], question.treatment)
                current = float(value) if isinstance(value, int | float) else None
        if info is not None and info.kind is NumericKind.FLAG:
            if isinstance(question.value, int | float):
                return float(question.value), 1.0 - float(question.value)
            if question.direction is not None:
                return (0.0, 1.0) if question.direction is Direction.DOWN else (1.0, 0.0)
            return 1.0, 0.0
        if isinstance(question.value, int | float) and info is not None:
            return float(question.value), current if current is not None else info.median
        if isinstance(question.value, str):
            return question.value, None
        # "cheaper", "older": the estimator's own contrast (upper vs lower quartile) answers it
        return None, None

    def _causal(self, ctx: TurnContext, parse: Parse) -> PlannerReply:
        named = list(parse.variables)
        low = parse.text.lower()
        unknown = unknown_causal_terms(parse.text, self.variables)
        if unknown:
            names = ", ".join(self.variables[:12])
            missing = " or ".join(f"'{term}'" for term in unknown)
            return PlannerReply(
                text=f"This workspace's causal graph has no {missing}. I can reason about: {names}."
            )
        if len(named) >= 2:
            kind = (
                GraphQueryKind.ADJUSTMENT_SET
                if "confound" in low or "adjust" in low
                else GraphQueryKind.WHY
            )
        elif len(named) == 1:
            affects_it = any(
                w in low
                for w in (
                    "what affects",
                    "what causes",
                    "what drives",
                    "what influences",
                    "what determines",
                )
            )
            kind = GraphQueryKind.PARENTS if affects_it else GraphQueryKind.CHILDREN
        else:
            kind = GraphQueryKind.OVERVIEW
        record = run_tool(
            ctx, get_tool("causal_graph_query"), {"kind": kind.value, "variables": named}
        )
        result = record.result
        if not isinstance(result, GraphAnswer):
            return PlannerReply(text=record.compact.removeprefix("Error: "))
        return PlannerReply(text=result.answer)

    # -- recommending --------------------------------------------------------------

    def _recommend(self, ctx: TurnContext, parse: Parse) -> PlannerReply:
        k = parse.k or self.k
        cons = ctx.state.constraints
        filters = cons.to_filters(self.multi)
        query = self._query(ctx)
        pool_k = max(k, POOL_K)
        result, relaxed = self._recommend_relaxing(ctx, pool_k, query, filters)
        # "More like X" never offers X itself.
        candidates = [
            i for i in (result.items if result else []) if i.item_id not in cons.like_items
        ]
        if not candidates:
            return PlannerReply(text=self._nothing_new(ctx, filters))
        pool = [i.item_id for i in candidates]
        shown = candidates[:k]
        items = [rec_item(s, self._explain(ctx, s.item_id)) for s in shown]
        ctx.state.remember_shown([i.item_id for i in shown])
        wishes = memory_lines(ctx.state, self.vocab)
        wishes = [w for w in wishes if not w.startswith(("liked", "disliked", "seen"))]
        lead = f"Here are {len(items)} picks"
        lead += f" ({'; '.join(wishes)})" if wishes else ""
        lead += "."
        if relaxed:
            lead += f" Nothing matched everything, so I dropped: {', '.join(relaxed)}."
        lines = [f"{n}. {item.title} — {item.explanation}" for n, item in enumerate(items, 1)]
        question = self._question(ctx, pool, force=cons.is_empty())
        text = lead + "\n" + "\n".join(lines) + (f"\n{question}" if question else "")
        return PlannerReply(text=text, items=items, asked=question)

    def _nothing_new(self, ctx: TurnContext, filters: dict[str, Any]) -> str:
        """Why no list came back: every fitting item was shown already, or none fits at all."""
        wishes = [
            w
            for w in memory_lines(ctx.state, self.vocab)
            if not w.startswith(("liked", "disliked", "seen", "more like", "looking for"))
        ]
        said = f" ({'; '.join(wishes)})" if wishes else ""
        try:
            fitting = len(ctx.workspace.catalog.filter_ids(1000, where=filters or None))
        except Exception:  # a catalog that cannot count: say the general thing
            fitting = -1
        if fitting > 0:
            count = "the one item" if fitting == 1 else f"all {fitting} items"
            count = "over 1000 items" if fitting >= 1000 else count
            examples = [f'"any {spoken_name(a)}"' for a in ctx.state.constraints.include][:2]
            hint = f" ({', '.join(examples)})" if examples else ""
            return (
                f"I've already shown {count} that fit your wishes{said}. Loosen a wish{hint} "
                "or say 'start over'."
            )
        if fitting == 0:
            return f"Nothing in the catalog fits all your wishes{said}. Loosen one or say 'start over'."
        return "I couldn't find anything new that fits. Try 'start over' or loosen a wish."

    def _query(self, ctx: TurnContext) -> str | None:
        cons = ctx.state.constraints
        parts = [cons.query] if cons.query else []
        for item_id in cons.like_items[:2]:
            parts.append(self.vocab.title_of(item_id))
        return " ".join(p for p in parts if p) or None

    def _recommend_relaxing(
        self, ctx: TurnContext, k: int, query: str | None, filters: dict[str, Any]
    ) -> tuple[Recommendations | None, list[str]]:
        """Recommend; when nothing fits, relax step by step: the text wish, "all of" wishes
        (to "any of"), then numeric bounds. Returns the result and what was dropped."""
        steps: list[tuple[str | None, dict[str, Any], list[str]]] = [(query, filters, [])]
        current_q, current_f, dropped = query, filters, []
        if current_q:
            current_q, dropped = None, [*dropped, "the text wish"]
            steps.append((current_q, current_f, dropped))
        all_attrs = [a for a, c in current_f.items() if isinstance(c, dict) and "all" in c]
        if all_attrs:
            current_f = {
                a: (
                    {**{k2: v for k2, v in c.items() if k2 != "all"}, "in": c["all"]}
                    if a in all_attrs
                    else c
                )
                for a, c in current_f.items()
            }
            dropped = [*dropped, *(f"having every {a} you named" for a in all_attrs)]
            steps.append((current_q, current_f, dropped))
        ranges = [
            a for a, c in current_f.items() if isinstance(c, dict) and ("min" in c or "max" in c)
        ]
        if ranges:
            current_f = {a: c for a, c in current_f.items() if a not in ranges}
            dropped = [*dropped, *(f"the {a} bound" for a in ranges)]
            steps.append((current_q, current_f, dropped))
        last: Recommendations | None = None
        for q, f, what in steps:
            args: dict[str, Any] = {"k": k, "filters": f or None}
            if q:
                args["query"] = q
            result = run_tool(ctx, get_tool("recommend"), args).result
            if isinstance(result, Recommendations):
                last = result
                if result.items:
                    return result, what
        return last, []

    def _question(
        self, ctx: TurnContext, pool: Sequence[str], *, force: bool = False
    ) -> str | None:
        """One question about the attribute that best splits the candidate pool."""
        from tools.items import item_table

        if not force and len(pool) <= ASK_WHEN_MORE_THAN * self.k:
            return None
        table = item_table(ctx.workspace)
        ids = [i for i in pool if table.has(i)] or list(table.frame.index[:500])
        cons = ctx.state.constraints
        best: tuple[float, str] | None = None
        for name, attr in self.vocab.categorical.items():
            if name in cons.include:
                continue
            counts: dict[str, int] = {}
            for item_id in ids:
                for value in table.values_of(item_id, name):
                    if value in attr.counts and value.lower() != "unknown":
                        counts[value] = counts.get(value, 0) + 1
            if len(counts) < 2:
                continue
            entropy = _entropy(list(counts.values()))
            top = [v for v, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:5]]
            label = attr.name.removesuffix("s") if attr.multi else attr.name
            question = (
                f"Which {label} are you in the mood for — {', '.join(top[:-1])} or {top[-1]}?"
            )
            if best is None or entropy > best[0]:
                best = (entropy, question)
        for name, info in self.vocab.numeric.items():
            if name in cons.ranges or info.kind not in (NumericKind.YEAR, NumericKind.PRICE):
                continue
            values = np.array(
                [v for v in (table.value(i, name) for i in ids) if isinstance(v, int | float)],
                dtype=float,
            )
            if values.size < 2 or float(np.std(values)) == 0:
                continue
            if info.kind is NumericKind.YEAR:
                _, counts_arr = np.unique(np.floor(values / 10) * 10, return_counts=True)
                entropy = _entropy(list(counts_arr))
                question = "Any preferred era — recent, the 1990s, the 1980s, or older classics?"
            else:
                low, high = np.quantile(values, [0.33, 0.66])
                entropy = math.log2(3)
                question = (
                    f"What's your budget — under {info.fmt(low)}, "
                    f"{info.fmt(low)} to {info.fmt(high)}, or more?"
                )
            if best is None or entropy > best[0]:
                best = (entropy, question)
        if best is None or best[0] < 0.5:
            return None
        return best[1]


def _entropy(counts: Sequence[int]) -> float:
    total = float(sum(counts))
    probs = np.array([c / total for c in counts if c > 0])
    return float(-(probs * np.log2(probs)).sum())
