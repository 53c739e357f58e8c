"""Wish slots, session 7 (helper "wish7", 2026-12-07): wishes that used to be read as their
opposite ("none of the X ones", "X-free", "could the X make way for", "isnt one of the famous
ones", "that not everyone has", "nobody's heard of"), fame and year moves in new words, who
watches ("my kids have seen ...") told from what is wanted, negated tone words and derived
topics kept unplaced, unplaced extents ("too violent", a prepositional wish before the
sentence's own verb) and words after a value that head it ("the comedy side"). Every sentence
is written fresh for these tests, not taken from a data file; each rule has cases where it
must not fire."""

from __future__ import annotations

import pytest

from agent.nlu import understand
from agent.nlu_modifier import modifier_start
from agent.parse import Direction
from agent.vocab import Vocabulary
from tests.agent.film_catalogs import film_vocab

UP, DOWN = Direction.UP, Direction.DOWN
SHOWN = ["1", "2", "3", "4", "5"]


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(
        [
            ("1", "Fargo (1996)", 1996, "Crime|Drama"),
            ("2", "Heat (1995)", 1995, "Action|Crime"),
            ("3", "Vertigo (1958)", 1958, "Mystery|Thriller"),
            ("4", "Jumanji (1995)", 1995, "Adventure|Children's"),
            ("5", "Dumbo (1941)", 1941, "Animation|Children's|Musical"),
            ("6", "Alien (1979)", 1979, "Horror|Sci-Fi"),
            ("7", "Grease (1978)", 1978, "Musical|Romance"),
            ("8", "Shane (1953)", 1953, "Western"),
            ("9", "Clue (1985)", 1985, "Comedy|Mystery"),
            ("10", "Patton (1970)", 1970, "War|Drama"),
            ("11", "Nanook (1922)", 1922, "Documentary"),
        ]
    )


def _read(films: Vocabulary, text: str):
    return understand(text, films, SHOWN)


# -- wishes that were read as their opposite ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("westerns are fine but none of the musical ones", "Musical"),
        ("none of the romantic stuff this round", "Romance"),
        ("a heist picture, war-free please", "War"),
        ("something light and horror free", "Horror"),
        ("could the westerns make way for a few mysteries", "Western"),
        ("let the dramas step aside for now, action please", "Drama"),
    ],
)
def test_removals_said_in_new_words_exclude(films, text, out):
    p = _read(films, text)
    assert out in p.exclude.get("genres", ())
    assert out not in p.include.get("genres", ())


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("none of these are westerns, which is a shame", "Western"),  # a remark on the list
        ("a comedy free to stream would be nice", "Comedy"),  # "free to", not "-free"
        ("westerns would make a nice change", "Western"),  # no yielding verb
    ],
)
def test_removal_readings_do_not_fire_on_remarks(films, text, wanted):
    p = _read(films, text)
    assert wanted not in p.exclude.get("genres", ())


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("a western that isnt one of the big famous ones", DOWN),
        ("a thriller that wasnt one of the well known hits", DOWN),
        ("a drama that not everybody has seen", DOWN),
        ("a mystery my friends havent heard of", DOWN),
        ("something I probably wouldnt have heard of", DOWN),
        ("a comedy that nobody is talking about", DOWN),
        ("a western that slipped under most people's radar", DOWN),
        ("a big-budget action film from the nineties", UP),
        ("a crowd-pleasing western", UP),
        ("a film that everybody has seen", UP),
    ],
)
def test_fame_in_new_words(films, text, direction):
    assert _read(films, text).popularity is direction


@pytest.mark.parametrize(
    "text",
    [
        "i had never heard of Fargo before today, why is it here",  # a title, not fame
        "never heard of it, is it any good",
        "a film about a big budget gone wrong? no, a comedy",  # "budget" as a plot word: no fame
    ],
)
def test_heard_of_a_title_is_no_fame_wish(films, text):
    p = _read(films, text)
    assert p.popularity is not DOWN


def test_a_negated_fame_phrase_keeps_the_value_after_it(films):
    p = _read(films, "what's one I wouldnt have heard of that's a western")
    assert p.include.get("genres") == ("Western",)
    assert p.popularity is DOWN


# -- year moves ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("mysteries, but less dated ones", UP),
        ("something a couple of decades later than these", UP),
        ("a few years newer would be ideal", UP),
        ("older ones please, we have seen all the new stuff already", DOWN),
        ("I've watched every old one, newer please", UP),
    ],
)
def test_year_moves_in_new_words(films, text, direction):
    assert ("year", direction) in _read(films, text).relative
    assert len([a for a, _ in _read(films, text).relative if a == "year"]) == 1


def test_what_was_seen_is_no_year_wish(films):
    assert _read(films, "my nephew has seen all the new stuff").relative == ()


# -- who watches is no wish ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "older please, my kids have already watched the recent ones",
        "the kids adored the last list, anything similar",
        "our kids are 9 and 11, something we can all watch",
    ],
)
def test_kids_as_a_subject_are_no_genre(films, text):
    assert "Children's" not in _read(films, text).include.get("genres", ())


@pytest.mark.parametrize(
    "text", ["something for the kids this afternoon", "a film to watch with my kids", "kids films"]
)
def test_kids_as_the_audience_stay_a_genre(films, text):
    assert "Children's" in _read(films, text).include.get("genres", ())


