"""Negation scope inside one clause: what a "not", a complaint or a remark governs.

`agent.nlu` cuts a turn into clauses (`agent.nlu_clauses`) and asks these readers about each
catalog value in its clause: is it negated ("I don't want a drama", "anything but a
musical"), turned down after it ("thriller isn't for me"), a remark on the list just shown
("those are all dramas", "that's not a comedy": the value is then wanted), or turned down by
the clause that follows ("comedy? nah, not that").
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from agent.nlu_clauses import PUNCT, bare_rejection
from agent.nlu_cues import (
    CLAUSE_BREAKS,
    ITEM_SUBJECTS,
    NEG_CUES,
    NEG_PHRASES,
    POSITIVE_CUES,
)
from agent.nlu_removal import asks_reason, out_removal, passed_over, why_remark
from agent.vocab import ValueHit

# Who a remark is about: "that's not a comedy" complains about the list just shown, while
# "it" is the item the user is after ("it isn't a comedy" says what it is not).
_LIST_SUBJECTS = ITEM_SUBJECTS - {"it", "it's"}


def negation_governs(tokens: Sequence[str], start: int) -> bool | None:
    """True when a negation governs the slot at `start`; None when it complains about items."""
    if start > 0 and tokens[start - 1] in ("too", "less", "fewer", "enough"):
        return True  # "too scary", "less drama", "enough comedy": less of it
    if start > 1 and tokens[start - 2] in ("too", "so") and tokens[start - 1] in ("many", "much"):
        return True  # "too many thriller ones": a complaint that asks for fewer
    j = start - 1
    while j >= 0 and (tokens[j] not in CLAUSE_BREAKS or _anything_but(tokens, j)):
        if _anything_but(tokens, j):
            return True  # "anything but a musical"
        word = tokens[j]
        prev = tokens[j - 1] if j > 0 else ""
        if word in _FRESH_WISH:
            return False  # "not brown maybe green": a new wish after the negated one
        if word in _REQUESTS and tokens[j + 1 : j + 2] in (["me"], ["us"]) and j < start - 1:
            return prev in NEG_CUES or prev.endswith("n't")  # "instead of X give me Y"
        if word.endswith("n't") and tokens[j + 1 : j + 2] == ["mind"]:
            return False  # "I wouldn't mind some action"
        if word == "than" and "rather" in tokens[max(0, j - 5) : j]:
            return True  # "rather a thriller than a horror"
        if word == "not" and prev == "why":
            return False  # "why not a comedy?": a suggestion
        if word == "not" and tokens[j + 1 : j + 2] == ["it"] and j + 1 < start:
            return False  # "not it crime movie pls": "not it" turns down the pick, not crime
        if word == "no" and _new_phrase(tokens[j + 1 : start]):
            return False  # "no luck there a thriller": "no" governs its own noun only
        if word in ("nothing", "none") and not _nothing_reaches(tokens[j + 1 : start]):
            return False  # "got nothing back, looking for grey ones": its own object only
        if word in NEG_CUES or (prev, word) in NEG_PHRASES or word.endswith("n't"):
            clause_start = j
            while clause_start > 0 and tokens[clause_start - 1] not in CLAUSE_BREAKS:
                clause_start -= 1
            window = tokens[clause_start : min(clause_start + 2, j + 1)]  # subject opens it
            if len(window) > 1 and window[0] not in _OPENERS:
                window = window[:1]  # "something that's not a drama": a relative clause
            conditional = {"if", "long", "provided", "unless"} & set(tokens[clause_start:j])
            if word == "none" and tokens[j + 1 : j + 2] == ["of"] and _asked(tokens, start):
                return None  # "none of these in green?": asks for green ones
            if (
                any(w in _LIST_SUBJECTS for w in window)
                and word not in _NEG_PREPOSITIONS  # "these minus the drama": a removal
                and j - clause_start <= 3  # the subject's own verb is negated
                and not any(w in POSITIVE_CUES for w in tokens[j:start])
                and not conditional
                and not (word == "none" and tokens[start - 1] in ("in", "with"))  # "none in black"
                and not (word == "none" and tokens[j + 1 : j + 2] != ["of"])  # "none made for"
                and not (word == "none" and not _LINKS.intersection(tokens[j + 2 : start]))
            ):  # "none of the cartoon ones" has no verb of its own: a removal, not a remark
                return None  # "that's not a comedy": about what was shown
            return not (word == "no" and j + 1 < len(tokens) and tokens[j + 1] == ",")
        if word in POSITIVE_CUES and j < start - 1 and tokens[j - 1 : j] != ["don't"]:
            k = j - 1
            while k >= 0 and tokens[k] not in CLAUSE_BREAKS:
                if tokens[k] in NEG_CUES or tokens[k].endswith("n't"):
                    return True
                k -= 1
            return False
        j -= 1
    return False


# Words that may stand before the list as a subject ("oh that's not a comedy", "no, these
# aren't dramas"); after a noun ("something that's not a drama") "that" is a relative pronoun.
_OPENERS = frozenset(
    ["a", "an", "and", "also", "but", "so", "oh", "well", "no", "nope", "nah", "hmm", "hm",
     "meh", "ok", "okay", "yeah", "yes", "sorry", "um", "uh", "honestly", "just", "like", "see",
     "look", "ugh", "because", "cos", "since", "as"]
)  # fmt: skip


# Negations that are prepositions, not a negated verb: "these minus the drama", "those
# without the romance" take the value out of the list rather than say what the list is.
_NEG_PREPOSITIONS = frozenset(["minus", "without", "except", "excluding", "sans"])
# Verbs that make "none of these ..." a remark on the list ("none of these are comedies",
# "none of them look scary"); without one ("none of the cartoon ones") it removes the value.
_LINKS = frozenset(
    ["is", "are", "was", "were", "'re", "'s", "look", "looks", "seem", "seems", "feel", "feels",
     "sound", "sounds", "do", "did", "have", "had"]
)  # fmt: skip
_FRESH_WISH = frozenset(["maybe", "perhaps", "ideally", "preferably", "possibly"])
_REQUESTS = frozenset(["give", "gimme", "show", "get", "find", "recommend", "suggest", "bring"])


def _asked(tokens: Sequence[str], start: int) -> bool:
    """The clause holding `start` ends in a question mark."""
    end = next((k for k in range(start, len(tokens)) if tokens[k] in CLAUSE_BREAKS), len(tokens))
    return end < len(tokens) and tokens[end] == "?"


def _nothing_reaches(between: Sequence[str]) -> bool:
    """ "nothing too scary", "nothing aimed at kids", "none made for children": the words
    between "nothing" and a value modify it (a participle with its preposition counts, and
    so does the first member of "black or gray")."""
    for k, w in enumerate(between):
        if w in _NOTHING_REACH:
            continue
        nxt = between[k + 1] if k + 1 < len(between) else ""
        prev = between[k - 1] if k > 0 else ""
        if nxt in ("or", "nor") and k + 2 == len(between):
            continue  # "nothing in black or gray": an earlier member of the value's "or"
        if w in ("or", "nor") and k + 1 == len(between) and k > 0 and prev not in _NOTHING_REACH:
            continue
        if len(w) > 4 and w.endswith(("ed", "ing")) and nxt in _PARTICIPLE_OBJECT:
            continue  # "aimed at", "meant for", "involving"
        if len(w) > 4 and w.endswith("ed") and k + 1 == len(between):
            continue  # "nothing tagged thriller", "nothing labelled horror": its complement
        if w in _PARTICIPLE_OBJECT and k > 0 and between[k - 1].endswith(("ed", "ing")):
            continue
        if w in ("made", "meant", "for", "involving", "featuring", "about"):
            continue
        return False
    return True


_PARTICIPLE_OBJECT = frozenset(
    ["at", "for", "to", "towards", "toward", "by", "with", "about", "as"]
)  # "nothing listed as horror"


def _new_phrase(between: Sequence[str]) -> bool:
    """An article that no preposition introduces: a new noun phrase begins."""
    return any(
        w in ("a", "an") and k > 0 and between[k - 1] not in _ARTICLE_AFTER
        for k, w in enumerate(between)
    )


# What may stand between "nothing" / "none" and the value it governs ("nothing too scary",
# "none of the romantic ones", "nothing with a western feel").
_NOTHING_REACH = frozenset(
    [
        "too",
        "so",
        "very",
        "really",
        "at",
        "all",
        "with",
        "in",
        "like",
        "that",
        "that's",
        "is",
        "remotely",
        "even",
        "of",
        "the",
        "these",
        "those",
        "a",
        "an",
        "more",
        "overly",
        "particularly",
    ]
)
_ARTICLE_AFTER = frozenset(["with", "of", "about", "like", "in", "for", "as", "than", "such"])


def rejected_after(
    tokens: Sequence[str], end: int, starts: Sequence[int], attribute: str = ""
) -> bool:
    """ "comedy? nah, not that", "all these dramas, not what I want": the value's clause ends
    and the next clause only turns it down; or, given the value's `attribute`, the turn asks
    for another value of it ("those are all black, any other colour?")."""
    if attribute and other_wanted(tokens, attribute):
        return True
    k = end
    while k < len(tokens) and tokens[k] not in PUNCT and k not in starts:
        if tokens[k] in ("and", "but"):  # "these are all thrillers and that's not it"
            k += 1
            break
        if tokens[k] not in ("movie", "movies", "film", "films", "one", "ones", "stuff"):
            return False  # more follows the value in its own clause
        k += 1
    while k < len(tokens) and tokens[k] in PUNCT:
        k += 1
    if k >= len(tokens) or k == end:
        return False
    stop = k + 1
    while stop < len(tokens) and tokens[stop] not in PUNCT and stop not in starts:
        stop += 1
    return bare_rejection(tokens[k:stop])


def _anything_but(tokens: Sequence[str], j: int) -> bool:
    """ "anything but X", "any language but X", "every genre but X"."""
    if tokens[j] != "but" or j == 0:
        return False
    return tokens[j - 1] in ("anything", "everything", "all") or (
        j > 1 and tokens[j - 2] in ("any", "all", "every", "whatever")
    )


_DESCRIBES = frozenset({"is", "are", "was", "were", "'s", "all", "just"})


_LEADING = frozenset(
    ["a", "an", "the", "and", "also", "but", "honestly", "just", "oh", "well", "yes", "yeah",
     "ok", "okay", "please", "pls"]
)  # fmt: skip
_ANSWERS = frozenset(["yes", "yeah", "yep", "please", "pls"])  # "comedy yes crime no"
_COPULA = frozenset(["is", "are", "was", "were", "does", "do"])
_NOT_A_SUBJECT_AFTER = frozenset(
    ["a", "an", "this", "that", "these", "those", "some", "any", "no", "more", "less", "my",
     "your", "of", "for", "with", "than", "like", "about", "if", "whether", "why", "what",
     "when", "where", "how", "which", "not", "all", "only", "just", "every", "each", "fewer",
     "many", "much", "most", "least", "to", "from", "by", "in", "on", "at", "want", "need",
     "love", "like", "prefer", "enjoy", "hate", "think", "say", "guess", "sure", "be"]
)  # fmt: skip


def negated_after(tokens: Sequence[str], start: int, end: int) -> bool:
    """ "thriller isn't for me", "horror is not my thing": the value opens its clause and a
    negated verb follows it, so the clause turns it down."""
    k = start - 1
    opens = True
    while k >= 0 and tokens[k] not in CLAUSE_BREAKS and tokens[k] not in _ANSWERS:
        if tokens[k] not in _LEADING:
            opens = False  # something else opens the clause
            break
        k -= 1
    after = tokens[end : end + 3]
    if not after or after[0] in CLAUSE_BREAKS:
        return False
    if not opens:
        # "a swing and a miss adventure is not my cup of tea": a bare value right before its
        # negated copula is its subject; after a determiner or a preposition it is not
        if tokens[start - 1] in _NOT_A_SUBJECT_AFTER or tokens[start - 1].endswith("ing"):
            return False
        return after[0] in _COPULA and len(after) > 1 and after[1] in ("not", "never")
    if after[0].endswith("n't") and after[0] not in ("wouldn't", "couldn't"):
        return True
    if after[0] in ("no", "nope", "nah") and (len(after) == 1 or after[1] in CLAUSE_BREAKS):
        return True  # "comedy yes, crime no"
    if tokens[end - 1].endswith("'s") and after[0] in ("not", "never"):
        return True  # "horror's not working for me"
    return after[0] in _COPULA and len(after) > 1 and after[1] in ("not", "never", "too")


def describes_shown(tokens: Sequence[str], start: int) -> bool:
    """ "those are all dramas", "that one is a drama": a remark on the list, not a wish; so
    is a value questioned in a why clause or never asked for (`no_wish`)."""
    if no_wish(tokens, start):
        return True
    k = start - 1
    while k >= 0 and tokens[k] not in CLAUSE_BREAKS:
        k -= 1
    clause = tokens[k + 1 : start]
    if clause[:1] in (["most"], ["all"], ["many"]) and clause[1:3] in (
        ["of", "these"],
        ["of", "those"],
        ["of", "them"],
    ):
        return True  # "most of these are action": a remark on the list
    if len(clause) < 2 or clause[0] not in _LIST_SUBJECTS | {"the", "they're", "these", "those"}:
        return False
    if any(w in NEG_CUES or w.endswith("n't") for w in clause):
        return False
    if any(w not in _PREDICATE for w in clause[1:]):
        return False  # "that's closer looking for horror": the value is no predicate of it
    return bool(_DESCRIBES & set(clause[1:4])) or clause[0] in ("they're", "that's")


# Words between a subject and a value that say it is that value ("those are all just dramas").
_PREDICATE = _DESCRIBES | frozenset(
    [
        "a",
        "an",
        "the",
        "all",
        "just",
        "really",
        "mostly",
        "also",
        "more",
        "too",
        "so",
        "very",
        "kind",
        "sort",
        "of",
        "like",
        "pretty",
        "quite",
        "another",
        "some",
        "full",
        "mainly",
        "only",
        "basically",
        "these",
        "those",
        "ones",
        "one",
    ]
)


_SEGMENT_BREAKS = frozenset([",", ".", ";", "!", "?"])
_NEVER_SAID = frozenset(
    ["said", "say", "mentioned", "mention", "asked", "ask", "wanted", "requested", "told"]
)


def no_wish(tokens: Sequence[str], start: int) -> bool:
    """ "why a trench coat??", "I never said anything about musicals": a value questioned in a
    why clause, or one the user says they never asked for, is a complaint about a pick, not a
    wish either way (a "why not X" or "why no X" suggestion still is one)."""
    k = start - 1
    while k >= 0 and tokens[k] not in _SEGMENT_BREAKS:
        k -= 1
    segment = list(tokens[k + 1 : start])
    if (
        (segment[:1] and segment[0] in _WHY)
        or segment[:2] in (["how", "come"], ["what", "makes"])
        or asks_reason(segment)
    ):
        return not any(w in NEG_CUES or w.endswith("n't") for w in segment)
    if segment[:1] == ["which"] and segment[1:2] and segment[1] in _WHICH_OF:
        return True  # "which of these is the least scary": a question about the list
    if _use_question(segment, _asked(tokens, start)):
        return True  # "can I tumble dry a fleece?": how to use an item, not a wish for one
    if _names_one(segment, tokens[start:]):
        return True  # "the heist one was dull": a value naming a shown item, no wish
    stop = start
    while stop < len(tokens) and tokens[stop] not in _SEGMENT_BREAKS:
        stop += 1
    if _COMPARING.intersection(tokens[k + 1 : stop]):
        return True  # "brown puffer vs blue puffer": items weighed, no wish
    while stop < len(tokens) and tokens[stop] in _SEGMENT_BREAKS:
        stop += 1
    after = [w for w in tokens[stop : stop + 5] if w not in _SEGMENT_BREAKS]
    if after[:1] == ["why"] and len(after) <= 3:
        return True  # "a red rain jacket?? why on earth"
    return any(
        w == "never" and segment[i + 1 : i + 2] and segment[i + 1] in _NEVER_SAID
        for i, w in enumerate(segment)
    )


# Verbs of asking for items or shaping the list ("can you find me", "could we have", "can
# you drop the dramas"); a question "can/should/do + I/you/we + <other verb>" about an item
# asks how to use it ("can you put a parka in the washing machine?", "should I iron a
# fleece?"), so the values in it are no wish.
_LIST_VERBS = frozenset(
    """have get got see find show give recommend recomend suggest sell stock carry buy order try
    pick choose list offer do make want need like love enjoy prefer fancy watch look help send
    name point think search narrow filter add drop remove keep go swap change switch include
    exclude dig mind please trouble bring throw stick skip avoid grab hand mix start limit
    restrict focus lean tell explain check also just maybe still only really perhaps possibly
    kindly actually recommendations suggestions rec lend come expand widen
    tweak adjust sort rank replace trade exchange cut lose ditch scrap nix take leave rule
    aim go offer pull whip dig rustle line queue shortlist think reckon guess know steer stay
    keep avoid lay hold give""".split()  # noqa: SIM905
)  # fmt: skip
_USE_OPENERS = frozenset(["can", "could", "should", "do", "does", "is", "will", "how"])
_USE_SUBJECTS = frozenset(["i", "you", "u", "we", "one", "it"])
# "can it be horror?": "it" / "one" with a copula or "have" describes the item wanted, not a use
_WANTED_SUBJECTS = frozenset(["it", "one"])
_BE_OR_HAVE = frozenset(["be", "have", "feature", "include"])


def _use_question(segment: Sequence[str], asked: bool) -> bool:
    """The segment opens "how do/can/should + I/you/we" (any verb), or, asked with a question
    mark, "can/could/should/do + I/you/we + verb" with a verb that neither asks for items
    nor shapes the list (`_LIST_VERBS`)."""
    words = [w for w in segment if w not in _LEADING]
    how = words[:1] == ["how"]
    if how:
        words = words[1:]
        if words[:1] and words[0] in _USE_OPENERS and words[1:2] and words[1] in _USE_SUBJECTS:
            return True  # "how do I get a stain off a parka": how to, never a wish
    if not asked:
        return False
    if words[:2] in (["is", "it"], ["it", "is"]) and words[2:3] in (["ok"], ["okay"], ["safe"]):
        words = ["can", "i", *words[4:]] if words[3:4] == ["to"] else []
    if len(words) < 3 or words[0] not in _USE_OPENERS or words[1] not in _USE_SUBJECTS:
        return False
    verb = words[2]
    if words[1] in _WANTED_SUBJECTS and verb in _BE_OR_HAVE:
        return False  # "can it be horror?", "could one have a hood?": the item sought, described
    return verb.isalpha() and verb not in _LIST_VERBS and not verb.endswith("ly")


_TOPIC_OPENERS = frozenset(["and", "so", "ok", "okay", "honestly", "oh", "also", "but", "well"])
_WHY = frozenset(["why", "why'd", "why's", "whys", "whyd", "why're"])
_THE_ONE = frozenset(["the", "that", "this"])
_ARTICLES = frozenset(["a", "an", "the", "some", "any", "another", "more", "one"])


def _names_one(segment: Sequence[str], rest: Sequence[str]) -> bool:
    """ "the war one is overrated", "that cartoon one, why": a segment that opens on a definite
    "the/that/this ... one" names one item already shown; a value inside it describes that
    item and is no wish ("a war one", "the war ones" and "give me the war one" still ask)."""
    words = list(segment)
    while words[:1] and words[0] in _TOPIC_OPENERS:
        words = words[1:]
    if not words or words[0] not in _THE_ONE or len(words) > 3:
        return False
    if not all(w.replace("-", "").isalpha() and w not in _ARTICLES for w in words[1:]):
        return False  # "the list needs a war one": the value heads a phrase of its own
    for i, word in enumerate(rest[:5]):
        if word == "one":
            return i > 0 and all(w.replace("-", "").isalpha() for w in rest[1:i])
        if word in _SEGMENT_BREAKS or word in CLAUSE_BREAKS:
            return False
    return False


_WHICH_OF = frozenset(["of", "one", "one's", "is", "was", "would", "should", "'s", "two", "ones"])
_COMPARING = frozenset(["vs", "vs.", "versus", "compare", "compared", "comparing", "comparison"])
_CORRECTIONS = frozenset(["actually", "sorry", "wait", "scratch", "correction", "meant"])


def set_aside(tokens: Sequence[str], hit: ValueHit, hits: Sequence[ValueHit]) -> bool:
    """A value that is no wish either way, read on the whole turn: questioned (`no_wish`,
    whose clause may open before a subject that starts a new clause) or `corrected`."""
    return (
        no_wish(tokens, hit.start)
        or corrected(tokens, hit, hits)
        or who_watches(tokens, hit)
        or why_remark(tokens, hit.start)
    )


_OWNERS = frozenset(["my", "our", "the", "his", "her", "their", "your", "me", "mine"])
_OWNER_AFTER = frozenset(["for", "with", "to", "at", "about", "like", "of", "towards", "toward"])
_BE = frozenset(["is", "are", "'s", "'re", "was", "were"])
_HAVE = frozenset(["have", "has", "had", "'ve", "'d"])
_ADVERBS = frozenset(["already", "all", "both", "just", "never", "ever", "only", "now", "since"])


def _past(word: str) -> bool:
    """A past form of a verb ("seen", "watched", "adored", "outgrown")."""
    return (
        word.isalpha() and len(word) > 3 and (word.endswith(("ed", "en", "wn")) or word == "seen")
    )


def who_watches(tokens: Sequence[str], hit: ValueHit) -> bool:
    """ "my kids have seen all the new stuff", "the kids adored it", "my kid is 7": a value
    word after an owner that is the subject of a past viewing or of an age names who watches,
    not a wish ("for my kids", "with the kids" stay wishes, and so does the subject of a wish
    or of a plain verb: "my brother wants a parka", "my brother has two parkas")."""
    at = hit.start
    if at == 0 or tokens[at - 1] not in _OWNERS or hit.end >= len(tokens):
        return False
    if at > 1 and tokens[at - 2] in _OWNER_AFTER:
        return False
    k = hit.end
    if tokens[k] in _BE:
        return tokens[k + 1 : k + 2] != [] and tokens[k + 1].isdigit()  # "my kid is 7"
    if tokens[k] in _HAVE:
        k += 1
    while k < len(tokens) and tokens[k] in _ADVERBS:
        k += 1
    return k < len(tokens) and _past(tokens[k])


def corrected(tokens: Sequence[str], hit: ValueHit, hits: Sequence[ValueHit]) -> bool:
    """ "a thriller, sorry, I mean a mystery", "black bomber, actually make it brown", "a
    thriller — westerns, actually": a later value of the same attribute, after (or followed
    by) a correction word, replaces this one, which is then no wish."""
    for later in hits:
        if later.attribute != hit.attribute or later.start < hit.end:
            continue
        before = tokens[max(hit.end, later.start - 2) : later.start]
        if any(w in NEG_CUES or w.endswith("n't") for w in before):
            continue  # "a comedy, actually no horror": a new exclusion, the comedy stays
        between = list(tokens[hit.end : later.start])
        said = _CORRECTIONS.intersection(between) or any(
            pair in _CORRECTION_PAIRS for pair in itertools.pairwise(between)
        )
        after = [w for w in tokens[later.end : later.end + 3] if w not in PUNCT]
        if said or after[:1] == ["actually"]:
            return True
    return False


_CORRECTION_PAIRS = frozenset([("i", "mean"), ("or", "rather"), ("no", "wait")])


def other_wanted(tokens: Sequence[str], attribute: str) -> bool:
    """ "all black, boring. any other colour?", "a different genre than comedy": the turn
    asks for another value of the value's attribute, so the value said is turned down."""
    names: set[str] = set()
    for word in {attribute, *attribute.split("_")[-1:]}:
        for form in (word, word.replace("or", "our")):
            names |= {form, form.rstrip("s"), form.rstrip("s") + "s"}
    return any(
        w in ("other", "different", "another") and k + 1 < len(tokens) and tokens[k + 1] in names
        for k, w in enumerate(tokens)
    )


