"""A value's synonym used as a topic: "a fantasy film *with dragons*", "*about a heist*".

A catalog's synonyms map everyday words to attribute values ("dragons" -> Fantasy, "heist"
-> Crime, "space" -> Sci-Fi, "detective" -> Mystery). Where such a word is what a film is
*about* or *has in it*, the user describes content, not the value: "a documentary about
space travel" does not ask for science fiction, "ones with a female detective" is no request
for mysteries, and "a crime film about a heist" names Crime once, by its own name. The parser
then keeps the words as an unplaced wish, with the preposition that introduces them, as the
labelling convention says (tests/data/nlu/README.md, "Unplaced extent").

Read from where the synonym stands (function words only; the synonyms themselves come from
the catalog's schema):

- in the object of a content preposition ("about", "with", "w/", "featuring", "involving",
  "starring", "set in/on/at"), with determiners, quantities and at most two modifiers between
  ("with *lots of* explosions", "with *a female* detective"): a topic. "what/how about X"
  offers X as a choice, and "with my kids" names company, so neither is a topic; a synonym
  that modifies an item noun ("about space films") still names the value;
- negated ("without aliens", "not a slasher", "nothing with the mafia") while the same value
  is wanted by another word of the turn ("sci fi without aliens", "something scary but not a
  slasher"): a kind the user rules out within the value. Negated alone ("without the
  singing") it still excludes the value.

The value's own name ("comedies", "sci-fi") is never a topic, nor a misspelling matched
fuzzily.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from agent.nlu_clauses import PUNCT
from agent.nlu_cues import CLAUSE_BREAKS
from agent.nlu_forms import derived_forms, derived_phrases
from agent.vocab import ValueHit, Vocabulary
from agent.vocab_attrs import value_variants

# Prepositions whose object is what the item is about or has in it.
_CONTENT_PREPOSITIONS = frozenset(
    ["about", "abt", "with", "w", "featuring", "involving", "starring"]
)
_SETTINGS = frozenset(["in", "on", "at", "during"])
# A value's derived form ("music" of Musical) is a topic only as what the item is about or
# where it is set ("about music", "where the music ..."); "with music" still names the value.
_SUBJECT_OPENERS = frozenset(
    ["about", "abt", "involving", "where", *_SETTINGS]
)  # after "set": "set in space"
# Words that may stand between the preposition and the topic: determiners and quantities.
_BETWEEN = frozenset(
    [
        *("a", "an", "the", "some", "any", "lots", "lot", "of", "plenty", "many", "more", "few"),
        *("loads", "tons", "real", "actual", "proper", "big", "little"),
    ]
)
_MAX_MODIFIERS = 2  # "with a *clever female* detective"
_OWNERS = frozenset(["my", "our", "his", "her", "their", "your"])
_OFFERS = frozenset(["what", "how", "wat", "whatabout"])  # "what about comedies?": a choice
_NEGATORS = frozenset(["not", "no", "nothing", "none", "without", "never", "minus"])
_NEGATION_FILL = frozenset(["a", "an", "the", "any", "more", "too", "so", "those", "these"])
_SEEN: dict[int, tuple[Vocabulary, frozenset[tuple[str, str]]]] = {}
_DERIVED: dict[int, tuple[Vocabulary, frozenset[tuple[str, str]]]] = {}


def derived_pairs(vocab: Vocabulary) -> frozenset[tuple[str, str]]:
    """(attribute, form) for the values' derived forms ("music", "dramatic"), once per
    vocabulary."""
    cached = _DERIVED.get(id(vocab))
    if cached is not None and cached[0] is vocab:
        return cached[1]
    pairs = frozenset((a, f) for f, entries in derived_phrases(vocab).items() for a, _ in entries)
    if len(_DERIVED) > 16:
        _DERIVED.clear()
    _DERIVED[id(vocab)] = (vocab, pairs)
    return pairs


def synonym_phrases(vocab: Vocabulary) -> frozenset[tuple[str, str]]:
    """(attribute, phrase) pairs that name a value by another word than its own name (the
    schema's synonyms: "dragons" for Fantasy), computed once per vocabulary."""
    cached = _SEEN.get(id(vocab))
    if cached is not None and cached[0] is vocab:
        return cached[1]
    found: set[tuple[str, str]] = set()
    for attr in vocab.categorical.values():
        own = {form for value in attr.values for form in value_variants(value)}
        found.update(
            (attr.name, p)
            for p in attr.phrases
            if p not in own and not own.intersection(p.split(" "))  # "war movie": own name
        )
    found.update(derived_pairs(vocab))  # "music" of Musical, "dramatic" of Drama
    if len(_SEEN) > 16:
        _SEEN.clear()
    result = frozenset(found)
    _SEEN[id(vocab)] = (vocab, result)
    return result


def _opener(
    tokens: Sequence[str], hit: ValueHit, free: Callable[[int], bool], heads: Collection[str]
) -> int | None:
    """Where the content preposition whose object holds the hit stands, or None (see the
    module docstring); "where" after an item noun opens content too ("films where the music
    is the star")."""
    j, modifiers = hit.start - 1, 0
    while j >= 0:
        t = tokens[j]
        if (
            t in _CONTENT_PREPOSITIONS
            or (t in _SETTINGS and tokens[j - 1 : j] == ["set"])
            or (t == "where" and j > 0 and tokens[j - 1] in heads)
        ):
            if t == "about" and j > 0 and tokens[j - 1] in _OFFERS:
                return None  # "what about westerns?"
            if t in ("with", "w") and tokens[j + 1 : j + 2] in ([o] for o in _OWNERS):
                return None  # "with my kids": company, not content
            return j
        if t in _BETWEEN:
            j -= 1
            continue
        if not free(j) or modifiers >= _MAX_MODIFIERS:
            return None
        modifiers += 1
        j -= 1
    return None


def _negated(tokens: Sequence[str], start: int) -> bool:
    """A negation stands before position `start`, over articles and degree words."""
    j = start - 1
    while j >= 0 and tokens[j] in _NEGATION_FILL:
        j -= 1
    return j >= 0 and tokens[j] in _NEGATORS


def topic_hits(
    tokens: Sequence[str],
    hits: Sequence[ValueHit],
    vocab: Vocabulary,
    heads: Collection[str],
) -> tuple[list[ValueHit], list[ValueHit]]:
    """The hits that name a value, and those whose synonym is a topic (see the module
    docstring). `heads` are item nouns ("film", the catalog's "jacket"): a synonym before one
    modifies it and names the value."""
    synonyms = synonym_phrases(vocab)
    derived_only = derived_pairs(vocab)
    positions = {i for h in hits for i in range(h.start, h.end)}

    def free(i: int) -> bool:  # a plain word ("grumpy", "old"): no value, no punctuation
        t = tokens[i]
        return (
            i not in positions
            and t not in PUNCT
            and t not in CLAUSE_BREAKS
            and t not in heads
            and t.isalpha()
        )

    def item_after(h: ValueHit) -> bool:  # "about space films": the value, as a kind
        return h.end < len(tokens) and (tokens[h.end] in heads or h.end in positions)

    def wanted_elsewhere(h: ValueHit) -> bool:  # another word of the turn asks for the value
        return any(
            o is not h
            and o.attribute == h.attribute
            and set(o.values) & set(h.values)
            and not _negated(tokens, o.start)
            for o in hits
        )

    kept, topics = [], []
    for hit in hits:
        phrase = " ".join(tokens[hit.start : hit.end])
        synonym = not hit.fuzzy and (hit.attribute, phrase) in synonyms
        if not synonym or item_after(hit):
            kept.append(hit)
            continue
        opener = _opener(tokens, hit, free, heads)
        negated = _negated(tokens, hit.start if opener is None else opener)
        # "no slashers" beside "horror": a kind ruled out within the value; "nothing too
        # scary": a tone turned down, not the value; else "with dragons", "set in space"
        beside = any(o is not hit and not _negated(tokens, o.start) for o in hits)
        tone = opener is None and _tone_word(phrase, hit.values) and _modified(tokens, hit, beside)
        if opener is not None and (hit.attribute, phrase) in derived_only:
            opener = opener if tokens[opener] in _SUBJECT_OPENERS else None  # "with music"
        topic = (wanted_elsewhere(hit) or tone) if negated else opener is not None
        (topics if topic else kept).append(hit)
    return kept, topics


# Endings of an adjective of feeling or manner ("scary", "spooky", "horrific"); a schema
# synonym with one, negated ("nothing too scary", "no spooky bits"), turns a tone down
# rather than the value (the value's own derived forms, "nothing romantic", still exclude it).
_TONE_ENDINGS = ("y", "ic", "ous", "ful", "ish", "ive")


# Degree words that make a negated adjective a matter of tone ("nothing too scary").
_DEGREES = frozenset(["too", "so", "very", "overly", "particularly", "that", "super", "really"])


def _modified(tokens: Sequence[str], hit: ValueHit, beside: bool = True) -> bool:
    """The synonym takes a degree word ("too scary") or modifies a noun of its own ("spooky
    bits"), or follows "nothing" beside another wish (`beside`: "a kids' film, nothing
    scary"): a tone. Bare after "not" / "no" ("not family", "def not scary"), or "nothing
    funny" as the turn's only wish, it names the value."""
    j = hit.start - 1
    while j >= 0 and tokens[j] in _NEGATION_FILL:
        j -= 1
    if j >= 0 and tokens[j] == "nothing" and tokens[hit.start - 1] not in _DEGREES:
        return beside  # "a comedy, nothing spooky": a tone of the comedy wished for
    before = tokens[hit.start - 1] if hit.start > 0 else ""
    after = tokens[hit.end] if hit.end < len(tokens) else ""
    return before in _DEGREES or (
        after.isalpha() and after not in CLAUSE_BREAKS and after not in _BARE_ENDS
    )


# Words that may follow a bare value without it modifying them: requests and sign-offs.
_BARE_ENDS = frozenset(
    ["please", "pls", "plz", "thanks", "thx", "ta", "cheers", "either", "though", "then", "now",
     "like", "as", "tbh", "honestly", "ngl", "lol"]
)  # fmt: skip


def _tone_word(phrase: str, values: Sequence[str]) -> bool:
    """One word ending like an adjective of feeling (see `_TONE_ENDINGS`), not a regular
    form or a spelling of the value's own name ("romantic" of Romance, "grey" of gray)."""
    if " " in phrase or len(phrase) <= 3 or not phrase.endswith(_TONE_ENDINGS):
        return False
    return not any(
        phrase in derived_forms(v.lower()) or phrase[:2] == v.lower()[:2] for v in values
    )
