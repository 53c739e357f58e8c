"""Numbers in a turn: years and decades (in digits and in words), prices, scores, any numeric
column said with its unit ("between 200 and 400 pages", "at most three stars of spice"; units
and the words that move a column, "longer" / "shorter", come from schema.toml), relative
moves ("cheaper", "older"); popularity wishes ("lesser-known", "blockbuster") are read by
`agent.nlu_fame`.

Each reader takes the turn's text with titles and ordinals already blanked out (so "Fargo
(1996)" never pins the year) and the catalog's numeric attributes, and returns typed slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.nlu_fame import popularity_wish
from agent.nlu_spelt import spelt_numbers, spelt_spans
from agent.parse import Direction, Range
from agent.vocab import NumericAttribute, NumericKind, Vocabulary, normalise


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_NUM = r"(\d+(?:\.\d+)?)"
_DECADE_WORDS = {
    "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
    "seventies": 70, "eighties": 80, "nineties": 90, "noughties": 0,
}  # fmt: skip
_DECADE_NAME = (
    r"(?:nineteen[\s-]?)?(?P<word>twenties|thirties|forties|fifties|sixties|seventies|eighties"
    r"|nineties|noughties)"
)
_DECADE_DIGITS = r"(?P<full>(?:19|20)\d0)\s?'?s|'?(?P<short>\d0)\s?'?s"
_PART = r"(?:(?P<part>early|mid|middle|late)[\s-]*)?"
DECADE_RX = _rx(rf"\b(?:the\s+)?{_PART}(?:the\s+)?(?:{_DECADE_DIGITS}|{_DECADE_NAME})(?![a-z])")
# A year in four digits, or its last two after an apostrophe ("'68"; "'90s" is a decade).
_YEAR = r"(?<![\w'’])((?:19|20)\d\d|['’]\d\d)(?![\w'’])"
_BEFORE = r"before|b4|earlier than|older than|prior to|pre"
# "no later than 1970" names the last year allowed, like "until"
_UNTIL = r"until|up to|up until|through|by|(?:no|not) later than"
_AFTER = r"after|later than|newer than|post"
_SINCE = r"since|no earlier than|starting(?: in| from)?|onwards? from"
YEAR_BETWEEN = _rx(
    rf"(?:\b(?:between|from)\s*)?{_YEAR}\s*(?:-|to|and|or|until|through|till)\s*{_YEAR}"
)
_LATER_SIDE = r"later|newer|after|more recent|since|onwards?|up"
_EARLIER_SIDE = r"earlier|older|before|prior"
YEAR_BEFORE = _rx(rf"\b(?:{_BEFORE})\s*-?\s*(?:the\s+)?{_YEAR}")
YEAR_UNTIL = _rx(
    rf"\b(?:{_UNTIL})\s*-?\s*{_YEAR}|{_YEAR}\s*(?:,\s*)?(?:or|and)\s+(?:{_EARLIER_SIDE})\b"
)
YEAR_AFTER = _rx(rf"\b(?:{_AFTER})\s*-?\s*(?:the\s+)?{_YEAR}")
YEAR_SINCE = _rx(
    rf"\b(?:{_SINCE})\s*-?\s*{_YEAR}|{_YEAR}\s*(?:,\s*)?(?:or|and)\s+(?:{_LATER_SIDE})\b"
    rf"|{_YEAR}\s+onwards?\b|{_YEAR}\s*\+"
)
YEAR_EXACT = _rx(_YEAR)
_DECADE_BOUND = _rx(
    rf"\b(?P<cue>{_BEFORE}|{_AFTER}|{_SINCE}|{_UNTIL})\s+(?:the\s+)?(?:{_DECADE_DIGITS}|{_DECADE_NAME})"
)

MONEY_CONTEXT = _rx(
    r"\$|\b(dollars?|bucks|usd|eur|euros?|price[sd]?|cost|costs|costing|cheap\w*|expensive|budget|spend|afford\w*|pricey)\b"
)
PRICE_MAX = _rx(
    rf"(?:under|below|less than|cheaper than|max(?:imum)?|at most|up to|no more than|not more than|within|(?:nothing|not|no|never)\s+(?:over|above|more than|pricier than)|<=?)\s*\$?\s*{_NUM}"
)
PRICE_MIN = _rx(
    rf"(?<!nothing )(?<!not )(?<!no )(?<!never )(?:over|above|more than|at least|min(?:imum)?|from|starting at|>=?)\s*\$?\s*{_NUM}"
)
PRICE_BETWEEN = _rx(
    rf"between\s*\$?\s*{_NUM}\s*(?:and|to|-)\s*\$?\s*{_NUM}|\$?\s*{_NUM}\s*(?:-|to)\s*\$?\s*{_NUM}\s*(?:dollars|bucks|\$)"
)
BARE_PRICE = _rx(rf"\$\s*{_NUM}|{_NUM}\s*(?:dollars|bucks|usd)")
SCORE_MIN = _rx(
    rf"(?:at least|over|above|more than|minimum|min)\s*{_NUM}\s*(?:stars?|points?|rating)"
)
QUALITY_UP = _rx(
    r"\b(highly rated|high(ly)? quality|top rated|well reviewed|acclaimed|excellent|great quality|good reviews|critically acclaimed|masterpieces?|well rated|rated highly)\b"
)
_PRAISE_BEFORE = _rx(r"\b(?:is|was|'s)\s+(?:(?:a|an|an absolute|a real|truly|simply)\s+)?$")

# Relative moves: phrase -> (numeric kind, direction).
RELATIVE: tuple[tuple[re.Pattern[str], NumericKind, Direction], ...] = (
    (
        _rx(
            r"\b(cheaper|cheapest|less expensive|least expensive|lowest price[sd]?|lower price[sd]?|more affordable|too (expensive|pricey)|(?<!big )(?<!big-)(?<!huge )(?<!high )(?<!massive )budget|inexpensive|cheap)\b"
        ),
        NumericKind.PRICE,
        Direction.DOWN,
    ),
    (
        _rx(
            r"\b(more expensive|most expensive|priciest|pricier|fancier|premium|higher end|high end|too cheap|luxury|upscale)\b"
        ),
        NumericKind.PRICE,
        Direction.UP,
    ),
    (
        _rx(
            r"\b(oldest|older(?! (people|users|viewers|folks|audiences|shoppers|women|men|characters?|cast|leads?|actors?|actresses|protagonists?|heroe?s|heroines?|couples?|siblings?|brothers?|sisters?|kids|children|generations?))|earlier|too (new|recent|modern)|further back|back (?:even )?(?:further|more|a bit)|back in time|go back|rewind|(?:from|made|released|came out|out) (?:well |way |even |a bit |long )?before (?:these|those|them|this lot|that lot|the ones? (?:you|shown))|predat(?:es|ed|ing) (?:all )?(?:of )?(?:these|those|them|this lot|that lot|the ones)|more old(?! (?:people|folks|men|women|characters?|actors?|cast|viewers))|(?<!too )(?<!so )(?:vintage|old[- ]school|old[- ]fashioned)|(?<!too )old (ones?|movies?|films?|stuff|titles?)|(?:an?|some(thing)?) old(?:[- ]fashioned)?"
            r"|(?:less|fewer) (?:of )?(?:the |these |those )?(?:new(?:er)?|recent|modern))\b"
        ),
        NumericKind.YEAR,
        Direction.DOWN,
    ),
    (
        _rx(
            r"\b(newest|newer|fresher|more recent|more new|(?:forward|ahead) in time|most recent|too old|(?:too|so) (?:vintage|old[- ]school|old[- ]fashioned|dated)"
            r"|(?:these|they(?:['’]re)?|those|them|all|so|too|really|pretty|bit|way|super) (?:are |were |look |feel |seem |so |too |really |pretty |kinda |a bit |all )*(?:ancient|dated|antiquated)|modern|latest|recent|new releases?|contemporary|(?<!too )new (ones?|movies?|films?|stuff)|not (?:(?:quite|so|too|that|very|as)\s+)*old"
            r"|(?:less|fewer) (?:of )?(?:the |these |those )?old(?:er)?|(?:but|bit|little|slightly|"
            r"somewhat|much|lot|bit) later|later (?:ones?|films?|movies?|stuff|titles?)"
            r"|less (?:dated|old[- ]fashioned|vintage|antiquated|old[- ]school)"
            r"|(?:years?|decades?|eras?) (?:later|newer|more recent|forward)"
            r"|(?:from|made|released|came out|out) (?:well |way |even |a bit )?after (?:these|those|them|this lot|that lot|the ones? (?:you|shown))"
            r"|postdat(?:es|ed|ing) (?:all )?(?:of )?(?:these|those|them|this lot|that lot|the ones)"
            r"|(?:^|(?<=[.!?,;:]\s)|(?<=[.!?,;:]))\s*later(?=\s*(?:[.!?,;:]|$)))\b"
        ),
        NumericKind.YEAR,
        Direction.UP,
    ),
    (
        _rx(r"\b(better rated|higher rated|higher quality|too (bad|low))\b"),
        NumericKind.SCORE,
        Direction.UP,
    ),
)

# Comparisons around a number said with its unit (the units themselves come from the data).
_QTY = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_AT_MOST = (
    r"under|below|less than|fewer than|at most|up to|no more than|not more than|not over|"
    r"max(?:imum)?(?: of)?|within|no higher than|<=?"
)
_AT_LEAST = (
    r"(?<!no )(?<!not )(?:over|above|more than|at least|min(?:imum)?(?: of)?|no less than|"
    r"no fewer than|not less than|upwards of|>=?)"
)
_AROUND = r"around|about|roughly|approximately|circa|~"
_OR_LESS = r"or (?:less|fewer|under|below|lower)|max(?:imum)?|at most|tops|or so less"
_OR_MORE = r"or (?:more|over|above|higher)|plus|min(?:imum)?|at least|\+"
NEGATED_BEFORE = _rx(r"(?:\b(?:not|no|nothing|never|none)|n't)\s+(?:(?:so|very|that|too)\s+)?$")
TOO_BEFORE = _rx(r"\btoo\s+$")
AROUND_BEFORE = _rx(rf"\b(?:{_AROUND})\s*$")
SMALL_SCALE = 10  # an integer column spanning at most this many steps reads "3 stars" exactly


def _qty(raw: str) -> float:
    return float(raw.replace(",", ""))


def _alternation(phrases: tuple[str, ...]) -> str:
    forms = sorted({p for p in phrases if p}, key=len, reverse=True)
    return "|".join(re.escape(f).replace(r"\ ", r"[\s-]+") for f in forms)


def _unit_range(text: str, attr: NumericAttribute) -> tuple[Range, tuple[int, int]] | None:
    """A range on one numeric column said with its unit or its name ("400 pages or fewer",
    "between 200 and 400 pages", "pages under 300", "longer than 500 pages")."""
    if not attr.units:
        return None
    unit = _alternation(attr.units)
    name = _alternation((normalise(attr.spoken()),))
    most, least = _AT_MOST, _AT_LEAST
    if attr.lower:
        most = rf"(?:{_alternation(attr.lower)}) than|{most}"
    if attr.higher:
        least = rf"(?:{_alternation(attr.higher)}) than|{least}"
    u = rf"-?(?:{unit})(?![a-z])"
    patterns: tuple[tuple[str, str], ...] = (
        ("between", rf"\b(?:between|from)\s+{_QTY}\s*(?:{unit})?\s*(?:and|to|-)\s*{_QTY}\s*{u}"),
        ("between", rf"\b{_QTY}\s*(?:-|to)\s*{_QTY}\s*{u}"),
        ("max", rf"(?:\b|(?<=\s)|^)(?:{most})\s*{_QTY}\s*{u}"),
        ("min", rf"(?:\b|(?<=\s)|^)(?:{least})\s*{_QTY}\s*{u}"),
        ("max", rf"\b{_QTY}\s*{u}\s*(?:{_OR_LESS})"),
        ("min", rf"\b{_QTY}\s*(?:\+\s*{u}|{u}\s*(?:{_OR_MORE}))"),
        ("max", rf"\b(?:{name})\s*(?:is|of|:)?\s*(?:{most})\s*{_QTY}\b"),
        ("min", rf"\b(?:{name})\s*(?:is|of|:)?\s*(?:{least})\s*{_QTY}\b"),
        ("about", rf"\b(?:(?:{_AROUND})\s*)?{_QTY}\s*{u}"),
        ("about", rf"\b(?:{name}|{unit})\s*(?:of|is|:)?\s*(?:(?:{_AROUND})\s*)?{_QTY}\b"),
    )
    for kind, pattern in patterns:
        m = re.search(pattern, text, re.IGNORECASE)
        if not m:
            continue
        nums = [_qty(g) for g in m.groups() if g is not None]
        if kind in ("max", "min") and NEGATED_BEFORE.search(text[: m.start()]):
            kind = "min" if kind == "max" else "max"  # "nothing over 500 pages"
        if kind == "between":
            rng = Range(min(nums[:2]), max(nums[:2]))
        elif kind == "max":
            rng = Range(None, nums[0])
        elif kind == "min":
            rng = Range(nums[0], None)
        elif attr.integer and attr.high - attr.low <= SMALL_SCALE:
            rng = Range(nums[0], nums[0])  # "3 stars of spice" on a 0-5 scale
        else:
            rng = Range(round(nums[0] * 0.85, 2), round(nums[0] * 1.15, 2))  # "a 300-page book"
        return rng, m.span()
    return None


def _moves(text: str, attr: NumericAttribute) -> list[tuple[int, int, Direction]]:
    """schema.toml's `higher` / `lower` words for a column found in the text."""
    out = []
    unit = rf"(?:{_alternation(attr.units)})" if attr.units else None
    for phrases, direction, amount in (
        (attr.higher, Direction.UP, "more"),
        (attr.lower, Direction.DOWN, "fewer|less"),
    ):
        words = [_alternation(phrases)] if phrases else []
        if unit:
            words.append(rf"(?:{amount})\s+{unit}")  # "fewer pages", "more chilis"
        if words:
            rx = re.compile(rf"\b(?:{'|'.join(words)})\b", re.IGNORECASE)
            for m in rx.finditer(text):
                before = text[: m.start()]
                flip = TOO_BEFORE.search(before) or NEGATED_BEFORE.search(before)
                turned = Direction.DOWN if direction is Direction.UP else Direction.UP
                out.append((m.start(), m.end(), turned if flip else direction))  # "too long"
    return out


