"""Numeric ranges, relative moves, negation scope on catalog values and popularity direction,
fixed after reading the v4 (development) and w10/w11 training errors (2026-12-07, helper
"slots4"). The rules are general (bounds, removal verbs, who a clause is about, corrections,
questions about the list); the sentences are written fresh, not copied from any data file."""

from __future__ import annotations

import pandas as pd
import pytest
from film_catalogs import film_vocab

from agent.nlu import understand
from agent.parse import Direction, Range
from agent.vocab import Vocabulary

UP, DOWN = Direction.UP, Direction.DOWN


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    titles = [
        ("1", "Harvey (1950)", 1950, "Comedy|Drama"),
        ("2", "Gaslight (1944)", 1944, "Mystery|Thriller"),
        ("3", "Jumanji (1995)", 1995, "Adventure|Children's|Fantasy"),
        ("4", "Oklahoma! (1955)", 1955, "Musical|Romance|Western"),
        ("5", "Candyman (1992)", 1992, "Horror"),
        ("6", "Glory (1989)", 1989, "Action|Drama|War"),
        ("7", "Chinatown (1974)", 1974, "Crime|Film-Noir|Mystery"),
    ]
    return film_vocab(titles)


@pytest.fixture(scope="module")
def coats() -> Vocabulary:
    items = pd.DataFrame(
        {
            "item_id": ["30", "31", "32", "33", "34"],
            "title": ["Black parka", "Navy trench coat", "Red fleece", "Gray vest", "Olive rain"],
            "color": ["black", "navy", "red", "gray", "olive"],
            "jacket_type": ["parkas", "trench", "fleece", "vests", "rain"],
            "item_gender": ["men", "women", "men", "women", "men"],
        }
    )
    return Vocabulary.from_items(items)


SHOWN = ["1", "2", "3", "4", "5"]


def _year(p) -> Range | None:
    return p.ranges.get("year")


# -- year bounds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("a western made no later than 1962", None, 1962),  # the year itself is allowed
        ("a western made before 1962", None, 1961),
        ("get rid of anything after 1985", None, 1985),  # removal turns the bound round
        ("please filter out everything before 1975", 1975, None),
        ("a mystery from 1947 or 1948", 1947, 1948),
        ("noir, the fifties or earlier", None, 1959),
        ("anything from the 80s onwards", 1980, None),
        ("a thriller from the sixties, no wait, the thirties", 1930, 1939),
        ("i'd rather not see anything shot after 1970", None, 1970),
    ],
)
def test_year_bounds(films, text, low, high):
    assert _year(understand(text, films, SHOWN)) == Range(low, high)


@pytest.mark.parametrize(
    "text",
    [
        "hm, those are all from the 40s, something a lot newer",  # a remark on the list
        "way too many seventies ones here, go newer",
    ],
)
def test_a_period_said_of_the_list_is_no_range(films, text):
    p = understand(text, films, SHOWN)
    assert _year(p) is None
    assert ("year", UP) in p.relative


def test_a_period_wished_of_the_list_is_a_range(films):
    p = understand("it'd be ideal if they were from the 70s", films, SHOWN)
    assert _year(p) == Range(1970, 1979)


def test_a_removal_does_not_flip_a_bound_past_but(films):
    p = understand("no horror but after 1990 please", films, SHOWN)
    assert _year(p) == Range(1991, None)


# -- relative moves against the list ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("i'd be happier if these were a little newer", UP),  # a wish about the list
        ("could you make them older", DOWN),
        ("these are much older than what i had in mind", UP),  # a remark: the other way
        ("rewind a few decades, these all feel very modern", DOWN),
    ],
)
def test_relative_move_about_the_list(films, text, direction):
    assert understand(text, films, SHOWN).relative == (("year", direction),)


# -- negation scope -------------------------------------------------------------------------


def test_a_relative_clause_after_a_noun_is_no_remark_on_the_list(films):
    p = understand("a film that isn't a musical and isn't a western", films, SHOWN)
    assert set(p.exclude.get("genres", ())) == {"Musical", "Western"}
    assert "genres" not in p.include


def test_that_opening_the_turn_still_remarks_on_the_list(films):
    p = understand("oh that's not a western", films, SHOWN)
    assert p.include.get("genres") == ("Western",)


@pytest.mark.parametrize(
    "text",
    ["a comedy please, nothing geared towards kids", "a comedy, none made for children"],
)
def test_nothing_with_a_participle_governs_the_value(films, text):
    p = understand(text, films, SHOWN)
    assert p.exclude.get("genres") == ("Children's",)
    assert p.include.get("genres") == ("Comedy",)


def test_nothing_with_another_verb_does_not(films):
    p = understand("found nothing yesterday looking for horror now", films, SHOWN)
    assert p.include.get("genres") == ("Horror",)


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        ("a war film, sorry, i meant a western", "Western", "War"),
        ("crime - mysteries, actually", "Mystery", "Crime"),
        ("horror, or rather a thriller", "Thriller", "Horror"),
    ],
)
def test_a_correction_keeps_the_last_value(films, text, kept, dropped):
    p = understand(text, films, SHOWN)
    assert p.include.get("genres") == (kept,)
    assert dropped not in p.exclude.get("genres", ())


