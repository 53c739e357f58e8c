"""Numbers said in words: "twenty", "three hundred", "nineteen eighty-one" as digits.

`agent.nlu_numbers` reads digits; these helpers turn spelt numbers into digits padded to the
same length, so character spans found on the digits still point into the original text.
"""

from __future__ import annotations

import re


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_UNITS_W = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS_W = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS_W = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_ONE = {"one": 1, "a": 1}  # only before "hundred": "one" alone is a pronoun ("a cheaper one")
_W = lambda table: "|".join(table)  # noqa: E731
SPELT_NUMBER = _rx(
    rf"\b(?:(?P<h>{_W(_ONE)}|{_W(_UNITS_W)})[\s-]+hundred(?:[\s-]+(?:and[\s-]+)?)?)?"
    rf"(?:(?P<t>{_W(_TENS_W)})(?:[\s-]+(?P<u>{_W(_UNITS_W)}|one))?|(?P<teen>{_W(_TEENS_W)})"
    rf"|(?P<unit>{_W(_UNITS_W)}))?\b"
    r"(?![\s-]*(?:hundred|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties))"
)


# A year said the way people say years: "nineteen eighty-one", "nineteen oh five".
SPELT_YEAR = _rx(
    r"\b(?P<c>nineteen|twenty)[\s-]+(?:(?P<t>"
    + _W(_TENS_W)
    + r")(?:[\s-]+(?P<u>"
    + _W(_UNITS_W)
    + r"|one))?|(?P<teen>"
    + _W(_TEENS_W)
    + r")|(?:oh|o)[\s-]+(?P<o>"
    + _W(_UNITS_W)
    + r"|one)|(?P<h>hundred))\b(?![\s-]*(?:dollars|bucks|hundred|thousand))"
)


def _spelt_year(m: re.Match[str]) -> str:
    year = 1900 if m.group("c").lower() == "nineteen" else 2000
    units = {**_UNITS_W, "one": 1}
    if m.group("t"):
        year += _TENS_W[m.group("t").lower()] + (units[m.group("u").lower()] if m.group("u") else 0)
    elif m.group("teen"):
        year += _TEENS_W[m.group("teen").lower()]
    elif m.group("o"):
        year += units[m.group("o").lower()]
    return str(year).ljust(len(m.group(0)))


def spelt_numbers(text: str) -> str:
    """Numbers in words as digits, padded to the same length so character spans still point
    into the original text ("under twenty dollars" -> "under 20     dollars"); a year in words
    is one number ("nineteen eighty-one" -> "1981" and spaces)."""
    text = SPELT_YEAR.sub(_spelt_year, text)

    def digits(m: re.Match[str]) -> str:
        if not m.group(0).strip():
            return m.group(0)
        value = 0
        if m.group("h"):
            value += 100 * {**_ONE, **_UNITS_W}[m.group("h").lower()]
        if m.group("t"):
            value += _TENS_W[m.group("t").lower()]
            if m.group("u"):
                value += {**_UNITS_W, "one": 1}[m.group("u").lower()]
        elif m.group("teen"):
            value += _TEENS_W[m.group("teen").lower()]
        elif m.group("unit"):
            value += _UNITS_W[m.group("unit").lower()]
        if not value:
            return m.group(0)
        trail = m.group(0)[len(m.group(0).rstrip(" -")) :]
        word = m.group(0)[: len(m.group(0)) - len(trail)]
        return str(value).ljust(len(word)) + trail

    return SPELT_NUMBER.sub(digits, text)


def spelt_spans(text: str) -> list[tuple[int, int]]:
    years = [m.span() for m in SPELT_YEAR.finditer(text)]
    rest = SPELT_YEAR.sub(lambda m: " " * len(m.group(0)), text)
    return years + [m.span() for m in SPELT_NUMBER.finditer(rest) if m.group(0).strip()]
