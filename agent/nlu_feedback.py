"""First-person feedback on an item in a turn: seen, disliked or liked.

Split from `agent.nlu_refs` (which finds the items a turn names); these patterns read the
verb or judgement that governs an item's clause ("loved it", "couldn't stand X", "X was
too slow for me", "I already own the grey fleece") and tell the user's own feedback from
other people's taste ("my dad loved X") and from a hypothetical ("would I like it?").
"""

from __future__ import annotations

import re

from agent.parse import FeedbackKind

__all__ = [
    "DISLIKE_FEEDBACK",
    "HYPOTHETICAL_LIKE",
    "LIKE_FEEDBACK",
    "SEEN",
    "THIRD_PERSON_LOVED",
    "FeedbackKind",
    "feedback_kind",
]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


THIRD_PERSON_LOVED = _rx(
    r"\b(people|ppl|fans|folks|everyone|everybody|friends?|users|viewers|critics|others|those|guys|gals|audiences?|someone|somebody|anyone|a person|kids|children|he|she|they|my (wife|husband|partner|sister|brother|mom|mum|dad|father|mother|friends?|kids?|son|daughter|girlfriend|boyfriend|roommate|colleagues?|family|parents))\b[^.!?;]*\b(loved|liked|enjoyed|adored|raved about|rave about|love|loves|like|likes|enjoy|enjoys|adore|adores|went crazy for|dig|digs|dug)\s+['\"“‘]?$"
)
LIKE_FEEDBACK = _rx(
    r"\b(i|we)\s+(really\s+|also\s+|absolutely\s+|truly\s+|totally\s+|do\s+)?(liked|loved|enjoyed|adored|like|love|enjoy|adore|dig|dug)\b|\bthumbs? up\b|\U0001f44d|\b(great|awesome|perfect|excellent|good|nice) (pick|choice|one|call)\b|\b(was|is|looks|looked|seems|'s) (so |really |just |pretty |absolutely )?(great|amazing|awesome|fantastic|brilliant|wonderful|excellent|spot on|gorgeous|beautiful|stunning|lovely|superb|fab|fabulous)\b|\b(slaps|rocks|pretty good|10/10)|\bfavou?rites?\b|\b(?:was|is)\s+(?:a\s+|an\s+)?(?:absolute\s+|real\s+)?masterpiece\b|^\s*(?:(?:oh|ah|wow|yeah|yes|really|so|just|totally|absolutely)\s+)*(?:loved|love|adored|adore|enjoyed|liked|dug)\s+(?:it|that|this|them|those|the)\b"
    r"|\b(?:loved|liked|enjoyed|adored)\s+(?:them\s+)?(?:both|all|each)\b"
    # a verdict after "is/was": "X was terrific", "X is a delight", "it's a gem", "X = great film"
    r"|(?:\b(?:is|was|were|are)|'s|’s|=)\s+(?:(?:so|really|just|truly|pure|an?|absolute|"
    r"absolutely|actually|genuinely|real|total)\s+)*(?:ace|terrific|incredible|outstanding|phenomenal|"
    r"sublime|magnificent|marvell?ous|delightful|delight|riot|gem|"
    r"(?:great|excellent|brilliant|fantastic|amazing|superb|lovely)\s+(?:film|movie|flick|watch|"
    r"jacket|coat|buy|fit))\b"
    r"|^\s*(?:great|excellent|brilliant|fantastic|amazing|superb|lovely)\s+(?:film|movie|flick|"
    r"watch|jacket|coat)\b"
    r"|\b(?:exactly|just|totally|so)\s+my\s+(?:style|thing|taste|type)\b|\bobsessed with\b"
    r"|\b(?:is|was|'s)\s+my\s+(?:comfort|go-to|all-time)\b"
)
DISLIKE_FEEDBACK = _rx(
    r"\b(didn'?t|did not|don'?t|do not)\s+(really\s+)?(like|enjoy|love|care for|dig)\b|\b(hated|hate|disliked|dislike|not for me|boring|awful|terrible|meh|not a fan|wasn't a fan|was bad|sucked|sucks|stinks|overrated|ugly|dull|rubbish|not (?:really |very |too |that |so )?(?:keen on|into|my (?:thing|style|taste|cup of tea)))\b|\bthumbs? down\b|\U0001f44e"
    r"|\b(?:couldn'?t|could not|can'?t|cannot)\s+(?:stand|bear|stomach|sit through)\b"
    r"|\btoo\s+\w+\s+for\s+(?:me|my taste|my liking)\b|\b(?:hated|disliked)\s+(?:them\s+)?(?:both|all)\b"
    # a verdict after "is/was": "X was dreadful", "that one's a bore", "it is hideous"
    r"|(?:\b(?:is|was|were|are)|'s|’s|=)\s+(?:(?:so|really|just|pretty|truly|an?|absolute|"
    r"absolutely|actually|kinda|total)\s+)*(?:dreadful|hideous|horrible|trash|garbage|mid|bore|"
    r"snooze|slog|letdown|tedious|unwatchable|painful|disappointing|a no)\b"
    r"|\b(?:isn'?t|wasn'?t|is not|was not)\s+(?:really\s+)?(?:my\s+(?:thing|style|taste|type|"
    r"cup of tea)|for me)\b|\bnever suits? me\b|\bnot feeling\b|\bbored me\b"
    r"|\b(?:couldn'?t|could not|can'?t)\s+get through\b"
)
SEEN = _rx(
    r"^\s*(?:(?:i|we|i've|we've|ive|weve|i have|we have)\s+)?(?:already\s+)?(?:seen|saw|watched|own|owned|bought)\b|\b(?:i|i've|i have|we|we've)\s+(?:already\s+)?(?:own|bought|purchased)\b|\b(?:got|have|own|bought)\s+(?:it|that|this|them|those)(?:\s+one)?\s+already\b|\balready\s+(?:bought|got|purchased)\b|\b(?:i|we)\s+(?:already\s+)?(?:have|own|got)\s+(?:the|that|this|those|these)\b[^.!?;]*\balready\b|\b(watched|saw|seen)\b[^.!?;]*\balready\b|\b(already (seen|watched|read|saw|have|own)|(i've|i have|i had|we've|i) (seen|watched|read|own) (it|that|this|them|those|the|it already)|seen (it|that|this|them|those) (already|before)|saw (it|that|this) already|(i've|i have|we've) (already )?(seen|watched))\b"
)


def feedback_kind(clause: str) -> FeedbackKind | None:
    """First-person feedback in a clause: seen, disliked or liked (in that precedence); a
    question whether the user would like it ("why would I like it") reports nothing."""
    if HYPOTHETICAL_LIKE.search(clause):
        return None
    if SEEN.search(clause):
        return FeedbackKind.SEEN
    if DISLIKE_FEEDBACK.search(clause):
        return FeedbackKind.DISLIKE
    if LIKE_FEEDBACK.search(clause) and not THIRD_PERSON_LOVED.search(clause + " "):
        return FeedbackKind.LIKE
    return None


HYPOTHETICAL_LIKE = _rx(
    r"\b(?:would|will|should|might|could)\s+(?:i|we|my \w+)\s+(?:really\s+|actually\s+)?(?:like|love|enjoy)"
    r"|\b(?:i'?d|i would|we'?d)\s+(?:really\s+)?(?:love|like|enjoy)\s+(?:it\s+)?if\b"
)
