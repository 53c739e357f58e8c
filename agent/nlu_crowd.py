"""Fame said as who has met the item: "that few remember", "titles people have heard of".

People rarely name fame with a fame word; they say how many people saw, bought or talk
about the thing they want. This reads that as a small grammar rather than a list of
sentences: a quantifier of people (few / hardly anyone / not every bloke at the office on the
few side; most people / everyone / the whole office on the many side) with its modifiers, the
auxiliaries and adverbs after it, an optional negation, and an exposure verb (seen, rated,
bought, picked, talks about, remembers, owns) or an inverse one (forgot, skipped, ignored).
The direction is the product of the three signs: many x seen = up, few x seen = down,
"hasn't" or "forgot" flips it. The verb must end its clause or leave its object as a gap
("the film few remember _"): a verb with an object ("everyone has seen it", "people watched
<a title>") speaks about a known item, not about what is wanted. A passive ("seen by
millions", "known to few") reads the same quantifier after "by" / "to".
"""

from __future__ import annotations

import re

from agent.parse import Direction

# Nouns for groups of people: a closed lexical class (persons and their plural roles).
_PEOPLE = (
    r"(?:people|persons|peeps|folks?|ppl|viewers|watchers|moviegoers|filmgoers|cinemagoers"
    r"|audiences?|buyers|shoppers|customers|users|guys|men|women|kids|teens|teenagers"
    r"|friends|mates|pals|colleagues|co-?workers|blokes|lads|girls|dudes|humans|others"
    r"|critics|fans|families|parents|students)"
)
_DET = r"(?:the|my|our|his|her|their|your|that|this|a)"
_AUX_WORD = (
    r"(?:has|have|had|will|would|could|might|may|must|did|does|do|is|are|was|were|can|should)"
)
# who the people are: "at the office", "in my friend group", "I know", "and their cousin"
_MOD = (
    r"(?:\s+(?:(?:at|in|from|on|of)\s+(?:"
    + _DET
    + r"\s+)?[a-z]+(?:\s+(?!"
    + _AUX_WORD
    + r"\b)[a-z]+)?"
    r"|(?:i|we|you)\s+know|(?:and|&)\s+(?:their|his|her)\s+[a-z]+|else|alive|nowadays"
    r"|these\s+days|today|out\s+there))"
)
_FEW = (
    r"(?P<few>(?<!\ba\s)(?<!\bquite a\s)(?:(?:very|so|too|only|relatively|precious)\s+(?:a\s+)?)?"
    r"few(?:er)?(?:\s+" + _PEOPLE + r"|\s+of\s+(?:us|them|my\s+" + _PEOPLE + r"))?"
    r"|(?:hardly|barely|scarcely|almost)\s+(?:any(?:one|body|\s+" + _PEOPLE + r")"
    r"|no(?:body|-one|\s+one))"
    r"|no(?:body|-one|\s+one)|no\s+" + _PEOPLE + r""
    r"|not\s+(?:(?:that|too|so|very)\s+)?(?:many|a\s+lot\s+of|lots\s+of)(?:\s+" + _PEOPLE + r")?"
    r"|not\s+every(?:one|body|\s+(?:single\s+)?[a-z]+)"
    r"|not\s+all\s+(?:the\s+|my\s+|of\s+my\s+)?" + _PEOPLE + r")"
)
_TIME = r"(?:time|day|week|month|year|night|now|so|once|other|single\s+time|season|weekend)"
_MANY = (
    r"(?P<many>every(?:one|body)|every\s+(?!" + _TIME + r"\b)(?:single\s+)?[a-z]+"
    r"|(?:the\s+)?most\s+" + _PEOPLE + r"|most\s+of\s+(?:us|my\s+" + _PEOPLE + r"|the\s+world)"
    r"|(?:so\s+|too\s+)?many\s+"
    + _PEOPLE
    + r"|(?:lots|loads|tons|plenty|a\s+lot)\s+of\s+"
    + _PEOPLE
    + r"|more\s+"
    + _PEOPLE
    + r"|all\s+(?:of\s+)?(?:my|our)\s+"
    + _PEOPLE
    + r"|(?<!\bthe\s)(?<!\bsome\s)(?<!\bwhich\s)(?<!\bwhat\s)"
    r"(?:people|ppl|folks)"
    r"|the\s+(?:masses|public|general\s+public|whole\s+(?:world|planet|[a-z]+)|world|crowd)"
    r"|half\s+(?:the\s+)?(?:world|planet|internet|country|town|office|school)"
    r"|millions(?:\s+of\s+" + _PEOPLE + r")?"
    r"|\ban?\s+(?:(?:normal|regular|average|typical|casual)\s+)?(?:person|teenager"
    r"|normie|layman|layperson|viewer|moviegoer|shopper)(?:\s+today)?)"
)
_AUX = (
    r"(?:\s*'(?:s|ve|d|ll)|\s+(?:has|have|had|will|would|could|might|may|must|did|does|do|is"
    r"|are|was|were|can|should|wo|ca|ha(?:s|ve))(?P<nt>n'?t)?|\s+(?:got|gonna|be|been))"
)
_ADV = (
    r"(?:\s+(?:already|actually|ever|really|even|probably|all|yet|still|also|honestly|truly"
    r"|genuinely|likely|usually|typically|normally|always|properly|definitely|seem(?:s|ed)?\s+to"
    r"|tend(?:s|ed)?\s+to|(?P<not>not|never)))"
)
# having met the item (+) or having passed it by (-)
_SEEN = (
    r"(?P<seen>se(?:e|es|en)|saw|watch(?:ed|es|ing)?|view(?:ed|s)?|hear(?:d|s)?\s+of"
    r"|kn(?:ow|ows|ew|own)(?:\s+about)?|rated|review(?:ed|s)?|b(?:ought|uys?|uying)"
    r"|pick(?:ed|s|ing)?|ch(?:ose|osen|ooses?|oosing)|own(?:ed|s)?"
    r"|(?:ha(?:s|ve)(?:\s+got)?|got)(?=\s*(?:$|[,.;:!?)]|(?:and|but|or|eh|lol|though)\b))"
    r"|wear(?:s|ing)?|wore|worn|go(?:es|ing)?\s+for|went\s+for"
    r"|(?:go(?:es|ing)?|went|gone)\s+(?:out\s+)?to\s+(?:see|watch)|turn(?:s|ed)?\s+up\s+(?:for|to)"
    r"|(?:talk|rav|writ|rant|post|tweet)(?:s|ed|ing|e|es)?\s+about|remember(?:s|ed)?"
    r"|recall(?:s|ed)?|recogni[sz](?:e|es|ed)|grew\s+up\s+(?:with|on)|quot(?:e|es|ed|ing)"
    r"|cit(?:e|es|ed|ing)|queu(?:e|ed|es)(?:\s+[a-z]+){0,3}\s+for|lined\s+up\s+for"
    r"|discover(?:ed|s)?|notic(?:e|ed|es)|c[oa]me\s+across|stumbled\s+(?:up)?on)"
)
_PASSED = (
    r"(?P<passed>forg[eo]t(?:ten|s)?(?:\s+about)?|skipp?(?:ed|s)?|ignor(?:ed|es|e)"
    r"|miss(?:ed|es)?|overlook(?:ed|s)?|pass(?:ed|es)?\s+(?:over|on|by)|sle(?:pt|eps?)\s+on)"
)
# the object left as a gap: the clause ends, or goes on with no object of its own
_GAP = (
    r"(?!\s{2})(?=\s*(?:$|[,.;:!?)(\-–—~]|(?:yet|already|before|anymore|any\s?more|today|now"
    r"|these\s+days|nowadays|lately|either|too|also|eh|though|tho|lol|haha|please|pls|plz"
    r"|and|but|or|so|because|cause|at|in|on|as|from|for|since|when|which|if|back|growing"
    r"|over|around|i|we|ever|much|about|then|like|rn|btw|ok|okay|there|here|right|yet"
    r"|fondly|well|vividly|clearly|best|most|to\s+this\s+day"
    r"|\d)\b))"
)
# or the object is the list on screen, a complaint that asks for the other end: "everyone and
# their dog has seen these" wants less known ones, "nobody has heard of those" better known
_LIST = r"|\s+(?P<list>these|those|all\s+(?:of\s+)?(?:these|those|them)|every\s+one\s+of\s+these)\b"
CROWD = re.compile(
    r"\b(?:" + _FEW + r"|" + _MANY + r")" + _MOD + r"{0,2}" + _AUX + r"{0,3}" + _ADV + r"{0,3}"
    r"\s+(?:" + _SEEN + r"|" + _PASSED + r")\b(?:" + _GAP + _LIST + r")",
    re.IGNORECASE,
)
# the passive: "seen by millions", "not known to many", "forgotten by most people"
PASSIVE = re.compile(
    r"\b(?P<not>not\s+|never\s+)?(?:(?P<seen>seen|watched|viewed|known|heard\s+of|bought|worn"
    r"|owned|rated|picked|chosen|remembered|talked\s+about|loved)|(?P<passed>forgotten|ignored"
    r"|overlooked|skipped|missed))\s+(?:by|to)\s+(?:" + _FEW + r"|" + _MANY + r")\b",
    re.IGNORECASE,
)


