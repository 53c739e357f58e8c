"""Intents and slots for the rule planner: what the user wants this turn, read with patterns.

`understand(text, vocab, shown)` returns a `Parse`: the intents (recommend, refine, why,
what-if, causal question, compare, feedback, reset, profile, help, greeting), the attribute
values wanted and not wanted (negation is scoped to its clause; "that's not a comedy" means
the user *wants* a comedy), numeric ranges ("under $20", "from the 90s", "before 1980"),
relative moves ("cheaper", "older"), item references (titles, "the second one", "it"),
"more like X" anchors, feedback, a requested list size, and the words left over for a
semantic search. Anything the patterns cannot place falls back to the embedding model's
nearest intent prototype (`agent.planner`), or to a plain search.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from agent.vocab import (
    NumericKind,
    Vocabulary,
    normalise,
    token_spans,
    tokenize,
    written_as_title,
)


class Intent(StrEnum):
    """What a user turn asks the agent to do."""

    RECOMMEND = "recommend"
    REFINE = "refine"
    WHY = "why"
    WHAT_IF = "what_if"
    CAUSAL = "causal"
    COMPARE = "compare"
    FEEDBACK = "feedback"
    RESET = "reset"
    PROFILE = "profile"
    HELP = "help"
    GREETING = "greeting"


class Direction(StrEnum):
    """Which way a relative refinement moves a numeric attribute."""

    UP = "up"
    DOWN = "down"


class FeedbackKind(StrEnum):
    """Feedback a user can give on an item in words."""

    LIKE = "like"
    DISLIKE = "dislike"
    SEEN = "seen"


@dataclass(frozen=True)
class Range:
    """A closed numeric interval; either end may be open (None)."""

    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class WhatIf:
    """A counterfactual question: change `treatment` (to a value or in a direction)."""

    treatment: str | None
    outcome: str | None
    value: float | str | None = None
    direction: Direction | None = None


@dataclass(frozen=True)
class Parse:
    """Everything the patterns found in one user turn."""

    text: str
    intents: tuple[Intent, ...]
    include: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: Mapping[str, Range] = field(default_factory=dict)
    relative: tuple[tuple[str, Direction], ...] = ()
    replace: bool = False  # "actually", "instead": replace earlier wishes on these attributes
    items: tuple[str, ...] = ()  # item ids the turn refers to, in order
    like_items: tuple[str, ...] = ()  # "something like X": anchors for similarity
    feedback: tuple[tuple[str, FeedbackKind], ...] = ()
    k: int | None = None
    query: str = ""  # words left for a semantic search
    what_if: WhatIf | None = None
    variables: tuple[str, ...] = ()  # causal variables named in the turn
    wants_more: bool = False  # "something else", "other options", "more"
    either: frozenset[str] = frozenset()  # attributes whose wanted values were joined by "or"
    unsupported: tuple[tuple[str, str], ...] = ()  # ("cheaper", "price"): a move on a missing kind
    cleared: tuple[str, ...] = ()  # "any color", "genre doesn't matter": drop that wish

    @property
    def intent(self) -> Intent | None:
        """The primary intent (first found), or None when nothing was recognised."""
        return self.intents[0] if self.intents else None

    @property
    def has_slots(self) -> bool:
        """True when the turn states any preference the catalog can act on."""
        return bool(self.include or self.exclude or self.ranges or self.relative or self.like_items)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_INTENT_PATTERNS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (
        Intent.RESET,
        _rx(
            r"\b(start (over|again|afresh)|reset|forget (it|everything|all|that)|new search|clear (it|all|everything))\b"
        ),
    ),
    (
        Intent.PROFILE,
        _rx(
            r"\b(what do you know about me|my (profile|preferences|taste)|what (have|did) i (like|liked|say|said|tell you)|what i (like|liked))\b"
        ),
    ),
    (Intent.HELP, _rx(r"^\s*(help|\?|what can you do|how does this work)\b")),
    (
        Intent.WHAT_IF,
        _rx(
            r"\b(what if|what would happen|what happens if|suppose|imagine|if (it|they|the \w+|this|that) (were|was|had|cost|got)|would .{0,40}\bif\b|effect of|impact of|how much (does|do|would))\b"
        ),
    ),
    (
        Intent.CAUSAL,
        _rx(
            r"\b(does|do|did|can|could|would) (the )?[\w ]{1,30}? (affect|cause|influence|drive|change|impact|matter for|depend on)\b|\bwhat (affects|causes|influences|drives|determines)\b|\b(confound\w*|adjustment set|causal (graph|path|effect|link)|d-?separat\w*|backdoor|parents of|children of|path from|why does [\w ]{1,30} (affect|cause|influence))\b"
        ),
    ),
    (
        Intent.COMPARE,
        _rx(
            r"\b(compare|comparison|versus|vs\.?|which (one )?(is|would be) better|difference between|better than)\b"
        ),
    ),
    (
        Intent.WHY,
        _rx(
            r"(^\s*why\b|\bwhy (did|do|is|was|would|this|that|these|those|the|it|recommend)\b|\bexplain\b|\bhow come\b|\bwhat makes\b|\breason(s)? (for|why)\b|\bjustify\b)"
        ),
    ),
    (
        Intent.GREETING,
        _rx(r"^\s*(hi|hello|hey|good (morning|evening|afternoon)|howdy|yo)\b[\s!.,]*$"),
    ),
)
_RECOMMEND = _rx(
    r"\b(recommend\w*|suggest\w*|show me|find (me )?|looking for|look for|i want|i'd like|i would like|in the mood|give me|any (good|ideas|recommendations)|what should i (watch|read|buy|see|try)|something|anything|options|picks|movies?|films?|shows?|books?)\b"
)
_REFINE = _rx(
    r"\b(instead|rather|but|more like|less|fewer|cheaper|older|newer|not|no|without|other|else|different|another|again|too)\b"
)
_MORE = _rx(
    r"\b(something else|anything else|other (options|ones|picks|suggestions)|more (options|ones|picks|suggestions)|show me more|next|different ones|another (one|set|batch)|none of (these|them|those))\b"
)
_REPLACE = _rx(
    r"\b(actually|instead|rather|changed my mind|scratch that|what about|how about)\b"
    r"|^\s*(any|got any|do you have any)\b"  # "any documentaries?": a new request, not an addition
)

# Negation: a cue makes the wanted values after it in the same clause unwanted.
_NEG_CUES = frozenset(
    [
        "not",
        "no",
        "without",
        "except",
        "nothing",
        "never",
        "hate",
        "hates",
        "dislike",
        "dislikes",
        "avoid",
        "skip",
        "exclude",
        "none",
        "neither",
        "nor",
        "isn't",
        "aren't",
        "don't",
        "doesn't",
        "won't",
        "wouldn't",
    ]
)
_NEG_PHRASES = (
    ("other", "than"),
    ("rather", "than"),
    ("instead", "of"),
    ("too", "much"),
    ("sick", "of"),
    ("tired", "of"),
    ("fed", "up"),
)
_CLAUSE_BREAKS = frozenset(
    [",", ".", ";", "!", "?", "but", "however", "though", "although", "instead", "rather"]
)
# "that's not a comedy" / "these aren't comedies" complain about what was shown: the value is wanted.
_ITEM_SUBJECTS = frozenset(
    ["that", "that's", "this", "it", "it's", "these", "those", "they", "they're", "them", "none"]
)
_POSITIVE_CUES = frozenset(["want", "like", "love", "prefer", "need", "enjoy", "fancy", "crave"])

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "top": 1,
}  # fmt: skip
_ORDINAL_RX = _rx(
    r"(?:\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|1st|2nd|3rd|[4-9]th|10th)(?:\s+(?:one|movie|film|item|pick|book|option|suggestion|title))?\b|#\s*(\d{1,2})\b|\b(?:number|no\.?|item|pick|option)\s*(\d{1,2})\b)"
)
_PRONOUN_RX = _rx(
    r"\b(it|that one|this one|that|this|that movie|this movie|that film|this film|the one)\b"
)
_LIKE_PREP = _rx(
    r"\b(?<!i )(?<!i really )(?<!we )(?<!you )(?<!they )(?<!i'd )(?<!would )(?<!do )(?<!don't )(?<!didn't )(?<!i also )(like|similar to|such as|in the vein of|reminds? me of|along the lines of|the style of|akin to)\b"
)
_LIKE_FEEDBACK = _rx(
    r"\b(i|we)\s+(really\s+|also\s+|absolutely\s+|truly\s+)?(liked|loved|enjoyed|adored|like|love|enjoy|adore)\b|\bthumbs? up\b|\U0001f44d|\b(great|awesome|perfect|excellent) (pick|choice|one)\b"
)
_DISLIKE_FEEDBACK = _rx(
    r"\b(didn'?t|did not|don'?t|do not)\s+(really\s+)?(like|enjoy|love|care for)\b|\b(hated|hate|disliked|dislike|not for me|boring|awful|terrible)\b|\bthumbs? down\b|\U0001f44e"
)
_SEEN = _rx(
    r"\b(already (seen|watched|read|saw|have)|(i've|i have|i had|we've) (seen|watched|read)|seen (it|that|this|them|those) (already|before)|saw (it|that) already)\b"
)
_K_RX = _rx(
    r"\b(?:show|give|recommend|suggest|list|find)\s+(?:me\s+)?(?:the\s+)?(?:top\s+)?(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b(?!\s*(?:dollars|bucks|\$|stars|years|s\b))|\btop\s+(\d{1,2})\b"
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip

_NUM = r"(\d+(?:\.\d+)?)"
_MONEY_CONTEXT = _rx(
    r"\$|\b(dollars?|bucks|usd|eur|euros?|price[sd]?|cost|costs|costing|cheap\w*|expensive|budget|spend|afford\w*|pricey)\b"
)
_PRICE_MAX = _rx(
    rf"(?:under|below|less than|cheaper than|max(?:imum)?|at most|up to|no more than|not more than|within|(?:nothing|not|no|never)\s+(?:over|above|more than|pricier than)|<=?)\s*\$?\s*{_NUM}"
)
_PRICE_MIN = _rx(
    rf"(?<!nothing )(?<!not )(?<!no )(?<!never )(?:over|above|more than|at least|min(?:imum)?|from|starting at|>=?)\s*\$?\s*{_NUM}"
)
_BETWEEN = _rx(
    rf"between\s*\$?\s*{_NUM}\s*(?:and|to|-)\s*\$?\s*{_NUM}|\$?\s*{_NUM}\s*(?:-|to)\s*\$?\s*{_NUM}\s*(?:dollars|bucks|\$)"
)
_BARE_PRICE = _rx(rf"\$\s*{_NUM}|{_NUM}\s*(?:dollars|bucks|usd)")
_DECADE = _rx(r"\b(?:the\s+)?(?:(19|20)(\d)0|'?(\d)0)'?s\b")
_DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990, "noughties": 2000}  # fmt: skip
_DECADE_WORD_RX = _rx(
    r"\b(?:the\s+)?(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|noughties)\b"
)
_YEAR = r"((?:19|20)\d\d)"
_YEAR_BEFORE = _rx(
    rf"\b(?:before|earlier than|older than|prior to|pre|until|up to|no later than)\s*-?\s*{_YEAR}\b"
)
_YEAR_AFTER = _rx(
    rf"\b(?:after|since|later than|newer than|post|from|no earlier than|starting)\s*-?\s*{_YEAR}\b(?!\s*(?:to|-|and|until)\s*(?:19|20)\d\d)"
)
_YEAR_BETWEEN = _rx(rf"\b(?:between\s*)?{_YEAR}\s*(?:-|to|and|until|through)\s*{_YEAR}\b")
_YEAR_EXACT = _rx(rf"\b(?:in|released in|made in|came out in|year)\s*{_YEAR}\b|\b{_YEAR}\b")
_SCORE_MIN = _rx(
    rf"(?:at least|over|above|more than|minimum|min)\s*{_NUM}\s*(?:stars?|points?|rating)"
)
_QUALITY_UP = _rx(
    r"\b(highly rated|high(ly)? quality|top rated|well reviewed|acclaimed|best|excellent|great quality|good reviews|critically acclaimed|masterpiece)\b"
)

# Relative moves: phrase -> (numeric kind, direction).
_RELATIVE: tuple[tuple[re.Pattern[str], NumericKind, Direction], ...] = (
    (
        _rx(
            r"\b(cheaper|less expensive|lower price[sd]?|more affordable|too (expensive|pricey|much)|budget|inexpensive|cheap)\b"
        ),
        NumericKind.PRICE,
        Direction.DOWN,
    ),
    (
        _rx(
            r"\b(more expensive|pricier|fancier|premium|higher end|high end|too cheap|luxury|upscale)\b"
        ),
        NumericKind.PRICE,
        Direction.UP,
    ),
    (
        _rx(r"\b(older|earlier|too (new|recent|modern)|classic|classics|vintage|old school|old)\b"),
        NumericKind.YEAR,
        Direction.DOWN,
    ),
    (
        _rx(
            r"\b(newer|more recent|later|too old|modern|latest|recent|new releases?|contemporary)\b"
        ),
        NumericKind.YEAR,
        Direction.UP,
    ),
    (
        _rx(r"\b(better|higher rated|higher quality|top rated|best|too (bad|low))\b"),
        NumericKind.SCORE,
        Direction.UP,
    ),
    (
        _rx(r"\b(more popular|mainstream|well known|blockbusters?|famous|hits?)\b"),
        NumericKind.POPULARITY,
        Direction.UP,
    ),
    (
        _rx(
            r"\b(less popular|lesser known|less known|obscure|hidden gems?|underrated|niche|indie|too (popular|mainstream)|under the radar)\b"
        ),
        NumericKind.POPULARITY,
        Direction.DOWN,
    ),
)

# Causal variables: everyday words for common column names (matched after the name itself).
VARIABLE_WORDS: Mapping[str, tuple[str, ...]] = {
    "price": ("price", "cost", "cheaper", "expensive", "pricier", "cheap"),
    "promoted": ("promoted", "promotion", "promote", "promoting", "advertised", "featured", "ad", "ads", "sponsored"),
    "position": ("position", "rank", "ranked", "ranking", "slot", "placement", "top of the list", "shown first", "higher up", "lower down"),
    "popularity": ("popular", "popularity", "well known", "mainstream"),
    "quality": ("quality", "better made", "well made"),
    "rating": ("rating", "ratings", "rate", "rated", "like it", "enjoy", "score", "stars"),
    "clicked": ("click", "clicks", "clicked", "clicking", "click through", "pick it", "choose it", "watch it"),
    "exposed": ("exposure", "exposed", "shown", "impressions"),
    "year": ("year", "release year", "older", "newer", "release date"),
    "genre": ("genre", "genres", "kind of movie", "category"),
    "genres": ("genre", "genres", "kind of movie", "category"),
    "age": ("age", "older users", "younger users", "how old"),
    "age_group": ("age", "age group", "older users", "younger users", "how old"),
    "gender": ("gender", "men", "women", "male", "female"),
    "occupation": ("occupation", "job", "profession"),
    "timestamp": ("time", "when", "timestamp"),
}  # fmt: skip

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "about",
        "from",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "they",
        "them",
        "their",
        "some",
        "any",
        "something",
        "anything",
        "movie",
        "movies",
        "film",
        "films",
        "show",
        "shows",
        "book",
        "books",
        "item",
        "items",
        "one",
        "ones",
        "thing",
        "things",
        "stuff",
        "kind",
        "sort",
        "want",
        "wanted",
        "would",
        "like",
        "love",
        "really",
        "very",
        "more",
        "less",
        "please",
        "can",
        "could",
        "should",
        "maybe",
        "perhaps",
        "just",
        "also",
        "too",
        "so",
        "get",
        "give",
        "show",
        "find",
        "recommend",
        "recommendation",
        "recommendations",
        "suggest",
        "suggestion",
        "suggestions",
        "looking",
        "look",
        "mood",
        "watch",
        "see",
        "read",
        "something's",
        "what",
        "which",
        "who",
        "whom",
        "how",
        "when",
        "where",
        "why",
        "there",
        "here",
        "do",
        "does",
        "did",
        "doing",
        "not",
        "no",
        "don't",
        "didn't",
        "isn't",
        "aren't",
        "have",
        "has",
        "had",
        "i'd",
        "i'm",
        "i've",
        "good",
        "great",
        "nice",
        "cool",
        "new",
        "some",
        "other",
        "else",
        "instead",
        "rather",
        "pick",
        "picks",
        "option",
        "options",
        "again",
        "now",
        "then",
        "than",
        "into",
        "out",
        "up",
        "down",
        "over",
        "under",
        "between",
        "tonight",
        "today",
        "night",
        "evening",
        "weekend",
        "time",
        "prefer",
        "preferably",
        "ideally",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "ok",
        "okay",
        "yes",
        "yeah",
        "sure",
        "well",
        "all",
        "lot",
        "lots",
        "much",
        "many",
        "few",
        "little",
        "bit",
        "quite",
        "pretty",
        "kinda",
        "sorta",
        "whatever",
        "same",
        "similar",
        "different",
        "another",
        "first",
        "second",
        "third",
        "last",
        "next",
        "previous",
        "let",
        "let's",
        "us",
        "expensive",
        "pricey",
        "costly",
        "cheap",
        "cheaper",
        "old",
        "older",
        "new",
        "newer",
        "recent",
        "popular",
    ]
)


@dataclass
class _Acc:
    include: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    ranges: dict[str, Range] = field(default_factory=dict)
    relative: list[tuple[str, Direction]] = field(default_factory=list)
    unsupported: list[tuple[str, str]] = field(default_factory=list)  # (phrase, kind)
    cleared: list[str] = field(default_factory=list)  # attributes the user no longer restricts
    used: set[int] = field(default_factory=set)  # token positions consumed by slots

    def add(self, target: dict[str, list[str]], attr: str, value: str) -> None:
        values = target.setdefault(attr, [])
        if value not in values:
            values.append(value)


def _negated(tokens: Sequence[str], start: int) -> bool | None:
    """True when a negation governs the slot at `start`; None when it complains about items."""
    j = start - 1
    while j >= 0 and tokens[j] not in _CLAUSE_BREAKS:
        word = tokens[j]
        prev = tokens[j - 1] if j > 0 else ""
        if word in _NEG_CUES or (prev, word) in _NEG_PHRASES or word.endswith("n't"):
            # "that's not a comedy", "these aren't comedies": about what was shown.
            clause_start = j
            while clause_start > 0 and tokens[clause_start - 1] not in _CLAUSE_BREAKS:
                clause_start -= 1
            window = tokens[max(clause_start, j - 3) : j + 1]
            if any(w in _ITEM_SUBJECTS for w in window) and not any(
                w in _POSITIVE_CUES for w in tokens[j:start]
            ):
                return None
            return not (word == "no" and j + 1 < len(tokens) and tokens[j + 1] == ",")
        if word in _POSITIVE_CUES and j < start - 1 and tokens[j - 1 : j] != ["don't"]:
            # "I want ..." after a negation earlier in the clause restarts the wish.
            k = j - 1
            while k >= 0 and tokens[k] not in _CLAUSE_BREAKS:
                if tokens[k] in _NEG_CUES or tokens[k].endswith("n't"):
                    return True
                k -= 1
            return False
        j -= 1
    return False


def _intents(text: str, acc: _Acc, items: Sequence[str]) -> list[Intent]:
    found = [intent for intent, rx in _INTENT_PATTERNS if rx.search(text)]
    if Intent.CAUSAL in found and Intent.WHAT_IF in found:
        found.remove(Intent.CAUSAL)
    if Intent.WHY in found and Intent.CAUSAL in found:
        found.remove(Intent.WHY)  # "why does price affect clicks" is a graph question
    if (
        _LIKE_FEEDBACK.search(text) or _DISLIKE_FEEDBACK.search(text) or _SEEN.search(text)
    ) and items:
        found.append(Intent.FEEDBACK)
    has_slots = bool(acc.include or acc.exclude or acc.ranges or acc.relative)
    if _MORE.search(text) or (has_slots and _REFINE.search(text)):
        found.append(Intent.REFINE)
    if _RECOMMEND.search(text) or has_slots:
        found.append(Intent.RECOMMEND)
    return list(dict.fromkeys(found))


def _item_refs(
    text: str, tokens: list[str], vocab: Vocabulary, shown: Sequence[str], focus: str | None
) -> tuple[list[str], list[tuple[int, int, str]]]:
    """Item ids referred to (ordinals into `shown`, titles, pronouns) and their token spans."""
    refs: list[tuple[int, str]] = []
    spans: list[tuple[int, int, str]] = []
    for match in _ORDINAL_RX.finditer(text):
        word = (match.group(1) or "").lower()
        index = (
            len(shown)
            if word == "last"
            else _ORDINALS.get(word) or int(match.group(2) or match.group(3) or 0)
        )
        if shown and 1 <= index <= len(shown):
            refs.append((match.start(), shown[index - 1]))
    shown_set = set(shown)
    for start, end, ids in vocab.find_titles(tokens):
        phrase_words = [t for t in tokens[start:end] if t[:1].isalnum()]
        if end - start == 1 and not written_as_title(phrase_words[0], text):
            continue  # one-word titles ("Heat") count only when written like a title
        chosen = next((i for i in ids if i in shown_set), ids[0])
        position = text.lower().find(phrase_words[0])
        refs.append((position if position >= 0 else len(text), chosen))
        spans.append((start, end, chosen))
    if not refs and focus and _PRONOUN_RX.search(text):
        refs.append((0, focus))
    ordered = [item for _, item in sorted(refs, key=lambda r: r[0])]
    return list(dict.fromkeys(ordered)), spans


def _numeric_slots(text: str, vocab: Vocabulary, acc: _Acc) -> None:
    price = vocab.numeric_of_kind(NumericKind.PRICE)
    if price is not None and _MONEY_CONTEXT.search(text):
        low: float | None = None
        high: float | None = None
        between = _BETWEEN.search(text)
        if between:
            nums = [float(g) for g in between.groups() if g is not None]
            low, high = min(nums[:2]), max(nums[:2])
        else:
            m_max = _PRICE_MAX.search(text)
            m_min = _PRICE_MIN.search(text)
            high = float(m_max.group(1)) if m_max else None
            low = float(m_min.group(1)) if m_min and not _YEAR_AFTER.search(text) else None
            if high is None and low is None:
                bare = _BARE_PRICE.search(text)
                if bare:
                    high = float(bare.group(1) or bare.group(2))
        if low is not None or high is not None:
            acc.ranges[price.name] = Range(low, high)
    year = vocab.numeric_of_kind(NumericKind.YEAR)
    if year is not None:
        rng = _year_range(text, year.high)
        if rng is not None:
            acc.ranges[year.name] = rng
    score = vocab.numeric_of_kind(NumericKind.SCORE)
    if score is not None:
        m = _SCORE_MIN.search(text)
        if m:
            acc.ranges[score.name] = Range(float(m.group(1)), None)
        elif _QUALITY_UP.search(text):
            acc.ranges[score.name] = Range(max(score.low, min(score.high, score.median + 1)), None)
    moves: list[tuple[int, int, str, Direction]] = []
    for rx, kind, direction in _RELATIVE:
        attr = vocab.numeric_of_kind(kind)
        if attr is None:
            acc.unsupported += [(m.group(0), kind.value) for m in rx.finditer(text)]
            continue
        if attr.name in acc.ranges:
            continue
        moves += [(m.start(), m.end(), attr.name, direction) for m in rx.finditer(text)]
    taken: list[tuple[int, int]] = []
    for start, end, name, direction in sorted(moves, key=lambda m: m[0] - m[1]):
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        if (name, direction) not in acc.relative:
            acc.relative.append((name, direction))


_ANY_WORDS = frozenset({"any", "whatever", "all"})


def _cleared_attributes(tokens: Sequence[str], vocab: Vocabulary, acc: _Acc) -> None:
    """ "any color", "whatever genre", "the color doesn't matter": that wish is dropped."""

    def stem(word: str) -> str:
        return word[:-1] if word.endswith("s") and len(word) > 3 else word

    stems = [stem(t) for t in tokens]
    for attr in vocab.categorical:
        for spoken in {attr, spoken_name(attr)}:
            name = [stem(w) for w in spoken.lower().replace("_", " ").split()]
            n = len(name)
            hit = next(
                (
                    i
                    for i in range(len(tokens) - n + 1)
                    if stems[i : i + n] == name
                    and (
                        (i > 0 and tokens[i - 1] in _ANY_WORDS)
                        or "matter" in tokens[i + n : i + n + 3]
                    )
                ),
                None,
            )
            if hit is not None:
                acc.cleared.append(attr)
                acc.used.update(range(max(hit - 1, 0), min(hit + n + 3, len(tokens))))
                acc.include.pop(attr, None)
                break


def _without_owner(attr: str) -> str:
    """The column name without an "item_" / "user_" prefix."""
    for prefix in _OWNER_PREFIXES:
        if attr.startswith(prefix):
            return attr[len(prefix) :]
    return attr


def spoken_name(attr: str) -> str:
    """A column as people say it: "item_gender" -> "gender", "jacket_type" -> "jacket type"."""
    return _without_owner(attr).replace("_", " ")


def _year_range(text: str, latest: float) -> Range | None:
    m = _DECADE.search(text)
    if m:
        if m.group(1):
            start = int(m.group(1) + m.group(2) + "0")
        else:
            digit = int(m.group(3))
            century = 1900 if digit * 10 + 1900 <= latest else 2000
            start = century + digit * 10
            if start > latest:
                start -= 100
        return Range(start, start + 9)
    m = _DECADE_WORD_RX.search(text)
    if m:
        start = _DECADE_WORDS[m.group(1).lower()]
        return Range(start, start + 9)
    m = _YEAR_BETWEEN.search(text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return Range(min(a, b), max(a, b))
    m = _YEAR_BEFORE.search(text)
    if m:
        return Range(None, int(m.group(1)) - 1)
    m = _YEAR_AFTER.search(text)
    if m:
        return Range(int(m.group(1)), None)
    m = _YEAR_EXACT.search(text)
    if m:
        y = int(m.group(1) or m.group(2))
        return Range(y, y)
    return None


def _requested_k(text: str) -> int | None:
    m = _K_RX.search(text)
    if not m:
        return None
    raw = (m.group(1) or m.group(2) or "").lower()
    value = _NUMBER_WORDS.get(raw) or (int(raw) if raw.isdigit() else 0)
    return max(1, min(20, value)) if value else None


_OWNER_PREFIXES = ("item_", "user_")


def _variable_phrases(name: str, variables: Sequence[str]) -> set[str]:
    """How people name a column: itself, spaced out, its known synonyms; "item_popularity"
    also as "popularity" (and popularity's synonyms) unless "popularity" is a column too."""
    bare = _without_owner(name)
    names = [name] if bare == name or bare in variables else [name, bare]
    phrases: set[str] = set()
    for n in names:
        phrases.update({normalise(n), normalise(n.replace("_", " "))})
        phrases.update(normalise(p) for p in VARIABLE_WORDS.get(n, ()))
    return phrases


_VERB = (
    r"(?:affects?|influences?|impacts?|changes?|causes?|drives?|determines?|matters? (?:for|to))"
)
_TERM = r"(?:the |an? |its |their )?(?P<{0}>[a-z][a-z0-9 _'-]*?)"
_CAUSAL_TERMS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"\b(?:how (?:much )?)?(?:does|do|did|would|can|could|will) {_TERM.format('x')} "
        rf"(?:really |actually )?{_VERB} {_TERM.format('y')}\s*[?.!]*\s*$"
    ),
    re.compile(
        rf"\b(?:effect|impact|influence) of {_TERM.format('x')} on {_TERM.format('y')}\s*[?.!]*\s*$"
    ),
    re.compile(rf"\bwhat (?:else )?{_VERB} {_TERM.format('y')}\s*[?.!]*\s*$"),
)


