"""The rule parser: one user turn -> a `Parse` (see `agent.parse`), driven by the catalog.

`understand(text, vocab, shown)` finds attribute values as the catalog spells them (and as
its schema.toml's synonyms say them; misspellings by rapidfuzz), negation scoped to its
clause ("that's not a comedy" complains about the list; "no comedies" excludes), numeric
ranges and decades in digits and words (`agent.nlu_numbers`), item references and their role
(`agent.nlu_refs`), popularity wishes, feedback, a list size, and the words it could not
place (a soft relevance signal the reply owns up to). Intents here come from cue patterns;
the planner's `IntentClassifier` (`agent.intents`) decides with the sentence embedding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.nlu_adjust import absolute_age, adjust_numbers
from agent.nlu_anaphora import names_shown_item
from agent.nlu_cache import PerObject
from agent.nlu_causal import (
    find_variables,
    spoken_name,
    unknown_causal_terms,
    what_if_question,
)
from agent.nlu_clauses import (
    clause_of,
    clause_starts,
    complaint_before,
    removed_after,
    restore_apostrophes,
)
from agent.nlu_company import company_positions
from agent.nlu_cues import (
    INTENT_PATTERNS,
    K_RX,
    MORE,
    NEG_CUES,
    NUMBER_WORDS,
    OUTCOME_CUE,
    POSITIVE_CUES,
    QUESTION_START,
    RECOMMEND,
    REFINE,
    REPLACE,
    STOPWORDS,
    WISH_CONDITIONAL,
)
from agent.nlu_fame import POPULARITY
from agent.nlu_filler import (
    ITEM_NOUNS,
    catalog_nouns,
    foreign_turn,
    wish_positions,
)
from agent.nlu_foreign import catalog_titles, gloss_turn
from agent.nlu_forms import derived_hits, derived_phrases
from agent.nlu_intent_shape import settle_rule_intents
from agent.nlu_numbers import RELATIVE, numeric_slots
from agent.nlu_refs import find_refs
from agent.nlu_removal import crowded_list, passed_if, rhetorical_why
from agent.nlu_scope import describes_shown, rejected_after, set_aside, value_negated
from agent.nlu_taste import framed_titles, promote_taste
from agent.nlu_topics import topic_hits
from agent.nlu_trivia import world_question
from agent.nlu_typos import cue_words, english_words, repair_typos
from agent.nlu_unplaced import (
    attribute_nouns,
    unplaced_phrases,
    unsupported_wishes,
    without_complaints,
)
from agent.parse import (
    Direction,
    FeedbackKind,
    Intent,
    ItemRef,
    Parse,
    Range,
    TitleRole,
    WhatIf,
)
from agent.vocab import Vocabulary, token_spans, words

__all__ = [
    "Direction",
    "FeedbackKind",
    "Intent",
    "ItemRef",
    "Parse",
    "Range",
    "TitleRole",
    "WhatIf",
    "find_variables",
    "spoken_name",
    "understand",
    "unknown_causal_terms",
]

_PRONOUN_ONLY = re.compile(
    r"(?i)its?|that|this|dis|dat|that one|this one|the one|th(at|is) (movie|film)"
)
_ABOUT_AN_ITEM = re.compile(
    r"(?i)\b(why|explain|justify|how come|reason|compare|versus|vs|better|love|loved|like|liked|enjoy|enjoyed|hate|hated|seen|watched|saw|own|"
    r"boring|awful|great|brilliant|favou?rite|more like|similar|thumbs|cho(o)?se|chosen|pick|"
    r"[a-z]+er than|differ(?:s|ent)? (?:from|to|than)|as good as|keen|ugly|bought|masterpiece|"
    r"(?:stacks?|measures?|holds?) up|against|side[- ]by[- ]side|next to|alongside|differences? between|"
    r"if it (?:were|was|had|came)|"
    r"picked|suggest|recommend|\U0001f44d|\U0001f44e)"
    # a hypothetical or a question whose subject is the item: "if this one were ...", "if I
    # rated that ...", "would this one still show up", "what's it doing here", "what makes this"
    r"|(?i:\b(?:if|suppose|supposing|say)\s+(?:(?:i|we|everyone|people|nobody)(?:['\u2019]d)?\s+(?:[\w']+\s+){0,3})?"
    r"(?:this|that|it)(?:\s+one)?\b|\bwould\s+(?:this|that)\b|\bwould\s+it\s+still\b"
    r"|\b(?:it|this|that)(?:\s+one)?\s+doing\b|\bwhat (?:made|makes|make) (?:this|that|it)\b|\bhow did you\b"
    r"|\bwhat (?:made|makes) (?:you|u)\b|\b(?:my )?(?:rating|score|review) (?:of|for) (?:it|this|that)\b"
    r"|\b(?:this|that)(?:\s+one)?\s+or\b"
    # a question how the item came to its place: "how did that one end up at the top"
    r"|\bhow\s+(?:did|does|has|is|was|come)\s+(?:this|that|it)\b)"
)
MAX_PARSE_CHARS = 1200  # a ramble is read up to here; the rest only counts as length
_ANY_WORDS = frozenset({"any", "whatever", "all"})


@dataclass
class _Acc:
    include: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)  # token positions consumed by slots
    cleared: list[str] = field(default_factory=list)

    def add(self, target: dict[str, list[str]], attr: str, value: str) -> None:
        values = target.setdefault(attr, [])
        if value not in values:
            values.append(value)


def _written_as_name(
    text: str, spans: Sequence[tuple[str, int, int]], tokens: Sequence[str], start: int, end: int
) -> bool:
    """A part of a name counts after "by" or when capitalised mid-sentence ("a Tanaka novel")."""
    if start > 0 and tokens[start - 1] == "by":
        return True
    for _, s, _e in spans[start:end]:
        before = text[:s].rstrip()
        if text[s].isupper() and before and before[-1] not in ".!?":
            return True
    return False


def _cleared(tokens: Sequence[str], vocab: Vocabulary, acc: _Acc) -> None:
    """ "any color", "whatever genre", "the price doesn't matter": that wish is dropped."""

    def stem(word: str) -> str:
        return word[:-1] if word.endswith("s") and len(word) > 3 else word

    stems = [stem(t) for t in tokens]
    for attr in [*vocab.categorical, *vocab.numeric]:
        for spoken in {attr, spoken_name(attr)}:
            name = [stem(w) for w in spoken.lower().replace("_", " ").split()]
            n = len(name)
            hit = next(
                (
                    i
                    for i in range(len(tokens) - n + 1)
                    if stems[i : i + n] == name
                    and (
                        (i > 0 and tokens[i - 1] in _ANY_WORDS)
                        or "matter" in tokens[i + n : i + n + 3]
                    )
                ),
                None,
            )
            if hit is not None:
                acc.cleared.append(attr)
                acc.used.update(range(max(hit - 1, 0), min(hit + n + 3, len(tokens))))
                acc.include.pop(attr, None)
                break


def _blanked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(max(0, start), min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)


def feedback_or_focus(text: str, refs: Sequence[ItemRef]) -> bool:
    """True when a pronoun can point at the item in focus ("why that one?", "loved it"),
    not when "it" is the wished item ("it would be nice if it were a comedy")."""
    if any(r.role is TitleRole.TASTE for r in refs):
        return True
    if WISH_CONDITIONAL.search(text) and not OUTCOME_CUE.search(text):
        return False
    return _ABOUT_AN_ITEM.search(text) is not None


def rule_intents(text: str, parse_slots: bool, feedback: bool, refs: bool) -> list[Intent]:
    """Intents from cue patterns, most specific first (the fallback without an embedder)."""
    found = [intent for intent, rx in INTENT_PATTERNS if rx.search(text)]
    if Intent.WHAT_IF in found and WISH_CONDITIONAL.search(text) and not OUTCOME_CUE.search(text):
        found.remove(Intent.WHAT_IF)  # "it would be nice if it were a comedy": a wish
    if Intent.CAUSAL in found and Intent.WHAT_IF in found:
        found.remove(Intent.CAUSAL)
    if Intent.WHY in found and Intent.CAUSAL in found:
        found.remove(Intent.WHY)
    found = settle_rule_intents(found, text)  # "all else equal", "if I'd hated it", ...
    if feedback:
        found.append(Intent.FEEDBACK)
    if MORE.search(text) or (parse_slots and (REFINE.search(text) or refs)):
        found.append(Intent.REFINE)
    if RECOMMEND.search(text) or parse_slots:
        found.append(Intent.RECOMMEND)
    if not found and QUESTION_START.search(text) and not refs:
        found.append(Intent.OFF_TOPIC)
    return list(dict.fromkeys(found))


STEM = 5  # "published" and "publication" share a stem: the word names the attribute


def _described_stems(vocab: Vocabulary, attributes: set[str]) -> set[str]:
    """Stems of the names and descriptions of attributes this turn placed: "published after
    2010" says the year whose description is "year of first publication"."""
    stems: set[str] = set()
    for attr in attributes:
        info = vocab.numeric.get(attr) or vocab.categorical.get(attr)
        text = f"{attr.replace('_', ' ')} {getattr(info, 'description', '')}"
        stems.update(w[:STEM] for w in words(text) if len(w) >= STEM)
    return stems


