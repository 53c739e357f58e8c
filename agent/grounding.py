"""Check that a reply states only facts this turn's tool results support.

Sources are the turn's texts: the user's message, tool arguments and tool results (JSON where
they are JSON). From the JSON the checker learns which *items* the turn returned (any object
with a "title") and which facts belong to each (every number inside that object: scores,
ratings, ranks, counterfactual reasons; its attributes), and which numbers belong to no item
(effects, arguments). Then, in the reply:

- item-like mentions must be items of this turn: catalog titles, "Title (Year)", bold or
  quoted names, and the leading name of a list line ("3. The Silent Harbor — "). A title is
  read whole, as the tools wrote it ("Secrets & Lies (1996)", "Independence Day (ID4)
  (1996)"); items the user named and the signals a counterfactual reason removes ("without")
  may be named too; two titles that differ only by year are two items;
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

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from agent.grounding_facts import (
    NUMBER,
    Facts,
    Item,
    NumberIndex,
    Padded,
    sign_flipped,
    signs_for,
    title_year,
)
from agent.vocab import Vocabulary, normalise, title_key, token_spans, written_as_title

_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)
_LIST_LINE = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*\u2022])\s+")
_ORDINAL = re.compile(r"\b\d+(st|nd|rd|th)\b", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*([^*\n]{2,80})\*\*|\"([^\"\n]{2,80})\"|“([^”\n]{2,80})”")
_YEAR_TITLE = re.compile(r"\((1[89]\d\d|20\d\d)\)")
_INNER_PARENS = re.compile(r"\([^()\n]{1,60}\)(?=\s*\((?:1[89]\d\d|20\d\d)\))")
_AMPERSAND = re.compile(r"&")
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


def _spans_with_ampersands(text: str) -> list[tuple[str, int, int]]:
    """Token spans (agent.vocab) with each "&" read as the word "and", as title keys are."""
    spans = token_spans(text)
    if "&" not in text:
        return spans
    extra = [("and", m.start(), m.end()) for m in _AMPERSAND.finditer(text)]
    return sorted(spans + extra, key=lambda s: s[1])


@dataclass
class _Mention:
    start: int
    end: int
    text: str
    item: Item | None  # None: not an item of this turn


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
    def _turn_titles(text: str, facts: Facts) -> list[_Mention]:
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

    def _mentions(self, text: str, facts: Facts, padded: Padded) -> tuple[list[_Mention], int]:
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
                full = next((t for t in same_year if title_year(t) == year), full)
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
        self, text: str, facts: Facts, padded: Padded, taken: list[tuple[int, int]]
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
        self, text: str, facts: Facts, padded: Padded, taken: list[tuple[int, int]]
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
            item = facts.find(title_key(phrase), title_year(phrase))
            if item is None and f" {norm} " in padded:
                continue  # words the tools used (an attribute value, a variable)
            out.append(_Mention(m.start(), m.end(), phrase, item))
        return out

    def _list_leads(
        self, text: str, facts: Facts, padded: Padded, taken: list[tuple[int, int]]
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
        facts = Facts()
        for source in sources:
            facts.add_source(source)
        for item_id in dict.fromkeys(facts.signals):  # the user's own signals a reason cites
            title = self.vocab.title_of(item_id)
            if title:
                facts.item(title)
        padded = Padded(sources)
        owned = [n for item in facts.all_items() for n in item.numbers]
        everything = NumberIndex(facts.free + owned + list(_ALLOWED_CONSTANTS))
        free = NumberIndex(facts.free + list(_ALLOWED_CONSTANTS))
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
        context: list[Item] = []
        for start, end, new_block in _units(text):
            if new_block:
                context = []
            here = [m.item for m in mentions if start <= m.start < end and m.item is not None]
            if here:  # items named earlier in the block stay in view ("Why A? Because B ...")
                context = [*here, *(i for i in context if i not in here)]
            signed: np.ndarray | None = None  # the effects' signed values, when a sign is said
            for m in NUMBER.finditer(clean, start, end):
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
                        signed = signs_for(text[start:end], facts.effects, signed_all)
                    if sign_flipped(signed, value, decimals, negative):
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

    def _attributes(self, original: str, clean: str, item: Item) -> list[str]:
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
