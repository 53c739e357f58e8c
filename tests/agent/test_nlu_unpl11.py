"""Unplaced wishes, session 9 (helper "unpl11", 2026-12-07): a relative clause with a negated
copula keeps its pronoun ("that isn't set in a jungle", settled convention 5), intensifiers
after a negation ("aren't super violent"), an age in the positive degree or negated with
nothing shown is the user's own wish, not a year move ("an old-fashioned musical", "nothing
too old"). Every sentence is written fresh for these tests, not taken from a data file."""

from __future__ import annotations

import pytest

from agent.nlu import understand
from agent.parse import Direction
from agent.vocab import Vocabulary
from tests.agent.film_catalogs import TEN_FILMS, film_vocab

SHOWN = ["1", "2", "3", "4", "5"]


def said(parse) -> list[str]:
    """The unplaced wishes, lower-cased (the parser repeats them as it read them)."""
    return [w.lower() for w in parse.unplaced]


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(TEN_FILMS)


# -- a relative clause with a negated copula keeps its pronoun ---------------------------


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("a heist film that isn't set in Las Vegas", "that isn't set in Las Vegas"),
        ("westerns that aren't about the cavalry", "that aren't about the cavalry"),
        ("a comedy which is not too long", "which is not too long"),
        ("a musical that's not too sugary", "that's not too sugary"),
        ("thrillers that aren't super bloody", "that aren't super bloody"),
        ("a fantasy film that isn't particularly childish", "that isn't particularly childish"),
    ],
)
def test_negated_relative_clause_keeps_its_pronoun(films, text, wish):
    p = understand(text, films)
    assert wish.lower() in said(p), p.unplaced


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("a war film, not too grim", "not too grim"),  # no relative pronoun: nothing added
        ("horror but nothing too gory", "nothing too gory"),
    ],
)
def test_negation_without_relative_is_unchanged(films, text, wish):
    p = understand(text, films)
    assert wish.lower() in said(p), p.unplaced
    assert not any(w.startswith(("that", "which")) for w in p.unplaced)


def test_relative_clause_naming_a_value_still_excludes_it(films):
    p = understand("a musical that isn't a romance", films)
    assert "Romance" in p.exclude.get("genres", ()), p
    assert p.unplaced == ()


# -- an age said in the positive degree, or negated with nothing shown, is a wish ---------


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("an old-fashioned western", "old-fashioned"),
        ("something old and romantic", "old"),
        ("got any old war pictures?", "old"),
        ("a mystery for tonight, nothing too old", "nothing too old"),
        ("a comedy, not very old", "not very old"),
    ],
)
def test_absolute_age_is_unplaced_not_a_move(films, text, wish):
    p = understand(text, films)
    assert wish.lower() in said(p), p.unplaced
    assert not any(a == "year" for a, _ in p.relative), p.relative


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("not that old", Direction.UP),  # about the list on screen
        ("these are too old", Direction.UP),
        ("older ones please", Direction.DOWN),
        ("less of the old ones", Direction.UP),
        ("anything older than these? we like old stuff", Direction.DOWN),
    ],
)
def test_age_about_the_list_stays_a_move(films, text, direction):
    p = understand(text, films, SHOWN)
    assert ("year", direction) in p.relative, p.relative
    assert not any("old" in w for w in p.unplaced), p.unplaced


@pytest.mark.parametrize(
    "text",
    [
        "a western my old friends would like",
        "a film about an old man and his dog",
        "an old-fashioned musical from the 1950s",  # the decade places the age
    ],
)
def test_age_of_no_item_is_no_wish(films, text):
    p = understand(text, films)
    assert not any(w in ("old", "old-fashioned") for w in p.unplaced), p.unplaced
    assert not any(a == "year" for a, _ in p.relative), p.relative


# -- fame said in other words --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("we'd rather have the less celebrated ones", Direction.DOWN),
        ("a musical, nothing this famous", Direction.DOWN),
        ("westerns that hardly anybody went to see", Direction.DOWN),
        ("these are the obvious choices, go deeper", Direction.DOWN),
        ("a comedy that made a fortune", Direction.UP),
        ("a huge fantasy blockbuster", Direction.UP),
        ("these were all big hits, any smaller ones?", Direction.DOWN),
    ],
)
def test_fame_in_other_words(films, text, direction):
    p = understand(text, films, SHOWN)
    assert p.popularity is direction, p
    assert p.unplaced == (), p.unplaced


@pytest.mark.parametrize(
    "text",
    [
        "a romance that hits the right note",  # "hits" as a verb with its object
        "a drama that makes a point about class",
        "a film that celebrated its hometown",
    ],
)
def test_verbs_that_look_like_fame_are_no_fame(films, text):
    assert understand(text, films).popularity is None


def test_who_praised_it_is_no_wish(films):
    p = understand("a mystery that the reviewers adored", films)
    assert p.unplaced == (), p.unplaced
    q = understand("a mystery that keeps you guessing", films)
    assert said(q) == ["that keeps you guessing"], q.unplaced


