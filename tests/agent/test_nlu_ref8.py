"""A catalog value inside a definite "the/that/this ... one" phrase that opens its segment
names a shown item, so it is no wish (2026-12-07, helper "ref8"). Every sentence here is
written fresh for this rule (none is copied from a data file); each has cases where it must
not fire."""

from __future__ import annotations

import pytest
from film_catalogs import SIX_FILMS, film_vocab

from agent.nlu import understand
from agent.vocab import Vocabulary


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(SIX_FILMS)


SHOWN = ["1", "2", "3", "4", "5", "6"]


def _genres(text: str, vocab: Vocabulary) -> list[str]:
    return understand(text, vocab, SHOWN).include.get("genres", [])


@pytest.mark.parametrize(
    "text",
    [
        "the horror one gave me nightmares, ten out of ten",
        "that western one near the bottom, what is it doing there",
        "honestly the war one dragged on forever",
        "so this musical one, explain yourself",
        "the spooky horror one is overrated",
    ],
)
def test_value_naming_a_shown_one_is_no_wish(films: Vocabulary, text: str) -> None:
    assert _genres(text, films) == []


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("give me the horror one", "Horror"),  # a request before the phrase
        ("a western one please", "Western"),  # indefinite: a wish
        ("the musical ones are what i want", "Musical"),  # plural: a kind, not one item
        ("the list needs a war one", "War"),  # the value sits outside the "the ... one" phrase
    ],
)
def test_value_in_a_wish_still_counts(films: Vocabulary, text: str, genre: str) -> None:
    assert genre in _genres(text, films)


@pytest.mark.parametrize(
    "text", ["why'd you stick the musical at the top", "why's the horror there"]
)
def test_contracted_why_questions_a_value(films: Vocabulary, text: str) -> None:
    assert _genres(text, films) == []


@pytest.mark.parametrize(
    ("text", "genre"),
    [("why's the horror there? give me a western", "Western"), ("why's there no western", None)],
)
def test_contracted_why_keeps_a_suggestion(films: Vocabulary, text: str, genre: str | None) -> None:
    parse = understand(text, films, SHOWN)
    if genre:
        assert genre in parse.include.get("genres", [])
    else:
        assert "Western" not in parse.include.get("genres", [])
