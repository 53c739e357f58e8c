"""Turns in French, Spanish, German, Italian or Portuguese, glossed into English for the parser.

The rule parser reads English. A turn written in one of five other languages ("necesito una
película de terror de los ochenta", "Ich suche einen Kriegsfilm aus den Sechzigern") is first
recognised by its function words, then glossed word by word and phrase by phrase into plain
English ("I need a movie of horror from the eighties"); the normal parser reads the gloss, and
the reply says how the turn was read. Words the lexicon lacks pass through unchanged, so titles
and names still match the catalog; multi-word catalog titles are never glossed ("Il Postino",
"Das Boot").

Coverage (`agent/data/foreign_lexicon.json`, general vocabulary, about 300 entries a language):
request and question cues (I want, looking for, give me, please, why, what if, compare, better
than, start over, help, hello, thanks, what do you know about my taste), verdicts (loved, liked,
hated, already seen), negation (no, not, without, nothing), articles, pronouns, prepositions,
ordinals and numbers to ten, decades in words and digits ("los ochenta", "den Sechzigern",
"années 80", "anni novanta", "80er"), popularity words (well known, little known, famous,
classic), the film genres of MovieLens, coat words (colours, jacket kinds, women/men and family
words), plus plural and gender endings per language and German compounds split on known heads
("Kriegsfilm", "Regenjacke"). Detection is deliberately cautious: an English turn with a loan
word ("a fiesta movie", "film noir", "déjà vu", "über cool") or a foreign title stays English.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from agent.vocab import Vocabulary, token_spans

__all__ = [
    "Gloss",
    "catalog_titles",
    "fold",
    "gloss_turn",
    "language_names",
    "languages_note",
    "read_line",
]

_LEXICON = "foreign_lexicon.json"
_ELIDED = r"(?<![\w'’])(?i:[cdjlmnst]|qu|un|dell|dall|nell|sull|all|quell)['’](?=[^\W\d_])"
_TOKEN = re.compile(rf"{_ELIDED}|[^\W_]+(?:['’-][^\W\d_]+)*'?")
_DECADE_DIGITS = re.compile(r"(?:19)?([1-9]0)(?:er|ern|s|'s)?")
_MAX_PHRASE = 8
_MIN_STEM = 3  # an ending is stripped only when this much of the word is left


@dataclass(frozen=True)
class Gloss:
    """A turn read as another language: its code ("fr"), name ("French") and English gloss."""

    language: str
    name: str
    text: str
    leftover: frozenset[str] = frozenset()  # words kept as typed that are no English (no wish)


@dataclass(frozen=True)
class _Language:
    code: str
    name: str
    markers: frozenset[str]
    gloss: dict[tuple[str, ...], str]
    endings: tuple[tuple[str, str], ...]
    heads: tuple[tuple[str, str], ...]  # (folded head, English), longest first
    longest: int


def fold(word: str) -> str:
    """Lower case without accents ("Película" -> "pelicula", "für" -> "fur"); ß -> ss."""
    text = unicodedata.normalize("NFKD", word.lower().replace("ß", "ss").replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(fold(m.group()) for m in _TOKEN.finditer(phrase))


@cache
def _raw() -> dict[str, Any]:
    """The packaged lexicon as stored (read once)."""
    text = resources.files("agent").joinpath(f"data/{_LEXICON}").read_text(encoding="utf-8")
    raw = json.loads(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("languages"), dict):
        raise ValueError(f"{_LEXICON}: expected an object with a 'languages' object")
    return raw


@cache
def _languages() -> tuple[_Language, ...]:
    """The packaged lexicon, folded and indexed (read once)."""
    raw = _raw()
    out = []
    for code, spec in raw["languages"].items():
        gloss = {_key(k): str(v) for k, v in spec["gloss"].items() if _key(k)}
        endings = tuple(
            (e.split(">")[0], e.split(">")[1] if ">" in e else "") for e in spec.get("endings", [])
        )
        heads = sorted(
            ((fold(h), str(v)) for h, v in spec.get("heads", {}).items()), key=lambda p: -len(p[0])
        )
        out.append(
            _Language(
                code=code,
                name=str(spec["name"]),
                markers=frozenset(fold(m) for m in spec["markers"]),
                gloss=gloss,
                endings=endings,
                heads=tuple(heads),
                longest=min(_MAX_PHRASE, max(len(k) for k in gloss)),
            )
        )
    return tuple(out)


@cache
def _decade_nouns() -> frozenset[str]:
    return frozenset(fold(w) for w in _raw().get("decade_nouns", []))


def language_names() -> list[str]:
    """The languages the lexicon covers, by name ("French", ...)."""
    return [lang.name for lang in _languages()]


@dataclass(frozen=True)
class _Tok:
    word: str  # as written
    low: str  # folded
    start: int
    end: int
    name_like: bool  # capitalised mid-sentence: a name or title, not counted as English


def _tokens(text: str, protected: Sequence[tuple[int, int]]) -> list[_Tok]:
    out = []
    last = 0  # end of the previous token: what stands before a word is read from the gap
    for m in _TOKEN.finditer(text):
        gap = text[last : m.start()].strip()
        before = gap[-1:] or (text[last - 1] if last else "")
        last = m.end()
        if any(s <= m.start() < e for s, e in protected):
            continue
        mid = bool(before) and before not in ".!?¿¡:;\"'«"
        out.append(
            _Tok(m.group(), fold(m.group()), m.start(), m.end(), mid and m.group()[0].isupper())
        )
    return out


def _word(lang: _Language, low: str) -> str | None:
    """One word's gloss: as listed, with a plural or gender ending undone, or as a compound."""
    hit = lang.gloss.get((low,))
    if hit is not None:
        return hit
    if len(low) > _MIN_STEM:
        for end, repl in lang.endings:
            if low.endswith(end) and len(low) - len(end) >= _MIN_STEM:
                hit = lang.gloss.get((low[: len(low) - len(end)] + repl,))
                if hit is not None:
                    return hit
    for head, english in lang.heads:
        stem = low[: -len(head)].rstrip("-")
        if low.endswith(head) and len(stem) >= _MIN_STEM:
            modifier = lang.gloss.get((stem,)) or lang.gloss.get((stem.removesuffix("s"),))
            return f"{modifier or stem} {english}"
    return None


