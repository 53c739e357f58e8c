"""The wish words of a turn no slot placed, grouped into phrases as the user typed them.

What the reply says it could not place ("I could not place 'set on a plane or a train'") and
what the text query searches for. Which single words may be a wish is `agent.nlu_filler`'s
call; this module joins them into phrases and gives each phrase its extent, read from the
sentence: the preposition, negation or comparative that opens it, and the relative clause or
prepositional phrase it belongs to, up to the end of that clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from agent.nlu_cues import NEG_CUES, STOPWORDS
from agent.nlu_extent import RELATIVES, bare_verb, clause_extent, gerund, turn_length
from agent.nlu_filler import quality_word
from agent.nlu_modifier import GOES_ON, modifier_start
from agent.nlu_typos import short_words

_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")


def _lettered(word: str) -> bool:
    """Letters and digits in one word that is no ordinal ("ww2", "1800s", not "2nd")."""
    return word.isalnum() and any(c.isalpha() for c in word) and not _ORDINAL.fullmatch(word)


def unplaced_phrases(
    spans: Sequence[tuple[str, int, int]],
    used: set[int],
    covered: str,
    wishes: set[int],
    text: str,
    tokens: Sequence[str],
    headed: Callable[[int], bool],
    attribute_nouns: Collection[str] = (),
    as_typed: Sequence[str] = (),
) -> list[tuple[str, int]]:
    """Content words no slot or cue consumed, standing where a wish can (`agent.nlu_filler`):
    what the reply says it could not place. Neighbours joined by a space or a hyphen make one
    phrase ("happy ending", "feel-good"), as the user typed it, with a comparative or negation
    that turns it ("less grim"); each phrase comes with the length of that turning prefix. A
    phrase that modifies the name of a catalog attribute (`attribute_nouns`: "less flashy
    *colours*") keeps that noun: it says what the wish is about. `as_typed`: the words before
    typos were repaired ("Streep", not "street"), when they match the tokens one for one."""
    out: list[tuple[int, str]] = []
    short = short_words()
    typed = [word for word, _, _ in spans]  # "arent gory" is repeated as typed, not "aren't"
    if len(as_typed) == len(typed):
        typed = list(as_typed)  # "starring Meryl Streep", not the repaired "street"

    def chat(word: str) -> bool:  # "a gud mystery": chat spelling, no wish
        return len(word) == 3 and word.isalpha() and bool(short) and word not in short

    def glued(i: int) -> bool:  # "kid-friendly": a word hyphened to a placed value is its
        before = i > 0 and i - 1 in used and covered[spans[i - 1][2] : spans[i][1]] == "-"
        after = i + 1 < len(spans) and i + 1 in used
        return before or (after and covered[spans[i][2] : spans[i + 1][1]] == "-")

    def free(i: int, anywhere: bool = False) -> bool:
        word, start, end = spans[i]
        return (
            i not in used
            and (anywhere or i in wishes)
            and bool(covered[start:end].strip())
            and (word.isalpha() or _lettered(word))
            and not chat(word)
            and not glued(i)
        )

    def hyphened(i: int) -> bool:  # "feel-good": a compound of common words is one wish
        after = spans[i + 1][1] if i + 1 < len(spans) else spans[i][2]
        return (i > 0 and free(i - 1, True) and covered[spans[i - 1][2] : spans[i][1]] == "-") or (
            i + 1 < len(spans) and free(i + 1, True) and covered[spans[i][2] : after] == "-"
        )

    for index, (word, _, _) in enumerate(spans):
        if word.isascii() and free(index, True) and hyphened(index):
            out.append((index, word))
            continue
        if not free(index):
            continue
        if (
            word in STOPWORDS
            or word in NEG_CUES
            or word in RELATIVES
            or len(word) < 3
            or not word.isascii()
        ):
            continue
        out.append((index, word))

    def joined(j: int) -> bool:  # "w/o subtitles", "w/ twist" as typed
        return j + 1 < len(spans) and text[spans[j][2] : spans[j + 1][1]] in (" ", "/", "/ ")

    runs: list[list[int]] = []  # token positions of each phrase, neighbours joined
    for k, (index, _) in enumerate(out):
        prev = out[k - 1][0] if k else -2
        if prev == index - 1 and covered[spans[prev][2] : spans[index][1]] in (" ", "-"):
            runs[-1].append(index)
        else:
            runs.append([index])
    for r in range(len(runs) - 1, 0, -1):  # "black and white ones", "in black and white"
        before, after = runs[r - 1], runs[r]
        bridged = after[0] == before[-1] + 2 and tokens[before[-1] + 1] == "and"
        if bridged and joined(before[-1]) and joined(before[-1] + 1):
            introduced = modifier_start(tokens, before[0], joined) < before[0]
            if headed(after[-1] + 1) or introduced:
                runs[r - 1 : r + 1] = [[*before, before[-1] + 1, *after]]
    split = []
    for run in runs:  # "a quirky indie comedy": two qualities of the item, two wishes
        stacked = len(run) >= 2 and headed(run[-1] + 1) and covered[spans[run[0]][2]] == " "
        if (
            stacked
            and _adjective(tokens[run[0]])
            and modifier_start(tokens, run[0], joined) == run[0]
        ):
            split += [[run[0]], run[1:]]
        else:
            split.append(run)
    runs = split
    blocked = {
        i for i in range(len(spans)) if i in used or not covered[slice(*spans[i][1:])].strip()
    }
    placed: list[tuple[int, int, str, int]] = []  # first, last token, phrase, turn length
    last = -1
    contrasts = _contrasts(tokens, used | blocked, joined)  # "more creepy than bloody"
    runs = [r for r in runs if not any(a <= r[-1] and r[0] <= b for a, b, _ in contrasts)]
    for run in runs:
        if run[-1] <= last:
            continue  # inside the clause or phrase the previous wish ran over
        words_ = [typed[i] for i in run]
        first = modifier_start(tokens, run[0], joined, headed(run[-1] + 1))
        if first <= last:  # "set" then "set in paris": the longer phrase stands
            placed.pop()
        elif (
            placed
            and first == last + 1
            and tokens[first] in GOES_ON
            and joined(last)
            and not (tokens[first] == "for" and gerund(tokens[first + 1 : first + 2]))
        ):
            start, _, said, turn = placed.pop()  # "with a twist at the end": one phrase goes on
            placed.append((start, run[-1], " ".join([said, *typed[first : run[0]], *words_]), turn))
            last = run[-1]
            continue
        if tokens[first] == "at":
            first = run[0]  # "at the moment": "at" opens a wish only after "set" or another
        wide = clause_extent(tokens, first, run[0], run[-1], blocked, headed(run[-1] + 1))
        if wide is not None and bare_verb(tokens, *wide, blocked):
            last = wide[1]  # "that feels [like Fargo]": the clause's object is placed
            continue
        if wide is not None:
            first, end = wide
            while placed and placed[-1][0] >= first:
                placed.pop()  # "about a couple" then "falling apart": one phrase
            said = " ".join(typed[first : end + 1])
            placed.append((first, end, said, turn_length(tokens, first, end, typed)))
            last = end
            continue
        intro = " ".join(typed[first : run[0]])  # "less ", "with a ": they count in
        end = run[-1]
        if end + 1 < len(tokens) and tokens[end + 1] in attribute_nouns and joined(end):
            end += 1  # "lighter colours": the attribute the wish is about
            words_.append(tokens[end])
        elif intro and tokens[end + 1 : end + 2] == ["stuff"] and joined(end):
            end += 1  # "less period costume stuff", "without any of the gory stuff": its head
            words_.append(typed[end])
        said = f"{intro} {' '.join(words_)}".strip()
        placed.append((first, end, said, len(intro) + bool(intro)))
        last = end
    placed += [(a, b, " ".join(typed[a : b + 1]), turn) for a, b, turn in contrasts]
    placed = [_relativised(tokens, typed, p, joined) for p in sorted(placed)]
    return list(dict.fromkeys((said, turn) for _, _, said, turn in placed))


# Relative pronouns that open a clause whose verb is a negated copula ("a war film *that
# isn't* set in a jungle"), and the copulas: the convention keeps the pronoun in the wish.
_RELATIVISERS = frozenset(["that", "which", "who"])
_NEGATED_COPULAS = frozenset(
    [
        *("isn't", "aren't", "isnt", "arent", "wasn't", "weren't", "wasnt", "werent"),
        *("doesn't", "don't", "doesnt", "dont"),
    ]
)
_FUSED = frozenset(["that's", "thats", "that're", "who's", "whos"])  # "that's not too long"


def _relativised(
    tokens: Sequence[str],
    typed: Sequence[str],
    placed: tuple[int, int, str, int],
    joined: Callable[[int], bool],
) -> tuple[int, int, str, int]:
    """A wish that opens with a negated copula keeps the relative pronoun before it ("that
    aren't super violent", "that's not too long"): the labelling convention keeps the words
    that introduce a wish (tests/data/nlu/README.md, settled convention 5)."""
    first, end, said, turn = placed
    back = 0
    before = tokens[first - 1] if first >= 1 else ""
    if (tokens[first] in _NEGATED_COPULAS and before in _RELATIVISERS) or (
        tokens[first] == "not" and before in _FUSED
    ):
        back = 1
    elif (
        tokens[first] == "not"
        and first >= 2
        and tokens[first - 1] in ("is", "are", "was", "were")
        and tokens[first - 2] in _RELATIVISERS
    ):
        back = 2
    if not back or not all(joined(k) for k in range(first - back, first)):
        return placed
    intro = " ".join(typed[first - back : first])
    return first - back, end, f"{intro} {said}", turn + len(intro) + 1


# A bound on a number ("under 50 quid", "below 2 hours"): with no attribute to hold it, the
# whole bound is a wish the catalog cannot express.
_BOUND = re.compile(
    r"\b(?:under|below|over|above|less than|more than|at most|at least|max(?:imum)?|"
    r"no more than|up to)\s+[£$€]?\d+(?:[.,]\d+)?(?:\s*(?:[a-z]+))?",
    re.IGNORECASE,
)
# Words that may turn a wish the catalog cannot hold: "not too pricey", "a bit cheaper".
_TURNING = frozenset(["not", "too", "so", "very", "bit", "a", "little", "much", "way", "even"])


def unsupported_wishes(
    text: str,
    unsupported: Sequence[tuple[str, str]],
    consumed: Sequence[tuple[int, int]],
    function_words: Collection[str],
) -> list[str]:
    """Wishes about an attribute this catalog lacks, as typed: a relative word the number
    readers found no attribute for ("cheaper", "not too pricey": `unsupported`, with the
    negation or degree before it) and a numeric bound no reader consumed ("under 50 quid":
    `consumed` are the character spans the readers took). They are told apart from the
    reply's own note about the missing attribute; the labels count them as unplaced."""
    out: list[str] = []
    low = text.lower()
    for phrase, kind in unsupported:
        if kind == "year":
            continue  # "an old man", "a new jacket": age words without dates say no wish
        for m in re.finditer(rf"\b{re.escape(phrase.lower())}\b", low):
            start = m.start()
            before = low[:start].split()
            while before and before[-1] in _TURNING:
                start = low.rfind(before.pop(), 0, start)
            out.append(" ".join(re.findall(r"[\w']+", low[start : m.end()])))
    for m in _BOUND.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in consumed):
            continue
        words_ = re.findall(r"[\w']+", m.group(0).lower())
        if words_[-1] in function_words and not words_[-1].isdigit():
            words_ = words_[:-1]  # "under 80 if possible": the unit is no word of the bound
        out.append(" ".join(words_))
    return list(dict.fromkeys(out))


def attribute_nouns(names: Collection[str]) -> frozenset[str]:
    """The words that name a catalog attribute ("color" -> color, colour, colors, colours;
    "jacket_type" -> type, types): a wish word before one describes that attribute."""
    out: set[str] = set()
    for name in names:
        word = name.lower().split("_")[-1]
        if not word.isalpha() or len(word) < 3:
            continue
        for form in {word, word.replace("or", "our")}:
            out.update((form, form + "s"))
    return frozenset(out)


_MORE = frozenset(["more", "less"])
# Words after "than" that compare with something said or shown, not with a quality.
_POINTERS = frozenset(
    [
        *("these", "those", "them", "that", "this", "it", "the", "usual", "before", "ever"),
        *("last", "i", "you", "we", "what", "anything", "something", "average", "normal"),
    ]
)


def _contrasts(
    tokens: Sequence[str], blocked: Collection[int], joined: Callable[[int], bool]
) -> list[tuple[int, int, int]]:
    """Two qualities weighed in one comparative frame: "more creepy than bloody",
    "bittersweet more than sad", "creepy rather than gory" (first, last token, and the length
    of the turning word "more " the text query leaves out). The side weighed against is a
    plain word no slot placed ("creepy" may name a value, which stays placed too); "more than
    these" or "more action than romance" (a value against) are no contrast."""

    def quality(k: int, placed: bool = False) -> bool:  # placed: may be a value's synonym
        t = tokens[k] if 0 <= k < len(tokens) else ""
        return (
            t.isalpha()
            and len(t) >= 3
            and (placed or k not in blocked)
            and t not in STOPWORDS
            and t not in _POINTERS
            and t not in NEG_CUES
        )

    out: list[tuple[int, int, int]] = []
    for t, word in enumerate(tokens):
        if word != "than" or t < 2 or not all(joined(j) for j in (t - 2, t - 1, t)):
            continue
        if not (quality(t + 1) and (t + 2 >= len(tokens) or not tokens[t + 2].isalpha())):
            continue  # one plain word after "than", closing its clause
        if tokens[t - 1] in ("more", "rather") and quality(t - 2, True):
            out.append((t - 2, t + 1, 0))  # "bittersweet more than sad"
        elif tokens[t - 2] in _MORE and quality(t - 1, True):
            out.append((t - 2, t + 1, len(tokens[t - 2]) + 1))  # "more creepy than bloody"
    return out


# "too grim", "a bit too slacker-y", "way too long": an excess said of the list on screen.
_EXCESS = re.compile(r"(?:(?:a\s+)?(?:bit|little|way|far|much)\s+)?too\s", re.IGNORECASE)


def without_complaints(
    said: Sequence[tuple[str, str]], listed: bool, others: bool
) -> list[tuple[str, str]]:
    """The wishes (phrase, bare words) less the complaints about the list shown ("too grim
    all of these, any war films that end on a hopeful note"): what was too much of the list
    is no wish when the turn says what it wants instead (`others`: another slot or wish). A
    complaint said alone ("these are all too violent for me") is the only wish the turn
    carries, and stays."""
    if not listed:
        return list(said)
    rest = [(p, b) for p, b in said if not _EXCESS.match(p)]
    return rest if rest or others else list(said)


def _adjective(word: str) -> bool:
    """A word that ends like an adjective of quality ("quirky", "thoughtful", "epic"), not a
    comparative or a participle ("lighter", "coming"), which build phrases of their own."""
    return quality_word(word) and not word.endswith(("er", "ing", "ed"))
