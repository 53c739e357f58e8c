"""A simulated user who wants one hidden item (iEvaLM / InteRecAgent style), for any catalog.

The user knows a target item's attributes and nothing else: it opens with a vague request
(one of the target's most common values), answers the agent's questions from the target's
attributes, turns down wrong suggestions with a reason drawn from what the shown items have
that the target lacks ("I don't want comedy", "These are too old. Something from the 1990s"),
and never names the target. It works on any workspace's items: categorical columns (one value
or several joined with "|"), numeric columns whose kind is read from the name (a year becomes
a decade and then half a decade, a price a budget and then a price band, a score "at least N
stars"), and description words for a text hint. Every choice comes from a seeded RNG, so the
same seed gives the same conversation with a deterministic agent.

    view = CatalogView.from_items(dataset.items)
    sim = UserSimulator(view.target("i42"), view, seed=7)
    turn = sim.opening()                       # UserTurn: text, facts revealed
    turn = sim.respond(reply_text, shown_ids)  # None once the target is in the top k
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from agent.vocab import NumericKind, Vocabulary, normalise, title_key

# Values that say nothing about an item: never stated, never used as a reason.
IGNORED_VALUES = frozenset({"", "unknown", "other", "none", "n/a", "na", "misc", "various"})
# Description words too common in any catalog's prose to be a useful hint.
_TEXT_STOPWORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "among",
        "another",
        "around",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "cannot",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "either",
        "every",
        "from",
        "further",
        "have",
        "having",
        "here",
        "into",
        "itself",
        "just",
        "more",
        "most",
        "much",
        "must",
        "neither",
        "only",
        "other",
        "ought",
        "over",
        "own",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "very",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "whom",
        "whose",
        "will",
        "with",
        "within",
        "without",
        "would",
        "your",
        "yours",
        "title",
        "item",
        "items",
        "pick",
        "picks",
        "priced",
        "price",
        "mid-priced",
        "cheap",
        "pricey",
    ]
)
_WORD = re.compile(r"[a-z]+")
# A description word is a hint only when at most a tenth of the descriptions use it.
RARE_WORD_IDF = math.log(10)


class FactKind(StrEnum):
    """What a statement about the target says."""

    CATEGORY = "category"  # the target has these values of a categorical attribute
    EXCLUDE = "exclude"  # the target does not have this value
    RANGE = "range"  # the target's number lies in [low, high] (either end may be open)
    AT_LEAST = "at_least"  # the target's score is at least `low`
    TEXT = "text"  # words from the target's description


@dataclass(frozen=True)
class Fact:
    """One thing the simulated user can say about its target (always true of the target)."""

    kind: FactKind
    attribute: str
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    level: int = 0  # for ranges: 0 coarse (a decade, a budget), 1 narrow (half a decade, a band)

    def key(self) -> tuple[str, str, tuple[str, ...], int]:
        """Identity for 'already said'."""
        return (self.kind.value, self.attribute, self.values, self.level)


@dataclass(frozen=True)
class Mismatch:
    """Why a shown item is not the target: its value for an attribute the target differs on."""

    item_id: str
    attribute: str
    shown: str  # the item's value ("Comedy", "1978")
    wanted: str  # the target's side ("not Comedy", "1990 to 1999")


@dataclass(frozen=True)
class UserTurn:
    """One simulated user message and what it revealed."""

    text: str
    revealed: tuple[Fact, ...] = ()
    answered: str | None = None  # the attribute the agent asked about, when this answers it
    rejected: tuple[Mismatch, ...] = ()


@dataclass(frozen=True)
class Target:
    """The hidden item: its id, title (never said) and the attributes the user may talk about."""

    item_id: str
    title: str
    categories: Mapping[str, tuple[str, ...]]
    numbers: Mapping[str, float]
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class NumericField:
    """A numeric attribute the user can talk about (years, prices, scores)."""

    name: str
    kind: NumericKind
    low: float
    high: float
    median: float


@dataclass
class CatalogView:
    """The item table as the simulated user sees it: attribute values per item, kinds, words."""

    titles: Mapping[str, str]
    categorical: Mapping[str, Mapping[str, tuple[str, ...]]]  # attribute -> item -> values
    multi: Mapping[str, bool]
    value_counts: Mapping[str, Mapping[str, int]]
    numeric: Mapping[str, NumericField]
    numbers: Mapping[str, Mapping[str, float]]  # attribute -> item -> value
    descriptions: Mapping[str, str] = field(default_factory=dict)
    idf: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_items(cls, items: pd.DataFrame) -> CatalogView:
        """Read an item table in the data contract (item_id, title, description, attributes)."""
        vocab = Vocabulary.from_items(items)
        ids = items["item_id"].astype(str).tolist()
        titles = dict(zip(ids, items["title"].astype(str).tolist(), strict=True))
        categorical: dict[str, dict[str, tuple[str, ...]]] = {}
        multi: dict[str, bool] = {}
        counts: dict[str, dict[str, int]] = {}
        for name, attr in vocab.categorical.items():
            column = items[name].tolist()
            per_item: dict[str, tuple[str, ...]] = {}
            for item_id, raw in zip(ids, column, strict=True):
                if raw is None or (isinstance(raw, float) and math.isnan(raw)):
                    continue
                values = tuple(
                    v
                    for v in (p.strip() for p in str(raw).split("|"))
                    if v and v.lower() not in IGNORED_VALUES
                )
                if values:
                    per_item[item_id] = values
            categorical[name] = per_item
            multi[name] = attr.multi
            counts[name] = {v: c for v, c in attr.counts.items() if v.lower() not in IGNORED_VALUES}
        numeric: dict[str, NumericField] = {}
        numbers: dict[str, dict[str, float]] = {}
        for name, info in vocab.numeric.items():
            if info.kind not in (NumericKind.YEAR, NumericKind.PRICE, NumericKind.SCORE):
                continue
            numeric[name] = NumericField(name, info.kind, info.low, info.high, info.median)
            column = items[name].to_numpy(dtype=float)
            numbers[name] = {
                i: float(v) for i, v in zip(ids, column, strict=True) if np.isfinite(v)
            }
        descriptions: dict[str, str] = {}
        idf: dict[str, float] = {}
        if "description" in items.columns:
            texts = items["description"].fillna("").astype(str).tolist()
            descriptions = {i: t for i, t in zip(ids, texts, strict=True) if t.strip()}
            document_freq: Counter[str] = Counter()
            for text in descriptions.values():
                document_freq.update(set(_WORD.findall(text.lower())))
            n_docs = max(len(descriptions), 1)
            idf = {w: math.log(n_docs / c) for w, c in document_freq.items()}
        return cls(titles, categorical, multi, counts, numeric, numbers, descriptions, idf)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.titles

    def values(self, item_id: str, attribute: str) -> tuple[str, ...]:
        """An item's values of a categorical attribute (ignored values dropped)."""
        return self.categorical.get(attribute, {}).get(item_id, ())

    def number(self, item_id: str, attribute: str) -> float | None:
        """An item's value of a numeric attribute, or None when missing."""
        return self.numbers.get(attribute, {}).get(item_id)

    def target(self, item_id: str) -> Target:
        """The target profile of an item (KeyError for an unknown id)."""
        if item_id not in self.titles:
            raise KeyError(f"unknown item id {item_id!r}")
        categories = {a: self.values(item_id, a) for a in self.categorical}
        numbers = {a: self.number(item_id, a) for a in self.numeric}
        return Target(
            item_id=item_id,
            title=self.titles[item_id],
            categories={a: v for a, v in categories.items() if v},
            numbers={a: v for a, v in numbers.items() if v is not None},
            keywords=self._keywords(item_id),
        )

    def describable(self, item_id: str) -> bool:
        """True when the item has at least one categorical value to open a conversation with."""
        return any(self.values(item_id, a) for a in self.categorical)

    def _keywords(self, item_id: str, n: int = 2) -> tuple[str, ...]:
        """The description's rarest content words (title words and attribute values left out)."""
        text = self.descriptions.get(item_id, "")
        if not text:
            return ()
        banned = set(_WORD.findall(self.titles[item_id].lower()))
        for values in self.counts_of_all_values():
            banned.update(_WORD.findall(values.lower()))
        seen: dict[str, int] = {}
        for position, word in enumerate(_WORD.findall(text.lower())):
            if len(word) < 4 or word in _TEXT_STOPWORDS or word in banned or word in seen:
                continue
            seen[word] = position
        ranked = sorted(seen, key=lambda w: (-self.idf.get(w, 0.0), seen[w]))
        chosen = [w for w in ranked if self.idf.get(w, 0.0) >= RARE_WORD_IDF][:n]
        return tuple(sorted(chosen, key=lambda w: seen[w]))

    def counts_of_all_values(self) -> list[str]:
        """Every categorical value of the catalog."""
        return [v for counts in self.value_counts.values() for v in counts]