def _phrase(lang: _Language, words: list[str]) -> str | None:
    """A phrase's gloss, its last word also tried without a plural or gender ending
    ("poco conocidas" is "poco conocido")."""
    hit = lang.gloss.get(tuple(words))
    last = words[-1]
    if hit is not None or len(last) <= _MIN_STEM:
        return hit
    for end, repl in lang.endings:
        if last.endswith(end) and len(last) - len(end) >= _MIN_STEM:
            hit = lang.gloss.get((*words[:-1], last[: len(last) - len(end)] + repl))
            if hit is not None:
                return hit
    return None


def _decade(lang: _Language, toks: Sequence[_Tok], i: int) -> tuple[int, str] | None:
    """ "années 80", "anni '70", "80er", "den 80ern": (tokens used, "the 80s")."""
    low = toks[i].low
    if low in _decade_nouns() and i + 1 < len(toks):
        m = _DECADE_DIGITS.fullmatch(toks[i + 1].low)
        if m:
            return 2, f"{m.group(1)}s"
    m = _DECADE_DIGITS.fullmatch(low)
    if m and lang.code == "de" and low.endswith(("er", "ern")):
        return 1, f"{m.group(1)}s"
    return None


def _segments(lang: _Language, toks: Sequence[_Tok]) -> list[tuple[int, int, str | None]]:
    """(first, end, English) over the tokens: longest phrases first, unknown words as None."""
    out: list[tuple[int, int, str | None]] = []
    i = 0
    while i < len(toks):
        if toks[i].name_like and lang.code != "de":
            out.append((i, i + 1, None))  # a name mid-sentence ("Blade Runner") stays as written
            i += 1
            continue
        decade = _decade(lang, toks, i)
        if decade is not None:
            out.append((i, i + decade[0], decade[1]))
            i += decade[0]
            continue
        for n in range(min(lang.longest, len(toks) - i), 1, -1):
            hit = _phrase(lang, [t.low for t in toks[i : i + n]])
            if hit is not None:
                out.append((i, i + n, hit))
                i += n
                break
        else:
            out.append((i, i + 1, _word(lang, toks[i].low)))
            i += 1
    return out


def _score(
    lang: _Language, toks: Sequence[_Tok], english: Collection[str]
) -> tuple[int, int, int, int, list[tuple[int, int, str | None]]]:
    """(markers, glossed words, plain English words, words) of the turn read as `lang`."""
    segments = _segments(lang, toks)
    markers = sum(1 for t in toks if t.low in lang.markers)
    known = sum(end - first for first, end, english_ in segments if english_ is not None)
    words = sum(1 for t in toks if not t.name_like or lang.code == "de")
    plain = sum(
        1
        for first, end, english_ in segments
        if english_ is None
        and not toks[first].name_like
        and toks[first].low.isalpha()
        and toks[first].low in english
    )
    return markers, known, plain, words, segments


