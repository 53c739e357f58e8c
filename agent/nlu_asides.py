"""Words around a wish that say no wish of their own: who judged the item, a fondness idiom,
and the small degree before a quality.

Split from `agent.nlu_filler` (which says which leftover words may be a wish): a relative
clause whose subject is a group of people and whose verb is a verdict ("thrillers *that the
critics liked*") tells how the item was received (fame or praise, read elsewhere), not what
it is; the noun of a fondness idiom ("I'm a *sucker* for heists") only says the user likes
its object; "a bit", "a little (bit)", "a tad" before a quality belong to that quality's wish
("gentle and *a bit* odd"). Closed lexical classes and function words only.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.nlu_company import PERSON_NOUNS

# Nouns of a fondness idiom ("I'm a sucker for heists", "a real softie for romance"): the
# object of "for" / "of" is the wish, the noun says only that the user likes it.
_FONDNESS = frozenset(["sucker", "softie", "softy", "fool", "addict", "junkie", "nut", "slave"])


def fondness(tokens: Sequence[str], i: int) -> bool:
    """The word at i is the noun of a fondness idiom ("a sucker for", "a softie for")."""
    return tokens[i] in _FONDNESS and tokens[i + 1 : i + 2] in (["for"], ["of"])


SMALL = frozenset(["a", "bit", "little", "tad"])
_SMALL_DEGREES = (["a", "bit"], ["a", "little"], ["a", "little", "bit"], ["a", "tad"])


def small_degree(tokens: Sequence[str], j: int) -> bool:
    """Token j is part of "a bit", "a little (bit)", "a tad" (before a quality)."""
    return any(
        tokens[k : k + size] in _SMALL_DEGREES
        for size in (2, 3)
        for k in range(max(0, j - size + 1), j + 1)
    )


# Groups whose verdict on an item says how it was received (critics, audiences), beside the
# people named by kinship or role: a lexical class.
_JUDGES = PERSON_NOUNS | frozenset(
    [
        *("critics", "critic", "reviewers", "audiences", "audience", "viewers", "fans"),
        *("everyone", "everybody", "nobody", "most", "public", "masses", "oscars", "academy"),
    ]
)
_SUBJECT_FILL = frozenset(["the", "my", "our", "most", "all", "many", "some", "film", "movie"])


def judged(tokens: Sequence[str], i: int) -> bool:
    """The relative clause at i has a group of people as its subject and their verb right
    after ("thrillers *that the critics liked*", "one *that audiences loved*"): it says how
    the item was received (praise or fame, read elsewhere), not what it is."""
    j = i + 1
    while j < len(tokens) and tokens[j] in _SUBJECT_FILL:
        j += 1
    verb = tokens[j + 1] if j + 1 < len(tokens) else ""
    return (
        tokens[i] in ("that", "which")
        and j < len(tokens)
        and tokens[j] in _JUDGES
        and (verb in _VERDICT_VERBS or verb.rstrip("sd") in _VERDICT_VERBS)
    )


# Verbs of a verdict or a reception (a lexical class): "liked", "panned", "raved about".
_VERDICT_VERBS = frozenset(
    [
        *("like", "liked", "love", "loved", "hate", "hated", "adore", "adored", "praise"),
        *("praised", "rate", "rated", "pan", "panned", "rave", "raved", "enjoy", "enjoyed"),
        *("admire", "admired", "dismiss", "dismissed", "trash", "trashed", "slam", "slammed"),
        *("hail", "hailed", "acclaim", "acclaimed", "dig", "dug", "rate", "champion"),
    ]
)
