"""The simulated user on its own: its own words, true facts, never the title, seeded."""

from __future__ import annotations

import ast
import os
import random
import string
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from agent.evaluation.catalog_view import CatalogView, NumericKind
from agent.evaluation.phrases import BANKS, DEV, FACT_KINDS, HELDOUT, MIN_TEMPLATES, bank
from agent.evaluation.simulator import (
    FactKind,
    UserSimulator,
    asked_attribute,
    fact_holds,
    names_target,
    spoken_title,
    target_facts,
)

ROOT = Path(__file__).resolve().parents[3]
USER_SIDE = ("simulator.py", "phrases.py", "catalog_view.py", "baselines.py")


@pytest.fixture(scope="module")
def view(world):
    return CatalogView.from_dataset(world.dataset.items, world.dataset.interactions)


@pytest.fixture(scope="module")
def movie_view():
    """A tiny MovieLens-like catalog: multi-valued genres, a year, a log, no descriptions."""
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(1, 10)],
            "title": [
                "Night Train (1994)",
                "Laugh Factory (1996)",
                "Comedy (1997)",  # a title that is also a genre value
                "Old Gold (1962)",
                "Space Docks (1998)",
                "Quiet Hills (1993)",
                "Red Run (1985)",
                "Blue Note (1999)",
                "Usual Crew, The (1995)",
            ],
            "year": [1994.0, 1996.0, 1997.0, 1962.0, 1998.0, 1993.0, 1985.0, 1999.0, 1995.0],
            "genres": [
                "Drama|Thriller",
                "Comedy",
                "Comedy|Romance",
                "Drama|War",
                "Sci-Fi|Action",
                "Drama|Romance",
                "Action|Thriller",
                "Drama",
                "Crime|Thriller",
            ],
        }
    )
    rows = [(u, i, 5) for u in range(30) for i in ("4", "1", "9") if (u + int(i)) % 2 == 0]
    rows += [(u, "1", 4) for u in range(30, 50)] + [(u, "4", 5) for u in range(50, 90)]
    rows += [(1, "5", 4), (2, "5", 5), (1, "3", 4), (3, "8", 4), (4, "6", 2), (5, "7", 4)]
    log = pd.DataFrame(rows, columns=["user_id", "item_id", "rating"]).astype({"user_id": str})
    return CatalogView.from_dataset(items, log)


def _drive(view, target_id, seed, replies, bank_name="dev"):
    sim = UserSimulator(view.target(target_id), view, seed=seed, bank=bank_name)
    turns = [sim.opening()]
    for text, shown in replies:
        turn = sim.respond(text, shown)
        if turn is None:
            break
        turns.append(turn)
    return sim, turns


def _scripted_replies(view, target_id, n_turns, rng):
    others = [i for i in view.titles if i != target_id]
    questions = ["", "Which genre are you in the mood for?", "Any preferred era?", ""]
    return [
        (f"Here are picks.\n{rng.choice(questions)}", rng.sample(others, k=min(10, len(others))))
        for _ in range(n_turns)
    ]


# -- independence from the agent's language code -------------------------------------------


