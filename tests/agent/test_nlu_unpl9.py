"""Unplaced wishes, session 8 (helper "unpl9", 2026-12-07): who a film is for and the occasion
are no wish (in a film catalog; a jacket's use still is), talk colour (particles, grading
adjectives) and frame nouns are no wish, negations and degree words keep their place in the
wish ("not a campy one", "even slower"), a relative clause whose object another slot placed is
no wish, and bare qualities after a hedge, a comparative's own noun, a one-noun-phrase clause
and "based on" phrases are found. Every sentence is written fresh for these tests, not taken
from a data file."""

from __future__ import annotations

import pandas as pd
import pytest

from agent.nlu import understand
from agent.nlu_company import company_positions, talk_colour
from agent.vocab import Vocabulary
from causal.datasets.coat import COAT_SYNONYMS
from tests.agent.film_catalogs import TEN_FILMS, film_vocab


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(TEN_FILMS)


@pytest.fixture(scope="module")
def coats() -> Vocabulary:
    kinds = ["rain", "insulated", "bomber", "field", "rain", "insulated", "bomber", "field"]
    colours = ["black", "red", "green", "navy", "gray", "blue", "black", "red"]
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(8)],
            "title": [f"{c} {k} jacket" for c, k in zip(colours, kinds, strict=True)],
            "item_gender": ["men", "women"] * 4,
            "jacket_type": kinds,
            "color": colours,
        }
    )
    return Vocabulary.from_items(items, synonyms=COAT_SYNONYMS)


# -- who it is for, and the occasion, are no wish in a film catalog -------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a western for my grandpa and his brother",
        "a comedy to watch with three cousins",
        "something for a crowd of old school friends, ideally a musical",
        "a thriller for a couple of flatmates",
        "a mystery for the bus ride home",
        "a war film for a history lesson",
        "an adventure for our anniversary, from the 80s",
    ],
)
def test_company_and_occasion_are_no_wish_for_films(films, text):
    p = understand(text, films)
    assert p.unplaced == (), p.unplaced


def test_an_occasion_phrase_stops_at_a_content_preposition(films):
    p = understand("a documentary for the ferry about whales", films)
    assert p.unplaced == ("about whales",)


def test_audience_ages_describe_the_film(films):
    assert "for grown ups" in understand("cartoons for grown-ups", films).unplaced


def test_a_for_that_a_verb_selects_is_no_occasion(films):
    p = understand("i'm looking for a moody western", films)
    assert "moody" in p.unplaced


def test_an_occasion_holding_an_item_names_the_item(films):
    assert company_positions(["ideas", "for", "a", "spooky", "film"], (), ()) == set()
    assert company_positions(["ideas", "for", "a", "long", "drive"], (), ()) == {2, 3, 4}


def test_a_use_is_a_wish_for_a_jacket(coats):
    p = understand("a rain jacket for the ferry commute", coats)
    assert any(u.startswith("for the ferry") for u in p.unplaced), p.unplaced


# -- particles, grading adjectives and frame nouns ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "oya find me decent westerns jare",
        "a solid comedy lah",
        "pure horror from the 80s",
        "anything in the western aisle?",
        "give me the comedy shelf",
        "these, but without the romance parts",
    ],
)
def test_talk_colour_and_frame_nouns_are_no_wish(films, text):
    assert understand(text, films).unplaced == ()


def test_talk_colour_is_a_closed_class():
    assert talk_colour("abeg") and talk_colour("lekker")
    assert not talk_colour("gritty") and not talk_colour("foreign")


def test_a_quality_after_a_value_still_describes(films):
    assert "epic" in understand("a western epic", films).unplaced


def test_a_respect_noun_after_a_title_is_no_wish(films):
    assert understand("close to Heat in style", films).unplaced == ()
    assert "in colour" in understand("like Heat but in colour", films).unplaced


# -- negation and degree words stay in the wish ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a scary film but not a campy one", "not a campy one"),
        ("westerns, but not the ones about outlaws", "not the ones about outlaws"),
        ("a comedy that is not british", "that is not british"),  # settled convention 5
        ("like Heat but even slower", "even slower"),
        ("a western that isnt violent", "that isnt violent"),
    ],
)
def test_negation_and_degree_open_the_wish(films, text, phrase):
    p = understand(text, films)
    assert phrase in p.unplaced, p.unplaced


def test_a_bit_stays_out_of_a_comparative(films):
    assert "slower" in understand("like Heat but a bit slower", films).unplaced


# -- a relative clause that only has its verb left ------------------------------------------


def test_a_relative_verb_whose_object_is_placed_is_no_wish(films):
    p = understand("something that smells like Fargo", films)
    assert p.unplaced == (), p.unplaced


def test_a_relative_clause_with_its_own_object_stays(films):
    p = understand("a thriller that keeps me guessing", films)
    assert "that keeps me guessing" in p.unplaced


# -- recall: hedged qualities, a comparative's noun, one-noun clauses, "based on" -----------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a drama, preferably subtitled", "subtitled"),
        ("a whodunnit, ideally british", "british"),
        ("gloomier endings would be nice", "gloomier endings"),
        ("a saga, something with castles", "saga"),
        ("a western based on a real outlaw", "based on a real outlaw"),
        ("the sort where nobody survives", "where nobody survives"),
    ],
)
def test_recall_of_hedged_and_bare_wishes(films, text, phrase):
    p = understand(text, films)
    assert phrase in p.unplaced, p.unplaced


def test_a_hedge_before_a_long_clause_opens_no_list(films):
    p = understand("a comedy, preferably one that my gran would also put up with", films)
    assert "my" not in " ".join(p.unplaced).split()
