"""Titles the catalog lacks (their extent and the frames that mark them), names kept from typo
repair, knowledge questions about the world, and greetings of other Englishes (helper
title11, session 9). The catalog here is ten one-word films; every other name is unknown."""

from __future__ import annotations

import pytest

from agent.nlu import looks_english, understand
from agent.nlu_cues import INTENT_PATTERNS
from agent.nlu_trivia import world_question
from agent.nlu_typos import repair_typos
from agent.nlu_unknown import name_at
from agent.parse import Intent, TitleRole
from tests.agent.film_catalogs import TEN_FILMS, film_vocab


@pytest.fixture(scope="module")
def vocab():
    return film_vocab(TEN_FILMS)


def _unknown(text: str, vocab) -> list[str]:
    return [t.lower() for t in understand(text, vocab, []).unknown_titles]


def _taste(text: str, vocab) -> list[str]:
    return [r.item_id for r in understand(text, vocab, []).refs if r.role is TitleRole.TASTE]


# --- where a name ends ---------------------------------------------------------------------


def test_a_full_stop_ends_a_name_but_an_abbreviation_does_not():
    text = "my son is obsessed with Paddington Bear. Anything for him?"
    assert name_at(text, text.index("Paddington"))[0] == "Paddington Bear"
    text = "something like Dr. Zhivago please"
    assert name_at(text, text.index("Dr."))[0] == "Dr. Zhivago"


def test_a_name_sheds_the_short_words_it_ends_on(vocab):
    assert _unknown("Watched The Godfather in the cinema once, wow", vocab) == ["the godfather"]


def test_a_preposition_with_an_article_stays_inside_a_title(vocab):
    assert _unknown("something like Dances with the Stars", vocab) == ["dances with the stars"]
    text = "something like Escape from the Planet please"
    assert _unknown(text, vocab) == ["escape from the planet"]


def test_a_known_title_before_for_the_kids_is_still_found(vocab):
    assert _taste("something like Fargo for the kids", vocab) == ["1"]
    assert _unknown("something like Fargo for the kids", vocab) == []


# --- frames that mark an unknown title ---------------------------------------------------------


def test_a_fondness_predicate_governs_a_name(vocab):
    assert _unknown("my nephew is crazy about Paddington, any ideas?", vocab) == ["paddington"]
    assert _unknown("we're hooked on Columbo lately", vocab) == ["columbo"]


def test_a_fondness_predicate_over_a_genre_is_a_wish_not_a_title(vocab):
    parse = understand("I'm crazy about Westerns", vocab, [])
    assert parse.unknown_titles == ()
    assert "Western" in parse.include.get("genres", ())


def test_a_likeness_suffix_marks_an_unknown_title(vocab):
    assert _unknown("Paddington-ish but older", vocab) == ["paddington"]
    assert _unknown("something cosy, Amelie vibes", vocab) == ["amelie"]
    assert _unknown("any French films? Delicatessen type", vocab) == ["delicatessen"]


def test_a_likeness_suffix_after_a_catalog_title_finds_that_title(vocab):
    assert _taste("Fargo-ish but newer", vocab) == ["1"]
    assert _unknown("Fargo-ish but newer", vocab) == []


def test_calendar_words_makers_and_genres_before_a_suffix_are_no_titles(vocab):
    assert _unknown("something with Christmas vibes", vocab) == []
    assert _unknown("any Hitchcock-style thrillers?", vocab) == []
    assert _unknown("Western vibes tonight", vocab) == []


def test_a_name_listed_after_a_catalog_title_is_a_title(vocab):
    text = "I'm a big fan of Fargo, Heat and Casablanca. What next?"
    assert _unknown(text, vocab) == ["casablanca"]
    assert sorted(_taste(text, vocab)) == ["1", "2"]


def test_a_name_before_a_common_noun_is_a_modifier_not_a_title(vocab):
    text = "something that reminds me of Fargo, Minnesota setting ideally"
    assert "minnesota" not in _unknown(text, vocab)
    text = "something like Casablanca, Paris backdrop if possible"
    assert _unknown(text, vocab) == ["casablanca"]


def test_a_name_asked_then_judged_is_the_title_judged(vocab):
    assert _unknown("Casablanca? loved it", vocab) == ["casablanca"]
    assert _unknown("Casablanca? seen it twice", vocab) == ["casablanca"]


def test_a_question_word_or_a_catalog_title_asked_then_judged_is_no_unknown_title(vocab):
    assert _unknown("Why? I loved it", vocab) == []
    parse = understand("Fargo? loved it", vocab, [])
    assert parse.unknown_titles == ()
    assert "1" in [r.item_id for r in parse.refs] + [i for i, _ in parse.feedback]


def test_ordinary_lower_case_words_do_not_become_unknown_titles(vocab):
    assert _unknown("something light and funny for tonight", vocab) == []
    assert _unknown("a comedy, nothing too long", vocab) == []


