"""Titles the catalog lacks: where such a name ends, and the frames that mark one.

`agent.nlu_titles.fuzzy_and_unknown` reports a title-like name after a taste or verdict cue
("something like The Matrix"). How far the name runs and which frames mark it are read from
the grammar around it, never from a list of films:

- a name runs over capitalised words and the short words inside titles ("of", "the"), and
  over a preposition with an article before another capitalised word ("Hunt for the
  Wilderpeople", "Gone with the Wind"); it stops at a sentence's full stop ("Spirited Away.
  Anything ...": "Away." ends it; "Dr." or an initial does not) and sheds the short words it
  ends on ("The Matrix in the cinema" is "The Matrix");
- a fondness predicate governs a name as "like" does ("mad about Frozen", "hooked on
  Sherlock", "a big fan of Oldboy");
- a likeness suffix marks the name before it ("Inception-ish", "Lagaan type", "Love Actually
  vibes"); "-style" and "fan" are left out (they follow a maker as often: "Hitchcock-style",
  "a big Jarmusch fan"), and so is a name whose suffix qualifies a genre ("a Hitchcock-type
  thriller": a kind of thriller);
- a name listed after a title the catalog knows is a title too ("The Usual Suspects,
  Reservoir Dogs and Sicario"), unless a common noun follows it, which makes it a modifier
  ("The Commitments, Dublin setting": a place, not a film);
- a name asked as a one-word question and then judged is the title judged ("The Departed?
  Absolute masterpiece.", "Gladiator? seen it three times").

A name made only of attribute values ("Westerns"), a function word ("Anything"), or a word
of the calendar ("Christmas vibes", "Sunday type of film"), or a name under three characters
("T2": a short form of a title the catalog may hold) is no title.
"""

from __future__ import annotations

import re
from typing import Protocol

from agent.nlu_feedback import feedback_kind
from agent.nlu_word_ranks import english_rank
from agent.parse import FeedbackKind
from agent.vocab import Vocabulary, title_key, tokenize


class Refs(Protocol):
    """What these readers write into `agent.nlu_titles.Refs` (a protocol, so this module need
    not import the title reader that imports it)."""

    unknown_titles: list[str]
    blank: list[tuple[int, int]]


__all__ = [
    "FOND_BEFORE",
    "framed_titles",
    "listed_after",
    "name_at",
    "plain_words",
    "questioned_title",
    "suffixed_titles",
]

