"""Item references in a turn and the role each plays.

An item can be named by its title (exactly, or misspelt: rapidfuzz against the catalog's
titles; `agent.nlu_titles`), by its place in the list just shown ("the second one", "#3",
"the last one", "2 vs 5"), by words of its title ("the navy parka") or by a pronoun ("that
one"). Its role comes from the words before it in the same clause (`agent.nlu_titles.role_of`);
`find_refs` runs the finders in order, reads roles a cue after the item gives ("Fargo fans"),
and gives each reference the feedback its clause says. A title-like phrase after a taste cue
that the catalog lacks ("something like The Matrix") is reported as an unknown title, never
turned into a text wish.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise

from agent.nlu_anaphora import compared_not_taste, taste_by_anaphora
from agent.nlu_clauses import REMOVAL
from agent.nlu_described import WEIGHS, counted_positions, shown_descriptions, shown_title_words
from agent.nlu_fame import popularity_wish
from agent.nlu_feedback import (
    THIRD_PERSON_LOVED,
    FeedbackKind,
    asks_for_items,
    feedback_kind,
    household_like,
    implied_feedback,
    liked_as_taste,
    one_per_item,
    own_clause,
    postfix_verdict,
    prefix_mark,
)
from agent.nlu_number_titles import number_titles
from agent.nlu_short_titles import short_index, short_titles
from agent.nlu_titles import (
    CLAUSE_SPLIT,
    FUNCTION_WORDS,
    TASTE_AFTER,
    Refs,
    clause_before,
    covered,
    fuzzy_and_unknown,
    generic_titles,
    named_titles,
    role_of,
)
from agent.parse import ItemRef, TitleRole
from agent.vocab import Vocabulary, tokenize

__all__ = ["ORDINALS", "ORDINAL_RX", "PRONOUN_RX", "Refs", "find_refs"]


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
    # "the one in the middle", "the film at the bottom", "the one on top": a place told by
    # where it sits on the list
    rf"|\bthe\s+(?:{_NOUNS})\s+(?:in\s+the\s+(?P<centre>middle|centre|center)"
    r"|(?:at|on)\s+(?:the\s+)?(?P<end>top|bottom|end))\b"
    r"|#\s*(?P<hash>\d{1,2})\b|\b(?:number|no\.?|item|pick|option)\s*(?P<num>\d{1,2})\b"
    r"|\bnumber\s+(?P<spelt>one|two|three|four|five|six|seven|eight|nine|ten)\b)"
)
# why / how with an auxiliary, as fixed-width look-behinds (the question's subject follows)
_WHY_AUX = (
    "why'd", "why\u2019d", "whyd", "why did", "why does", "why would", "why has", "how'd",
    "how\u2019d", "howd", "how did", "how does", "how would", "how has", "how come",
)  # fmt: skip
_AFTER_WHY_AUX = "(?:{})".format("|".join(f"(?<=\\b{q} )" for q in _WHY_AUX))
PRONOUN_RX = _rx(
    r"\b(it|its|that one|this one|that movie|this movie|that film|this film|the one|that jacket|this jacket|that coat|this coat|(?:that|this)(?=\s*(?:[?.!,;]|$|one\b|please\b|pick\b|or\b|for\s+(?:me|us)\b))"
    # "how come that's on here", "why is this on my list": the item in focus
    r"|(?:that|this)(?=(?:'s|\s+is)\s+(?:on|in|doing|there|here|top|first)\b)"
    # "why'd that make the cut", "how did this end up first": after a why / how and its
    # auxiliary, "that" / "this" can only be the subject, the item in focus
    rf"|{_AFTER_WHY_AUX}(?:that|this)(?=\s+[a-z])"
    r"|(?<=\bbetween )(?:that|this)(?=\s+(?:and|&)\b)"  # "the difference between that and X"
    # "why recommend dis": the informal spellings of "this" / "that" closing a clause
    r"|(?<![\w'])(?:dis|dat)(?=\s*(?:[?.!,;]|$))"
    r")\b"
)


# "top and bottom of the list", "the bottom of the list": the list's ends; not "at the top of
# the list" (a rank), which the loop checks before it
_LIST_END = _rx(
    r"(?:\s+(?:and|&|or)\s+(?:the\s+)?(?:top|bottom|first|last)(?:\s+ones?)?)?\s+"
    r"(?:of|on|in)\s+(?:the|this|that|your|my)\s+(?:list|page|screen|selection|results?|lot)\b"
)
_TITLE_AFTER = re.compile(r" (?!I\b|I')[A-Z][a-z]")
_AT_PLACE = _rx(
    r"\b(?:being|ranked|placed|listed|comes?|came|coming|sits?|sitting|landed)\s+(?:at\s+)?$"
)
_WORDS = re.compile(r"[\w']+")


def _opens_title(text: str, at: int, vocab: Vocabulary) -> bool:
    """ "raiders or last crusade": the word opens a run of one title's words (a short form,
    `agent.nlu_short_titles`) or a whole title, typed in lower case."""
    words = _WORDS.findall(text[at : at + 60].lower())[:4]
    runs = short_index(vocab).runs
    return any(
        (run := " ".join(words[:n])) in runs or run in vocab.titles
        for n in range(2, len(words) + 1)
    )


_AT_RANK = _rx(
    r"\b(?:at|to|from|near|towards?|being|reach(?:es|ed)?|hits?|make[sd]?)\s+(?:the\s+)?$"
)


def _clause_at(text: str, pos: float) -> str:
    """The clause around a character position (for the feedback verb that governs it)."""
    starts = [m.end() for m in CLAUSE_SPLIT.finditer(text) if m.end() <= pos]
    ends = [m.start() for m in CLAUSE_SPLIT.finditer(text) if m.start() >= pos]
    return text[(starts[-1] if starts else 0) : (ends[0] if ends else len(text))]


def find_refs(
    text: str,
    spans: Sequence[tuple[str, int, int]],
    vocab: Vocabulary,
    shown: Sequence[str],
    focus: str | None,
) -> Refs:
    """Every item reference in a turn with its role, plus unknown titles and feedback."""
    out = Refs()
    for start, end, places in counted_positions(text, len(shown), is_value=_value_of(vocab)):
        for k, index in enumerate(places):
            item = shown[index]
            out.refs.append(
                (start + k, ItemRef(item, role_of(text, start, item, shown), text[start:end]))
            )
        out.blank.append((start, end))
    for m in ORDINAL_RX.finditer(text):
        if covered(out, m.start(), m.end()):
            continue
        word = (m.group("word") or "").lower()
        if (
            word
            and m.end() == m.end("word")
            and (
                _TITLE_AFTER.match(text, m.end("word"))
                or _opens_title(text, m.start("word"), vocab)
            )
        ):
            continue  # "Last Crusade", "last crusade": the start of a title, not a place
        if word and m.end() == m.end("word") and _AT_PLACE.search(text, 0, m.start()):
            continue  # "Pretty Woman being first": a rank on the list, no item of it
        if word in ("top", "bottom") and not (
            re.search(r"(?:top|bottom)\s+(one|pick|movie|film)", m.group(0).lower())
            or (_LIST_END.match(text, m.end()) and not _AT_RANK.search(text[: m.start()]))
        ):
            continue
        middle = m.group("middle") or m.group("centre")
        if middle and len(shown) % 2 == 0:
            continue  # "the middle one" of an even list names no single item
        place = (m.group("end") or "").lower()
        if place == "top":
            word = "top"
        index = (
            (len(shown) + 1) // 2
            if middle
            else len(shown)
            if word in ("last", "final", "bottom") or place in ("bottom", "end")
            else ORDINALS.get(word)
            or _SPELT.get((m.group("spelt") or "").lower())
            or int(m.group("hash") or m.group("num") or 0)
        )
        if shown and 1 <= index <= len(shown):
            item = shown[index - 1]
            out.refs.append(
                (m.start(), ItemRef(item, role_of(text, m.start(), item, shown), m.group(0)))
            )
            out.blank.append(m.span())
    _bare_numbers(text, shown, out)
    named_titles(text, spans, vocab, shown, out)
    number_titles(text, vocab, shown, out)
    generic_titles(text, spans, vocab, shown, out)
    short_titles(text, spans, vocab, shown, out)
    _described_shown(text, spans, vocab, shown, out)
    fuzzy_and_unknown(text, vocab, shown, out)
    out.refs = [  # "Toy Story fans", "the GoodFellas mould", "#1 vibe": a cue after the item
        (pos, ItemRef(r.item_id, TitleRole.TASTE, r.text))
        if r.role in (TitleRole.SHOWN, TitleRole.SUBJECT)
        and TASTE_AFTER.match(text, int(pos) + len(r.text))
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
        elif (  # "Trainspotting and Reservoir Dogs are the vibe": a cue after both
            b.role is TitleRole.TASTE
            and a.role in (TitleRole.SHOWN, TitleRole.SUBJECT)
            and joined.removesuffix(" the") in ("or", "and", "&")
            and TASTE_AFTER.match(text, int(pos_b) + len(b.text))
        ):
            out.refs.append((pos_a - 0.5, ItemRef(a.item_id, TitleRole.TASTE, a.text)))
    pronoun = _first_pointer(text)
    if out.refs and pronoun and role_of(text, pronoun.start(), "", shown) is TitleRole.TASTE:
        # "I liked the first one, more like that": the item named is the taste reference
        pos, first = min(out.refs, key=lambda r: r[0])
        out.refs += [  # every place read off that phrase ("the first two are close, more of that")
            (p - 0.5, ItemRef(r.item_id, TitleRole.TASTE, r.text))
            for p, r in list(out.refs)
            if pos <= p < pos + len(first.text) and r.text == first.text
        ]
    # "X and Y are exactly what I like, more of those": the items named before the anaphor
    out.refs = taste_by_anaphora(
        text, out.refs, lambda p: feedback_kind(_clause_at(text, p)) is FeedbackKind.DISLIKE
    )
    out.refs = compared_not_taste(text, out.refs, shown)  # "is Emma much like Persuasion?"
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
                ItemRef(focus, role_of(text, pronoun.start(), focus, shown), pronoun.group(0)),
            )
        )
    for pos, ref in sorted(out.refs, key=lambda r: r[0]):
        if ref.role in (TitleRole.EXCLUDE,):
            continue
        if ref.role is TitleRole.TASTE and household_like(_clause_at(text, pos), text):
            # "my daughter adores babe" (and nothing asked): the household's verdict
            role = TitleRole.SHOWN if ref.item_id in shown else TitleRole.SUBJECT
            out.refs = [
                (p, ItemRef(r.item_id, role, r.text) if r is ref else r) for p, r in out.refs
            ]
            out.feedback.append((ref.item_id, FeedbackKind.LIKE))
            continue
        end = int(pos) + len(ref.text)
        spans = [(int(p), int(p) + len(r.text)) for p, r in out.refs if r is not ref]
        whole = _clause_at(text, pos)
        at = text.find(whole, max(0, int(pos) - len(whole)))
        own = own_clause(text, (at, at + len(whole)), (int(pos), end), spans) if at >= 0 else ""
        kind = feedback_kind(own) or feedback_kind(whole)  # "and so was Fargo": the whole
        post = postfix_verdict(text, end) if ref.role is not TitleRole.TASTE else None
        if post is not None and (
            feedback_kind(CLAUSE_SPLIT.split(text[int(pos) :], maxsplit=1)[0])
            in (None, FeedbackKind.SEEN)
            or post is not FeedbackKind.SEEN
            or any(p > end for p, _ in out.refs)  # "X watched already, Y was rubbish"
        ):
            kind = post  # not "that first one, seen it, meh": a verdict beside the viewing
        kind = prefix_mark(text, int(pos)) or kind
        if kind is not None and (ref.role is not TitleRole.TASTE or kind is FeedbackKind.LIKE):
            if ref.role is TitleRole.TASTE and THIRD_PERSON_LOVED.search(clause_before(text, pos)):
                continue  # "people like me loved X": their taste, not this user's feedback
            out.feedback.append((ref.item_id, kind))
    _pronoun_feedback(text, out)
    named = [(pos, r.item_id, r.role is TitleRole.EXCLUDE) for pos, r in out.refs]
    cuts = [0, *(p for m in CLAUSE_SPLIT.finditer(text) for p in m.span()), len(text)]
    clauses = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    focus_ok = None if out.unknown_titles else focus  # a verdict on a title the catalog lacks
    out.feedback = implied_feedback(text, out.feedback, named, clauses, shown, focus_ok)
    out.feedback = one_per_item(out.feedback)
    out.focus_guess = bool(out.feedback) and not named
    out.blank += verdict_clauses(text, clauses, out)
    out.refs, out.feedback = liked_as_taste(text, out.refs, out.feedback)
    return out


_WEIGHED = _rx(
    r"\b(?:\w+er than|compared? (?:to|with)|vs\.?|versus|against|(?:stacks?|measures?) up|different (?:from|to|than)|differs? from"
    r"|side[- ]by[- ]side|next to|alongside|between"  # "put it side by side with X"
    r"|as (?:good|bad|\w+) as|(?:\w+er|more \w+)(?:\s+(?!than\b)\w+){1,4}\s+than"
    r"|(?:this|that|it)(?:\s+one)?\s+or|or\s+(?:this|that|it)(?:\s+one)?)\b"
)
_BARE_PAIR = _rx(
    r"(?<![\w$#.])(?P<a>10|[1-9])\s*(?:vs\.?|versus|and|or|&|,)\s*(?P<b>10|[1-9])\b"
    r"(?=\s*(?:$|[?!.,;:]|already\b|which\b|what\b|please\b|pls\b|then\b"
    # "2 and 4 are good": the pair as the subject of a verdict or description
    r"|(?:are|were|look|looked|seem|seemed)\s+(?!\d)))"
)
# "more along the lines of three and five", "two and seven are closest": spelt numbers are a
# quantity far more often ("two or three please"), so only under a taste cue or as the
# subject of a description of the list
_SPELT_PAIR = _rx(
    r"(?<![\w$#.])(?P<a>one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:and|&)\s+"
    r"(?P<b>one|two|three|four|five|six|seven|eight|nine|ten)\b"
)
_DESCRIBED_AFTER = _rx(
    r"\s*,?\s*(?:are|were)\s+(?:(?:the|my)\s+)?(?:closest|close|nearest|best|right)\b"
)


_IT_IS = _rx(
    r"\s*(?:is|was|'s|’s|(?:(?:should|would|must|might|could)\s+)?(?:not\s+)?be)(?:\s*n[o'’]?t\b)?\s+(?:(?:really|definitely|probably|surely|more|"
    r"def|defo|deffo)\s+)?(?:(?:an?|the|from|set|about)\s+)?(?P<rest>(?:\S+\s*){1,3})"
)


_ITS_IS = _rx(
    r"(?:\s*n[o'’]?t\b)?\s+(?:(?:really|definitely|probably|surely|more|def|defo|deffo|like|"
    r"kinda|prob)\s+)?(?:(?:an?|the|from|set|about)\s+)?(?P<rest>(?:\S+\s*){1,3})"
)
_JUDGED = _rx(
    r"\b(?:great|good|amazing|awesome|brilliant|fantastic|excellent|wonderful|superb|perfect|"
    r"lovely|fun|boring|awful|terrible|bad|dull|weak|meh)\b"
)


# "none of them is it", "that's not it": "it" as a copula's complement says whether the
# list holds the sought item, it points at no item in focus
_COMPLEMENT_BEFORE = _rx(r"\b(?:is|are|was|were|'s|isn'?t|aren'?t|wasn'?t|not)\s+$")
_COMPLEMENT_AFTER = _rx(
    r"\s*(?:$|[.,;:!?\-]|(?:honestly|either|yet|though|really|at all|i think|sorry|mate)\b)"
)


def _first_pointer(text: str) -> re.Match[str] | None:
    """The first pronoun that points at an item (see `_COMPLEMENT_BEFORE`)."""
    for m in PRONOUN_RX.finditer(text):
        if m.group(0).lower() == "it" and (
            _COMPLEMENT_BEFORE.search(text, 0, m.start()) and _COMPLEMENT_AFTER.match(text, m.end())
        ):
            continue
        return m
    return None


def _sought(text: str, pronoun: re.Match[str], vocab: Vocabulary) -> bool:
    """ "it isn't a romantic movie", "it's a comedy": "it" is the item the user is after,
    described by a catalog value, not the item in focus (no feedback on it); "it was a great
    comedy" stays a judgement of the item in focus."""
    word = pronoun.group(0).lower()
    if word not in ("it", "its"):
        return False
    if word == "it" and _BARE_DENIAL.match(text, pronoun.end()):
        return True  # "why is everything horror? It isn't, ...": it, the item sought, is not
    # "its definitely dramatic": "it's" typed without its apostrophe
    m = (_IT_IS if word == "it" else _ITS_IS).match(text, pronoun.end())
    if not m or feedback_kind(m.group(0)) is not None or _JUDGED.search(m.group(0)):
        return False
    if _WHEN_SAID.match(text, m.start("rest")):  # "meh it was released between 1994 and 2000"
        return True
    rest = _UP_TO_STOP.match(text, m.start("rest")).group(0)
    if not _TOO.match(rest) and popularity_wish(rest)[0] is not None:
        return True  # "meh I think it's fairly popular": how known the item sought is
    return any(True for _ in vocab.find_values(tokenize(m.group("rest")), fuzzy=False))


