"""Unplaced wishes: their extent as typed (with the preposition or negation that introduces
them) and which leftover words are wishes at all (helper "unplaced3", 2026-12-07). The
sentences are written fresh for these tests, not taken from any data file."""

from __future__ import annotations

import pytest
from film_catalogs import film_vocab

from agent.memory_update import understood_line
from agent.nlu import understand
from agent.nlu_filler import foreign_turn
from agent.nlu_typos import english_words
from agent.vocab import Vocabulary


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    titles = [
        ("1", "Fargo (1996)", 1996, "Crime|Drama"),
        ("2", "Heat (1995)", 1995, "Action|Crime"),
        ("3", "Vertigo (1958)", 1958, "Mystery|Thriller"),
        ("4", "Jumanji (1995)", 1995, "Adventure|Children's"),
    ]
    return film_vocab(titles, synonyms=False)  # values from the data alone


# -- the extent: the introducing preposition or negation is part of the phrase -------------


@pytest.mark.parametrize(
    ("text", "phrase", "query"),
    [
        ("any crime films about bank robbers?", "about bank robbers", "bank robbers"),
        ("a thriller with a shocking finale", "with a shocking finale", "shocking finale"),
        ("an adventure w/o talking animals", "w o talking animals", "talking animals"),
        ("crime dramas w/ heists", "w heists", "heists"),
        ("a mystery set in Venice please", "set in venice", "venice"),
        ("a crime film that is not about gangsters", "that is not about gangsters", "gangsters"),
        ("dramas with less shouting", "with less shouting", "shouting"),
        ("an action movie with lots of car chases", "with lots of car chases", "car chases"),
        ("a mystery but in widescreen", "in widescreen", "widescreen"),
        ("a drama, nothing with spiders", "nothing with spiders", "spiders"),
        ("a crime film set on a submarine", "set on a submarine", "submarine"),
        ("a mystery with a reveal at the very end", "with a reveal at the very end", None),
        (
            "an adventure with dinosaurs, nothing with ghosts",
            "nothing with ghosts",
            "dinosaurs ghosts",
        ),
    ],
)
def test_a_wish_keeps_its_preposition_and_the_query_its_own_words(films, text, phrase, query):
    p = understand(text, films)
    assert phrase in p.unplaced, p.unplaced
    if query is not None:
        assert p.query == query  # the soft text query stays the wish's own words


def test_a_preposition_before_a_modified_item_noun_stays_out(films):
    p = understand("i'm looking for a bittersweet film", films)
    assert p.unplaced == ("bittersweet",)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("spooky ones in black and white", "in black and white"),
        ("some black and white ones please", "black and white"),
    ],
)
def test_a_pair_joined_by_and_inside_one_phrase_stays_one(films, text, phrase):
    assert phrase in understand(text, films).unplaced


def test_two_qualities_joined_by_and_stay_two_wishes(films):
    assert understand("something bleak and slow", films).unplaced == ("bleak", "slow")


# -- recall: qualities that stand alone -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("funnier, please", "funnier"),
        ("sunnier than those", "sunnier"),
        ("Jumanji was fine but a little long. snappier", "snappier"),
        ("a crime caper, the wackier the better", "the wackier the better"),
        ("these are fine, grittier", "grittier"),
    ],
)
def test_a_bare_comparative_is_a_wish(films, text, wish):
    assert wish in understand(text, films, ["1", "2", "3", "4"]).unplaced


def test_a_list_of_bare_qualities_is_a_list_of_wishes(films):
    p = understand("nothing mainstream tonight. odd, tender, slow", films)
    assert {"odd", "tender", "slow"} <= set(p.unplaced), p.unplaced


# -- chatter and company must not become a wish ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "an adventure my nephews would enjoy",
        "a thriller that the whole office can watch together on friday",
        "ok, thanks",
        "fine, whatever",
        "an adventure for a seven-year-old",
        "a mystery for a girl of 9",
        "a crime caper to watch with the lads",
        "I'd be happier if they were shorter",
        "more like the first, less of the rest",
        "anything good on at the moment?",
        "more in the style of that first one",
        "could you add a couple of thrillers",
    ],
)
def test_who_watches_and_chatter_are_no_wish(films, text):
    assert understand(text, films).unplaced == (), understand(text, films).unplaced