# --- typo repair keeps names ---------------------------------------------------------------------


def test_a_name_in_title_case_is_not_repaired(vocab):
    assert "Notting Hill" in repair_typos("honestly more like Notting Hill", vocab)
    assert "Notting Hill" in repair_typos("Notting Hill was lovely", vocab)


def test_a_misspelt_cue_word_is_still_repaired(vocab):
    assert "nothing" in repair_typos("notihng scary please", vocab)
    assert "Nothing" in repair_typos("Notihng scary please", vocab)


# --- questions about the world, greetings, resets -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "who invented the telephone",
        "how many legs does a spider have",
        "how many calories are in a bagel",
        "how would you spell necessary",
        "what's the capital of Chile",
        "when did the Berlin wall come down",
    ],
)
def test_knowledge_questions_about_the_world(text):
    assert world_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "how many films from 1995 do you have",
        "any thrillers from 1995?",
        "who won an oscar? recommend me something like that",
        "where do you get your data",
        "how many of these are comedies",
    ],
)
def test_questions_about_the_catalog_are_not_world_questions(text):
    assert not world_question(text)


def test_a_year_in_a_world_question_is_no_wish(vocab):
    assert understand("who won the tour de france in 1989", vocab, []).ranges == {}
    assert "year" in understand("any westerns from 1989?", vocab, []).ranges


_GREETING = next(rx for intent, rx in INTENT_PATTERNS if intent is Intent.GREETING)


@pytest.mark.parametrize("text", ["how far", "How far o!", "howzit", "g'day mate", "wassup"])
def test_greeting_formulas_of_other_englishes(text):
    assert _GREETING.search(text)


@pytest.mark.parametrize(
    "text", ["how far back does the catalogue go", "how far is it to the cinema", "sup with this"]
)
def test_greeting_words_inside_a_question_are_no_greeting(text):
    assert not _GREETING.search(text)


def test_a_reset_with_a_particle_of_another_english_is_english():
    assert looks_english("begin fresh lah")
    assert not looks_english("quiero una comedia romantica")


# --- more frames: a mash-up, a change to a named film, weariness, a recommendation ------------


def test_names_on_either_side_of_meets_are_titles(vocab):
    assert _unknown("Paddington meets Casablanca", vocab) == ["paddington", "casablanca"]
    parse = understand("Casablanca meets Fargo", vocab, [])
    assert [t.lower() for t in parse.unknown_titles] == ["casablanca"]
    assert "1" in [r.item_id for r in parse.refs]


def test_a_name_opening_the_turn_before_but_and_a_change_is_a_title(vocab):
    assert _unknown("Bourne Identity but less shaky", vocab) == ["bourne identity"]
    assert _unknown("Nice but older please", vocab) == []  # a verdict, an English word
    assert _unknown("Comedies but less silly", vocab) == []


def test_weariness_and_a_recommendation_govern_a_name(vocab):
    assert _unknown("the kids got tired of Paddington quickly", vocab) == ["paddington"]
    assert _unknown("my aunt recommended The Lunchbox, anything close?", vocab) == ["the lunchbox"]
    assert _unknown("I found Columbo a bit slow", vocab) == ["columbo"]


def test_a_described_shown_item_is_no_title(vocab):
    assert _unknown("compare it to the Woody Allen one", vocab) == []


def test_a_pronoun_after_like_is_no_title(vocab):
    assert _unknown("explain it to me like I'm five", vocab) == []


def test_a_long_title_is_found_by_its_head_after_an_abbreviation():
    films = [
        *TEN_FILMS,
        (
            "11",
            "Dr. Mabuse or: The Gambler Who Played With the Fate of Cities (1922)",
            1922,
            "Crime",
        ),
    ]
    refs = understand("something in the footsteps of Dr. Mabuse", film_vocab(films), []).refs
    assert [(r.item_id, r.role) for r in refs] == [("11", TitleRole.TASTE)]


def test_a_possessive_before_a_suffix_is_the_name(vocab):
    assert _unknown("something in Paddington's territory but newer", vocab) == ["paddington"]
    parse = understand("something in Fargo's territory but newer", vocab, [])
    assert parse.unknown_titles == ()
    assert [r.item_id for r in parse.refs if r.role is TitleRole.TASTE] == ["1"]


def test_a_maker_before_fan_or_before_a_qualified_genre_is_no_title(vocab):
    assert _unknown("loved that one, big Kurosawa fan", vocab) == []
    assert _unknown("I fancy a Kurosawa-type western", vocab) == []
    assert _unknown("Kurosawa-type films please", vocab) == ["kurosawa"]


def test_a_two_character_name_in_a_list_is_no_unknown_title(vocab):
    assert _unknown("Fargo, Heat, T2 - all seen", vocab) == []
