"""Item references in a turn and the role each plays.

An item can be named by its title (exactly, or misspelt: rapidfuzz against the catalog's
titles), by its place in the list just shown ("the second one", "#3", "the last one") or by a
pronoun ("that one"). Its role comes from the words before it in the same clause: a taste
reference ("like Fargo", "fans of Fargo", "people like me loved Fargo"), an exclusion ("not
Fargo"), an item just shown, or the subject of the turn ("why Fargo?", "I loved Fargo"). A
title-like phrase after a taste cue that the catalog lacks ("something like The Matrix") is
reported as an unknown title, never turned into a text wish.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from agent.nlu_clauses import REMOVAL
from agent.nlu_described import WEIGHS, counted_positions, shown_descriptions, shown_title_words
from agent.nlu_feedback import (
    LIKE_FEEDBACK,
    THIRD_PERSON_LOVED,
    FeedbackKind,
    feedback_kind,
    implied_feedback,
    liked_as_taste,
    unknown_subject,
)
from agent.parse import ItemRef, TitleRole
from agent.vocab import Vocabulary, normalise, title_key, tokenize, written_as_title


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "top": 1, "opening": 1, "opener": 1,
}  # fmt: skip
_SPELT = {
    w: n
    for n, w in enumerate(
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], 1
    )
}
_ORDINAL_WORDS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|(?:last|final)(?!\\s+(?:night|week|weekend|month|year|time|summer|winter|spring|autumn|fall|christmas|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\\b)|1st|2nd|3rd|[4-9]th|10th|top|bottom|opener"
_NOUNS = (
    r"one|ones|movie|film|flick|item|pick|book|option|suggestion|title|jacket|coat|result|entry"
)
ORDINAL_RX = _rx(
    rf"(?:\b(?:the\s+)?(?P<word>{_ORDINAL_WORDS})(?:\s+(?:{_NOUNS}))?(?:\s+(?:on the list|you (showed|suggested|listed)))?\b"
    rf"|\bthe\s+(?P<middle>middle)\s+(?:{_NOUNS})\b"
    r"|#\s*(?P<hash>\d{1,2})\b|\b(?:number|no\.?|item|pick|option)\s*(?P<num>\d{1,2})\b"
    r"|\bnumber\s+(?P<spelt>one|two|three|four|five|six|seven|eight|nine|ten)\b)"
)
PRONOUN_RX = _rx(
    r"\b(it|its|that one|this one|that movie|this movie|that film|this film|the one|that jacket|this jacket|that coat|this coat|(?:that|this)(?=\s*(?:[?.!,;]|$|one\b|please\b|pick\b|or\b|for\s+(?:me|us)\b)))\b"
)
_TASTE_BEFORE = _rx(
    r"(?:(?<!\bi )(?<!\bi really )(?<!\bwe )(?<!\byou )(?<!\bthey )(?<!\bi'd )(?<!\bwould )(?<!\bdo )(?<!\bdon't )(?<!\bdidn't )(?<!\bi also )(?<!\bi do )(?<!\bdont )(?<!\bdidnt )(?<!\bnot )(?<!\breally )(?<!\bdoesn't )(?<!\bdoesnt )\blike|similar (?:ones |stuff |things |movies |films )?to|such as|in the vein of|reminds? me of|along the lines of|the style of|akin to|close to|closer to|nearer to|version of|same (?:feel|mood|tone|style|spirit) as|(?<!not a )(?<!\bno )fans? of|lovers? of|if you liked|if you loved|if you know|same vibe as|vibe of|more of|kind of like|sort of like|a la|à la|in the spirit of|just like|things like|stuff like|(?:the )?feel of|in the (?:line|mould|mold) of)"
    r"(?:\s+(?:that|this|those|these|the))?(?:\s+(?:the\s+)?(?:movie|film))?\s*['\"“‘]?\s*$"
)
_TASTE_AFTER = _rx(
    r"['’]?s?\s*(?:-\s*)?(?:fans?|lovers?|mould|mold|vibes?|type|style|esque|-like|ish)\b"
    r"|\s+(?:is|was|'s|are)\s+(?:the|my|exactly the)\s+(?:vibe|mood|template|blueprint)\b"
)
_EXCLUDE_BEFORE = _rx(
    r"\b(not|no|no more|enough(?: of)?|less of|fewer|stop (?:showing|suggesting|recommending)(?: me)?|drop|cut|except|anything but|other than|besides|apart from|without|skip|exclude|nothing like)(?:\s+(?:the|that|those|these|any|more))?\s+['\"“‘]?$"
)
_SENTENCE_START_TITLE = _rx(
    r"\s*(?:[,?!.]|$|is\b|was\b|or\b|and\b|vs\.?|versus\b|seemed\b|compared\b|against\b)"
)
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "it",
        "is",
        "in",
        "on",
        "of",
        "to",
        "and",
        "or",
        "i",
        "me",
        "my",
        "you",
        "we",
        "he",
        "she",
        "they",
        "this",
        "that",
        "one",
        "something",
        "anything",
        "all",
        "about",
        "love",
        "like",
        "more",
        "less",
        "what",
        "when",
        "where",
        "who",
        "how",
        "not",
        "no",
        "yes",
        "some",
        "any",
    ]
)
_CLAUSE_SPLIT = re.compile(
    r"[.;!?]|,\s*(?:but|and|though)\b|\bbut\b|\bhowever\b|\bthough\b"
    # a comma before a new verdict ("loved Emma, couldn't stand Fargo"; not "Fargo and Heat,
    # loved both") or a new subject with its own ("X is nice, the black parka less so")
    r"|,\s*(?=(?:the|that|this)(?:\s+\w+){1,3}?\s+(?:is|was|less|not|=|looks?)\b)"
    r"|,\s*(?=(?:(?:i|we)\s+)?(?:couldn'?t|can'?t|didn'?t|don'?t|never|loved|liked|hated|"
    r"disliked|enjoyed|adored)\b(?!\s+(?:them\s+)?(?:both|all|each)\b))",
    re.IGNORECASE,
)
_TITLE_CAND = re.compile(
    r"\s*['\"“‘]?((?:[A-Z0-9][\w'’:&.-]*|of|the|a|and|in|on|to)(?:\s+(?:[A-Z0-9][\w'’:&.-]*|of|the|a|and|in|on|to|vs\.?))*)"
)


@dataclass
class Refs:
    """The references found in one turn."""

    refs: list[tuple[float, ItemRef]] = field(default_factory=list)  # (char position, ref)
    title_tokens: set[int] = field(default_factory=set)  # token positions inside titles
    blank: list[tuple[int, int]] = field(default_factory=list)  # char spans of titles/ordinals
    unknown_titles: list[str] = field(default_factory=list)
    feedback: list[tuple[str, FeedbackKind]] = field(default_factory=list)
    focus_guess: bool = False  # feedback given to the item in focus though no item is named

    def ordered(self) -> list[ItemRef]:
        """References in order of mention, one per item (the first role wins)."""
        seen: dict[str, ItemRef] = {}
        for _, ref in sorted(self.refs, key=lambda r: r[0]):
            seen.setdefault(ref.item_id, ref)
        return list(seen.values())


def _clause_before(text: str, pos: float) -> str:
    end = int(pos)
    before = text[max(0, end - 80) : end]
    parts = _CLAUSE_SPLIT.split(before)
    return parts[-1] if parts else before


def _role(text: str, pos: int, item_id: str, shown: Sequence[str]) -> TitleRole:
    before = _clause_before(text, pos)
    if _TASTE_BEFORE.search(before) or THIRD_PERSON_LOVED.search(before):
        return TitleRole.TASTE
    if _EXCLUDE_BEFORE.search(before):
        return TitleRole.EXCLUDE
    if item_id in shown:
        return TitleRole.SHOWN
    return TitleRole.SUBJECT


def _clause_at(text: str, pos: float) -> str:
    """The clause around a character position (for the feedback verb that governs it)."""
    starts = [m.end() for m in _CLAUSE_SPLIT.finditer(text) if m.end() <= pos]
    ends = [m.start() for m in _CLAUSE_SPLIT.finditer(text) if m.start() >= pos]
    return text[(starts[-1] if starts else 0) : (ends[0] if ends else len(text))]


_FEEDBACK_VERB_BEFORE = _rx(r"\b(?:seen|watched|saw|loved|liked|hated|disliked|enjoyed|adored)\s+$")
_OPENS_SENTENCE = re.compile(r"(?:^|[.!?])\s*$")
_FAVOURITE_AFTER = _rx(
    r"\s+(?:is|was)\s+(?:a|one of|my|an)\s+(?:\w+\s+)?(?:all[\s-]time\s+)?favou?rites?\b"
)


def _taste_named(text: str, start: int, end: int, phrase: Sequence[str], vocab: Vocabulary) -> bool:
    """ "like fargo", "fargo is a favourite of mine": a one-word title typed in lower case
    still counts when a taste cue governs it (and it is no attribute value, like "drama")."""
    if not phrase or any(True for _ in vocab.find_values([w.lower() for w in phrase])):
        return False
    before = _clause_before(text, start)
    return bool(
        _TASTE_BEFORE.search(before)
        or _FEEDBACK_VERB_BEFORE.search(before)  # "seen fargo already", "loved fargo"
        or _FAVOURITE_AFTER.match(text, end)
    )


def find_refs(
    text: str,
    spans: Sequence[tuple[str, int, int]],
    vocab: Vocabulary,
    shown: Sequence[str],
    focus: str | None,
) -> Refs:
    """Every item reference in a turn with its role, plus unknown titles and feedback."""
    out = Refs()
    tokens = [t for t, _, _ in spans]
    for start, end, places in counted_positions(text, len(shown), is_value=_value_of(vocab)):
        for k, index in enumerate(places):
            item = shown[index]
            out.refs.append(
                (start + k, ItemRef(item, _role(text, start, item, shown), text[start:end]))
            )
        out.blank.append((start, end))
    for m in ORDINAL_RX.finditer(text):
        if _covered(out, m.start(), m.end()):
            continue
        word = (m.group("word") or "").lower()
        if word in ("top", "bottom") and not re.search(
            r"(?:top|bottom)\s+(one|pick|movie|film)", m.group(0).lower()
        ):
            continue
        if m.group("middle") and len(shown) % 2 == 0:
            continue  # "the middle one" of an even list names no single item
        index = (
            (len(shown) + 1) // 2
            if m.group("middle")
            else len(shown)
            if word in ("last", "final", "bottom")
            else ORDINALS.get(word)
            or _SPELT.get((m.group("spelt") or "").lower())
            or int(m.group("hash") or m.group("num") or 0)
        )
        if shown and 1 <= index <= len(shown):
            item = shown[index - 1]
            out.refs.append(
                (m.start(), ItemRef(item, _role(text, m.start(), item, shown), m.group(0)))
            )
            out.blank.append(m.span())
    _bare_numbers(text, shown, out)
    shown_set = set(shown)
    # "why candyman?", "psycho vs the shining": a shown title typed in lower case, in a
    # question about the list or in feedback, is that item
    talks_about_list = bool(_ASKS_ABOUT.search(text) or feedback_kind(text) is not None)
    for start, end, ids in vocab.find_titles(tokens):
        phrase = [t for t in tokens[start:end] if t[:1].isalnum()]
        needs_caps = end - start == 1 or all(w in _FUNCTION_WORDS for w in phrase)
        char_start, char_end = spans[start][1], spans[end - 1][2]
        opens = _OPENS_SENTENCE.search(text[:char_start]) is not None
        at_start = opens and text[char_start : char_start + 1].isupper()
        starts_sentence = at_start and _SENTENCE_START_TITLE.match(text, char_end) is not None
        if (
            needs_caps
            and not (written_as_title(phrase[0], text) or starts_sentence)
            and not _taste_named(text, char_start, char_end, phrase, vocab)
            and not (shown_set.intersection(ids) and talks_about_list)
        ):
            continue  # "Heat" or "It" count only when written like a title (or liked by name)
        picked, char_end = _by_bracket(ids, vocab, text, char_end)
        chosen = picked or next((i for i in ids if i in shown_set), ids[0])
        out.refs.append(
            (
                char_start,
                ItemRef(chosen, _role(text, char_start, chosen, shown), text[char_start:char_end]),
            )
        )
        out.title_tokens.update(range(start, end))
        out.blank.append((char_start, char_end))
    _generic_titles(text, spans, vocab, shown, out)
    _described_shown(text, spans, vocab, shown, out)
    _fuzzy_and_unknown(text, vocab, shown, out)
    out.refs = [  # "Toy Story fans", "the GoodFellas mould", "#1 vibe": a cue after the item
        (pos, ItemRef(r.item_id, TitleRole.TASTE, r.text))
        if r.role in (TitleRole.SHOWN, TitleRole.SUBJECT)
        and _TASTE_AFTER.match(text, int(pos) + len(r.text))
        else (pos, r)
        for pos, r in out.refs
    ]
    ordered = sorted(out.refs, key=lambda r: r[0])
    for (pos_a, a), (pos_b, b) in pairwise(ordered):
        joined = text[int(pos_a) + len(a.text) : int(pos_b)].strip(" ,").lower()
        if (
            a.role is TitleRole.TASTE
            and b.role is not TitleRole.TASTE
            and joined.removesuffix(" the") in ("or", "and", "the", "")
        ):
            out.refs.append((pos_b - 0.5, ItemRef(b.item_id, TitleRole.TASTE, b.text)))
    pronoun = PRONOUN_RX.search(text)
    if out.refs and pronoun and _role(text, pronoun.start(), "", shown) is TitleRole.TASTE:
        # "I liked the first one, more like that": the item named is the taste reference
        pos, first = min(out.refs, key=lambda r: r[0])
        out.refs.append((pos - 0.5, ItemRef(first.item_id, TitleRole.TASTE, first.text)))
    weighed = pronoun is not None and _WEIGHED.search(text) is not None
    # "it" is the item in focus; beside another item only when the two are weighed ("is it
    # better than the first one?")
    if (
        focus
        and pronoun
        and (not out.refs or weighed)
        and all(r.item_id != focus for _, r in out.refs)
        and not _sought(text, pronoun, vocab)
    ):
        out.refs.append(
            (
                pronoun.start(),
                ItemRef(focus, _role(text, pronoun.start(), focus, shown), pronoun.group(0)),
            )
        )
    for pos, ref in sorted(out.refs, key=lambda r: r[0]):
        if ref.role in (TitleRole.EXCLUDE,):
            continue
        kind = feedback_kind(_clause_at(text, pos))
        if kind is not None and (ref.role is not TitleRole.TASTE or kind is FeedbackKind.LIKE):
            if ref.role is TitleRole.TASTE and THIRD_PERSON_LOVED.search(_clause_before(text, pos)):
                continue  # "people like me loved X": their taste, not this user's feedback
            out.feedback.append((ref.item_id, kind))
    _pronoun_feedback(text, out)
    named = [(pos, r.item_id, r.role is TitleRole.EXCLUDE) for pos, r in out.refs]
    cuts = [0, *(p for m in _CLAUSE_SPLIT.finditer(text) for p in m.span()), len(text)]
    clauses = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    focus_ok = None if out.unknown_titles else focus  # a verdict on a title the catalog lacks
    out.feedback = implied_feedback(text, out.feedback, named, clauses, shown, focus_ok)
    out.focus_guess = bool(out.feedback) and not named
    out.refs, out.feedback = liked_as_taste(text, out.refs, out.feedback)
    return out


_WEIGHED = _rx(
    r"\b(?:\w+er than|compared? (?:to|with)|vs\.?|versus|different (?:from|to|than)|differs? from"
    r"|as (?:good|bad|\w+) as|(?:\w+er|more \w+)(?:\s+(?!than\b)\w+){1,4}\s+than"
    r"|(?:this|that|it)(?:\s+one)?\s+or|or\s+(?:this|that|it)(?:\s+one)?)\b"
)
_BARE_PAIR = _rx(
    r"(?<![\w$#.])(?P<a>10|[1-9])\s*(?:vs\.?|versus|and|or|&|,)\s*(?P<b>10|[1-9])\b"
    r"(?=\s*(?:$|[?!.,;:]|already\b|which\b|what\b|please\b|pls\b|then\b))"
)


_IT_IS = _rx(
    r"\s*(?:is|was|'s|’s)(?:\s*n[o'’]?t\b)?\s+(?:(?:really|definitely|probably|surely|more|"
    r"def|defo|deffo)\s+)?(?:(?:an?|the|from|set|about)\s+)?(?P<rest>(?:\S+\s*){1,3})"
)


_JUDGED = _rx(
    r"\b(?:great|good|amazing|awesome|brilliant|fantastic|excellent|wonderful|superb|perfect|"
    r"lovely|fun|boring|awful|terrible|bad|dull|weak|meh)\b"
)


def _sought(text: str, pronoun: re.Match[str], vocab: Vocabulary) -> bool:
    """ "it isn't a romantic movie", "it's a comedy": "it" is the item the user is after,
    described by a catalog value, not the item in focus (no feedback on it); "it was a great
    comedy" stays a judgement of the item in focus."""
    if pronoun.group(0).lower() != "it":
        return False
    m = _IT_IS.match(text, pronoun.end())
    if not m or feedback_kind(m.group(0)) is not None or _JUDGED.search(m.group(0)):
        return False
    return any(True for _ in vocab.find_values(tokenize(m.group("rest")), fuzzy=False))


