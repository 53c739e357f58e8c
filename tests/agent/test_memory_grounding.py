"""Session memory persistence and the grounding checker."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from agent.grounding import GroundingChecker
from agent.memory import SessionIdError, SessionState, SessionStore, check_session_id
from agent.vocab import Vocabulary


def test_session_ids_are_validated():
    assert check_session_id("s-abc_1.2:x@y") == "s-abc_1.2:x@y"
    for bad in ["", "x" * 200, "../etc", "a b", "-lead", None, 5]:
        with pytest.raises(SessionIdError):
            check_session_id(bad)


def test_store_round_trip_and_isolation(tmp_path):
    path = tmp_path / "sessions.sqlite"
    store = SessionStore(path)
    a = store.get("alice")
    a.set_feedback("7", "like")
    a.constraints.include["genres"] = ["Comedy"]
    a.remember_shown(["1", "2"])
    store.save(a)
    store.save(store.get("bob"))
    store.close()
    again = SessionStore(path)  # a new process would do the same
    loaded = again.get("alice")
    assert loaded.liked == ["7"]
    assert loaded.constraints.include == {"genres": ["Comedy"]}
    assert loaded.last_shown == ["1", "2"]
    assert again.get("bob").liked == []
    assert set(again.session_ids()) == {"alice", "bob"}
    again.delete("alice")
    assert again.load("alice") is None


def test_feedback_moves_between_buckets():
    state = SessionState(session_id="s1")
    state.set_feedback("1", "like")
    state.set_feedback("1", "dislike")
    assert state.liked == [] and state.disliked == ["1"]
    state.set_feedback("2", "seen")
    assert state.excluded_items() == ["1", "2"]


def test_history_is_bounded_and_summarised():
    state = SessionState(session_id="s1")
    for n in range(40):
        state.add_turn("user", f"message {n}", [])
        state.add_turn("assistant", f"answer {n}", [])
    assert len(state.history) <= 24
    assert state.turns == 40
    assert "message 0" in state.summary


def test_concurrent_saves_are_safe(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")

    def work(n: int) -> None:
        for k in range(20):
            with store.session_lock(f"s{n}"):
                state = store.get(f"s{n}")
                state.add_turn("user", f"t{k}", [])
                store.save(state)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(store.get(f"s{n}").turns for n in range(8)) == [20] * 8


@pytest.fixture(scope="module")
def checker() -> GroundingChecker:
    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3", "4"],
            "title": [
                "Toy Story (1995)",
                "Heat (1995)",
                "The Matrix (1999)",
                "20,000 Leagues Under the Sea (1954)",
            ],
            "genres": ["Animation|Comedy", "Action|Crime", "Action|Sci-Fi", "Adventure"],
        }
    )
    return GroundingChecker(Vocabulary.from_items(items))


SOURCES = [
    '{"items": [{"item_id": "1", "title": "Toy Story (1995)", "score": 4.2137, '
    '"facts": {"genres": "Animation|Comedy", "year": 1995}}]}',
    '{"estimate": 0.1234, "ci_low": 0.05, "ci_high": 0.2}',
]


def test_grounded_reply_passes(checker):
    text = (
        "Here are 3 movies for you:\n1. Toy Story (1995) — predicted score 4.21, a comedy.\n"
        "Promotion raises clicks by 12.3% (95% CI 0.05 to 0.2)."
    )
    report = checker.check(text, SOURCES)
    assert report.ok, report
    assert report.numbers_checked >= 4 and report.titles_checked == 1


def test_invented_numbers_and_titles_are_caught(checker):
    text = "Try The Matrix: it scores 4.9 and people rate it 35% higher. Also **Inception**."
    report = checker.check(text, SOURCES)
    assert not report.ok
    assert set(report.unsupported_numbers) == {"4.9", "35%"}
    assert "The Matrix" in report.unsupported_titles and "Inception" in report.unsupported_titles
    assert "4.9" in report.hint()


def test_rounding_must_respect_precision(checker):
    assert checker.check("score 4.2", SOURCES).ok
    assert not checker.check("score 4.3", SOURCES).ok
    assert not checker.check("You could try Heat tonight.", SOURCES).ok  # no tool returned it
    assert checker.check("Heat is what I feel.", SOURCES).ok  # sentence-initial word, not a title


def test_questions_assert_no_numbers(checker):
    assert checker.check("What's your budget — under $12.79, or more?", SOURCES).ok
    assert not checker.check("It costs $12.79. Want more?", SOURCES).ok


def test_titles_with_punctuation_and_numbers(checker):
    sources = ['{"items": [{"title": "20,000 Leagues Under the Sea (1954)"}]}']
    report = checker.check("2. 20,000 Leagues Under the Sea (1954) is a classic.", sources)
    assert report.ok and report.titles_checked == 1
