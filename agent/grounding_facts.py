"""What a turn's sources say, for agent.grounding: the items the tools returned (any JSON
object with a "title") with their attributes and every number inside them, the numbers that
belong to no item, the effects with their signs, and the user's own signals a counterfactual
reason removes ("without" ids). Parsing runs every turn, so leaves are walked inline."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.vocab import normalise, title_key

NUMBER = re.compile(r"(?<![\w.])([-+\u2212]?)(\$?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w])")
_DIGIT = re.compile(r"\d")
_SOURCE_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_YEAR_END = re.compile(r"\((1[89]\d\d|20\d\d)\)\s*$")


def source_numbers(sources: Iterable[str]) -> list[float]:
    """Every number in the sources (the pattern always parses; overflow reads as inf)."""
    out: list[float] = []
    for text in sources:
        out.extend(map(float, _SOURCE_NUMBER.findall(text)))
    return out


class NumberIndex:
    """Numbers, sorted, for "is there one within rounding of x?" in O(log n)."""

    def __init__(self, values: Sequence[float]) -> None:
        arr = np.abs(np.asarray(values, dtype=float))
        arr = arr[np.isfinite(arr)]
        self.plain = np.sort(arr)
        self.percent = np.sort(arr * 100.0)

    def has(self, shown: float, decimals: int, percent: bool) -> bool:
        tolerance = 0.5 * 10 ** (-decimals) + 1e-9
        target = abs(shown)
        for arr in (self.percent, self.plain) if percent else (self.plain,):
            at = int(np.searchsorted(arr, target - tolerance))
            if at < arr.size and arr[at] <= target + tolerance:
                return True
        return False


@dataclass(eq=False)
class Item:
    """One item the turn returned: its title, attributes and every number said about it."""

    title: str
    attributes: dict[str, Any] = field(default_factory=dict)
    numbers: list[float] = field(default_factory=list)
    _index: NumberIndex | None = None

    @property
    def index(self) -> NumberIndex:
        if self._index is None:
            self._index = NumberIndex(self.numbers)
        return self._index

    @property
    def year(self) -> int | None:
        value = self.attributes.get("year")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
        return title_year(self.title)


@dataclass
class Facts:
    """What the sources say: items by title key, item-free numbers, signed effect values."""

    items: dict[str, list[Item]] = field(default_factory=dict)  # by title key
    free: list[float] = field(default_factory=list)
    signed: list[float] = field(default_factory=list)  # numeric JSON values (effects keep sign)
    effects: list[tuple[Any, Any, list[float]]] = field(default_factory=list)  # arms, values
    signals: list[str] = field(default_factory=list)  # a counterfactual's "without" item ids

    def add_source(self, text: str) -> None:
        try:
            data = json.loads(text)
        except (ValueError, TypeError):
            self.free.extend(source_numbers([text]))
            return
        if isinstance(data, dict | list):
            self._walk(data, None)
        else:
            self.free.extend(source_numbers([text]))

    def _walk(self, node: Any, owners: list[Item] | None) -> None:
        if isinstance(node, dict):
            estimate = node.get("estimate")
            if isinstance(estimate, int | float) and not isinstance(estimate, bool):
                values = [node.get(k) for k in ("estimate", "ci_low", "ci_high")]
                numbers = [float(v) for v in values if isinstance(v, int | float)]
                self.effects.append(
                    (node.get("treatment_value"), node.get("control_value"), numbers)
                )
            without = node.get("without")
            if isinstance(without, list):
                self.signals += [str(x) for x in without if isinstance(x, str | int)]
            title = node.get("title")
            if isinstance(title, str) and title.strip():
                item = self.item(title)
                for key in ("attributes", "facts"):
                    if isinstance(node.get(key), Mapping):
                        item.attributes.update(node[key])
                owners = [*(owners or []), item]
            self._walk_values(node.values(), owners)
        elif isinstance(node, list):
            self._walk_values(node, owners)
        else:
            self._walk_values((node,), owners)

    def _walk_values(self, values: Iterable[Any], owners: list[Item] | None) -> None:
        """Leaves inline (this runs for every value of every tool result, every turn)."""
        for value in values:
            kind = type(value)
            if kind is str:
                if _DIGIT.search(value):
                    self._add_numbers(list(map(float, _SOURCE_NUMBER.findall(value))), owners)
            elif kind is float or kind is int:
                self.signed.append(float(value))
                self._add_numbers([float(value)], owners)
            elif kind is dict or kind is list:
                self._walk(value, owners)

    def _add_numbers(self, values: list[float], owners: list[Item] | None) -> None:
        if not owners:
            self.free.extend(values)
            return
        for item in owners:
            item.numbers.extend(values)

    def item(self, title: str) -> Item:
        """The item with this title (made, with no facts, when the sources had none); titles
        that differ only by their bracket ("Sabrina (1954)", "Sabrina (1995)"; "Men's black
        jacket (style 2)", "Men's black jacket") are two items."""
        key, tail = title_key(title), _bracket(title)
        variants = self.items.setdefault(key, [])
        for item in variants:
            if _bracket(item.title) == tail:
                return item
        variants.append(Item(title=title))
        return variants[-1]

    def find(self, key: str, year: int | None = None) -> Item | None:
        """This turn's item with this title key (and year, when one is given)."""
        variants = self.items.get(key)
        if not variants:
            return None
        if year is None:
            return variants[0]
        return next((i for i in variants if i.year is None or i.year == year), None)

    def all_items(self) -> Iterator[Item]:
        for variants in self.items.values():
            yield from variants


def _bracket(title: str) -> str | None:
    """The bracket a title ends with ("1995", "style 2"), lower case; None without one."""
    m = _LAST_BRACKET.search(title)
    return normalise(m.group(1)) if m else None


_LAST_BRACKET = re.compile(r"\(([^()]*)\)\s*$")


def title_year(title: str) -> int | None:
    """The "(1995)" a title ends with, if any."""
    m = _YEAR_END.search(title)
    return int(m.group(1)) if m else None


class Padded:
    """The sources' words, normalised on first use (most replies never need them)."""

    def __init__(self, sources: Sequence[str]) -> None:
        self._sources = sources
        self._text: str | None = None

    def __contains__(self, phrase: str) -> bool:
        if self._text is None:
            self._text = f" {normalise(' '.join(self._sources))} "
        return phrase in self._text


def _arm_at(text: str, value: Any) -> int:
    """Where an effect's arm is named in a sentence (-1: not named)."""
    if isinstance(value, bool) or value is None:
        return -1
    if isinstance(value, int | float):
        for m in NUMBER.finditer(text):
            frac = m.group(4)
            shown = float(m.group(3).replace(",", "") + (frac or ""))
            if abs(shown - abs(float(value))) <= 0.5 * 10 ** (-(len(frac) - 1 if frac else 0)):
                return m.start()
        return -1
    return text.lower().find(str(value).lower())


def signs_for(
    sentence: str, effects: list[tuple[Any, Any, list[float]]], signed: np.ndarray
) -> np.ndarray:
    """The signed values a sentence may quote: an effect told with its arms swapped ("1986
    instead of 1996") quotes its values negated."""
    extra: list[float] = []
    keep = np.ones(len(signed), dtype=bool)
    for treated, control, values in effects:
        at_t, at_c = _arm_at(sentence, treated), _arm_at(sentence, control)
        if at_t >= 0 and at_c >= 0 and at_c < at_t:
            for v in values:
                keep &= signed != v
            extra += [-v for v in values]
    return np.concatenate([signed[keep], np.asarray(extra, dtype=float)]) if extra else signed


def sign_flipped(signed: np.ndarray, value: float, decimals: int, negative: bool) -> bool:
    """True when the sources hold this magnitude only with the other sign (a flipped effect)."""
    if not signed.size:
        return False
    tolerance = 0.5 * 10 ** (-decimals) + 1e-9
    close = signed[np.abs(np.abs(signed) - value) <= tolerance]
    if not close.size or np.any(close == 0):
        return False
    want = -value if negative else value
    return not np.any(np.abs(close - want) <= tolerance)