def _cue_blanked(text: str) -> str:
    """The text with every cue phrase blanked (what is left may be an unplaced wish)."""
    rxs = [rx for _, rx in INTENT_PATTERNS] + [MORE, REPLACE, K_RX, WISH_CONDITIONAL, OUTCOME_CUE]
    rxs += [rx for rx, _, _ in RELATIVE] + [rx for rx, _ in POPULARITY]  # "old-fashioned"
    spans = [m.span() for rx in rxs for m in rx.finditer(text)]
    return _blanked(text, spans)


_PER_VOCAB = PerObject(limit=32)


def _once(vocab: Vocabulary, name: str, make: Callable[[], Any]) -> Any:
    """What `make` reads off a vocabulary, computed once per vocabulary."""
    return _PER_VOCAB.get(vocab, name, make)


def _nouns(vocab: Vocabulary) -> frozenset[str]:
    """The catalog's item nouns ("jacket")."""
    return _once(vocab, "nouns", lambda: catalog_nouns(list(vocab.titles)))


def _known(vocab: Vocabulary) -> frozenset[str]:
    """Words of the catalog's value phrases and item nouns ("parka"): English enough."""
    return _once(
        vocab,
        "known",
        lambda: (
            _nouns(vocab)
            | {
                w
                for a in vocab.categorical.values()
                if len(a.phrases) <= 300
                for p in a.phrases
                for w in p.split()
            }
        ),
    )


