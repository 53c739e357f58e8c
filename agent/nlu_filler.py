"""Which leftover words of a turn can be a wish, and which are filler.

A word no slot placed becomes a soft relevance hint, and the session keeps that hint, so a
word of chatter ("so bored", "no luck there", "trying to figure out", "sorry") must never
become one. Whether a word can be a wish is read from where it stands, not from a list of
chatty words:

- in the object of a content preposition: "a film *about a shark*", "*for a rainy day*",
  "set *in New York*", "*with a twist*" (up to the item noun or the end of the clause);
- right before the item noun or a catalog value, as its modifier: "a *heist-free* movie",
  "*uplifting* sports drama", "*shorter* ones";
- after "something" / "nothing" and degree words: "something *sad*", "nothing too *cheesy*";
- a comparative after a degree word or "but": "a bit *darker*", "but *shorter*", or opening
  a request ("*darker* please");
- after a contrastive negation: "scary but not *gory*", "not too *long*";
- a head noun right after a value at the end of its clause: "a war *epic*";
- a whole turn of at most three words ("pirates!").

Never a wish, wherever it stands: a phrase that points back with a demonstrative ("more *in
that direction*", "anything in that lane") or frames a title ("in the GoodFellas *mould*");
the company after "with" and a possessive ("with my *cousins*", like "for my niece"); the
verb of a clause whose subject is a person ("who *thinks*", "he only *watches* westerns");
a quantifier ("*every* one of them"), the system's own things ("in your *catalogue*"); and a
chat abbreviation with no vowel ("ngl", "tbh").

Everything else (reactions, hedges, openers, sign-offs) is filler.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from agent.nlu_asides import SMALL, fondness, judged, small_degree
from agent.nlu_clauses import PUNCT, REMOVAL
from agent.nlu_company import company, occasion, talk_colour
from agent.nlu_cues import CLAUSE_BREAKS, NEARER
from agent.nlu_extent import PREDICATE, names_the_system

ITEM_NOUNS = frozenset(
    [
        "movie",
        "movies",
        "film",
        "films",
        "flick",
        "flicks",
        "one",
        "ones",
        "thing",
        "things",
        "stuff",
        "show",
        "shows",
        "book",
        "books",
        "item",
        "items",
        "title",
        "titles",
        "pick",
        "picks",
        "option",
        "options",
    ]
)
_PREPOSITIONS = frozenset(
    [
        *("about", "abt", "with", "w", "for", "in", "featuring", "starring", "involving"),
        *("without", "by", "minus"),  # "directed by Hitchcock", "minus the violence"
    ]
)
# A condition or hedge ends a prepositional wish: "by Hitchcock *if possible otherwise* ...".
_HEDGE_BREAKS = frozenset(["if", "otherwise", "unless", "maybe", "preferably", "ideally"])
# Relative pronouns: after an item noun or value they open a clause that describes the item
# ("a drama *that will make me cry*", "a sci-fi *where robots take over*").
_RELATIVE_OPENERS = frozenset(["that", "which", "where", "thats", "that's", "that'll", "whose"])
_OWNERS = frozenset(["my", "our", "his", "her", "their", "your"])
_SOME = frozenset(["something", "nothing", "anything", "somethin", "sumthing", "sth", "smth"])
_DEGREE = frozenset(
    [
        "too",
        "more",
        "less",
        "a",
        "bit",
        "little",
        "lot",
        "much",
        "way",
        "even",
        "slightly",
        "somewhat",
        "really",
        "very",
        "so",
        "quite",
        "pretty",
        "kinda",
        "rather",
        "fairly",
        "overly",
        "that",
        "and",
        "but",
        "not",
    ]
)
# Adjectives that only pick one of many ("a particular film"): determiners, not wishes.
_PICKERS = frozenset(["particular", "specific", "certain", "random", "given", "single", "exact"])
# Quantifying determiners count items ("every one of them", "at least one"): no wish.
_QUANTIFIERS = frozenset(
    [
        *("every", "each", "another", "several", "both", "either", "neither", "least"),
        *("couple", "handful", "few"),
    ]
)
_CONTRAST = frozenset(["but", "and", "though"])
# Degree words between a negation and its word ("not too long", "not as weird", "aren't
# super violent", "isn't quite so English"): intensifiers, a closed lexical class.
_NEGATED_DEGREE = frozenset(
    [
        *("too", "so", "very", "overly", "that", "really", "as", "all", "super", "quite"),
        *("particularly", "especially", "terribly", "remotely", "extremely", "excessively"),
    ]
)
_ARTICLES = frozenset(["a", "an", "the", "something", "anything", "one"])
_RELATIVE = frozenset(["that", "which", "who"])  # "a thriller that isn't gory"
_NEGATIONS = frozenset(["not", "no", "isn't", "aren't", "nothing", "without"])
# A preposition followed by one of these points back at something already said or shown.
_POINTERS = frozenset(["that", "this", "these", "those", "same"])
# Subjects that are people, and the adverbs that may stand between them and their verb.
_PERSONS = frozenset(["who", "he", "she", "everybody", "everyone", "nobody", "someone"])
_COPULAS = frozenset(["be", "am", "feel", "i'm", "im", "was", "get"])
# Pronoun-like words that stand for items already named ("less of the rest"): no wish.
_STAND_INS = frozenset(["rest", "others", "remainder"])
_MODALS = frozenset(["might", "would", "will", "can", "could", "should", "may", "must", "won't"])
# Words after a bare comparative that close its clause: "lighter, please", "creepier than these".
_CLOSERS = frozenset(["please", "pls", "plz", "than", "but", "and", "if", "maybe"])
_FRAME_PREPOSITIONS = frozenset(["at", "for", "towards", "toward", "to"])
_VERB_ADVERBS = frozenset(["only", "actually", "really", "just", "always", "never", "still"])


# A word after these is a verb ("doesn't matter", "don't care"), never a quality wished for.
_DO_NOT = frozenset(["doesn't", "don't", "didn't", "doesnt", "dont", "didnt", "does", "do"])
# Endings of a word that says a quality ("epic", "moody", "stylish"): after a value it may be
# a wish; a plain noun there ("side", "bits", "thread") is the value's own head, no wish.
QUALITY_ENDINGS = ("ic", "ous", "ful", "ish", "ive", "y", "al", "ed", "ing", "er")


def quality_word(token: str) -> bool:
    """The word ends like an adjective or participle (see `QUALITY_ENDINGS`)."""
    return token.endswith(QUALITY_ENDINGS) and len(token) > 3


def _worked_in(tokens: Sequence[str], i: int) -> bool:
    """ "comedy *mixed* in", "romance *thrown* in": a participle and "in" closing the clause
    after a value say how the value is included; the participle is no wish of its own."""
    after = tokens[i + 1 : i + 3]
    return (
        tokens[i].endswith(("ed", "wn"))
        and after[:1] in (["in"], ["into"], ["throughout"])
        and (len(after) < 2 or not after[1].isalpha())
    )


def _aside(words: Sequence[str]) -> bool:
    """A comma-closed fragment that is a clause of its own, not a list of qualities: it opens
    with an -ing verb followed by its object ("switching gears completely")."""
    return len(words) > 1 and len(words[0]) >= 6 and words[0].endswith("ing")


_BE_FORMS = frozenset(["be", "is", "are", "was", "were", "been", "am"])


def _predicate(tokens: Sequence[str], i: int) -> bool:
    """ "better" / "worse" after a copula ("that would be even *better*") judges the whole
    wish; a quality after one ("they'd be a bit *shorter*") is still wished for."""
    k = i - 1
    while k >= 0 and tokens[k] in _DEGREE:
        k -= 1
    return tokens[i] in ("better", "worse") and k >= 0 and tokens[k] in _BE_FORMS


def _chat_abbreviation(token: str) -> bool:
    """A word with no vowel ("ngl", "tbh", "smh") is chat shorthand, never a description."""
    return len(token) >= 2 and token.isalpha() and not any(c in "aeiouy" for c in token)


def _person_verb(tokens: Sequence[str], i: int) -> bool:
    """The word is the verb of a person's clause: "who *thinks*", "he only *watches*", "my
    gran *likes*", "the whole family *knows*" (a noun after an owner word, then a verb)."""
    j = i - 1
    if j >= 0 and tokens[j] in _VERB_ADVERBS:
        j -= 1
    if not tokens[i].endswith("s") or tokens[i].endswith("ss") or j < 0:
        return False
    return tokens[j] in _PERSONS or _owned_subject(tokens, j)