# -- phrasing ------------------------------------------------------------------------------


def _spoken(value: str) -> str:
    return value.lower()


def _join(values: Sequence[str]) -> str:
    spoken = [_spoken(v) for v in values]
    return spoken[0] if len(spoken) == 1 else ", ".join(spoken[:-1]) + " and " + spoken[-1]


def _money(value: float) -> str:
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"


def _decade_label(low: float) -> str:
    return f"the {int(low)}s"


OPENINGS = (
    "Can you recommend something? I'd like {vals}.",
    "Could you suggest something? Ideally {vals}.",
    "Any recommendations? I'd like {vals}.",
)
REJECT_OPENERS = ("Not quite.", "None of these.", "No, not these.")
MORE = ("Something else, please.", "Show me more options, please.")


def phrase(fact: Fact, view: CatalogView, rng: random.Random) -> str:
    """One fact in words a person would use (and the rule planner reads back exactly)."""
    if fact.kind is FactKind.CATEGORY:
        template = rng.choice(("I'd like {vals}.", "Ideally {vals}.", "{Vals}, please."))
        vals = _join(fact.values)
        return template.format(vals=vals, Vals=vals[:1].upper() + vals[1:])
    if fact.kind is FactKind.EXCLUDE:
        return rng.choice(("I don't want {v}.", "No {v}, please.")).format(
            v=_spoken(fact.values[0])
        )
    if fact.kind is FactKind.TEXT:
        words = " and ".join(fact.values)
        return rng.choice(("Something about {w}, please.", "Ideally about {w}.")).format(w=words)
    info = view.numeric[fact.attribute]
    if fact.kind is FactKind.AT_LEAST:
        return f"Ideally with at least {int(fact.low or 0)} stars."
    if info.kind is NumericKind.YEAR:
        if fact.level == 0:
            label = _decade_label(fact.low or 0)
            return rng.choice(("Something from {d}, please.", "Ideally from {d}.")).format(d=label)
        return rng.choice(
            ("Ideally between {a} and {b}.", "Something from {a} to {b}, please.")
        ).format(a=int(fact.low or 0), b=int(fact.high or 0))
    if fact.level == 0 or fact.low is None:
        return rng.choice(("My budget is up to {x}.", "Up to {x}, please.")).format(
            x=_money(fact.high or 0)
        )
    return f"Ideally between {_money(fact.low)} and {_money(fact.high or 0)}."


