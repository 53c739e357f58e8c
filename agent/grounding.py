"""Check that a reply states only facts this turn's tool results support.

Sources are the turn's texts: the user's message, tool arguments and tool results (JSON where
they are JSON). From the JSON the checker learns which *items* the turn returned (any object
with a "title") and which facts belong to each (every number inside that object: scores,
ratings, ranks, counterfactual reasons; its attributes), and which numbers belong to no item
(effects, arguments). Then, in the reply:

- item-like mentions must be items of this turn: catalog titles, "Title (Year)", bold or
  quoted names, and the leading name of a list line ("3. The Silent Harbor — ...");
- a number must be in the sources at the precision shown ("4.21" matches 4.2137, "12%"
  matches 0.12), and when its sentence (or list line) is about some items it must be one of
  *their* facts or an item-free fact: a rating for X is X's rating, not Y's;
- a signed claim ("lowers rating by 0.16", "-0.16") must match the sign of the effect it
  quotes;
- attribute claims about a single item ("a 1970s horror film") must match its attributes.

List markers ("1."), counts of shown items, numbers inside questions and the customary "95%"
of an interval are not facts to check. The checker shares no word lists with the explanation
templates; it reads the catalog's own attribute values (agent.vocab).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.vocab import Vocabulary, normalise, title_key, token_spans, written_as_title

_NUMBER = re.compile(r"(?<![\w.])([-+\u2212]?)(\$?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w])")
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)
_LIST_LINE = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*\u2022])\s+")
_ORDINAL = re.compile(r"\b\d+(st|nd|rd|th)\b", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*([^*\n]{2,80})\*\*|\"([^\"\n]{2,80})\"|“([^”\n]{2,80})”")
_YEAR_TITLE = re.compile(r"\((1[89]\d\d|20\d\d)\)")
_INNER_PARENS = re.compile(r"\([^()\n]{1,60}\)(?=\s*\((?:1[89]\d\d|20\d\d)\))")
_AMPERSAND = re.compile(r"&")
_YEAR_END = re.compile(r"\((1[89]\d\d|20\d\d)\)\s*$")
_NAME_WORD = re.compile(r"\([^()\n]{1,60}\)|[\w'’:&.,!\u2013-]+")
_DECADE = re.compile(r"\b(1[89]\d0|20[0-2]0)['’]?s\b")
_LEAD_SEPARATOR = re.compile(r"\s[\u2014\u2013-]\s|:\s|\s\(")
_COUNT_NOUN = re.compile(
    r"^\s*(more\s+)?(movies?|films?|items?|picks?|options?|titles?|books?|recommendations?|"
    r"suggestions?|ideas?|choices?|results?|things?|others?)\b",
    re.IGNORECASE,
)
_DIRECTION = re.compile(
    r"\b(raises?|raising|increases?|increasing|boosts?|lifts?|adds?|"
    r"lowers?|lowering|reduces?|reducing|decreases?|decreasing|cuts?|drops?|subtracts?)\b"
    r"[^.\n;]{0,60}?\bby\s+(?=[-+\u2212]?\$?\d)",
    re.IGNORECASE,
)
_NEGATIVE_VERBS = ("lower", "reduc", "decreas", "cut", "drop", "subtract")
_NEGATION = {"not", "no", "isn't", "isnt", "without", "non", "instead", "rather", "unlike", "than"}
_ABOUT_USER = {"you", "your", "you're", "asked", "wanted", "wish"}
# a clause that states a wish ("wants genres: Comedy, Thriller; ...") claims nothing of an item
_WISH_WORDS = {"asked", "wanted", "want", "wants", "wish", "wishes"}
_CLAUSE_END = {";", ".", "!", "?"}
_SMALL_WORDS = {"of", "the", "a", "an", "and", "in", "on", "to", "for", "with", "at", "from", "by"}
_JOINERS = {"&", "-", "\u2013", ":"}  # inside a title: "Secrets & Lies", "Alien: Resurrection"
_ALLOWED_CONSTANTS = (95.0,)
_SENTENCE = re.compile(r".+?(?:[.!?](?=\s|$)|\n|$)", re.DOTALL)
_DIGIT = re.compile(r"\d")
_SOURCE_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class GroundingReport:
    """What a reply claims that its sources do not support."""

    unsupported_numbers: tuple[str, ...] = ()
    unsupported_titles: tuple[str, ...] = ()
    numbers_checked: int = 0
    titles_checked: int = 0
    notes: tuple[str, ...] = field(default=())
    misattributed_numbers: tuple[str, ...] = ()  # "4.9 (for Heat)": another item's number
    flipped_signs: tuple[str, ...] = ()  # "lowers ... by 0.16" where the effect raises it
    unsupported_attributes: tuple[str, ...] = ()  # "Heat: 1970s", "Heat: Comedy"

    @property
    def ok(self) -> bool:
        """True when every checked claim was found in the sources."""
        return not (
            self.unsupported_numbers
            or self.unsupported_titles
            or self.misattributed_numbers
            or self.flipped_signs
            or self.unsupported_attributes
        )

    def hint(self) -> str:
        """A correction request for the model, naming what it must not state."""
        parts = []
        if self.unsupported_numbers:
            parts.append("numbers " + ", ".join(self.unsupported_numbers))
        if self.unsupported_titles:
            parts.append("titles " + ", ".join(self.unsupported_titles))
        if self.misattributed_numbers:
            parts.append(
                "numbers attached to the wrong item " + ", ".join(self.misattributed_numbers)
            )
        if self.flipped_signs:
            parts.append("effects with the wrong sign " + ", ".join(self.flipped_signs))
        if self.unsupported_attributes:
            parts.append(
                "attributes the items do not have " + ", ".join(self.unsupported_attributes)
            )
        return (
            "Your answer states " + " and ".join(parts) + " that no tool returned this turn. "
            "Rewrite it using only titles and numbers from the tool results above, each "
            "number with the item it belongs to (or call a tool to get them)."
        )


def _source_numbers(sources: Iterable[str]) -> list[float]:
    """Every number in the sources (the pattern always parses; overflow reads as inf)."""
    out: list[float] = []
    for text in sources:
        out.extend(map(float, _SOURCE_NUMBER.findall(text)))
    return out


class _NumberIndex:
    """Numbers, sorted, for "is there one within rounding of x?" in O(log n)."""

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


@dataclass(eq=False)
class _Item:
    """One item the turn returned: its title, attributes and every number said about it."""

    title: str
    attributes: dict[str, Any] = field(default_factory=dict)
    numbers: list[float] = field(default_factory=list)
    _index: _NumberIndex | None = None

    @property
    def index(self) -> _NumberIndex:
        if self._index is None:
            self._index = _NumberIndex(self.numbers)
        return self._index

    @property
    def year(self) -> int | None:
        value = self.attributes.get("year")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
        return _title_year(self.title)


@dataclass
class _Facts:
    """What the sources say: items by title key, item-free numbers, signed effect values."""

    items: dict[str, list[_Item]] = field(default_factory=dict)  # by title key
    free: list[float] = field(default_factory=list)
    signed: list[float] = field(default_factory=list)  # numeric JSON values (effects keep sign)
    effects: list[tuple[Any, Any, list[float]]] = field(default_factory=list)  # arms, values
    signals: list[str] = field(default_factory=list)  # a counterfactual's "without" item ids

    def add_source(self, text: str) -> None:
        try:
            data = json.loads(text)
        except (ValueError, TypeError):
            self.free.extend(_source_numbers([text]))
            return
        if isinstance(data, dict | list):
            self._walk(data, None)
        else:
            self.free.extend(_source_numbers([text]))

    def _walk(self, node: Any, owners: list[_Item] | None) -> None:
        if isinstance(node, dict):
            estimate = node.get("estimate")
            if isinstance(estimate, int | float) and not isinstance(estimate, bool):
                values = [node.get(k) for k in ("estimate", "ci_low", "ci_high")]
                numbers = [float(v) for v in values if isinstance(v, int | float)]
                self.effects.append(
                    (node.get("treatment_value"), node.get("control_value"), numbers)
                )
            without = node.get("without")
            if isinstance(without, list):
                self.signals += [str(x) for x in without if isinstance(x, str | int)]
            title = node.get("title")
            if isinstance(title, str) and title.strip():
                item = self.item(title)
                for key in ("attributes", "facts"):
                    if isinstance(node.get(key), Mapping):
                        item.attributes.update(node[key])
                owners = [*(owners or []), item]
            self._walk_values(node.values(), owners)
        elif isinstance(node, list):
            self._walk_values(node, owners)
        else:
            self._walk_values((node,), owners)

    def _walk_values(self, values: Iterable[Any], owners: list[_Item] | None) -> None:
        """Leaves inline (this runs for every value of every tool result, every turn)."""
        for value in values:
            kind = type(value)
            if kind is str:
                if _DIGIT.search(value):
                    self._add_numbers(list(map(float, _SOURCE_NUMBER.findall(value))), owners)
            elif kind is float or kind is int:
                self.signed.append(float(value))
                self._add_numbers([float(value)], owners)
            elif kind is dict or kind is list:
                self._walk(value, owners)

    def _add_numbers(self, values: list[float], owners: list[_Item] | None) -> None:
        if not owners:
            self.free.extend(values)
            return
        for item in owners:
            item.numbers.extend(values)

    def item(self, title: str) -> _Item:
        """The item with this title (made, with no facts, when the sources had none); titles
        that differ only by year ("Sabrina (1954)", "Sabrina (1995)") are two items."""
        key, year = title_key(title), _title_year(title)
        variants = self.items.setdefault(key, [])
        for item in variants:
            if _title_year(item.title) == year:
                return item
        variants.append(_Item(title=title))
        return variants[-1]

    def find(self, key: str, year: int | None = None) -> _Item | None:
        """This turn's item with this title key (and year, when one is given)."""
        variants = self.items.get(key)
        if not variants:
            return None
        if year is None:
            return variants[0]
        return next((i for i in variants if i.year is None or i.year == year), None)

    def all_items(self) -> Iterator[_Item]:
        for variants in self.items.values():
            yield from variants


