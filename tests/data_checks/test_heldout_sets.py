"""The held-out NLU sets v3 to v9, w14, w15, w24 and w30 stay well-formed and keep the README's labelling conventions.

One parametrized module for all four (v4, v5 and v6 were written to v3's rules), so a
convention is checked the same way everywhere. No workspace is needed: each file is checked
at the schema level with the README's context conventions (`--strict`), so this runs in CI
on a clean clone.
Nothing here parses the sentences or scores anything; the checker's own options are tested
in test_check_nlu_options.py, and v2 (written before `--strict`) in test_heldout_v2.py.
"""

from __future__ import annotations

from collections import Counter

import pytest
from nlu_sets import INTENTS, NLU_DATA, SLOT_KEYS, load_checker, read_rows

SETS = ("v3", "v4", "v5", "v6", "v7", "v8", "v9", "w14", "w15", "w24", "w30")
WISH_SLOTS = {"include", "exclude", "ranges", "relative", "popularity", "taste"}
ITEM_SLOTS = ("taste", "refs")


@pytest.fixture(scope="module", params=SETS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def rows(version: str) -> list[dict]:
    return read_rows(NLU_DATA / f"heldout_{version}.jsonl")


def test_every_line_is_an_object_with_the_required_keys(rows: list[dict], version: str) -> None:
    for row in rows:
        assert set(row) == {"id", "dataset", "text", "intent", "context", "slots"}, row
        prefix = {"movielens": f"{version}-ml-", "coat": f"{version}-co-"}[row["dataset"]]
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


@pytest.mark.parametrize("name", SETS)
def test_the_checker_finds_no_schema_problem_in_the_file(name: str) -> None:
    checker = load_checker()
    report = checker.check_file(
        NLU_DATA / f"heldout_{name}.jsonl", {}, id_prefix=f"{name}-", strict=True
    )
    assert report.lines() == []
