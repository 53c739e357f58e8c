"""Verdict predicates built from word classes: what happened while watching or wearing an item.

`agent.nlu_feedback` lists verdict phrases one by one ("loved it", "was dreadful"). People
also tell a verdict as a story of the viewing: the item acts on them ("it gave me
nightmares", "made my kids laugh so hard"), they react to it ("we laughed all the way
through X"), they rule out a repeat ("never again"), they assent ("big yes to X"), or they
judge it with an adjective after a copula or "found it" ("the bomber is sharp", "found it
rather tedious", "too old-fashioned"). Each predicate here is a frame (experiencer, copula,
reaction verb) filled from a lexical class, so a new adjective or reaction joins a class
instead of a new phrase joining a list.
"""

from __future__ import annotations

import re

from agent.parse import FeedbackKind

__all__ = ["DISLIKE_PREDICATE", "LIKE_PREDICATE", "SEEN_PREDICATE", "predicate_kind"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


# -- lexical classes ---------------------------------------------------------------------
# degree words and hedges that may stand between a copula and its adjective
DEGREE = _any(
    "so+", "really", "very", "just", "pretty", "truly", "absolutely", "utterly", "totally",
    "quite", "rather", "a bit", "a little", "a tad", "kinda", "kind of", "sort of", "bit",
    "proper", "properly", "real", "right", "such", "super", "well", "dead", "seriously",
    "genuinely", "honestly", "incredibly", "ridiculously", "dreadfully", "painfully", "awfully",
    "terribly", "horribly", "extremely", "fairly", "somewhat", "slightly", "a", "an", "way", "far", "much",
    "pure", "utter", "total", "complete", "absolute", "an absolute", "a total", "a complete",
)  # fmt: skip
# the user or their household as the one the item acted on
EXPERIENCER = (
    r"(?:me|us|everyone|everybody|the\s+(?:kids|children|family|whole\s+family|wife|husband"
    r"|room)|(?:my|our)\s+(?:\w+\s+)?\w+)"
)
# evaluative adjectives of praise (films and clothes) that the phrase lists lack
PRAISE_ADJ = _any(
    "sharp", "smart", "classy", "class", "slick", "stylish", "cracking", "fab", "hilarious",
    "gripping", "riveting", "stunning", "gorgeous", "beautiful", "flawless", "top notch", "top-notch", "first rate", "first-rate", "spot on",
    "spot-on", "unmissable", "a winner", "a triumph", "a belter", "a cracker",
    "a must", "a must-see", "a must see", "a tearjerker in a good way",
    "fun", "sweet", "clever", "witty", "timeless", "iconic", "banger", "nail-biter",
    "nail biter", "page-turner", "joy to watch", "comfort (?:movie|film|watch)",
    "cute", "cosy", "cozy", "mint", "fire",
)  # fmt: skip
# evaluative adjectives of blame that the phrase lists lack
PAN_ADJ = _any(
    "tedious", "boring", "dull", "old-fashioned", "old fashioned", "dated", "frumpy", "drab",
    "tacky", "cheesy", "dire", "poor", "awful", "terrible", "bad", "rubbish", "shite", "crap",
    "cringe", "cringey", "cringy", "a chore", "a drag", "a mess", "a miss", "a flop",
    "a let-down", "a let down", "a waste of time", "overlong", "ugly", "hideous", "unflattering",
    "itchy", "scratchy", "flimsy", "shapeless", "boxy", "baggy",
    "irritating", "annoying", "grating", "silly", "pretentious", "predictable", "confusing",
    "slow", "weak", "mediocre", "average", "uncomfortable", "drivel", "soppy", "letdown", "let-down",
    "let down", "disappointment", "a bit much", "a little much", "a slog", "slog", "cheap", "grim", "try-hard",
    "muck", "tosh", "tripe", "dross", "twaddle", "bilge", "pants", "nonsense", "garbage", "trash",
)  # fmt: skip
# worthless-stuff nouns and strong pans that make a verdict standing alone as a segment
# ("..., pure muck", "utter tosh.", "a snoozefest"): no copula needed
PAN_NOUN = _any(
    "muck", "tosh", "tripe", "dross", "twaddle", "bilge", "drivel", "rubbish", "trash", "garbage",
    "crap", "shite", "nonsense", "a snoozefest", "snoozefest", "a waste of time", "a letdown",
    "a let-down", "a chore", "a slog", "a mess", "a flop",
)  # fmt: skip
# strong praise adjectives and nouns that make a verdict standing alone as a segment
# ("I've watched X, incredible film", "X? Absolute masterpiece.")
PRAISE_WORD = _any(
    "incredible", "outstanding", "phenomenal", "sublime", "magnificent", "masterful", "stunning",
    "gorgeous", "beautiful", "flawless", "gripping", "riveting", "unmissable", "hilarious",
    "a masterpiece", "masterpiece", "a classic", "a gem", "a triumph", "a belter", "a cracker",
    "a winner", "a banger", "top notch", "top-notch", "first rate", "first-rate",
)  # fmt: skip
# what a segment verdict may name after its adjective: "incredible film", "stunning coat"
_THING = r"(?:\s+(?:film|movie|flick|picture|pic|watch|one|stuff|jacket|coat|buy|purchase|piece))?"
# where a verdict segment starts and ends: after a comma, a dash, a full stop or the turn's start
_SEG_OPEN = r"(?:^|[,;:.!?–—]|\s-)\s*(?:(?:an?|such\s+an?|what\s+an?)\s+)?"
_SEG_CLOSE = r"\s*(?:[,.;!?]|\s-|$)"
# a happy reaction a viewing causes
GLAD_REACTION = _any(
    r"laugh(?:ing)?", r"smil(?:e|ing)", r"grin(?:ning)?", r"giggl(?:e|ing)", r"chuckl(?:e|ing)",
    r"howl(?:ing)?", r"cheer(?:ing)?", r"happy", r"in\s+stitches", r"in\s+hysterics",
    r"hooked", r"gripped", r"glued\s+to", r"on\s+the\s+edge\s+of",
)  # fmt: skip
# a happy reaction told in the past ("we laughed ...")
GLAD_PAST = _any("laughed", "giggled", "chuckled", "howled", "cheered", "smiled", "grinned")
# the whole of a viewing: "all the way through", "from start to finish", "the whole time"
THROUGHOUT = (
    r"(?:all\s+the\s+way\s+through|throughout|from\s+start\s+to\s+(?:finish|end)|the\s+whole"
    r"\s+(?:time|way\s+through|film|movie|thing)|non-?stop|our\s+heads\s+off|my\s+head\s+off"
    r"|so\s+(?:hard|much)|till\s+(?:we|i)\s+cried|until\s+(?:we|i)\s+cried|out\s+loud)"
)
# what turns a blame word into praise or a mere description: "slow burn", "silly fun",
# "scary in a good way"
_NOT_REDEEMED = (
    r"(?!\s+(?:burn|burner|fun|but\s+(?:good|great|fun|brilliant|lovely)|in\s+(?:a|the)\s+"
    r"(?:good|great|nice|best|lovely)\s+(?:possible\s+)?way))"
)
COPULA = (
    r"(?:\b(?:is|was|were|are|looks?|looked|seems?|seemed|felt|feels?)|'s|\u2019s"
    r"|\b(?:found|find|finds|thought)\s+(?:it|that|this|them|those|these|the\s+\w+))"
)

# -- predicates --------------------------------------------------------------------------
LIKE_PREDICATE = _rx(
    # the item made the household happy: "made my kids laugh so hard", "had us in stitches"
    rf"\b(?:made|makes|make|had|has|have|kept|keeps|left)\s+{EXPERIENCER}(?:\s+(?:both|all))?"
    rf"\s+(?:\w+\s+)?{GLAD_REACTION}"
    # the household's reaction through the viewing: "we laughed all the way through X"
    rf"|\b(?:i|we)\s+(?:both\s+|all\s+)?(?:\w+\s+)?{GLAD_PAST}\s+{THROUGHOUT}"
    # an assent to an item: "big yes to X", "a definite yes for the navy one"
    r"|(?:^|[,;:.!]\s*)\W*(?:a\s+)?(?:big|huge|massive|definite|firm|hard|resounding|strong)"
    r"\s+yes\s+(?:to|for)\b"
    r"|(?:^|[,;:.!]\s*)\W*yes\s+(?:to|for)\s+(?!(?:a|an|some|more|any|something|anything)\b)\w"
    # a favourite: "one of my all time faves", "my fave"
    r"|\b(?:my|our)\s+(?:(?:all[\s-]time|absolute|total|personal)\s+)?(?:faves?|favs?)\b"
    # praise after a copula: "the bomber is sharp", "found it gripping"
    rf"|{COPULA}\s+(?:(?:{DEGREE})\s+)*{PRAISE_ADJ}(?![\w-])"
    # plain approval after a verb of being: "2 and 4 are good", "the second was decent"
    rf"|\b(?:is|was|are|were)\s+(?:(?:{DEGREE})\s+)*(?:good|decent|solid)\b"
    r"(?!\s+(?:for|at|with|if|to|enough|as|but)\b)"
    # a reaction marked as welcome: "a proper tearjerker in a good way", "scary in the best way"
    r"|(?<!not\s)\bin\s+(?:a|the)\s+(?:good|great|nice|best|lovely)\s+(?:possible\s+)?way\b"
    # strong praise standing alone as its own segment: "..., incredible film", "Absolute
    # masterpiece."
    rf"|{_SEG_OPEN}(?:(?:{DEGREE})\s+)*{PRAISE_WORD}{_THING}{_SEG_CLOSE}"
    # a lasting pleasure: "never gets old", "never gets old for me"
    r"|\bnever\s+(?:gets|got|grows|grew)\s+(?:old|tired|stale)\b"
)
DISLIKE_PREDICATE = _rx(
    # a repeat ruled out: "never again", "once was enough"
    r"\b(?:never|not)\s+again\b(?!\s+(?:today|tonight|yet)\b)|\bonce\s+was\s+(?:enough|plenty)\b"
    # a refusal mirroring the assent: "a solid no from me", "hard no on the beige one"
    r"|\b(?:big|huge|massive|definite|firm|hard|solid|resounding|strong)\s+no"
    r"(?:\s+(?:from|for|to|on)\b|\s*(?:[,.;!]|$))"
    # a likeness marked as unwelcome: "looks like a bin bag, and not in a good way"
    r"|\bnot\s+in\s+(?:a|the)\s+(?:good|great|nice|best|lovely)\s+(?:possible\s+)?way\b"
    r"|\bnever\s+(?:watching|wearing|seeing)\s+(?:it|that|this|them)\s+again\b"
    # the item hurt the viewing: "gave me nightmares", "bored us to tears"
    rf"|\b(?:gave|gives|give)\s+{EXPERIENCER}\s+(?:\w+\s+)?(?:nightmares|the\s+creeps"
    r"|a\s+headache|the\s+ick)\b"
    rf"|\b(?:bored|bores|bore)\s+{EXPERIENCER}\s+(?:(?:to\s+)?(?:tears|death|die|sleep)|stiff|silly"
    r"|rigid|senseless)\b"
    # a pan standing alone as its own segment: "that last one, pure muck", "utter tosh."
    rf"|{_SEG_OPEN}(?:(?:{DEGREE})\s+)*{PAN_NOUN}{_SEG_CLOSE}"
    # "don't do it for me", "isn't doing it for us"
    r"|\b(?:don'?t|doesn'?t|do\s+not|does\s+not|won'?t|isn'?t|aren'?t|not)\s+(?:really\s+)?"
    r"do(?:ing)?\s+(?:it|anything|much)\s+for\s+(?:me|us)\b"
    # blame after a copula: "found it rather tedious", "the beige vest is too old-fashioned"
    rf"|{COPULA}\s+(?:(?:{DEGREE})\s+)*{PAN_ADJ}(?![\w-]){_NOT_REDEEMED}"
    rf"|{COPULA}\s+(?:(?:{DEGREE})\s+)*too\s+(?!(?:good|kind|funny|much\s+fun)\b)[\w-]+"
    r"(?!\s+to\s+(?:miss|pass|resist)\b)"
)
SEEN_PREDICATE = _rx(r"\bbeen\s+there\W+(?:and\s+)?done\s+that\b|\bseen\s+it\s+all\s+before\b")


# a copula inside a wish, not a verdict: "something that's hilarious", "as long as it's dull-free"
_WISHED = _rx(
    r"(?:\b(?!(?:found|find|thought|think|said|say|know|knew|guess|reckon|felt|feel|admit|so)\b)"
    r"\w+\s+(?:that|which|who)|\b(?:if|unless|whether|as\s+long\s+as|so\s+long\s+as|hope"
    r"|hopefully|ideally|preferably|make\s+sure))\b[^,.;!?]*$"
)


def _stated(pattern: re.Pattern[str], clause: str) -> bool:
    return any(not _WISHED.search(clause, 0, m.start()) for m in pattern.finditer(clause))


def predicate_kind(clause: str) -> FeedbackKind | None:
    """The verdict a predicate of this module states in a clause (dislike before like, as in
    `agent.nlu_feedback.feedback_kind`), or None; a predicate inside a wish ("something
    that's hilarious", "if it's too long") states none."""
    if _stated(DISLIKE_PREDICATE, clause):
        return FeedbackKind.DISLIKE
    if _stated(LIKE_PREDICATE, clause):
        return FeedbackKind.LIKE
    if SEEN_PREDICATE.search(clause):
        return FeedbackKind.SEEN
    return None


# A first-person fondness idiom before an item ("I'm a big fan of X", "I was quite taken with
# X", "we're very fond of X"): a like, as "I liked X" is.
FIRST_PERSON_FOND = (
    # "I'm a big fan of X" (first person: "fans of X" are others)
    r"(?:^\W*|\b(?:i'?m|i\s+am|we'?re|we\s+are)\s+)(?:an?\s+)?(?:(?:big|huge|massive|great|real"
    r"|long-?time|die-?hard|total)\s+)+fans?\s+of\b|"
    r"\b(?:i|we)(?:\s+(?:was|were|am|are|have\s+been|got)|['’](?:m|re))\s+"
    r"(?:(?:quite|very|rather|really|so|pretty|most|awfully|terribly|always|just)\s+)*"
    r"(?:taken\s+with|fond\s+of|keen\s+on|"
    r"smitten\s+with|hooked\s+on|into)\b(?!\s+(?:something|anything|some|an?|more|one|ones|stuff|"
    r"any|those|these|that|the\s+idea)\b)"
    # "True Romance is my kind of thing", "X was my cup of tea" (a negation is a dislike)
    r"|\b(?:is|was|'s)\s+(?:(?:totally|really|so|just|exactly|very\s+much)\s+)?(?:my|our)\s+"
    r"(?:(?:kind|sort|type)\s+of\s+(?:thing|film|movie|flick|stuff)|cup\s+of\s+tea)\b"
)
