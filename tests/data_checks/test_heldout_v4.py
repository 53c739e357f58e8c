"""The fourth held-out NLU set stays well-formed and keeps the README's labelling conventions.

No workspace is needed: the file is checked at the schema level with the README's context
conventions (`--strict`), so this runs in CI on a clean clone. Nothing here parses the
sentences or scores anything; the checker's own options are tested by the v3 test.
"""

from __future__ import annotations

from collections import Counter

import pytest
from nlu_sets import INTENTS, NLU_DATA, SLOT_KEYS, load_checker, read_rows

DATA = NLU_DATA / "heldout_v4.jsonl"
WISH_SLOTS = {"include", "exclude", "ranges", "relative", "popularity", "taste"}
ITEM_SLOTS = ("taste", "refs")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_rows(DATA)


def test_every_line_is_an_object_with_the_required_keys(rows: list[dict]) -> None:
    for row in rows:
        assert set(row) == {"id", "dataset", "text", "intent", "context", "slots"}, row
        prefix = {"movielens": "v4-ml-", "coat": "v4-co-"}[row["dataset"]]
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
        shown = row["context"]["shown"]
        if row["intent"] in {"what_if", "causal"}:
            assert not (set(slots) & WISH_SLOTS), row["id"]
        if "relative" in slots:  # a relative move is a refine against the shown list
            assert row["intent"] == "refine" and shown, row["id"]
        if "feedback" in slots:  # an item given feedback is named there only
            assert row["intent"] == "feedback", row["id"]
            fed = {item for item, _ in slots["feedback"]}
            assert not fed & {i for k in ITEM_SLOTS for i in slots.get(k, [])}, row["id"]
        for phrase in slots.get("unplaced", []) + slots.get("unknown_titles", []):
            assert phrase.lower() in row["text"].lower(), row["id"]
        for item in slots.get("taste", []) + slots.get("refs", []):
            assert isinstance(item, str) and item, row["id"]


def test_the_checker_finds_no_schema_problem_in_the_file() -> None:
    checker = load_checker()
    report = checker.check_file(DATA, {}, id_prefix="v4-", strict=True)
    assert report.lines() == []
