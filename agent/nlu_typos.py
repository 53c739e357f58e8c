"""Typo repair for the parser's own cue words: "I loevd Fargo" reads as "I loved Fargo".

A person types fast: "loevd", "popluar", "lokoing for", "anytihng". Those are the function
words the parser's cues are made of (`agent.nlu_cues`, `nlu_refs`, `nlu_titles`,
`nlu_numbers`), so one swapped pair of letters can hide a taste reference or a popularity
wish. `repair_typos` replaces a word by a cue word of the same length one edit away (a swap of neighbours or one
letter wrong; a letter more or less is left alone, since "known" is not "know"), with guards
against false repairs: only words of five letters or more that are no known
word themselves (no cue word, no word of a title or an attribute value of the catalog, no
whole word of the packaged sentence model's WordPiece vocabulary: "order" is not a misspelt
"older"), the same first letter, and one nearest cue word only. Attribute
values have their own fuzzy match in `Vocabulary.find_values`; titles theirs in
`Vocabulary.fuzzy_title`. The catalog's item nouns (the last word of many titles: "jacket")
are repaired the same way, a letter more or less included ("jaket"), since a misspelt item
noun is otherwise read as a described wish.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from agent import nlu_causal, nlu_cues, nlu_fame, nlu_feedback, nlu_numbers, nlu_refs, nlu_titles
from agent.vocab import Vocabulary

MIN_TYPO_LENGTH = 5
_WORD = re.compile(r"[A-Za-z]+")
_PATTERN_WORD = re.compile(r"(?<![\\?])\b[a-z]{4,}\b(?![(?\\])")


@cache
def cue_words() -> frozenset[str]:
    """Every word the cue patterns and word lists of the parser are made of."""
    found: set[str] = set()

    def walk(value: object, depth: int = 0) -> None:
        if isinstance(value, re.Pattern):
            found.update(_PATTERN_WORD.findall(value.pattern.lower()))
        elif isinstance(value, str):
            if value.isalpha():
                found.add(value)
        elif isinstance(value, frozenset | set | tuple | list | dict) and depth < 3:
            for part in value:  # a table of (pattern, direction) pairs holds cue words too
                walk(part, depth + 1)

    for module in (nlu_cues, nlu_refs, nlu_titles, nlu_feedback, nlu_numbers, nlu_fame, nlu_causal):
        for name, value in vars(module).items():
            if not name.startswith("__") and not isinstance(value, str):
                walk(value)
    return frozenset(w for w in found if len(w) >= 4 and w.islower())


@cache
def english_words() -> frozenset[str]:
    """Whole words of the packaged MiniLM tokenizer's vocabulary (about 20,000 common English
    words, read from the model folder, never downloaded); empty when the model is missing."""
    from tools.catalog.embedding import EmbedderUnavailable, model_path

    try:
        text = (model_path() / "vocab.txt").read_text(encoding="utf-8")
    except (EmbedderUnavailable, OSError, UnicodeDecodeError):
        return frozenset()
    return frozenset(w for w in text.split() if len(w) >= MIN_TYPO_LENGTH and w.isalpha())


@cache
def short_words() -> frozenset[str]:
    """Whole words of three letters of the same packaged word list ("fun", "sad", "odd"):
    a three-letter word outside it is chat spelling ("gud", "thx"), never a described wish;
    empty when the model is missing."""
    from tools.catalog.embedding import EmbedderUnavailable, model_path

    try:
        text = (model_path() / "vocab.txt").read_text(encoding="utf-8")
    except (EmbedderUnavailable, OSError, UnicodeDecodeError):
        return frozenset()
    return frozenset(w for w in text.split() if len(w) == 3 and w.isalpha())


@cache
def _by_shape() -> dict[tuple[str, int], tuple[str, ...]]:
    """Cue words by (first letter, length): the only ones a repair may pick."""
    shapes: dict[tuple[str, int], list[str]] = {}
    for word in sorted(cue_words()):
        shapes.setdefault((word[0], len(word)), []).append(word)
    return {k: tuple(v) for k, v in shapes.items()}


def _nearest(word: str) -> str | None:
    """The one same-length cue word one edit away (a neighbour swap counts as one), or None."""
    from rapidfuzz.distance import OSA

    best = [
        c
        for c in _by_shape().get((word[0], len(word)), ())
        if OSA.distance(word, c, score_cutoff=1) <= 1
    ]
    return best[0] if len(best) == 1 else None


_STRETCHED = re.compile(r"([A-Za-z])\1{2,}")


def _unstretched(text: str, known: frozenset[str]) -> str:
    """ "whyyy", "pleeease", "loooved": a letter typed three times or more for emphasis is
    one letter (or two, where only that makes a known word: "sooo good" -> "so", "gooood" ->
    "good")."""

    def fix(match: re.Match[str]) -> str:
        raw = match.group()
        one = _STRETCHED.sub(r"\1", raw)
        two = _STRETCHED.sub(r"\1\1", raw)
        return two if two.lower() in known and one.lower() not in known else one

    return re.sub(r"[A-Za-z]*([A-Za-z])\1{2,}[A-Za-z]*", fix, text)


_NOUNS: dict[int, tuple[Vocabulary, dict[tuple[str, int], tuple[str, ...]]]] = {}


def _catalog_nouns(vocab: Vocabulary) -> dict[tuple[str, int], tuple[str, ...]]:
    """The catalog's item nouns ("jacket"), by (first letter, length), once per catalog."""
    cached = _NOUNS.get(id(vocab))
    if cached is None or cached[0] is not vocab:
        from agent.nlu_filler import catalog_nouns

        shapes: dict[tuple[str, int], list[str]] = {}
        for noun in sorted(catalog_nouns(list(vocab.titles))):
            if len(noun) >= MIN_TYPO_LENGTH:
                shapes.setdefault((noun[0], len(noun)), []).append(noun)
        if len(_NOUNS) > 16:
            _NOUNS.clear()
        cached = (vocab, {k: tuple(v) for k, v in shapes.items()})
        _NOUNS[id(vocab)] = cached
    return cached[1]


