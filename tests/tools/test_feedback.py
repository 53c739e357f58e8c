"""The workspace feedback log: validation, concurrency, torn lines, merging into the log."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from causal.datasets.schema import Dataset
from tools.feedback import FeedbackError, FeedbackLog, merge_feedback, merge_new_feedback

ROOT = Path(__file__).resolve().parents[2]


def test_append_and_read_round_trip(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    a = log.append(item_id="i1", value="LIKE", user_id="u1", session_id="s1")
    b = log.append(item_id="i2", value=4, user_id=None, session_id="s2", timestamp=12.5)
    assert a.value == "like" and b.value == 4.0 and b.timestamp == 12.5
    assert log.read() == [a, b]
    assert len(log) == 2


@pytest.mark.parametrize("value", ["meh", float("nan"), None, [1]])
def test_bad_values_are_rejected(tmp_path, value):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    with pytest.raises(FeedbackError):
        log.append(item_id="i1", value=value)
    with pytest.raises(FeedbackError):
        log.append(item_id="  ", value="like")
    assert log.read() == []


def test_torn_last_line_is_skipped_and_the_log_stays_usable(tmp_path):
    path = tmp_path / "feedback.jsonl"
    log = FeedbackLog(path)
    log.append(item_id="i1", value="like", user_id="u")
    with open(path, "a", encoding="utf-8") as handle:  # a crash in the middle of a write
        handle.write('{"item_id": "i2", "val')
    log.append(item_id="i3", value="dislike", user_id="u")
    assert [r.item_id for r in log.read()] == ["i1", "i3"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[-1])["item_id"] == "i3"


def test_concurrent_writers_never_interleave(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")

    def write(k: int) -> None:
        for j in range(25):
            log.append(item_id=f"i{k}-{j}", value="like", user_id=f"u{k}")

    threads = [threading.Thread(target=write, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = log.read()
    assert len(records) == 200
    assert len({r.item_id for r in records}) == 200


WRITER = """
import sys
from tools.feedback import FeedbackLog
log = FeedbackLog(sys.argv[1])
for j in range(20):
    log.append(item_id=f"p{sys.argv[2]}-{j}", value=j % 5 + 1, user_id="u")
"""


def test_concurrent_processes_never_interleave(tmp_path):
    path = str(tmp_path / "feedback.jsonl")
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, path, str(k)], cwd=ROOT) for k in range(3)
    ]
    assert all(p.wait(120) == 0 for p in procs)
    records = FeedbackLog(path).read()
    assert len(records) == 60 and len({r.item_id for r in records}) == 60


def _dataset(interactions: pd.DataFrame) -> Dataset:
    items = pd.DataFrame({"item_id": ["a", "b", "c"], "title": ["A", "B", "C"]})
    users = pd.DataFrame({"user_id": ["u1", "u2"], "age": [30.0, 40.0]})
    return Dataset("tiny", items, users, interactions)


def _records(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.append(item_id="a", value="like", user_id="u1", timestamp=100)
    log.append(item_id="b", value="dislike", user_id="new", timestamp=101)
    log.append(item_id="c", value=2, session_id="s9", timestamp=102)
    log.append(item_id="zzz", value="like", user_id="u1")  # unknown item: skipped
    log.append(item_id="a", value="seen", user_id="u2")  # no signal: skipped
    log.append(item_id="a", value="like")  # no user, no session: skipped
    return log.read()


def test_merge_into_a_ratings_log(tmp_path):
    inter = pd.DataFrame(
        {
            "user_id": ["u1", "u2"],
            "item_id": ["b", "c"],
            "timestamp": [1, 2],
            "rating": [1.0, 5.0],
        }
    )
    merged, summary = merge_feedback(_dataset(inter), _records(tmp_path))
    added = merged.interactions.iloc[2:]
    assert added["rating"].tolist() == [5.0, 1.0, 2.0]
    assert added["user_id"].tolist() == ["u1", "new", "session:s9"]
    assert added["timestamp"].tolist() == [100, 101, 102]
    assert summary == {
        "appended": 3,
        "new_users": 2,
        "unknown_item": 1,
        "no_user": 1,
        "no_signal": 1,
    }
    assert {"new", "session:s9"} <= set(merged.users["user_id"])
    assert np.isnan(merged.users.set_index("user_id").loc["new", "age"])


def test_merge_into_click_and_implicit_logs(tmp_path):
    records = _records(tmp_path)
    clicks = pd.DataFrame({"user_id": ["u1"], "item_id": ["b"], "clicked": [0], "exposed": [1]})
    merged, _ = merge_feedback(_dataset(clicks), records)
    assert merged.interactions["clicked"].tolist() == [0, 1, 0, 0]
    assert merged.interactions["exposed"].tolist() == [1, 1, 1, 1]
    implicit = pd.DataFrame({"user_id": ["u1"], "item_id": ["b"]})
    merged, summary = merge_feedback(_dataset(implicit), records)
    assert merged.interactions["item_id"].tolist() == ["b", "a"]  # only the like survives
    assert summary["no_signal"] == 3


def test_watermark_merges_each_record_once(tmp_path):
    inter = pd.DataFrame({"user_id": ["u1"], "item_id": ["b"], "rating": [3.0]})
    dataset = _dataset(inter)
    _records(tmp_path)
    once, state = merge_new_feedback(dataset, tmp_path, {})
    assert state["merged"] == 6 and state["appended"] == 3
    again, state2 = merge_new_feedback(once, tmp_path, {"feedback": state})
    assert state2["new_records"] == 0 and len(again.interactions) == len(once.interactions)
    FeedbackLog(tmp_path / "feedback.jsonl").append(item_id="c", value=5, user_id="u2")
    third, state3 = merge_new_feedback(again, tmp_path, {"feedback": state2})
    assert state3["merged"] == 7 and len(third.interactions) == len(again.interactions) + 1
