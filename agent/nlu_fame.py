"""Popularity wishes in a turn: "lesser-known", "a blockbuster", "these are all so famous".

Split from `agent.nlu_numbers` (which reads years, prices and relative moves) along the one
seam the two share nothing across: fame is a direction on the catalog's popularity column
(or the logged counts), never a number. A fame word is read with what governs it: a
negation ("not one of the famous ones"), a complaint about the list ("these are too
mainstream"), or a word that asks for fewer of them ("fewer of the famous ones", "if they
weren't all so famous"), which all want the other end; "lesser-seen" / "less watched" are
comparatives of being seen, so they want the less known too.
"""

from __future__ import annotations

import re

from agent.nlu_crowd import crowd_hits
from agent.parse import Direction


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Popularity wishes: the catalog's popularity column when it has one, else the logged counts.
POPULARITY: tuple[tuple[re.Pattern[str], Direction], ...] = (
    (  # fewer of the fame word: "fewer of the really famous ones", "less of the blockbusters"
        _rx(
            r"\b(?:fewer|less|too many|so many|not so many|enough|no more|cut down on|cut back on)"
            r"\s+(?:of\s+)?(?:the\s+|these\s+|those\s+|all\s+the\s+|all\s+these\s+)?"
            r"(?:(?:really|very|so|super|big|huge|massive|[a-z]+ly)[\s-]+)*"
            r"(?:famous|popular|well[\s-]?known|mainstream|obvious|blockbusters?|hits?|big names?"
            r"|crowd[\s-]?pleas(?:ers?|ing))\b"
        ),
        Direction.DOWN,
    ),
    (  # less of being seen: "lesser-seen", "less watched", "rarely seen", "seldom heard of"
        _rx(r"\b(?:lesser|less|least|rarely|seldom)[\s-](?:seen|watched|viewed|heard[\s-]of)\b"),
        Direction.DOWN,
    ),
    (
        _rx(
            r"\b(less (popular|famous|celebrated|renowned|hyped|mainstream|well[\s-]?known|obvious|known|common)|uncommon|lesser[\s-]?known|(nothing|not|no|\w*n't|(?:is|are|was|were|do|does|did|would|could|should|wo|ca|have|has|had)nt|except|other than|apart from|opposite of)[\s-](?:(?:want|like|need|fancy|love|care for) )?(?:(?:anything|something|stuff|any) (?:that's |that is |too )?)?(?:(?:one|any|some|none) of )?(the |an? |those |these )?((?:so|very|too|that|this|really|big|huge|massive|giant|smash|mega|super|all|such|as|quite|[a-z]+ly)[\s-])*(well[\s-]?known|famous|celebrated|renowned|popular|mainstream|common|hits?|blockbusters?|crowd[\s-]?pleas(?:ers?|ing))(?:\s+(?:hits?|blockbusters?|classics?))?|little[\s-]known|obscure|hidden gems?|gems?|underrated|under[\s-]?appreciated|overlooked|niche|cult|too (popular|mainstream|obvious|famous|well[\s-]?known)|(?:under|off)[\s-](?:(?:the|my|our|your|their|most|many|\w+(?:'s|s'))[\s-]){1,2}radar|rarer|rarest|off the beaten (path|track)|(?<!fair )(?<!good )(?<!quite a )few(?:er)? (?:people|ppl|folks) (have )?(seen|know|heard of)|nobody (has )?(seen|knows)|(?:nobody|no one) else(?: \w+){0,3} (?:will )?(?:have|has|own|owns|wear|wears|buy|buys)|not many (?:people|ppl|folks)|deep cuts?|rare finds?|unknown ones?|less obvious|not the obvious|unfamiliar|not (?:very |that |so |too )?familiar|(?:it'?s|is|was|pretty|fairly|relatively|largely|mostly|low[\s-]?key|kinda|basically|virtually)\s+unknown)\b"
        ),
        Direction.DOWN,
    ),
    (  # heard of by few: "most people haven't heard of", "I wouldnt have heard of", "nobody's
        # heard of" (not "never heard of <a title>", blanked to spaces, or "of it")
        _rx(
            r"\b(?:(?:nobody|no one|no-one|few people|few|(?:hardly|barely|scarcely) any(?:one|body))"
            r"(?:'s| has| have| had| will have)?"
            r"|\w+n'?t|not|never)\s+(?:(?:have|ever|yet|even|really|probably|all|likely|already)\s+)*"
            r"heard\s+of\b(?!\s\s|\s+(?:it|them|him|her|these|those)\b"
            r"|\s+(?:this|that)\s+(?:one|film|movie)\b)"
        ),
        Direction.DOWN,
    ),
    (  # fame denied to the many: "not everyone has", "nobody's talking about" (rarer forms are
        # split, "talk(?:s)", so that `nlu_typos` takes no new cue word from them: "talky")
        _rx(
            r"\bnot\s+(?:every(?:one|body)|all\s+(?:the\s+)?(?:people|folks))(?:'s)?\s+"
            r"(?:(?:already|has|have|is|got)\s+)*"
            r"(?:has|have|got|seen|heard\s+of|knows?|owns?|wears?|buys?|watched|wear(?:ing))\b"
            r"|\b(?:nobody|no one|no-one|not many (?:people|folks))(?:'s| is| are)?\s+"
            r"(?:(?:really|even|ever)\s+)?(?:talk(?:s|ing|ed)|rav(?:ing)|writ(?:ing))\s+about\b"
        ),
        Direction.DOWN,
    ),
    (  # success nouns (a lexical class): "a big comedy hit", "the biggest thriller hits", "a
        # box-office smash", "household names"; a genre may sit before the noun, a verb may not
        _rx(
            r"\b(?:big(?:ger|gest)?|huge|massive|major|smash|mega|monster|runaway|surprise"
            r"|summer|box[\s-]?office|chart[\s-]topping)\s+"
            r"(?:(?!(?:that|which|who|and|but|to|me|it|will|would|can|could)\b)[a-z]+[\s-]+){0,2}?"
            r"(?:hits?\b(?!\s+(?:me|the|it|him|her|us|them|home|hard|on|a)\b)|blockbusters?\b)"
            r"|\b(?:a|the|big|huge|massive|total|real|box[\s-]?office|summer|surprise)\s+smash"
            r"(?:[\s-]hits?|es)?\b"
            r"|\bbox[\s-]?office\s+(?:smash(?:es)?|hits?|success(?:es)?|gold|champs?|winners?"
            r"|giants?|draws?|records?|sensations?|favou?rites?|darlings?|kings?)\b"
            r"|\b(?:huge|big|massive|well|great|topp?(?:ed)?|ruled|dominated)\s+(?:in|at)\s+the"
            r"\s+box[\s-]?office\b"
            r"|\b(?:household[\s-]names?|big(?:ger|gest)?[\s-]names?|(?:crowd|audience)[\s-]favou?rites?"
            r"|(?:well|much)[\s-]loved|canonical|(?:more|most)\s+common|commonest"
            r"|chart[\s-]toppers?|more[\s-]known"
            r"|(?:very|widely|instantly|super|really|pretty)[\s-]familiar|familiar to (?:every|most|all)"
            r"|(?:a|one|something|something that's)\s+(?:proper\s+|real\s+|really\s+|pretty\s+)?big\s+one)\b"
            # earnings said as a verb phrase: "the ones that made a fortune", "raked it in"
            r"|\b(?:made|make|makes|making|earned|grossed|took)\s+(?:a\s+(?:fortune|killing|mint"
            r"|packet|bomb)|(?:a\s+)?(?:millions|billions|bank)|(?:loads|tons|lots|heaps|a\s+lot)"
            r"\s+of\s+(?:money|cash))\b|\braked\s+(?:it\s+)?in\b"
            r"|(?<![\w-])(?<![\w-]\s)known\s+(?:ones|titles|films|movies|names|picks|stuff)\b"
        ),
        Direction.UP,
    ),
    (  # obscurity words (a lexical class): "buried treasures", "deeper cuts", "something rare",
        # "flew under the radar", "a bit forgotten", "less well trodden", "a box-office flop"
        _rx(
            r"\b(?:buried|hidden|undiscovered|forgotten|lost|unsung|secret|overlooked|neglected)\s+"
            r"(?:treasures?|gems?|classics?|jewels?|pearls?|finds?|masterpieces?|favou?rites?)\b"
            r"|\bdeep(?:er|est)?[\s-]cuts?\b"
            r"|(?<!medium\s)(?<!medium-)(?<!\bthe\s)\brar(?:e|ity|ities)\b(?!\s+(?:treats?|occasions?|chances?"
            r"|moments?|nights?|evenings?|days?|weekends?|times?|steaks?|breeds?|conditions?"
            r"|diseases?)\b)"
            r"|\b(?:flew|flown|fly|flying|slipped|slip|went|gone|passed)\s+(?:right\s+)?"
            r"(?:past|by|under|below|off)\s+(?:the\s+|my\s+|most\s+)?(?:general\s+)?"
            r"(?:public|audiences?|crowds?|mainstream|radar|people)\b"
            r"|\b(?:under[\s-]?(?:seen|watched|viewed|valued)|unsung|little[\s-](?:seen|watched)"
            r"|unheard[\s-]of|slept[\s-]on|less[\s-](?:well[\s-])?trodden|untrodden"
            r"|obscur(?:er|est))\b"
            r"|\b(?:the|a\s+bit|a\s+little|largely|mostly|half|somewhat|long|kind\s+of|kinda"
            r"|rather|all\s+but)[\s-]forgotten\b|\bforgotten\s+(?:ones?|films?|movies?|titles?)\b"
            r"|\b(?:bit|little|kinda|somewhat|relatively|fairly|pretty|largely|mostly|virtually"
            r"|practically)\s+unknown\b"
            r"|\bsmall(?:er)?\s+(?:ones|films?|movies?|pictures?|releases?|productions?)\b"
            r"|\b(?:commercial|box[\s-]?office)\s+(?:flops?|bombs?|failures?|disappointments?"
            r"|duds?|disasters?)\b|\b(?:is|are|'s|'re)(?:n't|nt|\s+not)\s+everywhere\b"
        ),
        Direction.DOWN,
    ),
    (  # had enough of the famous: "I've seen all the obvious ones", "exhausted the usual ones"
        _rx(
            r"\b(?:seen|watched|done|exhausted|tired\s+of|sick\s+of|bored\s+(?:of|with))\s+"
            r"(?:(?:all|most|every\s+one)\s+)?(?:of\s+)?the\s+(?:obvious|usual|famous|popular"
            r"|big|well[\s-]?known|mainstream)(?:\s+(?:ones?|picks?|choices?|titles?|films?"
            r"|movies?|suspects?))?\b"
        ),
        Direction.DOWN,
    ),
    (  # a film that cost a lot: "big budget", "big-budget"
        _rx(r"\b(?:big|huge|massive|high|large|enorm(?:ous))[\s-]budget\b"),
        Direction.UP,
    ),
    (  # who knows the list: "everybody knows these" wants less known ones
        _rx(
            r"\b(?:every(?:one|body)|all the world)(?:'s| has| have)?\s+(?:already\s+)?"
            r"(?:knows?|seen|heard of)\s+(?:these|those|all of (?:these|them|those))\b"
        ),
        Direction.DOWN,
    ),
    (  # "nobody's heard of these" wants better known ones
        _rx(
            r"\b(?:nobody|no one|no-one)(?:'s| has| have)?\s+(?:ever\s+)?"
            r"(?:knows?|seen|heard of)\s+(?:these|those|them|any of (?:these|them|those))\b"
        ),
        Direction.UP,
    ),
    (  # a complaint about the list asks for the other end: "these are all so famous"
        _rx(
            r"\b(?:these|they|those|all of them)\s+(?:are|were|look|seem|'re)\s+(?:all\s+)?"
            r"(?:(?:fine|ok|okay|good|great|nice|lovely|alright)\s*,?\s*but\s+)?"
            r"(?:(?:a bit|a little|so|too|rather|very|way|pretty|quite|kinda|all|the)\s+)*"
            r"(?P<said>famous|popular|mainstream|obvious|canonical|well[\s-]?known|obscure|niche|unknown)\b"
            r"(?:\s+(?:ones|picks|choices|titles|films|movies|suspects))?"
        ),
        Direction.DOWN,  # "too famous"; `_direction` turns "too obscure" up
    ),
    (
        _rx(
            r"\b(more popular|popular|mainstream|better[\s-]known|best[\s-]?sell(?:ers?|ing)|trending|well[\s-]?known|blockbusters?|famous|big hits?|hits(?!\s+(?:the(?!\s+(?:better|more|merrier|bigger)\b)|a|an|this|that|those|these|my|your|our|me|it|us|him|her|home|hard|different|close|all|every|just|right))|crowd[\s-]?pleas(?:ers?|ing)|classics?|all[\s-]time greats?|golden oldies?|timeless|(stood|stands) the test of time|everyone (has )?(seen|knows)|everybody (has )?(seen|knows)|every(?:one|body)(?:'s| has)? heard of|fan favou?rites?|must[\s-]sees?|iconic|widely seen|best[\s-]known|(most|many|lots of) people (know|have seen|saw|liked|loved)|every(one|body)(?:'s| is) (talking about|watching)|every(?:one|body) (?:seems to |else )?(?:has|have|owns?|wears?|buys?|is (?:wearing|buying))|(?:what's|whats|what is|something|anything) hot(?: right)? now|hot right now)\b"
        ),
        Direction.UP,
    ),
)


