"""First-person feedback on an item in a turn: seen, disliked or liked.

Split from `agent.nlu_refs` (which finds the items a turn names); these patterns read the
verb or judgement that governs an item's clause ("loved it", "couldn't stand X", "X was
too slow for me", "I already own the grey fleece") and tell the user's own feedback from
other people's taste ("my dad loved X") and from a hypothetical ("would I like it?").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.nlu_verdict_grammar import FIRST_PERSON_FOND, predicate_kind
from agent.parse import FeedbackKind, ItemRef, TitleRole

__all__ = [
    "DISLIKE_FEEDBACK",
    "HYPOTHETICAL_LIKE",
    "LIKE_FEEDBACK",
    "SEEN",
    "THIRD_PERSON_JUDGED",
    "THIRD_PERSON_LOVED",
    "FeedbackKind",
    "bare_verdict",
    "feedback_kind",
    "implied_feedback",
    "liked_as_taste",
    "own_clause",
    "postfix_verdict",
    "rating_kind",
    "unknown_subject",
]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


THIRD_PERSON_LOVED = _rx(
    r"\b(people|ppl|fans|folks|everyone|everybody|friends?|users|viewers|critics|others|those|guys|gals|audiences?|someone|somebody|anyone|a person|kids|children|he|she|they|crowd|my (?:(?:late|dear|old|little|big|older|younger|eldest|youngest|teenage)\s+)?(wife|husband|partner|sister|brother|mom|mum|dad|father|mother|friends?|kids?|son|daughter|girlfriend|boyfriend|roommate|colleagues?|family|parents|grandson|granddaughter|grandad|grandpa|grandma|gran|nan|uncle|aunt|cousin|niece|nephew|boss|flatmate|housemate|in-laws|grandparents))\b(?!\s+(?:and|&)\s+(?:i|me)\b)[^.!?;]*\b(loved|liked|enjoyed|adored|raved about|rave about|love|loves|like|likes|enjoy|enjoys|adore|adores|went crazy for|dig|digs|dug"
    # their devotion to an item: "he rewatches X every year", "my daughter keeps rewatching
    # X", "a person into both X and Y", "someone whose comfort movie is X"
    r"|re-?watch(?:es|ed|ing)?|keeps?\s+(?:re-?)?watching|(?:can'?t|cannot)\s+stop\s+(?:re-?)?watching"
    r"|quotes|quoted|(?:can|could)\s+quote|worships?|worshipped|grew up on|obsessed with|swears? by|(?:is|are|'s|was|were)\s+(?:really\s+|big\s+|"
    r"so\s+|very\s+)?into(?:\s+both)?|into\s+both|(?:comfort|favou?rite|fave|fav|go-to)"
    r"\s+(?:movie|film|flick|pick|one|watch)\s+(?:is|was|=|:))\s+['\"“‘]?$"
)
# someone else's judgement of an item, whose own verdict follows it ("someone who thought X
# was hilarious"): their taste when the verdict is not a dislike
THIRD_PERSON_JUDGED = _rx(
    r"\b(?:people|ppl|fans|folks|everyone|everybody|friends?|someone|somebody|anyone|a person"
    r"|kids|children|he|she|they|my\s+\w+)\s+(?:who|that)?\s*(?:thought|thinks|think|found|finds"
    r"|find|considers?|considered|rated|rates|called|calls)\s+['\"“‘]?$"
)
LIKE_FEEDBACK = _rx(
    FIRST_PERSON_FOND  # "I'm a big fan of X", "I was quite taken with X"
    + r"|\b(i|we)\s+(?:(?:really|also|absolutely|truly|totally|do|both|all|just)\s+)?(liked|loved|enjoyed|adored|like|love|enjoy|adore|dig|dug)\b|\bthumbs? up\b|\U0001f44d|\b(great|awesome|perfect|excellent|good|nice) (picks?|choices?|ones?|calls?)\b|\bright up my (?:street|alley)\b|\b(was|is|looks|looked|seems|'s) (so |really |just |pretty |absolutely )?(great|amazing|awesome|fantastic|brilliant|wonderful|excellent|spot on|gorgeous|beautiful|stunning|lovely|superb|fab|fabulous)\b|\b(slaps|rocks|pretty good|10/10)|\bfavou?rites?\b|\b(?:was|is)\s+(?:a\s+|an\s+)?(?:absolute\s+|real\s+)?masterpiece\b|^\s*(?:(?:oh|ah|wow|yeah|yes|really|so|just|totally|absolutely)\s+)*(?:loved|love|adored|adore|enjoyed|liked|dug)\s+(?:it|that|this|them|those|the)\b"
    r"|\b(?:loved|liked|enjoyed|adored)\s+(?:them\s+)?(?:both|all|each)\b"
    # a verdict after "is/was": "X was terrific", "X is a delight", "it's a gem", "X = great film"
    r"|(?:\b(?:is|was|were|are)|'s|’s|=|:)\s+(?:(?:so|really|just|truly|pure|an?|absolute|"
    r"absolutely|actually|genuinely|real|total|little|true)\s+)*(?:ace|masterpiece|terrific|incredible|outstanding|phenomenal|"
    r"sublime|magnificent|marvell?ous|delightful|delight|riot|gem|keeper|perfect|nice(?!\s+to\b)|"
    r"(?:(?:definite|firm|big|clear|solid|hard)\s+)?yes(?!\s+or\b)|"
    r"(?:great|excellent|brilliant|fantastic|amazing|superb|lovely)\s+(?:film|movie|flick|watch|"
    r"jacket|coat|buy|fit))\b"
    r"|(?:^|[,:;\u2013\u2014]|\s-)\s*(?:(?:what|such)\s+an?\s+|an?\s+)?(?:great|excellent|brilliant|"
    r"fantastic|amazing|superb|lovely)\s+(?:film|movie|flick|watch|jacket|coat)\b"
    # "X is the best film I've ever seen": a superlative the user vouches for
    r"|\b(?:is|was|'s)\s+(?:the|my)\s+(?:best|greatest)\s+(?:\w+\s+)?(?:film|movie|flick|"
    r"thing|jacket|coat)s?\s+(?:i|i've|i have|we|we've|ever)\b"
    r"|\b(?:dear|close)\s+to\s+(?:me|my heart)\b"
    r"|\b(?:exactly|just|totally|so)\s+my\s+(?:\w+'s\s+)?(?:style|thing|taste|type)\b|\bobsessed with\b"
    # "yes to the blue fleece", "the bomber looks sick": an assent or slang praise of an item
    r"|(?:^|[,;:.!]\s*)\W*yes\s+(?:to|for)\s+(?:the|that|this)\b|\blooks?\s+(?:so\s+)?(?:sick|fire|class)\b"
    r"|\b(?:is|was|'s)\s+my\s+(?:comfort|go-to|all-time)\b"
    r"|^\W*(?:nice|lovely|gorgeous|great|perfect|love)\W+(?:the|that|this)\b"
    r"|\b(?:5|five|10|ten)\s+stars?\s+(?:for|to)\b|\bgive\s+(?:it|that|this)\s+(?:5|five)\s+stars?\b"
    # a verdict that is its own segment after the item: "watched X last night, surprisingly
    # good", "saw X years ago; wonderful picture", "bought the navy one, love it"
    r"|(?:[,;:.!\u2013\u2014]|\s-)\s*(?:(?:\w+ly|so|really|just|pretty)\s+)?(?:good|great"
    r"|brilliant|excellent|fantastic|amazing|superb|wonderful|terrific|marvell?ous|lovely"
    r"|gorgeous|stunning)(?:\s+(?:picture|pic|film|movie|flick|watch|one|stuff|buy|purchase))?"
    r"\s*(?:[.!,;]|$)"
    r"|(?:[,;:.!\u2013\u2014]|\s-)\s*(?:(?:really|just|absolutely|totally|still)\s+)?(?:love"
    r"|loved|adore|adored|enjoyed|liked)\s+(?:it|this|that|them)\b"
    r"|(?:^|[,;:.!\u2013\u2014]|\s-)\s*(?:so\s+much|such|pure|good|great|big|dumb|silly|"
    r"stupid|mindless|daft)\s+fun\s*(?:[.!,;]|$)|\bcount me in\b|\bguilty pleasure\b"
    r"|\bblew\s+(?:my|our)\s+minds?\b|\b(?:big|huge|massive)\s+(?:like|yes)\s+from\s+(?:me|us)\b"
    r"|\b(?:i|we)\s+approve\b|\b(?:rules|ruled)\s*!|\b(?:love|loved|adore)\s+(?:em|'em)\b"
    r"|\b(?:is|was|'s)\s+(?:(?:so|really|just|truly|such)\s+)?(?:an?\s+)?(?:adorable|touching|moving"
    r"|charming|blast|hoot|joy|treat|delight)\b"
    r"|\b(?:ones|both|two)\s+(?:are|were|look|looked)\s+(?:(?:so|really|just|absolutely)\s+)?"
    r"(?:great|lovely|gorgeous|beautiful|stunning|brilliant|fantastic|amazing|perfect|superb)\b"
    r"|\b(?:are|were)\s+(?:(?:so|really|just|absolutely)\s+)?(?:spot on|bang on|on the money"
    r"|on point)\b|\bhits?\s+the\s+spot\b|\bnailed\s+it\b|\b(?:had|have)\s+(?:a|such\s+a)\s+(?:blast|ball)\b"
    r"|\b(?:exactly|just|totally|so)\s+my\s+(?:kind|sort|type)\s+of\s+(?:film|movie|thing|flick"
    r"|stuff|jacket|coat)\b"
    # emoji that praise: thumbs up / ok hand / hearts / heart eyes / fire / 100 / clapping
    r"|[\U0001f44c\U0001f44f\u2764\U0001f495-\U0001f49f\U0001f60d\U0001f970\U0001f929\U0001f525"
    r"\U0001f4af\U0001f63b]"
)
DISLIKE_FEEDBACK = _rx(
    r"\b(didn'?t|did not|don'?t|do not)\s+(really\s+)?(like|enjoy|love|care for|dig)\b|\b(hated|hate|disliked|dislike|not for me|no thanks|unpleasant|boring|awful|terrible|meh|not a fan|wasn't a fan|was bad|sucked|sucks|stinks|overrated|ugly|dull|rubbish|(?:not|n't) (?:really |very |too |that |so |exactly |quite )?(?:keen on|into|my (?:thing|style|taste|cup of tea|(?:kind|sort|type) of (?:thing|film|movie|flick|stuff))))\b|\bthumbs? down\b|\U0001f44e"
    r"|\bnot\s+(?:a\s+)?(?:big|huge|massive|great|real)\s+fan\b"
    r"|\b(?:couldn'?t|could not|can'?t|cannot)\s+(?:even\s+)?(?:stand|bear|stomach|sit through|finish)\b"
    r"|\bfell asleep (?:during|in|to|watching|halfway|partway|after|twice)\b"
    r"|\bwanted\s+to\s+(?:leave|walk out)\b|\bwant\s+(?:my|those|the)\s+(?:\w+\s+)?hours?\s+back\b"
    r"|\bdrags(?:\s+on)?\s+(?:for\s+me|a\s+bit|too)\b|\bgrates\s+on\s+me\b"
    r"|\btoo\s+\w+\s+for\s+(?:me|my taste|my liking)\b|\b(?:hated|disliked)\s+(?:them\s+)?(?:both|all)\b"
    # a verdict after "is/was": "X was dreadful", "that one's a bore", "it is hideous"
    r"|(?:\b(?:is|was|were|are)|'s|’s|=|:)\s+(?:(?:so|really|just|pretty|truly|an?|absolute|"
    r"absolutely|actually|kinda|kind of|sort of|total|bit|little|quite|rather|too)\s+)*(?:dreadful|"
    r"hideous|horrible|trash|garbage|mid|bore|snooze|slog|letdown|tedious|unwatchable|painful|"
    r"disappointing|a no|dumb|stupid|lame|forgettable|naff|underwhelming|pointless|bland)\b"
    r"(?!\s+(?:fun|good fun|but (?:fun|great|good|brilliant)|entertainment)\b)"
    # a viewing that failed: "did nothing for me", "put me to sleep", "turned it off after ten
    # minutes", "gave up halfway", "walked out"
    r"|\bdid(?:n'?t| not)?\s+(?:nothing|zilch|zero|little)\s+for\s+(?:me|us)\b"
    r"|\bdid(?:n'?t| not)\s+do\s+(?:anything|much|it)\s+for\s+(?:me|us)\b"
    r"|\b(?:put|sent|puts|sends)\s+(?:me|us)(?:\s+(?:both|all))?\s+to\s+sleep\b"
    r"|\b(?:turned|switched|shut)\s+(?:it|that|this)\s+off\b|\b(?:turned|switched)\s+off\s+after\b"
    r"|\bgave\s+up\s+(?:on\s+(?:it|that|this)|after|halfway|partway)\b|\bwalked\s+out\b"
    r"|\b(?:isn'?t|wasn'?t|is not|was not)\s+(?:really\s+)?(?:my\s+(?:thing|style|taste|type|"
    r"cup of tea)|for me)\b|\bnever suits? me\b|\bnot feeling\b|\bbored me\b"
    r"|\b(?:couldn'?t|could not|can'?t)\s+get through\b"
    # "X = no", "the Y less so" (after praise of another), "who wears that??", "no to the Y"
    r"|(?:=|:)\s*(?:no|nope|nah)\b|\b(?:less so|not so much)\b|(?:^|[,;:.!]\s*)\W*(?:no|nah|nope)\s+to\s+(?:the|that|this)\b"
    r"|\bwho\s+(?:\w+\s+)?(?:wears?|buys?|watch(?:es)?)\s+(?:that|this|these|those)\b"
    # emoji that reject: vomiting / nauseated / sleeping / yawning / pile of poo / eye roll
    r"|[\U0001f92e\U0001f922\U0001f634\U0001f971\U0001f4a9\U0001f644\U0001f612\U0001f4a4]"
)
SEEN = _rx(
    # "got the black pea coat last year": an item got at a past time
    r"^\W*(?:(?:i|we)\s+)?got\s+(?:the|that|this)\b[^.!?;]*\b(?:last|ago|already|before)\b|"
    r"^\s*(?:(?:i|we|i've|we've|ive|weve|i have|we have)\s+)?(?:already\s+)?(?:seen|saw|watched|own|owned|bought)\b|\b(?:i|i've|i have|we|we've)\s+(?:already\s+)?(?:own|bought|purchased)\b|\b(?:got|have|own|bought)\s+(?:it|that|this|them|those)(?:\s+one)?\s+already\b|\balready\s+(?:bought|got|purchased)\b|\b(?:i|we)(?:'ve|\u2019ve|\s+have)?\s+(?:already\s+)?(?:have|own|got)\s+(?:(?:the|that|this|those|these|number|no)\b|#)[^.!?;]*\balready\b|\b(watched|saw|seen)\b[^.!?;]*\balready\b|\b(already (seen|watched|read|saw|have|own)|(i've|i have|i had|we've|i) (seen|watched|read|own) (it|that|this|them|those|the|it already)|seen (it|that|this|them|those) (already|before)|saw (it|that|this) already|(i've|i have|we've) (already |all )?(seen|watched))\b"
    r"|\b(?:seen|watched|saw|caught)\s+(?:it|that|this|them|those|these)(?:\s+one)?\s+"
    r"(?:on|at|in|ages|years|last|already|before|twice|loads)\b"
    r"|(?<!\byou\s)\b(?:seen|watched|saw)\s+(?:it|that|this|them|those)(?:\s+one)?"
    r"(?:\s+(?:already|before|twice))?\s*(?:[.!,]|$)"
    r"|^\W*(?:got|have|own|bought)\s+(?:the|that|this|those|these|both)\b[^.!?;]*\balready\b"
    r"|[:–—-]\s*(?:already\s+)?(?:seen|watched|owned?)\b"
    r"|\b(?:seen|watched|saw)\s+(?:(?:literally|pretty much|basically|nearly)\s+)?(?:all|each|every)\b"
    # a copy worn by watching: "we've worn out the DVD of that one", "wore out my VHS of it"
    r"|\b(?:worn|wore|wearing)\s+out\s+(?:the|my|our|their|a)\s+(?:\w+\s+)?(?:dvds?|vhs|tapes?"
    r"|copy|copies|discs?|blu-?rays?|videos?)\b"
)


# an interjection that turns down what is on screen, set off by punctuation: "meh, ...", "nah -"
_REJECTING_OPENER = _rx(
    r"\W*(?:(?:meh|nah|nope|no|ugh|hmm+|not really)\s*[,;:.!\u2013\u2014-]+\s*"
    r"|(?:meh|nah|nope|ugh)\s+(?=(?:my|i|i'm|i've|i'd|loved|love|liked)\b))"
)  # without punctuation only before the user's own words: "meh my fave is X"


def feedback_kind(clause: str) -> FeedbackKind | None:
    """First-person feedback in a clause: disliked, liked or seen (in that precedence); a
    question whether the user would like it ("why would I like it") reports nothing."""
    if HYPOTHETICAL_LIKE.search(clause):
        return None
    opener = _REJECTING_OPENER.match(clause)
    if opener:
        # "meh, GoldenEye is brilliant, similar?", "meh, my fave is X": the "meh" turns down
        # the list on screen, the praise that follows is the verdict on the item named
        rest = feedback_kind(clause[opener.end() :])
        if rest is FeedbackKind.LIKE or (rest is not None and LIKE_FEEDBACK.search(clause)):
            return rest
    # a verdict beside a viewing is the verdict ("saw it twice, loved it"): like, not seen
    told = predicate_kind(clause)  # a verdict told as what happened (`nlu_verdict_grammar`)
    if DISLIKE_FEEDBACK.search(clause) or told is FeedbackKind.DISLIKE:
        return FeedbackKind.DISLIKE
    rated = rating_kind(clause)
    if rated is not None and not (
        THIRD_PERSON_LOVED.search(clause + " ") or _OTHERS_RATED.search(clause)
    ):
        return rated  # "the trek movie is a strong 8", "two stars, generous"
    if told is FeedbackKind.LIKE:
        return told  # "made my kids laugh so hard": the household's delight is the verdict
    if LIKE_FEEDBACK.search(clause) and not THIRD_PERSON_LOVED.search(clause + " "):
        return FeedbackKind.LIKE
    if SEEN.search(clause) or told is FeedbackKind.SEEN:
        return FeedbackKind.SEEN
    return None


# a verdict word right after the item, closing its clause: "independence day seen",
# "boogie nights loved, jackie brown seen", "unforgiven yes, tombstone no", "Schindler's List
# I've seen", "air force one watched already"
_POSTFIX = _rx(
    r"\s*(?:[:=\u2013\u2014-]\s*|,\s*)?(?:(?:i|we)(?:'ve|\s+have)?\s+)?(?:already\s+|also\s+)?"
    r"(?P<verdict>seen|saw|watched|loved|liked|adored|hated|disliked|yes|yep|no|nope|nah|meh)"
    r"(?:\s+(?:it|already|before|both|twice|too|please|pls|from me|thanks))*\s*(?:[.!,;?]|$)"
)
# a rating or a verdict emoji right after the item: "star wars 10/10", "X 4 stars", "T2 \U0001f44d"
_POSTFIX_MARK = re.compile(
    r"\s*(?:[:=\u2013\u2014-]\s*|,\s*)?(?:(?:is|was|'s)\s+)?(?:an?\s+)?(?:(?:solid|strong|easy|firm|hard|"
    r"clear|big|fat|generous|weak)\s+)?(?P<mark>(?:10|\d(?:\.\d)?)\s*(?:/|out\s+of)\s*(?:10|5)\b"
    r"|(?:\d|one|two|three|four|five)\s+stars?\b|[\U0001f44d\U0001f44e\U0001f525\U0001f4a4\u2764"
    r"\U0001f60d\U0001f634\U0001f971\U0001f92e\U0001f4a9\u2714\u2705])",
    re.IGNORECASE,
)
# a mark that opens the clause of the item it goes to: "..., 2/10 for the second"
_MARK_FOR = _rx(r"\s*(?:for|to|goes\s+to|from\s+me\s+(?:for|to))\s+(?!(?:me|us|my|our)\b)")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
# "N/10", "N/5", "N out of 10", "N stars": a score on a scale read as a verdict
_RATING = re.compile(
    r"(?<![\w/.])(?P<n>10|\d(?:\.\d)?)\s*(?:/|\s+out\s+of\s+)\s*(?P<of>10|5)\b(?!\s*/)"
    r"|(?<![\w/.])(?P<stars>[0-5]|one|two|three|four|five)(?:\s*-\s*|\s+)stars?\b"
    r"|\b(?:is|was|'s|’s|=|:)\s+an?\s+(?:(?:solid|strong|easy|firm|clear|generous|weak|hard|low|high|"
    r"big|fat)\s+)(?P<bare>10|[1-9])\b(?!\s*(?:/|%|stars?|hours?|hrs?|mins?|minutes?|years?|yrs?|"
    r"people|of\b|out\b))"
    # a mark the user gives: "I'd give Clueless a 7", "gave it a solid 8" (out of ten)
    r"|\b(?:give|gave|giving|rate|rated|rating|score|scored)\s+(?:[^\W\d][^,;.!?\d]{0,40}?\s+)?"
    r"an?\s+(?:(?:solid|strong|easy|firm|clear|generous|weak|hard|low|high|big|fat)\s+)?"
    r"(?P<given>10|[1-9])(?![\w/.%])(?!\s*(?:stars?|out\b|of\b|/))",
    re.IGNORECASE,
)


# someone else's score ("someone who rated X 5 stars", "my dad gave it a 9"): their taste
_OTHERS_RATED = _rx(
    r"\b(?:people|ppl|fans|folks|everyone|everybody|friends?|someone|somebody|anyone|a person|critics"
    r"|kids|he|she|they|my\s+\w+)\s+(?:who\s+|that\s+)?(?:\w+\s+)?(?:rated|rates|rate|gave|gives"
    r"|give|scored|scores)\b"
)


# a mark that opens the item's own clause: "10/10 for the first", "two stars to Gaslight"
_PREFIX_MARK = re.compile(
    r"(?P<mark>(?<![\w/.])(?:10|\d(?:\.\d)?)\s*(?:/|\s+out\s+of\s+)\s*(?:10|5)"
    r"|(?<![\w/.])(?:[0-5]|one|two|three|four|five)(?:\s*-\s*|\s+)stars?)"
    r"\s+(?:(?:goes|go)\s+)?(?:for|to)\s+(?:the\s+|number\s+|#)?$",
    re.IGNORECASE,
)


def prefix_mark(text: str, pos: int) -> FeedbackKind | None:
    """The score right before an item that it is given to ("10/10 for the first, 2/10 for
    the second"): that item's verdict, whatever other scores the sentence holds."""
    m = _PREFIX_MARK.search(text[max(0, pos - 40) : pos])
    return rating_kind(m.group("mark")) if m else None


def one_per_item(feedback: Sequence[tuple[str, FeedbackKind]]) -> list[tuple[str, FeedbackKind]]:
    """One entry per item (the labelling convention): a verdict wins over having seen it."""
    judged = {i for i, k in feedback if k is not FeedbackKind.SEEN}
    kept = [(i, k) for i, k in feedback if k is not FeedbackKind.SEEN or i not in judged]
    return list(dict.fromkeys(kept))


def rating_kind(text: str) -> FeedbackKind | None:
    """A score the user gives ("a solid 9", "10/10", "two stars", "I'd give X a 7"): out of
    ten, above five is like and five or below dislike (the README's marks rule); out of five
    (stars), four or more is like, two or less dislike, three nothing."""
    m = _RATING.search(text)
    if m is None:
        return None
    if m.group("n"):
        share = float(m.group("n")) / float(m.group("of"))
    elif m.group("stars"):
        raw = m.group("stars").lower()
        share = float(_NUMBER_WORDS.get(raw, raw if raw.isdigit() else 0)) / 5.0
    else:
        share = float(m.group("bare") or m.group("given")) / 10.0
    if share > 1.0:
        return None
    if m.group("stars") or m.group("of") == "5":  # out of five: four or more, two or less
        return FeedbackKind.LIKE if share >= 0.7 else FeedbackKind.DISLIKE if share <= 0.4 else None
    # out of ten (the README's marks rule): above five is like, five or below dislike
    return FeedbackKind.LIKE if share > 0.5 else FeedbackKind.DISLIKE


_EMOJI_KIND = {
    "\U0001f44d": "like", "\U0001f525": "like", "\u2764": "like", "\U0001f60d": "like",
    "\U0001f44e": "dislike", "\U0001f4a4": "dislike", "\U0001f634": "dislike", "\U0001f971": "dislike",
    "\U0001f92e": "dislike", "\U0001f4a9": "dislike", "\u2714": "seen", "\u2705": "seen",
}  # fmt: skip

_POSTFIX_KIND = {
    "seen": "seen", "saw": "seen", "watched": "seen", "loved": "like", "liked": "like", "adored": "like",
    "yes": "like", "yep": "like", "hated": "dislike", "disliked": "dislike", "no": "dislike",
    "nope": "dislike", "nah": "dislike", "meh": "dislike",
}  # fmt: skip


def postfix_verdict(text: str, end: int) -> FeedbackKind | None:
    """The verdict word that follows an item and closes its clause ("jackie brown seen")."""
    m = _POSTFIX.match(text, end)
    if m:
        return FeedbackKind(_POSTFIX_KIND[m.group("verdict").lower()])
    mark = _POSTFIX_MARK.match(text, end)
    if mark is None or _MARK_FOR.match(text, mark.end()):
        return None  # "10/10 for the first, 2/10 for the second": the 2/10 is the second's
    sign = mark.group("mark")
    if _OTHERS_RATED.search(re.split(r"[.!?;]", text[:end])[-1]):
        return None  # "my uncle gave X two stars": his score, not this user's
    if sign in _EMOJI_KIND:
        kind = FeedbackKind(_EMOJI_KIND[sign])
        # "evita \u2714\ufe0f seen": a tick the word after it spells out
        after = postfix_verdict(text, mark.end() + (text[mark.end() : mark.end() + 1] == "\ufe0f"))
        return after or kind
    return rating_kind(sign)


_SARCASM = _rx(r"\bsaid\s+(?:no\s*one|nobody)(?:\s+ever)?\b")
HYPOTHETICAL_LIKE = _rx(
    r"\b(?:what|stuff|things?|the kind|the sort|the ones?)\s+(?:i|we)\s+(?:\w+\s+(?:i\s+)?)?"
    r"(?:like|love|enjoy|liked|loved|enjoyed)\b"
    r"|\b(?:you|u)\s+(?:\w+\s+)?(?:think|thought|reckon|guess|figure)\s+(?:that\s+)?(?:i|we)\s+"
    r"(?:\w+\s+)?(?:like|love|enjoy|want)\b|\bchances?\s+(?:that\s+)?(?:i|we)\s+(?:\w+\s+)?like\b|"
    r"\b(?:would|will|should|might|could)\s+(?:i|we|my \w+)\s+(?:really\s+|actually\s+)?(?:like|love|enjoy)"
    r"|\b(?:i'?d|i would|we'?d)\s+(?:really\s+)?(?:love|like|enjoy)\s+(?:it\s+)?if\b"
    # a like the user denies having stated: "I never said I liked that kind of thing"
    r"|\b(?:never|didn'?t|did not|don'?t|do not|not)\s+(?:\w+\s+)?(?:say|said|tell|told|mention"
    r"|mentioned|claim|claimed)\s+(?:(?:you|u)\s+)?(?:(?:that\s+)?(?:i|we)\s+)?(?:\w+\s+)?"
    r"(?:like|liked|love|loved|enjoy|enjoyed|want|wanted)\b"
)


# "all five", "all of these", "every one of them": the whole list just shown
ALL_SHOWN = _rx(
    r"\ball(?=\s+but\s+(?:the|#|\d))|"  # "I have seen all but the final film"
    r"\b(?:all|each|every(?:\s+single)?)\s+(?:one\s+)?(?:of\s+)?(?:them|these|those|"
    r"(?:the\s+)?(?:two|three|four|five|six|seven|eight|nine|ten|[2-9]|10)\b(?!\s+(?:stars?|times)))"
    # "every one except X", "the whole lot bar the second", "all of 'em"
    r"|\bevery(?:\s+single)?\s+one\b(?!\s+(?:of\s+)?(?:you|us|my|our)\b)|\ball\s+of\s+'?em\b"
    r"|\b(?:the\s+)?(?:whole|entire)\s+(?:list|lot|bunch|set|batch)\b"
)
EXCEPT = _rx(
    r"\b(?:except|exept|excluding|but not|apart from|other than|besides|bar|save)\b|(?<=\ball )but\b"
)
# a turn that is only a verdict on the item in focus: "ooh, lovely", "ugh, no", "nah not this"
_FILLER = (
    r"(?:oh+|o+h+|ah+|wow|yes+|yeah|ya|yep|yup|hmm+|ok|okay|this|that|it|one|so|very|really|just|"
    r"the|totally|absolutely|fr|tbh|honestly|thanks|thank you|actually)"
)
_BARE_LIKE = _rx(
    rf"\W*(?:{_FILLER}\W+)*(?:perfect|lovely|nice|great|amazing|awesome|brilliant|fantastic|"
    rf"gorgeous|beautiful|stunning|superb|love it|love this|yes please)(?:\W+{_FILLER})*\W*"
)
_BARE_DISLIKE = _rx(
    rf"\W*(?:(?:no|nah|nope|ugh|yuck|eww+|meh)\W+(?:{_FILLER}\W+)*(?:no|nah|nope|not\s+(?:this|that|it)"
    rf"(?:\s+one)?|{_FILLER})|(?:{_FILLER}\W+)*not\s+(?:this|that|it)(?:\s+one)?)\W*(?:{_FILLER}\W*)*"
)
# "I love old films": a liking verb with its own object is a taste statement, not feedback
_VERB_WITH_OBJECT = _rx(
    r"\b(?:i|we)\s+(?:\S+\s+)?(?:like|love|enjoy|adore|dig|liked|loved|enjoyed|adored|hate|hated|"
    r"dislike|disliked)\s+(?!(?:it|this|that|them|these|those|one|both|all)\b)[a-z]"
)


def bare_verdict(text: str) -> FeedbackKind | None:
    """A turn that is nothing but a verdict ("ooh, lovely", "ugh, no", "nah not this")."""
    if _BARE_DISLIKE.fullmatch(text):
        return FeedbackKind.DISLIKE
    if _BARE_LIKE.fullmatch(text):
        return FeedbackKind.LIKE
    return None


def implied_feedback(
    text: str,
    feedback: Sequence[tuple[str, FeedbackKind]],
    named: Sequence[tuple[float, str, bool]],
    clauses: Sequence[tuple[int, int]],
    shown: Sequence[str],
    focus: str | None,
) -> list[tuple[str, FeedbackKind]]:
    """Feedback whose item the clause does not name: "seen all of them except the last" (the
    list just shown), "Alien: seen." / "Both terrible." (the items of the clause before), "ugh,
    no" or "I've seen that already" with no item named at all (the item in focus).

    `named` holds (char position, item id, excluded) for every item reference of the turn."""
    out = list(feedback)
    if _SARCASM.search(text):  # "X is exactly what I wanted... said no one ever": a jeer
        mocked = [i for _, i, excluded in named if not excluded] or [i for i, _ in out]
        return list(dict.fromkeys((i, FeedbackKind.DISLIKE) for i in mocked))
    every = ALL_SHOWN.search(text)
    if shown and every:
        kind = feedback_kind(_around(text, every.start(), clauses))
        if kind is not None:
            cut = EXCEPT.search(text, every.end())
            excepted = {i for pos, i, _ in named if cut and pos >= cut.start()}
            out = [(i, k) for i, k in out if i not in excepted]
            out += [(i, kind) for i in shown if i not in excepted]
            return list(dict.fromkeys(out))
    items = [(pos, i) for pos, i, excluded in named if not excluded]
    short = len(text.split()) <= 8
    judged = {i for i, _ in out}
    for start, end in clauses:
        clause = text[start:end]
        inside = [i for pos, i, _ in named if start <= pos < end]
        if inside:  # "nah not this", "this one yes": a bare verdict beside the item
            kind = bare_verdict(clause) if short and not judged.intersection(inside) else None
            out += [(i, kind) for i in inside if kind is not None]
            continue
        if not clause.strip():
            continue
        kind = feedback_kind(clause) or (bare_verdict(clause) if short else None)
        if _VERB_WITH_OBJECT.search(clause) or (named and _POINTS_BACK.search(clause)):
            continue  # a pronoun's clause is `nlu_refs._pronoun_feedback`'s (it keeps both)
        earlier = [(pos, i) for pos, i in items if pos < start]
        if earlier and kind is not None and len(clause.split()) <= 5:
            last = max(earlier)[1]
            if _BOTH.search(clause):
                targets = list(dict.fromkeys(i for _, i in sorted(earlier)))[-2:]
            else:
                targets = [last]
            out = [(i, k) for i, k in out if i not in targets] + [(i, kind) for i in targets]
        elif not named and focus and short:
            kind = kind or bare_verdict(text)
            if kind is not None:
                out.append((focus, kind))
    return list(dict.fromkeys(out))


_POINTS_BACK = _rx(r"\b(?:it|this|that|them|those|these)\b")
_BOTH = _rx(r"\b(?:both|all|each|them)\b")


def _around(text: str, pos: int, clauses: Sequence[tuple[int, int]]) -> str:
    return next((text[a:b] for a, b in clauses if a <= pos < b), text)


# a request built on what the user liked: "I loved X, anything like it?", "what should I watch
# if I loved X", "liked X and Y, what else would suit me?"
ASKS_FOR_MORE = _rx(
    r"\b(?:what else|anything else|something else|(?:anything|something|more|others?|ones?)\s+"
    r"(?:like|similar|in (?:that|the same) (?:spirit|vein|direction|lane|style))|more like"
    r"|(?:find|show|give|get) me (?:more|another|others|something|anything|some)"
    r"|another one|what (?:should|could|would|can) (?:i|we) (?:watch|see|try)|suit me"
    r"|recommend\b|suggest\b|in that (?:spirit|vein|direction|lane)|more in that|more of (?:that|those)"
    r"|same again|(?:others?|ones?|more)\s+like\s+(?:those|these|them|that|it)"
    r"|\b(?:along|on)\s+(?:those|these|that|the\s+same|similar)\s+lines\b"
    r"|\b(?:its|their)\s+(?:cousins?|siblings?|equals?|peers?|kin|relatives?|twins?|ilk)\b"
    r"|same (?:kind|sort|type) please|more of the same|\bin (?:that|this|the same) line\b"
    r"|\bsimilar\s+(?:picks?|ones|films?|movies?|titles?|stuff|things|suggestions?|options?)\b"
    r"|\bsimilar\s*\?|(?:any|got|have you got)\s+(?:\w+\s+)?(?:like|similar to)\s+(?:it|that|them)\b"
    r"|like (?:it|that|them|those|this)\s*(?:[?.!,]|$|from|but|with|please|pls)"
    # a bare call for more: "More please!", "hit me with more", "more of whatever that is"
    r"|(?:^|[.!?,;:]\s*)\W*(?:(?:ok|okay|so|now|then)\W+)?more\s*(?:please|pls|plz|!|$)"
    r"|\b(?:hit|send|throw|bring)\s+(?:me|us)\s+(?:with\s+)?(?:more|some\s+more|others)\b"
    r"|\bmore\s+of\s+(?:whatever|what)\b"
    # the same quality again or a blend of the items named: "anything with that same charm?",
    # "something in between?"
    r"|\b(?:anything|something|ones?|more|others?)\b[^.!?]*\b(?:that|the)\s+same\b"
    r"|\b(?:anything|something|one)\s+(?:(?:somewhere|right)\s+)?in\s+between\b"
    # where to go after the titles named: "Where do I go from here?", "Next?", "now what?"
    r"|\bwhere\s+(?:do|should|can|could)\s+(?:i|we)\s+go\s+(?:from\s+(?:here|there)|next)\b"
    r"|(?:^|[.!?,;:]\s*)\W*(?:next|what(?:'s|\s+is)?\s+next|now\s+what)\s*\?)"
)


def liked_as_taste(
    text: str,
    refs: list[tuple[float, ItemRef]],
    feedback: list[tuple[str, FeedbackKind]],
) -> tuple[list[tuple[float, ItemRef]], list[tuple[str, FeedbackKind]]]:
    """Items the user says they liked in a turn that asks for more like them are taste
    references, not feedback: the convention of the labelled lines (the independent writers
    drop the like in 10 of 12 such lines; the other two were relabelled, see
    `scripts/nlu_taste_only.py`). The session still keeps the title as its taste anchor (a
    taste reference goes to `like_items`); it records no rating the user did not give."""
    taste = {item for item, kind in feedback if kind is FeedbackKind.LIKE}
    if taste and not (asks_for_items(text) or "?" in text):
        # a turn that only gives a verdict ("Big fan of X", "we both adored it") names its
        # item as the thing judged, not as a taste reference (README convention 2)
        refs = [
            (pos, ItemRef(r.item_id, TitleRole.SUBJECT, r.text))
            if r.role is TitleRole.TASTE and r.item_id in taste
            else (pos, r)
            for pos, r in refs
        ]
        return refs, feedback
    if not taste or not ASKS_FOR_MORE.search(text):
        return refs, feedback
    anchored = {
        r.item_id for _, r in refs if r.item_id in taste and r.role is not TitleRole.EXCLUDE
    }
    refs = [
        (pos, ItemRef(r.item_id, TitleRole.TASTE, r.text)) if r.item_id in anchored else (pos, r)
        for pos, r in refs
    ]
    feedback = [(i, k) for i, k in feedback if not (k is FeedbackKind.LIKE and i in anchored)]
    return refs, feedback


# a turn that also asks for items: "loved X, anything like it?", "show me more"
ASKS_ITEMS = _rx(
    r"\b(?:recommend\w*|suggest\w*|show me|find me|give me|looking for|i want|i'd like|"
    r"in the mood|something|anything|others?|another|more of|instead|what should (?:i|we))\b"
)


def asks_for_items(text: str) -> bool:
    """True when the turn also asks for items ("loved it, anything similar?")."""
    return bool(ASKS_FOR_MORE.search(text) or ASKS_ITEMS.search(text))


# the user's own people: a household member's delight in an item, told in a turn that asks
# for nothing, is the household's verdict ("my daughter adores babe", "the kids adored it");
# in a turn that asks for more it is their taste ("my dad loved X, what else?")
KIN = (
    r"(?:wife|husband|hubby|missus|partner|other\s+half|girlfriend|boyfriend|fianc[eé]e?|kids?"
    r"|kiddos?|children|child|bairns?|weans?|little\s+ones?|son|daughter|boys|girls|teen(?:ager)?s?"
    r"|family|mum|mom|dad|mother|father|parents|folks|sister|brother|siblings?|gran|nan|grandma"
    r"|grandpa|grandad|grandparents|grandson|granddaughter|flatmate|housemate|roommate"
    # the same kin in the family's own words: "my mama", "our nana", "my missus"
    r"|mama|mamma|mammy|mummy|mommy|momma|ma|papa|pappa|pops|daddy|da|granny|nana|nanna|nanny"
    r"|grandmother|grandfather|gramps|grams|auntie|aunty|aunt|uncle|cousin|niece|nephew"
    r"|fiance|spouse|sis|bro)"
)
_HOUSEHOLD_LOVED = _rx(
    rf"\b(?:(?:my|our)\s+(?:(?:\w+|\d+-year-old)\s+)?|the\s+){KIN}(?:\s+(?:both|all))?\s+"
    r"(?:(?:really|absolutely|just|totally|all|both)\s+)?(?:loved|adored|adore|adores|love|loves"
    r"|enjoyed|liked|(?:thought|found)\s+(?:it|that|this|them)\s+(?:was\s+|were\s+)?"
    r"(?:(?:so|really|just)\s+)?(?:great|brilliant|amazing|fantastic|wonderful|lovely|hilarious"
    r"|superb|ace|fab|perfect))\b(?!\s+(?:to|if|when|how)\b)"
    # devotion told of the item later in the kin's own clause: "my sister has the brown pea
    # coat and swears by it", "my dad owns it and won't stop wearing it"
    rf"|\b(?:my|our)\s+(?:(?:\w+|\d+-year-old)\s+)?{KIN}\b[^.!?;,]*?\b(?:swears?\s+by"
    r"|swore\s+by|loves?|adores?|lives?\s+in|won'?t\s+stop\s+(?:wearing|watching))\s+"
    r"(?:it|them|that|this)\b"
)
# the kin said earlier, their delight told by a pronoun: "my mama watched the second one a
# hundred times, she loves it"
_KIN_NAMED = _rx(rf"\b(?:my|our)\s+(?:(?:\w+|\d+-year-old)\s+)?{KIN}\b")
_PRONOUN_LOVES = _rx(
    r"\b(?:she|he|they)\s+(?:(?:really|absolutely|just|totally|still|all|both)\s+)?(?:loves?"
    r"|adores?|swears?\s+by|can'?t\s+get\s+enough\s+of)\s+(?:it|them|that|this)\b"
)


def household_like(clause: str, text: str) -> bool:
    """True when the clause tells a household member's delight in its item and the turn
    asks for nothing (no item request, no question)."""
    if HYPOTHETICAL_LIKE.search(clause):
        return False
    if not _HOUSEHOLD_LOVED.search(clause):
        told = _KIN_NAMED.search(clause) and _PRONOUN_LOVES.search(text, text.find(clause) + 1)
        if not told:
            return False
    return not (asks_for_items(text) or "?" in text)


# "Parasite is the best film I've ever seen": a capitalised name opening the turn as the
# subject of a verdict (case-sensitive: the name's words are capitalised as typed)
_SUBJECT = re.compile(
    r"\W*['\"\u201c\u2018]?((?:[A-Z0-9][\w'\u2019:&.-]*)(?:\s+(?:[A-Z0-9][\w'\u2019:&.-]*|of|the|a|and|in|"
    r"on|to))*?)['\"\u201d\u2019]?\s+(?i:is|was|blew|bored|made|left|put|gave)\b"
)
_NOT_A_NAME = frozenset(
    {"i", "it", "this", "that", "these", "those", "there", "here", "he", "she", "they", "we"}
    | {"you", "everything", "anything", "nothing", "something", "everyone", "all", "both"}
    | {"none", "each", "which", "what", "who", "why", "how", "one", "mine", "yours", "ours"}
)


def unknown_subject(text: str) -> tuple[str, int, int] | None:
    """The name that opens a verdict turn ("Parasite is the best film I've ever seen",
    "Shrek was dreadful") with its span, for the caller to check against the catalog; None
    when the turn opens otherwise or its first clause judges nothing."""
    m = _SUBJECT.match(text)
    if m is None or m.group(1).split()[0].lower() in _NOT_A_NAME or len(m.group(1)) < 2:
        return None
    clause = re.split(r"[.;!?]|\bbut\b", text[m.end(1) :], maxsplit=1)[0]
    kind = feedback_kind(clause)
    if kind not in (FeedbackKind.LIKE, FeedbackKind.DISLIKE):
        return None
    return m.group(1), m.start(1), m.end(1)


# what may stand between items of one group ("X, Y and Z were great"): they share a verdict
_GROUPED = _rx(r"(?:\s|,|&|\+|/|\band\b|\bor\b|\bthe\b|\bboth\b|\bplus\b)*")
_CUT = re.compile(r"[,;:\u2013\u2014]|\s-\s")


def own_clause(
    text: str, bounds: tuple[int, int], span: tuple[int, int], others: Sequence[tuple[int, int]]
) -> str:
    """The words of a clause (`bounds`) about the item at `span`: cut at the last comma
    before a neighbouring item that is not grouped with it, so "clerks was hilarious, swingers
    not so much" gives each item its own verdict; "X and Y, both great" stays whole."""
    left, right = bounds
    start, end = span
    for o_start, o_end in others:
        if left <= o_end <= start:
            gap = text[o_end:start]
            cuts = list(_CUT.finditer(gap))
            if cuts and not _GROUPED.fullmatch(gap):
                left = max(left, o_end + cuts[-1].end())
        elif end <= o_start < right:
            gap = text[end:o_start]
            cuts = list(_CUT.finditer(gap))
            if cuts and not _GROUPED.fullmatch(gap):
                right = min(right, end + cuts[-1].start())
    return text[left:right]