def _bare_numbers(text: str, shown: Sequence[str], out: Refs) -> None:
    """ "2 vs 5", "watched 1 and 4 already": two bare numbers within the list's length, joined
    and followed by nothing that makes them a quantity, point at the list just shown."""
    if not shown:
        return
    for m in _BARE_PAIR.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        if _covered(out, m.start(), m.end()) or max(a, b) > len(shown) or a == b:
            continue
        for index, at in ((a, m.start("a")), (b, m.start("b"))):
            item = shown[index - 1]
            out.refs.append((at, ItemRef(item, _role(text, at, item, shown), str(index))))
        out.blank.append(m.span())


def _pronoun_feedback(text: str, out: Refs) -> None:
    """ "Pulp Fiction is great but I've seen it": feedback in a later clause whose only item
    is a pronoun goes to the item named last before it."""
    for m in PRONOUN_RX.finditer(text):
        clause = _clause_at(text, m.start())
        start = text.find(clause)
        if any(start <= pos < start + len(clause) for pos, _ in out.refs):
            continue  # the clause names its own item
        earlier = [
            (pos, r) for pos, r in out.refs if pos < start and r.role is not TitleRole.EXCLUDE
        ]
        kind = feedback_kind(clause)
        if earlier and kind is not None:
            out.feedback.append((max(earlier, key=lambda r: r[0])[1].item_id, kind))