@dataclass
class NumericSlots:
    """What the numeric readers found, with the character spans they consumed."""

    ranges: dict[str, Range] = field(default_factory=dict)
    relative: list[tuple[str, Direction]] = field(default_factory=list)
    unsupported: list[tuple[str, str]] = field(default_factory=list)
    popularity: Direction | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


def year_of(said: str, latest: float) -> int:
    """A year as written: "1968", or "'68" (the century whose year is not after `latest`)."""
    digits = said.lstrip("'’")
    if len(digits) == 4:
        return int(digits)
    year = 2000 + int(digits)
    return year if year <= latest else year - 100


def _decade_start(m: re.Match[str], latest: float) -> int:
    if m.group("full"):
        return int(m.group("full"))
    if m.group("short"):
        digit = int(m.group("short")[0])
        start = 1900 + digit * 10
        if digit <= 2 and 2000 + digit * 10 <= latest:
            start = 2000 + digit * 10
        return start
    tens = _DECADE_WORDS[m.group("word").lower()]
    return 2000 if tens == 0 else 1900 + tens


def year_range(
    text: str, latest: float, spans: list[tuple[int, int]] | None = None
) -> Range | None:
    """A year interval from digits or words: "the nineties", "'90s", "early 80s", "before
    1980", "from the 70s", "1990-1995", "since 2001"; two decades joined make one interval."""
    out = spans if spans is not None else []
    m = _DECADE_BOUND.search(text)
    if m:
        start = _decade_start(m, latest)
        cue = m.group("cue").lower()
        out.append(m.span())
        if re.fullmatch(_BEFORE, cue):
            return _negated(text, m.start(), Range(None, start - 1))
        if re.fullmatch(_UNTIL, cue):
            return _negated(text, m.start(), Range(None, start + 9))
        if re.fullmatch(_AFTER, cue):
            return _negated(text, m.start(), Range(start + 10, None))
        return _negated(text, m.start(), Range(start, None))
    decades = list(DECADE_RX.finditer(text))
    for d in decades:  # "the 70s or earlier", "sixties or before", "the 90s onwards"
        side = _DECADE_SIDE.match(text, d.end())
        if side and len(decades) == 1:
            start = _decade_start(d, latest)
            out += [d.span(), side.span()]
            if side.group("later") or side.group("on"):
                return Range(start, None)
            return Range(None, start + 9)
    if len(decades) > 1:  # "the 80s rather than the 90s": the decade turned down is no wish
        kept = [d for d in decades if not _DECADE_DECLINED.search(text[: d.start()])]
        decades = kept or decades
    for k in range(len(decades) - 1, 0, -1):  # "the fifties, or actually the forties"
        if _CORRECTION.search(text[decades[k - 1].end() : decades[k].start()]):
            out += [d.span() for d in decades[:k]]
            decades = decades[k:]
            break
    if decades:
        lows, highs = [], []
        for d in decades:
            start = _decade_start(d, latest)
            part = (d.group("part") or "").lower()
            low, high = start, start + 9
            if part == "early":  # a decade's halves: "early 80s" 1980-84, "late 70s" 1975-79
                high = start + 4
            elif part in ("mid", "middle"):
                low, high = start + 3, start + 6
            elif part == "late":
                low = start + 5
            lows.append(low)
            highs.append(high)
            out.append(d.span())
        return Range(min(lows), max(highs))
    for rx, kind in (
        (YEAR_BETWEEN, "between"),
        (YEAR_BEFORE, "before"),
        (YEAR_UNTIL, "until"),
        (YEAR_AFTER, "after"),
        (YEAR_SINCE, "since"),
        (YEAR_EXACT, "exact"),
    ):
        m = rx.search(text)
        if not m:
            continue
        out.append(m.span())
        if kind == "between":
            a, b = year_of(m.group(1), latest), year_of(m.group(2), latest)
            return Range(min(a, b), max(a, b))
        year = year_of(next(g for g in m.groups() if g), latest)
        said = {
            "before": Range(None, year - 1),
            "until": Range(None, year),
            "after": Range(year + 1, None),
            "since": Range(year, None),
            "exact": Range(year, year),
        }[kind]
        return said if kind == "exact" else _negated(text, m.start(), said)
    return None


