"""What the rule parser can recognise in a catalog: attribute values, numeric ranges, titles.

Built once per workspace from the dataset's item table and its `schema.toml`, so the parser
understands any catalog that follows the data contract, with no word lists in code:
categorical columns (one value, or several joined with "|", as MovieLens genres are) become
slot values with their spelling variants (case, plural, hyphen, no space: "Sci-Fi" is also
"sci fi", "scifi", "sci-fis") plus the dataset's own synonyms (`[synonyms.genres]` in
schema.toml: "science fiction"); numeric columns become range slots whose kind (year, price,
score, popularity, flag) is read from the column name, and how people say its numbers and
moves from schema.toml (`unit = ["pages"]`, `higher = ["longer"]`, `lower = ["shorter"]`; the
column's own name is always a unit: "400 pages" for a `pages` column); a 0/1 column is a flag
named by its column ("illustrated", "signed copy" for `signed_copy`) and by the synonyms
schema.toml gives its "1" / "0" values; titles become an n-gram index for exact references
and a rapidfuzz index for misspelt ones. The words of one column are read in
`agent.vocab_attrs`; this module indexes them for the parser.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from agent.vocab_attrs import (
    CategoricalAttribute,
    NumericAttribute,
    NumericKind,
    categorical_attribute,
    normalise,
    numeric_attribute,
    title_key,
    token_spans,
    tokenize,
    value_variants,
    with_name_parts,
    words,
    written_as_title,
)

__all__ = [
    "CategoricalAttribute",
    "FlagHit",
    "NumericAttribute",
    "NumericKind",
    "ValueHit",
    "Vocabulary",
    "domain_of",
    "normalise",
    "title_key",
    "token_spans",
    "tokenize",
    "value_variants",
    "words",
    "written_as_title",
]

MAX_TITLE_WORDS = 10
FUZZY_VALUE_CUTOFF = 86  # rapidfuzz ratio for a misspelt attribute value ("thriler")
FUZZY_LOOSE_CUTOFF = 84  # ... when its first letter is right ("mistery", "biografies")
FUZZY_TITLE_CUTOFF = 86  # rapidfuzz ratio for a misspelt or partial title
FLAG_STEM = 5  # shortest stem by which a one-word flag name is matched in another form
GENERIC_TITLE_SHARE = 0.05  # a word in more titles than this says nothing about one item


@dataclass(frozen=True)
class FlagHit:
    """A flag phrase among a turn's tokens: `value` 1.0 (on) or 0.0 (an "off" synonym)."""

    attribute: str
    value: float
    start: int
    end: int


