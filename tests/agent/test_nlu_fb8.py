"""Verdicts given as a score or an emoji (session 7, helper "fb8"): a rating on a scale ("a
strong 8", "9/10", "two stars") reads as like or dislike by its share of the scale, a score or
a verdict emoji right after a title judges that title only ("Harvey 9/10, Gaslight meh"), and
another person's score is their taste, not this user's verdict. Every sentence is written fresh
for these rules (none copied from a data file); each rule has cases where it must not fire."""

from __future__ import annotations

import pytest
from film_catalogs import SIX_FILMS, film_vocab

from agent.nlu import understand
from agent.nlu_feedback import postfix_verdict, rating_kind
from agent.parse import FeedbackKind
from agent.vocab import Vocabulary

LIKE, DISLIKE, SEEN = FeedbackKind.LIKE, FeedbackKind.DISLIKE, FeedbackKind.SEEN


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(SIX_FILMS[:5])


SHOWN = ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("is a strong 8", LIKE),
        ("honestly a 9/10", LIKE),
        ("4.5 out of 5", LIKE),
        ("five stars", LIKE),
        ("was a weak 3", DISLIKE),
        ("2/10 at best", DISLIKE),
        ("one star", DISLIKE),
        ("6/10", LIKE),  # out of ten, above five is like (README marks rule, session 9)
        ("three stars", None),
        ("under 2 hrs please", None),
        ("from 1987-93", None),
        ("12/10", None),  # off the scale: "12/10" is not read as "2/10"
    ],
)
def test_rating_share_of_scale(text: str, kind: FeedbackKind | None) -> None:
    assert rating_kind(text) is kind


@pytest.mark.parametrize(
    ("text", "end", "kind"),
    [
        ("Candyman 8/10, rest meh", 8, LIKE),
        ("Candyman - two stars", 8, DISLIKE),
        ("Harvey \U0001f525 Jumanji \U0001f4a4", 6, LIKE),
        ("Harvey \U0001f525 Jumanji \U0001f4a4", 16, DISLIKE),
        ("Jumanji \u2705", 7, SEEN),
        ("Jumanji \u2714\ufe0f loved", 7, LIKE),  # the word after the tick says more
        ("Gaslight meh", 8, DISLIKE),
        ("Gaslight and Harvey", 8, None),
        ("Gaslight 1944 version", 8, None),
    ],
)
def test_postfix_score_and_emoji(text: str, end: int, kind: FeedbackKind | None) -> None:
    assert postfix_verdict(text, end) is kind


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Harvey 9/10, Gaslight meh", {("1", LIKE), ("2", DISLIKE)}),
        ("honestly harvey is a solid 8 for me", {("1", LIKE)}),
        ("candyman: two stars, generous", {("5", DISLIKE)}),
        ("Jumanji \U0001f44e Harvey \U0001f44d", {("3", DISLIKE), ("1", LIKE)}),
        ("Gaslight = \U0001f525, Candyman = \U0001f4a4", {("2", LIKE), ("5", DISLIKE)}),
    ],
)
def test_scored_titles_read_as_feedback(films: Vocabulary, text: str, want: set) -> None:
    assert set(understand(text, films, SHOWN).feedback) == want


def test_someone_elses_score_is_not_my_verdict(films: Vocabulary) -> None:
    parse = understand("what would a person who rated Gaslight 5 stars pick next", films, SHOWN)
    assert ("2", LIKE) not in parse.feedback
    parse = understand("my uncle gave Candyman two stars, anything like Harvey?", films, SHOWN)
    assert ("5", DISLIKE) not in parse.feedback


def test_mid_score_is_no_verdict(films: Vocabulary) -> None:
    # three stars of five is the middle; out of ten there is no middle (README marks rule)
    assert not understand("Harvey was three stars", films, SHOWN).feedback