def _attribute_nouns(vocab: Vocabulary) -> frozenset[str]:
    """Words naming the catalog's attributes ("colours"): kept after a wish said of them."""
    return _once(vocab, "attr_nouns", lambda: attribute_nouns([*vocab.categorical, *vocab.numeric]))


def _forms(vocab: Vocabulary) -> Mapping[str, list[tuple[str, tuple[str, ...]]]]:
    """Derived adjective and noun forms of the catalog's values ("dramatic")."""
    return _once(vocab, "forms", lambda: derived_phrases(vocab, STOPWORDS))


def requested_k(text: str) -> int | None:
    """A list size the user asked for ("show me 5", "top 3")."""
    m = K_RX.search(text)
    if not m:
        return None
    raw = (m.group(1) or m.group(2) or "").lower()
    value = NUMBER_WORDS.get(raw) or (int(raw) if raw.isdigit() else 0)
    return max(1, min(20, value)) if value else None


def understand(
    text: str,
    vocab: Vocabulary,
    shown: Sequence[str] = (),
    *,
    focus: str | None = None,
    variables: Sequence[str] = (),
    outcomes: Sequence[str] = (),
) -> Parse:
    """Read one user turn (see the module docstring).

    `shown` is the list the user last saw (for "the second one"); `focus` the item last
    talked about (for "it"); `variables` and `outcomes` the causal graph's variable names.
    """
    full = text if isinstance(text, str) else ""
    glossed = gloss_turn(full, _once(vocab, "titles", lambda: catalog_titles(vocab)))
    original, full = (full, glossed.text) if glossed else ("", full)  # read its English gloss
    as_typed = [w for w, _, _ in token_spans(full)]  # an unplaced wish is repeated as typed
    full = repair_typos(full, vocab, _COMMON)
    half = MAX_PARSE_CHARS // 2  # a ramble: its opening and its ending carry the wish
    text = full if len(full) <= MAX_PARSE_CHARS else f"{full[:half]} ... {full[-half:]}"
    text = _ASIDE.sub(lambda m: " " * len(m.group()), text)  # "it is not, I'm sure, X"
    spans = token_spans(text)
    tokens = restore_apostrophes([t for t, _, _ in spans])
    found = find_refs(text, spans, vocab, shown, focus)
    framed_titles(text, spans, vocab, found)
    promote_taste(text, found)
    acc = _Acc()
    blank_tokens = {
        i for i, (_, s, e) in enumerate(spans) if any(bs < e and s < be for bs, be in found.blank)
    }
    skip = found.title_tokens | blank_tokens

    either: set[str] = set()
    conflicts: list[tuple[str, str]] = []
    last_wanted: dict[str, int] = {}
    hits = [
        h
        for h in vocab.find_values(tokens)
        if not skip.intersection(range(h.start, h.end))  # a word inside a title is no wish
        and (not h.partial or _written_as_name(text, spans, tokens, h.start, h.end))
        and not (h.fuzzy and tokens[h.start] in english_words())
    ]  # "king" is a word; "by King" or "a King novel" names an author; "makes" is no "male"
    taken = skip | {i for h in hits for i in range(h.start, h.end)}
    hits = sorted([*hits, *derived_hits(tokens, _forms(vocab), taken)], key=lambda h: h.start)
    hits, topics = topic_hits(tokens, hits, vocab, ITEM_NOUNS | _nouns(vocab))  # "with dragons"
    described = {i for h in topics for i in range(h.start, h.end)}  # words of a topic: a wish
    protected = skip | {i for h in hits for i in range(h.start, h.end)}
    starts = clause_starts(text, spans, protected)
    numbers = numeric_slots(_blanked(text, found.blank), vocab)
    # a negation inside a number or fame phrase is that phrase's own ("a not so well known
    # comedy" wants a comedy): it governs no value after it
    scoped = [
        ","
        if (t in NEG_CUES or t.endswith("n't")) and any(a <= s < b for a, b in numbers.spans)
        else t
        for t, (_, s, _) in zip(tokens, spans, strict=True)
    ]
    for hit in hits:
        acc.used.update(range(hit.start, hit.end))
        low, high = clause_of(hit.start, starts, len(tokens))
        clause, at, end = scoped[low:high], hit.start - low, hit.end - low
        rhetorical = rhetorical_why(clause, at)  # "why so many westerns?": fewer of them
        if not rhetorical and (describes_shown(clause, at) or set_aside(tokens, hit, hits)):
            if rejected_after(tokens, hit.end, starts, hit.attribute):
                for value in hit.values:  # "these are all dramas, not it": fewer of those
                    acc.add(acc.exclude, hit.attribute, value)
            continue
        complaint = complaint_before(clause, at)
        if complaint is None and (
            removed_after(clause, at, end)
            or crowded_list(clause, at, end)
            or passed_if(tokens, hit.start, hit.end)
            or rhetorical
        ):
            complaint = True  # "take the horror films off this list", "lots of X ones there"
        negated = value_negated(clause, (at, end), tokens, hit.attribute, complaint)
        if not negated and rejected_after(tokens, hit.end, starts):
            negated = not any(w in POSITIVE_CUES or w.startswith("i'") for w in clause[:at])
        for value in hit.values:
            acc.add(acc.exclude if negated else acc.include, hit.attribute, value)
        if not negated:
            if (
                hit.attribute in last_wanted
                and "or" in tokens[last_wanted[hit.attribute] : hit.start]
            ):
                either.add(hit.attribute)
            last_wanted[hit.attribute] = hit.end
    for attr in list(acc.include):
        clash = [v for v in acc.include[attr] if v in acc.exclude.get(attr, [])]
        conflicts += [(attr, v) for v in clash]
        acc.include[attr] = [v for v in acc.include[attr] if v not in clash]
        if clash:
            acc.exclude[attr] = [v for v in acc.exclude[attr] if v not in clash]
            if not acc.exclude[attr]:
                del acc.exclude[attr]
        if not acc.include[attr]:
            del acc.include[attr]
    for flag in vocab.find_flags(tokens, acc.used | skip):
        acc.used.update(range(flag.start, flag.end))
        low, high = clause_of(flag.start, starts, len(tokens))
        clause, at, end = tokens[low:high], flag.start - low, flag.end - low
        if flag.attribute in numbers.ranges or describes_shown(clause, at):
            continue
        negated = value_negated(clause, (at, end), tokens, flag.attribute)
        value = 1.0 - flag.value if negated else flag.value  # "not illustrated": the flag at 0
        numbers.ranges[flag.attribute] = Range(value, value)
    numbers = adjust_numbers(_blanked(text, found.blank), numbers, vocab)
    aged = absolute_age(_blanked(text, found.blank), numbers, vocab, bool(shown))  # "an old one"
    if world_question(text) and not (acc.include or acc.exclude or found.refs):
        numbers.ranges, numbers.relative = {}, []  # "who won the cup in 2018": a fact, no wish
    _cleared(tokens, vocab, acc)
    for attr in acc.cleared:  # "the price doesn't matter" drops a range said before it too
        numbers.ranges.pop(attr, None)
        numbers.relative = [(a, d) for a, d in numbers.relative if a != attr]

    refs = found.ordered()
    if refs and not feedback_or_focus(text, refs):
        refs = [r for r in refs if not _PRONOUN_ONLY.fullmatch(r.text.strip())]
    like_items = [r.item_id for r in refs if r.role is TitleRole.TASTE]
    feedback = found.feedback
    has_slots = bool(
        acc.include or acc.exclude or numbers.ranges or numbers.relative or numbers.popularity
    )
    if found.focus_guess and has_slots:
        feedback = []  # "too recent for me", "meh, less popular": a wish, not a verdict on it
    intents = rule_intents(text, has_slots or bool(like_items), bool(feedback), bool(refs))
    if not shown:  # nothing on screen to refine: a wish stands on its own
        intents = list(
            dict.fromkeys(Intent.RECOMMEND if i is Intent.REFINE else i for i in intents)
        )
    if like_items and Intent.RECOMMEND not in intents:
        intents.append(Intent.RECOMMEND)
    what_if = None
    if Intent.WHAT_IF in intents:
        what_if = what_if_question(text, variables, outcomes, acc.include, numbers.relative)
    named_vars = tuple(find_variables(text, variables)) if variables else ()

    covered = _cue_blanked(_blanked(text, [*found.blank, *numbers.spans]))
    values = {i for h in hits for i in range(h.start, h.end)} - described
    wishes = wish_positions(tokens, starts, values, STOPWORDS, _nouns(vocab), skip)
    nouns = ITEM_NOUNS | _nouns(vocab)

    def heads(i: int) -> bool:  # an item noun or value: the words before it modify it
        return i in values or (i < len(tokens) and tokens[i] in nouns)

    placed = {*acc.include, *acc.exclude, *numbers.ranges, *(a for a, _ in numbers.relative)}
    about = _described_stems(vocab, placed)
    used = (
        (acc.used - described) | skip | company_positions(tokens, _nouns(vocab), values)
    )  # "for a 6-year-old"
    said = [
        (" ".join(kept), " ".join(bare))
        for phrase, turn in unplaced_phrases(
            spans, used, covered, wishes, text, tokens, heads, _attribute_nouns(vocab), as_typed
        )
        if (kept := [w for w in phrase.split(" ") if w[:STEM] not in about])
        and (bare := [w for w in phrase[turn:].split(" ") if w[:STEM] not in about])
    ]
    said = [(p, b) for p, b in said if not names_shown_item(text, p, shown)]  # "the pig film"
    if glossed:  # a word of the other language the lexicon lacks is no English wish
        said = [(p, b) for p, b in said if not glossed.leftover.intersection(p.split())]
    lacking = unsupported_wishes(text, numbers.unsupported, numbers.spans, STOPWORDS)
    said = without_complaints(said, bool(shown), has_slots or bool(like_items or lacking or aged))
    unplaced = list(dict.fromkeys([*(phrase for phrase, _ in said), *lacking, *aged]))
    query = " ".join(bare for _, bare in said[:8])  # the wish's own words ("grim"), as before
    if not any(c.isalnum() for c in full) or foreign_turn(covered, english_words(), _known(vocab)):
        unplaced, query = [], ""  # "quiero una comedia": another language's words are no wish
    return Parse(
        text=full,
        intents=tuple(intents),
        include={k: tuple(v) for k, v in acc.include.items()},
        exclude={k: tuple(v) for k, v in acc.exclude.items()},
        ranges=dict(numbers.ranges),
        relative=tuple(numbers.relative),
        replace=bool(REPLACE.search(text)),
        items=tuple(r.item_id for r in refs if r.role is not TitleRole.EXCLUDE),
        like_items=tuple(like_items),
        feedback=tuple(feedback),
        k=requested_k(text),
        query=query,
        what_if=what_if,
        variables=named_vars,
        wants_more=bool(MORE.search(text)),
        either=frozenset(either),
        unsupported=tuple(dict.fromkeys(numbers.unsupported)),
        cleared=tuple(dict.fromkeys(acc.cleared)),
        refs=tuple(refs),
        popularity=numbers.popularity,
        unknown_titles=tuple(dict.fromkeys(found.unknown_titles)),
        unplaced=tuple(unplaced),
        conflicts=tuple(dict.fromkeys(conflicts)),
        language=glossed.name if glossed else "",
        original=original,
    )