def _nearest_noun(word: str, vocab: Vocabulary) -> str | None:
    """The one item noun of the catalog a word is one edit from, a letter more or less
    included ("jaket" -> "jacket"): the noun of every title is no typo of anything else."""
    from rapidfuzz.distance import OSA

    shapes = _catalog_nouns(vocab)
    near = [
        noun
        for size in (len(word) - 1, len(word), len(word) + 1)
        for noun in shapes.get((word[0], size), ())
        if OSA.distance(word, noun, score_cutoff=1) <= 1
    ]
    return near[0] if len(near) == 1 else None


_SENTENCE_OPENS = re.compile(r"(?:^|[.!?:;]\s*|(?:^|\s)[\"'\u201c\u2018(]\s*)$")
_CAPITALISED = re.compile(r"[A-Z][a-z]+")


def _typed_as_name(text: str, match: re.Match[str]) -> bool:
    """A word in title case mid-sentence ("like Notting Hill"), or opening a sentence beside
    another such word ("Notting Hill was lovely"), is a name typed on purpose: a title or a
    person the catalog may lack, never a misspelt cue word ("nothing")."""
    if not _CAPITALISED.fullmatch(match.group()):
        return False
    if not _SENTENCE_OPENS.search(text[: match.start()]):
        return True
    after = re.match(r"\s+([A-Za-z]+)", text[match.end() :])
    return after is not None and _CAPITALISED.fullmatch(after.group(1)) is not None


def repair_typos(text: str, vocab: Vocabulary, known: Iterable[str] = ()) -> str:
    """The text with misspelt cue words repaired (see the module docstring); `known` are
    more words never to repair."""
    if _STRETCHED.search(text):
        text = _unstretched(text, cue_words() | english_words() | vocab.known_words)
    lexicon = cue_words()
    spared = vocab.known_words
    english = english_words()
    extra = frozenset(known)
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        raw = match.group()
        word = raw.lower()
        if len(word) < MIN_TYPO_LENGTH or word in lexicon or word in spared or word in extra:
            continue
        if word in english or _typed_as_name(text, match):
            continue
        fixed = _nearest(word) or _nearest_noun(word, vocab)
        if fixed is None:
            continue
        if raw[0].isupper():
            fixed = fixed[0].upper() + fixed[1:]
        out.append(text[last : match.start()] + fixed)
        last = match.end()
    if not out:
        return text
    return "".join(out) + text[last:]
