"""The third held-out NLU set stays well-formed, and the checker's v3 options catch what they claim.

No workspace is needed: the file is checked at the schema level with the README's context
conventions (`--strict`); the catalog checks run against a tiny item table written here, so
this runs in CI on a clean clone. Nothing here parses the sentences or scores anything.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from nlu_sets import INTENTS, NLU_DATA, SLOT_KEYS, load_checker, read_rows, tiny_workspace

DATA = NLU_DATA / "heldout_v3.jsonl"
WISH_SLOTS = {"include", "exclude", "ranges", "relative", "popularity", "taste"}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_rows(DATA)


def test_every_line_is_an_object_with_the_required_keys(rows: list[dict]) -> None:
    for row in rows:
        assert set(row) == {"id", "dataset", "text", "intent", "context", "slots"}, row
        prefix = {"movielens": "v3-ml-", "coat": "v3-co-"}[row["dataset"]]
        assert row["id"].startswith(prefix) and row["id"][len(prefix) :].isdigit(), row["id"]
        assert row["intent"] in INTENTS, row["id"]
        assert set(row["context"]) == {"shown", "focus"}, row["id"]
        assert set(row["slots"]) <= SLOT_KEYS, row["id"]
        assert all(row["slots"].values()), row["id"]  # empty slots are left out
        assert row["text"].strip(), row["id"]


def test_size_coverage_and_no_duplicates(rows: list[dict]) -> None:
    assert len(rows) >= 340
    per_dataset = Counter(r["dataset"] for r in rows)
    assert per_dataset["movielens"] >= 270 and per_dataset["coat"] >= 70, per_dataset
    for dataset, least in (("movielens", 10), ("coat", 3)):
        per_intent = Counter(r["intent"] for r in rows if r["dataset"] == dataset)
        assert set(per_intent) == INTENTS, (dataset, per_intent)
        assert min(per_intent.values()) >= least, (dataset, per_intent)
    assert len({r["id"] for r in rows}) == len(rows)
    texts = Counter(" ".join(r["text"].lower().split()) for r in rows)
    assert [t for t, n in texts.items() if n > 1] == []


def test_every_slot_kind_is_used(rows: list[dict]) -> None:
    used = {key for r in rows for key, value in r["slots"].items() if value}
    assert used == SLOT_KEYS


def test_readme_conventions_hold(rows: list[dict]) -> None:
    for row in rows:
        slots = row["slots"]
        if row["intent"] in {"what_if", "causal"}:
            assert not (set(slots) & WISH_SLOTS), row["id"]
        if "relative" in slots:  # a relative move is a refine against the shown list
            assert row["intent"] == "refine" and row["context"]["shown"], row["id"]
        for phrase in slots.get("unplaced", []) + slots.get("unknown_titles", []):
            assert phrase.lower() in row["text"].lower(), row["id"]


def test_the_checker_finds_no_schema_problem_in_the_file() -> None:
    checker = load_checker()
    report = checker.check_file(DATA, {}, id_prefix="v3-", strict=True)
    assert report.lines() == []


def _row(**changes: object) -> dict:
    row = {
        "id": "v3-1",
        "dataset": "toy",
        "text": "older ones",
        "intent": "refine",
        "context": {"shown": ["1", "2"], "focus": "2"},
        "slots": {"relative": [["year", "down"]]},
    }
    row.update(changes)
    return row


def test_strict_flags_a_refine_without_a_list_and_a_focus_off_the_list(tmp_path: Path) -> None:
    checker = load_checker()
    rows = [
        _row(),
        _row(id="v3-2", text="newer", context={"shown": [], "focus": None}),
        _row(id="v3-3", text="why this", intent="why", context={"shown": ["1"], "focus": "2"}),
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    catalogs = {"toy": checker.load_catalog(tiny_workspace(tmp_path / "ws"))}

    assert checker.check_file(path, catalogs).problems == []
    strict = checker.check_file(path, catalogs, strict=True)
    assert {n for n, _ in strict.problems} == {2, 3}, strict.lines()
    args = [str(path), "--workspace", f"toy={tmp_path / 'ws'}"]
    assert checker.main(args) == 0
    assert checker.main([*args, "--strict"]) == 1


def test_disjoint_from_reports_line_numbers_and_never_the_other_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checker = load_checker()
    mine = tmp_path / "mine.jsonl"
    mine.write_text(
        json.dumps(_row()) + "\n" + json.dumps(_row(id="v3-2", text="Secret  SENTENCE")) + "\n",
        encoding="utf-8",
    )
    other = tmp_path / "other.jsonl"
    other.write_text(
        json.dumps({"text": "secret sentence"}) + "\n" + json.dumps({"text": "unrelated"}) + "\n",
        encoding="utf-8",
    )
    assert checker.main([str(mine), "--disjoint-from", str(other)]) == 1
    printed = capsys.readouterr().out
    assert f"{mine}:2: text also occurs in {other}" in printed
    assert "unrelated" not in printed and "secret sentence" not in printed.lower()
    assert checker.main([str(mine), "--disjoint-from", str(tmp_path / "missing.jsonl")]) == 2


def test_summary_counts_intents_per_dataset_and_slot_use(tmp_path: Path) -> None:
    checker = load_checker()
    rows = [
        _row(),
        _row(id="v3-2", text="b", dataset="other"),
        _row(id="v3-3", text="c", intent="help", slots={}),
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    table = checker.summarise(path)
    assert "| intent | other | toy | all |" in table
    assert "| refine | 1 | 1 | 2 |" in table
    assert "| help | 0 | 1 | 1 |" in table
    assert "| all | 1 | 2 | 3 |" in table
    assert "slots: relative 2" in table
