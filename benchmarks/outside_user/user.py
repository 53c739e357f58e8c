"""A simulated person with a hidden target item who reveals one true fact a turn.

The user opens vaguely or with one fact, then each turn reacts to the list it was shown
("none of these", "closer", "older than these", "too many comedies") and adds one new fact:
a value the target has, a value it lacks, when it appeared, how well known it is, a numeric
bound, or a more popular item sharing its attributes as a taste reference. It never says the
target's title. Every fact is also kept as structure (`Fact`) so baselines can be fed the same
information without language.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from benchmarks.outside_user.banks import FAME, bank
from benchmarks.outside_user.catalog import OutsideCatalog
from benchmarks.outside_user.surface import era_phrases, numeric_phrase, pair_forms, value_forms

MAX_HAS = 3
MAX_LACKS = 2
LESS_SHARE = 0.6  # a value on this share of the shown items the target lacks gives "less of it"
ERA_GAP = 4  # years between the target and the shown items' median before "older"/"newer"


@dataclass(frozen=True)
class Fact:
    """One thing the user said, as structure: what the filter baseline is handed."""

    kind: str  # has | lacks | era | numeric | fame | like
    attr: str | None = None
    values: tuple[str, ...] = ()
    lo: float = -math.inf
    hi: float = math.inf
    ref: str | None = None  # item id of a taste reference
    stratum: str | None = None
    phrase: str = ""  # the words the fact was said with (for transcripts)

    def as_dict(self) -> dict:
        """A JSON-friendly view (infinite bounds as None)."""
        return {
            "kind": self.kind,
            "attr": self.attr,
            "values": list(self.values),
            "lo": None if math.isinf(self.lo) else self.lo,
            "hi": None if math.isinf(self.hi) else self.hi,
            "ref": self.ref,
            "stratum": self.stratum,
            "phrase": self.phrase,
        }


def holds(catalog: OutsideCatalog, item_id: str, fact: Fact) -> bool:
    """Whether a fact is true of an item (a taste reference constrains nothing)."""
    if fact.kind == "has":
        return set(fact.values) <= catalog.value_set(item_id, fact.attr)
    if fact.kind == "lacks":
        return not set(fact.values) & catalog.value_set(item_id, fact.attr)
    if fact.kind in ("era", "numeric"):
        number = catalog.number(item_id, fact.attr)
        return number is not None and fact.lo <= number <= fact.hi
    if fact.kind == "fame":
        return catalog.stratum_of(item_id) == fact.stratum
    return fact.kind == "like"


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def names(text: str, title: str) -> bool:
    """Whether a sentence says a title (whole words, case and punctuation aside)."""
    needle = _words(title)
    return needle.strip() != "" and needle in _words(text)


class SimulatedUser:
    """One dialogue's user: a hidden target, a plan of facts and a phrasing bank."""

    def __init__(
        self, catalog: OutsideCatalog, target: str, bank_name: str, seed: int, turns: int
    ) -> None:
        self.catalog = catalog
        self.target = target
        self.bank_name = bank_name
        self.templates = bank(bank_name)
        self.rng = np.random.default_rng(seed)
        self.turns = turns
        self.revealed: list[Fact] = []
        self.best_overlap = -1.0
        self.titles = {catalog.display(target), str(catalog.items.at[target, "title"])}
        self.plan = self._plan()

    # -- planning -------------------------------------------------------------------------
    def _plan(self) -> list[Fact]:
        """Facts true of the target, first a kind of thing or a liked item, then shuffled."""
        cat, t, rng = self.catalog, self.target, self.rng
        has: list[Fact] = []
        lacks: list[Fact] = []
        other: list[Fact] = []
        for attr, spec in cat.attributes.items():
            if spec.kind in ("multi", "categorical"):
                sayable = cat.sayable_values(attr)
                mine = [v for v in sayable if v in cat.value_set(t, attr)]
                rng.shuffle(mine)
                if len(mine) >= 2 and pair_forms(mine[0], mine[1]) and rng.random() < 0.5:
                    has.append(Fact("has", attr, (mine[0], mine[1])))
                    mine = mine[2:]
                has += [Fact("has", attr, (v,)) for v in mine]
                absent = [v for v in sayable[:8] if v not in cat.value_set(t, attr)]
                if absent:
                    lacks.append(Fact("lacks", attr, (str(rng.choice(absent)),)))
            else:
                number = cat.number(t, attr)
                if number is None:
                    continue
                if spec.kind == "year":
                    for fine in (False, True):
                        phrase, lo, hi = era_phrases(int(number), rng, fine)
                        other.append(Fact("era", attr, (), lo, hi, phrase=phrase))
                else:
                    phrase, lo, hi = numeric_phrase(spec.label, number, rng, cat.is_whole(attr))
                    other.append(Fact("numeric", attr, (), lo, hi, phrase=phrase))
        other.append(Fact("fame", stratum=cat.stratum_of(t)))
        ref = self._reference()
        if ref is not None:
            other.append(Fact("like", ref=ref))
        rng.shuffle(has)
        rng.shuffle(lacks)
        has, lacks = has[:MAX_HAS], lacks[:MAX_LACKS]
        starters = [f for f in has + other if f.kind in ("has", "like")]
        first = [starters[int(rng.integers(len(starters)))]] if starters else []
        rest = [f for f in has + lacks + other if f not in first]
        rng.shuffle(rest)
        # keep the coarse era before the fine one
        eras = [f for f in rest if f.kind == "era"]
        if len(eras) == 2 and rest.index(eras[0]) > rest.index(eras[1]):
            i, j = rest.index(eras[0]), rest.index(eras[1])
            rest[i], rest[j] = rest[j], rest[i]
        return first + rest

    def _reference(self) -> str | None:
        """A more popular item sharing attributes with the target, never the target itself."""
        cat, t = self.catalog, self.target
        mine = {
            (a, v)
            for a, s in cat.attributes.items()
            if s.kind in ("multi", "categorical")
            for v in cat.value_set(t, a)
        }
        year_attr = next((a for a, s in cat.attributes.items() if s.kind == "year"), None)
        year = cat.number(t, year_attr) if year_attr else None
        count = cat.count_of(t)
        scored = []
        for item in cat.ids:
            if cat.count_of(item) <= count:
                break
            title = cat.display(item)
            if any(names(title, own) or names(own, title) for own in self.titles):
                continue
            theirs = {
                (a, v)
                for a, s in cat.attributes.items()
                if s.kind in ("multi", "categorical")
                for v in cat.value_set(item, a)
            }
            shared = len(mine & theirs)
            if not shared:
                continue
            union = len(mine | theirs) or 1
            other_year = cat.number(item, year_attr) if year_attr else None
            gap = abs(other_year - year) if year is not None and other_year is not None else 0.0
            scored.append((shared / union - gap / 50.0, item))
        if not scored:
            return None
        scored.sort(key=lambda s: (-s[0], s[1]))
        top = scored[:5]
        return top[int(self.rng.integers(len(top)))][1]

    # -- speaking -------------------------------------------------------------------------
    def _fill(self, kind: str, **slots: str) -> str:
        noun = self.catalog.noun
        nouns = noun + "s"
        for _ in range(20):
            template = self.templates[kind][int(self.rng.integers(len(self.templates[kind])))]
            text = template.format(noun=noun, nouns=nouns, **slots)
            text = re.sub(r"\b([Aa]) ([aeiouAEIOU])", r"\1n \2", text)
            if not any(names(text, title) for title in self.titles):
                return text
        return ""

    def _say(self, fact: Fact) -> str:
        cat = self.catalog
        if fact.kind in ("has", "lacks"):
            if len(fact.values) == 2:
                forms = pair_forms(*fact.values)
            else:
                forms = value_forms(fact.values[0])
            form = forms[int(self.rng.integers(len(forms)))]
            return self._fill(fact.kind, v=form)
        if fact.kind == "era":
            return self._fill("era", era=fact.phrase)
        if fact.kind == "numeric":
            return self._fill("numeric", cond=fact.phrase)
        if fact.kind == "fame":
            phrases = FAME[self.bank_name][fact.stratum or "torso"]
            return self._fill("fame", fame=phrases[int(self.rng.integers(len(phrases)))])
        return self._fill("like", ref=cat.display(fact.ref or ""))

    def _next_fact(self) -> str:
        while self.plan:
            fact = self.plan.pop(0)
            if self.known(fact):
                continue
            text = self._say(fact)
            if text:
                self.revealed.append(_with_phrase(fact, text))
                return text
        return self._fill("more")

    def known(self, fact: Fact) -> bool:
        """Whether the same fact (words aside) was already said."""
        key = (fact.kind, fact.attr, fact.values, fact.lo, fact.hi, fact.ref, fact.stratum)
        return any(
            (f.kind, f.attr, f.values, f.lo, f.hi, f.ref, f.stratum) == key for f in self.revealed
        )

    def opening(self) -> str:
        """The first line: vague, a fact, or both."""
        roll = self.rng.random()
        if roll < 0.4 or not self.plan:
            return self._fill("open")
        fact = self._next_fact()
        return fact if roll < 0.7 else _join(self._fill("open"), fact, self.rng)

    def respond(self, shown: list[str]) -> str:
        """React to the previous turn's list (item ids, best first), then add a fact."""
        reaction = self._react([s for s in shown if s in self.catalog.items.index])
        return _join(reaction, self._next_fact(), self.rng)

    def _react(self, shown: list[str]) -> str:
        if not shown:
            return self._fill("empty")
        cat, t = self.catalog, self.target
        hints: list[tuple[str, Fact | None, dict]] = []
        year_attr = next((a for a, s in cat.attributes.items() if s.kind == "year"), None)
        year = cat.number(t, year_attr) if year_attr else None
        if year is not None:
            years = [y for y in (cat.number(s, year_attr) for s in shown) if y is not None]
            if len(years) >= 3:
                median = float(np.median(years))
                if year < median - ERA_GAP:
                    hints.append(("older", Fact("era", year_attr, (), -math.inf, median - 1), {}))
                elif year > median + ERA_GAP:
                    hints.append(("newer", Fact("era", year_attr, (), median + 1, math.inf), {}))
        for attr, spec in cat.attributes.items():
            if spec.kind not in ("multi", "categorical"):
                continue
            mine = cat.value_set(t, attr)
            for value in cat.sayable_values(attr):
                if value in mine:
                    continue
                share = sum(value in cat.value_set(s, attr) for s in shown) / len(shown)
                fact = Fact("lacks", attr, (value,))
                if share >= LESS_SHARE and not self.known(fact):
                    forms = value_forms(value)
                    hints.append(("less", fact, {"v": forms[int(self.rng.integers(len(forms)))]}))
        overlap = max(self._overlap(s) for s in shown)
        closer = overlap > self.best_overlap and self.best_overlap >= 0
        self.best_overlap = max(self.best_overlap, overlap)
        if hints and self.rng.random() < 0.6:
            kind, fact, slots = hints[int(self.rng.integers(len(hints)))]
            text = self._fill(kind, **slots)
            if fact is not None and text:
                self.revealed.append(_with_phrase(fact, text))
            return text
        return self._fill("closer" if closer else "none")

    def _overlap(self, item: str) -> float:
        cat, t = self.catalog, self.target
        shared = total = 0
        for attr, spec in cat.attributes.items():
            if spec.kind in ("multi", "categorical"):
                a, b = cat.value_set(t, attr), cat.value_set(item, attr)
                shared += len(a & b)
                total += len(a | b)
        return shared / total if total else 0.0


def _with_phrase(fact: Fact, text: str) -> Fact:
    return Fact(fact.kind, fact.attr, fact.values, fact.lo, fact.hi, fact.ref, fact.stratum, text)


def _join(first: str, second: str, rng: np.random.Generator) -> str:
    if not first:
        return second
    if not second:
        return first
    sep = [". ", ", ", " - ", "... ", " "][int(rng.integers(5))]
    if sep == ". ":
        return first.rstrip(".!?") + ". " + second
    return first.rstrip(".") + sep + second