# A negation or a removal verb at most four words before a one-sided bound turns it round:
# "nothing before 1990", "filter out anything before 1990", "drop everything after 2000".
_REMOVE = (
    r"(?:filter|take|leave|rule|cut|weed|cross|strip|throw|toss|filtering|taking|leaving"
    r"|ruling|cutting|weeding)\s+out|remove|removing|drop|dropping|ditch|exclude|excluding"
    r"|skip|skipping|lose|scrap|eliminate|nix|get rid of|getting rid of|avoid|bin|minus|no more"
    # verbs that remove only with a quantified object after them: "cut anything before 1950"
    r"|(?:cut|cutting|trim|trimming|delete|deleting|purge|ban|axe|kill|nuke|hide|hiding)"
    r"(?=\s+(?:anything|everything|all|any|the|those|these|them|ones|stuff|films|movies)\b)"
)
_DECADE_SIDE = _rx(
    rf"\s*(?:,\s*)?(?:(?:or|and)\s+(?:(?P<earlier>{_EARLIER_SIDE})|(?P<later>{_LATER_SIDE}))\b"
    r"|(?P<on>onwards?\b|\+))"
)
# A correction between two periods keeps the later one ("the 50s, no wait, the 40s").
_CORRECTION = _rx(
    r"\b(?:actually|no wait|wait no|i mean|i meant|sorry|make (?:that|it)|or rather|scratch that"
    r"|correction|change (?:that|it) to)\b"
)
_NOTHING_BEFORE = _rx(
    rf"(?:\b(?:not|no|nothing|none|never|{_REMOVE})|n't)\s+"
    r"(?:(?!(?:but|and|or)\b)[a-z]+\s+){0,4}$"
)
_DECADE_DECLINED = _rx(r"\b(?:rather than|instead of|not|but not|no)\s+(?:in\s+|from\s+)?$")


