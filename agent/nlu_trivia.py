"""Questions about the world, not about picks: "who won the world cup in 2018".

A recommender hears a year in "who won the world cup in 2018" as a wish for films of 2018,
and "how many calories in a samosa" as a turn to act on. Such a turn is a knowledge question
by its grammar: a question word with a verb of a worldly event ("who won", "who invented"),
a count of a non-item noun ("how many calories in ..."), how to say a word in a language
("how do you say thank you in Yoruba"), or a "what is the capital/population of" question.
It names no item noun ("how many films from 2018 do you have" is about the catalog), no
request verb ("show me who won ..."), nothing the list holds ("these", "them") and, for a
where/when question, neither the user nor the agent ("where do you get your data" is help).
The parser then places no year from it and the classifier calls it off topic; the catalog's
own values and titles still outweigh it (the callers check those).
"""

from __future__ import annotations

import re

from agent.nlu_filler import ITEM_NOUNS

__all__ = ["world_question"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_OPEN = r"^\W*(?:(?:so|ok|okay|hey|btw|quick question|random question|also|oh)\W+)*"
# verbs of events in the world (a lexical class of the past tense of doing and making)
_WORLD_VERB = (
    r"(?:won|wins|invented|discovered|founded|built|painted|composed|sang|scored|killed"
    r"|assassinated|ruled|rules|governs|coached|owns|runs|leads|landed|climbed|crossed"
    r"|designed|created|wrote|signed|married|murdered|died|won't|became|elected)"
)
_WHO = _rx(_OPEN + r"who\s+" + _WORLD_VERB + r"\b")
_COUNT = _rx(
    _OPEN
    + r"how\s+(?:many|much)\s+(?P<noun>[a-z]+)\s+(?:in|are|is|does|do|did|were|was|has|have|of)\b"
)
_SAY = _rx(
    _OPEN + r"how\s+(?:do|would|can|should|does)\s+(?:you|i|we|one|someone)\s+"
    r"(?:say|spell|pronounce|write|translate)\b"
)
_WHAT_IS = _rx(
    _OPEN + r"what(?:'s|’s|\s+is|\s+was|\s+are)\s+the\s+(?:capital|population|weather|time|date"
    r"|currency|distance|height|temperature|plural|spelling|translation|square root|boiling"
    r"|speed|meaning of life|tallest|biggest|largest|longest|fastest|highest)\b"
)
_WHEN_WHERE = _rx(_OPEN + r"(?:when|where)\s+(?:was|were|is|did|does)\b")
_PERSONAL = _rx(r"\b(?:i|me|my|you|your|u|ur|we|our)\b")
_ASKS_FOR_ITEMS = _rx(
    r"\b(?:recommend\w*|suggest\w*|show\s+me|give\s+me|find\s+me|any\s+(?:good\s+)?\w+\s+about"
    r"|these|those|them|this\s+one|that\s+one|on\s+the\s+list|in\s+your\s+(?:list|catalog\w*))\b"
)
_WORD = re.compile(r"[a-z]+")


def world_question(text: str) -> bool:
    """Whether the turn asks a knowledge question about the world (see the module docstring)."""
    low = text.lower()
    if ITEM_NOUNS.intersection(w for w in _WORD.findall(low) if w != "one"):
        return False  # "how many films from 2018 ...": about the items
    if _ASKS_FOR_ITEMS.search(low):
        return False
    if _WHO.search(low) or _SAY.search(low) or _WHAT_IS.search(low):
        return True
    count = _COUNT.search(low)
    if count is not None:
        return count.group("noun") not in ("of", "more", "less", "older", "newer", "time")
    return _WHEN_WHERE.search(low) is not None and _PERSONAL.search(low) is None
