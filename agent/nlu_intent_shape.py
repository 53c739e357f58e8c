"""Sentence shapes that separate intents the cue words alone confuse.

Grammar, not catalog words: a discourse marker that leaves the list behind ("switching gears",
"unrelated to these", "different idea") turns the wish after it into a fresh request; "held
constant" / "all else equal" make a conditional a causal question; "if I'd disliked it" / "say
I hated it" imagine the user's own rating (a what-if, not a causal question); a yes/no question
"is X popular because it's featured" asks for a cause; "is there a way to make the results
older" asks how to steer, not for older results; "any tips for washing ..." asks for advice on
a chore. Each is a regular expression over the lowered turn plus, where it needs one, a look at
the parse; `settle_rule_intents` applies the ones that decide between two cue intents.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from agent.nlu_cues import NEARER
from agent.parse import Intent, Parse, TitleRole

# A marker that the user leaves the shown list behind before asking afresh. Pointers inside
# it ("forget those", "unrelated to these") point away from the list, not at it.
TOPIC_CHANGE = re.compile(
    r"\b(?:switch(?:ing|ed)?|chang(?:e|ing)) (?:of )?(?:gears?|topics?|tack|subjects?|plans?)\b"
    r"|\b(?:on )?(?:a |an )?(?:totally |completely |entirely |something |quite )?"
    r"(?:unrelated|different|new|separate) (?:idea|topic|question|subject|request)\b"
    r"|\b(?:totally |completely |entirely |quite |something )?unrelated"
    r"(?: to (?:these|those|them|that|all that|the list|this list|what you showed(?: me)?))?\b"
    r"|\bon (?:a|another) (?:different |separate |unrelated |other )?note\b"
    r"|\bmoving on\b|\bsomething completely different\b"
    r"|\b(?:forget|scrap|ditch|never ?mind) (?:all )?(?:of )?"
    r"(?:those|these|them|that|all that|this lot|that lot|the list|this list)"
    r"(?=\s*(?:[,.;:!?\u2013\u2014-]|$|(?:and|then|now|let'?s|i|i'?d|i'?m)\b))"
)
# "if you held the year constant", "controlling for age", "all else equal": an adjusted
# comparison, the causal question's frame.
ADJUSTED = re.compile(
    r"\b(?:held|hold|holding|keep|kept|keeping) (?:the |their |its )?[\w' ]{1,25}? "
    r"(?:constant|fixed)\b"
    r"|\b(?:controlling|control|controlled|adjusting|adjust|adjusted|accounting|account|"
    r"correcting|correct) for\b"
    r"|\b(?:all|everything|every thing|anything) else (?:being |were |was |is |held |kept )?"
    r"(?:equal|the same|constant|fixed)\b"
    r"|\bother things (?:being )?equal\b|\bceteris paribus\b"
)
# The user imagines their own rating otherwise: "if I'd disliked the green one", "say I hated
# it", "pretend we never rated it".
OWN_RATING_WHAT_IF = re.compile(
    r"\bif (?:i|we)(?:'d| had| did| were to| was to)?(?: not| never|n't)? "
    r"(?:\w+ly )?(?:liked|disliked|loved|hated|rated|like|dislike|love|hate|rate|"
    r"watched|seen|bought|clicked|given)\b"
    r"|^\W*(?:(?:ok|okay|so|and|but|hmm|well)\W+)?(?:say|let'?s say|pretend|assume|suppose|supposing|"
    r"hypothetically)\W+(?:that )?(?:i|we)\b"
)
# A yes/no question whether one property holds because of another ("is the black bomber
# popular because it's featured?"), not about the user or the agent's own choice.
_BECAUSE_QUESTION = re.compile(
    r"^\W*(?:is|are|was|were|do|does|did)\b.{0,90}?\b(?:because|due to|thanks to)\b"
)
_PERSONAL = re.compile(
    r"\b(?:i|me|my|i'?m|i'?ve|i'?d|you|your|you'?ve|recommend\w*|suggest\w*|pick\w*|picked|"
    r"chose|chosen|choose|show\w*|list|here|there)\b"
)
# "is there a way to make the results older", "how do I get you to ...": how to steer the agent.
STEER_HELP = re.compile(
    r"\b(?:is there (?:a|any) way|is it possible|how (?:do|can|could|would|should) (?:i|we))"
    r"(?: for me)?(?: to)? (?:make|get|have|set|change|sort|filter|steer|narrow|adjust|tell|"
    r"ask|switch|limit|show|let|see|mark|undo)\b"
)
# "what drew you to X", "the connection between my taste and X", "what's X doing there": a
# question about why an item was picked, without the word "why".
WHY_WITHOUT_WHY = re.compile(
    r"\bwhat (?:drew|led|brought|pulled|got|prompted|inspired|possessed|moved) you\b"
    r"|\b(?:connection|link|relation)s? (?:between|to|with) (?:my|me|what i)\b"
    r"|\bmy (?:history|taste|tastes|ratings|likes|answers|profile|past|viewing)\b[\w' ]{0,25}?"
    r"\b(?:points?|pointed|leads?|led|suggests?|made|brought)\s+(?:to|at|you|towards?|this|that|it)\b"
    r"|\bdoing (?:there|here|in there|in here|on (?:the|this|my) list)\b"
    # "what's X doing in my recommendations", "... on your shortlist": the list named by any
    # of its words (a list noun after a possessive or article)
    r"|\bdoing (?:in|on|among|amid) (?:the|this|my|your|these|those|our) "
    r"(?:\w+ )?(?:list|lists|recommendations?|recs|picks|results|suggestions|selection|"
    r"shortlist|line-?up|mix|queue|feed)\b"
)
# How many people saw an item, said as an audience quantifier and an exposure verb ("if
# everyone had seen X", "if fewer people had watched it", "seen by more people"), asked
# about its ratings and not about the user or their list: a question about how exposure
# acts on ratings in the data (causal), not a what-if about this user's picks ("if nobody had
# seen Titanic, would it still be on my list?").
_AUDIENCE = (
    r"(?:every(?:one|body)|no ?one|nobody|all (?:the )?(?:people|viewers|users|shoppers)"
    r"|(?:(?:far|way|many|a lot|lots) )?(?:more|fewer|less) (?:people|viewers|users|shoppers|folks)"
    r"|(?:twice|half) as many (?:people|viewers|users|shoppers))"
)
_EXPOSURE = (
    r"(?:see|seen|saw|watch|watched|know|known|knew|heard of|viewed|noticed|clicked|bought|"
    r"discovered|come across|came across)"
)
EXPOSURE_COUNTERFACTUAL = re.compile(
    rf"\bif\b[^.!?;]{{0,60}}?\b{_AUDIENCE}\s+(?:had\s+|have\s+|has\s+|did\s+|could\s+have\s+|"
    rf"would\s+have\s+)?(?:\w+ly\s+)?{_EXPOSURE}\b"
    rf"|\b(?:seen|watched|known|viewed|bought)\s+by\s+{_AUDIENCE}"
)
_RATING_OUTCOME = re.compile(
    r"\b(?:rat(?:e|es|ed|ing|ings)|scores?|scored|stars|averages?|reviews?|reviewed)\b"
)
_OWN_LIST = re.compile(
    r"\b(?:i|me|my|i'?d|i'?m|we|us|our|recommend\w*|suggest\w*|list|picks?|picked|shown)\b"
)
# Markers of an imagined change (a what-if imagines one): "if", "suppose", "were", "had",
# "would", "what happens", an effect. A question with none ("wat makes u think i'd enjoy
# it") asks about what is, not what would be.
HYPOTHETICAL = re.compile(
    r"\b(?:if|suppos\w*|imagin\w*|pretend\w*|assum\w*|hypothetic\w*|counterfactual\w*|"
    r"picture|were|had|would|wouldn'?t|effect|impact|what happens|say|in case|unless|instead|"
    r"without)\b"
)
_ASKS = re.compile(r"\b(?:would|will|what|how|which|does|do)\b|\?")
# "any tips for washing a down jacket": advice on doing a chore (a gerund), not a pick.
_ADVICE_ON_DOING = re.compile(
    r"\b(?:tips?|advice|tricks?|hacks?|guidance)\b (?:for|on|about|when) "
    r"(?!(?:using|asking|talking|getting|finding|choosing|picking|searching|chatting)\b)"
    r"(?:\w+ing)\b"
)
# "is it scarier than The Shining?", "how does it stack up against X": one item weighed
# against another (a question about an item, not a wish for something scarier).
COMPARE_AGAINST = re.compile(
    r"^\W*(?:is|was|are|were|would|will)\s+(?:it|this|that|they|these|those|this one|"
    r"that one|the (?:\w+ ){0,2}one)\s+(?:be\s+)?(?:even |any |much |a bit |a lot |way |far )?"
    r"(?:(?:\w+er|more \w+|less \w+)\s+than|as \w+ as)\b"
    r"|\b(?:stacks?|stacked|stacking|measures?|measured|holds?) up (?:against|to|with)\b"
    r"|\b(?:up against|compared? (?:to|with)|side by side)\b"
    r"|\bweigh(?:s|ed|ing)?(?: up)?\b.{1,60}?\b(?:against|versus|vs\.?|with)\b"
    r"|\bpit(?:s|ted|ting)?\b.{1,60}?\bagainst\b"
    r"|\bwhat (?:sets|separates|distinguishes|divides) .{1,60}? (?:apart )?from\b"
)


# A verdict on the whole list or an order to reshape it ("these are all too grim, ...", "too
# obscure for my mum", "make them thrillers", "only the ones with a twist"): the turn needs
# the list it judges.
LIST_CRITIQUE = re.compile(
    r"^\W*(?:(?:hmm+|ugh|meh|nah|no|ok|okay|well|honestly|so|but|yeah)\W+)?"
    r"(?:(?:these|those|they|all of (?:these|them|those)|the lot|this lot|all)\s+"
    r"(?:are|were|'re|seem|look|feel|all|a bit|so|too|kinda)\b"
    r"|(?:(?:way|much|a bit|bit|far|kinda|all|a little)\s+)?too\s+\w+)"
)
LIST_RESHAPE = re.compile(
    r"\b(?:make|turn|change|switch|keep|limit|restrict|narrow|filter) (?:them|these|those|"
    r"the list|the lot|this lot|the results|the picks)\b"
    r"|\b(?:only|just) (?:the )?(?:ones|those|these)\b"
)


# A move in degree ("less famous", "more obscure", "obscurer than these"): measured against
# what is on screen, where there is a list.
_COMPARATIVE = re.compile(r"\b(?:less|more|fewer|obscurer|\w+er than)\b")


def because_question(lowered: str) -> bool:
    """A yes/no question whether one property holds because of another, about neither the
    user nor the agent's picks ("is the grey parka popular only because it's promoted?")."""
    return _BECAUSE_QUESTION.search(lowered) is not None and _PERSONAL.search(lowered) is None


