"""Misreads that cost whole dialogues on the outside user's development bank (seventh
session, lead): "can it be <value>?" read as a how-to question with no wish, a leading
"meh," turning praise of a named film into a dislike, "not it <value>" negating the value
instead of the pick, and a learned reset wiping a turn that states a wish. The sentences are
fresh; each rule has cases where it must not fire."""

from __future__ import annotations

import numpy as np
import pytest
from film_catalogs import film_vocab

from agent.intents import IntentClassifier
from agent.nlu import understand
from agent.nlu_feedback import feedback_kind
from agent.parse import FeedbackKind, Intent
from agent.vocab import Vocabulary

FILMS = [
    ("1", "Heat (1995)", 1995, "Action|Crime|Thriller"),
    ("2", "GoldenEye (1995)", 1995, "Action|Adventure|Thriller"),
    ("3", "Scream (1996)", 1996, "Horror|Thriller"),
    ("4", "Clueless (1995)", 1995, "Comedy|Romance"),
    ("5", "Fargo (1996)", 1996, "Crime|Drama|Thriller"),
]
SHOWN = ["1", "2", "3", "4", "5"]


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(FILMS)


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("Can it be horror?", "Horror"),
        ("could it be a comedy?", "Comedy"),
        ("can one be a crime film?", "Crime"),
    ],
)
def test_a_copula_question_about_the_item_sought_is_a_wish(
    films: Vocabulary, text: str, genre: str
) -> None:
    parse = understand(text, films, SHOWN)
    assert genre in parse.include.get("genres", ())


@pytest.mark.parametrize("text", ["can I wash a comedy dvd?", "should I iron a horror costume?"])
def test_a_use_question_still_states_no_wish(films: Vocabulary, text: str) -> None:
    assert not understand(text, films, SHOWN).include


@pytest.mark.parametrize(
    ("clause", "kind"),
    [
        ("meh, Heat is brilliant, anything like that?", FeedbackKind.LIKE),
        ("nah - I loved Fargo though", FeedbackKind.LIKE),
        ("meh, Fargo was boring", FeedbackKind.DISLIKE),  # the opener and the verdict agree
        ("meh, it was ok", FeedbackKind.DISLIKE),  # nothing after the opener: the opener's
        ("no, I hated it", FeedbackKind.DISLIKE),
    ],
)
def test_a_rejecting_opener_yields_to_the_verdict_that_follows(
    clause: str, kind: FeedbackKind
) -> None:
    assert feedback_kind(clause) is kind


def test_not_it_turns_down_the_pick_not_the_value_after_it(films: Vocabulary) -> None:
    parse = understand("not it comedy movie pls", films, SHOWN, focus="1")
    assert "Comedy" not in parse.exclude.get("genres", ())
    assert "Comedy" in parse.include.get("genres", ())


@pytest.mark.parametrize(
    "text", ["not a comedy movie", "do not make it a comedy", "i do not want it comedy"]
)
def test_a_negated_value_stays_excluded(films: Vocabulary, text: str) -> None:
    assert "Comedy" in understand(text, films, SHOWN, focus="1").exclude.get("genres", ())


def _toy_embed(texts: list[str]) -> np.ndarray:
    """Two made-up meaning axes: words of going on or over, and words of films."""
    rows = []
    for text in texts:
        t = text.lower()
        rows.append(
            [
                float("keep" in t or "over" in t or "again" in t),
                float("film" in t or "comedy" in t),
                1.0,
            ]
        )
    return np.asarray(rows)


@pytest.fixture(scope="module")
def toy_classifier(films: Vocabulary) -> IntentClassifier:
    resets = [
        "keep going",
        "keep it going",
        "start over",
        "over again",
        "again from zero",
        "keep on",
    ]
    asks = [
        "a comedy film",
        "any film",
        "comedy please",
        "a film tonight",
        "film ideas",
        "some comedy",
    ]
    examples = [{"text": t, "intent": "reset"} for t in resets] + [
        {"text": t, "intent": "recommend"} for t in asks
    ]
    return IntentClassifier(
        _toy_embed, reader=lambda t: understand(t, films, SHOWN), examples=examples
    )


def test_a_learned_reset_never_wipes_a_turn_that_states_a_wish(
    toy_classifier: IntentClassifier, films
) -> None:
    intent, _ = toy_classifier.classify_parse(
        understand("nope, keep going... under the radar", films, SHOWN)
    )
    assert intent is not Intent.RESET


def test_a_reset_without_a_wish_or_with_its_cue_stays_a_reset(
    toy_classifier: IntentClassifier, films
) -> None:
    assert (
        toy_classifier.classify_parse(understand("keep going again", films, SHOWN))[0]
        is Intent.RESET
    )
    said = understand("start over, something under the radar", films, SHOWN)
    assert toy_classifier.classify_parse(said)[0] is Intent.RESET