_UP_TO_STOP = re.compile(r"[^.!?;,]*")
_BARE_DENIAL = _rx(r"\s*(?:(?:is|was)\s*n[o'’]?t|(?:is|was)\s+not|'s\s+not)\s*(?:[,.;!…]|$)")
_TOO = _rx(r"\s*(?:(?:way|much|a bit|bit|far|kinda)\s+)?too\b")
# When the item came out, said after "it was" / "it's": the item sought, not the one in focus
_WHEN_SAID = _rx(
    r"(?:(?:released|made|shot|filmed|out|produced)\s+)?(?:in|from|between|around|before|after|"
    r"circa|during|back in|sometime in)?\s*(?:the\s+)?(?:early\s+|mid\s+|late\s+)?"
    r"(?:1[89]\d\d|20[0-4]\d|'?\d0s|(?:twen|thir|for|fif|six|seven|eigh|nine)ties)\b"
)


def _bare_numbers(text: str, shown: Sequence[str], out: Refs) -> None:
    """ "2 vs 5", "watched 1 and 4 already": two bare numbers within the list's length, joined
    and followed by nothing that makes them a quantity, point at the list just shown."""
    if not shown:
        return
    for m in _BARE_PAIR.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        if covered(out, m.start(), m.end()) or max(a, b) > len(shown) or a == b:
            continue
        for index, at in ((a, m.start("a")), (b, m.start("b"))):
            item = shown[index - 1]
            out.refs.append((at, ItemRef(item, role_of(text, at, item, shown), str(index))))
        out.blank.append(m.span())
    for m in _SPELT_PAIR.finditer(text):
        a, b = _SPELT[m.group("a").lower()], _SPELT[m.group("b").lower()]
        if covered(out, m.start(), m.end()) or max(a, b) > len(shown) or a == b:
            continue
        taste = role_of(text, m.start(), "", shown) is TitleRole.TASTE
        if not (taste or _DESCRIBED_AFTER.match(text, m.end())):
            continue
        for index, at in ((a, m.start("a")), (b, m.start("b"))):
            item = shown[index - 1]
            role = TitleRole.TASTE if taste else role_of(text, at, item, shown)
            out.refs.append((at, ItemRef(item, role, m.group("a" if index == a else "b"))))
        out.blank.append(m.span())