def catalog_titles(vocab: Vocabulary) -> Callable[[str], list[tuple[int, int]]]:
    """Character spans of the catalog's titles of two words or more named in a text: kept as
    written ("Il Postino", "Das Boot") and no evidence of a language."""

    def spans(text: str) -> list[tuple[int, int]]:
        toks = token_spans(text)
        out = []
        for start, end, _ in vocab.find_titles([t for t, _, _ in toks]):
            if sum(1 for t, _, _ in toks[start:end] if t[:1].isalnum()) >= 2:
                out.append((toks[start][1], toks[end - 1][2]))
        return out

    return spans


def languages_note() -> str:
    """The reply to a turn in a language the lexicon does not cover."""
    names = ["English", *language_names()]
    return f"Sorry, I read only {', '.join(names[:-1])} and {names[-1]} for now."


def read_line(language: str, gloss: str) -> str:
    """The reply's note on how a turn in another language was read."""
    return f'(Read from {language} as: "{gloss[:200]}")'


@cache
def _english() -> frozenset[str]:
    """Common English words: the embedding model's whole words plus the parser's stopwords."""
    from agent.nlu_cues import STOPWORDS
    from agent.nlu_typos import english_words

    return english_words() | STOPWORDS


def gloss_turn(
    text: str,
    titles: Callable[[str], Sequence[tuple[int, int]]] | None = None,
    english: Collection[str] | None = None,
) -> Gloss | None:
    """The turn's English gloss when it is written in a covered language, else None.

    `titles(text)` gives the character spans of catalog titles, kept as written and counted
    as evidence neither way; `english` (default: common English words) are the words that,
    outside the lexicon, count against another language.
    """
    english = _english() if english is None else english
    if not text or len(text) > 2000 or not any(c.isalpha() for c in text):
        return None
    toks = _tokens(text, ())
    if not any(t.low in lang.markers for lang in _languages() for t in toks):
        return None  # no function word of any covered language (most turns): done
    if titles is not None:  # catalog titles are no evidence either way
        toks = _tokens(text, list(titles(text)))
    best: tuple[tuple[int, int], _Language, list[tuple[int, int, str | None]]] | None = None
    for lang in _languages():
        if not any(t.low in lang.markers for t in toks):
            continue  # no function word of this language: not worth glossing
        markers, known, plain, words, segments = _score(lang, toks, english)
        # a function word of the language, its words outweigh the English ones twice over and
        # make a third of the turn (names aside)
        if markers >= 1 and known >= 1 and known >= 2 * plain and known * 3 >= words:
            if _title_cased(lang, toks):
                continue  # "La Cage aux Folles", "Das Boot": a title said alone
            rank = (markers, known)
            if best is None or rank > best[0]:
                best = (rank, lang, segments)
    if best is None:
        return None
    _, lang, segments = best
    leftover = frozenset(
        toks[first].word.lower()
        for first, _, english_ in segments
        if english_ is None and not toks[first].name_like and toks[first].low not in english
    )
    return Gloss(lang.code, lang.name, _rewrite(text, toks, segments), leftover)


def _title_cased(lang: _Language, toks: Sequence[_Tok]) -> bool:
    """Every longer word capitalised after a short word or an unknown one: a title said alone,
    no sentence ("La Cage aux Folles"); "Pourquoi Blade Runner" opens with a cue word."""
    long_words = [t for t in toks if len(t.low) >= 4]
    opener = lang.gloss.get((toks[0].low,))
    return (
        len(long_words) >= 1
        and len(toks) >= 2
        and toks[0].word[:1].isupper()
        and all(t.word[:1].isupper() for t in long_words)
        and (opener is None or len(toks[0].low) <= 3)  # "La", "Das", "Il": an article
    )


def _rewrite(
    text: str, toks: Sequence[_Tok], segments: Sequence[tuple[int, int, str | None]]
) -> str:
    """The text with each glossed span replaced by its English; the rest kept as written."""
    parts: list[str] = []
    at = 0
    for first, end, english in segments:
        start, stop = toks[first].start, toks[end - 1].end
        parts.append(text[at:start])
        parts.append(text[start:stop] if english is None else english)
        if english is not None and text[stop : stop + 1].isalnum():
            parts.append(" ")  # an elided "qu'" glossed: a space before the next word
        at = stop
    parts.append(text[at:])
    out = "".join(parts).replace("¿", "").replace("¡", "")
    out = re.sub(r"\s+([,.!?;:])", r"\1", out)  # "s'il vous plaît ?" -> "please?"
    return re.sub(r"\s{2,}", " ", out).strip()