_BRACKET_AFTER = re.compile(r"\s*\(([^()]{1,40})\)")
_LAST_BRACKET = re.compile(r"\(([^()]*)\)\s*$")


def _by_bracket(
    ids: Sequence[str], vocab: Vocabulary, text: str, end: int
) -> tuple[str | None, int]:
    """The item a bracket typed after a title picks among those sharing it ("(style 4)",
    "(1995)"), and where the reference ends; (None, end past a year) when it picks none."""
    m = _BRACKET_AFTER.match(text, end)
    if not m:
        return None, end
    said = normalise(m.group(1))
    for item_id in ids:
        own = _LAST_BRACKET.search(vocab.title_of(item_id))
        if own and normalise(own.group(1)) == said:
            return item_id, m.end()
    return None, m.end() if re.fullmatch(r"\d{4}", m.group(1).strip()) else end


def _generic_titles(
    text: str,
    spans: Sequence[tuple[str, int, int]],
    vocab: Vocabulary,
    shown: Sequence[str],
    out: Refs,
) -> None:
    """Titles made only of attribute values ("Women's black rain jacket (style 4)") name an
    item when a taste or liking cue governs them ("I loved ...", "similar to ...") or their
    own bracket follows; otherwise their words stay wishes ("a men's black jacket")."""
    tokens = [t for t, _, _ in spans]
    shown_set = set(shown)
    for start, end, ids in vocab.find_titles(tokens, generic=True):
        if out.title_tokens.intersection(range(start, end)):
            continue
        char_start, char_end = spans[start][1], spans[end - 1][2]
        if _covered(out, char_start, char_end):
            continue
        picked, ref_end = _by_bracket(ids, vocab, text, char_end)
        before = _clause_before(text, char_start)
        cued = (
            _TASTE_BEFORE.search(before)
            or THIRD_PERSON_LOVED.search(before)
            or LIKE_FEEDBACK.search(before)
            or _FAVOURITE_AFTER.match(text, char_end)
        )
        if not (cued or picked):
            continue
        chosen = picked or next((i for i in ids if i in shown_set), ids[0])
        role = _role(text, char_start, chosen, shown)
        out.refs.append((char_start, ItemRef(chosen, role, text[char_start:ref_end])))
        out.title_tokens.update(range(start, end))
        out.blank.append((char_start, ref_end))


