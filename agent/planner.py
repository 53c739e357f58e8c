"""The rule backend: a deterministic planner that reads the turn, updates memory, calls tools.

No language model: `agent.nlu` finds the intent and slots, `update_memory` folds them into the
session (wishes accumulate across turns; "actually" replaces; "cheaper" and "older" move a
bound relative to what was just shown), and `RulePlanner.respond` calls the same tools an LLM
would — recommend, explain, compare, what-if, graph questions, profile, feedback — and writes
the answer from templates that use only the tool results. When a request is too vague to
rank well it still shows picks and asks about the attribute that best splits the candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from agent.answer_text import (
    effect_sentence,
    item_text,
    oriented,
    rec_item,
    templated_answer,
)
from agent.asking import splitting_question
from agent.intents import SPECIFIC_INTENTS, IntentClassifier, fit_to_intent
from agent.memory import SessionState
from agent.memory_update import memory_lines, understood_line, update_memory
from agent.models import RecItem
from agent.nlu import looks_english, spoken_name, understand, unknown_causal_terms
from agent.nlu_cues import MORE, RECOMMEND, REFINE
from agent.parse import Direction, Intent, Parse, TitleRole
from agent.toolkit import TurnContext, run_tool
from agent.vocab import NumericKind, Vocabulary
from tools.recommending import long_tail_cuts
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

if TYPE_CHECKING:
    from tools.protocols import Workspace

__all__ = [
    "IntentClassifier",
    "PlannerReply",
    "RulePlanner",
    "item_text",
    "memory_lines",
    "rec_item",
    "templated_answer",
    "update_memory",
]

DEFAULT_K = 10
POOL_K = 30  # candidates ranked per turn; the first k are shown, all inform the next question
POPULARITY_POOL_K = 50  # with a popularity wish: a wider pool to pick the less/more known from
SURE = 0.6  # above this the classifier overrides an explicit cue ("why", "start over")
CONFIDENT = 0.2  # below this probability the classifier defers to the cue patterns


# Intents that state no wish: a turn the parse found a wish in is one of them only on a cue.
_NOT_A_WISH = frozenset({Intent.OFF_TOPIC, Intent.CAUSAL, Intent.WHAT_IF, Intent.WHY, Intent.HELP})


def _states_wish(parse: Parse) -> bool:
    """True when the parse placed something to recommend by (a value, a range, a taste...)."""
    return bool(
        parse.include
        or parse.exclude
        or parse.ranges
        or parse.relative
        or parse.popularity is not None
        or parse.like_items
    )


def _about_the_list(text: str) -> bool:
    """A turn with a recommending or list-rejecting cue ("something", "no", "other")."""
    return bool(RECOMMEND.search(text) or REFINE.search(text) or MORE.search(text))


@dataclass
class PlannerReply:
    """The rule planner's answer to one turn."""

    text: str
    items: list[RecItem] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    asked: str | None = None