def verdict_clauses(
    text: str, clauses: Sequence[tuple[int, int]], out: Refs
) -> list[tuple[int, int]]:
    """The clauses that only judge an item ("the full monty is hilarious", "Shrek made my
    kids laugh so hard"): their words describe the item judged, never a wish, so the slot
    readers skip them. A clause that also asks for items keeps its words."""
    judged = {i for i, k in out.feedback if k is not FeedbackKind.SEEN}
    if not judged and not out.unknown_titles:
        return []
    places = [int(pos) for pos, r in out.refs if r.item_id in judged]
    # a piece that names the judged item only by a pronoun says something of the wish unless
    # it judges ("too old. pretty sure it's from the late nineties": the item sought)
    pronouns = {
        int(pos)
        for pos, r in out.refs
        if r.item_id in judged and r.text.strip().lower() in _BARE_PRONOUNS
    }
    low = text.lower()
    places += [at for name in out.unknown_titles if (at := low.find(name.lower())) >= 0]
    spans = []
    for start, end in clauses:
        clause = text[start:end]
        if not any(start <= p < end for p in places) or asks_for_items(clause) or "?" in clause:
            continue
        if feedback_kind(clause) not in (FeedbackKind.LIKE, FeedbackKind.DISLIKE) and not (
            household_like(clause, text)
        ):
            continue
        # of its comma pieces, those naming the item or judging it ("Platoon was too grim for
        # me, now I'd rather a war comedy": the wish after the comma stays a wish)
        cuts = [start, *(m.end() for m in _PIECE.finditer(text, start, end)), end]
        for a, b in pairwise(cuts):
            piece = text[a:b]
            if _LIST_SUBJECT.match(piece) and not any(a <= p < b for p in places):
                continue  # "these are too old": a remark on the whole list keeps its words
            named = any(a <= p < b and p not in pronouns for p in places)
            told = feedback_kind(piece) in (FeedbackKind.LIKE, FeedbackKind.DISLIKE)
            if (named or told or household_like(piece, text)) and not _WISH_PIECE.search(piece):
                spans.append((a, b))
    return spans


