"""The simulated user on its own: true facts only, never the title, right reasons, seeded."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from agent.evaluation.simulator import (
    CatalogView,
    FactKind,
    UserSimulator,
    asked_attribute,
    fact_holds,
    names_target,
    phrase,
    target_facts,
)


@pytest.fixture(scope="module")
def view(world):
    return CatalogView.from_items(world.dataset.items)


@pytest.fixture(scope="module")
def movie_view():
    """A tiny MovieLens-like catalog: multi-valued genres, a year, no descriptions."""
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(1, 9)],
            "title": [
                "Night Train (1994)",
                "Laugh Factory (1996)",
                "Comedy (1997)",  # a title that is also a genre value
                "Old Gold (1962)",
                "Space Docks (1998)",
                "Quiet Hills (1993)",
                "Red Run (1985)",
                "Blue Note (1999)",
            ],
            "year": [1994.0, 1996.0, 1997.0, 1962.0, 1998.0, 1993.0, 1985.0, 1999.0],
            "genres": [
                "Drama|Thriller",
                "Comedy",
                "Comedy|Romance",
                "Drama|War",
                "Sci-Fi|Action",
                "Drama|Romance",
                "Action|Thriller",
                "Drama",
            ],
        }
    )
    return CatalogView.from_items(items)


def _drive(view, target_id, seed, replies):
    """Run a simulator over scripted agent replies; returns the turns it produced."""
    sim = UserSimulator(view.target(target_id), view, seed=seed)
    turns = [sim.opening()]
    for text, shown in replies:
        turn = sim.respond(text, shown)
        if turn is None:
            break
        turns.append(turn)
    return sim, turns


def _scripted_replies(view, target_id, n_turns, rng):
    """Agent replies that show random wrong items (never the target), some with a question."""
    others = [i for i in view.titles if i != target_id]
    questions = ["", "Which genre are you in the mood for?", "Any preferred era?", ""]
    return [
        (f"Here are picks.\n{rng.choice(questions)}", rng.sample(others, k=min(10, len(others))))
        for _ in range(n_turns)
    ]


def test_every_fact_is_true_of_the_target(view, world):
    for item_id in list(view.titles)[:80]:
        target = view.target(item_id)
        facts = target_facts(target, view)
        assert facts, "a synthetic item always has a genre to talk about"
        assert facts[0].kind is FactKind.CATEGORY
        assert all(fact_holds(f, target) for f in facts)
        kinds = {f.kind for f in facts}
        assert FactKind.RANGE in kinds  # price


def test_everything_said_is_true_and_never_names_the_target(view):
    rng = random.Random(1)
    for item_id in list(view.titles)[:60]:
        replies = _scripted_replies(view, item_id, 5, rng)
        sim, turns = _drive(view, item_id, seed=item_id, replies=replies)
        for turn in turns:
            assert turn.text
            assert not names_target(turn.text, sim.target)
            assert sim.target.title.lower() not in turn.text.lower()
            assert all(fact_holds(f, sim.target) for f in turn.revealed)


def test_a_value_that_reads_like_the_title_is_never_said(movie_view):
    # Item 3 is titled "Comedy (1997)" and is a comedy: the simulator must find other words.
    sim, turns = _drive(
        movie_view,
        "3",
        seed=0,
        replies=[("Which genre are you in the mood for?", ["2", "8"]), ("Anything else?", ["6"])],
    )
    said = " ".join(t.text.lower() for t in turns)
    assert "comedy" not in said
    assert "romance" in said  # the other genre is still told
    assert all(not names_target(t.text, sim.target) for t in turns)


def test_same_seed_same_words_other_seed_other_words(view):
    rng_a, rng_b = random.Random(7), random.Random(7)
    items = list(view.titles)[:25]
    first = [
        [t.text for t in _drive(view, i, 3, _scripted_replies(view, i, 4, rng_a))[1]] for i in items
    ]
    again = [
        [t.text for t in _drive(view, i, 3, _scripted_replies(view, i, 4, rng_b))[1]] for i in items
    ]
    assert first == again
    rng_c = random.Random(7)
    other = [
        [t.text for t in _drive(view, i, 4, _scripted_replies(view, i, 4, rng_c))[1]] for i in items
    ]
    assert other != first


def test_rejection_reasons_name_what_the_shown_items_have_and_the_target_lacks(movie_view):
    # Target: "Night Train" (Drama|Thriller, 1994). Shown: comedies and a 1962 war drama.
    sim = UserSimulator(movie_view.target("1"), movie_view, seed=0)
    sim.opening()
    turn = sim.respond("Here you go.", ["2", "3", "4"])
    assert turn is not None and turn.rejected
    fact = turn.revealed[0]
    for mismatch in turn.rejected:
        assert mismatch.item_id in {"2", "3", "4"}
        if fact.kind is FactKind.EXCLUDE:
            assert mismatch.shown == fact.values[0]
            assert mismatch.shown in movie_view.values(mismatch.item_id, mismatch.attribute)
            assert mismatch.shown not in sim.target.categories[mismatch.attribute]
        else:
            assert fact.kind is FactKind.RANGE
            number = movie_view.number(mismatch.item_id, mismatch.attribute)
            assert not (fact.low <= number <= fact.high)
    # Two of three shown are comedies: the most visible mismatch is comedy.
    assert fact.kind is FactKind.EXCLUDE and fact.values == ("Comedy",)
    assert "comedy" in turn.text.lower()


def test_old_items_get_an_era_reason(movie_view):
    # Target "Space Docks" (1998); every shown item is from before the 1990s.
    sim = UserSimulator(movie_view.target("5"), movie_view, seed=1)
    sim.opening()
    turn = sim.respond("Here.", ["4", "7"])
    era = [f for f in turn.revealed if f.kind is FactKind.RANGE]
    assert era and era[0].low == 1990 and era[0].high == 1999
    assert "too old" in turn.text and "1990s" in turn.text
    assert {m.item_id for m in turn.rejected} == {"4", "7"}


def test_answers_the_question_asked(view):
    target_id = next(iter(view.titles))
    sim = UserSimulator(view.target(target_id), view, seed=0)
    sim.opening()
    genre = sim.target.categories["genre"][0]
    turn = sim.respond("Here you go.\nWhat's your budget — under $10, $10 to $20, or more?", [])
    assert turn.answered == "price"
    price = [f for f in turn.revealed if f.attribute == "price"]
    assert price and fact_holds(price[0], sim.target)
    assert "$" in turn.text
    # The genre was said in the opening; asked again, there is nothing new to say about it.
    turn = sim.respond("Which genre are you in the mood for — comedy, drama or horror?", [])
    assert turn.answered is None
    assert genre.lower() not in turn.text.lower() or turn.revealed


def test_asked_attribute_reads_questions_only(view, movie_view):
    assert (
        asked_attribute("Which genre are you in the mood for — comedy or drama?", view) == "genre"
    )
    assert asked_attribute("Any preferred era — recent, the 1990s or older?", movie_view) == "year"
    assert asked_attribute("Here are 10 picks.\n1. A comedy — cheap.", view) is None
    assert asked_attribute("Do you want comedy, drama or horror?", view) == "genre"


def test_ends_when_the_target_is_in_the_top_k(view):
    target_id = list(view.titles)[5]
    sim = UserSimulator(view.target(target_id), view, seed=0, k=10)
    sim.opening()
    others = [i for i in view.titles if i != target_id]
    assert sim.respond("", [*others[:10], target_id]) is not None  # rank 11: not yet
    assert sim.respond("", [*others[20:22], target_id]) is None
    assert sim.found_rank == 3


def test_each_phrase_reads_back_as_its_fact(view):
    """The rule planner's NLU reads every phrase as the slot it states (no stray words)."""
    from agent.nlu import understand
    from agent.vocab import Vocabulary

    vocab = Vocabulary.from_items(view_items := _items_of(view))
    rng = random.Random(0)
    for item_id in list(view.titles)[:40]:
        target = view.target(item_id)
        for fact in target_facts(target, view):
            for _ in range(3):
                text = phrase(fact, view, rng)
                parse = understand(text, vocab)
                if fact.kind is FactKind.CATEGORY:
                    assert set(parse.include.get(fact.attribute, ())) == set(fact.values), text
                    assert parse.query == "", text
                elif fact.kind is FactKind.RANGE:
                    rng_ = parse.ranges[fact.attribute]
                    assert (rng_.low, rng_.high) == (fact.low, fact.high), text
                elif fact.kind is FactKind.AT_LEAST:
                    assert parse.ranges[fact.attribute].low == fact.low, text
                elif fact.kind is FactKind.TEXT:
                    # Each word is searched for, or read as a value the target has ("hilarious").
                    assert set(parse.query.split()) <= set(fact.values), text
                    assert parse.query or parse.include, text
                    for attr, values in parse.include.items():
                        assert set(values) <= set(target.categories[attr]), text
    assert len(view_items) == len(view.titles)
    excluded = understand(phrase(_exclude("genre", "comedy"), view, rng), vocab)
    assert excluded.exclude == {"genre": ("comedy",)}


def _exclude(attribute, value):
    from agent.evaluation.simulator import Fact

    return Fact(FactKind.EXCLUDE, attribute, (value,))


def _items_of(view):
    rows = []
    for item_id, title in view.titles.items():
        row = {"item_id": item_id, "title": title}
        for attr in view.categorical:
            row[attr] = "|".join(view.values(item_id, attr)) or None
        for attr in view.numeric:
            row[attr] = view.number(item_id, attr)
        rows.append(row)
    return pd.DataFrame(rows)


def test_a_reason_that_tells_what_was_asked_is_the_answer(movie_view):
    sim = UserSimulator(movie_view.target("5"), movie_view, seed=1)
    sim.opening()
    turn = sim.respond(
        "Here.\nAny preferred era — recent, the 1990s, or older classics?", ["4", "7"]
    )
    years = [f for f in turn.revealed if f.attribute == "year"]
    assert len(years) == 1 and turn.answered == "year"
    assert len(turn.revealed) == 2, "the second thing said is about something else"
