"""Slot readings fixed after scoring the blind writers' batches w5-w9 (2026-12-07, helper
"slots"). Each fix is a general rule driven by the catalog; the sentences here are written
fresh (other wording and situations than the w5-w9 lines that showed the gap)."""

from __future__ import annotations

import pandas as pd
import pytest
from film_catalogs import film_vocab

from agent.nlu import understand
from agent.vocab import Vocabulary


@pytest.fixture(scope="module")
def coats() -> Vocabulary:
    items = pd.DataFrame(
        {
            "item_id": ["20", "21", "22", "23", "24"],
            "title": [
                "Women's green parka",
                "Men's brown trench coat",
                "Women's yellow rain jacket",
                "Men's blue fleece",
                "Women's green vest",
            ],
            "color": ["green", "brown", "yellow", "blue", "green"],
            "jacket_type": ["parkas", "trench", "rain", "fleece", "vests"],
            "item_gender": ["women", "men", "women", "men", "women"],
        }
    )
    return Vocabulary.from_items(items)


COATS = ["20", "21", "22", "23", "24"]


# -- a shown item named by its description in any turn, not only after "why"/"which" ------


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("what got the yellow rain jacket onto my list?", ["22"]),
        ("suppose the brown trench were cheaper, would it climb?", ["21"]),
        ("what's the green parka doing up there", ["20"]),
    ],
)
def test_described_shown_item_without_a_question_word(coats, text, refs):
    p = understand(text, coats, COATS)
    assert [r.item_id for r in p.refs] == refs
    assert not p.include  # the description names an item, it is no wish


# -- one attribute value after "the" names the one shown item that has it ----------------


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("the trench or the fleece, which one for me?", ["21", "23"]),
        ("how did the vest end up in there?", ["24"]),
        ("is the yellow better for me than the parka", ["22", "20"]),
    ],
)
def test_one_value_word_names_the_single_shown_item_with_it(coats, text, refs):
    p = understand(text, coats, COATS)
    assert [r.item_id for r in p.refs] == refs
    assert not p.include


def test_one_value_word_shared_by_two_shown_items_stays_a_wish(coats):
    p = understand("why the green?", coats, COATS)
    assert not p.refs  # two green items on the list: no single one is meant
    p = understand("swap the fleece for a parka", coats, COATS)
    assert not p.refs and p.exclude.get("jacket_type") == ("fleece",)
    p = understand("more like the parka please", coats, COATS)
    assert [r.item_id for r in p.refs] == ["20"] and not p.include  # the planner reads taste


# -- two items weighed against each other without "the" ---------------------------------


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("brown trench vs blue fleece", ["21", "23"]),
        ("yellow rain jacket or green parka, what suits me", ["22", "20"]),
        ("would blue fleece beat brown trench for me", []),  # no weighing word: a wish
    ],
)
def test_bare_descriptions_weighed_against_each_other(coats, text, refs):
    p = understand(text, coats, COATS)
    assert [r.item_id for r in p.refs] == refs
    assert bool(p.include) == (not refs)


def test_bare_description_in_a_fresh_request_is_a_wish(coats):
    p = understand("a green parka or a brown trench for winter", coats, [])
    assert not p.refs and set(p.include["jacket_type"]) == {"parkas", "trench"}


# -- a verdict after "is / was" on a named or shown item is feedback --------------------


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    titles = [
        ("1", "Fargo (1996)", 1996, "Crime|Drama"),
        ("2", "Heat (1995)", 1995, "Action|Crime"),
        ("3", "Vertigo (1958)", 1958, "Mystery|Thriller"),
        ("4", "Jumanji (1995)", 1995, "Adventure|Children's"),
    ]
    return film_vocab(titles, synonyms=False)  # values from the data alone


@pytest.mark.parametrize(
    ("text", "item", "kind"),
    [
        ("Vertigo was outstanding, honestly", "3", "like"),
        ("Jumanji is a real gem", "4", "like"),
        ("Fargo = superb film", "1", "like"),
        ("the second one is exactly my taste", "2", "like"),
        ("Heat was tedious from start to end", "2", "dislike"),
        ("Jumanji is a total snooze", "4", "dislike"),
        ("the third one just wasn't for me", "3", "dislike"),
        ("could not get through Fargo", "1", "dislike"),
    ],
)
def test_verdict_on_an_item_is_feedback(films, text, item, kind):
    p = understand(text, films, ["1", "2", "3", "4"])
    assert [(i, k.value) for i, k in p.feedback] == [(item, kind)]