def test_a_correction_that_adds_an_exclusion_keeps_the_first(films):
    p = understand("a comedy, actually no musicals", films, SHOWN)
    assert p.include.get("genres") == ("Comedy",)
    assert p.exclude.get("genres") == ("Musical",)


@pytest.mark.parametrize(
    "text",
    [
        "why a horror film? i never asked for that",
        "how come there's a musical on here",
        "i never mentioned westerns, why is Oklahoma! there",
        "which of these is the least like a thriller",
        "horror vs mystery, which is better",
    ],
)
def test_a_value_questioned_is_no_wish(films, text):
    p = understand(text, films, SHOWN)
    assert not p.include and not p.exclude


def test_why_not_is_a_suggestion(films):
    assert understand("why not a western?", films, SHOWN).include.get("genres") == ("Western",)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        ("not the thriller stuff, maybe mystery", "Mystery", "Thriller"),
        ("instead of war films just give me comedies", "Comedy", "War"),
        ("westerns yes, horror no", "Western", "Horror"),
        ("musicals are too cheesy for me, show me dramas", "Drama", "Musical"),
        ("something like the first one minus the comedy, more drama", "Drama", "Comedy"),
    ],
)
def test_scope_ends_where_a_new_wish_starts(films, text, wanted, unwanted):
    p = understand(text, films, SHOWN)
    assert wanted in p.include.get("genres", ())
    assert unwanted in p.exclude.get("genres", ())
    assert unwanted not in p.include.get("genres", ())


def test_do_not_give_me_stays_negated(films):
    assert understand("please don't give me horror", films, SHOWN).exclude == {
        "genres": ("Horror",)
    }


@pytest.mark.parametrize(
    "text", ["all navy. dull. a different colour?", "these are navy, got other colors?"]
)
def test_asking_for_another_value_turns_the_said_one_down(coats, text):
    p = understand(text, coats, ["30", "31", "32"])
    assert p.exclude.get("color") == ("navy",)
    assert "color" not in p.include


def test_another_of_a_different_attribute_changes_nothing(coats):
    p = understand("a navy one, but another type than these", coats, ["30", "31"])
    assert p.include.get("color") == ("navy",)


# -- popularity direction -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("a western, just not one of those massively famous ones", DOWN),
        ("an off-the-radar noir", DOWN),
        ("everyone's seen these already, dig out something rarer", DOWN),
        ("no one has heard of these, better-known ones please", UP),
        ("any better known mysteries?", UP),
        ("what are the best-selling ones", UP),
        ("a famous comedy", UP),  # control: a plain fame word
    ],
)
def test_popularity_direction(films, text, direction):
    assert understand(text, films, SHOWN).popularity is direction


def test_better_known_leaves_nothing_unplaced(films):
    assert understand("got any better-known ones?", films, SHOWN).unplaced == ()


def test_a_negated_comma_list_closed_by_or_is_negated_throughout(coats):
    p = understand("a parka in any colour that isn't navy, red or olive", coats, [])
    assert set(p.exclude.get("color", ())) == {"navy", "red", "olive"}
    assert "color" not in p.include


def test_a_negation_then_a_comma_and_a_new_value_is_no_list(coats):
    p = understand("no red, olive please", coats, [])
    assert p.exclude.get("color") == ("red",)
    assert p.include.get("color") == ("olive",)


@pytest.mark.parametrize(
    "text", ["a navy trench?? why though", "why would i want a red fleece, i never said red"]
)
def test_a_value_in_a_why_complaint_is_no_wish(coats, text):
    p = understand(text, coats, ["30", "31", "32"])
    assert not p.include and not p.exclude


def test_but_make_it_adds_rather_than_corrects(films):
    p = understand("a western but make it a comedy", films, SHOWN)
    assert set(p.include.get("genres", ())) == {"Western", "Comedy"}


def test_fame_given_as_a_reason_is_no_wish(films):
    assert (
        understand("is Harvey on there just because it's famous?", films, SHOWN).popularity is None
    )


@pytest.mark.parametrize(
    ("text", "direction"),
    [("a noir not many ppl know", DOWN), ("comedies, popular ones, so everyone knows them", UP)],
)
def test_more_fame_phrasings(films, text, direction):
    assert understand(text, films, SHOWN).popularity is direction


def test_rather_x_than_y_turns_y_down(films):
    p = understand("rather a mystery than a war film", films, SHOWN)
    assert p.include.get("genres") == ("Mystery",)
    assert p.exclude.get("genres") == ("War",)


def test_scratch_removes_a_value(films):
    p = understand("scratch the westerns, go for a musical", films, SHOWN)
    assert p.exclude.get("genres") == ("Western",)
    assert p.include.get("genres") == ("Musical",)


def test_a_mild_complaint_about_fame_asks_for_the_other_end(films):
    p = understand("they're ok but a bit popular, rarer stuff", films, SHOWN)
    assert p.popularity is DOWN
