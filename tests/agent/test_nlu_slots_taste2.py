"""Taste, feedback and reference readings settled by helper "slots5" (2026-12-07): a liked
title in a "more like it" request is taste only; verdicts in degree words, praise appended
after a viewing, titles the catalog lacks as a verdict's subject or object; a shown item as
the base of a change; titles typed in part beside a weighed title or as a possessive; frame
words are no wish; Coat's people words fix the cut. The sentences are written fresh, not
copied from any data file; each rule has a case where it must not fire."""

from __future__ import annotations

import pandas as pd
import pytest
from film_catalogs import film_vocab

from agent.nlu import understand
from agent.parse import FeedbackKind, TitleRole
from agent.vocab import Vocabulary
from causal.datasets.coat import COAT_SYNONYMS

LIKE, DISLIKE, SEEN = FeedbackKind.LIKE, FeedbackKind.DISLIKE, FeedbackKind.SEEN


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    titles = [
        ("1", "Jaws (1975)", 1975, "Action|Horror"),
        ("2", "Sound of Music, The (1965)", 1965, "Musical"),
        ("3", "Terminator, The (1984)", 1984, "Action|Sci-Fi"),
        ("4", "Sense and Sensibility (1995)", 1995, "Drama|Romance"),
        ("5", "Alien (1979)", 1979, "Horror|Sci-Fi"),
        ("6", "Usual Suspects, The (1995)", 1995, "Crime|Thriller"),
        ("7", "Lion King, The (1994)", 1994, "Animation|Children's|Musical"),
    ]
    return film_vocab(titles)


@pytest.fixture(scope="module")
def coats() -> Vocabulary:
    rows = [
        ("10", "Men's olive bomber jacket", "men", "bomber", "olive"),
        ("11", "Women's navy parka", "women", "parkas", "navy"),
        ("12", "Men's grey fleece", "men", "fleece", "gray"),
        ("13", "Women's black vest", "women", "vests", "black"),
        ("14", "Men's red track jacket", "men", "track", "red"),
    ]
    items = pd.DataFrame(
        {
            "item_id": [r[0] for r in rows],
            "title": [r[1] for r in rows],
            "item_gender": [r[2] for r in rows],
            "jacket_type": [r[3] for r in rows],
            "color": [r[4] for r in rows],
        }
    )
    return Vocabulary.from_items(items, synonyms=COAT_SYNONYMS)


SHOWN = ["1", "2", "3", "4", "5"]
COATS = ["10", "11", "12", "13", "14"]


def roles(p) -> list[tuple[str, TitleRole]]:
    return [(r.item_id, r.role) for r in p.refs]


# -- a liked title in a request for more like it: taste only -----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "adored Jaws as a kid, got anything else in that spirit?",
        "Jaws is a favourite of mine, recommend me something similar",
        "we really enjoyed Jaws last night, show me more like it",
    ],
)
def test_liked_title_in_a_more_like_it_request_is_taste_only(films, text):
    p = understand(text, films, SHOWN)
    assert "1" in p.like_items
    assert not [f for f in p.feedback if f[0] == "1"]


@pytest.mark.parametrize(
    "text",
    ["adored Jaws as a kid", "Jaws was a great recommendation, loved it", "loved Jaws. thanks!"],
)
def test_liked_title_without_a_request_stays_a_like(films, text):
    p = understand(text, films, SHOWN)
    assert ("1", LIKE) in p.feedback


def test_the_session_keeps_a_taste_only_title_as_its_anchor(rule_agent):
    item_id, title = next(iter(rule_agent.planner.vocab.item_titles.items()))
    reply = rule_agent.chat("s1", f"I loved {title}, what else would you suggest?")
    assert item_id in rule_agent.session_state("s1").constraints.like_items
    assert "Noted: you liked" not in reply.text  # no rating the user did not give


# -- verdicts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item", "kind"),
    [
        ("The Terminator was kind of stupid tbh", "3", DISLIKE),
        ("Alien is a little bland", "5", DISLIKE),
        ("caught Alien at a drive-in years ago, excellent film", "5", LIKE),
        ("watched Alien on tv once", "5", SEEN),
    ],
)
def test_degree_verdicts_and_praise_after_a_viewing(films, text, item, kind):
    p = understand(text, films, [])
    assert (item, kind) in p.feedback
    assert len({f[0] for f in p.feedback}) == 1


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Amelie is the best movie I have ever watched", "Amelie"),
        ("honestly disliked Cats", "Cats"),
        ("Gladiator was a bit forgettable", "Gladiator"),
    ],
)
def test_a_verdict_on_a_title_the_catalog_lacks(films, text, title):
    p = understand(text, films, SHOWN, focus="2")
    assert [t.lower() for t in p.unknown_titles] == [title.lower()]
    assert not p.feedback  # not put on the item in focus


