"""A simulated user who wants one hidden item and talks like a person, not like the parser.

The user knows its target's attributes (read from the data by `catalog_view`, never by the
agent's code) and says one new true fact a turn: an attribute value ("got any thriller?"),
a decade in words ("something from the eighties"), a film it loved as a taste reference
("I loved Die Hard, something in that vein"), how well known the target is ("a hidden
gem", "a classic"), a budget or a score, or, turning down a list, a reason drawn from
what the shown items have and the target lacks ("ugh, enough comedy"). It answers the
agent's question when the reply asks about an attribute it can still say something about.
It reads only what the agent shows: the reply's text and the ids of the items listed. It
never names the target. Its words come from `phrases` (a development bank and a disjoint
held-out bank); it imports nothing from the agent's language code. Every choice comes from
a seeded RNG, so the same seed and the same replies give the same conversation.

    view = CatalogView.from_dataset(dataset.items, dataset.interactions)
    sim = UserSimulator(view.target("42"), view, seed=7, bank="heldout")
    turn = sim.opening()                       # UserTurn: text and the fact it states
    turn = sim.respond(reply_text, shown_ids)  # None once the target is in the top k
"""

from __future__ import annotations

import copy
import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from agent.evaluation.catalog_view import CatalogView, NumericKind, Target
from agent.evaluation.phrases import Bank, PhraseBank, bank

# A classic is a head item at least this many years older than the catalog's newest item.
CLASSIC_AGE_YEARS = 25
# An exclusion or a direction is a reason to say when this share of the wrong items shows it.
STRONG_REASON = 0.6
LOWERCASE_P = 0.25
NO_PUNCTUATION_P = 0.2
TYPO_P = 0.15

_DECADE_WORDS = {
    1900: "nineteen-hundreds",
    1910: "nineteen-tens",
    1920: "twenties",
    1930: "thirties",
    1940: "forties",
    1950: "fifties",
    1960: "sixties",
    1970: "seventies",
    1980: "eighties",
    1990: "nineties",
    2000: "two-thousands",
    2010: "twenty-tens",
    2020: "twenty-twenties",
}


class FactKind(StrEnum):
    """What a statement about the target says."""

    CATEGORY = "category"  # the target has this value of a categorical attribute
    EXCLUDE = "exclude"  # the target does not have this value
    ERA = "era"  # the target's year lies in [low, high]: a decade (level 0) or half (level 1)
    PRICE = "price"  # the target's price is at most `high`
    SCORE = "score"  # the target's score is at least `low`
    TASTE = "taste"  # the user loved `item_id`, an item in the target's vein
    POPULARITY = "popularity"  # values ("popular",), ("less_known",) or ("classic",)


@dataclass(frozen=True)
class Fact:
    """One thing the simulated user can say about its target (always true of the target)."""

    kind: FactKind
    attribute: str = ""
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    level: int = 0
    item_id: str | None = None

    def key(self) -> tuple[str, str, tuple[str, ...], int, str | None]:
        """Identity for 'already said'."""
        return (self.kind.value, self.attribute, self.values, self.level, self.item_id)


@dataclass(frozen=True)
class Mismatch:
    """Why a shown item is not the target: its value for an attribute the target differs on."""

    item_id: str
    attribute: str
    shown: str
    wanted: str


@dataclass(frozen=True)
class UserTurn:
    """One simulated user message and what it revealed (at most one new fact)."""

    text: str
    revealed: tuple[Fact, ...] = ()
    answered: str | None = None  # the attribute the agent asked about, when this answers it
    rejected: tuple[Mismatch, ...] = ()


# -- what is true of the target -----------------------------------------------------------


def _round_up(value: float) -> float:
    step = 1 if value < 10 else 5 if value < 100 else 50 if value < 1000 else 500
    return float(math.ceil(value / step) * step)


def popularity_fact(target: Target, view: CatalogView) -> Fact | None:
    """How well known the target is, as a person would put it (None for the torso)."""
    if not view.popularity:
        return None
    if target.stratum == "tail":
        return Fact(FactKind.POPULARITY, values=("less_known",))
    if target.stratum != "head":
        return None
    year = view.year_attribute()
    if year is not None and year in target.numbers:
        cutoff = view.numeric[year].high - CLASSIC_AGE_YEARS
        if target.numbers[year] <= cutoff:
            return Fact(FactKind.POPULARITY, year, ("classic",), high=cutoff)
    return Fact(FactKind.POPULARITY, values=("popular",))