@dataclass(frozen=True)
class ValueHit:
    """One attribute phrase found among a turn's tokens (token positions [start, end))."""

    attribute: str
    values: tuple[str, ...]
    start: int
    end: int
    fuzzy: bool = False
    partial: bool = False  # a part of a name ("Okafor"): the caller checks how it was written


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
        wording: Mapping[str, tuple[Iterable[str], Iterable[str], Iterable[str]]] | None = None,
    ) -> Vocabulary:
        """Read attributes and titles off an item table in the data contract.

        `wording` is schema.toml's (unit, higher, lower) phrases per numeric column.
        """
        descriptions = descriptions or {}
        synonyms = synonyms or {}
        wording = wording or {}
        categorical: dict[str, CategoricalAttribute] = {}
        numeric: dict[str, NumericAttribute] = {}
        for col in items.columns:
            if col in ("item_id", "title", "description"):
                continue
            series = items[col]
            if pd.api.types.is_numeric_dtype(series):
                attr_n = numeric_attribute(
                    col,
                    series.to_numpy(dtype=float),
                    descriptions.get(col, ""),
                    synonyms.get(col, {}),
                    wording.get(col, ((), (), ())),
                )
                if attr_n is not None:
                    numeric[col] = attr_n
                continue
            attr = categorical_attribute(
                col, series, synonyms.get(col, {}), descriptions.get(col, "")
            )
            if attr is not None:
                categorical[col] = attr
        categorical = with_name_parts(categorical)
        titles: dict[str, list[str]] = {}
        ids = items["item_id"].astype(str).tolist()
        names = items["title"].astype(str).tolist()
        for item_id, title in zip(ids, names, strict=True):
            key = title_key(title)
            if key:
                titles.setdefault(key, []).append(item_id)
            if "&" in title:  # typed with "&", which the tokens drop: "Cats & Dogs"
                bare = title_key(title.replace("&", " "))
                if bare and bare != key:
                    titles.setdefault(bare, []).append(item_id)
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
        wording = schema.wording() if hasattr(schema, "wording") else {}
        return cls.from_items(dataset.items, schema.descriptions(), synonyms, wording)

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
        for attr in self.numeric.values():
            for phrase in (*attr.units, *attr.higher, *attr.lower, *attr.on, *attr.off):
                found.update(phrase.split(" "))
        return frozenset(found)

    @cached_property
    def _flag_index(self) -> dict[str, list[tuple[str, float]]]:
        index: dict[str, list[tuple[str, float]]] = {}
        for attr in self.numeric.values():
            for phrases, value in ((attr.on, 1.0), (attr.off, 0.0)):
                for phrase in phrases:
                    for form in value_variants(phrase):
                        index.setdefault(form, []).append((attr.name, value))
        return index

    def find_flags(self, tokens: list[str], taken: Iterable[int] = ()) -> list[FlagHit]:
        """Flag phrases among the tokens ("illustrated", "signed copy"), longest first, not
        overlapping `taken` positions (attribute values and titles found before)."""
        index = self._flag_index
        busy = set(taken)
        found: list[FlagHit] = []
        for size in (4, 3, 2, 1):
            for start in range(len(tokens) - size + 1):
                span = range(start, start + size)
                if busy.intersection(span):
                    continue
                for attr, value in index.get(" ".join(tokens[start : start + size]), ()):
                    found.append(FlagHit(attr, value, start, start + size))
                    busy.update(span)
        for pos, token in enumerate(tokens):  # "illustrations" for an `illustrated` flag
            if pos in busy or len(token) < FLAG_STEM + 1:
                continue
            for stem, attr, value in self._flag_stems:
                if token.startswith(stem):
                    found.append(FlagHit(attr, value, pos, pos + 1))
                    busy.add(pos)
                    break
        return sorted(found, key=lambda f: f.start)

    @cached_property
    def _flag_stems(self) -> list[tuple[str, str, float]]:
        """One-word flag names of seven letters or more by their stem (the word less its
        last two letters): another form of the word names the same flag."""
        out = []
        for phrase, hits in self._flag_index.items():
            if " " not in phrase and len(phrase) >= FLAG_STEM + 2 and phrase.isalpha():
                out += [(phrase[:-2], attr, value) for attr, value in hits]
        return out

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
                if not hits and size == 2 and all(t.isalpha() for t in tokens[start : start + 2]):
                    hits = index.get("".join(tokens[start : start + 2]))  # "cook books"
                if hits:
                    phrase = " ".join(tokens[start : start + size])
                    for attr, values in hits:
                        partial = phrase in self.categorical[attr].partial
                        found.append(ValueHit(attr, values, start, start + size, partial=partial))
                    taken.update(span)
        if fuzzy and self._fuzzy_phrases:
            from rapidfuzz import fuzz, process

            for pos, token in enumerate(tokens):
                if pos in taken or len(token) < 5 or not token.isalpha():
                    continue
                best = process.extractOne(
                    token, self._fuzzy_phrases, scorer=fuzz.ratio, score_cutoff=FUZZY_LOOSE_CUTOFF
                )
                if best is not None and best[1] < FUZZY_VALUE_CUTOFF and best[0][0] != token[0]:
                    best = None  # "mistery" -> mystery, but "eastern" is not "western"
                swapped = self._swapped_phrase(token) if best is None else None
                if best is not None or swapped is not None:
                    for attr, values in index[best[0] if best is not None else swapped]:
                        found.append(ValueHit(attr, values, pos, pos + 1, fuzzy=True))
                    taken.add(pos)
        return sorted(found, key=lambda f: f.start)

    @cached_property
    def _fuzzy_by_shape(self) -> dict[tuple[str, int], tuple[str, ...]]:
        shapes: dict[tuple[str, int], list[str]] = {}
        for phrase in self._fuzzy_phrases:
            shapes.setdefault((phrase[0], len(phrase)), []).append(phrase)
        return {k: tuple(v) for k, v in shapes.items()}

    def _swapped_phrase(self, token: str) -> str | None:
        """The one value phrase a word is with two neighbouring letters swapped ("comdey"):
        a swap costs the ratio two edits, so the fuzzy match above misses it."""
        from rapidfuzz.distance import OSA

        near = [
            p
            for p in self._fuzzy_by_shape.get((token[0], len(token)), ())
            if OSA.distance(token, p, score_cutoff=1) <= 1
        ]
        return near[0] if len(near) == 1 else None

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
        if len(ws) >= 3 and not any(w in phrases for w in ws):
            return True  # "Beyond the Meridian": three common words together still name it
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

    def digest(self) -> str:
        """A stable fingerprint of everything the parser can name (titles, values, phrases,
        numeric wording), the same in every process: keys on-disk caches of parses."""
        return hashlib.sha1(repr(_canonical(self)).encode("utf-8")).hexdigest()

    def title_of(self, item_id: str) -> str:
        """An item's title ('' when unknown)."""
        return self.item_titles.get(item_id, "")

    def all_values(self) -> Iterable[tuple[str, str]]:
        """Every (attribute, value) pair."""
        for attr in self.categorical.values():
            for value in attr.values:
                yield attr.name, value


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


def _canonical(value: Any) -> Any:
    """Nested data in one order whatever the process's hash seed (sets and mappings sorted)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (f.name, _canonical(getattr(value, f.name))) for f in dataclasses.fields(value)
        )
    if isinstance(value, Mapping):
        return tuple(sorted((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return tuple(sorted(repr(v) for v in value))
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    return repr(value)
