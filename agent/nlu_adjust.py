"""Second readings of a turn's numbers: fuzzy years, comparisons with the list, hedged fame.

`agent.nlu_numbers` reads each number phrase on its own; three things need the words
around it:

- a year said loosely ("from around 1991", "1991-ish", "circa 1991") is a window of a few
  years either side, not that one year;
- a comparative whose subject is the list just shown compares the list with the wanted item
  ("these are newer than what I mean": the wanted one is older), so its direction turns
  round; "older than these" keeps it;
- a hedged or mixed fame wish ("fairly popular but not huge", "known-ish") asks for the
  middle, so it pushes neither way; a singular hit with a size ("a massive hit") asks for
  the well known;
- an age said in the positive degree ("an old romance", "an old-fashioned whodunit") or
  negated with nothing on screen to compare with ("nothing too old", "not very old") names
  no direction from anything: it is a wish in the user's words (unplaced), not a move of the
  year. Comparatives ("older", "more recent") and complaints about the list ("too old", "not
  that old" with a list shown) stay moves.
"""

from __future__ import annotations

import re

from agent.nlu_company import PERSON_NOUNS
from agent.nlu_numbers import RELATIVE, WISHED_OF_LIST, NumericSlots, said_earlier
from agent.parse import Direction, Range
from agent.vocab import NumericKind, Vocabulary

YEAR_WINDOW = 3  # "around 1991": 1988-1994


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_LOOSE_BEFORE = _rx(
    r"\b(?:around|about|circa|c\.|ca\.|roughly|approximately|approx\.?|near|close to|give or take)"
    r"\s+(?:the\s+year\s+|in\s+)?((?:19|20)\d\d)\b(?!\s*(?:-|to|and|until)\s*(?:19|20)\d\d)"
)
_LOOSE_AFTER = _rx(r"\b((?:19|20)\d\d)\s*(?:-?\s*ish|or so|give or take|or thereabouts)\b")
_LIST_SUBJECT = _rx(
    r"\b(?:these|those|they|them|these ones|those ones|the ones you (?:showed|suggested|picked)"
    r"|this list|that list|the list|all of these|all of those|that|this)"
    r"\s*(?:'re|are|were|'s|is|was|all|feel|feels|seem|seems|look|looks|\s)*"
    r"(?:a bit|a little|a lot|way|much|slightly|far|kind of|kinda|all|even|so|pretty|quite"
    r"|really|very|rather|mostly|just|\s)*$"
)
_TOO = _rx(r"too\b")
# What the user has already watched is a remark, not a wish: "my kids have seen all the new
# stuff", "I've watched every old one".
# What the user says they never asked for is no wish: "I never said I liked old films".
_NOT_ASKED = _rx(r"\bnever\s+(?:said|asked|mentioned|wanted|requested)\b[^.,;!?]*$")
_VIEWED = _rx(
    r"\b(?:seen|watched|saw|finished|done|exhausted|through)\s+(?:(?:all|every|most|each|both"
    r"|of|the|these|those|them|already|pretty much|basically)\s+)*$"
)
# A copula in the clause before: "these are all pretty recent" says what the list is.
_COPULA = _rx(r"(?:'re|\b(?:are|were|r|seem|seems|look|looks|feel|feels))\b")
_MORE_BEFORE = _rx(r"\b(?:more|less)\s+$")
_LATER = _rx(r"\blater\b(?=\s+(?:than|ones?|stuff|movies?|films?|please|pls)\b)")
_HEDGED_FAME = _rx(
    r"\b(?:fairly|moderately|somewhat|reasonably|relatively|decently|kind of|kinda|sort of|sorta|semi|"
    r"mildly|medium|middling|moderate)[\s-]+(?:well[\s-]?known|popular|known|famous|mainstream|"
    r"familiar)"
    r"|\b(?:known|popular|famous)[\s-]?ish\b|\bmiddling\b|\ba fair few (?:people|folks|ppl)\b"
)
_NOT_HUGE = _rx(r"\bnot (?:an? |that |too |so |very )?(?:huge|massive|smash|giant|big)\b(?! fan)")
# Both ends denied ("not obscure but not massive either", "neither famous nor obscure"): the
# middle. Each pattern is one end's denial; a turn needs both.
_NOT_LOW = _rx(
    r"\b(?:not|neither|nor|\w+n't|\w+nt)\s+(?:too |that |so |very |super |really |totally )?"
    r"(?:obscure|niche|unknown|little[\s-]known|under the radar)\b"
)
_NOT_HIGH = _rx(
    r"\b(?:not|neither|nor|\w+n't|\w+nt)\s+(?:an? |too |that |so |very |super |really |totally )?"
    r"(?:huge|massive|smash|giant|big|famous|popular|mainstream|blockbuster|hit|well[\s-]?known)"
    r"\b(?! fan)"
)
# "known" with no degree of its own ("it's known a bit", "quite known"), not "well known".
_PLAIN_KNOWN = _rx(r"(?<![\w-])(?<!well )(?<!little )(?<!less )(?<!lesser )known\b(?![\s-]*ish)")
_SIZED_HIT = _rx(
    r"(?<!not )\b(?:an?|the|one)\s+(?:(?:massive|huge|big|giant|smash|runaway)\s+)?(?:hit|success)\b"
)


