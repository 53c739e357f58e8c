"""Negation scope inside one clause: what a "not", a complaint or a remark governs.

`agent.nlu` cuts a turn into clauses (`agent.nlu_clauses`) and asks these readers about each
catalog value in its clause: is it negated ("I don't want a drama", "anything but a
musical"), turned down after it ("thriller isn't for me"), a remark on the list just shown
("those are all dramas", "that's not a comedy": the value is then wanted), or turned down by
the clause that follows ("comedy? nah, not that").
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.nlu_clauses import PUNCT, bare_rejection
from agent.nlu_cues import (
    CLAUSE_BREAKS,
    ITEM_SUBJECTS,
    NEG_CUES,
    NEG_PHRASES,
    POSITIVE_CUES,
)

# Who a remark is about: "that's not a comedy" complains about the list just shown, while
# "it" is the item the user is after ("it isn't a comedy" says what it is not).
_LIST_SUBJECTS = ITEM_SUBJECTS - {"it", "it's"}


def negation_governs(tokens: Sequence[str], start: int) -> bool | None:
    """True when a negation governs the slot at `start`; None when it complains about items."""
    if start > 0 and tokens[start - 1] in ("too", "less", "fewer", "enough"):
        return True  # "too scary", "less drama", "enough comedy": less of it
    if start > 1 and tokens[start - 2] in ("too", "so") and tokens[start - 1] in ("many", "much"):
        return True  # "too many thriller ones": a complaint that asks for fewer
    j = start - 1
    while j >= 0 and (tokens[j] not in CLAUSE_BREAKS or _anything_but(tokens, j)):
        if _anything_but(tokens, j):
            return True  # "anything but a musical"
        word = tokens[j]
        prev = tokens[j - 1] if j > 0 else ""
        if word.endswith("n't") and tokens[j + 1 : j + 2] == ["mind"]:
            return False  # "I wouldn't mind some action"
        if word == "no" and _new_phrase(tokens[j + 1 : start]):
            return False  # "no luck there a thriller": "no" governs its own noun only
        if word in ("nothing", "none") and any(
            w not in _NOTHING_REACH for w in tokens[j + 1 : start]
        ):
            return False  # "got nothing back, looking for grey ones": its own object only
        if word in NEG_CUES or (prev, word) in NEG_PHRASES or word.endswith("n't"):
            clause_start = j
            while clause_start > 0 and tokens[clause_start - 1] not in CLAUSE_BREAKS:
                clause_start -= 1
            window = tokens[clause_start : min(clause_start + 2, j + 1)]  # subject opens it
            conditional = {"if", "long", "provided", "unless"} & set(tokens[clause_start:j])
            if (
                any(w in _LIST_SUBJECTS for w in window)
                and j - clause_start <= 3  # the subject's own verb is negated
                and not any(w in POSITIVE_CUES for w in tokens[j:start])
                and not conditional
                and not (word == "none" and tokens[start - 1] in ("in", "with"))  # "none in black"
            ):
                return None  # "that's not a comedy": about what was shown
            return not (word == "no" and j + 1 < len(tokens) and tokens[j + 1] == ",")
        if word in POSITIVE_CUES and j < start - 1 and tokens[j - 1 : j] != ["don't"]:
            k = j - 1
            while k >= 0 and tokens[k] not in CLAUSE_BREAKS:
                if tokens[k] in NEG_CUES or tokens[k].endswith("n't"):
                    return True
                k -= 1
            return False
        j -= 1
    return False


def _new_phrase(between: Sequence[str]) -> bool:
    """An article that no preposition introduces: a new noun phrase begins."""
    return any(
        w in ("a", "an") and k > 0 and between[k - 1] not in _ARTICLE_AFTER
        for k, w in enumerate(between)
    )


# What may stand between "nothing" / "none" and the value it governs ("nothing too scary",
# "none of the romantic ones", "nothing with a western feel").
_NOTHING_REACH = frozenset(
    [
        "too",
        "so",
        "very",
        "really",
        "at",
        "all",
        "with",
        "in",
        "like",
        "that",
        "that's",
        "is",
        "remotely",
        "even",
        "of",
        "the",
        "these",
        "those",
        "a",
        "an",
        "more",
        "overly",
        "particularly",
    ]
)
_ARTICLE_AFTER = frozenset(["with", "of", "about", "like", "in", "for", "as", "than", "such"])


def rejected_after(tokens: Sequence[str], end: int, starts: Sequence[int]) -> bool:
    """ "comedy? nah, not that", "all these dramas, not what I want": the value's clause ends
    and the next clause only turns it down."""
    k = end
    while k < len(tokens) and tokens[k] not in PUNCT and k not in starts:
        if tokens[k] not in ("movie", "movies", "film", "films", "one", "ones", "stuff"):
            return False  # more follows the value in its own clause
        k += 1
    while k < len(tokens) and tokens[k] in PUNCT:
        k += 1
    if k >= len(tokens) or k == end:
        return False
    stop = k + 1
    while stop < len(tokens) and tokens[stop] not in PUNCT and stop not in starts:
        stop += 1
    return bare_rejection(tokens[k:stop])


def _anything_but(tokens: Sequence[str], j: int) -> bool:
    """ "anything but X", "any language but X", "every genre but X"."""
    if tokens[j] != "but" or j == 0:
        return False
    return tokens[j - 1] in ("anything", "everything", "all") or (
        j > 1 and tokens[j - 2] in ("any", "all", "every", "whatever")
    )


_DESCRIBES = frozenset({"is", "are", "was", "were", "'s", "all", "just"})


_LEADING = frozenset(["a", "an", "the", "and", "also", "but", "honestly", "just", "oh", "well"])
_COPULA = frozenset(["is", "are", "was", "were", "does", "do"])


def negated_after(tokens: Sequence[str], start: int, end: int) -> bool:
    """ "thriller isn't for me", "horror is not my thing": the value opens its clause and a
    negated verb follows it, so the clause turns it down."""
    k = start - 1
    while k >= 0 and tokens[k] not in CLAUSE_BREAKS:
        if tokens[k] not in _LEADING:
            return False  # something else opens the clause: the negation is not about the value
        k -= 1
    after = tokens[end : end + 3]
    if not after or after[0] in CLAUSE_BREAKS:
        return False
    if after[0].endswith("n't") and after[0] not in ("wouldn't", "couldn't"):
        return True
    return after[0] in _COPULA and len(after) > 1 and after[1] in ("not", "never")


def describes_shown(tokens: Sequence[str], start: int) -> bool:
    """ "those are all dramas", "that one is a drama": a remark on the list, not a wish."""
    k = start - 1
    while k >= 0 and tokens[k] not in CLAUSE_BREAKS:
        k -= 1
    clause = tokens[k + 1 : start]
    if clause[:1] in (["most"], ["all"], ["many"]) and clause[1:3] in (
        ["of", "these"],
        ["of", "those"],
        ["of", "them"],
    ):
        return True  # "most of these are action": a remark on the list
    if len(clause) < 2 or clause[0] not in _LIST_SUBJECTS | {"the", "they're", "these", "those"}:
        return False
    if any(w in NEG_CUES or w.endswith("n't") for w in clause):
        return False
    if any(w not in _PREDICATE for w in clause[1:]):
        return False  # "that's closer looking for horror": the value is no predicate of it
    return bool(_DESCRIBES & set(clause[1:4])) or clause[0] in ("they're", "that's")


# Words between a subject and a value that say it is that value ("those are all just dramas").
_PREDICATE = _DESCRIBES | frozenset(
    [
        "a",
        "an",
        "the",
        "all",
        "just",
        "really",
        "mostly",
        "also",
        "more",
        "too",
        "so",
        "very",
        "kind",
        "sort",
        "of",
        "like",
        "pretty",
        "quite",
        "another",
        "some",
        "full",
        "mainly",
        "only",
        "basically",
        "these",
        "those",
        "ones",
        "one",
    ]
)