def test_verdict_words_in_a_wish_or_a_question_are_no_feedback(films):
    assert not understand("is Heat better than Fargo?", films, ["1", "2"]).feedback
    assert not understand("something as outstanding as Vertigo", films, []).feedback


# -- "this one" / "that" as the subject of a hypothetical or a weighing is the focus item ---


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("if this one had come out in colour, would I rate it higher?", ["2"]),
        ("say I gave that one two stars, what then", ["2"]),
        ("would this one still top the list if I were a teenager", ["2"]),
        ("what's this one doing here at all", ["2"]),
        ("is this one a safer pick for me than Vertigo?", ["2", "3"]),
        ("this or Jumanji, quick", ["2", "4"]),
    ],
)
def test_pronoun_as_subject_points_at_the_focus(films, text, refs):
    p = understand(text, films, ["1", "2", "3", "4"], focus="2")
    assert sorted(r.item_id for r in p.refs) == refs


def test_pronoun_in_a_conditional_wish_is_not_the_focus(films):
    p = understand("it would be great if it were a thriller", films, ["1", "2"], focus="2")
    assert not p.refs


# -- "the first two", "the last three", "top 2": a count at one end of the shown list ------


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("how do the last two stack up for me", ["3", "4"]),
        ("which of the top two would you bet on for me", ["1", "2"]),
        ("the bottom three, which one is oldest?", ["2", "3", "4"]),
    ],
)
def test_count_at_one_end_of_the_list_names_those_items(films, text, refs):
    p = understand(text, films, ["1", "2", "3", "4"])
    assert sorted(r.item_id for r in p.refs) == refs


def test_count_before_a_value_is_a_number_of_items_wished(films):
    p = understand("top 3 thrillers of the fifties", films, ["1", "2", "3", "4"])
    assert not p.refs and p.include.get("genres") == ("Thriller",)


# -- leftover words that point back, name the user's people or chat are no wish ----------
# (helper "slots2": pointers, possessives, a person's verb, vowel-less chat shorthand)


@pytest.mark.parametrize(
    "text",
    [
        "the second one is close, more in that spirit",
        "a crime film in the same mood as before",
        "a thriller in the Fargo tradition",
        "an adventure film to watch with my nephew",
        "something for the weekend with my cousins, a crime film",
        "a crime drama for my aunt who adores thrillers",
        "a mystery for someone who only watches thrillers",
    ],
)
def test_pointers_people_and_chat_shorthand_are_no_wish(films, text):
    p = understand(text, films, ["1", "2", "3", "4"])
    assert p.unplaced == (), p.unplaced


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("a thriller set on a long flight smh", "set on a long flight"),  # an occasion is no wish
        ("a comedy about a road trip tbh", "about a road trip"),
        ("a crime film with a heist ngl", "with a heist"),
    ],
)
def test_chat_shorthand_leaves_the_wish_beside_it(films, text, wish):
    assert understand(text, films, ["1", "2", "3", "4"]).unplaced == (wish,)


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("a thriller in a small town", "small town"),
        ("a crime film with a twist ending", "twist ending"),
        ("the first one but darker", "darker"),
        ("a drama about a lonely lighthouse keeper", "lighthouse keeper"),
        ("an action film that everyone says is gritty, grittier please", "grittier"),
    ],
)
def test_a_real_wish_beside_those_words_is_still_unplaced(films, text, wish):
    p = understand(text, films, ["1", "2", "3", "4"])
    assert any(wish in phrase for phrase in p.unplaced), p.unplaced


@pytest.mark.parametrize(
    "text",
    [
        "seen every one of those, more crime films please",
        "I've watched each one already, any thrillers?",
        "at least one adventure film would be nice",
        "is there a mystery in your collection?",
        "any crime films in your library from the nineties?",
    ],
)
def test_quantifiers_and_the_systems_own_things_are_no_wish(films, text):
    assert understand(text, films, ["1", "2", "3", "4"]).unplaced == ()


def test_a_wish_after_a_quantified_phrase_is_still_unplaced(films):
    p = understand("seen every one of those, a thriller with a slow burn", films, ["1", "2"])
    assert p.unplaced == ("with a slow burn",)
