"""The words of one catalog column: spelling variants of its values, a numeric column's
kind, units and move words, a flag's names, parts of names — read from the data and its
schema.toml (see `agent.vocab`, which indexes them for the parser).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import pandas as pd

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,.;!?]|\$")
_YEAR_SUFFIX = re.compile(r"\s*\((\d{4})\)\s*$")
_STYLE_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")
_ARTICLE_SUFFIX = re.compile(r"^(.*), (the|a|an|les|la|le|il|el|das|der|die)$", re.IGNORECASE)


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
    # phrases that are part of a name ("okafor" for "Ada Okafor"): read only when written as a
    # name (capitalised mid-sentence) or after "by"
    partial: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NumericAttribute:
    """A numeric item attribute with its observed range and the words that say it.

    `units` follow a number ("400 pages"), `higher` / `lower` move it ("longer", "shorter");
    for a flag, `on` / `off` are the phrases that name its 1 / 0 ("illustrated").
    """

    name: str
    kind: NumericKind
    low: float
    high: float
    median: float
    integer: bool
    description: str = ""
    units: tuple[str, ...] = ()
    higher: tuple[str, ...] = ()
    lower: tuple[str, ...] = ()
    on: tuple[str, ...] = ()
    off: tuple[str, ...] = ()

    def fmt(self, value: float) -> str:
        """A value as people write it for this attribute."""
        if self.kind is NumericKind.PRICE:
            return f"${value:,.2f}"
        if self.integer or self.kind is NumericKind.YEAR:
            return str(round(value))
        return f"{value:.1f}"

    def spoken(self) -> str:
        """The attribute as people say it ("signed_copy" -> "signed copy")."""
        return self.name.replace("_", " ").strip()

    def flag_words(self, value: float) -> str:
        """A flag's value in words: "illustrated" / "not illustrated"."""
        name = self.on[0] if self.on else self.spoken()
        declared = [o for o in self.off if not o.startswith("without ")]  # not derived ones
        return name if value >= 0.5 else (declared[0] if declared else f"not {name}")


def numeric_attribute(
    col: str,
    values: np.ndarray,
    description: str = "",
    synonyms: Mapping[str, Iterable[str]] | None = None,
    wording: tuple[Iterable[str], Iterable[str], Iterable[str]] = ((), (), ()),
) -> NumericAttribute | None:
    """A numeric column with its kind, range and words (None when it holds no number).

    `wording` is schema.toml's (unit, higher, lower) for the column; `synonyms` its
    `[synonyms.COL]` table (a flag's "1" / "0" phrases).
    """
    finite = values[np.isfinite(values)]
    if not finite.size:
        return None
    kind = _numeric_kind(col, values)
    units, higher, lower = (tuple(w) for w in wording)
    if kind is NumericKind.POPULARITY and (units or higher or lower):
        kind = NumericKind.OTHER  # "page_count" with a unit counts pages, not fans
    on, off = _flag_phrases(col, synonyms or {}) if kind is NumericKind.FLAG else ((), ())
    return NumericAttribute(
        name=col,
        kind=kind,
        low=float(finite.min()),
        high=float(finite.max()),
        median=float(np.median(finite)),
        integer=bool(np.all(finite == np.round(finite))),
        description=description,
        units=_unit_phrases(col, kind, units),
        higher=_comparatives(higher),
        lower=_comparatives(lower),
        on=on,
        off=off,
    )


_FLAG_PREFIX = re.compile(r"^(is|has|have|with|can|allows?|offers?)_+", re.IGNORECASE)
_FLAG_ON = ("1", "true", "yes")
_FLAG_OFF = ("0", "false", "no")


