"""The checker's options added with held-out v3 (`--strict`, `--disjoint-from`, `--summary`)
catch what they claim, on small files written here (the sets themselves: test_heldout_sets.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nlu_sets import load_checker, tiny_workspace


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
