"""Where one clause of a turn ends and the next begins, and what a complaint governs.

People join a reaction to the list and a new fact without punctuation ("those aren't it
Fancy a drama", "not sure which yet I'd like a crime film", "not quite - it's a men's
coat"), so a negation read up to the next comma leaks into the fact after it. This module
finds the clause starts punctuation does not mark, from the shape of the sentence only:

- a dash, an ellipsis character, a colon or a bracket between two words;
- a capitalised word in mid-sentence that is no title or catalog value (a new sentence
  typed without its full stop), unless the whole turn is written in title case;
- a subject pronoun with its verb ("I'd", "it's", "I ...") that no subordinating word or
  thought verb ("I don't think it's ...") ties to the clause before;
- the end of a negated pointer ("aren't it", "none of these", "not seeing it"): a reaction
  to the list is over once its object is said.

It also reads complaint verbs and quantifiers ("less of the X", "cut the X", "enough X",
"too many X"), which ask for fewer of a value however many determiners stand between, and
contractions typed without their apostrophe ("wasnt", "dont").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

PUNCT = frozenset([",", ".", ";", "!", "?"])
_GAP_BREAK = re.compile(
    r"\s[-\u2013\u2014~]+\s|[\u2013\u2014]\s|\s[\u2013\u2014]|\u2026|:|[()\[\]]"
)
# Subject pronouns fused with their verb: each opens a main clause.
_FUSED_SUBJECTS = frozenset(
    [
        "i'd",
        "i'm",
        "i've",
        "i'll",
        "it's",
        "it'd",
        "they're",
        "we're",
        "we'd",
        "we've",
        "you're",
        "he's",
        "she's",
    ]
)
_SUBJECTS = frozenset(["i", "we", "they", "he", "she"])
# A word before a subject that makes it part of the same sentence: a subordinator, a
# conjunction, or a verb that raises the negation into its complement ("don't think it's").
_TIES = frozenset(
    [
        "that",
        "if",
        "what",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "as",
        "than",
        "because",
        "so",
        "and",
        "or",
        "unless",
        "whether",
        "since",
        "while",
        "how",
        "whatever",
        "cos",
        "cause",
        "think",
        "believe",
        "suppose",
        "reckon",
        "guess",
        "expect",
        "imagine",
        "sure",
        "say",
        "said",
        "mean",
        "meant",
        "want",
        "know",
        "feel",
        "hope",
        "wish",
        "wonder",
    ]
)
# Reaction words that never govern what follows them ("nah" is no determiner, unlike "no").
_INTERJECTIONS = frozenset(
    ["nope", "nah", "meh", "hmm", "hm", "nay", "yep", "yeah", "ok", "okay", "lol", "lmao", "haha",
     "ugh", "jk"]
)  # fmt: skip
_NOT_AFTER_NO = frozenset(["a", "an", "the", "i", "it", "it's", "i'd", "i'm", "we", "this", "that"])
# Verbs after "it" that make it a subject ("... it was a noir one"), not an object.
_VERBS = frozenset(
    ["was", "is", "had", "has", "would", "should", "must", "might", "could", "seems", "looks"]
)
# "its" typed for "it's" ("i cant pin it down its drama"): a subject when a value or one of
# these follows, the possessive before a noun otherwise ("its plot").
_AFTER_ITS_IS = frozenset(
    ["a", "an", "definitely", "def", "defo", "deffo", "probably", "prob", "kinda", "like",
     "totally", "not", "from", "set", "about", "more", "less", "pretty", "sort", "got", "older",
     "newer", "quite", "really", "super", "somewhat", "fairly", "in"]
)  # fmt: skip
_POINTERS = frozenset(["it", "them", "these", "those", "that", "this"])
_PARTICLES = frozenset(["down", "up", "out", "off"])  # "pin it down", "figure it out"
_MODALS = frozenset(["must", "gotta", "should", "has", "needs", "would", "wud", "could"])
_MODAL_SUBJECTS = frozenset(
    ["it", "that", "this", "which", "one", "i", "we", "you", "they", "there", "what", "who",
     "and", "or", "just", "really", "still", "also", "definitely", "def", "probably", "prob",
     "defo", "so", "it's", "its"]
)  # fmt: skip
# Pointers that take no modifier: a value right after "not seeing it" / "none of them" opens
# a new wish ("not seeing it romantic movie pls"), where after "none of these" it may still
# be the pointer's own noun ("none of these comedies").
_BARE_POINTERS = frozenset(["it", "them"])
# Words between a negation and its pointer ("not any of those", "not feelin any of these").
_POINTER_FILL = frozenset(["of", "any", "quite", "exactly", "really", "even", "feelin", "one"])
# Verbs that end "what I'm after" / "what I want": the object of a negated reaction.
_WANT_ENDS = frozenset(["after", "want", "wanted", "mean", "meant", "need", "needed", "for", "of"])


def _reaction_end(tokens: Sequence[str], k: int) -> int | None:
    """Where a negated reaction that points at no item ends: "not there yet", "not what I'm
    after", "not what i was looking for" (the position after it), else None."""
    if tokens[k : k + 2] == ["there", "yet"]:
        return k + 2
    if tokens[k : k + 1] != ["what"]:
        return None
    for end in range(k + 2, min(len(tokens), k + 6)):
        if tokens[end] in PUNCT:
            return None
        if tokens[end] in _WANT_ENDS and (tokens[end] != "for" or tokens[end - 1] == "looking"):
            return end + 1
    return None


