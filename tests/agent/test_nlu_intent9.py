"""Intent frames of session 8 (helper "intent9"): the grammar of starting afresh (a start verb
with a new-start adverb, a return to the origin, a clearing verb over everything or over the
user's wishes), a new lot of picks (more of the list, not a reset), a question how exposure
acts on ratings (causal, not a what-if), no what-if without an imagined change, no comparison
without a weighing word, a why embedded in a statement or typed as texting, "weigh up X
against Y", an order for a language or arithmetic task (off topic), text-speak function
words counted as English, and a sure off-topic call that stands with a list on screen. Every
sentence is written fresh for these rules (none copied from a data file); each rule has cases
where it must not fire."""

from __future__ import annotations

import numpy as np
import pytest
from film_catalogs import SIX_FILMS, film_vocab

from agent.intents import IntentClassifier
from agent.nlu import looks_english, understand
from agent.nlu_cues import INTENT_PATTERNS, MORE
from agent.nlu_intent_shape import (
    COMPARE_AGAINST,
    asks_off_the_list,
    exposure_question,
    imagines_a_change,
    other_task,
    settle_rule_intents,
    weighs_items,
)
from agent.parse import Intent
from agent.vocab import Vocabulary

RESET = dict(INTENT_PATTERNS)[Intent.RESET]
WHY = dict(INTENT_PATTERNS)[Intent.WHY]
SHOWN = ["1", "2", "3", "4", "5"]


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(SIX_FILMS)


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("could we begin the whole thing anew", True),
        ("right, restart the hunt from nothing", True),
        ("ok, return to square one please", True),
        ("go back to the very beginning", True),
        ("bin all of that, I've changed my mind completely", True),
        ("disregard all my previous wishes", True),
        ("cancel every filter", True),
        ("ignore my old preferences", True),
        ("forget my musical preferences", True),  # the user's own: all of them
        ("a clean start would be good", True),
        ("let's see a fresh set", False),  # more picks, not a new session
        ("drop the western filter", False),  # one value: a narrower change
        ("lose the romance ones", False),
        ("go back to the start of the list", False),
        ("start with something funny", False),
        ("a western that begins slowly", False),
    ],
)
def test_starting_afresh_cue(text, fires):
    assert (RESET.search(text) is not None) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("a new batch please", True),
        ("give us a fresh selection", True),
        ("another round?", False),  # "another one/set/batch" only, as before
        ("a new set of strings for my guitar", False),
        ("a fresh take on the western", False),
    ],
)
def test_a_new_lot_of_picks_is_more(text, fires):
    assert (MORE.search(text) is not None) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("if far more people had watched Glory, would its rating fall?", True),
        ("would Harvey score as well if nobody had heard of it", True),
        ("if half as many people had seen Candyman would the stars go up", True),
        ("would films be rated lower if they were seen by everyone?", True),
        ("if nobody had seen Glory, would you still recommend it to me?", False),  # my picks
        ("if fewer people had watched it, would it drop off my list?", False),
        ("would it drop out if more people had seen it?", False),  # no rating outcome
        ("if Harvey were a western, would people rate it higher?", False),  # no exposure
        ("if everyone had seen it, would it still be good for a date?", False),
    ],
)
def test_exposure_on_ratings_question(text, fires):
    assert exposure_question(text.lower()) is fires


