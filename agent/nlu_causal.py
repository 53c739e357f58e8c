"""Causal questions in words: which graph variables a turn names, and what a what-if changes.

`find_variables` maps everyday words ("cost", "promotion", "clicks") to the graph's column
names; `what_if_question` reads the treatment, outcome, value or direction of a
counterfactual; `unknown_causal_terms` finds the words of "does X affect Y?" that name no
variable, so the reply can say which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from agent.parse import Direction, WhatIf
from agent.vocab import normalise

_NUM = r"(\d+(?:\.\d+)?)"
_OWNER_PREFIXES = ("item_", "user_")

# Causal variables: everyday words for common column names (matched after the name itself).
VARIABLE_WORDS: Mapping[str, tuple[str, ...]] = {
    "price": ("price", "cost", "cheaper", "expensive", "pricier", "cheap"),
    "promoted": ("promoted", "promotion", "promote", "promoting", "advertised", "featured", "ad", "ads", "sponsored"),
    "position": ("position", "rank", "ranked", "ranking", "slot", "placement", "top of the list", "shown first", "higher up", "lower down"),
    "popularity": ("popular", "popularity", "well known", "mainstream"),
    "quality": ("quality", "better made", "well made"),
    "rating": ("rating", "ratings", "rate", "rated", "like it", "enjoy", "score", "stars"),
    "clicked": ("click", "clicks", "clicked", "clicking", "click through", "pick it", "choose it", "watch it"),
    "exposed": ("exposure", "exposed", "shown", "impressions"),
    "year": ("year", "release year", "older", "newer", "release date"),
    "genre": ("genre", "genres", "kind of movie", "category"),
    "genres": ("genre", "genres", "kind of movie", "category"),
    "age": ("age", "older users", "younger users", "how old"),
    "age_group": ("age", "age group", "older users", "younger users", "how old"),
    "gender": ("gender", "men", "women", "male", "female"),
    "occupation": ("occupation", "job", "profession"),
    "timestamp": ("time", "when", "timestamp"),
}  # fmt: skip


def _without_owner(attr: str) -> str:
    """The column name without an "item_" / "user_" prefix."""
    for prefix in _OWNER_PREFIXES:
        if attr.startswith(prefix):
            return attr[len(prefix) :]
    return attr


def spoken_name(attr: str) -> str:
    """A column as people say it: "item_gender" -> "gender", "jacket_type" -> "jacket type"."""
    return _without_owner(attr).replace("_", " ")


def _variable_phrases(name: str, variables: Sequence[str]) -> set[str]:
    """How people name a column: itself, spaced out, its known synonyms; "item_popularity"
    also as "popularity" (and popularity's synonyms) unless "popularity" is a column too."""
    bare = _without_owner(name)
    names = [name] if bare == name or bare in variables else [name, bare]
    phrases: set[str] = set()
    for n in names:
        phrases.update({normalise(n), normalise(n.replace("_", " "))})
        phrases.update(normalise(p) for p in VARIABLE_WORDS.get(n, ()))
    return phrases


_VERB = (
    r"(?:affects?|influences?|impacts?|changes?|causes?|drives?|determines?|matters? (?:for|to))"
)
_TERM = r"(?:the |an? |its |their )?(?P<{0}>[a-z][a-z0-9 _'-]*?)"
_CAUSAL_TERMS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"\b(?:how (?:much )?)?(?:does|do|did|would|can|could|will) {_TERM.format('x')} "
        rf"(?:really |actually )?{_VERB} {_TERM.format('y')}\s*[?.!]*\s*$"
    ),
    re.compile(
        rf"\b(?:effect|impact|influence) of {_TERM.format('x')} on {_TERM.format('y')}\s*[?.!]*\s*$"
    ),
    re.compile(rf"\bwhat (?:else )?{_VERB} {_TERM.format('y')}\s*[?.!]*\s*$"),
)


_PRONOUN_TERMS = frozenset(
    {"it", "this", "that", "they", "them", "this one", "that one", "these", "those", "what"}
)