def _owned_subject(tokens: Sequence[str], j: int) -> bool:
    """Token j is a noun right after an owner word ("my *gran*", "the whole *family*") and
    a verb in -s follows it: the subject of a clause about a person."""
    k = j - 1
    whole = k >= 1 and tokens[k - 1 : k + 1] == ["the", "whole"]
    return (
        k >= 0
        and (tokens[k] in _OWNERS or whole or tokens[k].endswith(("'s", "s'")))
        and tokens[j].isalpha()
        and not tokens[j].endswith("s")
        and j + 1 < len(tokens)
        and tokens[j + 1].endswith("s")
        and tokens[j + 1].isalpha()
    )


def _frame_verb(tokens: Sequence[str], i: int, values: Collection[int]) -> bool:
    """A participle whose preposition's object is a catalog value ("nothing *aimed* at
    kids", "*made* for children"): it frames the value, the value is the wish."""
    t = tokens[i]
    if not t.endswith("ed") or tokens[i + 1 : i + 2] not in ([p] for p in _FRAME_PREPOSITIONS):
        return False
    j = i + 2
    while j < len(tokens) and tokens[j] in ("a", "an", "the", "young", "little", "small"):
        j += 1
    return j in values


def _wish_clause_before(
    tokens: Sequence[str], comma: int, values: Collection[int], heads: Collection[str]
) -> bool:
    """The clause before the comma at `comma` names a value or an item ("animation, not
    Disney", "a drama, no subtitles"), so a negation after it goes on with the wish; not
    "hmm, no joy with those"."""
    j = comma - 1
    while j >= 0 and tokens[j] not in PUNCT:
        if j in values or tokens[j] in heads:
            return True
        j -= 1
    return False