# Words that weigh one item against another: a connective of choice ("or", "vs", "v"), a
# comparative ("better", "scarier", "more", "less", "as X as"), a verb of weighing ("compare",
# "rank", "stack up", "weigh up", "sets apart"). A comparison without any of them ("I'd go
# for styles like the first two") is a wish for more like them.
_WEIGHS = re.compile(
    r"\b(?:or|vs\.?|v|versus|between|which|against|than|both|each other|next to|side by side|"
    r"over|same as|as \w+ as|more|less|fewer|\w+er(?=\s+(?:than|one|pick|choice|option|bet)\b|\s*\?)"
    r"|(?<!\bi )(?<!\bwe )(?<!\byou )(?<!\bthey )\b\w+er(?=\s*(?:[.!,;]|$))"
    r"|better|worse|\w+est|differ\w*|compar\w*|beat\w*|rank\w*|"
    r"stack\w*|separat\w*|weigh\w*|contrast\w*|distinguish\w*|prefer\w*)\b"
)


# How near the list came, said as a reaction of its own ("closer!!", "better! ...", "warmer,
# but no"), and the complaint "are those the best you have?": no item is weighed.
_NEARNESS_REACTION = re.compile(
    r"(?:^|(?<=[.!?,;:\-]))\W*(?:(?:much|a bit|bit|a little|little|getting|way|lot|slightly)\s+)?"
    rf"(?:{'|'.join(NEARER)}|hotter)\b(?=\W*(?:$|[.!?,;:\-]|but\b|though\b|now\b))"
    r"|\b(?:the )?best (?:you(?:'?ve)? (?:have|had|got|can do|could do|could find)|you'?ve got)\b"
)


