"""Titles typed short, in part or slightly misspelt, read from the catalog's own titles.

People rarely type a long title whole: "Life of Brian" for "Monty Python's Life of Brian",
"Kane" for "Citizen Kane", "gump", "Dead Poets", "holy grail", "Butch and Sundance",
"sleepless in seatle". `short_titles` finds such references with an index built once per
catalog (`ShortTitles`), so a turn costs a few dictionary look-ups per word, never a scan of
the titles:

- a run of a title's words (not the whole title; it starts and ends on a content word) that
  occurs in no other title names that title: "life of brian", "holy grail", "sundance kid";
- one word names a title when it occurs in that title only and is rare in English (outside
  the commonest words of the packaged sentence model's vocabulary, which lists words roughly
  by frequency): "gump", "shawshank"; a rare word that is still an English word or a name
  ("Kane") counts only when written like a title (capitalised mid-sentence, or opening a
  sentence before a verb or a comma). Common words that happen to be in a title ("ghost",
  "mother", "kids", "brian") never name it alone;
- a run of common words only ("dead poets", "four weddings") counts only when typed
  capitalised like a title; a run that holds an attribute value ("western") likewise;
- two rare words of one title joined by "and" name it ("Butch and Sundance");
- a title whose rare word is typed right and whose other words are typed close to it names
  the title ("sleepless in seatle": rapidfuzz ratio over the aligned words).

The role of each reference comes from `agent.nlu_titles.role_of`, as for whole titles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.nlu_cache import PerObject
from agent.nlu_titles import Refs, covered, role_of
from agent.nlu_word_ranks import english_rank
from agent.parse import ItemRef, TitleRole
from agent.vocab import Vocabulary

__all__ = ["ShortTitles", "english_rank", "short_index", "short_titles"]

RARE_RANK = 8000  # words past this rank of the model vocabulary (or absent) are rare
MAX_TITLE_WORDS = 8  # longer titles are typed whole or by a run of their words, never fuzzily
MAX_SPAN_WORDS = 5
MIN_WORD = 4  # a one-word short form has at least this many letters
FUZZY_MIN = 88  # rapidfuzz ratio of typed words against a title aligned on its rare word
_JOINERS = frozenset(
    ["a", "an", "the", "of", "and", "in", "on", "to", "at", "for", "with", "by", "from", "or",
     "is", "it", "as", "into", "my", "your", "his", "her", "our", "their"]
)  # fmt: skip
_VERB_AFTER = re.compile(
    r"\s*(?:is|was|'s|are|were|made|makes|did|does|has|had|remains|stays|seemed|felt|bored"
    r"|put|left|gave|got|really|just|too|i|we|or|vs\.?|versus|-|—|=)(?!\w)",
    re.IGNORECASE,
)
_OPENS = re.compile(
    r"(?:^|[.!?;,]\s*|\b(?:but|and|though|however)\s+|(?:^|\s)[\"'“‘(]\s*)$", re.IGNORECASE
)
_SENTENCE_OPENS = re.compile(r"(?:^|[.!?:;]\s*|(?:^|\s)[\"'“‘(]\s*)$")
_CUE_BEFORE = re.compile(
    r"\b(?:seen|watched|saw|loved|liked|hated|disliked|enjoyed|adored|than|vs\.?|versus|or"
    r"|against|about|explain|why)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_CONTRACTION = re.compile(r"'(?!s$)")


def _rank(word: str, ranks: dict[str, int]) -> int | None:
    """A word's place in the vocabulary, its plural or possessive read as its stem (0 for a
    contraction: "can't" is as common as words get)."""
    if _CONTRACTION.search(word):
        return 0
    forms = [word, word.removesuffix("'s")]
    if word.endswith("s") and len(word) > 3:
        forms += [word[:-1], word[:-2] if word.endswith("es") else word]
    found = [ranks[f] for f in forms if f in ranks]
    return min(found) if found else None


def _rare(word: str, ranks: dict[str, int]) -> bool:
    rank = _rank(word, ranks)
    return rank is None or rank >= RARE_RANK


@dataclass(frozen=True)
class ShortTitles:
    """The short forms of one catalog's titles (see the module docstring)."""

    runs: dict[str, str]  # a run of a title's words that no other title holds -> title key
    longest: dict[str, int]  # first word of a run -> most words a run starting with it has
    loose: frozenset[str]  # runs that name their title even typed in lower case
    anchors: dict[str, tuple[str, int]]  # a rare word in one title only -> (key, its place)

    @classmethod
    def build(cls, vocab: Vocabulary) -> ShortTitles:
        """Index the titles of `vocab` (once per catalog)."""
        ranks = english_rank()
        keys = [k for k in vocab.titles if len(k.split(" ")) <= MAX_TITLE_WORDS]
        in_titles: dict[str, int] = {}
        for key in vocab.titles:
            for w in set(key.split(" ")):
                in_titles[w] = in_titles.get(w, 0) + 1
        owners: dict[str, set[str]] = {}
        for key in vocab.titles:  # a long title is typed by its head ("Dr. Strangelove")
            if not vocab.distinctive(key):
                continue
            for ws in _variants(key):
                _add_runs(ws, key, owners)
        values: dict[str, bool] = {}

        def is_value(word: str) -> bool:
            if word not in values:
                values[word] = bool(vocab.find_values([word], fuzzy=False))
            return values[word]

        runs: dict[str, str] = {}
        loose: set[str] = set()
        for run, found in owners.items():
            if len(found) != 1 or run in vocab.titles:
                continue  # in two titles, or itself a whole title ("heat")
            ws = run.split(" ")
            if any(in_titles.get(w, 0) > 1 and w not in _JOINERS for w in ws) and len(ws) == 1:
                continue
            content = [w for w in ws if w not in _JOINERS]
            if len(ws) == 1 and (len(run) < MIN_WORD or run.isdigit() or is_value(run)):
                continue
            if len(ws) == 1 and not _rare(run, ranks):
                continue  # "mother", "ghost", "brian": a common word names no title alone
            runs[run] = next(iter(found))
            if any(_rare(w, ranks) for w in content) and not any(is_value(w) for w in content):
                loose.add(run)
        longest: dict[str, int] = {}
        for run in runs:
            first, size = run.split(" ", 1)[0], run.count(" ") + 1
            longest[first] = max(longest.get(first, 0), size)
        anchors: dict[str, tuple[str, int]] = {}
        for key in keys:
            ws = key.split(" ")
            for place, w in enumerate(ws):
                if (
                    len(ws) > 1
                    and len(w) >= MIN_WORD + 1
                    and in_titles.get(w, 0) == 1
                    and _rare(w, ranks)
                    and not is_value(w)
                ):
                    anchors[w] = (key, place)
        return cls(runs, longest, frozenset(loose), anchors)