@pytest.mark.parametrize(
    "text",
    ["This is the best movie I have ever watched", "Drama is a bit dull", "It was a bit dull"],
)
def test_no_unknown_title_from_pronouns_or_values(films, text):
    assert not understand(text, films, SHOWN, focus="2").unknown_titles


# -- references -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("the fourth one but funnier", ["4"]),
        ("number two is close, just want something newer", ["2"]),
        ("the first and the third are nearly right but in colour", ["1", "3"]),
    ],
)
def test_a_shown_item_as_the_base_of_a_change_is_taste(films, text, items):
    p = understand(text, films, SHOWN)
    assert [i for i, r in roles(p) if r is TitleRole.TASTE] == items


@pytest.mark.parametrize(
    "text", ["the fourth one, but why?", "why the third one but not the first", "the second one"]
)
def test_a_pointed_item_without_a_change_is_no_taste(films, text):
    p = understand(text, films, SHOWN)
    assert all(r is not TitleRole.TASTE for _, r in roles(p))


def test_along_the_lines_of_two_described_coats(coats):
    p = understand("anything along the lines of the fleece and the vest?", coats, COATS)
    assert sorted(p.like_items) == ["12", "13"]
    assert not p.include


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("Jaws or lion king for a sleepover?", ["1", "7"]),
        ("lion king vs Jaws tonight", ["7", "1"]),
        ("is Alien's rating inflated by its fame?", ["5"]),
        ("The Usual Suspects or sound of music, which one first", ["6", "2"]),
    ],
)
def test_titles_typed_in_part_or_as_a_possessive(films, text, items):
    assert understand(text, films, []).items == tuple(items)


@pytest.mark.parametrize("text", ["jaws or a musical?", "Alien's the one for me? or a comedy"])
def test_no_partial_title_from_plain_words(films, text):
    assert "7" not in understand(text, films, []).items
    assert "2" not in understand(text, films, []).items


def test_my_rating_of_it_points_at_the_focus(films):
    p = understand("what if I deleted my rating of it", films, SHOWN, focus="3")
    assert "3" in p.items


def test_get_rid_of_the_value_is_a_removal(coats):
    p = understand("get rid of the fleece", coats, COATS)
    assert p.exclude == {"jacket_type": ("fleece",)}
    assert "12" not in p.items


# -- frame words and Coat's people words ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "something exactly like Alien please",
        "anything a bit closer to Jaws?",
        "Jaws is my all-time fave, more like it",
    ],
)
def test_frame_words_are_no_wish(films, text):
    p = understand(text, films, SHOWN)
    assert p.like_items and not p.unplaced


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("a fleece for my grandad", "men"),
        ("parka for my niece, navy please", "women"),
        ("something warm for my sister's birthday", "women"),
        ("I'm a bloke who likes olive", "men"),
    ],
)
def test_people_words_fix_the_cut(coats, text, cut):
    assert understand(text, coats, []).include.get("item_gender") == (cut,)


def test_no_cut_from_unrelated_words(coats):
    p = understand("a parka for the season, something personal", coats, [])
    assert "item_gender" not in p.include


def test_partial_titles_sort_a_catalogs_keys_once_and_find_prefixes_exactly():
    """The 100k catalog paid ~25 ms a turn for sorting its titles on every turn: the sorted
    keys are kept per catalog mapping, and the prefix search finds the one title a phrase
    starts (or none when two titles share the start)."""
    from agent.nlu_partial_titles import _sorted_keys, partial_titles

    titles = {
        "the lion king": ["1"],
        "toy story": ["2"],
        "four weddings and a funeral": ["3"],
        "four rooms": ["4"],
        "fargo": ["5"],
    }
    assert _sorted_keys(titles) is _sorted_keys(titles)
    assert _sorted_keys(dict(titles)) == sorted(titles)
    text = "toy story or lion king for a 5 year old?"
    found = partial_titles(text, [(0, 9)], titles, str.lower)
    assert [ids for _, _, ids, _ in found] == [("1",)]
    text = "fargo or four weddings tonight"
    assert [ids for _, _, ids, _ in partial_titles(text, [(0, 5)], titles, str.lower)] == [("3",)]
    titles = {**titles, "four weddings in june": ["6"]}  # "four weddings" starts two titles
    text = "fargo or four weddings tonight"
    assert partial_titles(text, [(0, 5)], titles, str.lower) == []
