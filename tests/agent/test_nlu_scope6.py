"""Fame said through fewness or negation, removal verbs before a year bound, "earlier" said of
the conversation, exclusion over "A or B", prepositional negation after the list, values in a
how-to-use question, and the intent classifier's list-need shape flags (2026-12-07, helper
"scope6"). Every sentence here is written fresh for these rules (none is copied from a data
file); each rule has cases where it must not fire."""

from __future__ import annotations

import pandas as pd
import pytest
from film_catalogs import SIX_FILMS, film_vocab

from agent.intents import parse_features
from agent.nlu import understand
from agent.nlu_fame import popularity_wish
from agent.nlu_numbers import said_earlier
from agent.parse import Direction, Range, TitleRole
from agent.vocab import Vocabulary

UP, DOWN = Direction.UP, Direction.DOWN


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(SIX_FILMS)


@pytest.fixture(scope="module")
def coats() -> Vocabulary:
    items = pd.DataFrame(
        {
            "item_id": ["40", "41", "42", "43", "44", "45"],
            "title": ["Olive parka", "Navy trench", "Red fleece", "Gray vest", "Tan rain", "Black"],
            "color": ["olive", "navy", "red", "gray", "tan", "black"],
            "jacket_type": ["parkas", "trench", "fleece", "vests", "rain", "parkas"],
            "item_gender": ["men", "women", "men", "women", "men", "women"],
        }
    )
    return Vocabulary.from_items(items)


SHOWN = ["1", "2", "3", "4", "5"]


# -- fame through fewness and negation --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("could you cut down on the blockbusters this round", DOWN),
        ("fewer of the hugely popular titles, please", DOWN),
        ("there are too many hits in this lot", DOWN),
        ("no more big names, please", DOWN),
        ("it'd be better if these weren't all such smash hits", DOWN),  # "smash" between
        ("I'd like them if they wasn't all so well known", DOWN),
        ("something that isn't as famous as Harvey", DOWN),
        ("i don't want anything too mainstream tonight", DOWN),
        ("a seldom-watched western", DOWN),
        ("any less-seen musicals?", DOWN),
        ("the least viewed one you have", DOWN),
        # must not turn down: fame wanted, or the negation is about something else
        ("a famous western", UP),
        ("more popular than these, please", UP),
        ("I haven't seen many westerns, a famous one please", UP),
        ("I don't mind the well known ones", UP),
        ("the more hits the better", UP),
    ],
)
def test_fame_direction_through_fewness_and_negation(text, direction):
    assert popularity_wish(text)[0] is direction


def test_no_fame_word_no_wish():
    assert popularity_wish("fewer musicals, more westerns") == (None, [])


# -- a removal verb before a one-sided year bound ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("trim anything older than 1960", 1960, None),
        ("hide all the films after 1990", None, 1990),
        ("delete everything before 1975 from the list", 1975, None),
        ("could you cut the ones before 1980", 1980, None),
        # "cut" as a noun, or with no quantified object: the bound keeps its side
        ("the extended cut from before 1980", None, 1979),
        ("a western made before 1960", None, 1959),
        ("something after 1990, cut to the chase", 1991, None),
    ],
)
def test_removal_verb_turns_a_bound_round(films, text, low, high):
    assert understand(text, films, SHOWN).ranges.get("year") == Range(low, high)


# -- "earlier" said of the conversation ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "why did you pick Harvey for me earlier?",
        "the western you suggested earlier, why that one?",
        "like I said earlier, I love musicals",
        "earlier today you showed me thrillers",
        "why was the one from earlier on the list?",
    ],
)
def test_earlier_of_the_conversation_is_no_year_move(films, text):
    parse = understand(text, films, SHOWN)
    assert not [m for m in parse.relative if m[0] == "year"]


@pytest.mark.parametrize(
    "text",
    ["anything a bit earlier?", "earlier ones please", "you showed me newer ones, go earlier"],
)
def test_earlier_of_release_years_still_moves(films, text):
    assert ("year", DOWN) in understand(text, films, SHOWN).relative


def test_said_earlier_keeps_earlier_than():
    assert "earlier" in said_earlier("you showed me some earlier than 1970")


# -- exclusion over "A or B" and prepositional negation after the list -------------------------------


@pytest.mark.parametrize(
    ("text", "excluded"),
    [
        ("a parka for my brother, nothing in olive or tan", {"olive", "tan"}),
        ("nothing navy or red, thanks", {"navy", "red"}),
        ("none in gray or black", {"gray", "black"}),
    ],
)
def test_nothing_governs_both_members_of_or(coats, text, excluded):
    parse = understand(text, coats, [])
    assert set(parse.exclude.get("color", ())) == excluded
    assert not parse.include.get("color")


def test_nothing_then_a_new_wish_keeps_the_wish(coats):
    parse = understand("nothing in olive, maybe a navy one", coats, [])
    assert parse.exclude.get("color") == ("olive",)
    assert parse.include.get("color") == ("navy",)


def test_or_after_a_fresh_request_is_a_choice(coats):
    parse = understand("a fleece in red or navy", coats, [])
    assert set(parse.include.get("color", ())) == {"red", "navy"}


@pytest.mark.parametrize(
    "text", ["these minus the musicals", "those without the musicals", "these except the musicals"]
)
def test_prepositional_negation_after_the_list_removes(films, text):
    parse = understand(text, films, SHOWN)
    assert parse.exclude.get("genres") == ("Musical",)
    assert not parse.include