def value_negated(
    clause: Sequence[str],
    span: tuple[int, int],
    tokens: Sequence[str],
    attr: str,
    complaint: bool | None = None,
) -> bool:
    """Whether the value at `span` of its clause is turned down: a complaint's verdict when
    there is one ("cut the X"), else `negation_governs`, else a turn that asks for another
    value of the attribute (`other_wanted`), else a negated verb after it (`negated_after`)."""
    at, end = span
    if complaint is None and (_free_of(clause, end) or _gives_way(clause, end)):
        return True  # "romance-free", "could the comedies make way for a crime film"
    if complaint is None and (out_removal(clause, at) or passed_over(clause, at)):
        return True  # "swap out the comedies for ...", "I'd prefer mysteries over thrillers"
    said = complaint if complaint is not None else negation_governs(clause, at)
    if said is False and complaint is None:
        said = _listed_negation(clause, at, end)
    if said is False and complaint is None:
        said = other_wanted(tokens, attr)
    return bool(said) or negated_after(clause, at, end)


_LIST_JOINS = frozenset(["or", "nor", "and"])
_HEAD_NOUNS = frozenset(["movie", "movies", "film", "films", "one", "ones", "stuff", "kind"])
_OBJECT_AFTER_FREE = frozenset(["of", "from", "to", "for", "on", "with", "at", "in"])


