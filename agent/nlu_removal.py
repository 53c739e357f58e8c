"""Values an order or a preference takes off the list ("swap out the comedies for dramas",
"phase out the westerns", "I'd prefer mysteries over these thrillers"), and values that a
question about a shown item names of it, no wish either way ("whats the reason for the last
fleece", "why this one, it doesn't look warm at all").

Split from `agent.nlu_scope` (kept under the module size limit); `value_negated` asks the
first two when no complaint word stands right before the value, `set_aside` and `no_wish` the
last two. Grammar only: a phrasal verb of removal with "out" whose object is the value, "over"
in a clause that states a preference, a question after the reason for a pick, and a remark
on how the item in question looks in a turn that asks why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent.parse import Intent

__all__ = [
    "asks_reason",
    "crowded_list",
    "out_removal",
    "passed_if",
    "passed_over",
    "rhetorical_why",
    "why_as_complaint",
    "why_remark",
]

# Words of a noun phrase between a verb and its value ("swap out all of the comedies").
_DETERMINERS = frozenset(
    ["the", "these", "those", "this", "that", "all", "any", "some", "of", "a", "an", "them",
     "our", "my", "your", "current"]
)  # fmt: skip
# Verbs that with "out" take their object off the list ("swap out", "sub out", "phase out").
_OUT_REMOVERS = frozenset(
    ["swap", "swapping", "switch", "switching", "sub", "trade", "trading", "phase", "phasing",
     "throw", "throwing", "chuck", "chucking", "kick", "kicking", "toss", "tossing", "strip",
     "stripping", "cut", "take", "leave", "rule", "weed", "filter", "cross", "knock", "pull"]
)  # fmt: skip
# Words that say the clause states a preference ("I'd prefer X over Y", "rather X over Y").
_PREFERENCE = frozenset(
    ["prefer", "prefers", "preferred", "preferring", "preferably", "rather", "choose", "pick",
     "favour", "favor", "favouring", "favoring", "prioritise", "prioritize"]
)  # fmt: skip


def _object_start(clause: Sequence[str], at: int) -> int:
    """The position of the word before the value's noun phrase (its determiners skipped)."""
    k = at - 1
    while k >= 0 and clause[k] in _DETERMINERS:
        k -= 1
    return k


def out_removal(clause: Sequence[str], at: int) -> bool:
    """ "swap out the comedies", "phase out all the westerns": a verb of removal with "out"
    governs the value (its object)."""
    k = _object_start(clause, at)
    return k >= 1 and clause[k] == "out" and clause[k - 1] in _OUT_REMOVERS


def passed_over(clause: Sequence[str], at: int) -> bool:
    """ "I'd prefer mysteries over these thrillers": in a clause stating a preference, the
    value after "over" is the one passed over (not "I'm so over X", a complaint)."""
    k = _object_start(clause, at)
    return k >= 1 and clause[k] == "over" and bool(_PREFERENCE.intersection(clause[:k]))


_OPENERS = frozenset(["and", "so", "ok", "okay", "but", "hmm", "well", "also", "just", "erm"])
_REASON = frozenset(["reason", "reasons", "logic", "thinking", "rationale", "point", "idea"])
_WHAT_IS = frozenset(["what's", "whats", "what\u2019s", "what"])


def asks_reason(segment: Sequence[str]) -> bool:
    """ "whats the reason for the last fleece", "what's the logic behind the red one",
    "reason for the parka?": the segment asks why an item was picked."""
    words = list(segment)
    while words[:1] and words[0] in _OPENERS:
        words = words[1:]
    if words[:1] and words[0] in _WHAT_IS:
        words = words[2:] if words[1:2] in (["is"], ["was"]) else words[1:]
        if words[:1] in (["the"], ["your"]):
            words = words[1:]
        return bool(words[:1]) and words[0] in _REASON
    return words[:1] in (["reason"], ["reasons"], ["rationale"]) and words[1:2] in (
        ["for"],
        ["behind"],
    )


_WHY_WORDS = frozenset(["why", "why'd", "whyd", "why's", "how"])
_IT = frozenset(["it", "this", "that", "it's", "its", "this's", "that's"])
_AUX = frozenset(
    ["does", "doesn't", "doesnt", "did", "didn't", "didnt", "is", "isn't", "isnt", "was",
     "wasn't", "wasnt", "not", "really", "even", "just", "hardly", "barely", "so", "too", "very",
     "at", "all"]
)  # fmt: skip
_SEEMS = frozenset(
    ["look", "looks", "looked", "seem", "seems", "seemed", "sound", "sounds", "feel", "feels"]
)
_BREAKS = frozenset([",", ".", ";", "!", "?", "but", "and"])


