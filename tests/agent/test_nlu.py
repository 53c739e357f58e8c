"""The rule planner's reading of user turns: intents, slots, negation scope, item references."""

from __future__ import annotations

import pandas as pd
import pytest

from agent.nlu import Direction, FeedbackKind, Intent, find_variables, understand
from agent.vocab import NumericKind, Vocabulary, title_key
from causal.datasets.movielens import MOVIELENS_SYNONYMS


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3", "4", "5", "6"],
            "title": [
                "Toy Story (1995)",
                "GoldenEye (1995)",
                "Godfather, The (1972)",
                "Star Wars (1977)",
                "Heat (1995)",
                "Romance in Paris (1990)",
            ],
            "year": [1995.0, 1995.0, 1972.0, 1977.0, 1995.0, 1990.0],
            "genres": [
                "Animation|Children's|Comedy",
                "Action|Adventure|Thriller",
                "Crime|Drama",
                "Action|Sci-Fi",
                "Action|Crime|Thriller",
                "Romance",
            ],
            "price": [9.5, 12.0, 20.0, 15.0, 8.0, 30.0],
        }
    )
    return Vocabulary.from_items(items, synonyms=MOVIELENS_SYNONYMS)


SHOWN = ["1", "2", "4", "3"]


def parse(vocab, text, **kw):
    return understand(text, vocab, SHOWN, focus="1", **kw)


def test_vocabulary_reads_attributes(vocab):
    assert vocab.categorical["genres"].multi
    assert "Sci-Fi" in vocab.categorical["genres"].values
    assert vocab.numeric["year"].kind is NumericKind.YEAR
    assert vocab.numeric["price"].kind is NumericKind.PRICE
    assert title_key("Godfather, The (1972)") == "the godfather"


def test_vague_request_is_recommend_without_slots(vocab):
    p = parse(vocab, "I want to watch a movie tonight")
    assert p.intent is Intent.RECOMMEND
    assert not p.has_slots and p.query == ""


def test_genres_decades_and_synonyms(vocab):
    p = parse(vocab, "something funny and thrilling from the 90s")
    assert set(p.include["genres"]) == {"Comedy", "Thriller"}
    assert p.ranges["year"].low == 1990 and p.ranges["year"].high == 1999


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        ("not horror please, and nothing romantic", set(), {"Romance"}),
        ("I don't want a drama", set(), {"Drama"}),
        ("No, that's not a comedy", {"Comedy"}, set()),
        ("these aren't thrillers, I want thrillers", {"Thriller"}, set()),
        ("a comedy but no romance", {"Comedy"}, {"Romance"}),
        ("no, I want an action movie", {"Action"}, set()),
        ("None of these. No romance, please.", set(), {"Romance"}),
        ("No, not these. I don't want crime. I'd like drama.", {"Drama"}, {"Crime"}),
    ],
)
def test_negation_is_scoped(vocab, text, wanted, unwanted):
    p = parse(vocab, text)
    assert set(p.include.get("genres", ())) == wanted
    assert set(p.exclude.get("genres", ())) == unwanted


def test_numeric_ranges(vocab):
    p = parse(vocab, "a thriller under $15 made before 1980")
    assert p.ranges["price"].high == 15
    assert p.ranges["year"].high == 1979
    p = parse(vocab, "between 1970 and 1980")
    assert (p.ranges["year"].low, p.ranges["year"].high) == (1970, 1980)
    p = parse(vocab, "romance but nothing over $30")
    assert (p.ranges["price"].low, p.ranges["price"].high) == (None, 30)
    p = parse(vocab, "anything from the eighties")
    assert (p.ranges["year"].low, p.ranges["year"].high) == (1980, 1989)


def test_relative_refinements(vocab):
    p = parse(vocab, "cheaper please")
    assert ("price", Direction.DOWN) in p.relative
    assert Intent.REFINE in p.intents
    p = parse(vocab, "too old, something newer")
    assert p.relative == (("year", Direction.UP),)


def test_ordinals_titles_and_like_anchors(vocab):
    p = parse(vocab, "more like the second one")
    assert p.like_items == ("2",) and Intent.RECOMMEND in p.intents
    p = parse(vocab, "something like the godfather but funnier")
    assert p.like_items == ("3",)
    p = parse(vocab, "compare the first and the third")
    assert p.intent is Intent.COMPARE and p.items == ("1", "4")
    p = parse(vocab, "why did you recommend it?")
    assert p.intent is Intent.WHY and p.items == ("1",)


def test_one_word_titles_need_title_case(vocab):
    assert parse(vocab, "I loved Heat").items == ("5",)
    assert parse(vocab, "turn up the heat").items == ()


def test_feedback(vocab):
    p = parse(vocab, "I loved Toy Story")
    assert p.feedback == (("1", FeedbackKind.LIKE),)
    p = parse(vocab, "I didn't like GoldenEye")
    assert p.feedback == (("2", FeedbackKind.DISLIKE),)
    p = parse(vocab, "I've already seen Star Wars")
    assert p.feedback == (("4", FeedbackKind.SEEN),)
    assert Intent.FEEDBACK in p.intents


def test_other_intents(vocab):
    assert parse(vocab, "start over").intent is Intent.RESET
    assert parse(vocab, "hello!").intent is Intent.GREETING
    assert parse(vocab, "what do you know about me?").intent is Intent.PROFILE
    assert parse(vocab, "show me 5 comedies").k == 5
    p = parse(vocab, "does price affect clicks?", variables=["price", "clicked", "rating"])
    assert p.intent is Intent.CAUSAL and p.variables == ("price", "clicked")
    p = parse(
        vocab,
        "what if it were cheaper, would I rate it higher?",
        variables=["price", "rating"],
        outcomes=["rating"],
    )
    assert p.intent is Intent.WHAT_IF
    assert p.what_if.treatment == "price" and p.what_if.outcome == "rating"
    assert p.what_if.direction is Direction.DOWN


def test_leftover_words_become_the_query(vocab):
    p = parse(vocab, "a movie about a shark terrorizing a beach town")
    assert p.query == "shark terrorizing beach town"
    assert parse(vocab, "funny from the 90s").query == ""


def test_find_variables_uses_everyday_words():
    assert find_variables(
        "is it the ranking position or the promotion?", ["promoted", "position"]
    ) == [
        "position",
        "promoted",
    ]
