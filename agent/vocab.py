"""What the rule parser can recognise in a catalog: attribute values, numeric ranges, titles.

Built once per workspace from the dataset's item table and its `schema.toml`, so the parser
understands any catalog that follows the data contract, with no word lists in code:
categorical columns (one value, or several joined with "|", as MovieLens genres are) become
slot values with their spelling variants (case, plural, hyphen, no space: "Sci-Fi" is also
"sci fi", "scifi", "sci-fis") plus the dataset's own synonyms (`[synonyms.genres]` in
schema.toml: "science fiction"); numeric columns become range slots whose kind (year, price,
score, popularity, flag) is read from the column name; titles become an n-gram index for
exact references and a rapidfuzz index for misspelt ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,.;!?]|\$")
_YEAR_SUFFIX = re.compile(r"\s*\((\d{4})\)\s*$")
_STYLE_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")
_ARTICLE_SUFFIX = re.compile(r"^(.*), (the|a|an|les|la|le|il|el|das|der|die)$", re.IGNORECASE)
MAX_TITLE_WORDS = 10
FUZZY_VALUE_CUTOFF = 86  # rapidfuzz ratio for a misspelt attribute value ("thriler")
FUZZY_TITLE_CUTOFF = 86  # rapidfuzz ratio for a misspelt or partial title
GENERIC_TITLE_SHARE = 0.05  # a word in more titles than this says nothing about one item


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
    lowered = text.lower().replace("\u2019", "'").replace("-", " ").replace("&", " and ")
    return " ".join(_WORD.findall(lowered))


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("-", " "))


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
    base = _STYLE_SUFFIX.sub("", base).strip()
    moved = _ARTICLE_SUFFIX.match(base)
    if moved:
        base = f"{moved.group(2)} {moved.group(1)}"
    return normalise(base)


def _plural_forms(norm: str) -> set[str]:
    """The phrase with its last word in singular and plural ("parkas" <-> "parka")."""
    head, _, last = norm.rpartition(" ")
    prefix = f"{head} " if head else ""
    forms = {last}
    if last.endswith("ies") and len(last) > 4:
        forms.add(last[:-3] + "y")
    elif last.endswith(("ches", "shes", "xes", "sses")):
        forms.add(last[:-2])
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        forms.add(last[:-1])
    elif last.endswith("y") and not last.endswith(("ay", "ey", "oy", "uy")):
        forms.add(last[:-1] + "ies")
    elif last.endswith(("s", "x", "ch", "sh")):
        forms.add(last + "es")
    else:
        forms.add(last + "s")
    return {prefix + f for f in forms}


def value_variants(value: str, synonyms: Iterable[str] = ()) -> set[str]:
    """Every way a value is written: case, hyphen, joined, plural/singular, no apostrophe,
    plus the dataset's synonyms (each with its own plural)."""
    out: set[str] = set()
    for phrase in (value, *synonyms):
        norm = normalise(phrase)
        if not norm:
            continue
        for form in (norm, norm.replace("'", ""), norm.replace("'s", "")):
            out.update(_plural_forms(form))
            out.add(form.replace(" ", ""))
            if " " not in form and form.endswith("y") and len(form) > 3:
                out.add(form[:-1] + "ier")  # "funny" -> "funnier", "scary" -> "scarier"
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
    phrases: Mapping[str, tuple[str, ...]]  # normalised phrase -> the values it names
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
class ValueHit:
    """One attribute phrase found among a turn's tokens (token positions [start, end))."""

    attribute: str
    values: tuple[str, ...]
    start: int
    end: int
    fuzzy: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """Everything the rule parser can name in one catalog."""

    categorical: Mapping[str, CategoricalAttribute]
    numeric: Mapping[str, NumericAttribute]
    titles: Mapping[str, tuple[str, ...]]  # title_key -> item ids
    item_titles: Mapping[str, str] = field(default_factory=dict)  # item id -> title

    @classmethod
    def from_items(
        cls,
        items: pd.DataFrame,
        descriptions: Mapping[str, str] | None = None,
        synonyms: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
    ) -> Vocabulary:
        """Read attributes and titles off an item table in the data contract."""
        descriptions = descriptions or {}
        synonyms = synonyms or {}
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
            attr = _categorical(col, series, synonyms.get(col, {}), descriptions.get(col, ""))
            if attr is not None:
                categorical[col] = attr
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

    @classmethod
    def from_dataset(cls, dataset: Any, source: str = "") -> Vocabulary:
        """The vocabulary of a loaded dataset; synonyms from its schema.toml, or, for a
        workspace built before schemas carried synonyms, from its loader's defaults."""
        schema = dataset.schema
        synonyms = dict(getattr(schema, "synonyms", {}) or {})
        if not synonyms:
            synonyms = _default_synonyms(source or getattr(dataset, "name", ""))
        return cls.from_items(dataset.items, schema.descriptions(), synonyms)

    def numeric_of_kind(self, kind: NumericKind) -> NumericAttribute | None:
        """The first numeric attribute of a kind (e.g. the price column), if any."""
        return next((a for a in self.numeric.values() if a.kind is kind), None)

    @cached_property
    def _phrase_index(self) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
        index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for attr in self.categorical.values():
            for phrase, values in attr.phrases.items():
                index.setdefault(phrase, []).append((attr.name, values))
        return index

    @cached_property
    def known_words(self) -> frozenset[str]:
        """Every word of a title or an attribute phrase (never "repaired" as a typo)."""
        found = {w for key in self.titles for w in key.split(" ")}
        found.update(w for phrase in self._phrase_index for w in phrase.split(" "))
        return frozenset(found)

    @cached_property
    def _fuzzy_phrases(self) -> list[str]:
        return [p for p in self._phrase_index if len(p) >= 5 and " " not in p]

    def find_values(self, tokens: list[str], *, fuzzy: bool = True) -> list[ValueHit]:
        """Every attribute phrase among the tokens, longest first, no overlaps.

        Tokens are `tokenize(text)` output; punctuation never matches, so a phrase never spans
        a comma. With `fuzzy`, a word of five letters or more that names nothing exactly is
        matched to the closest one-word phrase ("thriler" -> Thriller).
        """
        index = self._phrase_index
        found: list[ValueHit] = []
        taken: set[int] = set()
        for size in (4, 3, 2, 1):
            for start in range(len(tokens) - size + 1):
                span = range(start, start + size)
                if taken.intersection(span):
                    continue
                hits = index.get(" ".join(tokens[start : start + size]))
                if hits:
                    for attr, values in hits:
                        found.append(ValueHit(attr, values, start, start + size))
                    taken.update(span)
        if fuzzy and self._fuzzy_phrases:
            from rapidfuzz import fuzz, process

            for pos, token in enumerate(tokens):
                if pos in taken or len(token) < 5 or not token.isalpha():
                    continue
                best = process.extractOne(
                    token, self._fuzzy_phrases, scorer=fuzz.ratio, score_cutoff=FUZZY_VALUE_CUTOFF
                )
                if best is not None:
                    for attr, values in index[best[0]]:
                        found.append(ValueHit(attr, values, pos, pos + 1, fuzzy=True))
                    taken.add(pos)
        return sorted(found, key=lambda f: f.start)

    @cached_property
    def _title_starts(self) -> dict[str, int]:
        """First word of each title -> the most words a title starting with it has."""
        starts: dict[str, int] = {}
        for key in self.titles:
            words_ = key.split(" ")
            if len(words_) <= MAX_TITLE_WORDS:
                starts[words_[0]] = max(starts.get(words_[0], 0), len(words_))
        return starts

    @cached_property
    def _frequent_words(self) -> frozenset[str]:
        """Words in so many titles that alone they name no item ("jacket", "the")."""
        counts: dict[str, int] = {}
        for key in self.titles:
            for w in set(key.split(" ")):
                counts[w] = counts.get(w, 0) + 1
        limit = max(3, GENERIC_TITLE_SHARE * len(self.titles))
        return frozenset(w for w, c in counts.items() if c > limit)

    def distinctive(self, key: str) -> bool:
        """False for titles made of frequent title words and attribute values only ("Men's
        black jacket"): those are left to the attribute slots. "Alien" stays a title."""
        frequent, phrases = self._frequent_words, self._phrase_index
        ws = key.split(" ")
        if not any(w in frequent for w in ws):
            return True
        if len(ws) >= 3 and all(len(w) == 1 for w in ws):
            return True  # letters spelt out: "M*A*S*H", "E.T.", not a run of generic words
        return any(w not in frequent and w not in phrases and len(w) > 1 for w in ws)

    def find_titles(
        self, tokens: list[str], *, generic: bool = False
    ) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, item ids) for titles named among the tokens, longest first, no overlaps.

        Punctuation tokens are skipped ("20,000 Leagues", "Mr. Holland's Opus"); positions
        refer to the tokens as given. Titles made only of generic words and attribute values
        ("Men's black jacket") are left to the attribute slots, unless `generic` (the caller
        then decides from the context: "I loved Men's black jacket" names an item).
        """
        where = [i for i, t in enumerate(tokens) if t[:1].isalnum()]
        words_ = [tokens[i] for i in where]
        candidates: list[tuple[int, int, int, tuple[str, ...]]] = []
        starts = self._title_starts
        for start, word in enumerate(words_):
            longest = starts.get(word, 0)
            for size in range(min(longest, len(words_) - start), 0, -1):
                key = " ".join(words_[start : start + size])
                ids = self.titles.get(key)
                if ids and (generic or self.distinctive(key)):
                    candidates.append((-size, start, start + size, ids))
        found: list[tuple[int, int, tuple[str, ...]]] = []
        taken: set[int] = set()
        for _, start, end, ids in sorted(candidates):
            if taken.intersection(range(start, end)):
                continue
            taken.update(range(start, end))
            found.append((where[start], where[end - 1] + 1, ids))
        return sorted(found)

    @cached_property
    def _title_keys(self) -> list[str]:
        return [k for k in self.titles if self.distinctive(k)]

    def fuzzy_title(self, phrase: str) -> tuple[str, tuple[str, ...], float] | None:
        """The catalog title closest to a phrase people typed (misspelt, article dropped,
        partial), as (title key, item ids, score 0-100); None when nothing is close."""
        from rapidfuzz import fuzz, process

        norm = normalise(phrase)
        if len(norm) < 3 or not self._title_keys:
            return None
        best = process.extractOne(
            norm, self._title_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_TITLE_CUTOFF
        )
        if best is None and len(norm) >= 6:
            alt = norm.removeprefix("the ")
            best = process.extractOne(
                alt, self._title_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_TITLE_CUTOFF
            )
        if best is None:
            return None
        return best[0], self.titles[best[0]], float(best[1])

    def title_of(self, item_id: str) -> str:
        """An item's title ('' when unknown)."""
        return self.item_titles.get(item_id, "")

    def all_values(self) -> Iterable[tuple[str, str]]:
        """Every (attribute, value) pair."""
        for attr in self.categorical.values():
            for value in attr.values:
                yield attr.name, value


