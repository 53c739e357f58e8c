"""Unplaced wishes, session 6 (helper "unplaced5", 2026-12-07): a value's synonym used as a
topic ("with dragons", "about a heist"), negations that open a wish ("not Disney", "not
something bleak", "not as slow"), extents ("with robots in it", "minus the gore", "for
walking to school"), wishes about an attribute the catalog lacks ("cheaper", "under 40
quid"), and words that must not become wishes (chat spelling, a misspelt item noun, a
person's clause, a possessive value's noun, a word hyphened to a value). Every sentence is
written fresh for these tests, not taken from a data file."""

from __future__ import annotations

import pandas as pd
import pytest

from agent.nlu import understand
from agent.nlu_topics import synonym_phrases
from agent.nlu_typos import short_words
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
    genders = ["men", "women"] * 4
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(8)],
            "title": [f"{c} {k} jacket" for c, k in zip(colours, kinds, strict=True)],
            "item_gender": genders,
            "jacket_type": kinds,
            "color": colours,
        }
    )
    return Vocabulary.from_items(items, synonyms=COAT_SYNONYMS)


# -- a synonym that says what the film is about or has in it is a topic, not the value ------


@pytest.mark.parametrize(
    ("text", "phrase", "include"),
    [
        ("an adventure with wizards please", "with wizards", ("Adventure",)),
        ("any thrillers about a bank heist?", "about a bank heist", ("Thriller",)),
        ("a western featuring aliens", "featuring aliens", ("Western",)),
        ("a comedy w/ cowboys", "w cowboys", ("Comedy",)),
        ("a drama about the mafia", "about the mafia", ("Drama",)),
        ("a romance set in space", "set in space", ("Romance",)),
        ("films with a grumpy old detective", "with a grumpy old detective", ()),
        ("a movie with lots of fight scenes", "with lots of fight scenes", ()),
        ("a documentary about outer space", "about outer space", ()),
    ],
)
def test_a_synonym_in_a_content_phrase_is_an_unplaced_topic(films, text, phrase, include):
    p = understand(text, films)
    assert phrase in p.unplaced, p.unplaced
    assert p.include.get("genres", ()) == include


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("what about cowboys?", "Western"),  # an offer of a choice, no topic
        ("how about something with magic films", "Fantasy"),  # the synonym modifies films
        ("a scary one for tonight", "Horror"),  # no preposition: the value
        ("something with cowboys films", "Western"),
    ],
)
def test_a_synonym_outside_a_content_phrase_still_names_the_value(films, text, genre):
    p = understand(text, films)
    assert genre in p.include.get("genres", ()), (p.include, p.unplaced)


def test_a_value_named_by_its_own_name_is_never_a_topic(films):
    p = understand("a movie about westerns and musicals", films)
    assert set(p.include.get("genres", ())) == {"Western", "Musical"}
    assert p.unplaced == ()


def test_company_after_with_is_no_topic(films):
    p = understand("a film to watch with my kids tonight", films)
    assert "Children's" in p.include.get("genres", ())
    assert not any("kids" in u for u in p.unplaced)


def test_synonyms_are_read_from_the_catalog_not_its_values(films):
    found = synonym_phrases(films)
    assert ("genres", "dragons") in found and ("genres", "heist") in found
    assert ("genres", "western") not in found and ("genres", "westerns") not in found
    assert ("genres", "war movie") not in found  # holds the value's own name
    assert synonym_phrases(films) is found  # once per catalog


# -- a negated synonym beside a wanted value rules out a kind within it ------------------------


def test_a_negated_kind_within_a_wanted_value_is_unplaced(films):
    p = understand("a creepy film from the 80s but not a slasher", films)
    assert p.include.get("genres") == ("Horror",) and "genres" not in p.exclude
    assert "not a slasher" in p.unplaced
    p = understand("fantasy without dragons", films)
    assert p.include.get("genres") == ("Fantasy",) and "without dragons" in p.unplaced
    p = understand("crime films, but nothing with gangsters", films)
    assert p.include.get("genres") == ("Crime",)
    assert "nothing with gangsters" in p.unplaced


