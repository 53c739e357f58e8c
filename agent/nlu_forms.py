"""Adjective and noun forms of a catalog's values, derived by English suffix rules.

The vocabulary reads values as the data spells them ("Drama", "Animation", "insulated") and
as the dataset's schema.toml synonyms say them. People also use the other part of speech:
"a dramatic one", "something animated", "good insulation". These forms are derived here
from the values themselves by regular suffix swaps (drama -> dramatic, comedy -> comedic,
romance -> romantic, animation -> animated, musical -> music, horror -> horrific, adventure
-> adventurous, mystery -> mysterious, insulated -> insulation, black -> blackish), so any
catalog gets them without a word list. A derived form never shadows a phrase the data or
its synonyms already give, and only whole words match (no fuzzy matching of derived forms).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from agent.vocab import ValueHit, Vocabulary

# (suffix of the value, suffix of the derived form); applied to one-word values.
SUFFIX_RULES: tuple[tuple[str, str], ...] = (
    ("a", "atic"),
    ("y", "ic"),
    ("y", "ical"),
    ("y", "ious"),
    ("ance", "antic"),
    ("ation", "ated"),
    ("ated", "ation"),
    ("e", "ous"),
    ("er", "ing"),
    ("or", "ific"),
    ("al", ""),
    ("ic", "ical"),
    ("k", "kish"),
    ("n", "nish"),
    ("e", "ish"),
)
MIN_FORM_LETTERS = 5


def derived_forms(word: str) -> set[str]:
    """Other parts of speech of one lower-case word by the suffix rules."""
    out: set[str] = set()
    for old, new in SUFFIX_RULES:
        if word.endswith(old) and len(word) > len(old) + 2:
            form = word[: len(word) - len(old)] + new
            if len(form) >= MIN_FORM_LETTERS and form != word:
                out.add(form)
    return out


def derived_phrases(
    vocab: Vocabulary, function_words: Collection[str] = ()
) -> Mapping[str, list[tuple[str, tuple[str, ...]]]]:
    """Derived form -> [(attribute, values)] for every one-word value phrase of the catalog."""
    existing = {p for attr in vocab.categorical.values() for p in attr.phrases}
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for attr in vocab.categorical.values():
        for phrase, values in attr.phrases.items():
            if " " in phrase or not phrase.isalpha() or phrase not in _own_forms(values):
                continue
            for form in derived_forms(phrase):
                if form in existing or form in function_words:
                    continue
                entries = out.setdefault(form, [])
                if (attr.name, values) not in entries:
                    entries.append((attr.name, values))
    return out


def _own_forms(values: Sequence[str]) -> set[str]:
    """The value's own spelling (lower-case, one word), not its synonyms or plurals."""
    return {v.lower() for v in values if v.isalpha()}


def derived_hits(
    tokens: Sequence[str],
    forms: Mapping[str, list[tuple[str, tuple[str, ...]]]],
    taken: Collection[int],
) -> list[ValueHit]:
    """Value hits for tokens that are derived forms (positions in `taken` are skipped)."""
    hits: list[ValueHit] = []
    for pos, token in enumerate(tokens):
        if pos in taken:
            continue
        for attr, values in forms.get(token, ()):
            hits.append(ValueHit(attr, values, pos, pos + 1))
    return hits