def _free_of(clause: Sequence[str], end: int) -> bool:
    """ "romance-free", "a gore free horror": "free" right after a value (not "free of X",
    "free to stream") says the value is left out."""
    after = list(clause[end : end + 2])
    return after[:1] == ["free"] and not (after[1:] and after[1] in _OBJECT_AFTER_FREE)


# "X make way for Y", "X give way to Y", "X step aside": the value yields its place.
_YIELDS = frozenset(
    [("make", "way"), ("makes", "way"), ("give", "way"), ("gives", "way"), ("step", "aside"),
     ("steps", "aside"), ("move", "over"), ("take", "a"), ("be", "replaced"), ("get", "replaced"),
     ("go", "away"), ("be", "dropped"), ("get", "dropped"), ("be", "swapped"), ("get", "swapped")]
)  # fmt: skip


def _gives_way(clause: Sequence[str], end: int) -> bool:
    """The value (with its head noun) is the subject of a verb of yielding its place ("could
    the comedies make way for something else", "let the westerns step aside")."""
    k = end
    while k < len(clause) and clause[k] in _HEAD_NOUNS:
        k += 1
    pair = tuple(clause[k : k + 2])
    if pair == ("take", "a"):
        rest = clause[k + 2 : k + 4]
        return rest == ["back", "seat"] or rest[:1] == ["break"]  # "take a back seat"
    return pair in _YIELDS


def _listed_negation(clause: Sequence[str], at: int, end: int, depth: int = 0) -> bool:
    """ "isn't black, gray or beige": one-word values in a comma list that closes with or/nor
    share the negation of its first member (a plain "no horror, comedy" is no list)."""
    if depth > 6 or at < 2 or end - at != 1:
        return False
    sep = clause[at - 1]
    if sep == ",":
        closes = end < len(clause) and clause[end] in _LIST_JOINS | {","}
    elif sep in _LIST_JOINS:
        closes = at >= 3 and clause[at - 3] == ","
    else:
        return False
    if not closes:
        return False
    if negation_governs(clause, at - 2) is True:
        return True
    return _listed_negation(clause, at - 2, at - 1, depth + 1)