def unknown_causal_terms(text: str, variables: Sequence[str]) -> list[str]:
    """The terms of a causal question ("does X affect Y?") that name no variable of the graph."""
    low = text.lower().strip()
    for rx in _CAUSAL_TERMS:
        m = rx.search(low)
        if m:
            terms = [t.strip() for t in m.groupdict().values() if t and t.strip()]
            return [
                t for t in terms if t not in _PRONOUN_TERMS and not find_variables(t, variables)
            ]
    return []


_LEADING_FUNCTION_WORD = re.compile(r"^(?:on|is|has|in|at|for|was)_")


def _squashed_grams(low: str, longest: int = 3) -> dict[str, int]:
    """Runs of 1..longest words with the spaces taken out -> the run's character position, so
    "front page" and "frontpage" both meet a column called "on_frontpage"."""
    grams: dict[str, int] = {}
    words = [(m.group(), m.start()) for m in re.finditer(r"[a-z0-9]+", low)]
    for i in range(len(words)):
        for n in range(1, longest + 1):
            if i + n <= len(words):
                grams.setdefault("".join(w for w, _ in words[i : i + n]), words[i][1])
    return grams


@lru_cache(maxsize=256)
def _long_words(low: str) -> tuple[tuple[str, int], ...]:
    """Words of five letters or more and their positions (read once per text)."""
    return tuple((m.group(), m.start()) for m in re.finditer(r"[a-z0-9]{5,}", low))


def find_variables(text: str, variables: Sequence[str]) -> list[str]:
    """Causal variables (column names) a text names, in order of mention."""
    low = " " + normalise(text) + " "
    grams: dict[str, int] | None = None
    hits: list[tuple[int, str]] = []
    for name in variables:
        phrases = _variable_phrases(name, variables)
        positions = [low.find(f" {p} ") for p in phrases if p and f" {p} " in low]
        if not positions:
            grams = _squashed_grams(low) if grams is None else grams
            bare = _without_owner(name)
            core = _LEADING_FUNCTION_WORD.sub("", name if bare in variables else bare)
            keys = {re.sub(r"[^a-z0-9]", "", p) for p in (*phrases, core)} - {
                re.sub(r"[^a-z0-9]", "", v) for v in variables if v != name
            }
            positions = [grams[k] for k in keys if len(k) >= 4 and k in grams]
            if not positions and len(low) <= 400:  # a letter off: "colour" names "color"
                positions = [
                    at
                    for word, at in _long_words(low)
                    for k in keys
                    if len(k) >= 5 and fuzz.ratio(word, k) >= 90
                ]
        if positions:
            hits.append((min(positions), name))
    return [name for _, name in sorted(hits)]


def what_if_question(
    text: str,
    variables: Sequence[str],
    outcomes: Sequence[str],
    include: Mapping[str, Sequence[str]],
    relative: Sequence[tuple[str, Direction]],
) -> WhatIf:
    """The treatment (and its value or direction) and outcome of a counterfactual question."""
    named = find_variables(text, variables)
    outcome = next((v for v in named if v in outcomes), None)
    treatment = next((v for v in named if v not in outcomes), None)
    direction: Direction | None = None
    for attr, move in relative:
        if treatment in (None, attr):
            treatment, direction = attr, move
    if treatment is None:  # "what if it were a comedy?": the value names its attribute
        treatment = next((a for a, values in include.items() if values and a in variables), None)
    low = text.lower()
    value: float | str | None = None
    if treatment is not None:
        number = re.search(rf"\b{_NUM}\b", low.split(treatment.replace("_", " "), 1)[-1])
        if number:
            value = float(number.group(1))
        elif re.search(r"\b(not|no longer|un)\s*(promoted|featured|advertised)\b", low):
            value = 0.0
        elif re.search(r"\b(promoted|featured|advertised|sponsored)\b", low):
            value = 1.0
        elif re.search(r"\b(top|first|higher up|at the top)\b", low):
            value = 1.0 if "position" in treatment else None
        for attr, values in include.items():
            if attr == treatment and values:
                value = values[0]
        if direction is None and value is None:  # "less popular", "more active": a direction
            if re.search(r"\b(less|fewer|lower|smaller|older|earlier)\b", low):
                direction = Direction.DOWN
            elif re.search(r"\b(more|higher|bigger|larger|newer|later)\b", low):
                direction = Direction.UP
    return WhatIf(treatment=treatment, outcome=outcome, value=value, direction=direction)