def _title_year(title: str) -> int | None:
    """The "(1995)" a title ends with, if any."""
    m = _YEAR_END.search(title)
    return int(m.group(1)) if m else None


def _spans_with_ampersands(text: str) -> list[tuple[str, int, int]]:
    """Token spans (agent.vocab) with each "&" read as the word "and", as title keys are."""
    spans = token_spans(text)
    if "&" not in text:
        return spans
    extra = [("and", m.start(), m.end()) for m in _AMPERSAND.finditer(text)]
    return sorted(spans + extra, key=lambda s: s[1])


class _Padded:
    """The sources' words, normalised on first use (most replies never need them)."""

    def __init__(self, sources: Sequence[str]) -> None:
        self._sources = sources
        self._text: str | None = None

    def __contains__(self, phrase: str) -> bool:
        if self._text is None:
            self._text = f" {normalise(' '.join(self._sources))} "
        return phrase in self._text


@dataclass
class _Mention:
    start: int
    end: int
    text: str
    item: _Item | None  # None: not an item of this turn


def _blank_questions(text: str) -> str:
    """The text with every question blanked out (a question asserts no number)."""
    out = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        out.append(" " * len(sentence) if sentence.rstrip().endswith("?") else sentence)
    return "".join(out)


def _units(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, starts_block) for each sentence; a list line or blank line starts a block."""
    pos = 0
    for line in text.splitlines(keepends=True):
        block = bool(_LIST_LINE.match(line)) or not line.strip()
        first = True
        for m in _SENTENCE.finditer(line):
            if m.group().strip():
                yield pos + m.start(), pos + m.end(), block and first
                first = False
        if not line.strip():
            yield pos, pos, True
        pos += len(line)


class GroundingChecker:
    """Verifies replies against tool outputs for one catalog's titles and attribute values."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    # -- item mentions --------------------------------------------------------------------

    def _catalog_titles(self, text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
        """(start, end, key, full title) of catalog titles named in the text ("&" read as
        "and", the way catalog title keys spell it: "Secrets & Lies")."""
        spans = _spans_with_ampersands(text)
        tokens = [t for t, _, _ in spans]
        out = []
        for start, end, ids in self.vocab.find_titles(tokens):
            if end - start == 1 and not written_as_title(tokens[start], text):
                continue
            key = " ".join(t for t in tokens[start:end] if t[:1].isalnum())
            out.append((spans[start][1], spans[end - 1][2], key, tuple(ids)))
        return out

    @staticmethod
    def _turn_titles(text: str, facts: _Facts) -> list[_Mention]:
        """This turn's items named exactly as the tools wrote them (long titles, brackets,
        "&" and all): "Dr. Strangelove or: How I Learned ... (1963)"."""
        titles = {i.title.strip(): i for i in facts.all_items() if len(i.title.strip()) > 2}
        present = sorted((t for t in titles if t in text), key=len, reverse=True)
        if not present:
            return []
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in present) + r")(?!\w)")
        return [
            _Mention(m.start(), m.end(), m.group(), titles[m.group()])
            for m in pattern.finditer(text)
        ]

    def _mentions(self, text: str, facts: _Facts, padded: _Padded) -> tuple[list[_Mention], int]:
        """Every item-like mention, resolved to this turn's items where it is one."""
        mentions = self._turn_titles(text, facts)
        exact = [(m.start, m.end) for m in mentions]
        for start, end, key, ids in self._catalog_titles(text):
            if self._overlaps(start, end, exact):
                continue
            full = self.vocab.title_of(ids[0]) if ids else key
            rest = text[end:]
            gap = len(rest) - len(rest.lstrip())
            inner = _INNER_PARENS.match(rest.lstrip())
            if inner and inner.group().strip().lower() in full.lower():
                # the title's own "(ID4)", "(Andy Warhol's Dracula)" belongs to the mention
                end += gap + inner.end()
                rest = text[end:]
                gap = len(rest) - len(rest.lstrip())
            tail = _YEAR_TITLE.match(rest.lstrip())
            year = int(tail.group(1)) if tail else None
            if tail:  # the title's "(1995)" belongs to the mention
                end += gap + tail.end()
                same_year = (self.vocab.title_of(i) for i in ids)
                full = next((t for t in same_year if _title_year(t) == year), full)
            known = facts.items.get(title_key(full)) or facts.items.get(key)
            item = facts.find(title_key(full), year) or facts.find(key, year)
            if item is None and not known and f" {key} " in padded:
                item = facts.item(full)  # named in the user's words or the tools' text: no facts
            if item is not None and year is not None and item.year not in (None, year):
                item = None  # the wrong year
            mentions.append(_Mention(start, end, text[start:end], item))
        taken = [(m.start, m.end) for m in mentions]
        mentions += self._year_titles(text, facts, padded, taken)
        taken = [(m.start, m.end) for m in mentions]
        mentions += self._emphasised(text, facts, padded, taken)
        taken = [(m.start, m.end) for m in mentions]
        mentions += self._list_leads(text, facts, padded, taken)
        return sorted(mentions, key=lambda m: m.start), len(mentions)

    @staticmethod
    def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
        return any(s < end and start < e for s, e in taken)

    def _year_titles(
        self, text: str, facts: _Facts, padded: _Padded, taken: list[tuple[int, int]]
    ) -> list[_Mention]:
        """ "Some Title (1987)": the capitalised words before a year in brackets (with "&",
        "of", ... inside, and a bracketed alternative title: "Independence Day (ID4) (1996)";
        a list marker is not part of the name)."""
        out = []
        for m in _YEAR_TITLE.finditer(text):
            if self._overlaps(m.start(), m.end(), taken):
                continue
            line_start = text.rfind("\n", 0, m.start()) + 1
            marker = _LIST_LINE.match(text[line_start : m.start()])
            body = line_start + (marker.end() if marker else 0)
            words = [(w.group(), w.start()) for w in _NAME_WORD.finditer(text, body, m.start())]
            words = words[-12:]
            start_word = len(words)
            for i in range(len(words) - 1, -1, -1):
                word = words[i][0]
                w = word.strip(",.:")
                if (
                    w[:1].isupper()
                    or w[:1].isdigit()
                    or (w.lower() in _SMALL_WORDS and i > 0)
                    or (word in _JOINERS and i > 0)
                    or (word.startswith("(") and i == len(words) - 1)
                ):
                    start_word = i
                else:
                    break
            while start_word < len(words) and (
                words[start_word][0].lower() in _SMALL_WORDS or words[start_word][0] in _JOINERS
            ):
                start_word += 1  # a title starts with a capital ("the" starts the sentence)
            name_words = words[start_word:]
            if not name_words:
                continue
            year = int(m.group(1))
            found = None
            start = name_words[0][1]
            for _, at in name_words:  # the longest tail of the words naming an item
                item = facts.find(title_key(text[at : m.end()]), year)
                if item is not None and (item.year is None or item.year == year):
                    found, start = item, at
                    break
            if found is None and f" {normalise(text[start : m.end()])} " in padded:
                # the tools' own text names it so ("Because you rated ... (1963)"): no facts
                found = facts.item(text[start : m.end()])
            out.append(_Mention(start, m.end(), text[start : m.end()], found))
        return out

    def _emphasised(
        self, text: str, facts: _Facts, padded: _Padded, taken: list[tuple[int, int]]
    ) -> list[_Mention]:
        """Bold or quoted names: an item of this turn, or at least words the sources used."""
        out = []
        for m in _EMPHASIS.finditer(text):
            phrase = next(g for g in m.groups() if g).strip()
            norm = normalise(phrase)
            if not norm or not phrase[:1].isupper() or phrase.rstrip().endswith(":"):
                continue
            if self._overlaps(m.start(), m.end(), taken):
                continue
            item = facts.find(title_key(phrase), _title_year(phrase))
            if item is None and f" {norm} " in padded:
                continue  # words the tools used (an attribute value, a variable)
            out.append(_Mention(m.start(), m.end(), phrase, item))
        return out

    def _list_leads(
        self, text: str, facts: _Facts, padded: _Padded, taken: list[tuple[int, int]]
    ) -> list[_Mention]:
        """The name a list line starts with ("3. The Silent Harbor — a tense thriller")."""
        out = []
        pos = 0
        for line in text.splitlines(keepends=True):
            marker = _LIST_LINE.match(line)
            if marker:
                body_start = pos + marker.end()
                body = line[marker.end() :]
                sep = _LEAD_SEPARATOR.search(body)
                if sep is not None:
                    lead = body[: sep.start()].replace("*", "").strip()
                    lead_end = body_start + sep.start()
                    later = [s for s, _ in taken if lead_end <= s < pos + len(line)]
                    if (
                        self._title_like(lead)
                        and not self._overlaps(body_start, lead_end, taken)
                        and not later  # "Top pick: Fargo (1996)": a label before a title
                    ):
                        item = facts.find(title_key(lead))
                        if item is not None or f" {normalise(lead)} " not in padded:
                            out.append(_Mention(body_start, lead_end, lead, item))
            pos += len(line)
        return out

    @staticmethod
    def _title_like(lead: str) -> bool:
        words = lead.split()
        if not 2 <= len(words) <= 8 or not words[0][:1].isupper():
            return False
        return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _SMALL_WORDS for w in words)

    # -- the check -------------------------------------------------------------------------

    def check(self, text: str, sources: Sequence[str]) -> GroundingReport:
        """Compare a reply's items, numbers, signs and attributes with the sources."""
        facts = _Facts()
        for source in sources:
            facts.add_source(source)
        for item_id in dict.fromkeys(facts.signals):  # the user's own signals a reason cites
            title = self.vocab.title_of(item_id)
            if title:
                facts.item(title)
        padded = _Padded(sources)
        owned = [n for item in facts.all_items() for n in item.numbers]
        everything = _NumberIndex(facts.free + owned + list(_ALLOWED_CONSTANTS))
        free = _NumberIndex(facts.free + list(_ALLOWED_CONSTANTS))
        signed_all = np.asarray(facts.signed, dtype=float)

        mentions, checked_titles = self._mentions(text, facts, padded)
        bad_titles = [m.text for m in mentions if m.item is None]
        blanked = list(text)
        for m in mentions:
            blanked[m.start : m.end] = " " * (m.end - m.start)
        clean = _blank_questions("".join(blanked))
        clean = _LIST_MARKER.sub(lambda m: " " * len(m.group()), clean)
        clean = _ORDINAL.sub(lambda m: " " * len(m.group()), clean)
        directed = {m.end(): m.group(1).lower() for m in _DIRECTION.finditer(clean)}

        bad_numbers: list[str] = []
        wrong_item: list[str] = []
        flipped: list[str] = []
        bad_attributes: list[str] = []
        checked = 0
        context: list[_Item] = []
        for start, end, new_block in _units(text):
            if new_block:
                context = []
            here = [m.item for m in mentions if start <= m.start < end and m.item is not None]
            if here:  # items named earlier in the block stay in view ("Why A? Because B ...")
                context = [*here, *(i for i in context if i not in here)]
            signed: np.ndarray | None = None  # the effects' signed values, when a sign is said
            for m in _NUMBER.finditer(clean, start, end):
                sign, _dollar, whole, frac, pct = m.groups()
                raw = m.group().strip()
                value = float(whole.replace(",", "") + (frac or ""))
                decimals = len(frac) - 1 if frac else 0
                if not frac and not pct and value <= 20 and _COUNT_NOUN.match(clean[m.end() :]):
                    continue  # "10 movies": a count of what is shown
                checked += 1
                if not everything.has(value, decimals, bool(pct)):
                    bad_numbers.append(raw)
                    continue
                mine = any(i.index.has(value, decimals, bool(pct)) for i in context)
                if context and not mine and not free.has(value, decimals, bool(pct)):
                    wrong_item.append(f"{raw} (for {context[0].title})")
                    continue
                negative = sign in ("-", "\u2212")
                verb = directed.get(m.start())
                if verb is not None:
                    negative = verb.startswith(_NEGATIVE_VERBS)
                if (sign or verb) and not pct:
                    if signed is None:
                        signed = _signs_for(text[start:end], facts.effects, signed_all)
                    if _flipped(signed, value, decimals, negative):
                        flipped.append(raw if sign else f"{verb} by {raw}")
            if len(context) == 1:
                bad_attributes += self._attributes(text[start:end], clean[start:end], context[0])
        return GroundingReport(
            unsupported_numbers=tuple(dict.fromkeys(bad_numbers)),
            unsupported_titles=tuple(dict.fromkeys(bad_titles)),
            numbers_checked=checked,
            titles_checked=checked_titles,
            misattributed_numbers=tuple(dict.fromkeys(wrong_item)),
            flipped_signs=tuple(dict.fromkeys(flipped)),
            unsupported_attributes=tuple(dict.fromkeys(bad_attributes)),
        )

    def _attributes(self, original: str, clean: str, item: _Item) -> list[str]:
        """Attribute values and decades said of one item that the item does not have."""
        out = []
        year = item.year
        for m in _DECADE.finditer(clean):
            decade = int(m.group(1))
            if year is not None and not decade <= year <= decade + 9:
                out.append(f"{item.title}: {m.group()}")
        spans = token_spans(clean)
        tokens = [t for t, _, _ in spans]
        for hit in self.vocab.find_values(tokens, fuzzy=False):
            have = item.attributes.get(hit.attribute)
            if have is None or not str(have).strip():
                continue
            before = set(tokens[max(0, hit.start - 4) : hit.start])
            if before & _NEGATION or set(tokens[max(0, hit.start - 8) : hit.start]) & _ABOUT_USER:
                continue
            clause = hit.start
            while clause > 0 and tokens[clause - 1] not in _CLAUSE_END:
                clause -= 1
            if set(tokens[clause : hit.start]) & _WISH_WORDS:
                continue
            values = {normalise(v) for v in str(have).split("|")}
            if not values & {normalise(v) for v in hit.values}:
                said = original[spans[hit.start][1] : spans[hit.end - 1][2]]
                out.append(f"{item.title}: {said}")
        return out


