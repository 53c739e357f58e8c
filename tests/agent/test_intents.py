"""The intent classifier: behaviour on phrasings absent from its examples, and a
cross-validated accuracy floor on the shipped training sentences (grouped folds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import agent
from agent.evaluation.nlu_cv import cross_validate, group_folds, group_ids
from agent.parse import Intent

TRAIN = Path(agent.__file__).parent / "data" / "nlu_train.jsonl"


def _train_rows():
    return [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines() if line]


def _row(rid, text, intent="recommend"):
    return {"id": rid, "dataset": "movielens", "text": text, "intent": intent, "slots": {}}


def test_near_duplicates_and_batch_neighbours_share_a_group_and_a_fold():
    rows = [
        _row("mo-0001", "a comedy from the 90s"),
        _row("mo-0002", "something funny"),  # same batch of five as mo-0001
        _row("mo-0101", "A comedy from the 90s!"),  # another batch, near-equal text
        _row("mo-0202", "why the first one?", "why"),
        _row("mo-0303", "hello", "greeting"),
        _row("iv-0001", "compare the first two", "compare"),
    ]
    groups = group_ids(rows)
    assert groups[0] == groups[1] == groups[2]
    assert len({groups[0], groups[3], groups[4]}) == 3
    folds = group_folds(rows, 2, train_only=("iv-",))
    assert folds[0] == folds[1] == folds[2]
    assert folds[5] == -1  # trains every fold, never scored
    assert set(folds[:5]) == {0, 1}
    with pytest.raises(ValueError, match="k must be"):
        group_folds(rows, 1)


def test_the_training_folds_are_grouped_and_cover_the_common_intents():
    rows = _train_rows()
    folds = group_folds(rows, 5)
    groups = group_ids(rows)
    fold_of_group: dict[int, set[int]] = {}
    for g, f in zip(groups, folds, strict=True):
        fold_of_group.setdefault(g, set()).add(f)
    assert all(len(fs) == 1 for fs in fold_of_group.values())
    for fold in range(5):
        intents = {r["intent"] for r, f in zip(rows, folds, strict=True) if f == fold}
        assert {"recommend", "refine", "feedback", "off_topic"} <= intents


@pytest.mark.slow
def test_cross_validated_intent_accuracy_floor_on_one_fixed_fold(rule_agent):
    """Fold 0 of the grouped 5-fold split, read by a classifier fit on the other four folds
    (on the synthetic test world's catalog, so titles of MovieLens are unknown words here).
    Measured 2026-12-07: 0.915 (200 sentences); 0.890 (463) after the w5-w7 batches and
    0.874 (625) after w8/w9, whose slang and film-buff lines join every fold (on held-out v3
    neither batch lowered intent accuracy); the floor allows about six more errors."""
    rows = _train_rows()
    folds = group_folds(rows, 5)
    payload = cross_validate(rule_agent, rows, folds, only=[0])
    assert payload["n"] == sum(1 for f in folds if f == 0)
    assert payload["intent_accuracy"] >= 0.865, payload["confusions"][:8]
    for intent in ("recommend", "refine", "feedback"):
        assert payload["per_intent"][intent]["accuracy"] >= 0.75, intent


def _state(rule_agent, name):
    from agent.memory import SessionState

    shown = list(rule_agent.vocab.item_titles)[:5]
    return SessionState(session_id=name, last_shown=shown, focus=shown[0])


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("a very pleasant evening to ye all", Intent.GREETING),
        ("hello! a romance for tonight please", Intent.RECOMMEND),  # a greeting with a wish
        ("hey, got any documentaries?", Intent.RECOMMEND),
        ("the second or the fourth, which is the better pick?", Intent.COMPARE),
        ("what was your reason for putting the third one on the list", Intent.WHY),
        ("please order me a taxi to the airport", Intent.OFF_TOPIC),
        ("what's the tallest building in the world", Intent.OFF_TOPIC),
        ("forget all of that, let's begin anew", Intent.RESET),
    ],
)
def test_phrasings_absent_from_the_examples_get_their_intent(rule_agent, text, intent):
    known = {" ".join(r["text"].lower().split()) for r in _train_rows()}
    assert " ".join(text.lower().split()) not in known  # a new phrasing, not a memorised one
    got = rule_agent.planner.read(_state(rule_agent, "new-phrasing"), text).intent
    assert got is intent, (text, got)


def test_a_real_word_is_not_repaired_into_a_cue_word(rule_agent):
    from agent.nlu_typos import english_words, repair_typos

    assert "order" in english_words() and "loevd" not in english_words()
    assert repair_typos("order me a taxi", rule_agent.vocab) == "order me a taxi"
    assert repair_typos("I loevd it", rule_agent.vocab) == "I loved it"


def test_a_turn_that_places_catalog_wishes_is_never_redirected_as_off_topic(rule_agent):
    """A sentence naming the catalog's own values is about the catalog, however unlike the
    examples it reads (an errand around a wish)."""
    from dataclasses import replace

    from agent.parse import Range

    planner = rule_agent.planner
    errand = "please order me a taxi to the airport"
    bare = planner.read(_state(rule_agent, "errand"), errand, classify=False)
    assert planner.classifier.classify_parse(bare)[0] is Intent.OFF_TOPIC
    attr = next(iter(rule_agent.vocab.numeric)) if rule_agent.vocab.numeric else None
    wish = (
        replace(bare, ranges={attr: Range(low=None, high=1e9)})
        if attr
        else replace(bare, include={"genre": ("x",)})
    )
    assert planner.classifier.classify_parse(wish)[0] is not Intent.OFF_TOPIC


@pytest.mark.parametrize("text", ["the second one", "number 2?", "that second one"])
def test_pointing_at_a_shown_item_alone_tells_about_it(rule_agent, text):
    sid = rule_agent.new_session()
    first = rule_agent.chat(sid, "something popular")
    assert len(first.items) >= 2
    reply = rule_agent.chat(sid, text)
    assert [i.item_id for i in reply.items] == [first.items[1].item_id]
    assert reply.text.startswith(f"Why {first.items[1].title}")


@pytest.mark.parametrize("text", ["alright, thank you, bye bye", "that's it for today, thx"])
def test_a_closing_turn_gets_a_goodbye_not_another_list(rule_agent, text):
    known = {" ".join(r["text"].lower().split()) for r in _train_rows()}
    assert " ".join(text.lower().split()) not in known
    sid = rule_agent.new_session()
    assert rule_agent.chat(sid, "something popular").items
    reply = rule_agent.chat(sid, text)
    assert not reply.items and reply.text.startswith("You're welcome")