_ASKS_ABOUT = _rx(
    r"\b(?:why|how come|compare|vs\.?|versus|which|or|difference|what makes|what about|"
    r"tell me (?:more )?about|explain)\b"
)


def _described_shown(
    text: str,
    spans: Sequence[tuple[str, int, int]],
    vocab: Vocabulary,
    shown: Sequence[str],
    out: Refs,
) -> None:
    """ "why the navy parka?", "compare the black parka and the green one", "I already own
    the grey fleece": words of one shown item's title name that item
    (`agent.nlu_described.shown_descriptions`)."""
    if not shown:
        return
    tokens = [t for t, _, _ in spans]
    for first, end, item in shown_descriptions(
        tokens,
        shown_title_words(vocab, shown),
        is_value=_value_of(vocab),
        function_words=_FUNCTION_WORDS,
        weighs=bool(WEIGHS.search(text)),
        removal=REMOVAL,
        vocab=vocab,
    ):
        if out.title_tokens.intersection(range(first, end)):
            continue
        char_start, char_end = spans[first][1], spans[end - 1][2]
        if _covered(out, char_start, char_end):
            continue
        ref = ItemRef(item, _role(text, char_start, item, shown), text[char_start:char_end])
        out.refs.append((char_start, ref))
        out.title_tokens.update(range(first, end))
        out.blank.append((char_start, char_end))