def _variants(key: str) -> list[list[str]]:
    """A title's words, and again with possessives dropped ("one flew over the cuckoo's nest"
    also as "... cuckoo nest") or typed without the apostrophe ("schindlers list"), and with
    "and" left out (the tokenizer drops the "&" of "Secrets & Lies")."""
    ws = key.split(" ")
    forms = [
        ws,
        [w.removesuffix("'s") for w in ws],
        [w.replace("'s", "s") if w.endswith("'s") else w for w in ws],
        [w for w in ws if w != "and"],
    ]
    return [list(f) for f in dict.fromkeys(tuple(f) for f in forms) if f]


def _add_runs(ws: Sequence[str], key: str, owners: dict[str, set[str]]) -> None:
    """Every run of `ws` short of the whole that starts and ends on a content word; a run
    ending on an owner ("Jackie Chan's", "Monty Python's") names that person, not the title,
    with or without the "'s" (it is still counted, so "Monty Python" is in two titles)."""
    n = len(ws)
    owner_ends = {j for j, w in enumerate(key.split(" "), 1) if w.endswith("'s")}
    variant = list(ws) != key.split(" ")  # a variant typed whole is no whole title
    for i in range(n):
        if ws[i] in _JOINERS:
            continue
        for j in range(i + 1, min(n, i + MAX_SPAN_WORDS) + 1):
            if ((i, j) != (0, n) or variant) and ws[j - 1] not in _JOINERS:
                run = " ".join(ws[i:j])
                owners.setdefault(run, set()).add(key)
                if j in owner_ends:
                    owners[run].add("")  # a name: never unique to one title