_STEMS = frozenset(
    [
        "is",
        "was",
        "are",
        "were",
        "do",
        "does",
        "did",
        "wo",
        "would",
        "could",
        "should",
        "ca",
        "has",
        "have",
        "had",
        "ai",
        "must",
        "need",
        "might",
    ]
)
# Words inside a noun phrase between a complaint and the value it governs.
_NP_INSIDE = frozenset(
    [
        "the",
        "these",
        "those",
        "all",
        "of",
        "any",
        "a",
        "an",
        "some",
        "such",
        "so",
        "many",
        "much",
        "more",
        "other",
        "them",
        "that",
        "this",
    ]
)
REMOVAL = frozenset(
    ["less", "fewer", "enough", "cut", "drop", "ditch", "remove", "lose", "scrap", "scratch", "exclude",
     "eliminate", "nix", "rid", "swap", "replace", "switch", "trade", "exchange"]
)  # fmt: skip
_REMOVAL_VERBS = frozenset(["stop", "quit"])  # "stop showing X": with an -ing verb after
_OUT_VERBS = frozenset(
    ["take", "leave", "cut", "rule", "cross", "filter", "weed", "taking", "leaving", "cutting",
     "ruling", "crossing", "filtering", "weeding", "took", "left"]
)  # fmt: skip  # "take out X", "taking out the thrillers"
_AMOUNTS = frozenset(["couple", "few", "bit", "lot", "number"])  # "swap a couple of those X"
_SWITCH = frozenset(["switch", "swap", "move", "change", "go", "shift"])  # "switch from X to Y"
_ANY = frozenset(["any", "anything", "everything", "all"])  # "remove anything romantic"
_OVER_IT = frozenset(["so", "totally", "completely", "really", "well", "sooo"])  # "so over X"


def restore_apostrophes(tokens: Sequence[str]) -> list[str]:
    """ "wasnt" -> "wasn't", "dont" -> "don't": a negation typed without its apostrophe."""
    out = []
    for token in tokens:
        if token.endswith("nt") and token[:-2] in _STEMS:
            token = token[:-2] + "n't"
        out.append(token)
    return out


def _negation(word: str) -> bool:
    return word in ("not", "no", "none", "nope", "nah", "never") or word.endswith("n't")


# A capital right after one of these is a name in its object ("set in Venice"), no new clause.
_NAME_PREPOSITIONS = frozenset(["in", "at", "about", "with", "from", "starring", "featuring", "by"])


_AUXILIARIES = frozenset(
    ["are", "r", "is", "was", "were", "do", "does", "did", "have", "has", "can", "could",
     "would", "will", "should"]
)  # fmt: skip
_WH = frozenset(["why", "how", "what", "when", "where", "who", "y", "wat", "wot"])


def _inverted(tokens: Sequence[str], i: int) -> bool:
    """The subject at i follows its auxiliary in a question ("why are they all dramas?",
    "are they all westerns"): the same clause."""
    if i < 1 or tokens[i - 1] not in _AUXILIARIES:
        return False
    return i < 2 or tokens[i - 2] in PUNCT or tokens[i - 2] in _WH