def _negated(text: str, at: int, said: Range) -> Range:
    """ "nothing before 1990" is from 1990 on; "not after 2000" is up to 2000: a negation
    at most four words before a one-sided year bound turns it to the other side."""
    if not _NOTHING_BEFORE.search(text[:at]) or (said.low is None) == (said.high is None):
        return said
    if said.high is not None:
        return Range(said.high + 1, None)
    return Range(None, (said.low or 0) - 1)


# The shown list as a subject with its verb: "these are all", "they're mostly", "those r".
_LIST_IS = _rx(
    r"\b(?:these|those|they|all of (?:these|them|those)|the ones you (?:showed|picked|gave"
    r"|suggested|recommended)(?: me)?)\s*(?:'re|are|were|r|seem to be|look to be|all seem)\s+"
    r"(?:(?:all|mostly|just|only|really|basically|pretty much|kind of|kinda|too|way too)\s+)*"
    r"(?:(?:from|in|out of|made in|released in|set in|of)\s+)?(?:the\s+)?$"
)


# Words before the list as a subject that make the clause a wish about it ("if they were
# from the 80s", "I wish these were older", "make them newer"), not a remark on it.
WISHED_OF_LIST = _rx(
    r"\b(?:if|wish|wished|hope|hoping|should|could|would|want|wanted|need|needed|prefer"
    r"|rather|make|making|unless)\b|\b(?:i|we|you)'d\b"
)