def test_a_negated_synonym_alone_still_excludes_the_value(films):
    p = understand("the same again but without the singing", films)
    assert p.exclude.get("genres") == ("Musical",)
    assert p.unplaced == ()


# -- negations, degrees and frames that open a wish --------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a western with a big cast, not John Ford", "not john ford"),
        ("a musical, but not something sappy", "not something sappy"),
        ("like the first two but not as slow", "not as slow"),
        ("a crime drama, not too talky", "not too talky"),
        ("adventures, no talking animals", "no talking animals"),
        ("anything like it minus the gore?", "minus the gore"),
        ("an adventure with robots in it", "with robots in it"),
    ],
)
def test_negations_and_frames_open_the_wish_as_typed(films, text, phrase):
    assert phrase in understand(text, films).unplaced


def test_a_reply_word_after_no_at_the_start_is_no_wish(films):
    assert understand("no, a western please", films).unplaced == ()


def test_something_lets_a_value_pass_in_its_list(films):
    p = understand("something funny and brief", films)
    assert p.include.get("genres") == ("Comedy",) and p.unplaced == ("brief",)


def test_a_use_runs_to_its_clause_end_and_stops_at_another_phrase(coats):
    p = understand("a rain jacket for walking to school, in navy", coats)
    assert "for walking to school" in p.unplaced
    p = understand("a field jacket for birdwatching as a present", coats)
    assert "for birdwatching" in p.unplaced
    assert not any("present" in u and "birdwatching" in u for u in p.unplaced)
    p = understand("a bomber for something casual", coats)  # "something" is no use
    assert not any(u.startswith("for") for u in p.unplaced)


# -- wishes about an attribute the catalog lacks --------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a navy bomber, not too pricey", "not too pricey"),
        ("any cheaper ones?", "cheaper"),
        ("a women's rain jacket under 40 quid", "under 40 quid"),
        ("a field jacket below 90", "below 90"),
    ],
)
def test_a_wish_about_a_missing_attribute_is_unplaced_as_typed(coats, text, phrase):
    p = understand(text, coats)
    assert phrase in p.unplaced, (p.unplaced, p.unsupported)
    assert phrase not in p.query.split()  # no text search for a price word


def test_a_bound_an_attribute_holds_is_no_unplaced_wish(films):
    p = understand("a comedy from under 1990", films)
    assert p.unplaced == ()


# -- words that are no wish --------------------------------------------------------------------


def test_chat_spelling_of_three_letters_is_no_wish(films):
    if not short_words():
        pytest.skip("the packaged sentence-embedding model (its word list) is not installed")
    assert understand("got a gud western?", films).unplaced == ()
    assert understand("a sad western", films).unplaced == ("sad",)  # a real word stays


def test_a_misspelt_item_noun_is_repaired_not_a_wish(coats):
    p = understand("mens bomber jackt in black", coats)
    assert p.include.get("jacket_type") == ("bomber",) and p.unplaced == ()
    p = understand("a red rain jakcet", coats)
    assert p.include.get("color") == ("red",) and p.unplaced == ()


def test_the_noun_after_a_possessive_value_is_the_item(coats):
    p = understand("are there men's versions of these?", coats)
    assert p.include.get("item_gender") == ("men",) and p.unplaced == ()


def test_a_persons_clause_is_no_wish(films):
    p = understand("my uncle adores westerns, anything for him?", films)
    assert p.include.get("genres") == ("Western",) and p.unplaced == ()
    p = understand("a musical the whole family remembers", films)
    assert p.unplaced == ()


def test_a_word_hyphened_to_a_value_is_part_of_it(films):
    p = understand("some kid-safe adventures", films)
    assert "Adventure" in p.include.get("genres", ()) and p.unplaced == ()


def test_a_participle_framing_a_value_is_no_wish(films):
    p = understand("a comedy, nothing made for kids", films)
    assert p.exclude.get("genres") == ("Children's",) and p.unplaced == ()
    p = understand("a comedy, nothing too silly", films)  # a real quality still counts
    assert "nothing too silly" in p.unplaced


def test_age_words_in_a_catalog_without_dates_are_no_wish(coats):
    p = understand("a navy field jacket, these are too flashy for an old man", coats)
    assert not any("old" in u for u in p.unplaced), p.unplaced