# "i think it's a comedy??", "pretty sure it was from the 80s?": a hedged statement of what
# the sought item is, not a question why a shown one was picked.
_HEDGED_FACT = re.compile(
    r"\b(?:i think|i guess|i believe|i reckon|i'?m (?:pretty |fairly |quite )?sure|"
    r"(?:pretty|fairly|quite) sure|i'?d say|probably|maybe|i suspect|if i recall|iirc)"
    r"\s+(?:that\s+)?(?:it'?s|its|it is|it was|it'?d be|it had|it has|it came)\b"
)


# "what would you suggest?", "if you liked X what would u pick": the user asks for a pick,
# nothing is imagined to change
_ASKS_FOR_A_PICK = re.compile(
    r"\b(?:what|which|whatcha|wat|wot)\b[\w' ]{0,20}?\b(?:would|should|could|can|do|will|'d)\s+"
    r"(?:you|u|ya|ye)\s+(?:(?:personally|then|honestly|actually)\s+)?(?:suggest|recommend|pick|"
    r"choose|go for|propose|advise|offer|put on|watch|point me)\b"
)


def asks_for_a_pick(lowered: str) -> bool:
    """The turn asks the agent to pick ("what would you suggest?"): a request, no what-if."""
    return _ASKS_FOR_A_PICK.search(lowered) is not None