# a negation earlier in the clause governs the noun the clause describes: "not the famous
# ones everyone quotes", "isn't one of the ones everybody cites"
_CLAUSE_START = re.compile(
    r"(?:^|[,.;:!?()]|\b(?:but|and|or|so)\b)(?!.*(?:[,.;:!?()]|\b(?:but|and|or|so)\b))", re.I | re.S
)
_NEGATED_BEFORE = re.compile(
    r"(?:\bnot|\b[a-z]+n't|\b(?:do|does|did|is|are|was|were|wo|ca|could|would|should|have|has"
    r"|had)nt|\bno|\bnothing|\bnone|\bexcept|\bother\s+than|\bapart\s+from"
    r"|\brather\s+than|\binstead\s+of)\b",
    re.IGNORECASE,
)


def crowd_direction(m: re.Match[str]) -> Direction:
    """The sign of few/many x met/passed-by x negation, as a fame direction."""
    sign = -1 if m.group("few") else 1
    before = m.string[: m.start()]
    start = _CLAUSE_START.search(before)
    if _NEGATED_BEFORE.search(before[start.end() if start else 0 :]):
        sign = -sign
    if m.group("passed"):
        sign = -sign
    negations = sum(1 for g in ("nt", "not", "list") if g in m.re.groupindex and m.group(g))
    if negations % 2:
        sign = -sign
    return Direction.UP if sign > 0 else Direction.DOWN


def crowd_hits(text: str) -> list[tuple[int, int, Direction]]:
    """Every quantifier-of-people + exposure-verb clause in `text`, with its direction."""
    return [
        (m.start(), m.end(), crowd_direction(m))
        for rx in (CROWD, PASSIVE)
        for m in rx.finditer(text)
    ]
