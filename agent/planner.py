"""The rule backend: a deterministic planner that reads the turn, updates memory, calls tools.

No language model: `agent.nlu` finds the intent and slots, `update_memory` folds them into the
session (wishes accumulate across turns; "actually" replaces; "cheaper" and "older" move a
bound relative to what was just shown), and `RulePlanner.respond` calls the same tools an LLM
would — recommend, explain, compare, what-if, graph questions, profile, feedback — and writes
the answer from templates that use only the tool results. When a request is too vague to
rank well it still shows picks and asks about the attribute that best splits the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from agent.answer_text import (
    effect_sentence,
    item_text,
    oriented,
    ranker_preference,
    rec_item,
    templated_answer,
)
from agent.asking import splitting_question
from agent.intents import SPECIFIC_INTENTS, IntentClassifier, fit_to_intent, training_examples
from agent.memory import SessionState
from agent.memory_update import memory_lines, update_memory
from agent.nlu import looks_english, understand, unknown_causal_terms
from agent.nlu_anaphora import MORE_OF_THEM
from agent.nlu_cues import MORE, RECOMMEND, REFINE
from agent.nlu_foreign import languages_note, read_line
from agent.nlu_intent_shape import leans_on_shown, stands_alone
from agent.nlu_removal import why_as_complaint
from agent.nlu_verdict import VerdictReader
from agent.parse import Direction, FeedbackKind, Intent, Parse, TitleRole
from agent.recommend_turn import PlannerReply, RecommendingMixin
from agent.toolkit import TurnContext, run_tool
from agent.vocab import NumericKind, Vocabulary
from tools.registry import get_tool
from tools.schemas import (
    EffectAnswer,
    GraphAnswer,
    GraphQueryKind,
    ItemSummary,
    Profile,
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
SURE = 0.6  # above this the classifier overrides an explicit cue ("why", "start over")
CONFIDENT = 0.2  # below this probability the classifier defers to the cue patterns
CERTAIN = 0.9  # an off-topic call this sure stands even with a list on screen ("any novels?")


# Intents that state no wish: a turn the parse found a wish in is one of them only on a cue.
_NOT_A_WISH = frozenset({Intent.OFF_TOPIC, Intent.CAUSAL, Intent.WHAT_IF, Intent.WHY, Intent.HELP})


def _about_the_list(text: str) -> bool:
    """A turn with a recommending or list-rejecting cue ("something", "no", "other")."""
    return bool(RECOMMEND.search(text) or REFINE.search(text) or MORE.search(text))


# A goodbye or a thank-you that ends the conversation (the classifier calls it a greeting).
_CLOSING = re.compile(
    r"\b(?:thanks?|thank you|thx|cheers|bye|goodbye|see you|good night|that'?s (?:all|it|everything)"
    r"|i'?m (?:done|set|good)|that'?ll do|gotta go)\b",
    re.IGNORECASE,
)

_POINTER = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|top|"
    r"\d+(?:st|nd|rd|th)?|one|that|this)\b",
    re.IGNORECASE,
)


def _replaces_shown(ctx: TurnContext, parse: Parse) -> bool:
    """Whether feedback rules out an item of the list on screen ("I've seen the first one"):
    the user then expects replacement picks, not only an acknowledgement."""
    on_screen = set(ctx.state.last_shown)
    return any(
        kind is not FeedbackKind.LIKE and item_id in on_screen for item_id, kind in parse.feedback
    )


def _searching(ctx: TurnContext) -> bool:
    """Whether a search is under way (a list on screen, or wishes or taste references in
    memory): feedback then steers the next list, so the turn brings one instead of an
    acknowledgement alone ("I loved X" mid-search is one more thing to go on)."""
    return bool(ctx.state.last_shown) or not ctx.state.constraints.is_empty()


def _wish_over_greeting(rules: list[Intent], parse: Parse) -> list[Intent]:
    """A hello or a plea for help that also states a wish the parse placed ("help me pick
    something, I'm after action", "hi! a comedy from the 90s") is a request with that wish:
    read as a greeting, the wish was dropped and the first list ignored it. A goodbye
    stays a goodbye."""
    if rules[0] not in (Intent.GREETING, Intent.HELP) or not parse.has_slots:
        return rules
    if _CLOSING.search(parse.text):
        return rules
    wish = next((i for i in rules if i in (Intent.RECOMMEND, Intent.REFINE)), Intent.RECOMMEND)
    return [wish, *[i for i in rules if i is not wish]]


def _verdict_over_chat(
    rules: list[Intent], said: Sequence[tuple[str, Any]], text: str
) -> list[Intent]:
    """A verdict the rules read on an item ("Before Sunrise, 4/10, sorry", "that one's pure
    muck, sorry") is feedback, even when a classifier hears the apology as small talk or a
    plea for help; a goodbye stays a goodbye."""
    if not said or rules[0] not in (Intent.GREETING, Intent.HELP, Intent.OFF_TOPIC):
        return rules
    if Intent.WHAT_IF in rules or Intent.CAUSAL in rules:
        return rules  # "suppose I had disliked the red one": imagined, not given
    if _CLOSING.search(text):
        return rules
    return [Intent.FEEDBACK, *[i for i in rules if i is not Intent.FEEDBACK]]


def _taste_over_compare(rules: list[Intent], parse: Parse, on_screen: bool) -> list[Intent]:
    """A comparison needs two items; a turn whose one item is a taste reference ("think
    Liar Liar but different", "X, but darker") asks for picks like it, even when a
    classifier hears "but different" as weighing two things. So does a turn whose items are
    all taste references with no verdict kept ("I liked X and Y, something in between?",
    "X is perfect. More please!"), heard as a comparison or as feedback."""
    items = {r.item_id for r in parse.refs}
    taste = [r for r in parse.refs if r.role is TitleRole.TASTE]
    if not rules or not taste:
        return rules
    all_taste = len(taste) == len(parse.refs)
    compared = rules[0] is Intent.COMPARE and (len(items) == 1 or all_taste)
    judged = rules[0] is Intent.FEEDBACK and all_taste and not parse.feedback
    if not (compared or judged):
        return rules
    wish = Intent.REFINE if on_screen else Intent.RECOMMEND
    return [wish, *[i for i in rules if i is not wish]]


def _only_points(parse: Parse) -> bool:
    """True when the turn is nothing but a pointer at items on screen ("the second one",
    "number 2?"): no title, no wish, and at most one other word."""
    if not parse.refs or any(r.role is not TitleRole.SHOWN for r in parse.refs):
        return False
    if not all(_POINTER.search(r.text) for r in parse.refs):
        return False  # a title on screen named alone asks for picks like it
    rest = parse.text
    for ref in parse.refs:
        rest = rest.replace(ref.text, " ")
    return len(re.findall(r"[A-Za-z]{2,}", rest)) <= 1


# a reference that only points ("it", "that one", "this film"): it names no item by itself
_PRONOUN_REF = re.compile(r"(?:its?|that|this|the one|th(?:at|is)\s+\w+)", re.IGNORECASE)


def _unbound_from_list(parse: Parse, focus: str) -> Parse:
    """After a list of several items nobody talked about any one of them: a bare pronoun
    verdict ("not it", "meh", "loved it") judges none (a rejection of the whole list refines
    it), and "it" in "it was from the 90s" is the item sought, not the list's first. Only
    an item named (a title, "the first one") takes a verdict; "why is it there?" still
    falls back to the focus when the turn is answered."""
    pointed = [
        r for r in parse.refs if r.item_id == focus and _PRONOUN_REF.fullmatch(r.text.strip())
    ]
    named = {r.item_id for r in parse.refs if r not in pointed}
    if focus in named or not (pointed or any(i == focus for i, _ in parse.feedback)):
        return parse
    feedback = tuple((i, k) for i, k in parse.feedback if i != focus)
    intents = parse.intents
    if not feedback:
        intents = tuple(i for i in intents if i is not Intent.FEEDBACK) or (Intent.REFINE,)
    return replace(
        parse,
        refs=tuple(r for r in parse.refs if r not in pointed),
        items=tuple(i for i in parse.items if i != focus),
        feedback=feedback,
        intents=intents,
    )


class RulePlanner(RecommendingMixin):
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
        self.verdicts: VerdictReader | None = None  # the learned verdicts (with an embedder)
        if classifier is not None:  # its examples are read as if a list had just been shown
            sample = list(vocab.item_titles)[:5]
            values = [f"{a}={'/'.join(v.values)}" for a, v in vocab.categorical.items()]
            key = "|".join([*sample, *values, str(len(vocab.titles)), ",".join(self.variables)])
            reader = self.reader(sample, sample[0] if sample else None)
            variables, outcomes = tuple(self.variables), tuple(self.outcomes)
            classifier.set_reader(
                reader,
                domain,
                cache_key=key,
                disk_key=lambda: f"{vocab.digest()}|{variables}|{outcomes}",
            )
            self.verdicts = VerdictReader(
                classifier.embed,
                lambda text, shown, focus: self.reader(shown, focus)(text),
                lambda: training_examples(domain),
                turn_embed=classifier.embed_with_turn,
                disk_key=lambda: f"{vocab.digest()}|{domain}",
            )

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
        heard = parse  # what the rules heard: the intent classifier was fitted on such parses
        listed = state.focus if state.focus_listed and state.focus else None
        if listed is not None:
            parse = _unbound_from_list(parse, listed)
        unbound = parse is not heard
        # a verdict the rules read on the item in focus is understood too ("pure muck, sorry")
        understood = parse.has_slots or parse.refs or parse.unknown_titles or parse.feedback
        english = looks_english(parse.text if parse.language else text)  # a gloss is English
        if not any(c.isalnum() for c in text) or not (understood or english):
            return fit_to_intent(replace(parse, intents=(Intent.HELP,)))  # no wish in it
        rules = list(parse.intents)
        verdicts = None
        if self.verdicts is not None and classify:
            focus = None if listed is not None else state.focus
            verdicts = self.verdicts.revise(parse, state.last_shown, focus)
            parse = verdicts.parse if verdicts is not None else parse
        if self.classifier is not None and classify:
            rules = [i for i in rules if i is not Intent.OFF_TOPIC]  # the classifier's call
            asked = parse  # the classifier hears the turn as it was fitted: verdicts unbound later
            if unbound:
                said = tuple(dict.fromkeys([*heard.feedback, *parse.feedback]))
                asked = replace(parse, feedback=said, refs=heard.refs, items=heard.items)
            intent, prob = self.classifier.classify_parse(asked)
            if intent is Intent.REFINE and not state.last_shown:
                intent = Intent.RECOMMEND  # nothing on screen to refine: the wish stands alone
            intent = verdicts.intent(intent) if verdicts is not None else intent
            specific = [i for i in rules if i in SPECIFIC_INTENTS]
            if specific and prob < SURE and intent not in specific:
                intent = specific[0]  # an unsure classifier defers to an explicit cue
            elif intent in _NOT_A_WISH and intent not in rules and parse.has_slots:
                if prob < SURE or intent is Intent.OFF_TOPIC:
                    # A catalog value, range, popularity word or taste reference the parse
                    # placed outweighs an unsure guess (or "off topic") that no cue supports.
                    intent = next((i for i in rules if i not in _NOT_A_WISH), Intent.RECOMMEND)
            elif (
                intent is Intent.OFF_TOPIC
                and state.last_shown
                and (REFINE.search(text) or (prob < CERTAIN and _about_the_list(text)))
            ):
                # "close, but no. an overlooked one?" turns the list down: about the list,
                # however sure the guess; a bare "any good ...?" only when the guess is unsure
                intent = Intent.REFINE
            if prob >= CONFIDENT or not rules or intent in specific:
                rules = [intent, *[i for i in rules if i is not intent]]
        elif not rules and parse.items and not parse.has_slots and not parse.unplaced:
            rules = [Intent.RECOMMEND]
        if not rules:
            return parse
        rules = why_as_complaint(rules, parse, bool(state.last_shown))  # "why all comedy?"
        rules = _wish_over_greeting(rules, parse)
        rules = _taste_over_compare(rules, parse, bool(state.last_shown))
        fame = self.vocab.numeric_of_kind(NumericKind.POPULARITY)
        wish_first = rules[0] is Intent.RECOMMEND or (  # no verdict, more of it asked for
            rules[0] is Intent.FEEDBACK
            and not parse.feedback
            and MORE_OF_THEM.search(text) is not None
        )
        if wish_first and leans_on_shown(
            parse, state.last_shown, fame.name if fame is not None else None
        ):
            # "Local Hero is the standout, same feel please", "older please": against the list
            rules = [Intent.REFINE, *[i for i in rules if i is not Intent.REFINE]]
        elif rules[0] is Intent.REFINE and stands_alone(
            parse, state.last_shown, fame.name if fame is not None else None
        ):  # "I keep going back to Harold and Maude, point me at similar stuff"
            rules = [Intent.RECOMMEND, *[i for i in rules if i is not Intent.RECOMMEND]]
        # a verdict only the learned reader saw does not count: "the second one" alone points
        said = verdicts.rule_feedback if verdicts is not None else parse.feedback
        rules = _verdict_over_chat(rules, said, parse.text)
        bare_title = not (parse.has_slots or said or parse.unplaced)
        pointing = _only_points(parse)
        one_item = len({r.item_id for r in parse.refs}) == 1
        if (
            (
                rules[0] in (Intent.RECOMMEND, Intent.REFINE, Intent.FEEDBACK, Intent.WHAT_IF)
                or (rules[0] is Intent.COMPARE and one_item)
            )
            and bare_title
            and pointing
        ):
            # "the second one" alone points at an item on screen: tell them about it, not a
            # new list (a comparison needs two items, a what-if a change to imagine)
            rules = [Intent.WHY, *[i for i in rules if i is not Intent.WHY]]
        elif parse.items and bare_title and rules[0] is Intent.FEEDBACK:
            # a title typed alone with no verdict word asks for picks like it ("Heat")
            rules = [Intent.RECOMMEND, *[i for i in rules if i is not Intent.RECOMMEND]]
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
        if listed is not None and not parse.feedback:  # the list rejected, no item judged
            rules = [Intent.REFINE if i is Intent.FEEDBACK else i for i in rules]
        parse = replace(parse, intents=tuple(dict.fromkeys(rules)))
        return fit_to_intent(verdicts.settled(parse) if verdicts is not None else parse)

    # -- answering -------------------------------------------------------------------

    def respond(self, ctx: TurnContext, parse: Parse, notes: Sequence[str] = ()) -> PlannerReply:
        """Answer a turn whose memory update already happened."""
        intents = list(parse.intents) or [Intent.RECOMMEND]
        primary = intents[0]
        lead = " ".join(notes)
        if not parse.text.strip() or not any(c.isalnum() for c in parse.text):
            reply = PlannerReply(text=f"I didn't catch a wish there. {self._example_hint()}")
        elif not looks_english(parse.text) and not (parse.has_slots or parse.refs):
            reply = PlannerReply(text=f"{languages_note()} {self._example_hint()}")
        elif primary is Intent.OFF_TOPIC:
            reply = PlannerReply(
                text="That's outside what I can help with: I recommend items from this catalog "
                f"and explain why. {self._example_hint()}"
            )
        elif primary is Intent.RESET:
            reply = self._greeting(ctx, "OK, a fresh start.")
        elif primary is Intent.GREETING and _CLOSING.search(parse.text):
            reply = PlannerReply(
                text="You're welcome. Come back any time: your likes stay with this session, "
                "and 'start over' begins a fresh search."
            )
        elif primary in (Intent.GREETING, Intent.HELP) and not ctx.state.shown:
            reply = self._opening_picks(ctx, parse)
        elif primary in (Intent.GREETING, Intent.HELP):
            reply = self._greeting(ctx, "Hi! I recommend items and explain why.")
        elif primary is Intent.PROFILE:
            reply = self._profile(ctx, parse)
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
                {Intent.RECOMMEND, Intent.REFINE} & set(intents)
                or _searching(ctx)
                or _replaces_shown(ctx, parse)
            )
        ):
            reply = PlannerReply(text=lead or "Noted.")
            lead = ""
        else:
            reply = self._recommend(ctx, parse)
        if lead:
            reply.text = f"{lead} {reply.text}"
        if parse.language:  # a turn in another language: say how it was read
            reply.text = f"{read_line(parse.language, parse.text)}\n{reply.text}"
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

    def _opening_picks(self, ctx: TurnContext, parse: Parse) -> PlannerReply:
        """A hello (or "help me pick something") before any list: a first list (what most
        people pick, ranked for a stranger) with the one question that best splits it, so
        the first turn is not spent on a question alone."""
        picks = self._recommend(ctx, parse)
        if not picks.items:
            return self._greeting(ctx, "Hi! I recommend items and explain why.")
        picks.text = f"Hi! I recommend items and explain why. To start: {picks.text}"
        return picks

    def _profile(self, ctx: TurnContext, parse: Parse) -> PlannerReply:
        profile = run_tool(ctx, get_tool("get_profile"), {}).result
        lines = memory_lines(ctx.state, self.vocab)
        if isinstance(profile, Profile) and profile.segment:
            lines.insert(0, "segment: " + ", ".join(f"{k} {v}" for k, v in profile.segment.items()))
        if not lines:  # nothing to report: a first list is the useful answer (and a start)
            picks = self._recommend(ctx, parse)
            picks.text = f"I don't know anything about your taste yet. {picks.text}"
            return picks
        return PlannerReply(text="Here is what I know: " + "; ".join(lines) + ".")

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
        preference = ranker_preference(a, b, self._rating_max())
        if preference:
            lines.append(preference)
        items = [rec_item(ItemSummary(item_id=e.item_id, title=e.title), e) for e in (a, b)]
        return PlannerReply(text="\n".join(lines), items=items)

    def _rating_max(self) -> float | None:
        """The rating scale's top when the ranker predicts ratings (None: it predicts picks)."""
        try:
            ranker = self.workspace.ranker
            return float(ranker.rating_max) if str(ranker.kind.value) == "rating" else None
        except Exception:  # no ranker in this workspace: compare answers say no ranker figures
            return None

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