def hedged_fact(lowered: str) -> bool:
    """The turn states, hedged, what the sought item is ("i think its comedy??")."""
    return _HEDGED_FACT.search(lowered) is not None


def weighs_items(lowered: str) -> bool:
    """The turn has a word that weighs one item against another (a comparison needs one)."""
    lowered = _NEARNESS_REACTION.sub(" ", lowered)
    return _WEIGHS.search(lowered) is not None or COMPARE_AGAINST.search(lowered) is not None


def exposure_question(lowered: str) -> bool:
    """How exposure acts on an item's ratings ("if everyone had seen Lone Star, would its
    ratings drop?"): a causal question, not a what-if about the user's own picks."""
    return (
        EXPOSURE_COUNTERFACTUAL.search(lowered) is not None
        and _RATING_OUTCOME.search(lowered) is not None
        and _OWN_LIST.search(lowered) is None
    )


def imagines_a_change(lowered: str) -> bool:
    """The turn imagines something otherwise (a what-if needs that)."""
    return HYPOTHETICAL.search(lowered) is not None


# Taking items off the list by a pointer at them ("lose the romance ones", "drop those"):
# "the ... ones" can only mean items on screen.
DROP_SHOWN = re.compile(
    r"\b(?:lose|drop|ditch|remove|bin|scrap|cut|skip|toss|get rid of|take out|throw out)\s+"
    r"(?:all\s+)?(?:the|those|these|them)\b(?:\s+[\w'-]+){0,2}?(?:\s+ones?\b|(?<=them)|(?<=those)"
    r"|(?<=these))"
)


# More or other picks than those shown ("something else along the lines of X", "a fresh
# set", "different ones"); "next" alone is left out ("what should I put on next?" is time).
_MORE_OF_THE_LIST = re.compile(
    r"\b(?:something|anything) else\b(?!\s*(?:is|'s|would be|will do|works|goes)\b)"
    r"|\b(?:fresh|new|another|next) (?:set|batch|lot|bunch|selection|round)\b(?! of\b)"
    r"|\b(?:other|different) (?:ones|options|picks|suggestions)\b"
)


# A task of language or arithmetic asked as an order ("translate thank you into Zulu",
# "convert 10 miles to km", "define irony"): no recommender does it, whatever the words name
# ("summarise my tastes" is left out: that one asks about the profile).
_OTHER_TASK = re.compile(
    r"^\W*(?:(?:please|pls|can you|could you|would you|will you|help me)\s+)?"
    r"(?:translate|convert|calculate|compute|define|spell|solve|proofread)\b"
)


def other_task(parse: Parse) -> bool:
    """An order for a language or arithmetic task that names no catalog value."""
    placed = parse.include or parse.exclude or parse.ranges or parse.popularity is not None
    return not placed and _OTHER_TASK.search(parse.text.lower()) is not None


def asks_off_the_list(parse: Parse) -> bool:
    """A request that leans on the list by its words: more or other picks ("something else
    along the lines of X", "a fresh set") or items taken off it ("lose the romance ones, ...")."""
    low = parse.text.lower()
    leans = _MORE_OF_THE_LIST.search(low) or DROP_SHOWN.search(low)
    return leans is not None and not leaves_the_list(parse)


def leaves_the_list(parse: Parse) -> bool:
    """A fresh request after a marker that leaves the shown list behind ("different idea.
    westerns from the 1990s"): by the labels' definition it needs no list, so no refine."""
    return shape_flags(parse, parse.text.lower())[0]


def without_topic_change(lowered: str) -> str:
    """The turn with its leave-the-list marker blanked, so "forget those" points at nothing."""
    return TOPIC_CHANGE.sub(" ", lowered)


