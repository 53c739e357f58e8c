"""Item references by title, and the reference record every finder of `agent.nlu_refs` fills.

Split from `agent.nlu_refs` (kept under the module size limit) along its one seam: finding a
title the catalog knows (typed whole, in a bracket-picked variant, misspelt after a cue, or
made only of attribute values) and reporting a title-like phrase the catalog lacks ("something
like The Matrix") is read from the catalog's titles and the cue words before them;
`agent.nlu_refs` finds references to the list just shown (its places, its items' words,
pronouns) and orders everything. Both give a reference its role the same way, so the record
(`Refs`), the clause cut and `role_of` live here, in the lower module: a taste reference ("like
Fargo", "fans of Fargo", "people like me loved Fargo"), an exclusion ("not Fargo"), an item
just shown, or the subject of the turn ("why Fargo?", "I loved Fargo").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agent.nlu_feedback import (
    DISLIKE_FEEDBACK,
    LIKE_FEEDBACK,
    THIRD_PERSON_JUDGED,
    THIRD_PERSON_LOVED,
    FeedbackKind,
    feedback_kind,
    postfix_verdict,
    unknown_subject,
)
from agent.nlu_unknown import (
    FOND_BEFORE,
    framed_titles,
    listed_after,
    name_at,
    plain_words,
    questioned_title,
    suffixed_titles,
)
from agent.parse import ItemRef, TitleRole
from agent.vocab import Vocabulary, normalise, title_key, tokenize, written_as_title

__all__ = [
    "CLAUSE_SPLIT",
    "FUNCTION_WORDS",
    "LIKENESS",
    "TASTE_AFTER",
    "Refs",
    "clause_before",
    "covered",
    "fuzzy_and_unknown",
    "generic_titles",
    "named_titles",
    "role_of",
]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# likeness frames whatever their noun: "in the same league as", "scratches the same itch as",
# "the same type of humour as", "in the manner of", "more in the direction of", "the sort of
# thing #1 and #2 are"; not a measure ("the same length as", "the same year as")
LIKENESS = (
    r"(?<!\bnot )(?<!\bnot quite )\bthe\s+same(?!\s+(?:length|size|year|age|price|cost|day"
    r"|time|director|cast|actors?|budget|runtime|running time|rating|score|decade|studio|number"
    r"|place|position|spot|rank)\b)(?:\s+[\w'-]+){1,3}?\s+(?:as|to)"
    r"|\bin\s+the\s+(?:same\s+)?(?:manner|direction|tradition|footsteps|school|territory|register|key"
    r"|mode|spirit|vein|style|mould|mold|line|league|class)\s+(?:of|as)"
    r"|(?<!what )(?<!which )\b(?:the|that|this)\s+(?:sort|kind|type)\s+of\s+(?:thing|stuff|films?"
    r"|movies?|pictures?)(?:\s+(?:that|which))?"
)
_TASTE_BEFORE = _rx(
    r"(?:(?<!\bi )(?<!\bi really )(?<!\bwe )(?<!\byou )(?<!\bthey )(?<!\bi'd )(?<!\bwould )(?<!\bdo )(?<!\bdon't )(?<!\bdidn't )(?<!\bi also )(?<!\bi do )(?<!\bdont )(?<!\bdidnt )(?<!\bnot )(?<!\breally )(?<!\bdoesn't )(?<!\bdoesnt )\blike|similar (?:ones |stuff |things |movies |films )?to|such as|in the vein of|reminds? me of|along the lines of|the style of|akin to|close (?:\w+ ){0,3}to|closer(?: to)?|nearer(?: to)?|comparable to|goes well with|(?:anywhere|somewhere|anything|something|nothing)\s+near|after (?:watching|seeing|rewatching)|version of|same (?:feel|mood|tone|style|spirit|flavou?r|energy|texture|atmosphere) as|(?<!not a )(?<!\bno )fans? of|lovers? of|if you liked|if you loved|if you know|same vibe as|vibe of|more of|kind of like|sort of like|a la|à la|in the spirit of|just like|things like|stuff like|(?:the )?feel of|in the (?:line|mould|mold) of|"
    + LIKENESS
    # "..., think Lost in Translation", "thinking of Fargo": an imperative "think" opening a
    # clause names the film the user has in mind
    + r"|(?:^|[,;:.!?\u2013\u2014]\s*|\s-\s*|\bbut\s+)(?:(?:i'?m|i was|we'?re)\s+)?think(?:ing)?"
    r"(?:\s+(?:more\s+)?(?:of|along the lines of))?" + r")"
    r"(?:\s+(?:that|this|those|these|the))?(?:\s+(?:the\s+)?(?:movie|film))?\s*['\"“‘]?\s*$"
)
# a cue after the item: "Toy Story fans", "the GoodFellas mould", "#1 vibe", "Chinatown's
# mood", "the chinatown kind"
TASTE_AFTER = _rx(
    r"['’]?s?\s*(?:-\s*)?(?:fans?|lovers?|mould|mold|vibes?|type|style|esque|-like|ish)\b"
    r"|\s+(?:is|was|'s|are)\s+(?:the|my|our|your|exactly the|a good|a)\s+(?:(?:gold|usual)\s+)?"
    r"(?:vibe|mood|template|blueprint|benchmark|yardstick|touchstone|reference(?:\s+point)?"
    r"|standard|starting point|model|north star)\b"
    r"|['’]s\s+(?:(?:whole|general|overall)\s+)?(?:mood|feel|feeling|tone|atmosphere|spirit"
    r"|energy|humou?r|sensibility|aesthetic|flavou?r|kind of (?:thing|film|movie)|world"
    r"|direction|vein|territory|wheelhouse|league|lane|footsteps|mould|mold|tradition|dna)\b"
    r"|\s+(?:territory|family of|school of|universe|wheelhouse|itch)\b"
    r"|\s+(?:kind|sort)\b(?!\s+of\b)"
)
_EXCLUDE_BEFORE = _rx(
    r"\b(not|no|no more|enough(?: of)?|less of|fewer|stop (?:showing|suggesting|recommending)(?: me)?|drop|cut|except|anything but|other than|besides|apart from|without|skip|exclude|nothing like)(?:\s+(?:the|that|those|these|any|more))?\s+['\"“‘]?$"
)
_SENTENCE_START_TITLE = _rx(
    r"\s*(?:[,?!.]|$|is\b|was\b|or\b|and\b|vs\.?|versus\b|seemed\b|compared\b|against\b)"
)
FUNCTION_WORDS = frozenset([
    "a", "an", "the", "it", "is", "in", "on", "of", "to", "and", "or", "i", "me", "my",
    "you", "we", "he", "she", "they", "this", "that", "one", "something", "anything",
    "all", "about", "love", "like", "more", "less", "what", "when", "where", "who",
    "how", "not", "no", "yes", "some", "any",
])  # fmt: skip
CLAUSE_SPLIT = re.compile(
    r"[.;!?]|,\s*(?:but|and|though)\b|\bbut\b|\bhowever\b|\bthough\b"
    # a dash between words: "these are too old - I liked X" (a remark on the list, then X)
    r"|\s[-\u2013\u2014]+\s"
    # a comma before a new verdict ("loved Emma, couldn't stand Fargo"; not "Fargo and Heat,
    # loved both") or a new subject with its own ("X is nice, the black parka less so")
    r"|,\s*(?=(?:the|that|this)(?:\s+\w+){1,3}?\s+(?:is|was|less|not|=|looks?)\b)"
    r"|,\s*(?=(?:(?:i|we)\s+)?(?:couldn'?t|can'?t|didn'?t|don'?t|never|loved|liked|hated|"
    r"disliked|enjoyed|adored)\b(?!\s+(?:them\s+)?(?:both|all|each)\b))",
    re.IGNORECASE,
)


@dataclass
class Refs:
    """The references found in one turn."""

    refs: list[tuple[float, ItemRef]] = field(default_factory=list)  # (char position, ref)
    title_tokens: set[int] = field(default_factory=set)  # token positions inside titles
    blank: list[tuple[int, int]] = field(default_factory=list)  # char spans of titles/ordinals
    unknown_titles: list[str] = field(default_factory=list)
    feedback: list[tuple[str, FeedbackKind]] = field(default_factory=list)
    focus_guess: bool = False  # feedback given to the item in focus though no item is named

    def ordered(self) -> list[ItemRef]:
        """References in order of mention, one per item (the first role wins)."""
        seen: dict[str, ItemRef] = {}
        for _, ref in sorted(self.refs, key=lambda r: r[0]):
            seen.setdefault(ref.item_id, ref)
        return list(seen.values())


def clause_before(text: str, pos: float) -> str:
    """The clause up to a character position (at most 80 characters): its cue words give
    the role of what follows."""
    end = int(pos)
    before = text[max(0, end - 80) : end]
    parts = CLAUSE_SPLIT.split(before)
    return parts[-1] if parts else before


def role_of(text: str, pos: int, item_id: str, shown: Sequence[str]) -> TitleRole:
    """The role of the item referred to at `pos`, read from the words before it in its clause."""
    before = clause_before(text, pos)
    if _TASTE_BEFORE.search(before) or THIRD_PERSON_LOVED.search(before):
        return TitleRole.TASTE
    if THIRD_PERSON_JUDGED.search(before) and not DISLIKE_FEEDBACK.search(text, pos, pos + 80):
        return TitleRole.TASTE  # "someone who thought Heathers was hilarious"
    if _EXCLUDE_BEFORE.search(before):
        return TitleRole.EXCLUDE
    if item_id in shown:
        return TitleRole.SHOWN
    return TitleRole.SUBJECT


_FEEDBACK_VERB_BEFORE = _rx(
    r"\b(?:seen|watched|saw|loved|liked|hated|disliked|enjoyed|adored"
    # a weighing: "how does it stack against trainspotting", "better than fargo"
    r"|than|against|vs\.?|versus|between|apart from|compared? (?:to|with)|compare with)\s+$"
)
_OPENS_SENTENCE = re.compile(r"(?:^|[.!?])\s*$")
_FAVOURITE_AFTER = _rx(
    r"\s+(?:is|was)\s+(?:a|one of|my|an)\s+(?:\w+\s+)?(?:all[\s-]time\s+)?favou?rites?\b"
)


def _taste_named(text: str, start: int, end: int, phrase: Sequence[str], vocab: Vocabulary) -> bool:
    """ "like fargo", "fargo is a favourite of mine": a one-word title typed in lower case
    still counts when a taste cue governs it (and it is no attribute value, like "drama")."""
    if not phrase or any(True for _ in vocab.find_values([w.lower() for w in phrase])):
        return False
    before = clause_before(text, start)
    return bool(
        _TASTE_BEFORE.search(before)
        or _FEEDBACK_VERB_BEFORE.search(before)  # "seen fargo already", "loved fargo"
        or _FAVOURITE_AFTER.match(text, end)
        or TASTE_AFTER.match(text, end)  # "the chinatown kind", "fargo fans"
        or (_OPENS_CLAUSE.search(before) and postfix_verdict(text, end) is not None)
    )  # "unforgiven yes, tombstone no"


_OPENS_CLAUSE = re.compile(r"(?:^|[.!?;,]\s*)$")


_ASKS_ABOUT = _rx(
    r"\b(?:why|how come|compare|vs\.?|versus|which|or|difference|what makes|what about|"
    r"tell me (?:more )?about|explain|justify|reasons?|reasoning)\b"
    # "y is babe on here", "what's tombstone doing there", "what drew you to X"
    r"|\by\s+(?:is|was|did|does|are)\b|\b(?:y|why)\s+(?:(?:r|are|did|do)\s+)?(?:u|you)\s+\w+ing\b|\bdoing\s+(?:there|here|on)\b|\bon\s+(?:here|there)\b"
    r"|\bwhat\s+(?:drew|led|made|brought|got)\s+(?:you|u)\b"
)


def named_titles(
    text: str,
    spans: Sequence[tuple[str, int, int]],
    vocab: Vocabulary,
    shown: Sequence[str],
    out: Refs,
) -> None:
    """Titles the catalog knows, typed whole: a one-word title, or one of function words only
    ("Heat", "It"), counts when written like a title, liked by name, or shown and asked about."""
    tokens = [t for t, _, _ in spans]
    shown_set = set(shown)
    # "why candyman?", "psycho vs the shining": a shown title typed in lower case, in a
    # question about the list or in feedback, is that item
    talks_about_list = bool(_ASKS_ABOUT.search(text) or feedback_kind(text) is not None)
    for start, end, ids in vocab.find_titles(tokens):
        phrase = [t for t in tokens[start:end] if t[:1].isalnum()]
        needs_caps = end - start == 1 or all(w in FUNCTION_WORDS for w in phrase)
        char_start, char_end = spans[start][1], spans[end - 1][2]
        opens = _OPENS_SENTENCE.search(text[:char_start]) is not None
        at_start = opens and text[char_start : char_start + 1].isupper()
        starts_sentence = at_start and _SENTENCE_START_TITLE.match(text, char_end) is not None
        if (
            needs_caps
            and not (written_as_title(phrase[0], text) or starts_sentence)
            and not _taste_named(text, char_start, char_end, phrase, vocab)
            and not (shown_set.intersection(ids) and talks_about_list)
        ):
            continue  # "Heat" or "It" count only when written like a title (or liked by name)
        if end - start == 1 and _AMPERSAND.match(text, char_end):
            continue  # "Batman & Robin": the start of a longer title (`nlu_short_titles`)
        if _OWNED.search(text[:char_start]) and not any(
            c.isupper() for c in text[char_start:char_end]
        ):
            continue  # "my son-in-law keeps talking about ...": a person, not "Son in Law"
        picked, char_end = _by_bracket(ids, vocab, text, char_end)
        chosen = picked or next((i for i in ids if i in shown_set), ids[0])
        role = role_of(text, char_start, chosen, shown)
        out.refs.append((char_start, ItemRef(chosen, role, text[char_start:char_end])))
        out.title_tokens.update(range(start, end))
        out.blank.append((char_start, char_end))


_AMPERSAND = re.compile(r"\s*&\s*\w")
_OWNED = _rx(r"\b(?:my|your|his|her|our|their)\s+$")
_BRACKET_AFTER = re.compile(r"\s*\(([^()]{1,40})\)")
_LAST_BRACKET = re.compile(r"\(([^()]*)\)\s*$")


def _by_bracket(
    ids: Sequence[str], vocab: Vocabulary, text: str, end: int
) -> tuple[str | None, int]:
    """The item a bracket typed after a title picks among those sharing it ("(style 4)",
    "(1995)"), and where the reference ends; (None, end past a year) when it picks none."""
    m = _BRACKET_AFTER.match(text, end)
    if not m:
        return None, end
    said = normalise(m.group(1))
    for item_id in ids:
        own = _LAST_BRACKET.search(vocab.title_of(item_id))
        if own and normalise(own.group(1)) == said:
            return item_id, m.end()
    return None, m.end() if re.fullmatch(r"\d{4}", m.group(1).strip()) else end


def generic_titles(
    text: str,
    spans: Sequence[tuple[str, int, int]],
    vocab: Vocabulary,
    shown: Sequence[str],
    out: Refs,
) -> None:
    """Titles made only of attribute values ("Women's black rain jacket (style 4)") name an
    item when a taste or liking cue governs them ("I loved ...", "similar to ...") or their
    own bracket follows; otherwise their words stay wishes ("a men's black jacket")."""
    tokens = [t for t, _, _ in spans]
    shown_set = set(shown)
    for start, end, ids in vocab.find_titles(tokens, generic=True):
        if out.title_tokens.intersection(range(start, end)):
            continue
        char_start, char_end = spans[start][1], spans[end - 1][2]
        if covered(out, char_start, char_end):
            continue
        picked, ref_end = _by_bracket(ids, vocab, text, char_end)
        before = clause_before(text, char_start)
        cued = (
            _TASTE_BEFORE.search(before)
            or THIRD_PERSON_LOVED.search(before)
            or LIKE_FEEDBACK.search(before)
            or _FAVOURITE_AFTER.match(text, char_end)
        )
        if not (cued or picked):
            continue
        chosen = picked or next((i for i in ids if i in shown_set), ids[0])
        role = role_of(text, char_start, chosen, shown)
        out.refs.append((char_start, ItemRef(chosen, role, text[char_start:ref_end])))
        out.title_tokens.update(range(start, end))
        out.blank.append((char_start, ref_end))


def covered(out: Refs, start: int, end: int) -> bool:
    """Whether a character span overlaps one already taken by a found reference."""
    return any(s < end and start < e for s, e in out.blank)


_NAMED_AFTER = _rx(  # "my fave film is X", "compare Jaws with X", "Jaws vs X"
    r"(?:\b(?:fave|favou?rite)\s+(?:film|movie|one|book|title)?\s*(?:is|was|:)"
    r"|\bcompared?\s+(?:\S+\s+){0,3}?(?:with|to)|\bvs\.?|\bversus)\s+['\"“‘]?$"
)


_DESCRIBED = _rx(r"\s+(?:one|ones|film|films|movie|movies|flick|thing)\b")


def fuzzy_and_unknown(text: str, vocab: Vocabulary, shown: Sequence[str], out: Refs) -> None:
    """After a taste or feedback cue: a misspelt title (fuzzy), or a title the catalog lacks."""
    cues = [m for m in re.finditer(r"\S+", text)]
    for word in cues:
        before = text[max(0, word.start() - 80) : word.start()]
        if not (
            _TASTE_BEFORE.search(before)
            or THIRD_PERSON_LOVED.search(before)
            or re.search(
                r"(?:^\W*|\b(?:i|we)(?:'ve|\s+have(?:n'?t|\s+not)?|\s+never|\s+had|'d)?\s+)"
                r"(?:(?:really|also|already|never|not|haven'?t|have not|just|\w+ly)\s+)?(?:loved|liked"
                r"|enjoyed|adored|hated|disliked|detested|loathed|saw|watched|seen|rewatched"
                # a judgement of an object or a viewing done: "I found X smug", "finished X"
                r"|found|thought|considered|finished|binged|caught)\s+['\"“‘]?$",
                before,
                re.I,
            )
            or _NAMED_AFTER.search(before)
            or FOND_BEFORE.search(before)  # "mad about Frozen", "hooked on Sherlock"
        ):
            continue
        if covered(out, word.start(), word.end()):
            continue
        rest = re.split(
            r"[,.;!?]|\s(?:but|and|or|though|because|with|from|that|which|only|except)\s",
            text[word.start() :],
        )[0]
        rest_words = rest.split()[:8]
        if not rest_words or normalise(rest_words[0]) in (
            "me",
            "you",
            "that",
            "this",
            "it",
            "those",
            "these",
            "them",
        ):
            continue
        match = None
        for n in range(len(rest_words), 0, -1):
            phrase = " ".join(rest_words[:n])
            if n == 1 and len(normalise(phrase)) < 5:
                break
            match = vocab.fuzzy_title(phrase)
            if match is not None:
                break
        if match is not None:
            _key, ids, _score = match
            chosen = next((i for i in ids if i in shown), ids[0])
            end = word.start() + len(" ".join(rest_words[:n]))
            role = role_of(text, word.start(), chosen, shown)
            out.refs.append((word.start(), ItemRef(chosen, role, text[word.start() : end])))
            out.blank.append((word.start(), end))
            continue
        at = word.start()
        article = re.match(r"(?:the|an?)\s+(?=[A-Z])", text[at:])
        if article and vocab.titles.get(title_key(text[at:].split(",")[0])) is None:
            at += article.end()  # "like the Golden Dragon": the title starts after "the"
        cand = name_at(text, at)
        if cand and covered(out, at, cand[1]):
            continue  # "like the Sundance Kid one": a title found in part already
        quoted = text[at] in "\"“'‘"
        if cand and (quoted or text[at].isupper()) and not plain_words(cand[0]):
            name, name_end = cand
            if article and _DESCRIBED.match(text, name_end):
                continue  # "the Woody Allen one": an item described by a name, no title
            ids = vocab.titles.get(title_key(name)) or vocab.titles.get(title_key(f"the {name}"))
            if ids:  # written as a title after "like": "Golden Dragon", though its words are common
                chosen = next((i for i in ids if i in shown), ids[0])
                role = role_of(text, word.start(), chosen, shown)
                out.refs.append(
                    (word.start(), ItemRef(chosen, role, text[word.start() : name_end]))
                )
                out.blank.append((word.start(), name_end))
                continue
            named_values = vocab.find_values(tokenize(name), fuzzy=False)
            value_words = sum(h.end - h.start for h in named_values)
            if value_words >= len(tokenize(name)):
                continue  # "I loved Westerns": a genre, not a title
            if name and normalise(name) not in ("i", "me") and len(name) > 1:
                out.unknown_titles.append(name)
                out.blank.append((word.start(), name_end))
                listed_after(text, name_end, vocab, out)
    name, start, end = unknown_subject(text) or ("", 0, 0)  # "Parasite is the best film ..."
    known = vocab.titles.get(title_key(name)) or vocab.find_values(tokenize(name), fuzzy=False)
    if name and not covered(out, start, end) and not known:  # "Horror is great": a value
        out.unknown_titles.append(name)
        out.blank.append((start, end))
    for pos, ref in list(out.refs):  # "The Usual Suspects, Reservoir Dogs and Sicario"
        if ref.text[:1].isupper():
            listed_after(text, int(pos) + len(ref.text), vocab, out)
    suffixed_titles(text, vocab, out)  # "Inception-ish", "Lagaan type"
    questioned_title(text, vocab, out)  # "The Departed? Absolute masterpiece."
    framed_titles(text, vocab, out)  # "Get Out meets Rear Window", "Kill Bill but less gory"