def _subject(tokens: Sequence[str], i: int) -> bool:
    """The word is the subject of a modal verb ("my grandparents *might* enjoy", "the whole
    family *can* sit through"): who watches, not what; not the object of a preposition ("a
    mystery set on a *train* would be perfect")."""
    if tokens[i + 1 : i + 2] not in ([m] for m in _MODALS):
        return False
    j = i - 1
    while j >= 0 and tokens[j] in ("a", "an", "the", "some"):
        j -= 1
    set_at = tokens[j] in ("on", "at", "during") and tokens[j - 1 : j] == ["set"]
    return j < 0 or not (tokens[j] in _PREPOSITIONS or set_at)


def _object_relative(tokens: Sequence[str], i: int, boundary: Collection[int]) -> bool:
    """The relative clause at i has its own subject before a modal ("a thriller that *the
    whole office can* watch"): it says who watches the item, not what the item is."""
    if judged(tokens, i):
        return True
    j = i + 1
    while j < len(tokens) and j not in boundary:
        if tokens[j] in _MODALS:
            return j > i + 1
        j += 1
    return False


# Object pronouns: an item noun right before one is a verb ("*show* me", "*pick* us").
_OBJECT_PRONOUNS = frozenset(["me", "us", "him", "her", "them", "something", "anything"])
# Nouns of the respect two items compare in ("close to Fargo *in tone*"): no wish alone.
_RESPECTS = frozenset(["tone", "style", "feel", "spirit", "vibe", "mood", "terms", "flavour"])
# Words a frame noun may stand before: the end of its phrase ("the thriller *section* from").
_PHRASE_CLOSERS = frozenset(["and", "or", "from", "in", "of", "for", "with", "that", "pls"])


# Hedges that may open a clause of bare qualities: ", ideally foreign", "preferably subtitled".
_HEDGE_OPENERS = frozenset(["ideally", "preferably", "possibly"])
_KINDS = frozenset(["kind", "sort", "type"])  # "the kind where you only figure out ..."
_POLITE = frozenset(["please", "pls", "plz", "thanks", "ideally", "preferably"])