_WORD = r"[A-Z0-9][\w'’:&.-]*"
_SHORT = r"of|the|a|an|and|in|on|to"
# a preposition with an article before another capitalised word stays inside a title
_BRIDGE = r"(?:for|with|from|at|by|into|upon|under|over)\s+(?:the|a|an)(?=\s+[A-Z0-9])"
NAME = re.compile(rf"\s*['\"“‘]?((?:{_WORD}|{_SHORT})(?:\s+(?:{_WORD}|{_SHORT}|vs\.?|{_BRIDGE}))*)")
_TRAILING = re.compile(
    r"\s+(?:of|the|a|an|and|in|on|to|for|with|from|at|by|into|upon|under|over|vs\.?)$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"([^\W\d_]{4,})\.(?=\s|$)")

# predicates of fondness and weariness (a lexical class) govern a name as "like" does: "mad
# about Frozen", "bored of Frozen"; so do a recommendation ("my friend recommended The
# Lunchbox") and a quality of a film ("the intensity of Whiplash")
FOND_BEFORE = re.compile(
    r"\b(?:(?:mad|crazy|nuts|wild|potty|daft|bonkers|passionate)\s+about|obsessed\s+with"
    r"|hooked\s+on|addicted\s+to|in\s+love\s+with|keen\s+on|fond\s+of|smitten\s+with"
    r"|besotted\s+with|(?:big|huge|massive|great)\s+fan\s+of|grew\s+up\s+(?:on|with)"
    r"|swears?\s+by|(?:bored|sick|tired|weary)\s+(?:of|with)|fed\s+up\s+with"
    r"|(?:recommended|suggested)(?:\s+(?:me|us))?"
    r"|the\s+(?:intensity|energy|tone|mood|humou?r|wit|charm|warmth|atmosphere|pace|tension"
    r"|look|heart|scale|sweep|madness|weirdness|darkness|silliness)\s+of)\s+['\"“‘]?$",
    re.IGNORECASE,
)

# words of the calendar (a lexical class): "Christmas vibes" is a season, not a film
_CALENDAR = frozenset([
    "christmas", "xmas", "halloween", "easter", "thanksgiving", "valentine", "valentines",
    "diwali", "eid", "hanukkah", "ramadan", "summer", "winter", "autumn", "spring", "fall",
    "holiday", "holidays", "weekend", "sunday", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
])  # fmt: skip
# words that open a sentence or a question but name nothing
_NOT_A_NAME = frozenset([
    "i", "i'm", "it", "this", "that", "these", "those", "there", "here", "he", "she", "they",
    "we", "you", "everything", "anything", "nothing", "something", "everyone", "all", "both",
    "none", "each", "which", "what", "who", "why", "how", "when", "where", "one", "ok", "okay",
    "yes", "yeah", "no", "nope", "really", "seriously", "honestly", "hmm", "well", "so", "and",
    "but", "or", "wow", "oh", "sorry", "please", "pls", "thanks", "any", "some", "more",
    "less", "next", "again",
])  # fmt: skip


def name_at(text: str, at: int) -> tuple[str, int] | None:
    """The title-like name starting at character `at` and where it ends (see the module
    docstring), or None when no name starts there."""
    m = NAME.match(text, at)
    if m is None:
        return None
    raw = m.group(1)
    stop = _SENTENCE_END.search(raw)
    if stop is not None:
        raw = raw[: stop.end(1)]  # "Spirited Away. Anything": the full stop ends the name
    name = raw.strip(" '\"”’")
    while (shed := _TRAILING.sub("", name)) != name:
        name = shed
    if not name:
        return None
    return name, text.find(name, at) + len(name)


def plain_words(name: str) -> bool:
    """A name that opens on a function word ("I'm", "Anything") or is all calendar words
    ("Christmas"): no title."""
    words = [w.lower() for w in re.findall(r"[\w'’]+", name)]
    return not words or words[0] in _NOT_A_NAME or all(w in _CALENDAR for w in words)


def _is_title_name(name: str, vocab: Vocabulary) -> bool:
    """A name no attribute value, function word or calendar word makes up, of two letters
    or more, that the catalog lacks."""
    words = tokenize(name)
    if len(name) < 3 or not words or not name[:1].isupper() or plain_words(name):
        return False
    bare = re.sub(r"['’]s?$", "", name)  # "Chinatown's territory": the catalog's Chinatown
    if vocab.titles.get(title_key(name)) is not None or vocab.titles.get(title_key(bare)):
        return False
    hits = vocab.find_values(words, fuzzy=False)
    return sum(h.end - h.start for h in hits) < len(words)


def _add(out: Refs, name: str, start: int, end: int) -> None:
    out.unknown_titles.append(name)
    out.blank.append((start, end))


def _free(out: Refs, start: int, end: int) -> bool:
    return not any(s < end and start < e for s, e in out.blank)


# a name followed by one of these is complete (a clause goes on or ends); a common noun after
# it ("Dublin setting", "Pixar stuff") makes the name a modifier of that noun
_COMPLETE_AFTER = re.compile(
    r"\s*(?:$|[,.;:!?)\"'”’\u2013\u2014-]|(?:and|or|but|nor|is|isn'?t|was|wasn'?t|are|were|'s|’s"
    r"|has|had|have|did|does|do|too|both|as|so|though|also|again|etc|all|i|we|you|my|our|a|an"
    r"|the|for|in|on|at|from|to|with|by|really|lol|haha|though|then|now|please|pls|x)\b)",
    re.IGNORECASE,
)


def listed_after(text: str, end: int, vocab: Vocabulary, out: Refs) -> None:
    """ "The Usual Suspects, Reservoir Dogs and Sicario": a capitalised name joined by "and",
    "or", "&" or a comma to a title just named is another title, when the catalog lacks it,
    no value makes it up and nothing but the end of a clause follows it."""
    joint = re.match(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|&)\s+)", text[end:])
    if not joint:
        return
    at = end + joint.end()
    if not text[at : at + 1].isupper():
        return
    found = name_at(text, at)
    if found is None:
        return
    name, name_end = found
    if not _free(out, at, name_end) or not _COMPLETE_AFTER.match(text, name_end):
        return
    if _is_title_name(name, vocab):
        _add(out, name, at, name_end)
        listed_after(text, name_end, vocab, out)