def shape_flags(parse: Parse, lowered: str) -> list[bool]:
    """Flags for the intent classifier: a fresh request after a topic change, an adjusted
    comparison, an imagined own rating, a because-question about the data, a how-to-steer
    question, a request for advice on a chore, an item weighed against a named one, a question
    about what led to a pick, a verdict on the whole list or an order to reshape it, a fame
    wish said as a comparative."""
    wish = bool(
        parse.include
        or parse.exclude
        or parse.ranges
        or parse.unplaced
        or parse.popularity is not None
        or any(r.role is TitleRole.TASTE for r in parse.refs)
        or parse.unknown_titles
    )
    bare = not parse.has_slots and not parse.refs
    return [
        TOPIC_CHANGE.search(lowered) is not None and wish,
        ADJUSTED.search(lowered) is not None,
        OWN_RATING_WHAT_IF.search(lowered) is not None,
        because_question(lowered) and bool(parse.variables),
        STEER_HELP.search(lowered) is not None,
        _ADVICE_ON_DOING.search(lowered) is not None and bare,
        COMPARE_AGAINST.search(lowered) is not None and bool(parse.refs),
        WHY_WITHOUT_WHY.search(lowered) is not None,
        (LIST_CRITIQUE.search(lowered) is not None or LIST_RESHAPE.search(lowered) is not None)
        and TOPIC_CHANGE.search(lowered) is None,
        parse.popularity is not None and _COMPARATIVE.search(lowered) is not None,
    ]


def settle_rule_intents(found: list[Intent], text: str) -> list[Intent]:
    """Decide between cue intents by the sentence's frame: an adjusted comparison or a question
    how exposure acts on ratings is causal (not a what-if), an imagined own rating is a what-if (not causal), a because-question about
    the data is causal, an item weighed against
    another is a comparison, a question about what led to a pick is a why, a how-to-steer
    question is help (not a question about the profile)."""
    low = text.lower()
    if ADJUSTED.search(low) or exposure_question(low):
        found = [i for i in found if i is not Intent.WHAT_IF]
        if Intent.CAUSAL not in found:
            found.insert(0, Intent.CAUSAL)
    elif OWN_RATING_WHAT_IF.search(low) and _ASKS.search(low):
        found = [Intent.WHAT_IF if i is Intent.CAUSAL else i for i in found]
        if Intent.WHAT_IF not in found:
            found.insert(0, Intent.WHAT_IF)
    if because_question(low) and Intent.CAUSAL not in found:
        found.insert(0, Intent.CAUSAL)
    if COMPARE_AGAINST.search(low) and Intent.COMPARE not in found:
        found.insert(0, Intent.COMPARE)
    if WHY_WITHOUT_WHY.search(low) and Intent.WHY not in found:
        found = [i for i in found if i is not Intent.PROFILE]
        found.insert(0, Intent.WHY)
    if STEER_HELP.search(low):
        found = [i for i in found if i is not Intent.PROFILE]
        if Intent.HELP not in found:
            found.insert(0, Intent.HELP)
    return list(dict.fromkeys(found))


def leans_on_shown(parse: Parse, shown: Collection[str], fame_column: str | None = None) -> bool:
    """A wish measured against the list on screen (the labels' refine): a taste reference to
    a shown item ("Local Hero is the standout, same feel please") or a move in degree of an
    attribute other than fame ("older please, and a musical if possible"); not after a marker
    that leaves the list behind. `fame_column` is the catalog's popularity column."""
    if not shown or leaves_the_list(parse):
        return False
    if any(r.role is TitleRole.TASTE and r.item_id in shown for r in parse.refs):
        return True
    return any(attr != fame_column for attr, _ in parse.relative)  # a fame move leans on none


# Words that point at the list on screen or ask to change it ("none of these", "others",
# "instead", "again", "swap"): a request with one of them needs the list.
_LIST_POINTERS = re.compile(
    r"\b(?:these|those|them|this lot|that lot|the list|this list|ones|others?|another|else|"
    r"different|instead|again|same|here|there|rather|swap\w*|switch\w*|chang\w*|back|"
    r"closer|nearer|more|less|fewer|but)\b"
)


def stands_alone(parse: Parse, shown: Collection[str], fame_column: str | None = None) -> bool:
    """A request whose only anchor is a taste reference to items not on screen ("I keep going
    back to Harold and Maude, point me at similar stuff", "thrillers like The Fugitive"): it
    needs no list (the labels' recommend), unless a word points at the list or asks to change
    it ("none of these are me, got something nearer Das Boot")."""
    if not shown or not parse.refs or parse.feedback:
        return False
    if any(r.role is not TitleRole.TASTE or r.item_id in shown for r in parse.refs):
        return False
    if any(attr != fame_column for attr, _ in parse.relative):
        return False
    low = parse.text.lower()
    for ref in parse.refs:  # a title's own words point at nothing ("Back to the Future")
        low = low.replace(ref.text.lower(), " ")
    return _LIST_POINTERS.search(low) is None
