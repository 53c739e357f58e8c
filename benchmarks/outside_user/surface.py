"""How a person might say attribute values, eras and numeric bounds (written for this simulator).

Values are keyed by their letters only ("Sci-Fi", "scifi" -> "scifi"), so one entry serves
every dataset that spells a value its own way; a value without an entry is said as it is
written, lowercased. Every form here is a modifier that reads before the item noun ("a
science fiction movie", "a grey coat").
"""

from __future__ import annotations

import math
import re

import numpy as np

VALUE_FORMS: dict[str, list[str]] = {
    # films
    "action": ["action", "action-packed"],
    "adventure": ["adventure", "adventurous"],
    "animation": ["animated", "cartoon", "animation"],
    "childrens": ["kids", "children's", "family"],
    "comedy": ["comedy", "funny", "comedic"],
    "crime": ["crime"],
    "documentary": ["documentary", "doc"],
    "drama": ["drama", "dramatic"],
    "fantasy": ["fantasy"],
    "filmnoir": ["noir", "film noir"],
    "horror": ["horror", "scary"],
    "musical": ["musical"],
    "mystery": ["mystery"],
    "romance": ["romance", "romantic"],
    "scifi": ["sci-fi", "science fiction", "scifi", "sci fi"],
    "thriller": ["thriller", "suspense"],
    "war": ["war"],
    "western": ["western", "cowboy"],
    # coats
    "men": ["men's", "mens", "guys'"],
    "women": ["women's", "womens", "ladies'"],
    "insulated": ["insulated", "padded"],
    "vests": ["vest", "sleeveless"],
    "parkas": ["parka", "parka-style"],
    "shells": ["shell"],
    "waterproof": ["waterproof"],
    "bomber": ["bomber"],
    "field": ["field"],
    "packable": ["packable"],
    "trench": ["trench"],
    "track": ["track"],
    "cropped": ["cropped"],
    "pea": ["pea"],
    "motorcycle": ["motorcycle", "biker"],
    "rain": ["rain"],
    "fleece": ["fleece"],
    "gray": ["gray", "grey"],
    "grey": ["grey", "gray"],
}

# Two values said as one word or phrase ("romcom" means both romance and comedy).
PAIR_FORMS: dict[frozenset[str], list[str]] = {
    frozenset({"romance", "comedy"}): ["romcom", "romantic comedy", "rom-com"],
    frozenset({"action", "comedy"}): ["action comedy"],
    frozenset({"scifi", "horror"}): ["sci-fi horror"],
    frozenset({"crime", "drama"}): ["crime drama"],
    frozenset({"comedy", "drama"}): ["dramedy", "comedy-drama"],
    frozenset({"animation", "childrens"}): ["animated kids'"],
    frozenset({"war", "drama"}): ["war drama"],
    frozenset({"action", "thriller"}): ["action thriller"],
}

DECADE_WORDS = {
    1900: "nineteen-hundreds",
    1910: "teens",
    1920: "twenties",
    1930: "thirties",
    1940: "forties",
    1950: "fifties",
    1960: "sixties",
    1970: "seventies",
    1980: "eighties",
    1990: "nineties",
}


def value_key(value: str) -> str:
    """A value's letters, lowercased: the key of VALUE_FORMS."""
    return re.sub(r"[^a-z]", "", value.lower())


def value_forms(value: str) -> list[str]:
    """Ways to say an attribute value before a noun."""
    forms = VALUE_FORMS.get(value_key(value))
    if forms:
        return forms
    plain = value.strip().lower().replace("_", " ")
    return [plain]


def pair_forms(a: str, b: str) -> list[str]:
    """One-phrase forms for two values together, or [] when there is none."""
    return PAIR_FORMS.get(frozenset({value_key(a), value_key(b)}), [])


def _two_digit(decade: int) -> str:
    return f"{decade % 100:02d}"


def era_phrases(year: int, rng: np.random.Generator, fine: bool) -> tuple[str, float, float]:
    """A true phrase about when an item appeared, with the year range it means.

    Coarse phrases name a decade or a bound ("from the eighties", "made before 1990");
    fine ones a part of a decade, "around" a year or a span of a few years.
    """
    decade = year // 10 * 10
    dd = _two_digit(decade)
    options: list[tuple[str, float, float]] = []
    if not fine:
        if decade in DECADE_WORDS:
            options.append((f"from the {DECADE_WORDS[decade]}", decade, decade + 9))
        options += [
            (f"from the {dd}s", decade, decade + 9),
            (f"from the '{dd}s", decade, decade + 9),
            (f"from the {decade}s", decade, decade + 9),
            (f"made before {decade + 10}", -math.inf, decade + 9),
            (f"from {decade} or later", decade, math.inf),
        ]
    else:
        offset = year - decade
        parts = []
        if offset <= 3:
            parts.append(("early", decade, decade + 3))
        if 3 <= offset <= 6:
            parts.append(("mid", decade + 3, decade + 7))
        if offset >= 6:
            parts.append(("late", decade + 6, decade + 9))
        for part, lo, hi in parts:
            options.append((f"from the {part} {dd}s", lo, hi))
            if decade in DECADE_WORDS:
                options.append((f"from the {part} {DECADE_WORDS[decade]}", lo, hi))
        centre = year + int(rng.integers(-2, 3))
        options.append((f"from around {centre}", centre - 3, centre + 3))
        before, after = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        options.append(
            (f"released between {year - before} and {year + after}", year - before, year + after)
        )
    phrase, lo, hi = options[int(rng.integers(len(options)))]
    return phrase, float(lo), float(hi)


def _nice(value: float, up: bool, whole: bool = False) -> float:
    """A round bound just above (or below) a value, as a person would say it."""
    if value == 0:
        return 1.0 if up else -1.0
    step = 10 ** math.floor(math.log10(abs(value)))
    step = step / 2 if abs(value) / step < 3 else step
    step = max(step, 1.0) if whole else step
    bound = (math.floor(value / step) + 1) * step if up else (math.ceil(value / step) - 1) * step
    return float(round(bound, 6))


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def numeric_phrase(
    label: str, value: float, rng: np.random.Generator, whole: bool = False
) -> tuple[str, float, float]:
    """A true bound on a numeric attribute ("price under 20") with the range it means.

    `whole`: the attribute takes whole numbers (a 1-5 score), so the bounds are whole too.
    """
    choice = int(rng.integers(3))
    hi, lo = _nice(value, up=True, whole=whole), _nice(value, up=False, whole=whole)
    if choice == 0:
        return f"{label} under {_fmt(hi)}", -math.inf, hi
    if choice == 1:
        return f"{label} of at least {_fmt(lo)}", lo, math.inf
    return f"{label} between {_fmt(lo)} and {_fmt(hi)}", lo, hi