def test_the_user_side_imports_nothing_from_the_agents_language_code():
    for name in USER_SIDE:
        tree = ast.parse((ROOT / "agent" / "evaluation" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                assert not module.startswith("agent") or module.startswith("agent.evaluation"), (
                    f"{name} imports {module}"
                )
    code = (
        "import sys, agent.evaluation.simulator, agent.evaluation.baselines; "
        "print(sorted(m for m in sys.modules if m.startswith('agent.') "
        "and not m.startswith('agent.evaluation')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"


def _normal(text: str) -> str:
    return " ".join(text.lower().translate(str.maketrans("", "", string.punctuation)).split())


def test_banks_are_disjoint_and_each_has_ten_templates_per_fact_kind():
    assert list(BANKS.values()) == [DEV, HELDOUT]
    for words in (DEV, HELDOUT):
        assert set(words.templates) == set(FACT_KINDS)
        for kind in FACT_KINDS:
            assert len(set(words.templates[kind])) >= MIN_TEMPLATES, (words.name, kind)
        assert len(words.openers) >= MIN_TEMPLATES and len(words.rejections) >= MIN_TEMPLATES
    for kind in FACT_KINDS:
        shared = {_normal(t) for t in DEV.templates[kind]} & {
            _normal(t) for t in HELDOUT.templates[kind]
        }
        assert not shared, (kind, shared)
    for part in ("openers", "rejections", "too_old", "too_new", "seen_too_much", "more"):
        dev = {_normal(t) for t in getattr(DEV, part)} - {""}
        held = {_normal(t) for t in getattr(HELDOUT, part)} - {""}
        assert not dev & held, part
    for part in ("decade_forms", "half_forms", "money_forms"):
        assert not set(getattr(DEV, part)) & set(getattr(HELDOUT, part)), part
    with pytest.raises(ValueError, match="unknown phrasing bank"):
        bank("test")


def test_registers_vary_terse_chatty_lowercase_and_typos(view):
    texts = []
    for index, item_id in enumerate(list(view.titles)[:40]):
        sim = UserSimulator(view.target(item_id), view, seed=index, bank="heldout")
        texts.append(sim.opening().text)
        texts += [
            t.text for t in (sim.respond("", [i for i in view.titles if i != item_id][:10]),) if t
        ]
    assert any(t == t.lower() for t in texts) and any(t != t.lower() for t in texts)
    assert min(len(t.split()) for t in texts) <= 3 and max(len(t.split()) for t in texts) >= 9
    words = {w for t in texts for w in _normal(t).split()}
    templates = {w for kind in HELDOUT.templates.values() for t in kind for w in _normal(t).split()}
    assert words - templates  # values and typos beyond the templates' own words


# -- what the user says ----------------------------------------------------------------------


def test_the_catalog_is_read_generically(view, movie_view):
    assert set(view.categorical) == {"genre"}
    assert {a: f.kind for a, f in view.numeric.items()} == {
        "price": NumericKind.PRICE,
        "quality": NumericKind.SCORE,
    }  # flags and counters (promoted, popularity) are nothing a person would say
    assert movie_view.multi["genres"] and movie_view.numeric["year"].kind is NumericKind.YEAR
    assert set(view.stratum.values()) == {"head", "torso", "tail"}
    ranked = sorted(view.titles, key=lambda i: -view.popularity.get(i, 0))
    assert view.stratum[ranked[0]] == "head" and view.stratum[ranked[-1]] == "tail"


def test_every_fact_is_true_and_never_names_the_target(view, movie_view):
    rng = random.Random(1)
    for catalog in (view, movie_view):
        for item_id in list(catalog.titles)[:50]:
            if not catalog.describable(item_id):
                continue
            for bank_name in ("dev", "heldout"):
                replies = _scripted_replies(catalog, item_id, 5, rng)
                sim, turns = _drive(catalog, item_id, item_id, replies, bank_name)
                said = []
                for turn in turns:
                    assert turn.text and len(turn.revealed) <= 1  # one new fact a turn
                    assert not names_target(turn.text, sim.target)
                    assert spoken_title(sim.target.title).lower() not in turn.text.lower()
                    assert all(fact_holds(f, sim.target, catalog) for f in turn.revealed)
                    said += [f.key() for f in turn.revealed]
                assert len(said) == len(set(said)), "a fact is new when said"


def test_a_value_that_reads_like_the_title_is_never_said(movie_view):
    # Item 3 is titled "Comedy (1997)" and is a comedy: the simulator must find other things.
    for seed in range(5):
        _, turns = _drive(
            movie_view, "3", seed, [("Which genre are you in the mood for?", ["2", "8"])] * 4
        )
        said = " ".join(t.text.lower() for t in turns)
        assert "comedy" not in said
        assert any(f.kind is FactKind.CATEGORY for t in turns for f in t.revealed)


def test_same_seed_same_words_other_seed_other_words(view):
    items = list(view.titles)[:25]

    def run(seed):
        rng = random.Random(7)
        return [
            [
                t.text
                for t in _drive(view, i, seed, _scripted_replies(view, i, 4, rng), "heldout")[1]
            ]
            for i in items
        ]

    assert run(3) == run(3)
    assert run(4) != run(3)


def test_decades_in_words_taste_references_and_popularity(movie_view):
    # "Usual Crew, The (1995)": its fans also liked "Night Train" and "Red Run" (thrillers too).
    target = movie_view.target("9")
    facts = target_facts(target, movie_view)
    assert any(f.kind is FactKind.ERA and f.low == 1990 and f.high == 1999 for f in facts)
    texts, kinds = [], set()
    for seed in range(12):
        _, turns = _drive(movie_view, "9", seed, [("", ["2", "3"])] * 5, "heldout")
        texts += [t.text.lower() for t in turns]
        kinds |= {f.kind for t in turns for f in t.revealed}
        taste = [f for t in turns for f in t.revealed if f.kind is FactKind.TASTE]
        for fact in taste:
            assert fact.item_id in {"1", "7"}
            assert spoken_title(movie_view.titles[fact.item_id]).lower() in " ".join(texts)
    assert FactKind.TASTE in kinds and FactKind.ERA in kinds
    assert any("nineties" in t or "'90s" in t for t in texts)
    assert not any("1990" in t for t in texts), "the held-out bank says decades in words"
    assert spoken_title("Usual Crew, The (1995)") == "The Usual Crew"
    assert names_target("i loved the usual crew!", target) and names_target("usual crew", target)
    # A tail item is "less known"; an old head item is "a classic".
    assert movie_view.stratum["5"] == "tail" and movie_view.stratum["4"] == "head"
    less = [
        f for f in target_facts(movie_view.target("5"), movie_view) if f.values == ("less_known",)
    ]
    classic = [
        f for f in target_facts(movie_view.target("4"), movie_view) if f.values == ("classic",)
    ]
    assert less and classic and classic[0].high == 1999 - 25


def test_rejections_give_a_reason_the_shown_items_show(movie_view):
    # Target "Space Docks" (Sci-Fi|Action, 1998); shown: drama-heavy items from before 1990.
    sim = UserSimulator(movie_view.target("5"), movie_view, seed=0, bank="dev")
    sim.opening()
    turn = sim.respond("Here.", ["4", "7"])
    fact = turn.revealed[0]
    assert fact.kind is FactKind.ERA and (fact.low, fact.high) == (1990, 1999)
    assert {m.item_id for m in turn.rejected} == {"4", "7"}
    assert any(lead.lower().rstrip(".") in turn.text.lower() for lead in DEV.too_old)
    sim = UserSimulator(movie_view.target("5"), movie_view, seed=0, bank="dev")
    sim.opening()
    turn = sim.respond("Here.", ["2", "3", "6"])  # comedies and romances, all from the 1990s
    fact = turn.revealed[0]
    if fact.kind is FactKind.EXCLUDE:
        assert all(fact.values[0] in movie_view.values(m.item_id, "genres") for m in turn.rejected)
        assert fact.values[0] not in sim.target.categories["genres"]


def test_answers_the_question_asked(view):
    target_id = next(i for i in view.titles if view.number(i, "price") is not None)
    sim = UserSimulator(view.target(target_id), view, seed=0)
    sim.opening()
    turn = sim.respond("Here you go.\nWhat's your budget — under $10, $10 to $20, or more?", [])
    assert turn.answered == "price"
    assert turn.revealed[0].attribute == "price" and fact_holds(turn.revealed[0], sim.target)


def test_asked_attribute_reads_questions_only(view, movie_view):
    assert (
        asked_attribute("Which genre are you in the mood for — comedy or drama?", view) == "genre"
    )
    assert asked_attribute("Any preferred era — recent, the 1990s or older?", movie_view) == "year"
    assert asked_attribute("Here are 10 picks.\n1. A comedy — cheap.", view) is None


def test_ends_when_the_target_is_in_the_top_k(view):
    target_id = list(view.titles)[5]
    sim = UserSimulator(view.target(target_id), view, seed=0, k=10)
    sim.opening()
    others = [i for i in view.titles if i != target_id]
    assert sim.respond("", [*others[:10], target_id]) is not None  # rank 11: not yet
    assert sim.respond("", [*others[20:22], target_id]) is None
    assert sim.found_rank == 3


def test_a_coat_like_catalog_without_years_or_prices():
    """Text attributes only, a 0/1 flag and a log of ratings: the CSV contract, nothing else."""
    n = 24
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(n)],
            "title": [f"Jacket number {i}" for i in range(n)],
            "item_gender": ["men" if i % 2 else "women" for i in range(n)],
            "jacket_type": [("bomber", "parka", "field", "shell")[i % 4] for i in range(n)],
            "color": [("black", "navy", "olive")[i % 3] for i in range(n)],
            "on_frontpage": [float(i % 5 == 0) for i in range(n)],
        }
    )
    log = pd.DataFrame(
        [(str(u), str((u * 7 + j) % n), 1 + (u + j) % 5) for u in range(40) for j in range(6)],
        columns=["user_id", "item_id", "rating"],
    )
    catalog = CatalogView.from_dataset(items, log)
    assert set(catalog.categorical) == {"item_gender", "jacket_type", "color"}
    assert not catalog.numeric  # a flag is nothing a person would ask for
    sim = UserSimulator(catalog.target("3"), catalog, seed=1, bank="heldout")
    turns = [sim.opening()] + [sim.respond("Which gender?", ["0", "2", "4"]) for _ in range(3)]
    assert all(t is not None and len(t.revealed) <= 1 for t in turns)
    assert any(f.attribute == "item_gender" for t in turns for f in t.revealed)
    assert all(fact_holds(f, sim.target, catalog) for t in turns for f in t.revealed)
    assert all("jacket number 3" not in t.text.lower() for t in turns)


