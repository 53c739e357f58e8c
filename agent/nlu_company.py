"""Who an item is for or with, the occasion it is for, and words that only colour the talk.

Split from `agent.nlu_filler` (which says which leftover words may be a wish): none of these
is a wish the catalog could search for, so none may become an unplaced hint.

- Company: "for my niece", "with two teenagers", "for a bunch of uni mates", "for a family
  with kids", "for a boy of ten": a preposition whose object is a person (a noun of the
  lexical class of people named by kinship, age, role or group, after at most a few
  determiners, numbers and modifiers). Audience-age words that say what kind of item it is
  ("for grown-ups", "for adults") are no company: they describe the item.
- Occasion: "for a long flight", "for the train journey", "for school", "for halloween
  night". In a catalog of titled works (films) an occasion says when the user watches, not
  what; in a catalog of goods named by their kind ("rain jacket", "fleece") the use is a
  requirement on the item ("for hiking"), so it stays a wish there. A "for" that a verb
  selects ("looking for", "go for", "in the mood for") introduces the item itself.
- Talk colour: discourse particles and tags of world Englishes ("abeg", "sha", "oi", "lah"),
  terms of address ("mister", "sir"), praise or intensifying adjectives that grade rather than describe ("correct action
  movies", "a lekker western", "pure action", "a wee documentary", "timepass movie").

Each phrase runs from the word after the preposition to the end of its clause, or to a word
that opens another wish ("for school *about* history").
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from agent.nlu_clauses import PUNCT
from agent.nlu_cues import CLAUSE_BREAKS, NUMBER_WORDS

# Generic item nouns (a film, a movie, ones): a phrase holding one names the item.
ITEM_NOUNS = frozenset(["movie", "movies", "film", "films", "flick", "flicks", "one", "ones"])
_OWNERS = frozenset(["my", "our", "his", "her", "their", "your"])
# People named by kinship, age, role or group (a lexical class): who watches or wears it.
PERSON_NOUNS = frozenset(
    [
        *("friend", "friends", "mate", "mates", "pal", "pals", "buddy", "buddies", "family"),
        *("families", "teenager", "teenagers", "teen", "teens", "kid", "kids", "child"),
        *("children", "toddler", "toddlers", "boys", "girls", "lads", "folks", "people"),
        *("parent", "parents", "mum", "mom", "mother", "dad", "father", "gran", "granny"),
        *("grandma", "grandpa", "grandad", "granddad", "nan", "nana", "grandparents"),
        *("grandkids", "grandson", "granddaughter", "grandchildren", "oupa", "ouma"),
        *("wife", "husband", "partner", "spouse", "girlfriend", "boyfriend", "gf", "bf"),
        *("fiance", "fiancee", "sister", "sisters", "brother", "brothers", "siblings"),
        *("son", "sons", "daughter", "daughters", "niece", "nephew", "cousin", "cousins"),
        *("aunt", "auntie", "uncle", "laws", "colleague", "colleagues", "coworkers"),
        *("classmates", "students", "pupils", "class", "group", "bunch", "crowd", "gang"),
        *("team", "guests", "neighbours", "neighbors", "flatmates", "roommates"),
        *("fella", "fellas", "fellow", "chap", "chaps", "bloke", "blokes", "lad", "gent"),
        *("gents", "hubby", "missus", "wifey", "bestie", "bff"),
    ]
)
# Words that may stand between the preposition and the person: "a bunch of uni", "two".
_PERSON_FILL = frozenset(
    [
        *("a", "an", "the", "some", "few", "couple", "of", "whole", "little", "young"),
        *("small", "big", "older", "younger", "elderly", "teenage", "several", "uni"),
    ]
)
_MAX_FILL = 4
# Verbs and frames that select "for" as their object's marker: the object is the item.
FOR_VERBS = frozenset(
    [
        *("look", "looking", "looked", "search", "searching", "hunt", "hunting", "ask"),
        *("asking", "go", "going", "opt", "mood", "up", "hope", "hoping", "wish", "long"),
        *("longing", "yearning", "craving", "wait", "waiting", "settle", "aim", "vote"),
    ]
)
# Objects of "for" that are the item or a pronoun, never an occasion.
_NOT_OCCASIONS = frozenset(
    [
        *("something", "anything", "nothing", "somethin", "sth", "smth", "me", "us", "him"),
        *("her", "them", "you", "one", "ones", "it", "this", "that", "these", "those", "now"),
        *("once", "sure", "real", "example", "instance", "fans", "fun", "more"),
    ]
)
# Audience ages that say what kind of item it is ("animation for grown-ups"): a wish.
_AUDIENCE_AGES = frozenset(["adults", "adult", "grown", "grownups", "mature", "older"])
# Words that end a company or occasion phrase: they open another wish.
_PHRASE_ENDS = frozenset(
    [
        *("with", "about", "abt", "featuring", "starring", "involving", "set", "that"),
        *("which", "where", "like", "from", "than", "without", "minus", "if", "please"),
        *("pls", "plz", "ideally", "preferably", "maybe"),
    ]
)
# Discourse particles and tags (a lexical class of world Englishes): they colour the talk.
PARTICLES = frozenset(
    [
        *("abeg", "sha", "jare", "oya", "lah", "leh", "lor", "sia", "oi", "oy", "eh"),
        *("innit", "yaar", "bhai", "bruv", "fam", "ja", "hey", "yo"),
        # terms of address (vocatives): "Mister, do you have ...", "any westerns, sir?"
        *("mister", "sir", "madam", "maam", "ma'am", "guv", "bro", "squire"),
    ]
)
# Praise and intensifying adjectives that grade rather than describe ("correct action
# movies", "a lekker western", "pure action"), and "timepass" (light entertainment).
PRAISE = frozenset(
    [
        *("correct", "decent", "proper", "pure", "solid", "lekker", "brill", "wee"),
        *("timepass", "banger", "bangers", "legit", "sick", "dope"),
        # praise that grades ("the perfect film", "an amazing thriller"): no description
        *("perfect", "ideal", "amazing", "brilliant", "fantastic", "superb", "terrific"),
        *("wonderful", "fabulous", "marvellous", "marvelous", "outstanding", "flawless"),
    ]
)


def talk_colour(token: str) -> bool:
    """A discourse particle or a grading adjective (see the module docstring): no wish."""
    return token in PARTICLES or token in PRAISE


def _number(token: str) -> bool:
    return token.isdigit() or token in NUMBER_WORDS


def _aged(tokens: Sequence[str], i: int) -> bool:
    """The phrase from i names someone by age up to its clause end ("a six-year-old", "a boy
    of ten", "a 7 year old"): a person, never the item."""
    j = i
    while j < len(tokens) and tokens[j] not in PUNCT and tokens[j] not in CLAUSE_BREAKS:
        number = _number(tokens[j])
        if tokens[j] in ("year", "years", "yr") and tokens[j + 1 : j + 2] == ["old"]:
            return True
        if tokens[j] == "of" and j + 1 < len(tokens) and _number(tokens[j + 1]):
            return j + 2 >= len(tokens) or tokens[j + 2] in PUNCT
        if number and tokens[j + 1 : j + 2] in (["yo"], ["yrs"]):
            return True
        j += 1
    return False


def _person_after(tokens: Sequence[str], i: int) -> bool:
    """A person noun follows position i over a few determiners, numbers and modifiers."""
    j = i + 1
    while j < len(tokens) and j - i <= _MAX_FILL + 1:
        t = tokens[j]
        if t in PERSON_NOUNS:
            return True
        if t in _AUDIENCE_AGES or not (t in _PERSON_FILL or _number(t)):
            return False
        j += 1
    return False


def occasion(tokens: Sequence[str], i: int) -> bool:
    """ "for a long flight", "for school": an occasion, when "for" is no verb's marker and its
    object is no item, pronoun, use ("for cycling") or audience age."""
    if tokens[i] != "for" or i + 1 >= len(tokens):
        return False
    if i >= 1 and tokens[i - 1] in FOR_VERBS:
        return False
    j = i + 1
    while j < len(tokens) and tokens[j] in ("a", "an", "the", "some"):
        j += 1
    if j >= len(tokens):
        return False
    t = tokens[j]
    gerund = len(t) >= 6 and t.endswith("ing") and not t.endswith("thing")
    return (
        t.isalpha()
        and t not in _NOT_OCCASIONS
        and t not in _AUDIENCE_AGES
        and t not in _OWNERS
        and t not in _PHRASE_ENDS
        and not gerund
    )


_MIND = ("head", "mind", "memory", "brain", "thoughts", "heart")


def company(tokens: Sequence[str], i: int) -> bool:
    """Who it is for or with, at the preposition i (see the module docstring)."""
    t = tokens[i]
    if t in ("in", "on", "from") and tokens[i + 1 : i + 2] in (["my"], ["our"]):
        # "kinda in my head", "on my mind", "from my memory": where the user holds it
        return tokens[i + 2 : i + 3] in ([w] for w in _MIND)
    if t not in ("for", "with", "w"):
        return False
    closing = i + 3 >= len(tokens) or tokens[i + 3] in PUNCT
    if t == "with" and tokens[i + 1 : i + 2] == ["the"] and i + 2 < len(tokens) and closing:
        return True  # "with the gang"
    if _aged(tokens, i + 1) or tokens[i + 1 : i + 2] in ([o] for o in _OWNERS):
        return True
    return _person_after(tokens, i)


def company_positions(
    tokens: Sequence[str], nouns: Collection[str] = (), values: Collection[int] = ()
) -> set[int]:
    """Token positions naming who the item is for or with ("for a six-year-old", "with my
    cousins") and, in a catalog of titled works (no kind nouns, `nouns` empty), the occasion
    ("for a long flight"), up to the clause end or a word that opens another wish: no wish,
    not even as a hyphened compound. An occasion phrase that holds a catalog value (`values`,
    token positions) or an item noun names the item ("recommendations for a quirky comedy")."""
    out: set[int] = set()
    for i in range(len(tokens) - 1):
        if not (company(tokens, i) or (not nouns and occasion(tokens, i))):
            continue
        span = []
        j = i + 1
        while j < len(tokens) and tokens[j] not in PUNCT and tokens[j] not in CLAUSE_BREAKS:
            if j > i + 1 and tokens[j] in _PHRASE_ENDS:
                break
            span.append(j)
            j += 1
        item = any(k in values or tokens[k] in ITEM_NOUNS for k in span)
        if company(tokens, i) or not item:
            out.update(span)
    return out
