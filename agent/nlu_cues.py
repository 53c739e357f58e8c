"""Function-word cues of English requests: intents, negation scope, list size, "more".

None of these name catalog values (those come from the data, `agent.vocab`); they are the
language around the values: "not", "instead", "what if", "why", "start over". The rule
intent order here is only the fallback when no embedding model is at hand; with one, the
planner's classifier weighs these cues together with the sentence embedding.
"""

from __future__ import annotations

import re

from agent.parse import Intent


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Grammar of starting afresh, beyond the fixed phrases: a start verb and a new-start adverb
# ("let's begin the search anew"), a return to the origin ("back to square one"), a clearing
# verb over everything said or over the user's stated wishes as a whole ("scrap all of it",
# "drop all my earlier preferences", "ignore my previous requests"). The wish nouns are the
# session's own words for what it keeps (preferences, filters, ...), not catalog values; a
# value before them ("drop the romance filter") is a narrower change, so only the user's own
# ("my jacket preferences") or a time word ("earlier", "previous") may stand there.
_CLEAR_VERB = (
    r"(?:drop|clear|wipe|erase|scrap|forget|ignore|discard|undo|remove|kill|delete|disregard|"
    r"ditch|bin|cancel|reset)"
)
_WISH_NOUN = (
    r"(?:preferences?|prefs|wish(?:es)?|filters?|constraints?|settings?|choices|requests|"
    r"criteria|criterion|answers|conditions|selections|likes)"
)
_TIME_WORD = r"(?:earlier|previous|prior|past|old|former|current|existing|other|last few)"
_RESET_FRAMES = (
    r"|\b(?:start|begin|restart)(?:\s+(?:the|this|my|our))?(?:\s+(?:whole|\w+))?"
    r"(?:\s+(?:search|thing|list|conversation|chat|session|hunt))?"
    r"\s+(?:over|again|afresh|anew|fresh|from\s+(?:zero|nothing|the\s+(?:very\s+)?"
    r"(?:beginning|start)))\b"
    r"|\b(?:(?:fresh|clean|new) start|(?:blank|clean) (?:slate|sheet|page))\b"
    r"|\bclear the (?:conversation|chat|board|session)\b"
    r"|\b(?:back|return|go) to (?:square one|zero|the (?:very )?(?:beginning|start)(?! of\b))\b"
    r"|\bfrom zero\b"
    rf"|\b{_CLEAR_VERB}\s+(?:all(?:\s+of)?\s+(?:it|that|this|the above)|everything|it all|"
    r"the lot|all(?=\s*(?:[,.;:!?]|$|and\b|then\b|now\b)))"
    rf"|\b{_CLEAR_VERB}\s+(?:(?:all|every|each)(?:\s+of)?\s+)?(?:(?:my|our)\s+(?:\w+\s+)?"
    rf"|(?:the|those|these|your)\s+(?:{_TIME_WORD}\s+)?|{_TIME_WORD}\s+)?{_WISH_NOUN}\b"
)