def _arm_at(text: str, value: Any) -> int:
    """Where an effect's arm is named in a sentence (-1: not named)."""
    if isinstance(value, bool) or value is None:
        return -1
    if isinstance(value, int | float):
        for m in _NUMBER.finditer(text):
            frac = m.group(4)
            shown = float(m.group(3).replace(",", "") + (frac or ""))
            if abs(shown - abs(float(value))) <= 0.5 * 10 ** (-(len(frac) - 1 if frac else 0)):
                return m.start()
        return -1
    return text.lower().find(str(value).lower())


def _signs_for(
    sentence: str, effects: list[tuple[Any, Any, list[float]]], signed: np.ndarray
) -> np.ndarray:
    """The signed values a sentence may quote: an effect told with its arms swapped ("1986
    instead of 1996") quotes its values negated."""
    extra: list[float] = []
    keep = np.ones(len(signed), dtype=bool)
    for treated, control, values in effects:
        at_t, at_c = _arm_at(sentence, treated), _arm_at(sentence, control)
        if at_t >= 0 and at_c >= 0 and at_c < at_t:
            for v in values:
                keep &= signed != v
            extra += [-v for v in values]
    return np.concatenate([signed[keep], np.asarray(extra, dtype=float)]) if extra else signed


def _flipped(signed: np.ndarray, value: float, decimals: int, negative: bool) -> bool:
    """True when the sources hold this magnitude only with the other sign (a flipped effect)."""
    if not signed.size:
        return False
    tolerance = 0.5 * 10 ** (-decimals) + 1e-9
    close = signed[np.abs(np.abs(signed) - value) <= tolerance]
    if not close.size or np.any(close == 0):
        return False
    want = -value if negative else value
    return not np.any(np.abs(close - want) <= tolerance)