_INDEX = PerObject(limit=8)


def short_index(vocab: Vocabulary) -> ShortTitles:
    """The short-title index of a catalog, built on first use and kept with it."""
    return _INDEX.get(vocab, "short titles", lambda: ShortTitles.build(vocab))


def _typed_as_title(text: str, spans: Sequence[tuple[str, int, int]], start: int, end: int) -> bool:
    """Every content word capitalised as typed ("Dead Poets", "Life of Brian"), and not a
    sentence in capitals; a lone word opening a sentence only before a verb ("Kane is
    overrated", not "Lovely, thanks")."""
    words = [(t, s) for t, s, _ in spans[start:end] if t[:1].isalnum() and t not in _JOINERS]
    if not words or not all(text[s].isupper() for _, s in words):
        return False
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return False  # "I LOVED THE GHOST ONE": shouting, not title case
    first = spans[start][1]
    for at in (start - 1, end):  # "Tom Cruise": a word of a longer name, not a title
        if 0 <= at < len(spans) and _capitalised_word(text, spans, at):
            return False
    if len(words) == 1 and _SENTENCE_OPENS.search(text[: _after_abbreviation(text, first)]):
        return _VERB_AFTER.match(text, spans[end - 1][2]) is not None
    return True


_ABBREVIATION = re.compile(r"\b[A-Z][a-z]{0,2}\.\s*$")


def _after_abbreviation(text: str, start: int) -> int:
    """Where a name starts when a short capitalised abbreviation stands before it ("Dr.
    Strangelove", "St. Elmo"): its full stop ends no sentence."""
    m = _ABBREVIATION.search(text, 0, start)
    return m.start() if m is not None else start


def _capitalised_word(text: str, spans: Sequence[tuple[str, int, int]], at: int) -> bool:
    """A capitalised word that neither opens a sentence nor is "I" ("Tom" in "Tom Cruise")."""
    token, start, _ = spans[at]
    if not token[:1].isalpha() or not text[start].isupper() or token in ("i", "i'm", "i've", "i'd"):
        return False
    return not _SENTENCE_OPENS.search(text[:start])


def _cued(text: str, spans: Sequence[tuple[str, int, int]], start: int, end: int) -> bool:
    """A word typed in lower case names a title only where a title is expected: opening a
    clause before a verb ("gump is sentimental mush"), after a verdict, a weighing or a why
    ("hated gump", "better than gump"), or under a taste or exclusion cue ("like gump")."""
    char_start, char_end = spans[start][1], spans[end - 1][2]
    char_start = _after_abbreviation(text, char_start)  # "of Dr. Strangelove": cued as "of Dr."
    before = text[max(0, char_start - 60) : char_start]
    if _CUE_BEFORE.search(before):
        return True
    if _OPENS.search(before) and _VERB_AFTER.match(text, char_end):
        return True
    return role_of(text, char_start, "", ()) in (TitleRole.TASTE, TitleRole.EXCLUDE)


def short_titles(
    text: str,
    spans: Sequence[tuple[str, int, int]],
    vocab: Vocabulary,
    shown: Sequence[str],
    out: Refs,
) -> None:
    """Add the titles typed short, in part or misspelt (see the module docstring) to `out`."""
    index = short_index(vocab)
    if not index.runs and not index.anchors:
        return
    tokens = [t for t, _, _ in spans]
    n = len(tokens)
    taken = set(out.title_tokens)

    def add(start: int, end: int, key: str) -> None:
        char_start, char_end = spans[start][1], spans[end - 1][2]
        ids = vocab.titles[key]
        chosen = next((i for i in ids if i in shown), ids[0])
        role = role_of(text, _after_abbreviation(text, char_start), chosen, shown)
        out.refs.append((char_start, ItemRef(chosen, role, text[char_start:char_end])))
        out.title_tokens.update(range(start, end))
        out.blank.append((char_start, char_end))
        taken.update(range(start, end))

    def free(start: int, end: int) -> bool:
        return not taken.intersection(range(start, end)) and not covered(
            out, spans[start][1], spans[end - 1][2]
        )

    for _ in range(2):  # again once a title is found: "raiders or last crusade"
        before = len(out.refs)
        i = 0
        while i < n:
            word = tokens[i].removesuffix("'s")
            if not word[:1].isalnum() or i in taken:
                i += 1
                continue
            found = _fuzzy_whole(tokens, i, index, vocab) or _pair(tokens, i, index)
            if found is not None and free(found[0], found[1]):
                add(*found)
                i = found[1]
                continue
            longest = max(index.longest.get(tokens[i], 0), index.longest.get(word, 0))
            size = _run_at(text, spans, tokens, i, min(longest, n - i), index, out)
            if size and free(i, i + size[0]):
                add(i, i + size[0], size[1])
                i += size[0]
                continue
            i += 1
        if len(out.refs) == before:
            break