INTENT_PATTERNS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (
        Intent.RESET,
        _rx(
            r"\b(start (over|again|afresh|fresh|from scratch)|reset|restart|begin again|from scratch|clean slate|scrap (it all|everything|all that)|wipe (it all|everything|my (preferences|wishes|filters))|forget (it|everything|all|that)|new (search|conversation|chat|session)|clear (it|all|everything)|wipe the slate|slate (clean|wiped))\b|\b(start|go|begin|take it|back) from the top\b|\bfrom the top\W*$"
            + _RESET_FRAMES
        ),
    ),
    (
        Intent.PROFILE,
        _rx(
            r"\b(what do you know about me|my (profile|preferences)|(what'?s|what is|describe|about) my taste|what (have|did) i (like|liked|say|said|tell you)|what i (like|liked))\b"
        ),
    ),
    (
        Intent.HELP,
        _rx(
            r"^\s*(help|halp|\?|what can (you|u) do|how does this( thing)? work)\b"
            r"|\bhow (do|should|am) i (supposed to )?(use|talk to|work) (this|you|it)\b"
            r"|\bwhat (can|should|do) i (say|ask|type)\b|\b(instructions|tutorial|usage)\b"
            r"|^\s*(what|who) are (you|u)\s*\??\s*$"
            r"|\bwhat kind of (questions|things|stuff) can (i|you)\b"
        ),
    ),
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
            # a why embedded in a statement ("I don't get why X is there"), typed as texting
            # ("y u suggesting X", "wat makes u think ...")
            r"|\b(?:don'?t|do not|dont|can'?t|cannot|cant|didn'?t|didnt) (?:get|understand|see|"
            r"figure out|work out|know) why\b"
            r"|\b(?:wonder(?:ing)?|curious|not sure|no idea|confused|puzzled) (?:as to |about )?"
            r"(?:why|how come)\b"
            r"|^\W*y (?:u|you|did|is|was|would|this|that|these|those)\b|\bw(?:a|o)t makes\b"
        ),
    ),
    (
        Intent.GREETING,
        _rx(
            r"^\s*(hi+|hello+|hey+|heya|hiya|good (morning|evening|afternoon|day)|howdy|yo+|greetings"
            # greeting formulas of other Englishes and chat (a closed class): Nigerian "how
            # far", South African "howzit", "wassup", Australian "g'day", "kia ora"
            r"|how far|howzit|how(?:'?s| is) it (?:going|hanging)|wa+s+u+p+|whats? up|sup"
            r"|how you dey|wetin dey|g'?day|kia ora|namaste|salaam|as-?salaam(?:u)? alaikum"
            r"|sawubona|jambo|ahoy|hai|hallo|hola|aloha|what'?s good|what'?s crackin'?)"
            r"\b(\s+(there|all|folks|you|again|mate|bro|boss|guys|fam|o|oh|na|now))?"
            r"[\s!.,:;)(\-dDpP?]*$"
        ),
    ),
)
RECOMMEND = _rx(
    r"\b(recommend\w*|suggest\w*|show me|find (me )?|looking for|look for|i want|i'd like|i would like|in the mood|give me|any (good|ideas|recommendations)|what should i (watch|read|buy|see|try)|something|anything|options|picks|movies?|films?|shows?|books?)\b"
)
REFINE = _rx(
    r"\b(instead|rather|but|more like|less|fewer|cheaper|older|newer|not|no|without|other|else|different|another|again|too)\b"
)
MORE = _rx(  # "anything else is fine" shrugs (any other value will do), it asks for nothing
    r"\b(something else|anything else(?!\s*(?:is|'s|would be|will do|works|goes)\b)|other (options|ones|picks|suggestions)|more (options|ones|picks|suggestions)|show me more|next|different ones|another (one|set|batch)|none of (these|them|those))\b"
    # a new lot of picks ("a fresh set", "new batch"): more of the list, not a new session
    r"|\b(?:fresh|new) (?:set|batch|lot|bunch|selection|round|crop)\b(?! of\b)"
)
REPLACE = _rx(
    r"\b(actually|instead|rather|changed my mind|scratch that|what about|how about)\b"
    r"|^\s*(any|got any|do you have any)\b"  # "any documentaries?": a new request, not an addition
)

# Negation: a cue makes the wanted values after it in the same clause unwanted.
NEG_CUES = frozenset(
    [
        "not",
        "no",
        "without",
        "minus",
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
        # the same typed without the apostrophe ("i dont want french")
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "wouldnt",
        "cant",
        "havent",
        "shouldnt",
    ]
)
NEG_PHRASES = (
    ("other", "than"),
    ("rather", "than"),
    ("instead", "of"),
    ("too", "much"),
    ("sick", "of"),
    ("tired", "of"),
    ("fed", "up"),
    ("leave", "out"),
    ("leaving", "out"),
    ("rule", "out"),
    ("clear", "of"),  # "steer clear of", "keep clear of"
    ("away", "from"),  # "stay away from", "keep away from"
    ("heavy", "on"),  # "(a) bit heavy on the romantic ones": too many of them
)
# How near the list came, as comparatives said of the list ("closer!", "warmer, but no"):
# a reaction, never a quality of the item wished for (`nlu_filler`, `nlu_intent_shape`).
NEARER = ("closer", "nearer", "warmer", "colder", "better")
CLAUSE_BREAKS = frozenset(
    [",", ".", ";", "!", "?", "but", "however", "though", "although", "instead", "rather"]
)
# "that's not a comedy" / "these aren't comedies" complain about what was shown: the value is wanted.
ITEM_SUBJECTS = frozenset(
    ["that", "that's", "this", "it", "it's", "these", "those", "they", "they're", "them", "none"]
)
POSITIVE_CUES = frozenset(["want", "like", "love", "prefer", "need", "enjoy", "fancy", "crave"])

K_RX = _rx(
    r"\b(?:show|give|recommend|suggest|list|find)\s+(?:me\s+)?(?:the\s+)?(?:top\s+)?(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b(?!\s*(?:dollars|bucks|\$|stars|years|s\b))|\btop\s+(\d{1,2})\b"
)
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip


STOPWORDS = frozenset(
  [
      "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "about",
      "from", "by", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that",
      "these", "those", "i", "me", "my", "we", "our", "you", "your", "he", "she", "they", "them",
      "their", "some", "any", "something", "anything", "movie", "movies", "film", "films",
      "show", "shows", "book", "books", "item", "items", "one", "ones", "thing", "things",
      "stuff", "kind", "sort", "want", "wanted", "would", "like", "love", "really", "very",
      "more", "less", "please", "can", "could", "should", "maybe", "perhaps", "just", "also",
      "too", "so", "get", "give", "find", "recommend", "recommendation", "recommendations",
      "suggest", "suggestion", "suggestions", "looking", "look", "mood", "watch", "see", "read",
      "something's", "what", "which", "who", "whom", "how", "when", "where", "why", "there",
      "here", "do", "does", "did", "doing", "not", "no", "don't", "didn't", "isn't", "aren't",
      "have", "has", "had", "i'd", "i'm", "i've", "good", "great", "nice", "cool", "new",
      "other", "else", "instead", "rather", "pick", "picks", "option", "options", "again", "now",
      "then", "than", "into", "out", "up", "down", "over", "under", "between", "tonight",
      "today", "night", "evening", "weekend", "time", "prefer", "preferably", "ideally", "hi",
      "hello", "hey", "thanks", "thank", "ok", "okay", "yes", "yeah", "sure", "well", "all",
      "lot", "lots", "much", "many", "few", "little", "bit", "quite", "pretty", "kinda", "sorta",
      "whatever", "same", "similar", "different", "another", "first", "second", "third", "last",
      "next", "previous", "let", "let's", "us", "expensive", "pricey", "costly", "cheap",
      "cheaper", "old", "older", "newer", "recent", "popular",
  ]
) | frozenset(
    """people person fans fan folks everyone everybody loved liked enjoyed adored enjoy adore
    bit lil sth smth pls plz thx ty gimme wanna gonna gotta im id ive dont cant wont doesnt
    lets u ur
    feel feeling vibe vibes type genre genres era decade year years released made came
    watching watched seen saw date friends friend wife husband kids partner girlfriend boyfriend
    probably definitely absolutely totally super mostly kind sorta somewhat fairly rather
    def defo deffo prob probs deffinitely definately offence offense fussed
    something anything everything nothing stuff actually honestly basically literally though
    although however because since yet still even ever only own way ways lately recently
    seems seem looks look sounds sound think thought guess know knew tell told say said
    mind hmm hm um uh ah oh wow lol haha okay alright cheers sweet awesome interesting
    fun fine right yep nope nah man dude buddy mate folks anyway anyways perhaps possibly
    show showing shown list listed suggested recommended gave given got getting thanks
    same similar vein style along lines akin reminds remind if would could should will shall
    might must need needs needed wanted wants wish wishes hoping hope trying try tried
    works working work prefer preferred preferably ideally also still all both either neither
    someone somebody anyone anybody me myself mine ours yours his her hers him whose whom
    tonight today tomorrow weekend evening night morning afternoon later soon now then
    movie movies film films flick flicks title titles pick picks choice choices option options
    recommendation recommendations suggestion suggestions list lists item items result results
    jacket jackets coat coats clothing wear wearing buy buying shop shopping
    make makes making add adding plus wait meant mean forget forgot entirely others somethin
    sumthing smthing wnat whats able appreciate big whole surprise ideas idea top back further
    set part swap loves hates hate hated dad mom mum daughter son brother sister huge finished
    week already boring meh thumbs favorite favourite fave fan fans kind kinda
    monday tuesday wednesday thursday friday saturday sunday version versions variant variants
    decent solid proper real really great good best nice enjoyable watchable worth
    after close most mostly these those
    """.split()  # noqa: SIM905
)  # fmt: skip

# A wish said as a conditional ("it would be nice if it were also a comedy"): not a what-if.
WISH_CONDITIONAL = _rx(
    r"\b(would be (?:(?:really|so|just|pretty|quite|absolutely) )?(nice|great|good|cool|lovely|ideal|awesome|perfect|better|fun|grand|brilliant|brill|ace|amazing|fab|sweet|handy|helpful|wonderful|bang on|spot on|right up my (?:street|alley))|(i'?d|i would|we'?d) (really )?(love|like|prefer|enjoy|want) (it )?if|(it'?d|that'?d|it would) be (nice|great|good|cool|lovely|ideal|awesome|perfect|better|grand|brilliant|ace|amazing|wonderful)( if)?|ideally|if possible|if you (can|could|have)|i wouldn'?t mind|bonus (points )?if|even better if|extra points if|preferably|as long as|provided (that )?it)\b"
)
# What a what-if asks about: an outcome of the logs, or "what would happen".
OUTCOME_CUE = _rx(
    r"\b(rat(e|ed|ing|ings)|clicks?|click(ed|ing)?|score|stars|what would happen|what happens|effect|impact|would (people|users|shoppers|viewers|folks|i) (rate|like|click|enjoy|watch|buy)|more (clicks|likely)|less likely|sell|sales|engagement)\b"
)
QUESTION_START = _rx(
    r"^\s*(what|who|whom|whose|where|when|which|how|is|are|can|could|do|does|did|will|would|should|tell me|explain)\b"
)