# -- topics and negated tone words ---------------------------------------------------------------


def test_a_derived_form_after_about_is_a_topic(films):
    p = _read(films, "a documentary about music from the seventies")
    assert p.include.get("genres") == ("Documentary",)
    assert "about music" in p.unplaced


def test_where_after_an_item_noun_opens_a_topic(films):
    p = _read(films, "films where the music carries the story")
    assert "Musical" not in p.include.get("genres", ())
    assert any(u.startswith("where the music") for u in p.unplaced)


def test_a_derived_form_as_a_plain_modifier_still_names_the_value(films):
    assert "Musical" in _read(films, "a musical with a big cast").include.get("genres", ())


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a comedy for date night, nothing scary", "nothing scary"),
        ("sci-fi for a twelve year old, nothing too spooky", "nothing too spooky"),
    ],
)
def test_a_negated_tone_synonym_is_unplaced(films, text, phrase):
    p = _read(films, text)
    assert "Horror" not in p.exclude.get("genres", ())
    assert phrase in p.unplaced


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("a drama but nothing romantic", "Romance"),  # the value's own derived form
        ("no scary films tonight", "Horror"),  # before an item noun: the kind
        ("no cartoons please", "Animation"),  # a noun, not a tone word
    ],
)
def test_negated_value_words_still_exclude(films, text, out):
    assert out in _read(films, text).exclude.get("genres", ())


# -- unplaced extents ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("honestly these are too grim", "too grim"),
        ("these feel way too slow", "way too slow"),
        ("a western set in mexico would be great", "set in mexico"),
        ("a thriller set on a boat would be ideal", "set on a boat"),
        ("something with bill murray that isn't a drama", "with bill murray"),
    ],
)
def test_extents(films, text, phrase):
    assert phrase in _read(films, text).unplaced


def test_a_relative_clause_after_an_item_still_runs_to_its_end(films):
    assert (
        "that will make me cry buckets"
        in _read(films, "a film that will make me cry buckets").unplaced
    )


def test_a_bare_too_is_counted_in_only_right_before_the_word():
    tokens = ["too", "many", "bleak", "ones"]
    assert modifier_start(tokens, 2, lambda j: True) == 2
    assert modifier_start(["far", "too", "bleak"], 2, lambda j: True) == 0


# -- words that are no wish ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "just the drama side of things, no romance",
        "sci-fi please, no horror elements",
        "these but with a little romance thrown in",
        "crime or mystery, it doesn't matter",
        "a thriller, my dad's friend reckons",
        "westerns would be even better",
    ],
)
def test_heads_verbs_and_remarks_are_no_wish(films, text):
    assert _read(films, text).unplaced == ()


def test_a_quality_after_a_value_stays_a_wish(films):
    assert "epic" in _read(films, "I fancy a western epic").unplaced


# -- later additions: attribute nouns, people after "older", conversation time -----------------


def test_a_wish_said_of_an_attribute_keeps_its_noun():
    from agent.nlu_unplaced import attribute_nouns

    nouns = attribute_nouns(["color", "jacket_type"])
    assert {"colour", "colours", "color", "types"} <= nouns
    assert "jacket" not in nouns


def test_older_people_are_no_year_move(films):
    p = _read(films, "a quiet drama with older leads")
    assert p.relative == ()
    assert "with older leads" in p.unplaced
    assert ("year", DOWN) in _read(films, "older westerns please").relative


@pytest.mark.parametrize(
    "text",
    [
        "I never asked for old films, why is Shane here",
        "why did you suggest Heat earlier",
    ],
)
def test_no_year_move_from_what_was_not_asked_or_the_chat_so_far(films, text):
    assert _read(films, text).relative == ()


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a war film set during the crusades", "set during the crusades"),
        ("something about ww1 would be good", "about ww1"),
    ],
)
def test_settings_in_time_and_words_with_digits(films, text, phrase):
    assert phrase in _read(films, text).unplaced


def test_an_ordinal_is_no_wish(films):
    assert _read(films, "the 3rd one looks best").unplaced == ()


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a documentary about music in your catalogue", "about music"),
        ("anything about chess in the collection?", "about chess"),
        ("a thriller set in a library", "set in a library"),  # a place, not the system
    ],
)
def test_where_to_look_is_no_part_of_the_wish(films, text, phrase):
    assert phrase in _read(films, text).unplaced


def test_an_aside_between_commas_is_no_list_of_qualities(films):
    assert _read(films, "right, changing tack entirely, a western").unplaced == ()
    assert _read(films, "a western, slow, moody").unplaced == ("slow", "moody")


def test_a_negated_spelling_of_a_value_still_excludes_it():
    import pandas as pd

    from causal.datasets.coat import COAT_SYNONYMS

    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3"],
            "title": ["gray rain jacket", "navy bomber jacket", "olive field jacket"],
            "color": ["gray", "navy", "olive"],
            "jacket_type": ["rain", "bomber", "field"],
        }
    )
    coats = Vocabulary.from_items(items, synonyms=COAT_SYNONYMS)
    assert understand("a rain jacket but not grey", coats).exclude.get("color") == ("gray",)


def test_a_quality_after_a_copula_is_still_wished_for(films):
    assert "shorter" in _read(films, "ideally they would be a bit shorter").unplaced