def _direction(m: re.Match[str], said: Direction) -> Direction:
    """A complaint about the list ("these are too obscure") wants the other end."""
    if "said" not in m.re.groupindex:
        return said
    low = m.group("said").lower() in ("obscure", "niche", "unknown")
    return Direction.UP if low else Direction.DOWN


_BECAUSE = _rx(
    r"\b(?:because|cause|cos|since)\s+(?:it|they|its|it's|they're|he|she)\s*(?:'s|is|are|was"
    r"|were)?\s*(?:so\s+|very\s+|really\s+|too\s+)?$"
)


def popularity_wish(
    text: str, extra: list[tuple[int, int, Direction]] | None = None
) -> tuple[Direction | None, list[tuple[int, int]]]:
    """The fame direction a turn asks for (the last one said wins: "popular... no,
    lesser-known") and the spans of the words that said it; `extra` adds hits found
    elsewhere ("highly rated" on a catalog without a score column)."""
    found = [
        (m.start(), m.end(), _direction(m, d)) for rx, d in POPULARITY for m in rx.finditer(text)
    ]
    found += crowd_hits(text)  # "that few remember", "titles people have heard of"
    # "just because it's popular?": no wish
    hits = [h for h in found if not _BECAUSE.search(text[: h[0]])]
    hits += extra or []
    if not hits:
        return None, []
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    kept: list[tuple[int, int, Direction]] = []
    for s, e, d in hits:
        if not any(s < ke and ks < e for ks, ke, _ in kept):
            kept.append((s, e, d))
    return kept[-1][2], [(s, e) for s, e, _ in kept]