def _run_at(
    text: str,
    spans: Sequence[tuple[str, int, int]],
    tokens: Sequence[str],
    i: int,
    longest: int,
    index: ShortTitles,
    out: Refs,
) -> tuple[int, str] | None:
    """(words, title key) of the longest run of a title's words typed from token `i`."""
    ranks = english_rank()
    for size in range(longest, 0, -1):
        words = list(tokens[i : i + size])
        for run in dict.fromkeys(
            [" ".join(words), " ".join([*words[:-1], words[-1].removesuffix("'s")])]
        ):
            key = index.runs.get(run)
            if key is None:
                continue
            if _typed_as_title(text, spans, i, i + size):
                return size, key
            if " " in run and run in index.loose:
                return size, key  # "holy grail": a rare word in a run of one title's words
            if " " not in run and _rank(run, ranks) is None and _cued(text, spans, i, i + size):
                return size, key  # "gump is sentimental mush": no English word at all
            if " " not in run and _beside_a_title(text, spans[i][1], spans[i][2], out):
                return size, key  # "star wars and raiders both seen": a rare word in a list
    return None


_LISTED = re.compile(r"\s*(?:,|&|\band\b|\bor\b|\bvs\.?|\bversus\b)\s*(?:the\s+)?$", re.IGNORECASE)
_LISTED_AFTER = re.compile(r"\s*(?:,|&|\band\b|\bor\b|\bvs\.?|\bversus\b)\s*", re.IGNORECASE)


def _beside_a_title(text: str, start: int, end: int, out: Refs) -> bool:
    """A word joined by "and", "or", "vs" or a comma to a title already found."""
    for s, e in out.blank:
        if e <= start and _LISTED.fullmatch(text, e, start):
            return True
        m = _LISTED_AFTER.match(text, end)
        if s >= end and m and re.fullmatch(r"(?:the\s+)?", text[m.end() : s], re.IGNORECASE):
            return True
    return False


def _pair(tokens: Sequence[str], i: int, index: ShortTitles) -> tuple[int, int, str] | None:
    """ "butch and sundance": two rare words of one title joined by "and"."""
    first = index.anchors.get(tokens[i])
    if first is None or i + 2 >= len(tokens) or tokens[i + 1] not in ("and", "&"):
        return None
    second = index.anchors.get(tokens[i + 2].removesuffix("'s"))
    if second is None or second[0] != first[0] or second[1] <= first[1]:
        return None
    return i, i + 3, first[0]


def _fuzzy_whole(
    tokens: Sequence[str], i: int, index: ShortTitles, vocab: Vocabulary
) -> tuple[int, int, str] | None:
    """ "sleepless in seatle": a rare word of one title typed right, the title's other words
    typed close to it around it (first letters right, rapidfuzz ratio of the whole)."""
    from rapidfuzz import fuzz

    anchor = index.anchors.get(tokens[i])
    if anchor is None:
        return None
    key, place = anchor
    ws = key.split(" ")
    start, end = i - place, i - place + len(ws)
    if start < 0 or end > len(tokens):
        return None
    typed = list(tokens[start:end])
    if typed == ws or not all(
        t[:1].isalnum() and t[0] == w[0] for t, w in zip(typed, ws, strict=True)
    ):
        return None
    if fuzz.ratio(" ".join(typed), key) < FUZZY_MIN or key not in vocab.titles:
        return None
    return start, end, key