_PRONOUN_TERMS = frozenset(
    {"it", "this", "that", "they", "them", "this one", "that one", "these", "those", "what"}
)


def unknown_causal_terms(text: str, variables: Sequence[str]) -> list[str]:
    """The terms of a causal question ("does X affect Y?") that name no variable of the graph."""
    low = text.lower().strip()
    for rx in _CAUSAL_TERMS:
        m = rx.search(low)
        if m:
            terms = [t.strip() for t in m.groupdict().values() if t and t.strip()]
            return [
                t for t in terms if t not in _PRONOUN_TERMS and not find_variables(t, variables)
            ]
    return []


def find_variables(text: str, variables: Sequence[str]) -> list[str]:
    """Causal variables (column names) a text names, in order of mention."""
    low = " " + normalise(text) + " "
    hits: list[tuple[int, str]] = []
    for name in variables:
        phrases = _variable_phrases(name, variables)
        positions = [low.find(f" {p} ") for p in phrases if p and f" {p} " in low]
        if positions:
            hits.append((min(positions), name))
    return [name for _, name in sorted(hits)]


def _what_if(text: str, variables: Sequence[str], acc: _Acc, outcomes: Sequence[str]) -> WhatIf:
    named = find_variables(text, variables)
    outcome = next((v for v in named if v in outcomes), None)
    treatment = next((v for v in named if v not in outcomes), None)
    direction: Direction | None = None
    for attr, move in acc.relative:
        if treatment in (None, attr):
            treatment, direction = attr, move
    if treatment is None:  # "what if it were a comedy?": the value names its attribute
        treatment = next(
            (a for a, values in acc.include.items() if values and a in variables), None
        )
    low = text.lower()
    value: float | str | None = None
    if treatment is not None:
        number = re.search(rf"\b{_NUM}\b", low.split(treatment.replace("_", " "), 1)[-1])
        if number:
            value = float(number.group(1))
        elif re.search(r"\b(not|no longer|un)\s*(promoted|featured|advertised)\b", low):
            value = 0.0
        elif re.search(r"\b(promoted|featured|advertised|sponsored)\b", low):
            value = 1.0
        elif re.search(r"\b(top|first|higher up|at the top)\b", low):
            value = 1.0 if "position" in treatment else None
        for attr, values in acc.include.items():
            if attr == treatment and values:
                value = values[0]
    return WhatIf(treatment=treatment, outcome=outcome, value=value, direction=direction)


