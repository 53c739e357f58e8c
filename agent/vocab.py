"""What the rule planner can recognise in a catalog: attribute values, numeric ranges, titles.

Built once per workspace from the dataset's item table, so the planner understands any
catalog that follows the data contract: categorical columns (one value, or several joined
with "|", as MovieLens genres are) become slot values with their plural and spelling
variants; numeric columns become range slots whose kind (year, price, score, popularity,
flag) is read from the column name; titles become an n-gram index for item references.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType

import numpy as np
import pandas as pd

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,.;!?]|\$")
_YEAR_SUFFIX = re.compile(r"\s*\((\d{4})\)\s*$")
_ARTICLE_SUFFIX = re.compile(r"^(.*), (the|a|an|les|la|le|il|el|das|der|die)$", re.IGNORECASE)
MAX_TITLE_WORDS = 10

# Everyday words for common catalog values (movies, books, fashion); applied when the value exists.
SYNONYMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "sci fi": ("science fiction", "scifi", "sci fi", "sf", "space opera", "futuristic"),
        "scifi": ("science fiction", "sci fi", "sci-fi", "futuristic"),
        "comedy": ("funny", "comedic", "humorous", "hilarious", "laugh", "comedies", "comic"),
        "horror": ("scary", "spooky", "creepy", "frightening", "horrors", "slasher"),
        "romance": ("romantic", "love story", "love stories", "romances", "romcom", "rom com"),
        "children's": ("kids", "children", "childrens", "family", "family friendly", "kid"),
        "animation": ("animated", "cartoon", "cartoons", "anime"),
        "documentary": ("documentaries", "docs", "doc", "non fiction", "nonfiction", "factual"),
        "thriller": ("thrillers", "suspense", "suspenseful", "thrilling", "tense"),
        "action": ("action packed", "explosive", "fights", "action movie"),
        "crime": ("gangster", "gangsters", "heist", "mafia", "criminal", "crime movie"),
        "mystery": ("mysteries", "whodunit", "detective", "mysterious"),
        "musical": ("musicals", "songs", "singing"),
        "western": ("westerns", "cowboy", "cowboys", "wild west"),
        "film noir": ("noir", "film noir", "noirs"),
        "fantasy": ("fantasies", "magic", "magical", "fairy tale", "wizards", "dragons"),
        "drama": ("dramas", "dramatic", "serious"),
        "war": ("war movie", "war film", "wartime", "military", "battle"),
        "adventure": ("adventures", "adventurous", "quest", "expedition"),
    }
)


class NumericKind(StrEnum):
    """How the planner talks about a numeric attribute."""

    YEAR = "year"
    PRICE = "price"
    SCORE = "score"
    POPULARITY = "popularity"
    FLAG = "flag"
    OTHER = "other"


def normalise(text: str) -> str:
    """Lower-case words joined by single spaces (punctuation and hyphens dropped)."""
    return " ".join(_WORD.findall(text.lower().replace("-", " ").replace("&", " and ")))


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return _WORD.findall(text.lower().replace("-", " "))


def tokenize(text: str) -> list[str]:
    """Lower-case words plus clause punctuation as tokens (for scoping negation)."""
    return [token for token, _, _ in token_spans(text)]


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """Tokens with their character spans in `text` (same-length normalisation only)."""
    lowered = text.lower().replace("\u2019", "'").replace("-", " ").replace("&", " ")
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(lowered)]


def written_as_title(word: str, text: str) -> bool:
    """A one-word title counts when capitalised mid-sentence or quoted ("Heat", not "heat")."""
    quoted = re.search(rf"[\"'“‘*]{re.escape(word)}[\"'”’*]", text, re.IGNORECASE)
    if quoted:
        return True
    for m in re.finditer(rf"\b{re.escape(word)}\b", text, re.IGNORECASE):
        before = text[: m.start()].rstrip()
        if text[m.start()].isupper() and before and before[-1] not in ".!?":
            return True
    return False


def title_key(title: str) -> str:
    """A title as people type it: no trailing '(1995)', 'Godfather, The' -> 'the godfather'."""
    base = _YEAR_SUFFIX.sub("", title).strip()
    moved = _ARTICLE_SUFFIX.match(base)
    if moved:
        base = f"{moved.group(2)} {moved.group(1)}"
    return normalise(base)


def _variants(value: str) -> set[str]:
    norm = normalise(value)
    out = {norm}
    if not norm:
        return out
    if norm.endswith("y") and not norm.endswith(("ay", "ey", "oy")):
        out.add(norm[:-1] + "ies")
    elif norm.endswith(("s", "x", "ch", "sh")):
        out.add(norm + "es")
    else:
        out.add(norm + "s")
    out.add(norm.replace(" ", ""))
    for key in (norm, norm.replace(" ", "")):
        out.update(normalise(s) for s in SYNONYMS.get(key, ()))
    return {v for v in out if v}


def _numeric_kind(name: str, values: np.ndarray) -> NumericKind:
    lowered = name.lower()
    finite = values[np.isfinite(values)]
    if finite.size and set(np.unique(finite)).issubset({0.0, 1.0}):
        return NumericKind.FLAG
    if any(w in lowered for w in ("year", "date", "released")):
        return NumericKind.YEAR
    if any(w in lowered for w in ("price", "cost", "fee", "dollar")):
        return NumericKind.PRICE
    if any(w in lowered for w in ("popular", "views", "count", "votes")):
        return NumericKind.POPULARITY
    if any(w in lowered for w in ("quality", "rating", "score", "stars")):
        return NumericKind.SCORE
    return NumericKind.OTHER


@dataclass(frozen=True)
class CategoricalAttribute:
    """A categorical item attribute: its values and the phrases that name them."""

    name: str
    values: tuple[str, ...]
    multi: bool  # values joined with "|" on one item (MovieLens genres)
    phrases: Mapping[str, str]  # normalised phrase -> value
    counts: Mapping[str, int]
    description: str = ""


@dataclass(frozen=True)
class NumericAttribute:
    """A numeric item attribute with its observed range."""

    name: str
    kind: NumericKind
    low: float
    high: float
    median: float
    integer: bool
    description: str = ""

    def fmt(self, value: float) -> str:
        """A value as people write it for this attribute."""
        if self.kind is NumericKind.PRICE:
            return f"${value:,.2f}"
        if self.integer or self.kind is NumericKind.YEAR:
            return str(round(value))
        return f"{value:.1f}"


@dataclass(frozen=True)
class Vocabulary:
    """Everything the rule planner can name in one catalog."""

    categorical: Mapping[str, CategoricalAttribute]
    numeric: Mapping[str, NumericAttribute]
    titles: Mapping[str, tuple[str, ...]]  # title_key -> item ids
    item_titles: Mapping[str, str] = field(default_factory=dict)  # item id -> title

    @classmethod
    def from_items(
        cls, items: pd.DataFrame, descriptions: Mapping[str, str] | None = None
    ) -> Vocabulary:
        """Read attributes and titles off an item table in the data contract."""
        descriptions = descriptions or {}
        categorical: dict[str, CategoricalAttribute] = {}
        numeric: dict[str, NumericAttribute] = {}
        for col in items.columns:
            if col in ("item_id", "title", "description"):
                continue
            series = items[col]
            if pd.api.types.is_numeric_dtype(series):
                values = series.to_numpy(dtype=float)
                finite = values[np.isfinite(values)]
                if not finite.size:
                    continue
                numeric[col] = NumericAttribute(
                    name=col,
                    kind=_numeric_kind(col, values),
                    low=float(finite.min()),
                    high=float(finite.max()),
                    median=float(np.median(finite)),
                    integer=bool(np.all(finite == np.round(finite))),
                    description=descriptions.get(col, ""),
                )
                continue
            text = series.dropna().astype(str)
            multi = bool(text.str.contains("|", regex=False).any())
            exploded = text.str.split("|").explode() if multi else text
            counts = exploded[exploded.str.len() > 0].value_counts()
            if len(counts) == 0 or len(counts) > 200:
                continue  # free text or ids, not a category
            phrases: dict[str, str] = {}
            for value in counts.index:
                if value.lower() == "unknown":
                    continue
                for phrase in _variants(value):
                    phrases.setdefault(phrase, value)
            categorical[col] = CategoricalAttribute(
                name=col,
                values=tuple(v for v in counts.index if v.lower() != "unknown"),
                multi=multi,
                phrases=phrases,
                counts={str(k): int(v) for k, v in counts.items()},
                description=descriptions.get(col, ""),
            )
        titles: dict[str, list[str]] = {}
        ids = items["item_id"].astype(str).tolist()
        names = items["title"].astype(str).tolist()
        for item_id, title in zip(ids, names, strict=True):
            key = title_key(title)
            if key:
                titles.setdefault(key, []).append(item_id)
        return cls(
            categorical=categorical,
            numeric=numeric,
            titles={k: tuple(v) for k, v in titles.items()},
            item_titles=dict(zip(ids, names, strict=True)),
        )

    def numeric_of_kind(self, kind: NumericKind) -> NumericAttribute | None:
        """The first numeric attribute of a kind (e.g. the price column), if any."""
        return next((a for a in self.numeric.values() if a.kind is kind), None)

    def find_values(self, tokens: list[str]) -> list[tuple[str, str, int, int]]:
        """(attribute, value, start, end) for every attribute phrase among the tokens.

        Tokens are `tokenize(text)` output; punctuation tokens never match, so a phrase
        never spans a comma.
        """
        found: list[tuple[str, str, int, int]] = []
        taken: set[int] = set()
        for size in (4, 3, 2, 1):
            for start in range(len(tokens) - size + 1):
                span = range(start, start + size)
                if taken.intersection(span):
                    continue
                phrase = " ".join(tokens[start : start + size])
                for attr in self.categorical.values():
                    value = attr.phrases.get(phrase)
                    if value is not None:
                        found.append((attr.name, value, start, start + size))
                        taken.update(span)
                        break
        return sorted(found, key=lambda f: f[2])

    @cached_property
    def _title_starts(self) -> dict[str, int]:
        """First word of each title -> the most words a title starting with it has."""
        starts: dict[str, int] = {}
        for key in self.titles:
            words_ = key.split(" ")
            if len(words_) <= MAX_TITLE_WORDS:
                starts[words_[0]] = max(starts.get(words_[0], 0), len(words_))
        return starts

    def find_titles(self, tokens: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, item ids) for titles named among the tokens, longest first, no overlaps.

        Punctuation tokens are skipped ("20,000 Leagues", "Mr. Holland's Opus"); positions
        refer to the tokens as given.
        """
        where = [i for i, t in enumerate(tokens) if t[:1].isalnum()]
        words_ = [tokens[i] for i in where]
        candidates: list[tuple[int, int, int, tuple[str, ...]]] = []
        starts = self._title_starts
        for start, word in enumerate(words_):
            longest = starts.get(word, 0)
            for size in range(min(longest, len(words_) - start), 0, -1):
                ids = self.titles.get(" ".join(words_[start : start + size]))
                if ids:
                    candidates.append((-size, start, start + size, ids))
        found: list[tuple[int, int, tuple[str, ...]]] = []
        taken: set[int] = set()
        for _, start, end, ids in sorted(candidates):
            if taken.intersection(range(start, end)):
                continue
            taken.update(range(start, end))
            found.append((where[start], where[end - 1] + 1, ids))
        return sorted(found)

    def title_of(self, item_id: str) -> str:
        """An item's title ('' when unknown)."""
        return self.item_titles.get(item_id, "")

    def all_values(self) -> Iterable[tuple[str, str]]:
        """Every (attribute, value) pair."""
        for attr in self.categorical.values():
            for value in attr.values:
                yield attr.name, value
