"""The grounding checker on the adversarial set (benchmarks/grounding_set.py, from real
MovieLens-100K tool results): inventions caught, correct replies left alone; and the claims
it checks one by one."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from agent.grounding import GroundingChecker
from agent.vocab import Vocabulary

SET = Path(__file__).resolve().parents[1] / "data" / "grounding" / "adversarial.json"


@pytest.fixture(scope="module")
def adversarial():
    data = json.loads(SET.read_text(encoding="utf-8"))
    checker = GroundingChecker(Vocabulary.from_items(pd.DataFrame(data["items"])))
    return data, checker


def test_the_set_is_large_enough_and_labelled(adversarial):
    data, _ = adversarial
    labels = [c["label"] for c in data["cases"]]
    assert labels.count("invented") >= 60 and labels.count("correct") >= 60
    kinds = {c["kind"] for c in data["cases"] if c["label"] == "invented"}
    expected = {"title_with_year", "bold_name", "wrong_number", "number_on_wrong_item"}
    assert expected | {"flipped_sign", "wrong_genre", "wrong_decade"} <= kinds


def test_recall_and_false_alarms_meet_the_targets(adversarial):
    data, checker = adversarial
    flagged = {"invented": 0, "correct": 0}
    total = {"invented": 0, "correct": 0}
    for case in data["cases"]:
        report = checker.check(case["reply"], data["contexts"][case["context"]])
        total[case["label"]] += 1
        flagged[case["label"]] += int(not report.ok)
    assert flagged["invented"] / total["invented"] >= 0.95
    assert flagged["correct"] / total["correct"] <= 0.05


ITEMS = pd.DataFrame(
    {
        "item_id": ["1", "2", "3"],
        "title": ["Toy Story (1995)", "Heat (1995)", "Psycho (1960)"],
        "year": [1995, 1995, 1960],
        "genres": ["Animation|Comedy", "Action|Crime", "Horror|Thriller"],
    }
)
SOURCES = [
    "recommend something",
    json.dumps(
        {
            "items": [
                {
                    "item_id": "1",
                    "title": "Toy Story (1995)",
                    "score": 1.234,
                    "facts": {"year": 1995, "genres": "Animation|Comedy"},
                },
                {
                    "item_id": "2",
                    "title": "Heat (1995)",
                    "score": 0.871,
                    "facts": {"year": 1995, "genres": "Action|Crime"},
                },
            ]
        }
    ),
    json.dumps({"treatment": "year", "estimate": -0.156, "ci_low": -0.177, "ci_high": -0.14}),
]


@pytest.fixture(scope="module")
def checker():
    return GroundingChecker(Vocabulary.from_items(ITEMS))


def test_each_kind_of_claim(checker):
    assert checker.check("Toy Story (1995) scores 1.23; Heat scores 0.87.", SOURCES).ok
    wrong_item = checker.check("Toy Story (1995) scores 0.87.", SOURCES)
    assert wrong_item.misattributed_numbers and not wrong_item.ok
    assert checker.check("A later year lowers the rating by 0.156.", SOURCES).ok
    flipped = checker.check("A later year raises the rating by 0.156.", SOURCES)
    assert flipped.flipped_signs and not flipped.ok
    assert not checker.check("Watch Heat, a comedy.", SOURCES).ok  # Heat is Action|Crime
    assert not checker.check("Watch Heat, a 1970s film.", SOURCES).ok
    assert checker.check("Toy Story is a comedy from the 1990s.", SOURCES).ok
    assert checker.check("Watch Heat, not a comedy.", SOURCES).ok
    assert not checker.check("Psycho (1960) is a classic.", SOURCES).ok  # not returned this turn
    assert not checker.check("Toy Story (1999) is fun.", SOURCES).ok  # the wrong year
    lead = checker.check("1. Toy Story (1995) — 1.23\n2. The Velvet Orchard — a gem", SOURCES)
    assert "The Velvet Orchard" in lead.unsupported_titles
    assert checker.check("1. Top Pick: Heat (1995) — score 0.87", SOURCES).ok


def test_an_effect_told_with_its_arms_swapped_keeps_a_consistent_sign(checker):
    sources = [
        json.dumps(
            {
                "treatment": "price",
                "treatment_value": 19.82,
                "control_value": 10.11,
                "estimate": -0.058,
                "ci_low": -0.066,
                "ci_high": -0.044,
            }
        )
    ]
    swapped = "Setting price = 10.11 instead of 19.82 raises clicked by 0.058."
    assert checker.check(swapped, sources).ok
    assert not checker.check(swapped.replace("raises", "lowers"), sources).ok
    plain = "Setting price = 19.82 instead of 10.11 lowers clicked by 0.058."
    assert checker.check(plain, sources).ok
    assert not checker.check(plain.replace("lowers", "raises"), sources).ok


def test_rule_planner_replies_in_the_set(adversarial):
    """The set's real rule-planner replies ("rule-N" contexts) all pass; edits of them don't."""
    data, checker = adversarial
    rule = [c for c in data["cases"] if c["context"].startswith("rule-")]
    assert sum(c["label"] == "correct" for c in rule) >= 10
    for case in rule:
        report = checker.check(case["reply"], data["contexts"][case["context"]])
        assert report.ok == (case["label"] == "correct"), (case["kind"], report.hint())


def test_titles_that_share_a_name_or_run_long():
    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3", "4"],
            "title": [
                "Sabrina (1954)",
                "Sabrina (1995)",
                "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb (1963)",
                "Fargo (1996)",
            ],
            "year": [1954, 1995, 1963, 1996],
            "genres": ["Comedy|Romance", "Comedy|Romance", "Sci-Fi|War", "Crime|Drama"],
        }
    )
    checker = GroundingChecker(Vocabulary.from_items(items))
    sources = [
        "I loved Fargo",
        json.dumps(
            {
                "items": [
                    {"title": "Sabrina (1954)", "score": 0.61},
                    {"title": "Sabrina (1995)", "score": 0.42},
                    {"title": items.title[2], "score": 0.77, "why": "Because you liked Fargo."},
                ]
            }
        ),
    ]
    reply = (
        "1. Sabrina (1995) — score 0.42, much like Fargo (1996).\n"
        "2. Sabrina (1954) — score 0.61.\n"
        f"3. {items.title[2]} — score 0.77."
    )
    assert checker.check(reply, sources).ok
    swapped = reply.replace("0.42", "0.61", 1)
    assert checker.check(swapped, sources).misattributed_numbers
    assert not checker.check(reply.replace("(1963)", "(1966)"), sources).ok
    assert not checker.check("Sabrina (1971) is lovely.", sources).ok


def test_a_counterfactual_signal_may_be_named():
    """The items a reason removes ("without": ids) are the user's own: naming them is fine."""
    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3"],
            "title": ["Fargo (1996)", "Lone Star (1996)", "Heat (1995)"],
            "year": [1996, 1996, 1995],
            "genres": ["Crime", "Drama", "Action"],
        }
    )
    checker = GroundingChecker(Vocabulary.from_items(items))
    cf = {"without": ["1"], "rank": 4, "rank_without": 100}
    sources = [json.dumps({"items": [{"item_id": "2", "title": "Lone Star (1996)", "cf": cf}]})]
    assert checker.check("Lone Star (1996): without Fargo (1996) it'd be #100, not #4.", sources).ok
    other = checker.check("Lone Star (1996): without Heat (1995) it'd be #100, not #4.", sources)
    assert other.unsupported_titles == ("Heat (1995)",)