def _head_of(tokens: Sequence[str], j: int, boundary: Collection[int]) -> bool:
    """Token j (a plain word) is a noun closing the phrase of the comparative before it
    ("happier *endings*"): then a clause break, the end, or the sentence's own verb."""
    if j >= len(tokens) or j in boundary or quality_word(tokens[j]):
        return False
    after = tokens[j + 1 : j + 2]
    return not after or j + 1 in boundary or after[0] in PREDICATE or after[0] in _POLITE


def _bare_phrase(tokens: Sequence[str], i: int, content: Any) -> list[int]:
    """A clause that is one bare noun phrase: an article and one word ("an epic,") or one
    word and a please ("tearjerker please"): the word is the wish."""
    j = i
    article = j < len(tokens) and tokens[j] in ("a", "an")
    j += article
    if j >= len(tokens) or not content(j):
        return []
    rest = tokens[j + 1 : j + 2]
    closed = not rest or rest[0] in PUNCT
    polite = bool(rest) and rest[0] in ("please", "pls", "plz")
    polite = polite and (j + 2 >= len(tokens) or tokens[j + 2] in PUNCT)
    return [j] if (article and closed) or polite else []


def _frame_noun(
    tokens: Sequence[str],
    i: int,
    values: Collection[int],
    names: Collection[int],
    boundary: Collection[int],
) -> bool:
    """A plain noun right after a value or title that closes its phrase frames it: "in the
    thriller *section*", "the horror *department*", "a musical *side*", "a Pulp Fiction
    *itch*" (a quality word there, "a war *epic*", still describes); or the respect two items
    compare in, "close to Fargo in *tone*"."""
    after = i + 1 >= len(tokens) or i + 1 in boundary or tokens[i + 1] in PUNCT
    after = after or tokens[i + 1] in _PHRASE_CLOSERS
    if tokens[i] in _RESPECTS and tokens[i - 1 : i] == ["in"]:
        return after
    framed = (i - 1 in values or i - 1 in names) and tokens[i].isalpha()
    return framed and after and not quality_word(tokens[i])


def catalog_nouns(title_keys: Collection[str], share: float = 0.05) -> frozenset[str]:
    """The item nouns of a catalog: last words of many titles ("jacket"), read off the data."""
    counts: dict[str, int] = {}
    for key in title_keys:
        last = key.rsplit(" ", 1)[-1]
        if last.isalpha():
            counts[last] = counts.get(last, 0) + 1
    limit = max(3, share * len(title_keys))
    return frozenset(w for w, c in counts.items() if c > limit)


def _is_word(token: str) -> bool:
    return token not in PUNCT


def _company(tokens: Sequence[str], i: int, nouns: Collection[str]) -> bool:
    """Who it is for or with, or (in a catalog of titled works) the occasion: no wish."""
    return company(tokens, i) or (not nouns and occasion(tokens, i))


def _points_back(tokens: Sequence[str], i: int) -> bool:
    """The phrase starting at i opens with a pointer ("that lane", "the same vein") or names
    the system's own things ("in your catalogue")."""
    if tokens[i : i + 1] == ["your"] or names_the_system(tokens[i : i + 2]):
        return True
    if tokens[i : i + 1] == ["the"]:
        i += 1
    return i < len(tokens) and tokens[i] in _POINTERS


# How near the list came, said of the list ("closer!", "warmer", "better, but no"): a
# reaction, never a quality of the item wished for; and apologies.
_NEARNESS = frozenset([*NEARER, "wrong", "sorry", "sry", "soz", "miss", "swing"])
_AFTER_BETTER = frozenset(["rated", "reviewed", "quality", "known", "acted", "written"])


