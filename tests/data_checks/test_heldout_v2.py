"""The second held-out NLU set stays well-formed, and its checker catches the errors it claims to.

No workspace is needed: the file is checked at the schema level (the catalog checks run
against a tiny item table written here), so this runs in CI on a clean clone.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from nlu_sets import INTENTS, NLU_DATA, SLOT_KEYS, load_checker, read_rows, tiny_workspace

DATA = NLU_DATA / "heldout_v2.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_rows(DATA)


def test_every_line_is_an_object_with_the_required_keys(rows: list[dict]) -> None:
    for row in rows:
        assert set(row) == {"id", "dataset", "text", "intent", "context", "slots"}, row
        assert row["id"].startswith("v2-"), row["id"]
        assert row["dataset"] in {"movielens", "coat"}, row["id"]
        assert row["intent"] in INTENTS, row["id"]
        assert set(row["context"]) <= {"shown", "focus"}, row["id"]
        assert set(row["slots"]) <= SLOT_KEYS, row["id"]
        assert row["text"].strip(), row["id"]


def test_size_coverage_and_no_duplicates(rows: list[dict]) -> None:
    assert len(rows) >= 320
    per_intent = Counter(r["intent"] for r in rows)
    assert set(per_intent) == INTENTS
    assert min(per_intent.values()) >= 12, per_intent
    per_dataset = Counter(r["dataset"] for r in rows)
    assert per_dataset["movielens"] >= 240 and per_dataset["coat"] >= 60, per_dataset
    assert len({r["id"] for r in rows}) == len(rows)
    texts = Counter(" ".join(r["text"].lower().split()) for r in rows)
    assert [t for t, n in texts.items() if n > 1] == []


def test_every_slot_kind_is_used(rows: list[dict]) -> None:
    used = {key for r in rows for key, value in r["slots"].items() if value}
    assert used == SLOT_KEYS


def test_the_checker_finds_no_schema_problem_in_the_file() -> None:
    checker = load_checker()
    report = checker.check_file(DATA, {}, id_prefix="v2-")
    assert report.lines() == []


def test_the_checker_reports_bad_lines_by_number(tmp_path: Path) -> None:
    checker = load_checker()
    catalog = checker.load_catalog(tiny_workspace(tmp_path / "ws"))
    good = {
        "id": "v2-1",
        "dataset": "toy",
        "text": "a comedy like Alpha",
        "intent": "recommend",
        "context": {"shown": ["1", "2"], "focus": None},
        "slots": {"include": {"genres": ["Comedy"]}, "taste": ["1"]},
    }
    bad = [
        {**good, "id": "v2-2", "text": "t2", "slots": {"include": {"genres": ["Comdy"]}}},
        {**good, "id": "v2-3", "text": "t3", "slots": {"refs": ["99"]}},
        {**good, "id": "v2-4", "text": "t4", "slots": {"ranges": {"genres": [1, 2]}}},
        {**good, "id": "v2-5", "text": "t5", "slots": {"ranges": {"year": [1990, "x"]}}},
        {**good, "id": "v2-6", "text": "t6", "intent": "recomend"},
        {**good, "id": "v2-7", "text": "t7", "slots": {"colour": ["red"]}},
        {**good, "id": "v2-8", "text": "like Alpha", "slots": {"unknown_titles": ["Alpha"]}},
        {**good, "id": "v2-9", "text": "t9", "intent": "causal"},
    ]
    path = tmp_path / "set.jsonl"
    lines = [json.dumps(good)] + [json.dumps(b) for b in bad] + ["{oops", json.dumps(good)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = checker.check_file(path, {"toy": catalog}, id_prefix="v2-")
    flagged = {n for n, _ in report.problems}
    assert 1 not in flagged
    assert flagged == set(range(2, 12)), report.lines()
    assert all(line.startswith(f"{path}:") for line in report.lines())
    assert checker.main([str(path), "--workspace", f"toy={tmp_path / 'ws'}"]) == 1


def test_the_checker_passes_a_clean_file(tmp_path: Path) -> None:
    checker = load_checker()
    row = {
        "id": "v2-1",
        "dataset": "toy",
        "text": "horror before 1980, not Beta",
        "intent": "recommend",
        "context": {"shown": ["1", "2"], "focus": "2"},
        "slots": {"include": {"genres": ["Horror"]}, "ranges": {"year": [None, 1979]}},
    }
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    workspace = tiny_workspace(tmp_path / "ws")
    assert checker.main([str(path), "--workspace", f"toy={workspace}"]) == 0