def test_foreign_turn_is_read_from_the_words():
    english = frozenset(["something", "funny", "thriller", "please", "spiders", "nothing"])
    assert foreign_turn("quisiera algo divertido", english)
    assert foreign_turn("eine Komödie, bitte schön", english)
    assert not foreign_turn("something funny please", english)
    assert not foreign_turn("a thriller with Marlon Brando", english)  # names mid-sentence
    assert not foreign_turn("anything", frozenset())  # no word list: never guess


def test_another_language_gives_no_english_wish(films):
    if not english_words():
        pytest.skip("the packaged sentence-embedding model (its word list) is not installed")
    p = understand("ik wil graag iets grappigs vanavond", films)  # Dutch: no gloss lexicon
    assert p.unplaced == () and p.query == ""
    assert understand("een grappige komedie alsjeblieft", films).unplaced == ()
    # Spanish is glossed (agent.nlu_foreign): its wish is read as the English one
    assert understand("quisiera algo divertido esta noche", films).unplaced == ("funny",)


def test_the_reply_names_each_unplaced_wish_once_and_readably(films):
    p = understand("a crime film about bank robbers, nothing gory", films)
    line = understood_line(p, films) or ""
    assert "could not place 'about bank robbers', 'nothing gory'" in line, line


# -- the extent: a relative clause or a prepositional phrase runs to its end (helper
# "unplaced4"; fresh sentences) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase", "query"),
    [
        (
            "a mystery that keeps you second-guessing everyone",
            "that keeps you second guessing everyone",
            "keeps you second guessing everyone",
        ),
        (
            "an adventure where pirates bury treasure on an island, from the nineties",
            "where pirates bury treasure on an island",
            "pirates bury treasure on an island",
        ),
        ("a thriller set on a ferry or a cable car", "set on a ferry or a cable car", None),
        ("an adventure with wizards or giants no musicals", "with wizards or giants", None),
        ("a crime film written by Mamet if you have one", "written by mamet", "mamet"),
        ("a comedy, the sillier the better", "the sillier the better", None),
        (
            "a mystery about a nurse and her cat in the mountains maybe",
            "about a nurse and her cat in the mountains",
            None,
        ),
        # "in it" stays with the phrase (the newer labels' convention, helper "unplaced5")
        ("a crime drama with Gene Hackman in it", "with gene hackman in it", None),
    ],
)
def test_a_wish_runs_to_the_end_of_its_clause(films, text, phrase, query):
    p = understand(text, films)
    assert phrase in p.unplaced, p.unplaced
    assert not any(w != phrase and w in phrase for w in p.unplaced), p.unplaced  # no pieces
    if query is not None:
        assert p.query == query


@pytest.mark.parametrize(
    "text",
    [
        "a thriller that my dad can follow",  # who watches, not what it is
        "i think that a crime film would be good",  # "that" after a verb of saying
        "a comedy for the weekend that we can all watch",
    ],
)
def test_a_relative_clause_about_the_audience_is_no_wish(films, text):
    assert understand(text, films).unplaced == (), understand(text, films).unplaced


def test_a_hedge_or_condition_closes_the_phrase(films):
    p = understand("something directed by Kurosawa if possible otherwise any crime film", films)
    assert p.unplaced == ("directed by kurosawa",), p.unplaced


def test_a_negated_quality_keeps_its_head_noun(films):
    assert understand("a crime film but not heist ones", films).unplaced == ("not heist ones",)


def test_a_clause_too_long_to_be_one_wish_is_not_run_together(films):
    text = (
        "a drama where a man and his brother and their old uncle drive across the whole "
        "country in a battered van looking for a dog"
    )
    p = understand(text, films)
    assert all(len(w.split()) <= 14 for w in p.unplaced), p.unplaced
    line = understood_line(p, films) or ""
    assert line.count("'") % 2 == 0 and len(line) < 400