def _progress(tokens: Sequence[str], i: int) -> bool:
    """A word of the user's reaction to the list's progress (see `_NEARNESS`), "keep going",
    the refusal "I'll pass", or "fancy" as the verb opening a wish."""
    t = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    prev = tokens[i - 1] if i > 0 else ""
    if t in _NEARNESS:
        return not (t == "better" and nxt in _AFTER_BETTER)
    if (t, nxt) == ("keep", "going") or (prev, t) == ("keep", "going"):
        return True
    if t == "fancy" and (i == 0 or prev in PUNCT or prev in ("i", "i'd", "id", "would", "do")):
        return True  # "fancy one from the 90s": the verb of a wish, not "a fancy one"
    if nxt in ("it", "them") and tokens[i + 2 : i + 3] in (["down"], ["out"], ["up"]):
        return True  # "pin it down", "figure it out": the user's own trouble, no wish
    return t == "pass" and prev in ("i'll", "ill", "i'd", "id", "will", "would")


def wish_positions(
    tokens: Sequence[str],
    starts: Collection[int],
    values: Collection[int],
    function_words: Collection[str],
    nouns: Collection[str] = (),
    names: Collection[int] = (),
) -> set[int]:
    """Token positions whose words may be a wish (see the module docstring).

    `starts` are clause starts punctuation does not mark; `values` token positions of catalog
    values; `function_words` the words that never carry a wish (stopwords); `nouns` the
    catalog's own item nouns beside the generic ones ("jacket"); `names` token positions of
    titles, whose frame words ("in the *spirit* of Fargo") are no wish either."""
    heads = ITEM_NOUNS | set(nouns)
    n = len(tokens)
    boundary = {i for i, t in enumerate(tokens) if t in PUNCT or t in CLAUSE_BREAKS}
    boundary |= set(starts)

    def content(i: int) -> bool:
        t = tokens[i]
        return (
            _is_word(t)
            and i not in values
            and t not in function_words
            and t not in heads
            and t not in _PICKERS
            and t not in _QUANTIFIERS
            and t not in REMOVAL
            and t not in _STAND_INS
            and not (
                tokens[i + 1 : i + 2] == ["of"] and (i + 2 in names or _points_back(tokens, i + 2))
            )
            and not _chat_abbreviation(t)
            and not _progress(tokens, i)  # "closer!", "keep going", "I'll pass", "sorry"
            and not fondness(tokens, i)  # "a sucker for heists"
            and not talk_colour(t)  # "abeg", "correct action movies"
            and not _person_verb(tokens, i)
            and not _owned_subject(tokens, i)
            and not _subject(tokens, i)
            and not _frame_verb(tokens, i, values)
            and not (i - 1 in values and tokens[i - 1].endswith(("'s", "s'")))  # "women's cuts"
            and not (i - 1 in values and _worked_in(tokens, i))  # "some comedy mixed in"
            and not (i >= 1 and tokens[i - 1] in _DO_NOT)  # "doesn't matter": a verb
            and not _frame_noun(tokens, i, values, names, boundary)
        )

    keep: set[int] = set()
    words = [i for i in range(n) if _is_word(tokens[i])]
    if 0 < len(words) <= 3 and all(content(i) for i in words):
        keep.update(words)  # a bare noun phrase: "pirates!"
    for i, token in enumerate(tokens):
        if _company(tokens, i, nouns):
            pass  # "for my niece", "with our kids": who it is for, no wish
        elif token in _PREPOSITIONS and _points_back(tokens, i + 1):
            pass  # "more in that direction", "in the same vein": a pointer, no wish
        elif (
            token in _PREPOSITIONS
            or (token in ("at", "on", "during") and tokens[i - 1 : i] == ["set"])
            or (token == "on" and tokens[i - 1 : i] == ["based"])
        ):
            # "about a shark terrorizing a beach town", "set at sea"
            j = i + 1
            while j < n and j not in boundary and tokens[j] not in heads and j not in names:
                if _company(tokens, j, nouns) or tokens[j] in _HEDGE_BREAKS:
                    break  # "for the weekend with my cousins"
                if tokens[j] in ("in", "on", "from") and names_the_system(tokens[j + 1 : j + 3]):
                    break  # "about music *in the catalogue*"
                if tokens[j] in PREDICATE and j > i + 1:
                    break  # "set in england *would* hit the spot": the sentence's own verb
                if tokens[j] == "at" and not keep.intersection(range(i + 1, j)):
                    break  # "for women at the moment": "at" opens no wish after a value
                if content(j):
                    keep.add(j)
                j += 1
        described = i >= 1 and (
            tokens[i - 1] in heads
            or i - 1 in values
            or tokens[i - 1] in _SOME
            or tokens[i - 1] in _KINDS
            or (i - 1 in names and token == "where")  # "like Fargo where it snows"
            or (tokens[i - 1] in ("any", "some") and token == "where")  # "any where ..."
        )
        if token in _RELATIVE_OPENERS and described and not _object_relative(tokens, i, boundary):
            j = i + 1  # the relative clause describes the item, up to the clause end
            while j < n and j not in boundary and j not in values:
                if content(j) and tokens[j] not in _MODALS:
                    keep.add(j)
                j += 1
        verb = token in heads and tokens[i + 1 : i + 2] in ([p] for p in _OBJECT_PRONOUNS)
        if (token in heads and not verb) or i in values:  # "uplifting sports drama"
            j = i - 1
            while j >= 0 and j + 1 not in boundary:
                if tokens[j] in ("and", "or") and j > 0 and content(j - 1):
                    j -= 1  # "black and white noir", "sword fights and adventure"
                    continue
                if tokens[j] == "," and j >= 2 and content(j - 1) and tokens[j - 2] in ("a", "an"):
                    keep.add(j - 1)  # "a slow, thoughtful drama"
                    break
                if not content(j):
                    break
                keep.add(j)
                j -= 1
        if token in ("more", "too", "less") and i + 1 < n and content(i + 1):
            keep.add(i + 1)  # "a bit more serious", "too dark"
        if token in ("more", "less") and tokens[i + 1 : i + 2] == ["of"]:
            j = i + 3 if tokens[i + 2 : i + 3] == ["the"] else i + 2
            if j < n and content(j):
                keep.add(j)  # "less of the violence"
        if token in _SOME:  # "something sad", "nothing too cheesy", "something dark and gritty"
            j = i + 1
            while (
                j < n and j not in boundary and (tokens[j] in _DEGREE or content(j) or j in values)
            ):
                frame = tokens[j].endswith("ly") and not (
                    j + 1 < n and (content(j + 1) or j + 1 in values)
                )
                if content(j) and not frame:  # "something exactly like X": a frame's adverb
                    keep.add(j)
                j += 1
        head_after = i in values and i + 1 < n and content(i + 1) and len(tokens[i + 1]) >= 4
        head_after = head_after and not token.endswith(("'s", "s'"))  # "women's cuts": the item
        if head_after and (i + 2 >= n or (i + 2) in boundary) and quality_word(tokens[i + 1]):
            keep.add(i + 1)  # "a war epic"; not "the comedy side", "no horror bits"
        if content(i) and token.endswith("er") and len(token) >= 5 and not _predicate(tokens, i):
            prev = tokens[i - 1] if i > 0 else ""
            after = tokens[i + 1] if i + 1 < n else ""
            opens = i == 0 or prev in PUNCT or i in boundary
            closes = i + 1 >= n or after in PUNCT or after in _CLOSERS or (i + 1) in boundary
            if prev in _DEGREE or (opens and (closes or after in heads)):
                keep.add(i)  # "a bit darker", "but shorter", "darker please", ", goofier"
            elif prev == "the" and tokens[i + 1 : i + 3] in (["the", "better"], ["the", "more"]):
                keep.add(i)  # "the moodier the better"
        said_of_me = i > 0 and tokens[i - 1] in _COPULAS  # "I'd be happier if ..."
        if content(i) and token.endswith("ier") and len(token) >= 6 and not said_of_me:
            keep.add(i)  # "creepier", "goofier": a comparative of a quality wherever it stands
        plain = i + 1 < n and tokens[i + 1].isalpha() and tokens[i + 1] not in function_words
        plain = plain and tokens[i + 1] not in heads and i + 1 not in values
        if i in keep and token.endswith("er") and plain and _head_of(tokens, i + 1, boundary):
            keep.add(i + 1)  # "happier endings would suit me": the comparative's own noun
        if token in _HEDGE_OPENERS and i + 1 < n:  # ", ideally foreign": a wish, hedged
            j = i + 1
            while j < n and j not in boundary and content(j):
                j += 1
            if 0 < j - i - 1 <= 2 and (j >= n or j in boundary):
                keep.update(range(i + 1, j))
        if i in boundary or i == 0:  # "an epic, something long": a clause of one noun phrase
            keep.update(_bare_phrase(tokens, i if i in starts or i == 0 else i + 1, content))
        if token == "," and i + 1 < n:  # "small, weird, sad": a list of bare qualities
            j = i + 1
            while j < n and (
                content(j) or tokens[j] == "and" or small_degree(tokens, j)  # "and a bit odd"
            ):
                j += 1
            size = j - i - 1 - sum(tokens[k] in SMALL for k in range(i + 1, j))
            item = 0 < size <= 3 and (j >= n or tokens[j] in PUNCT) and content(j - 1)
            item = item and not _aside(tokens[i + 1 : j])  # ", switching gears completely,"
            first = i >= 1 and content(i - 1) and (i == 1 or tokens[i - 2] in PUNCT)
            listed = first or (j < n and tokens[j] == ",") or "and" in tokens[i + 1 : j]
            if item and listed:  # two items at least, or "gentle and odd": not ", thoughts?"
                keep.update(k for k in range(i + 1, j) if content(k))
                if first:
                    keep.add(i - 1)  # the list's first word opens the turn or a sentence
        if token in _NEGATIONS and i + 1 < n:
            prev = tokens[i - 1] if i > 0 else ""
            j = i + 1
            while j < n and tokens[j] in _NEGATED_DEGREE:
                j += 1
            degree = j > i + 1 and tokens[j - 1] not in _ARTICLES
            while j < n and tokens[j] in _ARTICLES:
                j += 1  # "but not a slasher", ", not the space kind"
            after_comma = prev in PUNCT and _wish_clause_before(tokens, i - 1, values, heads)
            if token == "no" and tokens[j + 1 : j + 2] in ([","], [";"]):
                after_comma = False  # "a rain jacket, no sorry, a shell one": a correction
            copula = prev in _BE_FORMS and tokens[i - 2 : i - 1] in ([r] for r in _RELATIVE)
            said = degree or prev in _CONTRAST or prev in _RELATIVE or after_comma or copula
            if j < n and content(j) and said:
                keep.add(j)  # "but not gory", "not too long", "that isn't gory"
                while j + 1 < n and j + 1 not in boundary and content(j + 1):
                    j += 1  # "no talking animals", "not John Ford"
                    keep.add(j)
    return keep