def loose_years(text: str, numbers: NumericSlots, vocab: Vocabulary) -> None:
    """ "from around 1991" -> 1988-1994 (in place)."""
    year = vocab.numeric_of_kind(NumericKind.YEAR)
    if year is None:
        return
    rng = numbers.ranges.get(year.name)
    if rng is None or rng.low is None or rng.low != rng.high:
        return
    for rx in (_LOOSE_BEFORE, _LOOSE_AFTER):
        m = rx.search(text)
        if m and int(m.group(1)) == rng.low:
            centre = int(m.group(1))
            numbers.ranges[year.name] = Range(centre - YEAR_WINDOW, centre + YEAR_WINDOW)
            numbers.spans.append(m.span())
            return


def _comparative(phrase: str) -> bool:
    first = phrase.lower().split()[0]
    return first.endswith("er") or first in ("more", "less")


def _clause_before(text: str, pos: int) -> str:
    before = text[max(0, pos - 80) : pos]
    return re.split(r"[.;!?,]|\s-\s|\bbut\b", before)[-1]


def relative_to_shown(text: str, numbers: NumericSlots, vocab: Vocabulary) -> None:
    """Turn round a comparative whose subject is the shown list; read "later than these"."""
    found: dict[str, list[tuple[int, int, Direction]]] = {}
    for rx, kind, direction in [*RELATIVE, (_LATER, NumericKind.YEAR, Direction.UP)]:
        attr = vocab.numeric_of_kind(kind)
        if attr is None or attr.name in numbers.ranges:
            continue
        for m in rx.finditer(text):
            if _VIEWED.search(text, 0, m.start()) or _NOT_ASKED.search(text, 0, m.start()):
                numbers.relative[:] = [
                    (a, d) for a, d in numbers.relative if not (a == attr.name and d == direction)
                ]  # "my kids have seen all the new stuff": no wish for new stuff
                found.setdefault(attr.name, [])
                continue
            way = direction
            more = _MORE_BEFORE.search(text, 0, m.start())  # "more modern", "less pricey"
            begin = more.start() if more else m.start()
            comparative = more is not None or _comparative(m.group(0))
            clause = _clause_before(text, begin)
            subject = _LIST_SUBJECT.search(clause)
            if subject and WISHED_OF_LIST.search(clause[: subject.start()]):
                subject = None  # "if they were a bit older": a wish about the list
            plain = not comparative and not _TOO.match(m.group(0)) and _COPULA.search(clause)
            if subject and (comparative or plain):
                way = Direction.DOWN if direction is Direction.UP else Direction.UP
            found.setdefault(attr.name, []).append((m.start(), m.end(), way))
    for name, matches in found.items():
        if not matches:
            continue
        kept: list[tuple[int, int, Direction]] = []
        for s, e, way in sorted(matches, key=lambda m: m[0] - m[1]):
            if not any(s < ke and ks < e for ks, ke, _ in kept):
                kept.append((s, e, way))
        final = max(kept)[2]  # the last comparison said wins
        moves = [(a, d) for a, d in numbers.relative if a != name]
        numbers.relative[:] = [*moves, (name, final)]
        numbers.spans += [(s, e) for s, e, _ in kept]


def fame(text: str, numbers: NumericSlots, vocab: Vocabulary) -> None:
    """A hedged fame wish asks for the middle (neither less nor well known); "a massive hit"
    asks for the well known."""
    popular = vocab.numeric_of_kind(NumericKind.POPULARITY)
    hedge = _HEDGED_FAME.search(text)
    if hedge is None and numbers.popularity is Direction.UP:
        hedge = _NOT_HUGE.search(text)  # "fairly popular but not huge": the middle
    if hedge is None:
        low, high = _NOT_LOW.search(text) or _PLAIN_KNOWN.search(text), _NOT_HIGH.search(text)
        if low and high:  # "not obscure but not massive either", "known a bit, not a big hit"
            numbers.spans += [low.span(), high.span()]
            hedge = low
    sized = _SIZED_HIT.search(text)
    if hedge:
        numbers.popularity = Direction.MIDDLE
        numbers.spans.append(hedge.span())
    elif sized and numbers.popularity is None:
        numbers.popularity = Direction.UP
        numbers.spans.append(sized.span())
    else:
        return
    if popular is not None and popular.name not in numbers.ranges:
        moves = [(a, d) for a, d in numbers.relative if a != popular.name]
        if numbers.popularity in (Direction.UP, Direction.DOWN):  # a column moves up or down
            moves.append((popular.name, numbers.popularity))
        numbers.relative[:] = moves