def test_short_titles_that_read_like_words_are_never_said():
    titles = ["It (1990)", "Go (1999)", "Big (1988)", "Heat (1995)", "Up Close (1996)", "X (1990)"]
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(6)],
            "title": titles,
            "genres": ["Horror", "Comedy|Crime", "Comedy", "Action", "Drama", "Horror"],
            "year": [1990.0, 1999.0, 1988.0, 1995.0, 1996.0, 1990.0],
        }
    )
    log = pd.DataFrame(
        [(str(u), str(i), 5) for u in range(10) for i in range(6) if (u + i) % 2],
        columns=["user_id", "item_id", "rating"],
    )
    catalog = CatalogView.from_dataset(items, log)
    for target_id in catalog.titles:
        others = [i for i in catalog.titles if i != target_id][:3]
        for seed in range(20):
            sim = UserSimulator(catalog.target(target_id), catalog, seed=seed, bank="heldout")
            messages = [sim.opening()] + [sim.respond("", others) for _ in range(4)]
            for message in messages:
                assert message.text and not names_target(message.text, sim.target)


_TRANSCRIPT = """
import pandas as pd
from agent.evaluation.catalog_view import CatalogView
from agent.evaluation.simulator import UserSimulator
genres = ["Drama|War", "Comedy", "Comedy|Romance", "Action|Thriller", "Drama", "Crime|Drama"]
items = pd.DataFrame({"item_id": [str(i) for i in range(12)],
                      "title": [f"Film {chr(65 + i)} (19{70 + 2 * i})" for i in range(12)],
                      "year": [1970.0 + 2 * i for i in range(12)],
                      "genres": [genres[i % 6] for i in range(12)]})
log = pd.DataFrame([(str(u), str((u + j) % 12), 5) for u in range(30) for j in range(4)],
                   columns=["user_id", "item_id", "rating"])
view = CatalogView.from_dataset(items, log)
for target in view.titles:
    sim = UserSimulator(view.target(target), view, seed=target, bank="heldout")
    print(sim.opening().text)
    for n in range(4):
        turn = sim.respond("Any era?", [i for i in view.titles if i != target][n : n + 5])
        print(turn.text if turn else None)
"""


def test_the_same_seed_gives_the_same_words_in_another_process():
    def run(hash_seed):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", _TRANSCRIPT], capture_output=True, text=True, env=env, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = run("1")
    assert first.count("\n") == 12 * 5 and first == run("2")
