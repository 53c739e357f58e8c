"""Where an unplaced wish starts: the words that introduce or turn it, as typed.

Split from `agent.nlu_filler` (which says which single words may be a wish) along its seam:
once a wish word is found, `modifier_start` walks left over the comparative ("less grim"),
the negation with its hedge ("nothing too long"), a bare degree word ("too violent", "way
too long") and the preposition that opens it ("about chess", "w/o subtitles", "set in
Paris"), so the reply repeats the wish as the user said it. Function words only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

_COMPARATIVES = frozenset(["more", "less", "fewer"])
_SAID_NEGATIONS = frozenset(
    [
        "not",
        "no",
        "nothing",
        "none",
        "never",
        "without",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "isnt",
        "arent",
        "wasnt",
        "werent",
    ]
)
# Degree words a negation reaches over ("not too long", "aren't super violent", "isn't quite
# so English"): intensifiers, a closed lexical class.
_HEDGES = frozenset(
    [
        *("too", "so", "very", "overly", "that", "really", "as", "all", "super", "quite"),
        *("particularly", "especially", "terribly", "remotely", "extremely", "excessively"),
    ]
)
# "not *something* depressing", "not *one of the* ...": the negation still turns the wish.
_NEGATED_SOME = frozenset(["something", "anything", "sumthing", "somethin", "smth", "sth"])
# Prepositions that open a wish phrase, and the words that may stand between them and it.
_INTRODUCERS = frozenset(
    [
        "about",
        "abt",
        "with",
        "w",
        "without",
        "for",
        "in",
        "at",
        "featuring",
        "starring",
        "where",
        "by",
        "minus",
    ]
)
# A wish phrase goes on over these into the next one ("with a twist *at* the end").
GOES_ON = frozenset(["at", "in", "on", "with", "about", "for", "from", "by"])
_FILL = frozenset(["a", "an", "the", "some", "any", "lots", "lot", "of", "many", "plenty", "very"])


def modifier_start(
    tokens: Sequence[str], first: int, joined: Callable[[int], bool], headed: bool = False
) -> int:
    """Where an unplaced wish starts once the words that introduce or turn it are counted in,
    as typed: a comparative ("less grim", "less of the violence"), a negation with its hedge
    ("not cheesy", "isn't gory", "nothing too long", "nothing with clowns") and the
    preposition that opens it ("about chess", "with a twist ending", "w/o subtitles", "set in
    Paris", "not about space", "with less violence"). The wish is stated with them, so the
    reply repeats them. `joined(j)` says that token j is followed by a space in the same
    clause; `headed` that the phrase modifies an item noun after it ("looking for a *quirky*
    film"), whose preposition belongs to the noun, not to the wish."""
    start = _turning_start(tokens, first, joined)
    if headed:  # the noun's own preposition stays out, but a negating one turns the wish
        k = start - 1
        while k >= 0 and tokens[k] in _FILL and joined(k):
            k -= 1  # "without any of the gory stuff"
        negating = k >= 0 and tokens[k] in ("without", "minus") and joined(k)
        return k if negating else start
    j = start - 1
    while j >= 0 and tokens[j] in _FILL and joined(j):
        j -= 1  # "with *a* twist", "with *lots of* pockets"
    if j >= 1 and tokens[j] == "o" and tokens[j - 1] == "w" and joined(j - 1) and joined(j):
        return _negated_start(tokens, j - 1, joined)  # "w/o subtitles"
    set_on = tokens[j] in ("on", "during") and tokens[j - 1 : j] in (["set"], ["based"])
    if j < 0 or (tokens[j] not in _INTRODUCERS and not set_on) or not joined(j):
        return j if j < start - 1 and j >= 0 and tokens[j] in _SAID_NEGATIONS else start
    if j >= 1 and tokens[j - 1] in ("set", "based") and joined(j - 1):
        j -= 1  # "set in Paris", "set at sea", "based on a true story"
    return _negated_start(tokens, j, joined)


def _negated_start(tokens: Sequence[str], j: int, joined: Callable[[int], bool]) -> int:
    """A negation right before an introduced phrase belongs to it ("not about space"), also
    over the generic item it qualifies ("not the ones about vietnam", "no films with X")."""
    k = j - 1
    while k >= 1 and (tokens[k] in _ARTICLES or tokens[k] in _GENERIC_ITEMS) and joined(k):
        k -= 1
    if k < j - 1 and tokens[k] in _SAID_NEGATIONS and joined(k):
        return k
    k = j - 1
    if k >= 0 and tokens[k] in _SAID_NEGATIONS and joined(k):
        return k
    return j


def _turning_start(tokens: Sequence[str], first: int, joined: Callable[[int], bool]) -> int:
    """Where a wish starts with its comparative or negation (see `modifier_start`)."""
    if not _comparative(tokens[first]):  # "a bit odd": the degree word says how far
        for size in (3, 2):
            k = first - size
            if k >= 0 and tokens[k:first] in _SMALL_DEGREES and all(map(joined, range(k, first))):
                return k
    j = first - 1
    if j >= 0 and tokens[j] == "the" and joined(j):
        j -= 1  # "less of the violence"
        if j >= 0 and tokens[j] in _SAID_NEGATIONS and joined(j):
            return j  # "not the usual underdog thing"
    if j >= 0 and tokens[j] == "of" and joined(j) and j - 1 >= 0 and tokens[j - 1] in _COMPARATIVES:
        j -= 1
    elif j != first - 1:
        return first
    if j >= 0 and tokens[j] in _COMPARATIVES and joined(j):
        return j
    if j != first - 1:
        return first
    if j >= 0 and tokens[j] == "even" and joined(j) and _comparative(tokens[first]):
        return j  # "even darker": the degree word says how far beyond what was shown
    if j >= 1 and tokens[j] == "with" and tokens[j - 1] in ("nothing", "none") and joined(j):
        return j - 1 if joined(j - 1) else first
    while j >= 0 and tokens[j] in _HEDGES and joined(j):
        j -= 1
    k = j
    while k >= 1 and tokens[k] in _ARTICLES and joined(k):
        k -= 1  # "not a gory one", "not the violent kind": the negation turns the phrase
    if k < j and tokens[k] in _SAID_NEGATIONS and joined(k):
        return k
    if j >= 1 and tokens[j] in _NEGATED_SOME and tokens[j - 1] in _SAID_NEGATIONS:
        j -= 1  # "not something depressing"
    if j >= 0 and tokens[j] in _SAID_NEGATIONS and joined(j):
        return j
    if first >= 1 and tokens[first - 1] == "too" and joined(first - 1):  # "too violent"
        k = first - 1
        return k - 1 if k >= 1 and tokens[k - 1] in _TOO_DEGREE and joined(k - 1) else k
    return first


_ARTICLES = frozenset(["a", "an", "the", "any"])
# Generic item nouns a negated wish may qualify ("not the *ones* about vietnam").
_GENERIC_ITEMS = frozenset(["one", "ones", "film", "films", "movie", "movies", "kind", "sort"])
# Comparatives of one word ("darker", "scarier"), not agent nouns of five letters or fewer.
_IRREGULAR = frozenset(["better", "worse", "less", "more", "fewer"])


def _comparative(word: str) -> bool:
    return word in _IRREGULAR or (len(word) >= 5 and word.endswith("er") and word.isalpha())


# "a bit odd", "a little bit strange": a small degree before a plain quality (not before a
# comparative, "a bit darker", whose degree the earlier labels leave out).
_SMALL_DEGREES = (["a", "bit"], ["a", "little"], ["a", "little", "bit"], ["a", "tad"])
_TOO_DEGREE = frozenset(["way", "far", "much", "waaay", "waay"])  # "way too long"
