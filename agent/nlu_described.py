"""A shown item named by words of its own title: "why the navy parka?", "the parka or the
bomber?", "blue parka vs green parka", "more like the trench".

Split from `agent.nlu_refs` (kept under the module size limit). Only the titles of the list
just shown are read, so the cost is the list's length; a phrase names an item only when its
words fit the title of exactly one shown item. Which phrases may be read this way is driven
by the catalog: a single word counts when it is an attribute value ("the parka", "the pink"),
and a phrase without "the" only when every word is a value and the turn weighs items
("red parka or gray parka").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence

from agent.vocab import Vocabulary, token_spans

__all__ = ["DEFINITE", "WEIGHS", "shown_descriptions", "shown_title_words"]

DEFINITE = frozenset(["the", "that", "this"])
# a turn that weighs one item against another ("vs", "or", "than", "between", "against")
WEIGHS = re.compile(r"\b(?:vs\.?|versus|or|than|between|against|compare[ds]?)\b", re.IGNORECASE)


def shown_title_words(vocab: Vocabulary, shown: Sequence[str]) -> dict[str, set[str]]:
    """The words of each shown item's title, plus every word the catalog reads as one of the
    title's attribute values ("biker" for a "motorcycle jacket", "puffer" for an "insulated
    jacket", "grey" for "gray"): a shown coat is named by the user's words for its values."""
    out: dict[str, set[str]] = {}
    for item in shown:
        words = {w for w, _, _ in token_spans(vocab.title_of(item))}
        out[item] = words | {f"={v}" for w in words for v in _values(vocab, w)}
    return out


def _values(vocab: Vocabulary, word: str) -> set[str]:
    """Canonical values a single word names exactly (plural values also in the singular)."""
    found = set()
    for hit in vocab.find_values([word], fuzzy=False):
        for value in hit.values:
            found.add(value.lower())
            found.add(value.lower().removesuffix("s"))
    return found


def _fits(words: Sequence[str], title: Collection[str], vocab: Vocabulary | None) -> bool:
    if set(words) <= set(title):
        return True
    if vocab is None:
        return False
    return all(w in title or any(f"={v}" in title for v in _values(vocab, w)) for w in words)


def shown_descriptions(
    tokens: Sequence[str],
    titles: Mapping[str, Collection[str]],
    *,
    is_value: Callable[[str], bool],
    function_words: Collection[str],
    weighs: bool,
    removal: Collection[str] = (),
    vocab: Vocabulary | None = None,
) -> list[tuple[int, int, str]]:
    """(first token, end token, item id) of each phrase that names one shown item.

    After "the" / "that" / "this": the longest run of words found in one shown title, of two
    or more words, or one word followed by "one" ("the pink one"), or one attribute value
    ("the parka"). Without a determiner (only when `weighs`): two or more words, each an
    attribute value ("blue parka vs green parka"). After a `removal` verb ("swap the bomber for a fleece",
    "drop the pink one") the words stay a wish about values, as before. With `vocab`, a word
    also fits a title holding the value it names (`shown_title_words`)."""
    found: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    why = _asks_why(tokens)

    def named(word: str) -> str | None:  # the one shown item a value word fits
        if not is_value(word):
            return None
        fits = [i for i, title in titles.items() if _fits([word], title, vocab)]
        return fits[0] if len(fits) == 1 else None

    for at, token in enumerate(tokens):
        indefinite = why and token in ("a", "an") and at not in taken
        bad = at in taken or not token.isalpha() or token in function_words
        if bad and token not in DEFINITE and not indefinite:
            continue
        bare = token not in DEFINITE
        after_article = at > 0 and tokens[at - 1] in DEFINITE | {"a", "an"}
        if bare and not indefinite and (not (weighs or why) or after_article):
            continue
        verb = at - 2 if at > 1 and tokens[at - 1] == "of" else at - 1  # "get rid of the vest"
        if verb >= 0 and tokens[verb] in removal:
            continue
        first = at if bare and not indefinite else at + 1
        end = first
        while (
            end < len(tokens)
            and tokens[end].isalpha()
            and tokens[end] not in function_words
            and tokens[end] != "one"
        ):
            end += 1
        pair = bool(found) and _paired(tokens, found[-1][1], at)
        while end > first:  # the longest description that fits ("the red parka looks great")
            words = tokens[first:end]
            fits = [i for i, title in titles.items() if _fits(words, title, vocab)]
            if len(fits) == 1 and (
                _enough(words, tokens, end, bare and not indefinite, is_value)
                or _one_of_pair(words, tokens, (at, end), bare, pair or weighs or why, named, pair)
            ):
                found.append((first, end, fits[0]))
                taken.update(range(first, end))
                break
            end -= 1
    return found