class RulePlanner:
    """Answers turns without an LLM, through the same tools."""

    def __init__(
        self,
        workspace: Workspace,
        vocab: Vocabulary,
        *,
        variables: Sequence[str] = (),
        outcomes: Sequence[str] = (),
        classifier: IntentClassifier | None = None,
        k: int = DEFAULT_K,
        domain: str | None = None,
    ) -> None:
        self.workspace = workspace
        self.vocab = vocab
        self.variables = list(variables)
        self.outcomes = list(outcomes)
        self.classifier = classifier
        self.k = k
        self.multi = frozenset(n for n, a in vocab.categorical.items() if a.multi)
        if classifier is not None:  # its examples are read as if a list had just been shown
            sample = list(vocab.item_titles)[:5]
            values = [f"{a}={'/'.join(v.values)}" for a, v in vocab.categorical.items()]
            key = "|".join([*sample, *values, str(len(vocab.titles)), ",".join(self.variables)])
            reader = self.reader(sample, sample[0] if sample else None)
            classifier.set_reader(reader, domain, cache_key=key)

    # -- reading ---------------------------------------------------------------------

    def reader(self, shown: Sequence[str] = (), focus: str | None = None) -> Any:
        """The rule parser bound to this catalog (for the classifier's examples)."""

        def read(text: str) -> Parse:
            return understand(
                text,
                self.vocab,
                shown,
                focus=focus,
                variables=self.variables,
                outcomes=self.outcomes,
            )

        return read

    def read(self, state: SessionState, text: str, *, classify: bool = True) -> Parse:
        """Slots from the rule parser; the intent from the embedding classifier (over the
        labelled examples plus the parse) when it has one, else from the cue patterns."""
        parse = self.reader(state.last_shown, state.focus)(text)
        understood = parse.has_slots or parse.refs or parse.unknown_titles
        if not any(c.isalnum() for c in text) or not (understood or looks_english(text)):
            return replace(parse, intents=(Intent.HELP,))
        rules = list(parse.intents)
        if self.classifier is not None and classify:
            rules = [i for i in rules if i is not Intent.OFF_TOPIC]  # the classifier's call
            intent, prob = self.classifier.classify_parse(parse)
            specific = [i for i in rules if i in SPECIFIC_INTENTS]
            if specific and prob < SURE and intent not in specific:
                intent = specific[0]  # an unsure classifier defers to an explicit cue
            elif intent in _NOT_A_WISH and intent not in rules and _states_wish(parse):
                if prob < SURE or intent is Intent.OFF_TOPIC:
                    # A catalog value, range, popularity word or taste reference the parse
                    # placed outweighs an unsure guess (or "off topic") that no cue supports.
                    intent = next((i for i in rules if i not in _NOT_A_WISH), Intent.RECOMMEND)
            elif intent is Intent.OFF_TOPIC and state.last_shown and _about_the_list(text):
                intent = Intent.REFINE  # "close, but no. an overlooked one?": about the list
            if prob >= CONFIDENT or not rules or intent in specific:
                rules = [intent, *[i for i in rules if i is not intent]]
        elif not rules and parse.items and not parse.has_slots and not parse.unplaced:
            rules = [Intent.RECOMMEND]
        if not rules:
            return parse
        bare_title = not (parse.has_slots or parse.feedback or parse.unplaced)
        if rules[0] in (Intent.RECOMMEND, Intent.REFINE) and parse.items and bare_title:
            first = parse.refs[0] if parse.refs else None  # "Toy Story": picks like it
            refs = (replace(first, role=TitleRole.TASTE),) if first else ()
            parse = replace(parse, like_items=parse.items[:1], refs=refs)
        if rules[0] is Intent.WHAT_IF and parse.what_if is None:
            from agent.nlu_causal import what_if_question

            question = what_if_question(
                text, self.variables, self.outcomes, parse.include, parse.relative
            )
            parse = replace(parse, what_if=question)
        return fit_to_intent(replace(parse, intents=tuple(dict.fromkeys(rules))))

    # -- answering -------------------------------------------------------------------

    def respond(self, ctx: TurnContext, parse: Parse, notes: Sequence[str] = ()) -> PlannerReply:
        """Answer a turn whose memory update already happened."""
        intents = list(parse.intents) or [Intent.RECOMMEND]
        primary = intents[0]
        lead = " ".join(notes)
        if not parse.text.strip() or not any(c.isalnum() for c in parse.text):
            reply = PlannerReply(text=f"I didn't catch a wish there. {self._example_hint()}")
        elif not looks_english(parse.text) and not (parse.has_slots or parse.refs):
            reply = PlannerReply(
                text=f"Sorry, I only understand English for now. {self._example_hint()}"
            )
        elif primary is Intent.OFF_TOPIC:
            reply = PlannerReply(
                text="That's outside what I can help with: I recommend items from this catalog "
                f"and explain why. {self._example_hint()}"
            )
        elif primary is Intent.RESET:
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
        elif (
            primary is Intent.FEEDBACK
            and parse.feedback
            and not (
                {Intent.RECOMMEND, Intent.REFINE} & set(intents) or ctx.state.constraints.like_items
            )
        ):
            reply = PlannerReply(text=lead or "Noted.")
            lead = ""
        else:
            reply = self._recommend(ctx, parse)
        if lead:
            reply.text = f"{lead} {reply.text}"
        reply.intents = [i.value for i in intents]
        return reply

    def _example_hint(self) -> str:
        """A one-line example request built from this catalog's own values."""
        attr = next(iter(self.vocab.categorical.values()), None)
        value = attr.values[0].lower() if attr is not None and attr.values else ""
        year = self.vocab.numeric_of_kind(NumericKind.YEAR)
        era = f" from the {int(year.median // 10 * 10)}s" if year is not None else ""
        example = f"something {value}{era}".strip() if value or era else "what you like"
        return f"Try e.g. '{example}', or ask 'why the first one?'."

    def _greeting(self, ctx: TurnContext, opener: str) -> PlannerReply:
        question = splitting_question(ctx, self.vocab, [], self.k, force=True)
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
            unknown = " or ".join(
                f"'{t}'" for t in unknown_causal_terms(parse.text, self.variables)
            )
            return PlannerReply(
                text=f"The causal graph has no variable for {unknown or 'what would change'}; "
                f"I can reason about: {names}."
            )
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
            result = oriented(result, question.direction)
        return PlannerReply(text=effect_sentence(result))

    def _what_if_values(self, ctx: TurnContext, parse: Parse) -> tuple[Any, Any]:
        question = parse.what_if
        if question is None or question.treatment is None:
            return None, None
        info = self.vocab.numeric.get(question.treatment)
        focus = self._target_items(ctx, parse, 1)
        current: float | None = None
        if info is not None and focus:
            from tools.item_table import item_table

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
        pool_k = max(k, POPULARITY_POOL_K if cons.popularity else POOL_K)
        band = {"down": "less_known", "up": "well_known"}.get(cons.popularity or "")
        result, relaxed = self._recommend_relaxing(ctx, pool_k, query, filters, band)
        # "More like X" never offers X itself.
        candidates = [
            i for i in (result.items if result else []) if i.item_id not in cons.like_items
        ]
        if not candidates:
            return PlannerReply(text=self._nothing_new(ctx, filters))
        if not (query or cons.like_items or ctx.state.liked or ctx.state.disliked):
            candidates = self._cold_order(candidates)
        if cons.popularity:  # a soft wish: any fitting items first, the rest after
            candidates = self._by_popularity(candidates, cons.popularity, k)
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
        understood = understood_line(parse, self.vocab)
        if understood:
            lead = f"{understood}\n{lead}"
        lines = [f"{n}. {item.title} — {item.explanation}" for n, item in enumerate(items, 1)]
        question = splitting_question(ctx, self.vocab, pool, self.k, force=cons.is_empty())
        text = lead + "\n" + "\n".join(lines) + (f"\n{question}" if question else "")
        return PlannerReply(text=text, items=items, asked=question)

    def _item_counts(self) -> dict[str, float]:
        """How often each item was chosen in the logs (the ranker's counts), cached."""
        counts = getattr(self, "_counts", None)
        if counts is None:
            counts = {}
            try:
                ranker = self.workspace.ranker
                counts = {
                    str(i): float(c)
                    for i, c in zip(ranker.item_ids, ranker.item_counts, strict=False)
                }
            except Exception:  # no ranker (retrieval-only workspace): no popularity signal
                counts = {}
            self._counts = counts
        return counts

    def _cold_order(self, candidates: list[Any]) -> list[Any]:
        """No likes, no text wish: the debiased ranker's order plus the best prior for a
        stranger (how many chose an item), by the sum of both ranks (ties: the ranker's)."""
        counts = self._item_counts()
        if not counts or len(candidates) < 2:
            return candidates
        by_count = sorted(
            range(len(candidates)), key=lambda i: -counts.get(candidates[i].item_id, 0.0)
        )
        pop_rank = {index: r for r, index in enumerate(by_count)}
        order = sorted(range(len(candidates)), key=lambda i: (i + pop_rank[i], i))
        return [candidates[i] for i in order]

    def _by_popularity(self, candidates: list[Any], direction: str, k: int) -> list[Any]:
        """A popularity wish as a soft re-ranking: the less (or better) known half of the
        catalog first, in the ranker's order; the rest after, so the list never empties."""
        counts = self._item_counts()
        if not counts:
            return candidates
        low_cut, high_cut = long_tail_cuts(np.array(list(counts.values()), dtype=float))
        if direction == "down":
            fits = [c for c in candidates if counts.get(c.item_id, 0.0) <= low_cut]
        else:
            fits = [c for c in candidates if counts.get(c.item_id, 0.0) >= high_cut]
        rest = [c for c in candidates if c not in fits]
        rest.sort(key=lambda c: counts.get(c.item_id, 0.0), reverse=direction != "down")
        return fits + rest

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
        if not self._item_counts():  # no ranker: a taste reference's title is the only hint
            parts += [self.vocab.title_of(i) for i in cons.like_items[:2]]
        return " ".join(p for p in parts if p) or None

    def _recommend_relaxing(
        self,
        ctx: TurnContext,
        k: int,
        query: str | None,
        filters: dict[str, Any],
        band: str | None = None,
    ) -> tuple[Recommendations | None, list[str]]:
        """Recommend; when nothing fits, relax step by step: the text wish, "all of" wishes
        (to "any of"), then numeric bounds. A popularity band ("less_known") ranks within the
        long tail (or head), topped up from outside it. Returns the result and what was
        dropped."""
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
            wish = {"popularity": band} if band else {}
            banded = run_tool(ctx, get_tool("recommend"), {**args, **wish}).result
            result = banded
            if band and isinstance(banded, Recommendations) and len(banded.items) < self.k:
                result = run_tool(ctx, get_tool("recommend"), args).result
                if isinstance(result, Recommendations):
                    ids = {i.item_id for i in banded.items}
                    rest = [i for i in result.items if i.item_id not in ids]
                    result = result.model_copy(update={"items": [*banded.items, *rest]})
            if isinstance(result, Recommendations):
                last = result
                if result.items:
                    return result, what
        return last, []