def why_remark(tokens: Sequence[str], at: int) -> bool:
    """ "why this one, it doesn't look warm at all": in a turn that asks why, a value said of
    "it" / "this" with a verb of seeming describes the item asked about, no wish."""
    opening = list(tokens[:4])
    if not _WHY_WORDS.intersection(opening[:3]) or {"not", "no"}.intersection(opening):
        return False  # "why not a fleece, it looks warm": a suggestion, its values wished
    k = at - 1
    seen_verb = False
    while k >= 0 and tokens[k] not in _BREAKS:
        if tokens[k] in _SEEMS:
            seen_verb = True
        elif tokens[k] in _IT:
            return seen_verb
        elif tokens[k] not in _AUX:
            return False
        k -= 1
    return False


# Quantities a complaint about the list counts with ("a great many", "loads of", "so many").
_MANY = frozenset(
    ["many", "lot", "lots", "loads", "load", "plenty", "tons", "ton", "bunch", "heaps", "full"]
)
_GLAD = frozenset(
    ["love", "like", "liked", "loved", "glad", "nice", "enjoy", "happy"]
)  # not "great": "a great many"
# Words that place the counted items on the list just shown ("in that list", "there").
_ON_LIST = frozenset(["there", "here", "list", "lineup", "selection", "batch", "bunch", "lot"])


def crowded_list(clause: Sequence[str], at: int, end: int) -> bool:
    """ "a great many funny ones in that list", "you've shown me a lot of comedic ones there":
    the list holds too many of the value, so the user wants fewer of it. A quantity stands
    at most three words before the value and the list is named right after it (past the
    item noun)."""
    if not _MANY.intersection(clause[max(0, at - 4) : at]):
        return False
    if _GLAD.intersection(clause[:at]):
        return False  # "I love that there are lots of comedies there": praise, no complaint
    k = end
    while k < len(clause) and clause[k] in ("ones", "one", "movies", "films", "things", "stuff"):
        k += 1
    after = list(clause[k : k + 3])
    if after[:1] in (["there"], ["here"]):
        return True
    return after[:1] in (["in"], ["on"]) and bool(_ON_LIST.intersection(after[1:3]))


# A conditional refusal's second half: "if it's a comedy, I'll pass" / "... count me out".
_PASS = frozenset(["pass", "skip", "out"])
_WILL = frozenset(["i'll", "ill", "i'd", "id", "will", "would", "i"])


def passed_if(tokens: Sequence[str], at: int, end: int) -> bool:
    """ "If it's comedy, I'll pass", "if it's a western i'd skip it": the value is the
    condition of a refusal, so the user does not want it. "if" and the item's copula stand
    at most three words before the value; "I'll pass" / "I'd skip" / "count me out" at most
    six words after it."""
    before = list(tokens[max(0, at - 4) : at])
    if "if" not in before:
        return False
    after = list(tokens[end : end + 7])
    for k, w in enumerate(after):
        if w in ("pass", "skip") and k > 0 and after[k - 1] in _WILL:
            return True
        if w == "out" and after[k - 2 : k] == ["count", "me"]:
            return True
    return False


# "why all comedy?", "why is everything action?", "why so many westerns": a complaint put as
# a question (the list has too much of the value), not a request for a reason.
RHETORICAL_WHY = re.compile(
    r"\bwhy\s*(?:(?:is|are|r|'s|s)\s+)?(?:(?:it|they|these|those|theyre|dey|em|them)\s+"
    r"(?:is\s+|are\s+|r\s+|'re\s+)?)?"
    r"(?:everything|all|so\s+many|so\s+much|only|always|nothing\s+but)\b",
    re.IGNORECASE,
)


def rhetorical_why(clause: Sequence[str], at: int) -> bool:
    """The value at `at` is what a rhetorical "why all ...?" complains of (see RHETORICAL_WHY):
    "why" and the quantifier stand at most four words before it."""
    before = " ".join(clause[max(0, at - 5) : at])
    m = RHETORICAL_WHY.search(before)
    return m is not None and m.end() >= len(before) - 12


def why_as_complaint(intents: list[Any], parse: Any, shown: bool) -> list[Any]:
    """ "why so many westerns?": a why that complains of a value on the list (the parse rules
    it out) and names no item asks for other items, not for a reason: a refinement of the
    list on screen (a recommendation when none is), ahead of the why."""
    named = set(parse.items) - set(parse.like_items)  # a taste reference asks no why
    if not intents or intents[0] is not Intent.WHY or not parse.exclude or named:
        return intents
    if not RHETORICAL_WHY.search(parse.text):
        return intents
    wish = Intent.REFINE if shown else Intent.RECOMMEND
    return [wish, *[i for i in intents if i not in (Intent.WHY, wish)]]