_SUFFIX = re.compile(
    r"(?:\s*-\s*(?:ish|esque|like|type|inspired|flavou?red)|\s+(?:types?|vibes?|vibe-wise"
    r"|territory|kinda thing|sort of thing|kind of thing))\b(?!\s+of\b)",
    re.IGNORECASE,
)
_NAME_START = re.compile(r"(?<![\w'’-])(?=[A-Z])")


def suffixed_titles(text: str, vocab: Vocabulary, out: Refs) -> None:
    """ "Inception-ish", "Lagaan type", "Love Actually vibes": a capitalised name the catalog
    lacks, followed by a likeness suffix, is a title named as a taste reference."""
    for start in _NAME_START.finditer(text):
        at = start.start()
        found = name_at(text, at)
        if found is None:
            continue
        name, _ = found
        name = re.split(r"-(?=[a-z])", name, maxsplit=1)[0]  # "Inception-ish": the name only
        if "." in name.rstrip("."):
            continue  # a sentence end inside: no one name
        name_end = at + len(name)
        suffix = _SUFFIX.match(text, name_end)
        if suffix is None or not _free(out, at, name_end):
            continue
        after = re.match(r"\s*([\w'-]+)", text[suffix.end() :])
        if after and vocab.find_values([after.group(1).lower()], fuzzy=False):
            continue  # "a Hitchcock-type thriller": a kind of the genre, a maker's style
        if _is_title_name(name, vocab):
            _add(out, re.sub(r"['’]s$", "", name), at, name_end)  # "Paddington's territory"


_QUESTIONED = re.compile(r"\W*?['\"“‘]?(?=[A-Z])")


def questioned_title(text: str, vocab: Vocabulary, out: Refs) -> None:
    """ "The Departed? Absolute masterpiece.": a turn that opens with a name asked alone and
    then judges (a verdict, or having seen it) is about that title."""
    lead = _QUESTIONED.match(text)
    if lead is None:
        return
    at = lead.end()
    found = name_at(text, at)
    if found is None:
        return
    name, name_end = found
    asked = re.match(r"['\"”’]?\s*\?+\s*", text[name_end:])
    if asked is None or not _free(out, at, name_end):
        return
    rest = text[name_end + asked.end() :]
    kind = feedback_kind(rest) or feedback_kind(f"it is {rest}")  # "Absolute masterpiece."
    if kind not in (FeedbackKind.LIKE, FeedbackKind.DISLIKE, FeedbackKind.SEEN):
        return
    if _is_title_name(name, vocab):
        _add(out, name, at, name_end)


_MEETS = re.compile(r"\s+meets\s+(?=['\"“‘]?[A-Z])")
_BUT_CHANGED = re.compile(
    r"\s*,?\s+but\s+(?:a\s+(?:bit|little|lot)\s+|much\s+|slightly\s+|way\s+)?(?:less|more|not"
    r"|without|with|from|in|set|older|newer|shorter|longer|lighter|darker|funnier|scarier"
    r"|sadder|happier|gentler|softer|smarter|cheaper|[a-z]+ier)\b",
    re.IGNORECASE,
)


def framed_titles(text: str, vocab: Vocabulary, out: Refs) -> None:
    """ "Get Out meets Rear Window": a name on either side of "meets" is a title; "Kill Bill
    but less gory": a name that opens the turn before "but" and a change is the title to
    change (a one-word name only when it is no English word: "Nice but older" is a verdict)."""
    for m in _MEETS.finditer(text):
        left = re.search(r"(?:^|[\s,;:(])(['\"“‘]?[A-Z][^,;:.!?]*)$", text[: m.start()])
        if left is not None:
            at = left.start(1) + (1 if left.group(1)[:1] in "'\"“‘" else 0)
            found = name_at(text, at)
            if (
                found
                and found[1] == m.start()
                and _free(out, at, found[1])
                and _is_title_name(found[0], vocab)
            ):
                _add(out, found[0], at, found[1])
        at = m.end() + (1 if text[m.end()] in "'\"“‘" else 0)
        found = name_at(text, at)
        if found and _free(out, at, found[1]) and _is_title_name(found[0], vocab):
            _add(out, found[0], at, found[1])
    lead = _QUESTIONED.match(text)
    if lead is None:
        return
    at = lead.end()
    found = name_at(text, at)
    if found is None or not _BUT_CHANGED.match(text, found[1]) or not _free(out, at, found[1]):
        return
    name = found[0]
    if " " not in name and name.lower() in english_rank():
        return
    if _is_title_name(name, vocab):
        _add(out, name, at, found[1])
