"""The feedback log's exact scale (1-5, no booleans), its owner-only file mode, and removing a
user's records while other threads keep appending (no acknowledged record of theirs is lost)."""

from __future__ import annotations

import stat
import threading

import pytest

from tools.feedback import FeedbackError, FeedbackLog, check_value


def test_values_are_explicit_and_ratings_go_from_1_to_5():
    assert check_value("Like") == "like"
    assert check_value("4") == 4.0
    assert check_value(1) == 1.0 and check_value(5.0) == 5.0
    for bad in (True, False, 0, 5.5, -1, "nope", float("nan"), None):
        with pytest.raises(FeedbackError):
            check_value(bad)


def test_old_records_on_another_scale_stay_readable(tmp_path):
    path = tmp_path / "feedback.jsonl"
    path.write_text('{"item_id": "a", "value": 0}\n{"item_id": "b", "value": 10}\n')
    assert [r.value for r in FeedbackLog(path).read()] == [0.0, 10.0]


def test_remove_records_while_others_append(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    for n in range(50):
        log.append(item_id=f"i{n}", value="like", user_id="gone", session_id="s-gone")
    assert stat.S_IMODE((tmp_path / "feedback.jsonl").stat().st_mode) == 0o600
    acked: list[str] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        for n in range(150):
            record = log.append(item_id=f"w{w}-{n}", value=3, user_id=f"u{w}")
            with lock:
                acked.append(record.item_id)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    removed = []
    for _ in range(5):  # several rewrites during the burst
        removed += log.remove_records(lambda r: r.user_id == "gone")
    for thread in threads:
        thread.join()
    removed += log.remove_records(lambda r: r.user_id == "gone")
    records = log.read()
    assert len(removed) == 50 and all(r.user_id == "gone" for _, r in removed)
    assert not [r for r in records if r.user_id == "gone"]
    assert sorted(r.item_id for r in records) == sorted(acked)
    assert stat.S_IMODE((tmp_path / "feedback.jsonl").stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".feedback.jsonl.*"))  # no temporary file left