def _categorical(
    col: str, series: pd.Series, synonyms: Mapping[str, Iterable[str]], description: str
) -> CategoricalAttribute | None:
    """A text column as a categorical attribute (None for free text or ids)."""
    text = series.dropna().astype(str)
    multi = bool(text.str.contains("|", regex=False).any())
    exploded = text.str.split("|").explode() if multi else text
    counts = exploded[exploded.str.len() > 0].value_counts()
    if len(counts) == 0 or len(counts) > 200:
        return None
    values = [str(v) for v in counts.index if str(v).lower() not in ("unknown", "other")]
    phrases: dict[str, list[str]] = {}
    for value in values:  # the value's own spellings win over another value's synonym
        for phrase in value_variants(value):
            phrases.setdefault(phrase, []).append(value)
    for value in values:
        for phrase in value_variants("", synonyms.get(value, ())):
            own = phrases.setdefault(phrase, [])
            if value not in own and not any(phrase in value_variants(v) for v in own):
                own.append(value)
    return CategoricalAttribute(
        name=col,
        values=tuple(values),
        multi=multi,
        phrases={p: tuple(dict.fromkeys(v)) for p, v in phrases.items()},
        counts={str(k): int(v) for k, v in counts.items()},
        description=description,
    )


def _default_synonyms(source: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """The loader's synonyms for a known source (workspaces built before schema synonyms)."""
    name = source.lower().removeprefix("dataset:")
    if name.startswith("movielens"):
        from causal.datasets.movielens import MOVIELENS_SYNONYMS

        return MOVIELENS_SYNONYMS
    if name.startswith("coat"):
        from causal.datasets.coat import COAT_SYNONYMS

        return COAT_SYNONYMS
    if name.startswith("synthetic"):
        from causal.datasets.synthetic_synonyms import SYNTHETIC_SYNONYMS

        return SYNTHETIC_SYNONYMS
    return {}


def domain_of(source: str) -> str | None:
    """The NLU examples' domain for a workspace source ("movielens", "coat"), else None."""
    name = source.lower().removeprefix("dataset:")
    for domain in ("movielens", "coat"):
        if name.startswith(domain):
            return domain
    return None