def test_an_exposure_question_is_causal_in_the_rules():
    found = settle_rule_intents(
        [Intent.WHAT_IF], "if everybody had watched Gaslight, would its ratings change?"
    )
    assert found[0] is Intent.CAUSAL and Intent.WHAT_IF not in found
    mine = settle_rule_intents([Intent.WHAT_IF], "if nobody had seen Gaslight, would I get it?")
    assert mine[0] is Intent.WHAT_IF


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("suppose Harvey came out in 1990", True),
        ("what would happen to Glory if it were a comedy", True),
        ("had I liked Jumanji, would the list change", True),
        ("picture me as a retiree", True),
        ("wat makes u think i'd like that", False),
        ("how did you land on Glory for me", False),
        ("is Candyman any good", False),
    ],
)
def test_an_imagined_change(text, fires):
    assert imagines_a_change(text.lower()) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Harvey or Glory tonight?", True),
        ("is Gaslight creepier", True),
        ("rank the first three for me", True),
        ("weigh up Harvey against Glory", True),
        ("set Candyman side by side with Gaslight", True),
        ("I'd pick films like the top two", False),
        ("same kind of thing as the second one", False),
        ("love the first two", False),
    ],
)
def test_a_word_that_weighs(text, fires):
    assert weighs_items(text.lower()) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("could you weigh up Harvey against Glory", True),
        ("pit Candyman against Gaslight for me", True),
        ("this weighs heavily on me, a comedy please", False),
        ("a film about a boxer against the odds", False),
    ],
)
def test_weigh_and_pit_frames(text, fires):
    assert (COMPARE_AGAINST.search(text.lower()) is not None) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("I can't see why Jumanji made the cut", True),
        ("not sure why Glory is on there", True),
        ("just curious how come Harvey is first", True),
        ("y is Candyman there", True),
        ("y u picking musicals", True),
        ("wot makes Gaslight right for me", True),
        ("yes, more like Harvey", False),
        ("I don't see anything I like", False),
        ("I know why I liked Glory, the battles", False),
    ],
)
def test_embedded_or_texted_why(text, fires):
    assert (WHY.search(text) is not None) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("translate good night into Welsh", True),
        ("please convert 30 euros to dollars", True),
        ("can you define melodrama", True),
        ("summarise what I like", False),  # a question about the profile
        ("find me a musical", False),
        ("translate westerns into something funnier", False),  # a catalog value: a wish
    ],
)
def test_language_or_arithmetic_task(films, text, fires):
    assert other_task(understand(text, films, SHOWN)) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("something else in the vein of Harvey, but funnier", True),
        ("ditch the musical ones and show me war films", True),
        ("get rid of those and try horror", True),
        ("different ones, but still from the 50s", True),
        ("loved Harvey, what should I watch next?", False),  # "next" is time here
        ("a musical from 1955", False),
        ("unrelated to these, something else entirely: a war film", False),  # list left
    ],
)
def test_asks_off_the_list(films, text, fires):
    assert asks_off_the_list(understand(text, films, SHOWN)) is fires


def test_text_speak_function_words_count_as_english():
    assert looks_english("lets go again")
    assert looks_english("y u like that lol")
    assert not looks_english("vamos a empezar otra vez")


class _Fixed:
    """A stand-in model whose probabilities are set by the test."""

    def __init__(self, probs):
        self.probs = np.asarray([probs], dtype=float)

    def predict_proba(self, x):
        return self.probs


def _classifier(films, probs: dict[Intent, float]) -> IntentClassifier:
    labels = list(Intent)
    row = [probs.get(i, 0.0) for i in labels]
    clf = IntentClassifier(lambda texts: np.zeros((len(texts), 4), dtype=np.float32))
    clf._model = (_Fixed(row), _Fixed(row))
    clf._labels = labels
    return clf


@pytest.mark.parametrize(
    ("text", "probs", "want"),
    [
        # exposure on ratings: causal, even when the model leans what-if
        (
            "if everyone had seen Harvey, would its rating slip?",
            {Intent.WHAT_IF: 0.9, Intent.CAUSAL: 0.1},
            Intent.CAUSAL,
        ),
        # nothing imagined: no what-if
        ("wat makes u think id like it", {Intent.WHAT_IF: 0.6, Intent.WHY: 0.4}, Intent.WHY),
        # an imagined change keeps the what-if
        (
            "if Harvey were a western would people rate it higher",
            {Intent.WHAT_IF: 0.6, Intent.CAUSAL: 0.4},
            Intent.WHAT_IF,
        ),
        # no weighing word: no comparison
        (
            "I'd go for films like the top two",
            {Intent.COMPARE: 0.5, Intent.REFINE: 0.3},
            Intent.REFINE,
        ),
        ("Harvey or Glory?", {Intent.COMPARE: 0.5, Intent.REFINE: 0.3}, Intent.COMPARE),
        # more of the list
        (
            "something else like Gaslight but in colour",
            {Intent.RECOMMEND: 0.8, Intent.REFINE: 0.2},
            Intent.REFINE,
        ),
        ("a musical from 1955", {Intent.RECOMMEND: 0.8, Intent.REFINE: 0.2}, Intent.RECOMMEND),
        # a new lot of picks is no reset; a cue makes one
        ("show us a fresh batch", {Intent.RESET: 0.6, Intent.REFINE: 0.4}, Intent.REFINE),
        ("back to square one", {Intent.RESET: 0.6, Intent.REFINE: 0.4}, Intent.RESET),
        # a language task is off topic whatever the model says
        ("translate hello into Basque", {Intent.GREETING: 0.7}, Intent.OFF_TOPIC),
    ],
)
def test_classifier_frames(films, text, probs, want):
    clf = _classifier(films, probs)
    intent, _ = clf.classify_parse(understand(text, films, SHOWN))
    assert intent is want