def foreign_turn(text: str, english: Collection[str], known: Collection[str] = ()) -> bool:
    """The turn is written in another language ("quiero una comedia", "von vorne, bitte"): its
    leftover words are no English wish. Read from the words themselves: most of the longer
    lower-case words are neither English (`english`, common words of five letters or more) nor
    the catalog's (`known`), or a word carries a letter outside ASCII ("película"). Names
    ("Dustin Hoffman") are capitalised mid-sentence and do not count."""
    if not english:
        return False
    long_words, strange = 0, 0
    for m in re.finditer(r"\w+", text):
        word = m.group()
        if not word.isalpha() or len(word) < 5:
            continue
        if word[0].isupper() and m.start() > 0 and text[: m.start()].rstrip()[-1:] not in ".!?¿¡":
            continue  # a name mid-sentence
        low = word.lower()
        long_words += 1
        if not low.isascii() or not _known_word(low, english, known):
            strange += 1
    accented = any(not c.isascii() and c.isalpha() for c in text)
    return (strange >= 2 and 3 * strange >= 2 * long_words) or (accented and strange >= 1)


_ENDINGS = ("s", "es", "ed", "d", "ing", "ly", "er", "est", "y")


def _known_word(word: str, english: Collection[str], known: Collection[str]) -> bool:
    """An English word or an inflection of one ("parkas", "hooded", "breathes", "thats")."""
    if word in english or word in known:
        return True
    for end in _ENDINGS:
        stem = word[: -len(end)]
        if word.endswith(end) and (stem in english or f"{stem}e" in english or stem in known):
            return True
    return word.endswith(("nt", "ts")) and (word[:-1] in english or word[:-2] in english)
