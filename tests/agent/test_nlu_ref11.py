"""References to shown items and the refine shape (2026-12-07, helper "ref11"): an anaphor
that asks for more of the items named before it, a yes/no question weighing two items, a
why / what-if about the item in focus that does not name it, a swap or preference that takes
a value off the list, a why turn's remark on the item, and a description of a shown item by
a word the catalog does not record. Every sentence is written fresh for these rules (none is
copied from a data file); each rule has cases where it must not fire."""

from __future__ import annotations

from dataclasses import replace

import pytest
from film_catalogs import film_vocab

from agent.nlu import understand
from agent.nlu_intent_shape import (
    OWN_RATING_WHAT_IF,
    leans_on_shown,
    settle_rule_intents,
    stands_alone,
)
from agent.parse import Direction, Intent, Parse, TitleRole
from agent.vocab import Vocabulary

# Seven films of the 1930s-40s (none used by another parser test module).
FORTIES = (
    ("1", "The Lady Vanishes (1938)", 1938, "Mystery|Thriller"),
    ("2", "Brief Encounter (1945)", 1945, "Drama|Romance"),
    ("3", "Kind Hearts and Coronets (1949)", 1949, "Comedy|Crime"),
    ("4", "The Third Man (1949)", 1949, "Mystery|Thriller"),
    ("5", "Black Narcissus (1947)", 1947, "Drama"),
    ("6", "Whisky Galore! (1949)", 1949, "Comedy"),
    ("7", "Top Hat (1935)", 1935, "Musical|Comedy|Romance"),
)
SHOWN = ["1", "2", "3", "4", "5", "6", "7"]


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(FORTIES)


def _roles(parse: Parse) -> dict[str, TitleRole]:
    return {r.item_id: r.role for r in parse.refs}


# -- an anaphor after the titles makes them taste references ------------------------------


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("The Third Man and Black Narcissus are spot on, more of those please", {"4", "5"}),
        ("Top Hat is the pick of the bunch - same vibe but newer", {"7"}),
        ("Whisky Galore! is the one for me, more of its sort", {"6"}),
        ("Brief Encounter's the best here, carry on from that", {"2"}),
        ("the second one is closest, others along those lines?", {"2"}),
        ("numbers 3 and 6 are my sense of humour, what else is like them?", {"3", "6"}),
        ("Brief Encounter nails it, track down its long-lost cousins", {"2"}),
    ],
)
def test_anaphor_after_titles_makes_them_taste(
    films: Vocabulary, text: str, items: set[str]
) -> None:
    parse = understand(text, films, SHOWN)
    assert {i for i, role in _roles(parse).items() if role is TitleRole.TASTE} == items


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("why Brief Encounter? no more of those please", "2"),  # the anaphor turned down
        ("more of those, and why The Third Man?", "4"),  # the title comes after it
        ("Black Narcissus was awful, something like that but funnier", "5"),  # disliked
        ("why The Third Man? its cousins are better", "4"),  # no more asked: the kin come after
    ],
)
def test_anaphor_keeps_role_when_turned_down_or_before(
    films: Vocabulary, text: str, item: str
) -> None:
    assert _roles(understand(text, films, SHOWN)).get(item) is not TitleRole.TASTE


# -- "is A like B?" weighs two items ---------------------------------------------------------


def test_yes_no_likeness_question_names_both(films: Vocabulary) -> None:
    parse = understand("Is The Third Man anything like The Lady Vanishes?", films, SHOWN)
    assert _roles(parse) == {"4": TitleRole.SHOWN, "1": TitleRole.SHOWN}


@pytest.mark.parametrize(
    "text",
    [
        "The Third Man is great, something like The Lady Vanishes please",  # no yes/no question
        "is there anything like The Lady Vanishes?",  # only one item named
    ],
)
def test_likeness_outside_a_weighing_question_stays_taste(films: Vocabulary, text: str) -> None:
    assert _roles(understand(text, films, SHOWN)).get("1") is TitleRole.TASTE


# -- why / what-if about the item in focus, unnamed -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "why'd that make the list, out of interest",
        "how did this end up so high",
        "why recommend dis",
        "what if I'd rated it two stars",
    ],
)
def test_unnamed_focus_is_the_item_asked_about(films: Vocabulary, text: str) -> None:
    assert "5" in {r.item_id for r in understand(text, films, SHOWN, focus="5").refs}


@pytest.mark.parametrize(
    "text", ["something that makes me laugh", "a comedy, this time from the forties"]
)
def test_relative_that_is_no_focus(films: Vocabulary, text: str) -> None:
    assert "5" not in {r.item_id for r in understand(text, films, SHOWN, focus="5").refs}


def test_between_that_and_a_title_weighs_focus(films: Vocabulary) -> None:
    parse = understand("what's the difference between that and Top Hat?", films, SHOWN, focus="2")
    assert set(_roles(parse)) == {"2", "7"}


def test_side_by_side_weighs_focus_and_named(films: Vocabulary) -> None:
    parse = understand("set it side by side with Top Hat", films, SHOWN, focus="2")
    assert set(_roles(parse)) == {"2", "7"}