def _direction_words(kind: NumericKind, shown_median: float, target: float) -> str:
    if kind is NumericKind.YEAR:
        return "These are too old." if shown_median < target else "These are too recent."
    if kind is NumericKind.PRICE:
        return "These are too cheap." if shown_median < target else "These are too expensive."
    return ""


# -- the user ------------------------------------------------------------------------------


def target_facts(target: Target, view: CatalogView) -> list[Fact]:
    """Everything true of the target the user may say, most common (vaguest) value first."""
    categorical = [
        Fact(FactKind.CATEGORY, attr, (value,))
        for attr, values in target.categories.items()
        for value in values
    ]
    categorical.sort(key=lambda f: -view.value_counts[f.attribute].get(f.values[0], 0))
    coarse: list[Fact] = []
    narrow: list[Fact] = []
    for attr, value in target.numbers.items():
        info = view.numeric[attr]
        if info.kind is NumericKind.YEAR:
            decade = math.floor(value / 10) * 10
            half = decade if value - decade < 5 else decade + 5
            coarse.append(Fact(FactKind.RANGE, attr, low=decade, high=decade + 9, level=0))
            narrow.append(Fact(FactKind.RANGE, attr, low=half, high=half + 4, level=1))
        elif info.kind is NumericKind.PRICE:
            cap = _round_up(value * 1.25)
            coarse.append(Fact(FactKind.RANGE, attr, high=cap, level=0))
            low, high = math.floor(value * 0.8), math.ceil(value * 1.2)
            if high > low:
                narrow.append(Fact(FactKind.RANGE, attr, low=low, high=high, level=1))
        elif info.kind is NumericKind.SCORE and value >= info.median and value > info.low:
            narrow.append(Fact(FactKind.AT_LEAST, attr, low=math.floor(value)))
    text = [Fact(FactKind.TEXT, "description", target.keywords)] if target.keywords else []
    # Order after the opening: coarse numbers, the other values (rarest first), text, narrow.
    head, rest = categorical[:1], categorical[1:]
    rest.sort(key=lambda f: view.value_counts[f.attribute].get(f.values[0], 0))
    return head + coarse + rest + text + narrow