def _flag_phrases(
    col: str, synonyms: Mapping[str, Iterable[str]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A 0/1 column's names for 1 (the column as spoken, "is_vegan" -> "vegan", plus the
    synonyms of its "1"/"true"/"yes" value) and for 0 (the synonyms of "0"/"false"/"no")."""
    spoken = normalise(_FLAG_PREFIX.sub("", col).replace("_", " "))
    on = [spoken] if spoken else []
    off: list[str] = []
    for key, phrases in synonyms.items():
        target = (
            on if str(key).lower() in _FLAG_ON else off if str(key).lower() in _FLAG_OFF else None
        )
        if target is not None:
            target += [normalise(p) for p in phrases if normalise(p)]
    # "with pictures" is on, so "without pictures" is off
    off += [f"without {p[5:]}" for p in on if p.startswith("with ")]
    return tuple(dict.fromkeys(on)), tuple(dict.fromkeys(off))


_COUNT_WORDS = frozenset({"count", "counts", "number", "num", "nb", "n", "total", "no"})


def _comparatives(phrases: Iterable[str]) -> tuple[str, ...]:
    """Declared move words plus their superlatives and plain forms ("shorter" -> "shortest",
    "short"; "spicier" -> "spicy"; "hotter" -> "hot")."""
    out: list[str] = []
    for phrase in phrases:
        norm = normalise(phrase)
        if not norm:
            continue
        out.append(norm)
        if norm.endswith("er") and " " not in norm and len(norm) > 4:
            base = norm[:-2]
            out.append(base + "est")
            if base.endswith("i"):
                out.append(base[:-1] + "y")
            elif len(base) > 3 and base[-1] == base[-2]:
                out.append(base[:-1])
            else:
                out += [base, base + "e"]
    return tuple(dict.fromkeys(out))


def _unit_phrases(col: str, kind: NumericKind, declared: Iterable[str]) -> tuple[str, ...]:
    """The words that follow a number of this column: schema.toml's `unit` phrases, then the
    column's own name ("pages" for `pages`; not for flags, years and prices, whose numbers
    have readers of their own)."""
    out = [normalise(u) for u in declared if normalise(u)]
    if kind not in (NumericKind.FLAG, NumericKind.YEAR, NumericKind.PRICE):
        spoken = normalise(col.replace("_", " "))
        out.append(spoken)
        counted = " ".join(w for w in spoken.split(" ") if w not in _COUNT_WORDS)
        if counted and counted != spoken:
            out.append(counted)  # "page_count", "num_pages": "300 pages"
    forms: list[str] = []
    for unit in out:
        forms += [unit, *sorted(_plural_forms(unit) - {unit}, key=len, reverse=True)]
    return tuple(dict.fromkeys(f for f in forms if f))


def categorical_attribute(
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


NAME_SHARE = 0.6  # share of multi-word capitalised values that makes an attribute a name list


def with_name_parts(
    categorical: Mapping[str, CategoricalAttribute],
) -> dict[str, CategoricalAttribute]:
    """Attributes whose values are mostly names ("Ada Okafor", "Victor Hugo Lemaire") also
    answer to a part of one name that no other value and no other phrase has ("Okafor",
    "Victor Hugo"), marked partial so the parser reads it only when written as a name."""
    taken = {p for attr in categorical.values() for p in attr.phrases}
    out = dict(categorical)
    for name, attr in categorical.items():
        names = [v for v in attr.values if len(v.split()) >= 2 and v.istitle()]
        if len(attr.values) < 5 or len(names) < NAME_SHARE * len(attr.values):
            continue
        owners: dict[str, set[str]] = {}
        for value in names:
            ws = normalise(value).split(" ")
            for size in range(1, len(ws)):
                for start in range(len(ws) - size + 1):
                    part = " ".join(ws[start : start + size])
                    if len(part) >= 3 and part not in taken:
                        owners.setdefault(part, set()).add(value)
        parts = {p: next(iter(v)) for p, v in owners.items() if len(v) == 1}
        if parts:
            phrases = dict(attr.phrases)
            phrases.update({p: (v,) for p, v in parts.items()})
            out[name] = replace(attr, phrases=phrases, partial=frozenset(parts))
    return out
