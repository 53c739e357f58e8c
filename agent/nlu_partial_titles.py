"""Titles typed in part, which the exact title finder misses.

- On one side of a weighing whose other side is a title already found ("toy story or lion
  king for a 5 year old?", "Heat vs four weddings"): the phrase up to the next preposition
  or punctuation names an item when it is a title without its leading article ("lion king"
  for "The Lion King") or, with two words or more, the start of exactly one title ("four
  weddings"). One word must be a whole title ("or titanic").
- A possessive written as a title ("is Titanic's score inflated", "Fargo's high rating"):
  the words before "'s", capitalised as typed, that make a whole title.

Both are read only from the catalog's titles; the caller gives the role.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence

from agent.nlu_cache import PerObject

__all__ = ["partial_titles"]

_WEIGH = re.compile(r"\s+(?:or|vs\.?|versus|against)\s+", re.IGNORECASE)
_STOP = re.compile(
    r"\s*(?:[,.;:!?()]|$|\b(?:for|to|with|tonight|today|then|and|which|instead|please|pls)\b)",
    re.IGNORECASE,
)
_LEAD = re.compile(r"(?:(?:the|a|an|or|vs\.?|versus|against)\s+)*", re.IGNORECASE)
_POSSESSIVE = re.compile(r"((?:[A-Z0-9][\w:&.-]*\s+){0,4}[A-Z0-9][\w:&.-]*)['\u2019]s\b")
_MAX_WORDS = 5
_CLAUSE = re.compile(r"[,.;:!?]|\b(?:between|compare|is|was|which|better|rather)\b", re.IGNORECASE)


_SORTED = PerObject(limit=8)


def _sorted_keys(titles: Mapping[str, Sequence[str]]) -> list[str]:
    """The title keys in order, sorted once per catalog (again when the mapping's size
    changes): sorting 100k titles on every turn cost ~25 ms a turn."""
    return _SORTED.get(titles, "sorted keys", lambda: sorted(titles), stamp=len(titles))


def _starting(keys: Sequence[str], prefix: str, limit: int = 2) -> list[str]:
    """Up to `limit` keys that start with `prefix` (binary search in the sorted keys)."""
    found: list[str] = []
    i = bisect_left(keys, prefix)
    while i < len(keys) and keys[i].startswith(prefix) and len(found) < limit:
        found.append(keys[i])
        i += 1
    return found


def _lookup(
    phrase: str, titles: Mapping[str, Sequence[str]], keys: Sequence[str]
) -> tuple[str, ...]:
    words = phrase.split()
    if not words or len(words) > _MAX_WORDS:
        return ()
    for key in (phrase, f"the {phrase}"):
        if key in titles:
            return tuple(titles[key])
    if len(words) < 2:
        return ()
    starts = _starting(keys, phrase + " ") + _starting(keys, f"the {phrase} ")
    return tuple(titles[starts[0]]) if len(starts) == 1 else ()


def partial_titles(
    text: str,
    named: Sequence[tuple[int, int]],
    titles: Mapping[str, Sequence[str]],
    normalise: Callable[[str], str],
) -> list[tuple[int, int, tuple[str, ...], int]]:
    """(char start, char end, item ids, partner start) of titles typed in part (see the
    module docstring); partner start is where the title weighed against it starts, -1 for a
    possessive.

    `named` holds the character spans already taken by found references; `titles` maps
    typed title keys to item ids; `normalise` lower-cases a phrase the way those keys are."""
    out: list[tuple[int, int, tuple[str, ...], int]] = []
    taken = list(named)
    keys = _sorted_keys(titles)

    def free(a: int, b: int) -> bool:
        return all(b <= s or e <= a for s, e in taken)

    def add(a: int, b: int, ids: tuple[str, ...], partner: int = -1) -> None:
        out.append((a, b, ids, partner))
        taken.append((a, b))

    for start, end in list(named):
        after = _WEIGH.match(text, end)
        if after is not None:  # "Toy Story or lion king ..."
            at = _LEAD.match(text, after.end()).end()
            stop = _STOP.search(text, at)
            stop_at = stop.start() if stop else len(text)
            ids = _lookup(normalise(text[at:stop_at]), titles, keys)
            if ids and stop_at > at and free(at, stop_at):
                add(at, stop_at, ids, start)
        before = [m for m in _WEIGH.finditer(text[:start]) if m.end() == start]
        if before:  # "... lion king vs Toy Story": the longest run of words before the joint
            cut = before[-1].start()
            head = _CLAUSE.split(text[:cut])[-1]
            words = head.split()[-_MAX_WORDS:]
            for k in range(len(words)):
                phrase = " ".join(words[k:])
                ids = _lookup(normalise(phrase), titles, keys)
                if ids and free(cut - len(phrase), cut):
                    add(cut - len(phrase), cut, ids, start)
                    break
    for m in _POSSESSIVE.finditer(text):
        words = m.group(1).split()
        for k in range(len(words)):  # the longest run of words before "'s" that is a title
            phrase = " ".join(words[k:])
            key = normalise(phrase)
            if key in titles or f"the {key}" in titles:
                a = m.end(1) - len(phrase)
                if free(a, m.end(1)):
                    add(a, m.end(1), tuple(titles.get(key) or titles[f"the {key}"]))
                break
    return out