# a comma, a dash, or a sentence typed without its stop ("these feel too modern Honestly ...")
_PIECE = re.compile(
    r"[,;:\u2013\u2014]|\s-\s|(?<=[a-z])\s+(?=(?!I\b)[A-Z][a-z]+\s+[a-z])"
    r"|(?<=[a-z])\s+(?=I\s+(?:liked|loved|enjoyed|adored|hated|disliked|really|also|did|do)\b)"
)
_LIST_SUBJECT = _rx(
    r"\W*(?:\w+\W+)?(?:these|those|they|they're|theyre|all of (?:these|them|those))\b"
)
_BARE_PRONOUNS = frozenset(["it", "its", "it's", "that", "this", "this one", "that one"])
# a piece that turns to a wish: "now I'd rather a war comedy", "some more dramas please"
_WISH_PIECE = _rx(
    r"\b(?:now|rather|instead|prefer|please|pls|want|wanna|fancy|how about|what about|more)\b"
)


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
        kind = feedback_kind(clause) or (
            FeedbackKind.LIKE if household_like(clause, text) else None
        )  # "we watched Babe, the kids adored it"
        if earlier and kind is not None:
            out.feedback.append((max(earlier, key=lambda r: r[0])[1].item_id, kind))


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
        function_words=FUNCTION_WORDS,
        weighs=bool(WEIGHS.search(text)),
        removal=REMOVAL,
        vocab=vocab,
    ):
        if out.title_tokens.intersection(range(first, end)):
            continue
        char_start, char_end = spans[first][1], spans[end - 1][2]
        if covered(out, char_start, char_end):
            continue
        ref = ItemRef(item, role_of(text, char_start, item, shown), text[char_start:char_end])
        out.refs.append((char_start, ref))
        out.title_tokens.update(range(first, end))
        out.blank.append((char_start, char_end))


def _value_of(vocab: Vocabulary) -> Callable[[str], bool]:
    return lambda word: bool(vocab.find_values([word], fuzzy=False))