def is_reset_command(text: str) -> bool:
    """A short "start over" / "reset": a command to the session, on every backend."""
    reset = next(rx for intent, rx in INTENT_PATTERNS if intent is Intent.RESET)
    return len(text.split()) <= 8 and reset.search(text) is not None


def wants_items(parse: Parse) -> bool:
    """True when the turn asks for a list (recommend or refine)."""
    return bool({Intent.RECOMMEND, Intent.REFINE} & set(parse.intents))


# A hedge set off by commas inside a clause ("It is not, I am quite sure, a thriller"): it
# neither ends the clause nor carries a wish, so a negation reaches past it.
_ASIDE = re.compile(
    r",\s*(?:i am|i'm|im|i’m)\s+(?:quite |pretty |fairly |very |almost |reasonably )?"
    r"(?:sure|certain|positive)\s*,|,\s*i\s+(?:think|believe|reckon|guess|suppose|suspect)\s*,",
    re.IGNORECASE,
)


def looks_english(text: str) -> bool:
    """False for text of three words or more of which under a quarter are common English
    words (another language); the catalog's own words are checked by the caller."""
    found = re.findall(r"[^\W\d_]+(?:'[a-z]+)?", text.lower())
    if len(found) < 3:
        return True
    cues = cue_words()  # "begin fresh lah": the parser's own cue words are English too
    bases = [w.split("'")[0] for w in found]  # "it's", "i'm": their base word
    common = sum(1 for w in bases if w in STOPWORDS or w in _COMMON or w in cues)
    return common / len(found) >= 0.25


_COMMON = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "and",
        "or",
        "of",
        "to",
        "in",
        "is",
        "it",
        "with",
        "for",
        "from",
        "not",
        "no",
        "some",
        "any",
        "please",
        "what",
        "why",
        "you",
        "more",
        "that",
        "this",
        "one",
        "but",
        "how",
        "can",
        "do",
        "does",
        "are",
        "was",
        "be",
        "have",
        "good",
        "old",
        "new",
        "hi",
        "hello",
        "want",
        "let's",
        "start",
        "again",
        "watch",
        "see",
        "show",
        "give",
        "find",
        "need",
    ]
)