_TOO_MUCH = _rx(
    r"\b(?:too(?:\s+many|\s+much)?|so many|enough|fewer|less|no more)\s+(?:of\s+)?(?:the\s+)?$"
)


def described_periods(text: str) -> list[tuple[int, int]]:
    """Spans of periods said of the list just shown ("these are all from the 90s", "they're
    mostly 1990s"): a remark on what was shown, not a wish for that period."""
    out = []
    for rx in (DECADE_RX, YEAR_EXACT):
        for m in rx.finditer(text):
            clause = re.split(r"[.;!?,]|\bbut\b", text[: m.start()])[-1]
            said = _LIST_IS.search(clause)
            if said and not WISHED_OF_LIST.search(clause[: said.start()]):
                out.append(m.span())
            elif _TOO_MUCH.search(text[: m.start()]):
                out.append(m.span())  # "a bit too nineties", "too many eighties picks"
    return out


# "earlier" said of the conversation, not of release years: "why did you recommend it to me
# earlier?", "the one you showed me earlier", "as I said earlier", "earlier today".
# "cho(?:se)" keeps "chose" out of the typo repair's cue words (`nlu_typos.cue_words` reads
# the words of these patterns): "chore", one letter away and outside the packaged word list,
# would be "repaired" to it.
_SAID_EARLIER = _rx(
    r"\b(?:(?:said|say|mentioned|showed|shown|recommend(?:ed)?|suggest(?:ed)?|picked|gave|given|told|asked"
    r"|rated|listed|cho(?:se)|offered|talked about|brought up)(?:\s+[\w'’]+){0,4}?"
    r"|(?:to|for|with|by)\s+(?:me|us|you)|\bfrom)\s+(?P<word>earlier)\b"
    r"(?!\s*(?:than|ones?|films?|movies?|stuff|titles?|decades?|years?|eras?|works?|releases?)\b)"
    r"|\b(?P<lead>earlier)\s+(?:on\b|today|tonight|this (?:morning|evening|afternoon|week|session)"
    r"|in (?:the|this|our) (?:chat|conversation|session))"
)