def _round_up(value: float) -> float:
    step = 1 if value < 10 else 5 if value < 100 else 50 if value < 1000 else 500
    return float(math.ceil(value / step) * step)


def fact_holds(fact: Fact, target: Target) -> bool:
    """True when a fact is true of the target (the simulator never says anything else)."""
    if fact.kind is FactKind.CATEGORY:
        return set(fact.values) <= set(target.categories.get(fact.attribute, ()))
    if fact.kind is FactKind.EXCLUDE:
        return fact.values[0] not in target.categories.get(fact.attribute, ())
    if fact.kind is FactKind.TEXT:
        return bool(fact.values) and set(fact.values) <= set(target.keywords)
    value = target.numbers.get(fact.attribute)
    if value is None:
        return False
    return (fact.low is None or value >= fact.low) and (fact.high is None or value <= fact.high)


def names_target(text: str, target: Target) -> bool:
    """True when a message names the target (its title, as people would type it)."""
    key = title_key(target.title)
    if not key:
        return False
    return f" {key} " in f" {normalise(text)} "


class UserSimulator:
    """A user who wants `target`; talks turn by turn (see the module docstring)."""

    def __init__(
        self,
        target: Target,
        view: CatalogView,
        *,
        seed: int | str = 0,
        k: int = 10,
        max_reveals: int = 2,
    ) -> None:
        if k < 1:
            raise ValueError("k must be at least 1")
        self.target = target
        self.view = view
        self.k = k
        self.max_reveals = max_reveals
        self.rng = random.Random(seed)
        self.facts = target_facts(target, view)
        self.said: list[Fact] = []
        self._unsayable: set[tuple[str, str, tuple[str, ...], int]] = set()
        self.found_rank: int | None = None
        if not self.facts:
            raise ValueError(f"item {target.item_id} has no attributes to talk about")

    # -- state ------------------------------------------------------------------------

    def _is_said(self, fact: Fact, also: Sequence[Fact] = ()) -> bool:
        for said in [*self.said, *also]:
            if said.key() == fact.key():
                return True
            if (
                fact.kind is FactKind.CATEGORY
                and said.kind is FactKind.CATEGORY
                and said.attribute == fact.attribute
                and set(fact.values) <= set(said.values)
            ):
                return True
        return False

    def _pending(self, also: Sequence[Fact] = ()) -> list[Fact]:
        """Facts not said yet (counting `also`, what this turn already says)."""
        return [
            f for f in self.facts if not self._is_said(f, also) and f.key() not in self._unsayable
        ]

    def rank_of_target(self, shown: Sequence[str]) -> int | None:
        """The target's 1-based rank among the first k shown items, or None."""
        top = list(shown[: self.k])
        return top.index(self.target.item_id) + 1 if self.target.item_id in top else None

    # -- turns ------------------------------------------------------------------------

    def opening(self) -> UserTurn:
        """The first, vague request: one of the target's most common values."""
        template = self.rng.choice(OPENINGS)
        for fact in self._pending():
            if fact.kind is FactKind.CATEGORY:
                text = template.format(vals=_join(fact.values))
            else:
                text = "Can you recommend something? " + phrase(fact, self.view, self.rng)
            turn = self._emit([(text, fact)])
            if turn.revealed:
                return turn
        return UserTurn(text="Can you recommend something?")

    def respond(self, reply_text: str, shown: Sequence[str]) -> UserTurn | None:
        """The next message after the agent's reply, or None when the target is in the top k."""
        rank = self.rank_of_target(shown)
        if rank is not None:
            self.found_rank = rank
            return None
        parts: list[tuple[str, Fact | None]] = []
        rejected: tuple[Mismatch, ...] = ()
        wrong = [i for i in shown if i != self.target.item_id and i in self.view]
        if wrong:
            parts.append((self.rng.choice(REJECT_OPENERS), None))
            reason = self._reason(wrong)
            if reason is not None:
                fact, lead, rejected = reason
                said = phrase(fact, self.view, self.rng)
                parts.append((f"{lead} {said}" if lead else said, fact))
        revealed = [f for _, f in parts if f is not None]
        asked = asked_attribute(reply_text, self.view)
        if asked is not None and not any(f.attribute == asked for f in revealed):
            # (When the reason already tells what was asked, "Something from the 1970s", that
            # is the answer.) Otherwise answer with what is left about the attribute, if anything.
            answer = self._answer(asked, revealed)
            if answer is not None and len(revealed) < self.max_reveals:
                parts.append((phrase(answer, self.view, self.rng), answer))
                revealed.append(answer)
            else:
                asked = None
        if len(revealed) < self.max_reveals and (wrong or not revealed):
            for fact in self._pending(revealed):
                if all((r.attribute, r.kind) != (fact.attribute, fact.kind) for r in revealed):
                    parts.append((phrase(fact, self.view, self.rng), fact))
                    break
        turn = self._emit(parts, answered=asked, rejected=rejected)
        if not turn.revealed:
            turn = UserTurn(
                text=f"{turn.text} {self.rng.choice(MORE)}".strip(),
                answered=None,
                rejected=turn.rejected,
            )
        return turn

    def _emit(
        self,
        parts: Sequence[tuple[str, Fact | None]],
        *,
        answered: str | None = None,
        rejected: tuple[Mismatch, ...] = (),
    ) -> UserTurn:
        """Say the parts that do not name the target; remember the facts said."""
        texts: list[str] = []
        kept: list[Fact] = []
        for text, fact in parts:
            if names_target(text, self.target):
                # Never name the target, even when a value reads like its title.
                if fact is not None:
                    self._unsayable.add(fact.key())
                    if fact.attribute == answered:
                        answered = None
                continue
            texts.append(text)
            if fact is not None:
                kept.append(fact)
                if not self._is_said(fact):
                    self.said.append(fact)
        if not kept:
            rejected = ()
        return UserTurn(
            text=" ".join(texts), revealed=tuple(kept), answered=answered, rejected=rejected
        )

    def _answer(self, attribute: str, also: Sequence[Fact] = ()) -> Fact | None:
        """What to say when asked about `attribute` (all its remaining values, or a range)."""
        pending = [f for f in self._pending(also) if f.attribute == attribute]
        if not pending:
            return None
        if pending[0].kind is FactKind.CATEGORY:
            values = tuple(v for f in pending if f.kind is FactKind.CATEGORY for v in f.values)
            return Fact(FactKind.CATEGORY, attribute, values)
        return pending[0]

    def _reason(self, wrong: list[str]) -> tuple[Fact, str, tuple[Mismatch, ...]] | None:
        """The most visible way the shown items differ from the target, as a fact to say."""
        options: list[tuple[int, float, Fact, str, tuple[Mismatch, ...]]] = []
        for attr, value in self.target.numbers.items():
            info = self.view.numeric[attr]
            if info.kind is NumericKind.SCORE:
                continue
            for fact in (
                f for f in self._pending() if f.attribute == attr and f.kind is FactKind.RANGE
            ):
                outside = []
                for item_id in wrong:
                    number = self.view.number(item_id, attr)
                    if number is not None and not _within(number, fact):
                        outside.append((item_id, number))
                if len(outside) * 2 > len(wrong):
                    median = float(np.median([n for _, n in outside]))
                    wanted = _range_text(fact)
                    mismatches = tuple(
                        Mismatch(i, attr, _fmt_number(info, n), wanted) for i, n in outside
                    )
                    lead = _direction_words(info.kind, median, value)
                    options.append((len(outside), self.rng.random(), fact, lead, mismatches))
                break  # the coarsest unsaid range only
        excluded = {(f.attribute, f.values[0]) for f in self.said if f.kind is FactKind.EXCLUDE}
        for attr, per_item in self.view.categorical.items():
            mine = set(self.target.categories.get(attr, ()))
            if not mine:
                continue
            counts: Counter[str] = Counter()
            holders: dict[str, list[str]] = {}
            for item_id in wrong:
                for v in per_item.get(item_id, ()):
                    if v not in mine and (attr, v) not in excluded:
                        counts[v] += 1
                        holders.setdefault(v, []).append(item_id)
            if not counts:
                continue
            if self.view.multi.get(attr):
                value, count = max(counts.items(), key=lambda kv: (kv[1], self.rng.random()))
                fact = Fact(FactKind.EXCLUDE, attr, (value,))
                wanted = "not " + value
                mismatches = tuple(Mismatch(i, attr, value, wanted) for i in holders[value])
                options.append((count, self.rng.random(), fact, "", mismatches))
            else:
                stated = any(f.attribute == attr and f.kind is FactKind.CATEGORY for f in self.said)
                differing = sorted({i for ids in holders.values() for i in ids})
                if stated or len(differing) * 2 <= len(wrong):
                    continue
                fact = Fact(FactKind.CATEGORY, attr, tuple(sorted(mine)))
                mismatches = tuple(
                    Mismatch(i, attr, "|".join(self.view.values(i, attr)), "|".join(sorted(mine)))
                    for i in differing
                )
                options.append((len(differing), self.rng.random(), fact, "", mismatches))
        if not options:
            return None
        count, _, fact, lead, mismatches = max(options, key=lambda o: (o[0], o[1]))
        return fact, lead, mismatches