def clause_starts(
    text: str, spans: Sequence[tuple[str, int, int]], protected: Collection[int] = ()
) -> list[int]:
    """Token positions where a clause starts without punctuation marking it (see module).

    `spans` are `agent.vocab.token_spans(text)`; `protected` are token positions inside
    titles, catalog values or other names, which never open a clause by their capital."""
    tokens = restore_apostrophes([t for t, _, _ in spans])
    words = [i for i, t in enumerate(tokens) if t not in PUNCT]
    capitals = [i for i in words if text[spans[i][1] : spans[i][1] + 1].isupper()]
    title_case = len(words) >= 3 and len(capitals) > len(words) / 2
    starts: set[int] = set()
    for i in range(1, len(tokens)):
        token, prev = tokens[i], tokens[i - 1]
        if token in PUNCT or prev in PUNCT:
            continue
        if _GAP_BREAK.search(text[spans[i - 1][2] : spans[i][1]]):
            starts.add(i)
            continue
        first = text[spans[i][1] : spans[i][1] + 1]
        prev_first = text[spans[i - 1][1] : spans[i - 1][1] + 1]
        if (
            first.isupper()
            and not title_case
            and i not in protected
            and not prev_first.isupper()
            and prev not in _NAME_PREPOSITIONS
            and token not in _SUBJECTS
            and not token.startswith("i'")
        ):
            starts.add(i)  # "those aren't it Fancy a drama": a sentence without its stop
            continue
        if prev == "none" and token in ("not", "no", "nothing"):
            starts.add(i)  # "none | not crime": a reaction, then a refusal of its own
            continue
        if prev in _INTERJECTIONS or (prev == "no" and token in _NOT_AFTER_NO):
            starts.add(i)  # "nah a comedy", "better, but no a drama would be great"
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in _MODALS and nxt in ("be", "to") and prev not in _MODAL_SUBJECTS:
            starts.add(i)  # "it's not science fiction | must be mystery": a subject-less wish
            continue
        subject = (
            token in _FUSED_SUBJECTS
            or token in _SUBJECTS
            or (token == "it" and nxt in _VERBS)
            or (token == "its" and ((i + 1) in protected or nxt in _AFTER_ITS_IS))
        )
        if (
            subject
            and prev not in _TIES
            and not _negation(prev)
            and not _inverted(tokens, i)
            and i + 1 < len(tokens)
        ):
            starts.add(i)
            continue
    for j, word in enumerate(tokens):
        if not _negation(word):
            continue
        k = j + 1
        while k < min(len(tokens), j + 4) and (
            tokens[k] in _POINTER_FILL or tokens[k].endswith(("ing", "in'"))
        ):
            k += 1  # "none of these", "not seeing it", "isn't any of those", "not feelin any"
        after = _reaction_end(tokens, k)
        if after is not None and after < len(tokens) and tokens[after] not in PUNCT:
            starts.add(after)  # "no not what im after | comedy pls", "not there yet | a musical"
            continue
        phrasal = next(
            (
                m + 2
                for m in range(k, min(k + 3, len(tokens) - 2))
                if tokens[m] in ("it", "them") and tokens[m + 1] in _PARTICLES
            ),
            None,
        )
        if phrasal is not None and tokens[phrasal] not in PUNCT:
            starts.add(phrasal)  # "I can't pin it down | a drama one please"
            continue
        if (
            k + 1 < len(tokens)
            and tokens[k] in _POINTERS
            and tokens[k + 1] not in PUNCT
            and ((k + 1) not in protected or tokens[k] in _BARE_POINTERS)
            and not tokens[k + 1].startswith(("one", "movie", "film"))
            and tokens[k + 1] not in ("in", "with")  # "none of those in black": one phrase
        ):
            starts.add(k + 1)  # "those aren't it | skip the romance"
    starts.update(_wish_frames(tokens))
    starts.update(_identity_verdicts(tokens))
    return sorted(starts)


_COPULAS = frozenset(["is", "are", "was", "were", "'re", "'s"])
_LIST_POINTERS = frozenset(["those", "these", "them", "they", "any", "none", "em", "ones"])