def test_a_negated_remark_on_the_list_is_still_a_remark(films):
    assert not understand("these aren't musicals", films, SHOWN).exclude


# -- values in a how-to-use question ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "should I dry clean a gray vest?",
        "how do I fold a parka for travel?",
        "can you machine wash a fleece?",
        "is it safe to bleach a red fleece?",
    ],
)
def test_a_how_to_use_question_carries_no_wish(coats, text):
    parse = understand(text, coats, [])
    assert not parse.include and not parse.exclude


@pytest.mark.parametrize(
    ("text", "attr", "value"),
    [
        ("can you show me a parka for women?", "jacket_type", "parkas"),
        ("could we have a navy parka?", "color", "navy"),
        ("do you stock fleeces for men?", "jacket_type", "fleece"),
        ("can you fold in some red ones", "color", "red"),  # no question mark: a request
    ],
)
def test_a_request_question_keeps_its_values(coats, text, attr, value):
    assert value in understand(text, coats, []).include.get(attr, ())


# -- intent shape flags ----------------------------------------------------------------------------


def _flags(parse) -> list[bool]:
    """The four list-need flags: swap with a value, position beside a wish, self-contained
    request, indefinite opening (the last five entries of the feature vector but the last)."""
    return [bool(v) for v in parse_features(parse)[-5:-1]]


def test_a_swap_with_a_value_needs_the_list(films):
    swap, _, fresh, _ = _flags(understand("enough musicals. thrillers instead?", films, SHOWN))
    assert swap and not fresh


def test_a_self_contained_request_stands_alone(films):
    swap, _, fresh, opening = _flags(understand("any westerns from the fifties?", films, SHOWN))
    assert fresh and opening and not swap


@pytest.mark.parametrize(
    "text",
    [
        "any of these in a comedy?",
        "older ones please",
        "a comedy instead",
        "the same but horror",
        "something different, a thriller",
    ],
)
def test_a_turn_leaning_on_the_list_is_not_self_contained(films, text):
    assert not _flags(understand(text, films, SHOWN))[2]


def test_a_pick_by_position_beside_a_wish(films):
    parse = understand("like the second one but a comedy", films, SHOWN)
    assert any(r.role in (TitleRole.TASTE, TitleRole.SHOWN) for r in parse.refs)
    assert _flags(parse)[1]


def test_same_spirit_as_a_title_is_no_list_anaphora(films):
    parse = understand("something in the same vein as Glory", films, SHOWN)
    positional = _flags(parse)[1]
    assert not positional and not parse.wants_more


@pytest.mark.parametrize(
    ("text", "more"),
    [
        ("no musicals, anything else is fine", False),
        ("no westerns; anything else would be ok", False),
        ("anything else?", True),
        ("show me something else", True),
    ],
)
def test_anything_else_is_fine_asks_for_nothing_more(films, text, more):
    assert understand(text, films, SHOWN).wants_more is more


# -- "enough with the X", "so over the X" --------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["enough with the westerns, a comedy please", "honestly I'm so over the westerns"]
)
def test_done_with_a_value_turns_it_down(films, text):
    parse = understand(text, films, SHOWN)
    assert parse.exclude.get("genres") == ("Western",)
    assert "Western" not in parse.include.get("genres", ())


@pytest.mark.parametrize(
    "text", ["a western with enough action", "a western from over the border", "so, westerns"]
)
def test_with_or_over_alone_turns_nothing_down(films, text):
    assert "Western" in understand(text, films, SHOWN).include.get("genres", ())


def test_a_pointer_after_named_titles_points_at_them(films):
    parse = understand("I loved Glory and Harvey, find me a war film like those", films, [])
    assert _flags(parse)[2]  # self-contained: "those" are the titles just named


def test_a_pointer_alone_points_at_the_list(films):
    assert not _flags(understand("find me a war film like those", films, SHOWN))[2]


@pytest.mark.parametrize(
    ("text", "unseen"),
    [
        ("a western I ought to have watched years ago", True),
        ("some musical I've never seen", True),
        ("an adventure film i haven't caught yet", True),
        ("I've seen Glory, loved it", False),
        ("watched Harvey last night", False),
        ("a western everyone has seen", False),
    ],
)
def test_not_yet_seen_wish_flag(films, text, unseen):
    assert bool(parse_features(understand(text, films, []))[-1]) is unseen


@pytest.mark.parametrize(
    "text",
    [
        "way too old school for me",
        "they're all so ancient",
        "these feel dated",
        "hmm, pretty antiquated picks",
    ],
)
def test_a_complaint_that_the_list_is_old_asks_for_newer(films, text):
    assert ("year", UP) in understand(text, films, SHOWN).relative


@pytest.mark.parametrize(
    # "old-fashioned" is a style, an unplaced wish (unpl11, held-out v8 labels)
    "text",
    ["old school westerns please", "something old-school", "a vintage thriller"],
)
def test_asking_for_old_school_still_asks_for_older(films, text):
    assert ("year", DOWN) in understand(text, films, SHOWN).relative


def test_a_setting_in_antiquity_is_no_year_move(films):
    assert not understand("a film set in ancient Rome", films, SHOWN).relative