def _within(number: float, fact: Fact) -> bool:
    return (fact.low is None or number >= fact.low) and (fact.high is None or number <= fact.high)


def _range_text(fact: Fact) -> str:
    if fact.low is not None and fact.high is not None:
        return f"{fact.low:g} to {fact.high:g}"
    if fact.high is not None:
        return f"at most {fact.high:g}"
    return f"at least {fact.low:g}"


def _fmt_number(info: NumericField, value: float) -> str:
    """A number as the user would read it off an item."""
    if info.kind is NumericKind.PRICE:
        return _money(round(value, 2))
    return f"{value:g}"


# -- reading the agent ---------------------------------------------------------------------

_YEAR_WORDS = ("era", "year", "decade", "recent", "older", "classic", "old", "new")
_PRICE_WORDS = ("budget", "price", "cost", "spend", "$", "cheap", "expensive", "afford")
_SCORE_WORDS = ("rated", "rating", "quality", "stars", "score")
_KIND_WORDS = {NumericKind.YEAR: _YEAR_WORDS, NumericKind.PRICE: _PRICE_WORDS}


def _questions(text: str) -> list[str]:
    sentences = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [
        s.strip()
        for s in sentences
        if s.strip().endswith("?") and not re.match(r"^\s*\d+[.)]\s", s)
    ]


