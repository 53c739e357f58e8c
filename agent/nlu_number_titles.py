"""Titles that open with a number ("2001: A Space Odyssey", "101 Dalmatians"), typed short.

People call such a film by its number alone ("2001 put me to sleep", "something 2001 fans
would appreciate"), and the number reader (`agent.nlu_numbers`) would take "2001" for a year.
The number names the title only where a title stands, read from the grammar around it, never
from a list of sentences:

- a cue after it that only an item takes: "2001 fans", "2001-esque", "2001's mood";
- a taste or verdict cue before it: "like 2001", "loved 2001", "why 2001?";
- opening a clause before a verb: "2001 put me to sleep", "2001 is a masterpiece";
- its item is in the list just shown, and no year word governs the number.

A year word (a preposition of time before it, "or later" or a noun after it: "from 2001",
"a 2001 comedy", "2001 or newer") always keeps it a year. The index holds numbers of three
digits or more that open exactly one catalog title; it is built once per catalog.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.nlu_cache import PerObject
from agent.nlu_titles import TASTE_AFTER, Refs, covered, role_of
from agent.parse import ItemRef
from agent.vocab import Vocabulary

__all__ = ["number_titles"]

MIN_DIGITS = 3  # "12 Angry Men" typed as "12" is a count far more often than a title

_NUMBER = re.compile(r"(?<![\w$£€#.,'’-])(\d{3,4})(?![\w%]|[.,]\d)")
# a year word before the number: "from 2001", "since 2001", "pre-2001", "made in 2001"
_YEAR_BEFORE = re.compile(
    r"\b(?:from|in|since|after|before|until|till|til|around|circa|ca\.?|about|by|between|and"
    r"|to|than|pre|post|early|late|mid|year|years|the|a|an|of|or|past|through|thru|during)"
    r"[\s-]*$",
    re.IGNORECASE,
)
# a year word after it: "2001 or later", "2001 onwards", "a 2001 comedy", "2001-2005"
_YEAR_AFTER = re.compile(
    r"\s*(?:-\s*\d|to\s+\d|or\s+(?:so|later|earlier|newer|older|after|before|above|below)"
    r"|and\s+(?:later|earlier|up|after|before|on)|onwards?|on\b|\+|or\s+\d|s\b|'s\b(?!\s+\w+)"
    r"|(?:films?|movies?|releases?|comed\w+|dramas?|thrillers?|westerns?|musicals?)\b)",
    re.IGNORECASE,
)
_CUE_BEFORE = re.compile(
    r"\b(?:seen|watched|saw|loved|liked|hated|disliked|enjoyed|adored|why|explain|like"
    r"|similar to|vs\.?|versus)\s+$",
    re.IGNORECASE,
)
_OPENS = re.compile(r"(?:^|[.!?;,:]\s*|\b(?:but|and|though|however)\s+)$", re.IGNORECASE)
_VERB_AFTER = re.compile(
    r"\s+(?:is|was|'s|made|makes|did|does|has|had|put|left|gave|bored|blew|really|just|felt"
    r"|seemed|remains|stays|still|never|always|got|kept|hit|scared|lost)\b",
    re.IGNORECASE,
)


def _index(vocab: Vocabulary) -> dict[str, str]:
    """Number -> the one title key it opens (numbers opening two titles are left out)."""
    owners: dict[str, set[str]] = {}
    for key in vocab.titles:
        first = key.split(" ", 1)[0]
        if first.isdigit() and len(first) >= MIN_DIGITS:
            owners.setdefault(first, set()).add(key)
    return {n: next(iter(keys)) for n, keys in owners.items() if len(keys) == 1}


_INDEX = PerObject(limit=8)


def number_titles(text: str, vocab: Vocabulary, shown: Sequence[str], out: Refs) -> None:
    """Add the titles typed as their opening number (see the module docstring) to `out`."""
    if not any(c.isdigit() for c in text):
        return
    index = _INDEX.get(vocab, "number titles", lambda: _index(vocab))
    if not index:
        return
    for m in _NUMBER.finditer(text):
        key = index.get(m.group(1))
        if key is None or covered(out, m.start(), m.end()):
            continue
        before, end = text[max(0, m.start() - 40) : m.start()], m.end()
        ids = vocab.titles[key]
        chosen = next((i for i in ids if i in shown), ids[0])
        after_cue = TASTE_AFTER.match(text, end) is not None
        if not after_cue and (_YEAR_BEFORE.search(before) or _YEAR_AFTER.match(text, end)):
            continue
        if not (
            after_cue
            or _CUE_BEFORE.search(before)
            or (_OPENS.search(before) and _VERB_AFTER.match(text, end))
            or chosen in shown
        ):
            continue
        role = role_of(text, m.start(), chosen, shown)
        out.refs.append((m.start(), ItemRef(chosen, role, m.group(1))))
        out.blank.append(m.span())
