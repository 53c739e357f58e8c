"""Check that a reply states only facts this turn's tool results support: numbers and titles.

Every number in the reply (scores, effects, prices, years, percentages) must match a number
in the tool outputs, the tool arguments or the user's message, at the precision the reply
shows it ("4.21" matches 4.2137, "12%" matches 0.12); every catalog title the reply names,
and every quoted or bold name, must appear in those sources. List markers ("1."), counts of
shown items, numbers inside questions ("under $15?") and the customary "95%" of a
confidence interval are not facts to check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from agent.vocab import Vocabulary, normalise, token_spans, written_as_title

_NUMBER = re.compile(r"(?<![\w.])([-+\u2212]?)(\$?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w])")
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)
_ORDINAL = re.compile(r"\b\d+(st|nd|rd|th)\b", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*([^*\n]{2,80})\*\*|\"([^\"\n]{2,80})\"|“([^”\n]{2,80})”")
_COUNT_NOUN = re.compile(
    r"^\s*(more\s+)?(movies?|films?|items?|picks?|options?|titles?|books?|recommendations?|"
    r"suggestions?|ideas?|choices?|results?|things?|others?)\b",
    re.IGNORECASE,
)
_ALLOWED_CONSTANTS = (95.0,)
_SENTENCE = re.compile(r".+?(?:[.!?](?=\s|$)|\n|$)", re.DOTALL)


@dataclass(frozen=True)
class GroundingReport:
    """What a reply claims that its sources do not support."""

    unsupported_numbers: tuple[str, ...] = ()
    unsupported_titles: tuple[str, ...] = ()
    numbers_checked: int = 0
    titles_checked: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when every number and title was found in the sources."""
        return not self.unsupported_numbers and not self.unsupported_titles

    def hint(self) -> str:
        """A correction request for the model, naming what it must not state."""
        parts = []
        if self.unsupported_numbers:
            parts.append("numbers " + ", ".join(self.unsupported_numbers))
        if self.unsupported_titles:
            parts.append("titles " + ", ".join(self.unsupported_titles))
        return (
            "Your answer states " + " and ".join(parts) + " that no tool returned this turn. "
            "Rewrite it using only titles and numbers from the tool results above (or call a "
            "tool to get them)."
        )


_SOURCE_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _source_numbers(sources: Iterable[str]) -> list[float]:
    """Every number in the sources (the pattern always parses; overflow reads as inf)."""
    out: list[float] = []
    for text in sources:
        out.extend(map(float, _SOURCE_NUMBER.findall(text)))
    return out


class _NumberIndex:
    """The sources' numbers, sorted, for "is there one within rounding of x?" in O(log n)."""

    def __init__(self, values: Sequence[float]) -> None:
        arr = np.abs(np.asarray(values, dtype=float))
        arr = arr[np.isfinite(arr)]
        self.plain = np.sort(arr)
        self.percent = np.sort(arr * 100.0)

    def has(self, shown: float, decimals: int, percent: bool) -> bool:
        tolerance = 0.5 * 10 ** (-decimals) + 1e-9
        target = abs(shown)
        for arr in (self.percent, self.plain) if percent else (self.plain,):
            at = int(np.searchsorted(arr, target - tolerance))
            if at < arr.size and arr[at] <= target + tolerance:
                return True
        return False


def _blank_questions(text: str) -> str:
    """The text with every question blanked out (a question asserts no number)."""
    out = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        out.append(" " * len(sentence) if sentence.rstrip().endswith("?") else sentence)
    return "".join(out)


class GroundingChecker:
    """Verifies replies against tool outputs for one catalog's titles."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def _title_spans(self, text: str) -> list[tuple[int, int, str]]:
        spans = token_spans(text)
        tokens = [t for t, _, _ in spans]
        out = []
        for start, end, _ids in self.vocab.find_titles(tokens):
            if end - start == 1 and not written_as_title(tokens[start], text):
                continue
            key = " ".join(t for t in tokens[start:end] if t[:1].isalnum())
            out.append((spans[start][1], spans[end - 1][2], key))
        return out

    def check(self, text: str, sources: Sequence[str]) -> GroundingReport:
        """Compare a reply's numbers and titles with the sources (tool outputs, args, user text)."""
        source_text = normalise(" ".join(sources))
        padded_sources = f" {source_text} "
        numbers = _NumberIndex(_source_numbers(sources) + list(_ALLOWED_CONSTANTS))

        titles = self._title_spans(text)
        bad_titles: list[str] = []
        blanked = list(text)
        for start, end, key in titles:
            if f" {key} " not in padded_sources:
                bad_titles.append(text[start:end])
            blanked[start:end] = " " * (end - start)
        checked_titles = len(titles)
        for m in _EMPHASIS.finditer(text):
            phrase = next(g for g in m.groups() if g)
            norm = normalise(phrase)
            if not norm or not phrase[:1].isupper() or phrase.rstrip().endswith(":"):
                continue
            if any(s <= m.start() < e or m.start() <= s < m.end() for s, e, _ in titles):
                continue
            checked_titles += 1
            if f" {norm} " not in padded_sources:
                bad_titles.append(phrase)
        clean = _blank_questions("".join(blanked))
        clean = _LIST_MARKER.sub(lambda m: " " * len(m.group()), clean)
        clean = _ORDINAL.sub(lambda m: " " * len(m.group()), clean)

        bad_numbers: list[str] = []
        checked = 0
        for m in _NUMBER.finditer(clean):
            sign, _dollar, whole, frac, pct = m.groups()
            raw = m.group().strip()
            value = float(whole.replace(",", "") + (frac or ""))
            if sign in ("-", "\u2212"):
                value = -value
            decimals = len(frac) - 1 if frac else 0
            if not frac and not pct and value <= 20 and _COUNT_NOUN.match(clean[m.end() :]):
                continue  # "10 movies": a count of what is shown
            checked += 1
            if not numbers.has(value, decimals, bool(pct)):
                bad_numbers.append(raw)
        return GroundingReport(
            unsupported_numbers=tuple(dict.fromkeys(bad_numbers)),
            unsupported_titles=tuple(dict.fromkeys(bad_titles)),
            numbers_checked=checked,
            titles_checked=checked_titles,
        )