def _value_of(vocab: Vocabulary) -> Callable[[str], bool]:
    return lambda word: bool(vocab.find_values([word], fuzzy=False))


def _covered(out: Refs, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in out.blank)


_NAMED_AFTER = _rx(  # "my fave film is X", "compare Jaws with X", "Jaws vs X"
    r"(?:\b(?:fave|favou?rite)\s+(?:film|movie|one|book|title)?\s*(?:is|was|:)"
    r"|\bcompared?\s+(?:\S+\s+){0,3}?(?:with|to)|\bvs\.?|\bversus)\s+['\"“‘]?$"
)


def _listed_unknown(text: str, end: int, vocab: Vocabulary, out: Refs) -> None:
    """ "I liked Inception and Memento": a capitalised name joined to a title the catalog
    lacks by "and", "or" or a comma is another such title (unless the catalog knows it)."""
    joint = re.match(r"\s*(?:,\s*|\s(?:and|or|&)\s+)", text[end:])
    if not joint:
        return
    at = end + joint.end()
    cand = _TITLE_CAND.match(text, at)
    if not cand or not text[at : at + 1].isupper() or _covered(out, at, at + 1):
        return
    name = re.sub(r"\s+(of|the|a|and|in|on|to)$", "", cand.group(1).strip(" '\"”’"))
    known = vocab.titles.get(title_key(name)) is not None
    if len(name) > 1 and not known and not vocab.find_values(tokenize(name), fuzzy=False):
        out.unknown_titles.append(name)
        out.blank.append((at, at + len(name)))