_NOT_SHOWN_BEFORE = frozenset(["a", "an", "any", "another", "some", "no", "other", "more"])
_ALTERNATIVES = frozenset(["or", "vs", "versus", "and", "than"])
_WEIGHING = frozenset(["why", "between", "compare", "either", "prefer"])


def _paired(tokens: Sequence[str], previous_end: int, at: int) -> bool:
    """The description at `at` follows one just found, joined by "and" / "or" ("the gray and
    the blue ones", "the trench or the pea coat")."""
    between = [t for t in tokens[previous_end:at] if t not in DEFINITE]
    return bool(between) and all(t in _ALTERNATIVES for t in between)


def _one_of_pair(
    words: Sequence[str],
    tokens: Sequence[str],
    span: tuple[int, int],
    bare: bool,
    weighed: bool,
    named: Callable[[str], str | None],
    paired: bool = False,
) -> bool:
    """One value word naming one shown item in a turn that weighs or questions items: "pink
    one, why tho", "trench or pea coat, which?" (each side of the "or" names a different
    shown item; "black or navy?" with no black one shown is a wish), and "ones" shared by two
    descriptions ("the gray and the blue ones are nice"); never after "a" / "any"."""
    at, end = span
    item = named(words[0]) if len(words) == 1 and weighed else None
    if item is None or (at > 0 and tokens[at - 1] in _NOT_SHOWN_BEFORE):
        return False
    nxt = tokens[end] if end < len(tokens) else ""
    prev = tokens[at - 1] if at > 0 else ""
    if not bare:  # "the blue ones" beside "the gray": one of the two named
        return nxt == "ones"
    if nxt == "one":
        return True
    if nxt in _ALTERNATIVES and end + 1 < len(tokens) and (at == 0 or prev in _WEIGHING):
        other = named(tokens[end + 1])  # "trench or pea coat", not "only in blue or navy"
        return other is not None and other != item
    return paired and at > 1 and tokens[at - 1] in _ALTERNATIVES


def _asks_why(tokens: Sequence[str]) -> bool:
    """ "why a pink rain jacket?", "red rain jacket?? why on earth": a question about a shown
    item may name it by its values without "the" (not "why not a red parka?": a wish)."""
    return any(
        t == "why" and (k + 1 == len(tokens) or tokens[k + 1] not in ("not", "don't", "dont"))
        for k, t in enumerate(tokens)
    )


def _enough(
    words: Sequence[str],
    tokens: Sequence[str],
    end: int,
    bare: bool,
    is_value: Callable[[str], bool],
) -> bool:
    if end < len(tokens) and tokens[end] == "ones":
        return False  # "without the black ones": a kind of item, not one of them
    if bare:
        return len(words) >= 2 and all(is_value(w) for w in words)
    if len(words) >= 2:
        return True
    single_one = end < len(tokens) and tokens[end] == "one"  # "the pink one"
    return single_one or is_value(words[0])


_COUNTED = re.compile(
    r"\b(?:the\s+)?(?P<end>first|top|last|bottom)\s+(?P<n>two|three|four|2|3|4)\b"
    r"(?:\s+(?P<next>[a-z]+))?",
    re.IGNORECASE,
)
_COUNT = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}
_ITEM_NOUNS = frozenset(["movies", "films", "flicks", "jackets", "coats", "titles", "items"])


def counted_positions(
    text: str, listed: int, *, is_value: Callable[[str], bool]
) -> list[tuple[int, int, list[int]]]:
    """(start, end, 0-based list positions) of "the first two", "the last three", "top 2":
    a count of items at one end of a list of `listed` items. Not a number of items wished:
    "top 3 dramas" or "first two movies" without "the" (a catalog value or an item noun
    follows); "the first two films" is the list's."""
    found = []
    for m in _COUNTED.finditer(text):
        count = _COUNT[m.group("n").lower()]
        nxt = (m.group("next") or "").lower()
        definite = m.group(0).lower().startswith("the ")
        if nxt and (is_value(nxt) or nxt in _ITEM_NOUNS) and not definite:
            continue
        if count > listed:
            continue
        start = listed - count if m.group("end").lower() in ("last", "bottom") else 0
        end = m.end("n")
        found.append((m.start(), end, list(range(start, start + count))))
    return found