def _cue_patterns() -> tuple[re.Pattern[str], ...]:
    intent_rx = tuple(rx for _, rx in _INTENT_PATTERNS)
    relative_rx = tuple(rx for rx, _, _ in _RELATIVE)
    return (
        *intent_rx,
        *relative_rx,
        _RECOMMEND, _MORE, _REPLACE, _ORDINAL_RX, _LIKE_PREP, _LIKE_FEEDBACK, _DISLIKE_FEEDBACK,
        _SEEN, _K_RX, _BETWEEN, _PRICE_MAX, _PRICE_MIN, _BARE_PRICE, _DECADE, _DECADE_WORD_RX,
        _YEAR_BETWEEN, _YEAR_BEFORE, _YEAR_AFTER, _YEAR_EXACT, _SCORE_MIN, _QUALITY_UP,
    )  # fmt: skip


def _leftover_query(text: str, used_tokens: set[int]) -> str:
    """The content words no slot or cue consumed: what a semantic search should look for."""
    covered: list[tuple[int, int]] = []
    for rx in _cue_patterns():
        covered += [(m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start()]
    out: list[str] = []
    for index, (word, start, end) in enumerate(token_spans(text)):
        if index in used_tokens or any(s < end and start < e for s, e in covered):
            continue
        if (
            word in _STOPWORDS
            or word in _NEG_CUES
            or len(word) < 3
            or not word.isalnum()
            or word.isdigit()
            or not word.isascii()
        ):
            continue
        out.append(word)
    return " ".join(out)


def understand(
    text: str,
    vocab: Vocabulary,
    shown: Sequence[str] = (),
    *,
    focus: str | None = None,
    variables: Sequence[str] = (),
    outcomes: Sequence[str] = (),
) -> Parse:
    """Read one user turn: intents, slots and item references (see the module docstring).

    `shown` is the list the user last saw (for "the second one"); `focus` the item last
    talked about (for "it"); `variables` and `outcomes` the causal graph's variable names.
    """
    tokens = tokenize(text)
    acc = _Acc()
    items, title_spans = _item_refs(text, tokens, vocab, shown, focus)
    title_positions = {p for s, e, _ in title_spans for p in range(s, e)}

    either: set[str] = set()
    last_wanted: dict[str, int] = {}
    for attr, value, start, end in vocab.find_values(tokens):
        if title_positions.intersection(range(start, end)):
            continue  # a word inside a title ("Romance" in a title) is not a wish
        acc.used.update(range(start, end))
        negated = _negated(tokens, start)
        acc.add(acc.exclude if negated else acc.include, attr, value)
        if not negated:
            if attr in last_wanted and "or" in tokens[last_wanted[attr] : start]:
                either.add(attr)
            last_wanted[attr] = end
    for attr in list(acc.include):
        acc.include[attr] = [v for v in acc.include[attr] if v not in acc.exclude.get(attr, [])]
        if not acc.include[attr]:
            del acc.include[attr]
    _numeric_slots(text, vocab, acc)
    _cleared_attributes(tokens, vocab, acc)

    # "something like X", "more like the second one": anchors for similarity.
    like_items: list[str] = []
    for match in _LIKE_PREP.finditer(text):
        after = text[match.end() :]
        clause = re.split(r"[.;!?]|\bbut\b", after, maxsplit=1)[0]
        sub_items, _ = _item_refs(clause, tokenize(clause), vocab, shown, None)
        like_items.extend(sub_items)
    like_items = list(dict.fromkeys(like_items))

    feedback: list[tuple[str, FeedbackKind]] = []
    targets = [i for i in items if i not in like_items] or (items if not like_items else [])
    if targets:
        if _SEEN.search(text):
            kind: FeedbackKind | None = FeedbackKind.SEEN
        elif _DISLIKE_FEEDBACK.search(text):
            kind = FeedbackKind.DISLIKE
        elif _LIKE_FEEDBACK.search(text):
            kind = FeedbackKind.LIKE
        else:
            kind = None
        if kind is not None:
            feedback = [(item, kind) for item in targets]

    intents = _intents(text, acc, [i for i, _ in feedback])
    if like_items and Intent.RECOMMEND not in intents:
        intents.append(Intent.RECOMMEND)
    what_if = None
    if Intent.WHAT_IF in intents:
        what_if = _what_if(text, variables, acc, outcomes)
    named_vars = tuple(find_variables(text, variables)) if variables else ()

    query = _leftover_query(text, acc.used | title_positions)
    return Parse(
        text=text,
        intents=tuple(intents),
        include={k: tuple(v) for k, v in acc.include.items()},
        exclude={k: tuple(v) for k, v in acc.exclude.items()},
        ranges=dict(acc.ranges),
        relative=tuple(acc.relative),
        replace=bool(_REPLACE.search(text)),
        items=tuple(items),
        like_items=tuple(like_items),
        feedback=tuple(feedback),
        k=_requested_k(text),
        query=query,
        what_if=what_if,
        variables=named_vars,
        wants_more=bool(_MORE.search(text)),
        either=frozenset(either),
        unsupported=tuple(dict.fromkeys(acc.unsupported)),
        cleared=tuple(dict.fromkeys(acc.cleared)),
    )