def _fuzzy_and_unknown(text: str, vocab: Vocabulary, shown: Sequence[str], out: Refs) -> None:
    """After a taste or feedback cue: a misspelt title (fuzzy), or a title the catalog lacks."""
    cues = [m for m in re.finditer(r"\S+", text)]
    for word in cues:
        before = text[max(0, word.start() - 80) : word.start()]
        if not (
            _TASTE_BEFORE.search(before)
            or THIRD_PERSON_LOVED.search(before)
            or re.search(
                r"(?:^\W*|\b(?:i|we)\s+)(?:(?:really|also|\w+ly)\s+)?(?:loved|liked|enjoyed"
                r"|adored|hated|disliked|detested|loathed|saw|watched)\s+['\"“‘]?$",
                before,
                re.I,
            )
            or _NAMED_AFTER.search(before)
        ):
            continue
        if _covered(out, word.start(), word.end()):
            continue
        rest = re.split(
            r"[,.;!?]|\s(?:but|and|or|though|because|with|from|that|which|only|except)\s",
            text[word.start() :],
        )[0]
        rest_words = rest.split()[:8]
        if not rest_words or normalise(rest_words[0]) in (
            "me",
            "you",
            "that",
            "this",
            "it",
            "those",
            "these",
            "them",
        ):
            continue
        match = None
        for n in range(len(rest_words), 0, -1):
            phrase = " ".join(rest_words[:n])
            if n == 1 and len(normalise(phrase)) < 5:
                break
            match = vocab.fuzzy_title(phrase)
            if match is not None:
                break
        if match is not None:
            _key, ids, _score = match
            chosen = next((i for i in ids if i in shown), ids[0])
            end = word.start() + len(" ".join(rest_words[:n]))
            role = _role(text, word.start(), chosen, shown)
            out.refs.append((word.start(), ItemRef(chosen, role, text[word.start() : end])))
            out.blank.append((word.start(), end))
            continue
        at = word.start()
        article = re.match(r"(?:the|an?)\s+(?=[A-Z])", text[at:])
        if article and vocab.titles.get(title_key(text[at:].split(",")[0])) is None:
            at += article.end()  # "like the Golden Dragon": the title starts after "the"
        cand = _TITLE_CAND.match(text, at)
        quoted = text[at] in "\"“'‘"
        if cand and (quoted or text[at].isupper()) and not text[word.start() :].startswith("I "):
            name = cand.group(1).strip(" '\"”’")
            name = re.sub(r"\s+(of|the|a|and|in|on|to)$", "", name)
            ids = vocab.titles.get(title_key(name)) or vocab.titles.get(title_key(f"the {name}"))
            if ids:  # written as a title after "like": "Golden Dragon", though its words are common
                chosen = next((i for i in ids if i in shown), ids[0])
                end = at + len(cand.group(0).rstrip())
                role = _role(text, word.start(), chosen, shown)
                out.refs.append((word.start(), ItemRef(chosen, role, text[word.start() : end])))
                out.blank.append((word.start(), end))
                continue
            named_values = vocab.find_values(tokenize(name), fuzzy=False)
            value_words = sum(h.end - h.start for h in named_values)
            if value_words >= len(tokenize(name)):
                continue  # "I loved Westerns": a genre, not a title
            if name and normalise(name) not in ("i", "me") and len(name) > 1:
                out.unknown_titles.append(name)
                out.blank.append((word.start(), at + len(cand.group(0))))
                _listed_unknown(text, text.find(name, at) + len(name), vocab, out)
    name, start, end = unknown_subject(text) or ("", 0, 0)  # "Parasite is the best film ..."
    known = vocab.titles.get(title_key(name)) or vocab.find_values(tokenize(name), fuzzy=False)
    if name and not _covered(out, start, end) and not known:  # "Horror is great": a value
        out.unknown_titles.append(name)
        out.blank.append((start, end))