def target_facts(target: Target, view: CatalogView) -> list[Fact]:
    """Everything true of the target the user may say (taste references aside).

    Order: the most common value first (the vague opening), then the decade, how well known
    it is, the other values (rarest first), the half-decade, a budget and a score.
    """
    categorical = [
        Fact(FactKind.CATEGORY, attr, (value,))
        for attr, values in target.categories.items()
        for value in values
    ]
    categorical.sort(key=lambda f: -view.value_counts[f.attribute].get(f.values[0], 0))
    head, rest = categorical[:1], categorical[1:]
    rest.sort(key=lambda f: view.value_counts[f.attribute].get(f.values[0], 0))
    coarse: list[Fact] = []
    narrow: list[Fact] = []
    for attr, value in target.numbers.items():
        kind = view.numeric[attr].kind
        if kind is NumericKind.YEAR:
            decade = math.floor(value / 10) * 10
            half = decade if value - decade < 5 else decade + 5
            coarse.append(Fact(FactKind.ERA, attr, low=decade, high=decade + 9, level=0))
            narrow.append(Fact(FactKind.ERA, attr, low=half, high=half + 4, level=1))
        elif kind is NumericKind.PRICE:
            narrow.append(Fact(FactKind.PRICE, attr, high=_round_up(value * 1.25)))
        elif kind is NumericKind.SCORE:
            info = view.numeric[attr]
            if value >= info.median and value > info.low:
                narrow.append(Fact(FactKind.SCORE, attr, low=math.floor(value)))
    known = popularity_fact(target, view)
    return head + coarse + ([known] if known else []) + rest + narrow


def fact_holds(fact: Fact, target: Target, view: CatalogView | None = None) -> bool:
    """True when a fact is true of the target (the simulator never says anything else)."""
    if fact.kind is FactKind.CATEGORY:
        return set(fact.values) <= set(target.categories.get(fact.attribute, ()))
    if fact.kind is FactKind.EXCLUDE:
        return fact.values[0] not in target.categories.get(fact.attribute, ())
    if fact.kind is FactKind.TASTE:
        return fact.item_id is not None and fact.item_id != target.item_id
    if fact.kind is FactKind.POPULARITY:
        wanted = {"less_known": "tail", "popular": "head", "classic": "head"}[fact.values[0]]
        if target.stratum != wanted:
            return False
        if fact.values[0] == "classic":
            year = target.numbers.get(fact.attribute)
            return year is not None and fact.high is not None and year <= fact.high
        return True
    value = target.numbers.get(fact.attribute)
    if value is None:
        return False
    return (fact.low is None or value >= fact.low) and (fact.high is None or value <= fact.high)


# -- words ---------------------------------------------------------------------------------

_YEAR_SUFFIX = re.compile(r"\s*\((?:\d{4}|[^()]*\d{4}[^()]*)\)\s*$")
_TRAILING_ARTICLE = re.compile(r"^(.*),\s*(the|a|an|la|le|les|il|el|der|die|das)$", re.I)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def spoken_title(title: str) -> str:
    """A title as people say it: no year in brackets, a trailing ', The' moved to the front."""
    text = _YEAR_SUFFIX.sub("", title).strip()
    match = _TRAILING_ARTICLE.match(text)
    if match:
        text = f"{match.group(2)} {match.group(1)}"
    return text


def _plain(text: str) -> str:
    return " " + " ".join(_NON_WORD.sub(" ", text.lower()).split()) + " "


def names_target(text: str, target: Target) -> bool:
    """True when a message names the target (its title, with or without a leading article)."""
    said = _plain(text)
    title = _plain(spoken_title(target.title)).strip()
    if not title:
        return False
    forms = {title}
    first, _, rest = title.partition(" ")
    if first in {"the", "a", "an"} and rest:
        forms.add(rest)
    return any(f" {form} " in said for form in forms)


def spoken_value(value: str) -> str:
    """An attribute value as typed in a chat."""
    return value.replace("_", " ").lower()


def spoken_attribute(name: str, multi: bool) -> str:
    """A column name as a word ('item_gender' -> 'gender', 'genres' -> 'genre')."""
    words = name.lower().replace("-", "_").split("_")
    if len(words) > 1 and words[0] in {"item", "product"}:
        words = words[1:]
    text = " ".join(w for w in words if w)
    return text[:-1] if multi and text.endswith("s") and not text.endswith("ss") else text