# "old" in the positive degree, its style compound, and a negation with its degree word.
_AGE = _rx(
    r"\b(?:(?P<neg>not|nothing|none|no)\s+)?(?P<deg>(?:too|so|that|very|overly|really|super"
    r"|all\s+that)\s+)?(?<!year\s)(?<!years\s)(?<!yr\s)old(?:[\s-]fashioned)?\b(?![\s-](?:school|timey))"
)


def absolute_age(text: str, numbers: NumericSlots, vocab: Vocabulary, shown: bool) -> list[str]:
    """The age words that are a wish in the user's words (see the module docstring), as
    typed; the year move they alone made is taken back (in place). A comparative or another
    age move in the same turn keeps the move, and the words count in it."""
    year = vocab.numeric_of_kind(NumericKind.YEAR)
    if year is None or year.name in numbers.ranges:
        return []
    said = []
    for m in _AGE.finditer(text):
        if m.group("deg") and not m.group("neg"):
            continue  # "too old", "so old": a complaint about the list, a move
        if m.group("neg") and shown:
            continue  # "not that old" with a list shown: newer than those
        if _GRADED.search(text, 0, m.start()):
            continue  # "less of the old ones", "more old": a comparative, a move
        said.append(m.span())
    moves = [
        m.span()
        for rx, kind, _ in [*RELATIVE, (_LATER, NumericKind.YEAR, Direction.UP)]
        if kind is NumericKind.YEAR
        for m in rx.finditer(text)
    ]

    def overlaps(span: tuple[int, int]) -> bool:
        return any(a < span[1] and span[0] < b for a, b in moves)

    kept = [span for span in said if not overlaps(span) and _attributive(text, span)]
    if moves and all(any(a < e and s < b for s, e in said) for a, b in moves):
        numbers.relative[:] = [(a, d) for a, d in numbers.relative if a != year.name]
        kept = [span for span in said if not _of_no_item(text, span)]
    return [text[s:e] for s, e in sorted(kept)]


# Nouns "old" describes without saying anything of the item: a person, a thing of the
# user's, a time ("an old man", "old friends", "the old days"); a closed lexical class.
_NOT_ITEMS = PERSON_NOUNS | frozenset(
    [
        *("man", "men", "woman", "women", "lady", "ladies", "guy", "guys", "bloke", "days"),
        *("times", "school", "age", "self", "habits", "favourite", "favorite", "favourites"),
        *("favorites", "coat", "jacket"),
    ]
)
_OWNED = _rx(r"\b(?:my|our|his|her|their|your|'s)\s+$")


def _attributive(text: str, span: tuple[int, int]) -> bool:
    """ "old" in the positive degree before the noun it describes ("them old cowboy
    pictures", "any old war films"), not a person's or the user's own ("my old coat")."""
    said = text[span[0] : span[1]].lower()
    after = re.match(r"\s+[a-z]", text[span[1] :].lower())
    return said == "old" and after is not None and not _of_no_item(text, span)


def _of_no_item(text: str, span: tuple[int, int]) -> bool:
    """The age word describes a person, a time or the user's own thing ("an old man", "the
    old days", "my old coat"), not the item wanted."""
    after = re.match(r"\s+([a-z][a-z'-]*)", text[span[1] :].lower())
    owned = _OWNED.search(text.lower(), 0, span[0]) is not None
    return owned or (after is not None and after.group(1) in _NOT_ITEMS)


_GRADED = _rx(r"\b(?:more|less|fewer|much)\s+(?:of\s+)?(?:the\s+|these\s+|those\s+)?$")


def adjust_numbers(text: str, numbers: NumericSlots, vocab: Vocabulary) -> NumericSlots:
    """All three second readings (see the module docstring), in place; returns `numbers`."""
    text = said_earlier(text)  # "you showed me earlier": the conversation's time, no move
    loose_years(text, numbers, vocab)
    relative_to_shown(text, numbers, vocab)
    fame(text, numbers, vocab)
    return numbers