def _identity_verdicts(tokens: Sequence[str]) -> set[int]:
    """ "I don't believe any of those are the one | scary pls": a verdict whether the list
    holds the sought item ends at "the one" / "it"; a value after it is a new wish."""
    starts = set()
    for i in range(1, len(tokens) - 1):
        if tokens[i] not in _COPULAS or not _LIST_POINTERS.intersection(tokens[max(0, i - 3) : i]):
            continue
        if tokens[i + 1] == "it":
            end = i + 2
        elif tokens[i + 1 : i + 3] == ["the", "one"]:
            end = i + 3
        else:
            continue
        if end < len(tokens) and tokens[end] not in PUNCT:
            starts.add(end)
    return starts


# Frames that open a wish ("in the mood for", "looking for"): after a reaction typed without
# a stop ("no luck there in the mood for a drama", "hmm, no looking for suspense movies") the
# wish is a clause of its own, unless a negation of its own stands just before it ("not in
# the mood for", "I'm not really looking for").
_WISH_FRAMES = (
    ("in", "the", "mood", "for"),
    ("looking", "for"),
    ("searching", "for"),
    *(("fancy", w) for w in ("something", "a", "an", "some", "one", "watching", "seeing")),
)
# "fancy" is the verb of a wish, not an adjective ("a fancy one", "nothing fancy")
_NOT_BEFORE_VERB = frozenset(
    ["a", "an", "the", "something", "anything", "nothing", "too", "so", "very", "more", "less",
     "bit", "not", "really"]
)  # fmt: skip


def _wish_frames(tokens: Sequence[str]) -> set[int]:
    starts = set()
    for i in range(1, len(tokens)):
        for frame in _WISH_FRAMES:
            if tuple(tokens[i : i + len(frame)]) != frame:
                continue
            own = [w for w in tokens[max(0, i - 2) : i] if w not in PUNCT]
            if frame[0] == "fancy" and tokens[i - 1] in _NOT_BEFORE_VERB:
                continue
            if tokens[i - 1] not in PUNCT and not any(
                w in ("not", "never") or w.endswith("n't") for w in own
            ):
                starts.add(i)
    return starts


def clause_of(position: int, starts: Sequence[int], length: int) -> tuple[int, int]:
    """The [low, high) token range of the clause (by `clause_starts`) holding `position`."""
    low = max((s for s in starts if s <= position), default=0)
    high = min((s for s in starts if s > position), default=length)
    return low, high


def complaint_before(tokens: Sequence[str], start: int) -> bool | None:
    """True when a complaint governs the value at `start` ("less of the X", "cut the X",
    "enough X", "stop showing X"); False when a negation turns it round ("can't get enough
    of X", "not enough X"); None when no complaint stands before it."""
    if _one_more_threat(tokens, start):
        return True  # "if you show me one more action movie I'm logging off"
    j = start - 1
    while j >= 0 and (
        tokens[j] in _NP_INSIDE
        or tokens[j] in _ANY
        or tokens[j] in _AMOUNTS
        or tokens[j].endswith("ing")
        or (tokens[j] == "with" and j > 0 and tokens[j - 1] in _ANY)  # "drop anything with X"
        or (tokens[j] == "with" and j > 0 and tokens[j - 1] in ("enough", "stop", "quit"))
        # "enough with the X", "stop with X please"
        or (tokens[j] == "from" and j > 0 and tokens[j - 1] in _SWITCH)  # "switch from X"
    ):
        if tokens[j] == "from":
            j -= 1
            break
        if (
            tokens[j].endswith("ing")
            and tokens[j] not in _ANY
            and not (j > 0 and tokens[j - 1] in _REMOVAL_VERBS)
        ):
            break
        j -= 1
    if j < 0:
        return None
    word = tokens[j]
    if word in ("many", "much") and j > 0 and tokens[j - 1] in ("too", "so"):
        j -= 1
    elif word == "out" and j > 0 and tokens[j - 1] in _OUT_VERBS:
        j -= 1  # "take out the horror ones", "leave out anything violent"
    elif word in _SWITCH and j + 1 < len(tokens) and tokens[j + 1] == "from":
        pass  # "let's switch from westerns to adventure": away from X
    elif word == "over" and j > 0 and tokens[j - 1] in _OVER_IT:
        pass  # "I'm so over the dramas": done with them
    elif word in ("me", "us") and j > 0 and tokens[j - 1] == "spare":
        j -= 1  # "spare me the action ones": keep them away
    elif word not in REMOVAL and word not in _REMOVAL_VERBS:
        return None
    before = list(tokens[max(0, j - 3) : j])
    cut = max((i for i, w in enumerate(before) if w in PUNCT), default=-1)
    return not any(_negation(w) for w in before[cut + 1 :])  # "not it, spare me the X"