def _decade_slots(low: float, level: int, words: PhraseBank, rng: random.Random) -> str:
    decade = int(math.floor(low / 10) * 10)
    fills = {"yyyy": str(decade), "nn": f"{decade % 100:02d}", "word": _DECADE_WORDS.get(decade)}
    forms = words.decade_forms if level == 0 else words.half_forms
    usable = [f for f in forms if "{word}" not in f or fills["word"]]
    form = rng.choice(usable or ["{yyyy}s"])
    if level == 1:
        half = "early" if low - decade < 5 else "late"
        form = form.replace("early", half).replace("late", half)
    return form.format(**{k: v for k, v in fills.items() if v is not None})


def _money(value: float, words: PhraseBank, rng: random.Random) -> str:
    amount = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return rng.choice(words.money_forms).format(x=amount)


def _typo(text: str, rng: random.Random) -> str:
    """Swap two letters inside one longer word of a template (slots are left alone)."""
    spans = [m for m in re.finditer(r"(?<!\{)\b[a-z]{5,}\b(?![^{]*\})", text)]
    if not spans:
        return text
    word = rng.choice(spans)
    i = word.start() + rng.randrange(1, len(word.group()) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _register(template: str, rng: random.Random) -> tuple[str, bool]:
    """A template in a register: sometimes with a typo; says whether to lowercase the result."""
    if rng.random() < TYPO_P:
        template = _typo(template, rng)
    return template, rng.random() < LOWERCASE_P


def _finish(text: str, rng: random.Random) -> str:
    text = " ".join(text.split())
    if rng.random() < NO_PUNCTUATION_P:
        text = text.rstrip(".!")
    return text


class UserSimulator:
    """A user who wants `target`; talks turn by turn (see the module docstring)."""

    def __init__(
        self,
        target: Target,
        view: CatalogView,
        *,
        seed: int | str = 0,
        k: int = 10,
        bank: str | Bank = Bank.DEV,
    ) -> None:
        if k < 1:
            raise ValueError("k must be at least 1")
        self.target = target
        self.view = view
        self.k = k
        self.words = _bank(bank)
        self.rng = random.Random(f"{seed}")
        self.said: list[Fact] = []
        self._unsayable: set[tuple[str, str, tuple[str, ...], int, str | None]] = set()
        self.found_rank: int | None = None
        self.plan = self._plan(target_facts(target, view))
        if not self.plan:
            raise ValueError(f"item {target.item_id} has no attributes to talk about")

    def _plan(self, facts: list[Fact]) -> list[Fact]:
        """The order this user would tell things in: the opening, then a seeded mix."""
        taste = self._taste_fact()
        if not facts:
            return [taste] if taste else []
        opening, rest = facts[:1], facts[1:]
        first_tier = [f for f in rest if f.kind in (FactKind.ERA, FactKind.POPULARITY)]
        first_tier = [f for f in first_tier if f.level == 0]
        if taste is not None:
            first_tier.append(taste)
        later_categories = [f for f in rest if f.kind is FactKind.CATEGORY]
        if later_categories:
            first_tier.append(later_categories.pop(0))
        self.rng.shuffle(first_tier)
        second_tier = [f for f in rest if f not in first_tier]
        return opening + first_tier + second_tier

    def _taste_fact(self) -> Fact | None:
        references = self.view.taste_references(self.target.item_id, limit=3)
        self.rng.shuffle(references)
        target_title = _plain(spoken_title(self.target.title))
        for item_id in references:
            title = spoken_title(self.view.titles[item_id])
            if _plain(title) == target_title or names_target(title, self.target):
                continue
            return Fact(FactKind.TASTE, item_id=item_id)
        return None

    # -- state ------------------------------------------------------------------------

    def _is_said(self, fact: Fact) -> bool:
        return any(s.key() == fact.key() for s in self.said)

    def _pending(self) -> list[Fact]:
        return [f for f in self.plan if not self._is_said(f) and f.key() not in self._unsayable]

    def fork(self) -> UserSimulator:
        """The same user from here on, as a separate copy (what was said, the RNG's state)."""
        other = copy.copy(self)
        other.rng = random.Random()
        other.rng.setstate(self.rng.getstate())
        other.said = list(self.said)
        other._unsayable = set(self._unsayable)
        other.found_rank = None
        return other

    def rank_of_target(self, shown: Sequence[str]) -> int | None:
        """The target's 1-based rank among the first k shown items, or None."""
        top = list(shown[: self.k])
        return top.index(self.target.item_id) + 1 if self.target.item_id in top else None

    # -- turns ------------------------------------------------------------------------

    def opening(self) -> UserTurn:
        """The first request: an opener and the plan's first fact (a common value)."""
        opener = self.rng.choice(self.words.openers)
        for fact in self._pending():
            text = self._say(fact)
            if text is not None:
                self.said.append(fact)
                return UserTurn(text=self._safe(opener, text), revealed=(fact,))
        return UserTurn(text=self._safe(opener) or self._safe(self.rng.choice(self.words.more)))

    def respond(self, reply_text: str, shown: Sequence[str]) -> UserTurn | None:
        """The next message after the agent's reply, or None when the target is in the top k."""
        rank = self.rank_of_target(shown)
        if rank is not None:
            self.found_rank = rank
            return None
        wrong = [i for i in shown if i != self.target.item_id and i in self.view]
        lead = self.rng.choice(self.words.rejections) if wrong else ""
        asked = asked_attribute(reply_text, self.view)
        choices: list[tuple[Fact, str, tuple[Mismatch, ...], str | None]] = []
        if asked is not None:
            choices += [(f, "", (), asked) for f in self._pending() if f.attribute == asked][:1]
        reason = self._reason(wrong) if wrong else None
        if reason is not None:
            choices.append((*reason, None))
        choices += [(f, "", (), None) for f in self._pending()]
        for fact, why, mismatches, answered in choices:
            text = self._say(fact)
            if text is None:
                continue
            self.said.append(fact)
            return UserTurn(
                text=self._safe(lead, why, text),
                revealed=(fact,),
                answered=answered,
                rejected=mismatches,
            )
        return UserTurn(text=self._safe(lead, self.rng.choice(self.words.more)))

    def _safe(self, *parts: str) -> str:
        """The parts as one message, leaving out any wrapper that would name the target."""
        kept = [p for p in parts if p and not names_target(p, self.target)]
        text = _join(*kept)
        return text if not names_target(text, self.target) else _join(kept[-1]) if kept else ""

    def _say(self, fact: Fact) -> str | None:
        """The fact in words from the bank, or None (remembered) when it would name the target."""
        for _ in range(8):  # a template word may read like a short title ("Go", "Big")
            text = self.phrase(fact)
            if not names_target(text, self.target):
                return text
        self._unsayable.add(fact.key())
        return None

    def phrase(self, fact: Fact) -> str:
        """One fact in this user's words (a template of its bank, in a random register)."""
        rng, words = self.rng, self.words
        kind = fact.values[0] if fact.kind is FactKind.POPULARITY else fact.kind.value
        template, lower = _register(rng.choice(words.templates[kind]), rng)
        fills: dict[str, str] = {}
        if fact.kind in (FactKind.CATEGORY, FactKind.EXCLUDE):
            value = spoken_value(fact.values[0])
            fills = {"value": value, "Value": value[:1].upper() + value[1:]}
            fills["attr"] = spoken_attribute(fact.attribute, self.view.multi.get(fact.attribute))
        elif fact.kind is FactKind.ERA:
            bare = _decade_slots(fact.low or 0, fact.level, words, rng)
            fills = {"era": f"the {bare}", "era_bare": bare}
        elif fact.kind is FactKind.PRICE:
            fills = {"money": _money(fact.high or 0, words, rng)}
        elif fact.kind is FactKind.SCORE:
            fills = {"stars": f"{fact.low:g}"}
        elif fact.kind is FactKind.TASTE:
            fills = {"title": spoken_title(self.view.titles[fact.item_id or ""])}
        text = template.format(**fills)
        if lower:
            text = text.lower()
        return _finish(text[:1].upper() + text[1:] if not lower else text, rng)

    def _reason(self, wrong: list[str]) -> tuple[Fact, str, tuple[Mismatch, ...]] | None:
        """The most visible way most shown items differ from the target, as a fact to say."""
        options: list[tuple[float, float, Fact, str, tuple[Mismatch, ...]]] = []
        pending = self._pending()
        for fact in pending:
            if fact.kind is not FactKind.ERA or fact.level != 0:
                continue
            outside = [
                (i, n)
                for i in wrong
                if (n := self.view.number(i, fact.attribute)) is not None
                and not ((fact.low or 0) <= n <= (fact.high or 0))
            ]
            share = len(outside) / len(wrong)
            if share >= STRONG_REASON:
                median = float(np.median([n for _, n in outside]))
                bank_ = self.words.too_old if median < (fact.low or 0) else self.words.too_new
                wanted = f"{fact.low:g} to {fact.high:g}"
                mismatches = tuple(
                    Mismatch(i, fact.attribute, f"{n:g}", wanted) for i, n in outside
                )
                options.append((share, self.rng.random(), fact, self.rng.choice(bank_), mismatches))
        said_out = {(f.attribute, f.values[0]) for f in self.said if f.kind is FactKind.EXCLUDE}
        for attr, per_item in self.view.categorical.items():
            mine = set(self.target.categories.get(attr, ()))
            if not mine or not self.view.multi.get(attr):
                continue
            holders: dict[str, list[str]] = {}
            for item_id in wrong:
                for value in per_item.get(item_id, ()):
                    if value not in mine and (attr, value) not in said_out:
                        holders.setdefault(value, []).append(item_id)
            for value, ids in holders.items():
                share = len(ids) / len(wrong)
                if share >= STRONG_REASON:
                    fact = Fact(FactKind.EXCLUDE, attr, (value,))
                    mismatches = tuple(Mismatch(i, attr, value, "not " + value) for i in ids)
                    why = self.rng.choice(self.words.seen_too_much).format(
                        value=spoken_value(value)
                    )
                    options.append((share, self.rng.random(), fact, why, mismatches))
        if not options:
            return None
        _, _, fact, why, mismatches = max(options, key=lambda o: (o[0], o[1]))
        return fact, why, mismatches


def _bank(name: str | Bank) -> PhraseBank:
    return bank(name)


def _join(*parts: str) -> str:
    """Sentences of one message; a part without end punctuation gets a comma after it."""
    kept = [p.strip() for p in parts if p and p.strip()]
    joined = [p if p[-1] in ".!?:," or i == len(kept) - 1 else p + "," for i, p in enumerate(kept)]
    return " ".join(joined)


# -- reading the agent ---------------------------------------------------------------------

_ASKS_ABOUT = {
    NumericKind.YEAR: ("era", "year", "decade", "recent", "older", "old", "new", "when"),
    NumericKind.PRICE: ("budget", "price", "cost", "spend", "$", "cheap", "expensive", "afford"),
    NumericKind.SCORE: ("rated", "rating", "quality", "stars", "score"),
}


def _questions(text: str) -> list[str]:
    sentences = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [
        s.strip()
        for s in sentences
        if s.strip().endswith("?") and not re.match(r"^\s*\d+[.)]\s", s)
    ]


def _mentions(text: str, word: str) -> bool:
    if word == "$":
        return "$" in text
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None


def asked_attribute(text: str, view: CatalogView) -> str | None:
    """The attribute the agent's last question asks about, or None when it asked nothing."""
    questions = _questions(text)
    if not questions:
        return None
    question = questions[-1].lower()
    scores: Counter[str] = Counter()
    for attr, counts in view.value_counts.items():
        names = {attr.lower().replace("_", " "), spoken_attribute(attr, True)}
        scores[attr] += 2 * any(_mentions(question, n) for n in names if n)
        scores[attr] += sum(1 for value in counts if _mentions(question, value.lower()))
    for attr, info in view.numeric.items():
        label = attr.replace("_", " ").lower()
        if _mentions(question, label) or any(
            _mentions(question, w) for w in _ASKS_ABOUT[info.kind]
        ):
            scores[attr] = max(scores[attr], 2)
    if not scores:
        return None
    best, score = max(scores.items(), key=lambda kv: kv[1])
    return best if score >= 2 else None


__all__ = [
    "CatalogView",
    "Fact",
    "FactKind",
    "Mismatch",
    "Target",
    "UserSimulator",
    "UserTurn",
    "asked_attribute",
    "fact_holds",
    "names_target",
    "popularity_fact",
    "spoken_title",
    "target_facts",
]