def test_doing_in_my_list_asks_why() -> None:
    asked = settle_rule_intents([], "what's Top Hat doing in my recommendations")
    assert asked[:1] == [Intent.WHY]
    assert Intent.WHY not in settle_rule_intents([], "what are you doing in my kitchen")


# -- a swap or a preference takes the value off the list --------------------------------------


@pytest.mark.parametrize(
    ("text", "out", "wanted"),
    [
        ("swap out the comedies for dramas", "Comedy", "Drama"),
        ("phase out all the musicals, thrillers instead", "Musical", "Thriller"),
        ("I'd prefer mysteries over these romances", "Romance", "Mystery"),
        ("rather crime over all that comedy", "Comedy", "Crime"),
    ],
)
def test_swap_or_preference_excludes(films: Vocabulary, text: str, out: str, wanted: str) -> None:
    parse = understand(text, films, SHOWN)
    assert out in parse.exclude.get("genres", ())
    assert wanted in parse.include.get("genres", ())


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("a thriller over two hours long", "Thriller"),  # "over" without a preference
        ("I prefer comedies", "Comedy"),
        ("I worked out all day, a comedy please", "Comedy"),  # "out" of no removal verb
    ],
)
def test_over_or_out_without_removal_still_wishes(films: Vocabulary, text: str, genre: str) -> None:
    assert genre in understand(text, films, SHOWN).include.get("genres", ())


@pytest.mark.parametrize("text", ["nothing tagged romance tonight", "nothing listed as romance"])
def test_nothing_labelled_excludes(films: Vocabulary, text: str) -> None:
    assert "Romance" in understand(text, films, SHOWN).exclude.get("genres", ())


# -- a question about a pick names its values, no wish ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "whats the reason for the comedy at the bottom",
        "what is the logic behind a musical up top",
        "why this one, it doesn't seem romantic at all",
    ],
)
def test_values_in_a_question_about_a_pick_are_no_wish(films: Vocabulary, text: str) -> None:
    parse = understand(text, films, SHOWN, focus="2")
    assert not parse.include and not parse.exclude


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("the reason I ask: I want a comedy", "Comedy"),
        ("why not a romance, they look lovely", "Romance"),
    ],
)
def test_reason_and_why_not_still_wish(films: Vocabulary, text: str, genre: str) -> None:
    assert genre in understand(text, films, SHOWN).include.get("genres", ())


# -- a shown item described by a word the catalog lacks ----------------------------------------


@pytest.mark.parametrize(
    "text", ["more like the lighthouse one", "why'd you put that ghost film in"]
)
def test_description_of_a_shown_item_is_no_unplaced_wish(films: Vocabulary, text: str) -> None:
    assert understand(text, films, SHOWN).unplaced == ()


@pytest.mark.parametrize(
    ("text", "shown"),
    [("a lighthouse film please", SHOWN), ("more like the lighthouse one", [])],
)
def test_described_words_stay_a_wish_without_a_shown_item(
    films: Vocabulary, text: str, shown: list[str]
) -> None:
    assert any("lighthouse" in p for p in understand(text, films, shown).unplaced)


# -- a wish measured against the list on screen is refine ---------------------------------------


def test_taste_in_a_shown_item_leans_on_the_list(films: Vocabulary) -> None:
    parse = understand("Top Hat is the pick of the bunch - same vibe please", films, SHOWN)
    assert leans_on_shown(parse, SHOWN)
    assert not leans_on_shown(parse, ["1", "2"])  # Top Hat is not on screen: a fresh request


def test_move_in_degree_leans_on_the_list(films: Vocabulary) -> None:
    assert leans_on_shown(understand("older please, and a comedy", films, SHOWN), SHOWN)
    assert not leans_on_shown(understand("older please, and a comedy", films, []), [])
    assert not leans_on_shown(understand("a comedy from the forties", films, SHOWN), SHOWN)


def test_fame_move_alone_leans_on_nothing() -> None:
    parse = Parse(text="less famous", intents=(), relative=(("popularity", Direction.DOWN),))
    assert not leans_on_shown(parse, SHOWN, "popularity")
    assert leans_on_shown(parse, SHOWN, None)  # no fame column: a move of its own


def test_taste_in_an_item_off_screen_stands_alone(films: Vocabulary) -> None:
    on_screen = ["1", "2", "3"]
    alone = understand("I adore Top Hat, point me at similar stuff", films, on_screen)
    assert stands_alone(replace(alone, feedback=()), on_screen)
    for text in [
        "none of these are me, something nearer Top Hat",  # points at the list
        "Top Hat is my sort of thing, but older",  # a move measured against the list
        "something like Brief Encounter please",  # Brief Encounter is on screen
    ]:
        assert not stands_alone(understand(text, films, on_screen), on_screen)


def test_suppose_i_imagines_my_own_rating() -> None:
    assert OWN_RATING_WHAT_IF.search("suppose i had hated the second one") is not None
    assert OWN_RATING_WHAT_IF.search("i suppose a comedy would do") is None
