"""The learned verdict reader (`agent.nlu_verdict`): the words about each named item, a small
model that learns verdicts from labelled clauses, and how its verdict meets the rules and the
intent. Sentences are fresh (none copied from a dev or training line); the fast tests use a
hashed bag-of-words embedder so the model's learning is visible without the MiniLM model."""

from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np
import pytest

from agent.intents import fit_to_intent
from agent.nlu import understand
from agent.nlu_feedback import feedback_kind
from agent.nlu_verdict import (
    LABELS,
    VerdictReader,
    Verdicts,
    asks_for_items,
    clauses,
    combine,
    mentions,
)
from agent.parse import FeedbackKind, Intent, Parse

SHOWN = ["1", "2", "3", "4", "5"]


def hashed(texts: list[str]) -> np.ndarray:
    """A bag-of-words vector per text (stable hashes), unit length."""
    out = np.zeros((len(texts), 128), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().replace(",", " ").replace(".", " ").split():
            out[row, zlib.crc32(word.encode()) % 128] += 1.0
        out[row] /= max(float(np.linalg.norm(out[row])), 1e-9)
    return out


def _row(text: str, feedback: list[list[str]] | None = None, **slots) -> dict:
    merged = dict(slots)
    if feedback:
        merged["feedback"] = feedback
    return {"text": text, "context": {"shown": SHOWN, "focus": "1"}, "slots": merged}


# fresh training lines: verdicts in words the rules do not list, and items named as taste
ROWS = [
    _row("Heat was a joy from start to end", [["5", "like"]]),
    _row("GoldenEye, a real joy", [["2", "like"]]),
    _row("the third one is a gem of a treat", [["3", "like"]]),
    _row("Toy Story? pure joy and a treat", [["1", "like"]]),
    _row("Heat was a chore, a real slog", [["5", "dislike"]]),
    _row("GoldenEye felt like a chore", [["2", "dislike"]]),
    _row("the fourth one was a snooze and a chore", [["4", "dislike"]]),
    _row("Toy Story is a slog", [["1", "dislike"]]),
    _row("Heat we caught at the cinema twice", [["5", "seen"]]),
    _row("GoldenEye, caught it on tv twice", [["2", "seen"]]),
    _row("the second one, caught that at a festival", [["2", "seen"]]),
    _row("Star Wars we caught years back", [["4", "seen"]]),
    _row("something like Heat but older", taste=["5"]),
    _row("more in the vein of GoldenEye please", taste=["2"]),
    _row("why is the third one on the list", refs=["3"]),
    _row("what year is Star Wars from", refs=["4"]),
    _row("a comedy like Toy Story but newer", taste=["1"]),
    _row("is the fifth one long", refs=["5"]),
]


def read(vocab):
    return lambda text, shown=SHOWN, focus="1": understand(text, vocab, shown, focus=focus)


def reader(vocab, rows=ROWS, **kwargs) -> VerdictReader:
    return VerdictReader(hashed, read(vocab), lambda: rows, add_sure=0.4, **kwargs)


# -- the words about each item -------------------------------------------------------------


def test_two_items_in_one_line_each_keep_their_own_words(five_film_vocab):
    parse = read(five_film_vocab)("Toy Story was a joy, GoldenEye a chore.")
    found = clauses(parse.text, mentions(parse, "1"))
    assert [(m.item, c) for m, c in found] == [
        ("1", "this one was a joy"),
        ("2", "this one a chore."),
    ]


def test_items_joined_by_and_share_the_verdict_after_them(five_film_vocab):
    parse = read(five_film_vocab)("Heat and GoldenEye, both caught on a plane.")
    found = clauses(parse.text, mentions(parse, "1"))
    assert [m.item for m, _ in found] == ["5", "2"]
    assert found[0][1] == found[1][1] == "this one and this one, both caught on a plane."


def test_a_later_sentence_is_not_the_first_items_words(five_film_vocab):
    parse = read(five_film_vocab)("Heat is long. Anyway what about Sundays?")
    [(mention, words)] = clauses(parse.text, mentions(parse, "1"))
    assert mention.item == "5" and words == "this one is long."


def test_an_item_alone_in_its_sentence_takes_the_next_one(five_film_vocab):
    parse = read(five_film_vocab)("Heat?? caught it twice. Anyway, fine.")
    [(mention, words)] = clauses(parse.text, mentions(parse, "1"))
    assert mention.item == "5" and words == "this one?? caught it twice."


def test_a_question_about_an_item_gets_no_learned_verdict(five_film_vocab):
    parse = read(five_film_vocab)("so was Heat a real joy?")
    verdicts = reader(five_film_vocab).revise(parse, SHOWN, "1")
    assert verdicts is None or verdicts.parse.feedback == ()


def test_a_pronoun_names_the_item_in_focus_only_when_nothing_else_is_named(five_film_vocab):
    parse = read(five_film_vocab)("honestly I found it a chore", focus="3")
    assert [m.item for m in mentions(parse, "3")] == ["3"]
    named = read(five_film_vocab)("GoldenEye, I found it a joy", focus="3")
    assert [m.item for m in mentions(named, "3")] == ["2"]


def test_a_verdict_on_a_genre_names_no_item(five_film_vocab):
    parse = read(five_film_vocab)("westerns are a chore, honestly", focus=None)
    assert mentions(parse, None) == []
    assert reader(five_film_vocab).revise(parse, SHOWN, None) is None


# -- rules and model together ---------------------------------------------------------------


def _probs(**kw: float) -> list[float]:
    return [kw.get(label, 0.0) for label in LABELS]


def test_the_rules_keep_their_verdict_unless_the_model_is_sure_of_another():
    like = FeedbackKind.LIKE
    assert combine(like, _probs(dislike=0.55, like=0.45)) is like
    # a like or dislike read from a cue word is never flipped: "hmm, no, my fave is X"
    assert combine(like, _probs(dislike=0.97, like=0.03)) is like
    assert combine(FeedbackKind.DISLIKE, _probs(like=0.97)) is FeedbackKind.DISLIKE
    assert combine(FeedbackKind.SEEN, _probs(dislike=0.7, seen=0.3)) is FeedbackKind.DISLIKE
    assert combine(like, _probs(none=0.99, like=0.01)) is like  # "none" deletes nothing
    assert combine(None, _probs(seen=0.6, none=0.4)) is FeedbackKind.SEEN
    assert combine(None, _probs(seen=0.45, none=0.55)) is None
    assert combine(None, _probs(seen=0.4, like=0.3, none=0.3)) is None  # not sure enough
    # a verdict beside a viewing is the verdict: "seen" never replaces a like or dislike
    assert combine(like, _probs(seen=0.95, like=0.05)) is like
    assert combine(FeedbackKind.SEEN, _probs(like=0.8, seen=0.2)) is like


def test_the_model_learns_a_verdict_word_no_rule_lists(five_film_vocab):
    text = "Star Wars, what a joy"
    assert feedback_kind(text) is None  # the rules alone find nothing
    parse = read(five_film_vocab)(text)
    verdicts = reader(five_film_vocab).revise(parse, SHOWN, "1")
    assert verdicts is not None and verdicts.learned
    assert verdicts.parse.feedback == (("4", FeedbackKind.LIKE),)
    assert verdicts.intent(Intent.RECOMMEND) is Intent.FEEDBACK
    slog = reader(five_film_vocab).revise(read(five_film_vocab)("Heat, such a slog"), SHOWN, "1")
    assert slog is not None and slog.parse.feedback == (("5", FeedbackKind.DISLIKE),)


def test_a_taste_reference_with_a_request_stays_taste(five_film_vocab):
    parse = read(five_film_vocab)("Heat was a joy, show me more like it")
    assert asks_for_items(parse.text)
    verdicts = reader(five_film_vocab).revise(parse, SHOWN, "1")
    assert verdicts is None or not any(k is FeedbackKind.LIKE for _, k in verdicts.parse.feedback)
    if verdicts is not None:
        assert verdicts.intent(Intent.RECOMMEND) is Intent.RECOMMEND


def test_a_learned_verdict_leaves_a_request_turn_as_it_was():
    parse = Parse(
        text="GoldenEye a joy; now find me a western",
        intents=(),
        feedback=(("2", FeedbackKind.LIKE),),
    )
    verdicts = Verdicts(parse, ())
    assert verdicts.intent(Intent.RECOMMEND) is Intent.RECOMMEND  # it asks for items
    settled = verdicts.settled(replace(parse, intents=(Intent.RECOMMEND,)))
    assert settled.feedback == ()  # a learned verdict stays only in a feedback turn
    kept = verdicts.settled(replace(parse, intents=(Intent.FEEDBACK,)))
    assert kept.feedback == (("2", FeedbackKind.LIKE),)


def test_the_rules_verdict_is_never_dropped_by_the_model(five_film_vocab):
    parse = read(five_film_vocab)("I loved Heat")
    assert parse.feedback == (("5", FeedbackKind.LIKE),)
    verdicts = reader(five_film_vocab).revise(parse, SHOWN, "1")
    assert verdicts is not None and ("5", FeedbackKind.LIKE) in verdicts.parse.feedback


def test_no_verdict_examples_leave_the_reader_off(five_film_vocab):
    rows = [r for r in ROWS if not r["slots"].get("feedback")]
    parse = read(five_film_vocab)("Heat, what a joy")
    assert reader(five_film_vocab, rows=rows).revise(parse, SHOWN, "1") is None


def test_fitted_weights_are_read_back_without_parsing_again(five_film_vocab, tmp_path, monkeypatch):
    monkeypatch.setenv("WHYREC_CACHE_DIR", str(tmp_path))
    calls: list[str] = []

    def counting(text, shown, focus):
        calls.append(text)
        return understand(text, five_film_vocab, shown, focus=focus)

    parse = read(five_film_vocab)("GoldenEye, a joy and a treat")
    first = VerdictReader(hashed, counting, lambda: ROWS, disk_key=lambda: "five")
    expected = first.revise(parse, SHOWN, "1")
    assert calls and list(tmp_path.glob("verdict-model-*.npz"))
    calls.clear()
    second = VerdictReader(hashed, counting, lambda: ROWS, disk_key=lambda: "five")
    assert second.revise(parse, SHOWN, "1") == expected
    assert calls == []  # the weights came from disk: no example was parsed


# -- a feedback turn keeps its wishes ------------------------------------------------------


def test_a_feedback_turn_keeps_the_wishes_it_states(five_film_vocab):
    # In a dialogue "fewer action films - I loved Heat" states a verdict AND a wish; a session
    # that dropped the wish would show what the user just ruled out (the outside simulated
    # user's development bank lost dialogues that way), so a feedback turn keeps its slots.
    parse = read(five_film_vocab)("no more action films - I loved Heat")
    judged = (("5", FeedbackKind.LIKE),)
    settled = fit_to_intent(replace(parse, intents=(Intent.FEEDBACK,), feedback=judged))
    assert settled.exclude == parse.exclude and settled.exclude
    assert settled.feedback == judged


# -- the shipped model on fresh sentences ---------------------------------------------------


@pytest.fixture(scope="module")
def shipped(five_film_vocab):
    """The reader fit on the shipped MovieLens examples with the real MiniLM embedder."""
    from agent.intents import training_examples
    from tools.catalog.embedding import get_embedder

    embedder = get_embedder()
    return VerdictReader(
        embedder.encode,
        lambda text, shown, focus: understand(text, five_film_vocab, shown, focus=focus),
        lambda: training_examples("movielens"),
    )


FRESH = [  # verdicts in words the rule lists do not hold; written for this test
    ("the third one had me nodding off halfway through", ("3", FeedbackKind.DISLIKE)),
    ("Star Wars is a towering piece of cinema", ("4", FeedbackKind.LIKE)),
    ("GoldenEye? caught it on telly three times", ("2", FeedbackKind.SEEN)),
    ("Heat, an absolute triumph of a picture", ("5", FeedbackKind.LIKE)),
    ("Toy Story grated on me, far too saccharine", ("1", FeedbackKind.DISLIKE)),
    ("the fifth one we rented last winter", ("5", FeedbackKind.SEEN)),
    ("GoldenEye was pure rubbishy noise to me", ("2", FeedbackKind.DISLIKE)),
    ("the second one: stunning, I'd watch it every week", ("2", FeedbackKind.LIKE)),
]


@pytest.mark.slow
def test_the_shipped_model_reads_most_verdicts_in_new_words(shipped, five_film_vocab):
    wrong = []
    for text, expected in FRESH:
        verdicts = shipped.revise(read(five_film_vocab)(text), SHOWN, "1")
        if verdicts is None or expected not in verdicts.parse.feedback:
            wrong.append((text, verdicts.parse.feedback if verdicts else None))
    # Read against five films, the model learns only from the examples that name these
    # films, a place in the list or "it" (a few hundred clauses, not the ~1600 a full
    # MovieLens catalog gives): 5 of these 8 came through when this test was written (the
    # rules alone: 1). Fewer than 5 is a regression.
    assert len(wrong) <= 3, wrong


@pytest.mark.slow
def test_the_shipped_model_keeps_a_taste_request_and_a_genre_verdict_free(shipped, five_film_vocab):
    taste = read(five_film_vocab)("I liked Heat, got anything similar?")
    verdicts = shipped.revise(taste, SHOWN, "1")
    assert verdicts is None or verdicts.parse.feedback == ()
    genre = read(five_film_vocab)("westerns bore me to tears", focus=None)
    assert shipped.revise(genre, SHOWN, None) is None


def test_it_beside_a_wish_is_the_film_sought_not_the_focus(five_film_vocab):
    # "meh, I think it was a comedy": the user describes the film they are after
    parse = read(five_film_vocab)("meh, I think it was a comedy")
    assert parse.include
    assert reader(five_film_vocab).revise(parse, SHOWN, "1") is None