def _mentions(text: str, phrase_: str) -> bool:
    if phrase_ == "$":
        return "$" in text
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase_)}(?![a-z0-9])", text) is not None


def asked_attribute(text: str, view: CatalogView) -> str | None:
    """The attribute the agent's last question asks about, or None when it asked nothing."""
    questions = _questions(text)
    if not questions:
        return None
    question = questions[-1].lower()
    scores: dict[str, int] = {}
    for attr, counts in view.value_counts.items():
        label = attr.replace("_", " ").lower()
        names = {label, label.removesuffix("s")}
        score = 2 * any(_mentions(question, n) for n in names if n)
        score += sum(1 for value in counts if _mentions(question, value.lower()))
        if score:
            scores[attr] = score
    for attr, info in view.numeric.items():
        words = _KIND_WORDS.get(info.kind, _SCORE_WORDS)
        label = attr.replace("_", " ").lower()
        if _mentions(question, label) or any(_mentions(question, w) for w in words):
            scores[attr] = max(scores.get(attr, 0), 2)
    if not scores:
        return None
    best, score = max(scores.items(), key=lambda kv: kv[1])
    return best if score >= 2 else None


__all__ = [
    "CatalogView",
    "Fact",
    "FactKind",
    "Mismatch",
    "NumericField",
    "Target",
    "UserSimulator",
    "UserTurn",
    "asked_attribute",
    "fact_holds",
    "names_target",
    "phrase",
    "target_facts",
]