def said_earlier(text: str) -> str:
    """The text with every "earlier" that places the conversation in time blanked: no
    relative year move ("why did you recommend it to me earlier?")."""
    for m in _SAID_EARLIER.finditer(text):
        a, b = m.span("word") if m.group("word") else m.span("lead")
        text = text[:a] + " " * (b - a) + text[b:]
    return text


def numeric_slots(text: str, vocab: Vocabulary) -> NumericSlots:
    """Ranges, relative moves and popularity wishes in a turn (titles already blanked)."""
    found = NumericSlots()
    text = said_earlier(text)
    spelt = spelt_spans(text)
    text = spelt_numbers(text)
    declared_moves: list[tuple[int, int, str, Direction]] = []
    for attr in vocab.numeric.values():
        if attr.kind is NumericKind.FLAG:
            continue
        said = _unit_range(text, attr)
        if said is not None:
            found.ranges[attr.name] = said[0]
            found.spans.append(said[1])
            text = text[: said[1][0]] + " " * (said[1][1] - said[1][0]) + text[said[1][1] :]
        declared_moves += [(s, e, attr.name, d) for s, e, d in _moves(text, attr)]
    price = vocab.numeric_of_kind(NumericKind.PRICE)
    money = MONEY_CONTEXT.search(text) is not None
    if price is not None and not money and price.units:
        money = re.search(rf"\b(?:{_alternation(price.units)})\b", text, re.I) is not None
    if price is not None and price.name not in found.ranges and money:
        low: float | None = None
        high: float | None = None
        between = PRICE_BETWEEN.search(text)
        if between:
            nums = [float(g) for g in between.groups() if g is not None]
            low, high = min(nums[:2]), max(nums[:2])
            found.spans.append(between.span())
        else:
            m_max = PRICE_MAX.search(text)
            m_min = PRICE_MIN.search(text)
            high = float(m_max.group(1)) if m_max else None
            year_from = YEAR_SINCE.search(text)
            low = float(m_min.group(1)) if m_min and not year_from else None
            found.spans += [m.span() for m in (m_max, m_min) if m]
            if high is None and low is None:
                bare = BARE_PRICE.search(text)
                if bare:
                    high = float(bare.group(1) or bare.group(2))
                    found.spans.append(bare.span())
                    around = AROUND_BEFORE.search(text[: bare.start()])
                    if around:  # "around 15 dollars"
                        low, high = round(high * 0.85, 2), round(high * 1.15, 2)
                        found.spans.append(around.span())
        if low is not None or high is not None:
            found.ranges[price.name] = Range(low, high)
            found.spans += [m.span() for m in MONEY_CONTEXT.finditer(text)]  # "dollars", "price"
    year = vocab.numeric_of_kind(NumericKind.YEAR)
    if year is not None:
        for a, b in described_periods(text):  # "these are all from the 90s": no wish
            text = text[:a] + " " * (b - a) + text[b:]
            found.spans.append((a, b))
        rng = year_range(text, year.high, found.spans)
        if rng is not None:
            found.ranges[year.name] = rng
    score = vocab.numeric_of_kind(NumericKind.SCORE)
    quality = QUALITY_UP.search(text)
    if quality and _PRAISE_BEFORE.search(text[: quality.start()]):
        quality = None  # "Jaws is a masterpiece": praise of a title, no wish
    if score is not None:
        m = SCORE_MIN.search(text)
        if m:
            found.ranges[score.name] = Range(float(m.group(1)), None)
            found.spans.append(m.span())
        elif quality:
            found.ranges[score.name] = Range(
                max(score.low, min(score.high, score.median + 1)), None
            )
            found.spans.append(quality.span())
    moves = [m for m in declared_moves if m[2] not in found.ranges]
    found.spans += [(s, e) for s, e, name, _ in declared_moves if name in found.ranges]
    for rx, kind, direction in RELATIVE:
        attr = vocab.numeric_of_kind(kind)
        if attr is None:
            if kind is not NumericKind.SCORE:
                found.unsupported += [(m.group(0), kind.value) for m in rx.finditer(text)]
            continue
        if attr.name in found.ranges:
            continue
        moves += [(m.start(), m.end(), attr.name, direction) for m in rx.finditer(text)]
    taken: list[tuple[int, int]] = []
    for start, end, name, direction in sorted(moves, key=lambda m: m[0] - m[1]):
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        if (name, direction) not in found.relative:
            found.relative.append((name, direction))
    found.spans += taken
    extra = [(*quality.span(), Direction.UP)] if quality and score is None else []
    found.popularity, fame_spans = popularity_wish(text, extra)  # "highly rated", no score
    found.spans += fame_spans
    popular = vocab.numeric_of_kind(NumericKind.POPULARITY)
    if found.popularity is not None and popular is not None:
        move = (popular.name, found.popularity)
        if move[0] not in found.ranges and move not in found.relative:
            found.relative.append(move)
    used = list(found.spans)  # a number said in words is consumed whole ("twenty")
    found.spans += [(a, b) for a, b in spelt if any(a < e and s < b for s, e in used)]
    return found