def _one_more_threat(tokens: Sequence[str], start: int) -> bool:
    """ "if you show me one more X ...": a threat over the next X, which the user refuses."""
    return (
        start >= 4
        and list(tokens[start - 2 : start]) == ["one", "more"]
        and tokens[start - 3] in ("me", "us")
        and tokens[start - 4] in ("show", "give", "send", "suggest", "recommend", "offer")
        and "if" in tokens[max(0, start - 8) : start - 4]
    )


_REJECTION_WORDS = frozenset(
    [
        "no",
        "not",
        "nope",
        "nah",
        "none",
        "never",
        "it",
        "that",
        "this",
        "these",
        "those",
        "them",
        "one",
        "ones",
        "what",
        "i",
        "want",
        "wanted",
        "mean",
        "meant",
        "am",
        "was",
        "after",
        "looking",
        "for",
        "at",
        "all",
        "really",
        "quite",
        "either",
        "thanks",
        "please",
        "pls",
        "i'm",
        "i'd",
        "me",
        "us",
    ]
)
# Words before a rejection that only point at what is rejected ("that's not it").
_VERDICT_SUBJECTS = frozenset(
    ["that's", "thats", "that", "this", "it", "it's", "its", "is", "which", "those", "these",
     "they", "are", "they're", "theyre", "was", "were", "and", "but", "so"]
)  # fmt: skip


def bare_rejection(tokens: Sequence[str]) -> bool:
    """A clause that only turns something down ("nah, not that", "not what I want"), maybe
    with a new negated clause joined on ("not what I want wasn't a ...")."""
    words = [t for t in tokens if t not in PUNCT]
    while len(words) > 1 and words[0] in _VERDICT_SUBJECTS:
        words = words[1:]  # "that's not it", "that is not what I want"
    if not words or not _negation(words[0]) or "sure" in words:
        return False
    for index, word in enumerate(words):
        if word in _REJECTION_WORDS or word in ("no", "not", "none", "nope", "nah", "never"):
            continue
        return index > 1 and word.endswith("n't")
    return True


_PICKS = frozenset(["only", "just", "pick", "choose", "which", "best", "keep", "show"])
_OFF_LIST = frozenset(["this", "the", "that", "my", "your", "these", "those"])
_ITEM_NOUNS = frozenset(["films", "movies", "ones", "stuff", "jackets", "coats", "titles", "picks"])


def removed_after(tokens: Sequence[str], start: int, end: int) -> bool:
    """ "take the horror films off this list", "bin the comedies out of that": a removal said
    after the value ("off the list", "out of these"); "only the comedies out of those" picks."""
    k = end
    while k < len(tokens) and tokens[k] in _ITEM_NOUNS:
        k += 1
    rest = list(tokens[k : k + 4])
    if rest[:1] == ["away"] and tokens[start - 1 : start] != ["far"]:
        return True  # "keep the funny ones away from me", "the westerns away please"
    if rest[:1] == ["off"]:
        tail = rest[1:]
        return (
            tail[:1] in (["it"], ["them"], ["there"])
            or (tail[:1] != [] and tail[0] in _OFF_LIST and tail[1:2] == ["list"])
            or tail[:1] == ["list"]
        )
    if rest[:2] == ["out", "of"] and not _PICKS.intersection(tokens[:start]):
        tail = rest[2:]
        return tail[:1] in (
            ["it"],
            ["them"],
            ["there"],
            ["here"],
            ["this"],
            ["that"],
            ["these"],
            ["those"],
        ) or tail[:2] in (["the", "list"], ["my", "list"])
    return False