# -- words that only colour the talk are no wish ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("I'm a real sucker for a heist, something slick", ["slick"]),
        ("sir, have you got a war film about pilots?", ["about pilots"]),
        ("what's the perfect comedy for a hangover", []),
        ("an amazing western about outlaws", ["about outlaws"]),
    ],
)
def test_talk_colour_is_no_wish(films, text, kept):
    p = understand(text, films)
    assert said(p) == kept, p.unplaced


# -- two qualities weighed in one comparative are one wish ----------------------------------


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("a war film, more tense than bloody", "more tense than bloody"),
        ("a romance that's wistful more than sad", "wistful more than sad"),
        ("a mystery, cosy rather than gritty", "cosy rather than gritty"),
    ],
)
def test_contrast_of_two_qualities(films, text, wish):
    p = understand(text, films)
    assert wish in said(p), p.unplaced


@pytest.mark.parametrize(
    "text",
    [
        "more action than romance",  # two values: no contrast
        "something slower than these",  # compared with the list
        "longer than two hours",
    ],
)
def test_no_contrast_with_values_or_the_list(films, text):
    p = understand(text, films, SHOWN)
    assert not any(" than " in w for w in said(p)), p.unplaced


# -- a "where" clause after a title or an elided noun, and small degrees in a list ----------


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("something like Alien where the crew fights back", "where the crew fights back"),
        ("got any where the dog survives?", "where the dog survives"),
    ],
)
def test_where_clause_is_the_wish(films, text, wish):
    p = understand(text, films)
    assert wish in said(p), p.unplaced


def test_small_degree_in_a_list_of_qualities(films):
    p = understand("a comedy like Clue, warm and a little bit strange", films)
    assert sorted(said(p)) == ["a little bit strange", "warm"], p.unplaced


def test_small_degree_before_a_comparative_stays_out(films):
    p = understand("a bit darker please", films, SHOWN)
    assert said(p) == ["darker"], p.unplaced


# -- a negated wish over "the", a person's clause after company, the words as typed --------


def test_negation_reaches_over_the_article(films):
    p = understand("a western but not the usual cattle drive thing", films)
    assert "not the usual cattle drive thing" in said(p), p.unplaced


def test_clause_about_the_person_it_is_for_is_no_wish(films):
    p = understand("a war film for a bloke who fishes every weekend", films)
    assert p.unplaced == (), p.unplaced


def test_wish_is_repeated_as_typed_not_as_repaired(films):
    p = understand("a western featuring Meryl Streep in a big hat", films)  # not "street"
    assert said(p) == ["featuring meryl streep in a big hat"], p.unplaced


# -- an excess of the list on screen is no wish when the turn says what it wants ------------


def test_complaint_about_the_list_gives_way_to_the_wish(films):
    p = understand("way too talky all of these, something with car chases", films, SHOWN)
    assert said(p) == ["with car chases"], p.unplaced
    q = understand("a bit too glossy, grittier please", films, SHOWN)
    assert said(q) == ["grittier"], q.unplaced


def test_complaint_said_alone_stays(films):
    p = understand("these are all too talky", films, SHOWN)
    assert said(p) == ["too talky"], p.unplaced


def test_excess_with_nothing_shown_is_kept(films):
    p = understand("a western, too long is fine, with horses", films)
    assert "too long" in said(p) or "with horses" in said(p), p.unplaced
    assert "with horses" in said(p), p.unplaced


# -- stacked qualities before the item, and a production word that is no fame ---------------


@pytest.mark.parametrize(
    ("text", "wishes"),
    [
        ("a whimsical indie fantasy", ["indie", "whimsical"]),
        ("a moody foreign thriller", ["foreign", "moody"]),
    ],
)
def test_stacked_qualities_are_separate_wishes(films, text, wishes):
    p = understand(text, films)
    assert sorted(said(p)) == wishes, p.unplaced
    assert p.popularity is None


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("a road trip comedy", "road trip"),  # a compound noun stays one
        ("a bleak grim western", "bleak grim"),  # no adjective ending: as typed
    ],
)
def test_other_runs_stay_one_phrase(films, text, wish):
    assert wish in said(understand(text, films))


# -- "stuff" heads a turned wish; "without" turns a wish before its noun ---------------------


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("fewer courtroom stuff please", "fewer courtroom stuff"),
        ("a western without any of the preachy stuff", "without any of the preachy stuff"),
        ("a mystery minus the twee stuff", "minus the twee stuff"),
    ],
)
def test_turned_wish_keeps_stuff(films, text, wish):
    assert wish in said(understand(text, films)), understand(text, films).unplaced


def test_plain_head_preposition_stays_out(films):
    p = understand("I'm looking for a whimsical film", films)
    assert said(p) == ["whimsical"], p.unplaced


def test_old_school_stays_a_move_and_a_where_clause_after_nobody_stays_a_wish(films):
    p = understand("an old-school western", films)
    assert ("year", Direction.DOWN) in p.relative and "old" not in said(p)
    q = understand("the kind where nobody survives", films)
    assert said(q) == ["where nobody survives"], q.unplaced


def test_hits_before_a_correlative_stays_fame(films):
    assert understand("the more hits the better", films).popularity is Direction.UP
