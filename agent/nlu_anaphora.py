"""Roles that a later pointer gives items named earlier in the turn, and descriptions of shown
items that the catalog cannot resolve.

Split from `agent.nlu_refs` (kept under the module size limit). Grammar, not catalog words:

- an anaphor that asks for more of what was just named ("Rear Window and Vertigo are exactly
  what I like, go on from those", "Local Hero is the standout, same feel please", "Butch
  Cassidy's the one for me, more of its kind") makes the items named before it taste
  references, whatever role the words right before each title gave it;
- a yes/no question that weighs one named item against another ("is Emma much like
  Persuasion?", "was Heat anything like Ronin or not at all?") names both as the items asked
  about: the "like" there compares, it states no taste;
- "the submarine one", "that pig film": a definite description of an item on screen by a word
  the catalog holds no value for (MovieLens has no plots) names an item, so the word is no
  wish of its own (`names_shown_item`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise

from agent.parse import ItemRef, TitleRole

__all__ = ["MORE_OF_THEM", "compared_not_taste", "names_shown_item", "taste_by_anaphora"]

_POINTED = r"(?:those|these|them|'?em|that|this|it|the same|those two|these two|both)"
_KIND = r"(?:kind|sort|type|ilk|style|mould|mold|lot|variety)"
# The anaphor: more of / others like / in the vein of what was pointed at, or "the same feel".
MORE_OF_THEM = re.compile(
    r"\b(?:more|others?|another|ones?|some|something|anything|stuff|films?|movies?|similar)"
    r"\s+(?:(?:just|a bit|bit|kinda|sort of|kind of)\s+)?"
    rf"(?:like|of|along the lines of|in the vein of|similar to|in the same vein as)\s+{_POINTED}"
    rf"(?!\s+(?:{_KIND}\s+of\s+)?(?:\w+\s+)?(?:one|ones|film|films|movie|movies)\b)"
    rf"|\bmore\s+of\s+(?:its|their|that|this|the same)\s+{_KIND}\b"
    rf"|\b(?:what|anything|something|who|whatever)\s+else\s+(?:is\s+|'s\s+)?like\s+{_POINTED}"
    # kin of the items named ("find me its cousins", "their siblings", "more of that ilk")
    r"|\b(?:find|show|get|give|bring|fetch|want|need|see|track down|dig up|dig out|hunt down|"
    r"round up|any of|more of|some of)\s+(?:me\s+|us\s+)?(?:all\s+|some\s+|more\s+|any\s+)?"
    r"(?:of\s+)?(?:its|their)\s+(?:[\w-]+\s+)?"
    r"(?:cousins?|siblings?|relatives?|kin|kinsfolk|twins?|lookalikes?|look-alikes?|ilk|brethren)\b"
    r"|\b(?:the\s+)?same\s+(?:feel|vibe|vibes|kind|sort|type|spirit|style|energy|tone|mood|"
    r"flavou?r|wavelength|ilk|kinda thing|sort of thing|kind of thing)\b(?!\s+as\b)"
    rf"|\b(?:go|carry|keep going|build|work|branch)\s+on\s+from\s+{_POINTED}"
    r"|\b(?:along|in)\s+(?:those|these|the same|that)\s+(?:lines|vein)\b"
    rf"|\bmore\s+(?:in\s+)?(?:that|this|their|its)\s+vein\b",
    re.IGNORECASE,
)
# A negation or a complaint right before the anaphor turns it round ("no more of those").
_TURNED_DOWN = re.compile(
    r"\b(?:no|not|never|less|fewer|enough|without|stop|\w+n['\u2019]?t)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_NAMED_ROLES = (TitleRole.SHOWN, TitleRole.SUBJECT)


def taste_by_anaphora(
    text: str,
    refs: list[tuple[float, ItemRef]],
    disliked: Callable[[float], bool],
) -> list[tuple[float, ItemRef]]:
    """The references named before an anaphor that asks for more of them (`MORE_OF_THEM`)
    as taste references; an item whose own clause turns it down (`disliked`) keeps its role."""
    m = MORE_OF_THEM.search(text)
    if m is None or _TURNED_DOWN.search(text, 0, m.start()):
        return refs
    return [
        (pos, ItemRef(r.item_id, TitleRole.TASTE, r.text))
        if r.role in _NAMED_ROLES and pos + len(r.text) <= m.start() and not disliked(pos)
        else (pos, r)
        for pos, r in refs
    ]


# A yes/no question opening on a copula or auxiliary: it asks about the items it names.
_YES_NO = re.compile(
    r"^\W*(?:(?:so|and|but|ok|okay|hmm|well|wait)\W+)?"
    r"(?:is|isn'?t|are|aren'?t|was|wasn'?t|were|does|doesn'?t|do|did|would|will|might)\b",
    re.IGNORECASE,
)
# What stands between the two items: a likeness said of the first ("much like", "anything
# like", "similar to", "close to", "in the same league as").
_LIKENESS = re.compile(
    r"^\W*(?:(?:\w+\s+){0,2})"
    r"(?:like|similar to|close to|related to|in the same (?:league|vein|genre|ballpark) as)"
    r"\s+$",
    re.IGNORECASE,
)


def compared_not_taste(
    text: str, refs: list[tuple[float, ItemRef]], shown: Sequence[str]
) -> list[tuple[float, ItemRef]]:
    """In a yes/no question "is A (much) like B?", B is an item asked about, not a taste
    reference: it takes the role of an item on screen (or named), like A."""
    if not _YES_NO.match(text):
        return refs
    ordered = sorted(refs, key=lambda r: r[0])
    out = list(refs)
    for (pos_a, a), (pos_b, b) in pairwise(ordered):
        between = text[int(pos_a) + len(a.text) : int(pos_b)]
        if (
            b.role is TitleRole.TASTE
            and a.role in _NAMED_ROLES
            and a.item_id != b.item_id
            and _LIKENESS.match(between)
        ):
            role = TitleRole.SHOWN if b.item_id in shown else TitleRole.SUBJECT
            out = [(p, ItemRef(r.item_id, role, r.text) if r is b else r) for p, r in out]
    return out


_ITEM_HEADS = r"(?:one|ones|film|movie|flick|pic|picture|title|doc|documentary|jacket|coat)"


def names_shown_item(text: str, phrase: str, shown: Sequence[str]) -> bool:
    """ "more like the submarine one", "why'd you put the pig film in": with a list on
    screen, an unplaced `phrase` that only modifies a definite "the/that ... one|film" names
    one of the shown items (by something the catalog does not record), no wish of its own."""
    words = phrase.split()
    if words[:1] and words[0] in ("the", "that", "this"):
        words = words[1:]  # the phrase may keep its determiner and head ("that ghost film")
    if words and re.fullmatch(_ITEM_HEADS, words[-1]):
        words = words[:-1]
    if not shown or not words or len(words) > 2:
        return False
    body = r"[\s-]+".join(re.escape(w) for w in words)
    rx = rf"\b(?:the|that|this)\s+{body}\s+{_ITEM_HEADS}(?:'s|\u2019s)?\b"
    return re.search(rx, text, re.IGNORECASE) is not None
