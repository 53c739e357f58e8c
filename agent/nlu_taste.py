"""Taste references the title finder leaves as plain mentions.

`agent.nlu_refs` gives a named item the role its cue words say. Two frames need the words
around the title:

- an evaluation of the item ("loved Candyman", "my fave is Fargo", "Fargo was great") or a
  similarity cue with no object of its own ("... similar sort of thing?", "something along
  those lines", "think The Graduate but different") makes a mentioned item a taste
  reference;
- a catalog whose titles are made of attribute values ("Men's brown field jacket") leaves
  such titles to the attribute slots, which turns "Men's brown field jacket was great" into
  three hard filters. Under a taste frame the exact title names one item: a taste
  reference, not a bag of attribute wishes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.nlu_feedback import HYPOTHETICAL_LIKE, liked_as_taste
from agent.nlu_partial_titles import partial_titles
from agent.nlu_titles import LIKENESS, TASTE_AFTER, Refs
from agent.parse import FeedbackKind, ItemRef, TitleRole
from agent.vocab import MAX_TITLE_WORDS, Vocabulary, normalise


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_PRAISE = (
    r"(?:great|brilliant|amazing|awesome|fantastic|excellent|wonderful|superb|perfect|lovely"
    r"|so good|really good|the best|a favou?rite|my favou?rite|one of my favou?rites|a classic)"
)
_LOVED_BEFORE = _rx(
    r"(?:^|[^'\w])(?<!not )(?<!n't )(?<!never )(?:loved|liked|enjoyed|adored|love|adore|dug)"
    r"\s+(?:the\s+(?:movie|film)\s+)?['\"\u201c\u2018]?$"
)
_FAVOURITE_BEFORE = _rx(
    r"\b(?:my|our|a|all[\s-]time)\s+(?:fave|fav|favou?rite)(?:\s+\w+)?\s+(?:is|was|'s|=|:)?\s*['\"\u201c\u2018]?$"
)
_FRAME_BEFORE = _rx(
    r"(?:(?<!i'd )(?<!i would )(?<!would )(?<!i )\blike|similar to|same (?:vibe|feel|kind|style|sort)"
    r" as|vibe of|in the (?:spirit|vein|style) of|along the lines of|reminds? me of|fans? of"
    r"|lovers? of|" + LIKENESS + r")\s+['\"\u201c\u2018]?$"
)
_PRAISE_AFTER = _rx(
    rf"\s*(?:\(\d{{4}}\))?\s*(?:is|was|'s)\s+(?:(?:so|really|very|just|pretty|absolutely|truly)"
    rf"\s+)?{_PRAISE}\b"
)
_OBJECTLESS = _rx(
    r"\b(?:similar(?!\s+to\b)|along (?:those|these|the same) lines"
    r"|in (?:that|this|the same) (?:vein|spirit|direction|way|style|manner|lane|mould|mold)"
    r"|(?:that|this) (?:sort|kind) of thing|something like (?:that|it)|same vibe(?!\s+as\b)"
    r"|(?:but|only|just|a bit|slightly|somewhat|a little)\s+different|more like (?:that|it))\b"
)
_ABOUT_ITEM = _rx(
    r"\b(?:why|how come|explain|compare|versus|vs\.?|which (?:one )?is better|justify)\b"
    # "what's X doing there", "what drew you to X", "the connection between my taste and X"
    r"|\bdoing\s+(?:there|here|on)\b|\bwhat\s+(?:drew|led|made|brought|got)\s+(?:you|u)\b"
    r"|\b(?:connection|link)\s+(?:between|to|with)\b"
)
_CLAUSE = re.compile(r"[.;!?]|,|\s-\s|\bbut\b")


_SENTENCE_END = re.compile(r"[.!?…]+")


def _sentence_at(text: str, pos: int) -> str:
    """The sentence (up to its stop) holding position `pos`."""
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    stop = _SENTENCE_END.search(text, pos)
    return text[starts[-1] if starts else 0 : stop.start() if stop else len(text)]


def _clause_before(text: str, pos: int) -> str:
    return _CLAUSE.split(text[max(0, int(pos) - 80) : int(pos)])[-1]


def _praised(text: str, start: int, end: int) -> bool:
    if HYPOTHETICAL_LIKE.search(text):  # "I'd love it if it were a musical": a wish
        return False
    before = _clause_before(text, start)
    return bool(
        _LOVED_BEFORE.search(before)
        or _FAVOURITE_BEFORE.search(before)
        or _PRAISE_AFTER.match(text, end)
    )


def framed_titles(
    text: str, spans: Sequence[tuple[str, int, int]], vocab: Vocabulary, found: Refs
) -> None:
    """Titles made of attribute values, named exactly under a taste frame ("same vibe as
    Women's black parka"): added to `found` as taste references; titles typed in part
    ("toy story or lion king", "Titanic's score", `agent.nlu_partial_titles`) with the role
    of the title weighed against them (in place)."""
    spans_of = {int(pos): ref for pos, ref in found.refs}
    named = [(int(pos), int(pos) + len(ref.text)) for pos, ref in found.refs]
    for start, end, ids, partner in partial_titles(text, named, vocab.titles, normalise):
        if any(s < end and start < e for s, e in found.blank):
            continue
        other = spans_of.get(partner)
        role = other.role if other is not None else TitleRole.SUBJECT
        if partner < 0 and TASTE_AFTER.match(text, end):
            role = TitleRole.TASTE  # "keep Chinatown's mood but go newer"
        found.refs.append((start, ItemRef(ids[0], role, text[start:end])))
        found.blank.append((start, end))
    tokens = [t for t, _, _ in spans]
    n = len(tokens)
    taken = set(found.title_tokens)
    for start in range(n):
        if start in taken or not tokens[start][:1].isalnum():
            continue
        for size in range(min(MAX_TITLE_WORDS, n - start), 1, -1):
            key = " ".join(tokens[start : start + size])
            ids = vocab.titles.get(key)
            if not ids or vocab.distinctive(key) or taken.intersection(range(start, start + size)):
                continue
            char_start, char_end = spans[start][1], spans[start + size - 1][2]
            before = _clause_before(text, char_start)
            if not (
                _FRAME_BEFORE.search(before)
                or _praised(text, char_start, char_end)
                or _OBJECTLESS.search(text)
            ):
                continue
            shown = [r.item_id for _, r in found.refs]
            chosen = next((i for i in ids if i in shown), ids[0])
            ref = ItemRef(chosen, TitleRole.TASTE, text[char_start:char_end])
            found.refs.append((char_start, ref))
            found.title_tokens.update(range(start, start + size))
            found.blank.append((char_start, char_end))
            taken.update(range(start, start + size))
            break


# a shown item that opens the turn as the base of a change: "the second one but longer",
# "the first one is close but darker", "number five has the right feel, more recent"
_OPENING = _rx(r"\W*(?:(?:ok|okay|hmm+|um+|so|well|yeah|right|oh|ah)\W+)*(?:the\s+|number\s+|#)?")
_JOIN = _rx(r"\s*(?:,|and|&|or)?\s*(?:the\s+|number\s+|#)?")
_BASE_AFTER = _rx(
    r"(?:\s+ones?)?(?:\s*,?\s*but\s+(?!not\b|why\b|what\b|how\b|which\b|i\b|we\b)\w"
    r"|\s+(?:is|are|was|were|'s|has|have|had)\s+(?:(?:so|very|pretty|really|quite|got|the)\s+)*"
    r"(?:close|closest|closer|nearly there|almost there|nearly right|almost right"
    r"|on the right track|the right (?:feel|vibe|idea|mood|look|direction)"
    # "The Sting is more what I mean", "Brazil is closest to my taste", "#4 is my style"
    r"|(?:more|exactly|just|precisely|closer to|close to|closest to|nearer to|nearest to)?\s*"
    r"what (?:i|we)(?:'m| am| was| were)?\s+(?:mean|meant|want|wanted|had in mind|after"
    r"|looking for)|(?:the\s+)?(?:closest|nearest|closer|nearer) to (?:my|our) tastes?"
    r"|(?:my|our) (?:style|type|kind of (?:thing|film|movie))"
    r"|(?:the|my|our) (?:kind|sort|type)(?: of (?:thing|film|movie|jacket|coat|book))? (?:i|we)"
    r"(?:'m| am)? (?:mean|meant|want|wanted|like|had in mind|after))\b)"
)


def _base_of_refine(text: str, found: Refs) -> None:
    # a taste copy of a reference (made for "..., more of that") is not a second mention
    copies = {
        id(r)
        for r in found.refs
        if r[1].role is TitleRole.TASTE
        and any(o is not r and o[1].item_id == r[1].item_id for o in found.refs)
    }
    ordered = sorted((r for r in found.refs if id(r) not in copies), key=lambda r: r[0])
    group: list[tuple[float, ItemRef]] = []
    at, gap = 0, _OPENING
    for pos, ref in ordered:
        if group and int(pos) < at:
            continue  # taken with the phrase it was read from
        if ref.role not in (TitleRole.SHOWN, TitleRole.SUBJECT) or not gap.fullmatch(
            text, at, int(pos)
        ):
            return
        at, gap = int(pos) + len(ref.text), _JOIN
        group += [  # "the first two": every place read off one phrase
            (p, r)
            for p, r in ordered
            if int(pos) <= p < at and r.role in (TitleRole.SHOWN, TitleRole.SUBJECT)
        ]
        if _BASE_AFTER.match(text, at):
            for item in group:
                found.refs[found.refs.index(item)] = (
                    item[0],
                    ItemRef(item[1].item_id, TitleRole.TASTE, item[1].text),
                )
            return


def promote_taste(text: str, found: Refs) -> None:
    """Praise of a mentioned item is a like (which the session keeps as a taste anchor); an
    item the turn compares with ("... but different") or changes ("the second one but
    longer") is a taste reference (in place)."""
    if not any(not _ABOUT_ITEM.search(_sentence_at(text, int(pos))) for pos, _ in found.refs):
        return
    _base_of_refine(text, found)
    judged = {item for item, kind in found.feedback if kind is not FeedbackKind.LIKE}
    liked = {item for item, kind in found.feedback if kind is FeedbackKind.LIKE}
    objectless = _OBJECTLESS.search(text) is not None
    for index, (pos, ref) in enumerate(list(found.refs)):
        start = int(pos)
        end = start + len(ref.text)
        if ref.role is TitleRole.EXCLUDE and _PRAISE_AFTER.match(text, end):
            ref = ItemRef(ref.item_id, TitleRole.SUBJECT, ref.text)  # "no, Heat was great"
        if ref.role not in (TitleRole.SUBJECT, TitleRole.SHOWN) or ref.item_id in judged:
            continue
        if _ABOUT_ITEM.search(_sentence_at(text, start)):
            continue  # "why X?" asks about it (another sentence may still praise another)
        if objectless:
            ref = ItemRef(ref.item_id, TitleRole.TASTE, ref.text)
        found.refs[index] = (pos, ref)
        if _praised(text, start, end) and ref.item_id not in liked:
            found.feedback.append((ref.item_id, FeedbackKind.LIKE))  # a like keeps it as taste
    # praise found here in a turn that asks for more like it is taste only, as in `find_refs`
    found.refs, found.feedback = liked_as_taste(text, found.refs, found.feedback)
    _blank_frames(text, found)


# the words that frame a taste reference or a favourite are part of it, never a wish of their
# own: "something *exactly like* Pulp Fiction", "anything *closer to* Grease", "X is *my
# all-time fave*"
_FRAME_WORDS = _rx(
    r"(?:\b\w+ly\s+)?\b(?:(?:closer|nearer)(?:\s+to)?|(?:close|similar)\s+to|like|along the lines of"
    r"|in the (?:spirit|vein|style|mould|mold) of"
    r"|(?:(?:scratch|scratches|hit|hits|is|are|in|of)\s+)?(?:" + LIKENESS + r")"
    r"|(?:that\s+|which\s+)?(?:scratch|scratches|scratched)\s+(?:an?|my|the|that|this))"
    r"\s+(?:the\s+)?['\"\u201c\u2018]?$"
)
_SUFFIX = _rx(r"-?(?:ish|esque|like)\b|\s+itch\b")  # "a Pulp Fiction itch"
_FAVOURITE = _rx(
    r"\b(?:my|our)\s+(?:all[\s-]time\s+|absolute\s+)?(?:fave|fav|favou?rite)\b"
    # someone else's: "someone whose comfort movie is X", "his go-to film is X"
    r"|\b(?:whose|his|her|their)\s+(?:all[\s-]time\s+|absolute\s+)?(?:fave|fav|favou?rite|comfort"
    r"|go-to)(?:\s+(?:movie|film|flick|pick|one|watch))?(?:\s+(?:is|was))?\b"
)


def _blank_frames(text: str, found: Refs) -> None:
    unknown = [text.find(name) for name in found.unknown_titles]
    taste = [int(pos) for pos, ref in found.refs if ref.role is TitleRole.TASTE]
    for pos in [*taste, *(p for p in unknown if p > 0)]:
        start = max(0, pos - 60)
        m = _FRAME_WORDS.search(text[start:pos])
        if m:
            found.blank.append((start + m.start(), start + m.end()))
    for pos, ref in found.refs:  # "Fargo-ish", "Fargo-esque": the suffix names no wish
        end = int(pos) + len(ref.text)
        m = _SUFFIX.match(text, end) if ref.role is TitleRole.TASTE else None
        if m:
            found.blank.append((end, m.end()))
    if found.refs or found.feedback:
        found.blank.extend(m.span() for m in _FAVOURITE.finditer(text))
    liked = {item for item, kind in found.feedback if kind is FeedbackKind.LIKE}
    # "Local Hero is a gem": praise of it, no wish for obscurity ("a hidden gem" stays one)
    for pos, ref in found.refs:
        m = _GEM_AFTER.match(text, int(pos) + len(ref.text))
        if m and (ref.item_id in liked or ref.role is TitleRole.TASTE):
            found.blank.append(m.span())


_GEM_AFTER = _rx(
    r"\s*(?:is|was|'s|=)\s+(?:(?:such|a|an|real|true|absolute|total|little|bit of|"
    r"genuine|proper|modern|certified|bona fide)\s+)*(?:gem|classic|treasure|masterpiece)\b"
)
