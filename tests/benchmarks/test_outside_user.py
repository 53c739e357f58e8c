"""The outside simulated user (benchmarks/outside_user): banks, truthful facts, baselines, run.

Fast tests run on a small data folder written here and a stand-in agent; one slow test plays
the real rule-backend agent on a small synthetic workspace.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.outside_user import banks, run  # noqa: E402
from benchmarks.outside_user.baselines import FilterBaseline, PopularityBaseline  # noqa: E402
from benchmarks.outside_user.catalog import load_catalog  # noqa: E402
from benchmarks.outside_user.targets import draw_targets  # noqa: E402
from benchmarks.outside_user.user import Fact, SimulatedUser, holds, names  # noqa: E402

GENRES = ["Comedy", "Drama", "Sci-Fi", "Romance", "Horror", "Action"]
COLORS = ["red", "blue", "other", "green"]
# Titles that are everyday words the templates use, to check the user still never says them.
WORD_TITLES = ["Something", "Nope", "Closer", "Comedy", "Older", "The Radar"]


def write_data(folder: Path, n_items: int = 60, seed: int = 3) -> Path:
    """A data-contract folder: multi-valued genres, a year, a colour, a price, a treatment."""
    rng = np.random.default_rng(seed)
    (folder / "data").mkdir(parents=True)
    rows = ["item_id,title,description,year,genres,color,price,on_frontpage,promoted"]
    for i in range(n_items):
        title = WORD_TITLES[i] if i < len(WORD_TITLES) else f"Film Number {i} ({1950 + i})"
        genres = "|".join(rng.choice(GENRES, size=int(rng.integers(1, 4)), replace=False))
        year = int(rng.integers(1940, 2000))
        color = COLORS[int(rng.integers(len(COLORS)))]
        price = round(float(rng.uniform(3, 60)), 2)
        rows.append(
            f'i{i},"{title}",A description.,{year}.0,{genres},{color},{price},'
            f"{int(rng.integers(2))},{int(rng.integers(2))}"
        )
    (folder / "data" / "items.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    inter = ["user_id,item_id,rating"]
    weights = 1.0 / np.arange(1, n_items + 1) ** 0.9
    weights /= weights.sum()
    for u in range(300):
        for item in rng.choice(n_items, size=5, replace=False, p=weights):
            inter.append(f"u{u},i{item},4")
    (folder / "data" / "interactions.csv").write_text("\n".join(inter) + "\n", encoding="utf-8")
    (folder / "data" / "schema.toml").write_text(
        '[variables.year]\nrole = "item_attribute"\ndescription = "the film\'s year"\n'
        '[variables.on_frontpage]\nrole = "treatment"\n',
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def data_ws(tmp_path: Path) -> Path:
    return write_data(tmp_path / "ws")


class StandInAgent:
    """RecAgent's public shape: new_session, chat -> reply with .text and .items[].item_id."""

    class Item:
        def __init__(self, item_id: str) -> None:
            self.item_id = item_id

    class Reply:
        def __init__(self, ids: list[str]) -> None:
            self.text = "here you go"
            self.items = [StandInAgent.Item(i) for i in ids]

    def __init__(self, ids: list[str], fail_on_turn: int | None = None) -> None:
        self.ids = ids
        self.fail_on_turn = fail_on_turn
        self.turn = 0
        self.texts: list[str] = []

    def new_session(self) -> str:
        self.turn = 0
        return "s"

    def chat(self, session_id: str, text: str) -> StandInAgent.Reply:
        self.turn += 1
        self.texts.append(text)
        if self.fail_on_turn == self.turn:
            raise RuntimeError("boom")
        start = (self.turn - 1) * 10
        return self.Reply(self.ids[start : start + 10])


def test_banks_disjoint_and_at_least_12_templates_per_kind() -> None:
    for name in banks.BANKS:
        bank = banks.bank(name)
        assert set(bank) == set(banks.KINDS)
        for kind in banks.KINDS:
            assert len(set(bank[kind])) >= 12, (name, kind)
        assert set(banks.FAME[name]) == {"head", "torso", "tail"}
    test = {t.lower() for ts in banks.TEST.values() for t in ts}
    for name in banks.DEVELOPMENT_BANKS:
        dev = {t.lower() for ts in banks.bank(name).values() for t in ts}
        assert not dev & test, name
        for stratum in ("head", "torso", "tail"):
            assert not set(banks.FAME[name][stratum]) & set(banks.FAME["test"][stratum]), name
    with pytest.raises(ValueError):
        banks.bank("heldout")


def test_every_template_of_every_bank_fills_its_slots() -> None:
    slots = dict(
        noun="movie",
        nouns="movies",
        v="sci-fi",
        era="from the late 90s",
        fame="obscure",
        ref="Heat",
        cond="price under 20",
    )
    for name in banks.BANKS:
        for kind, templates in banks.bank(name).items():
            for template in templates:
                assert "{" not in template.format(**slots), (name, kind, template)


def test_catalog_reads_attributes_from_the_data(data_ws: Path) -> None:
    cat = load_catalog(data_ws)
    kinds = {a: s.kind for a, s in cat.attributes.items()}
    assert kinds == {"year": "year", "genres": "multi", "color": "categorical", "price": "numeric"}
    assert cat.noun == "film"
    assert "other" not in cat.sayable_values("color")
    counts = [cat.count_of(i) for i in cat.ids]
    assert counts == sorted(counts, reverse=True)
    strata = [cat.stratum_of(i) for i in cat.ids]
    assert strata.count("head") == 6 and strata.count("torso") == 18 and strata.count("tail") == 36


def test_target_draws_are_stratified_seeded_and_distinct(data_ws: Path) -> None:
    cat = load_catalog(data_ws)
    for draw in ("popularity", "uniform"):
        targets = draw_targets(cat, 9, draw=draw, seed=4)
        assert len(set(targets)) == 9
        assert [cat.stratum_of(t) for t in targets].count("tail") == 3
        assert targets == draw_targets(cat, 9, draw=draw, seed=4)
    assert len(draw_targets(cat, 12, draw="uniform", seed=1, stratify=False)) == 12
    with pytest.raises(ValueError):
        draw_targets(cat, 3, draw="zipf")


def _play(cat, target: str, bank: str, seed: int, turns: int = 6) -> SimulatedUser:
    user = SimulatedUser(cat, target, bank, seed=seed, turns=turns)
    rng = np.random.default_rng(seed)
    said = [user.opening()]
    for _ in range(turns - 1):
        shown = [str(x) for x in rng.choice(cat.ids, size=10, replace=False)]
        said.append(user.respond([s for s in shown if s != target]))
    user.said = said
    return user


def test_every_revealed_fact_is_true_and_the_target_is_never_named(data_ws: Path) -> None:
    cat = load_catalog(data_ws)
    kinds_seen: set[str] = set()
    for seed, target in enumerate(cat.ids):
        for bank in ("dev", "test"):
            user = _play(cat, target, bank, seed)
            assert user.revealed, target
            for fact in user.revealed:
                assert holds(cat, target, fact), (target, fact)
                kinds_seen.add(fact.kind)
                if fact.kind == "like":
                    assert fact.ref != target
                    assert cat.count_of(fact.ref) > cat.count_of(target)
            for line in user.said:
                assert line.strip()
                assert not names(line, cat.display(target)), (target, line)
    assert {"has", "lacks", "era", "fame", "like", "numeric"} <= kinds_seen


def test_names_matches_whole_words_only() -> None:
    assert names("i loved the radar one", "The Radar")
    assert not names("under the radar", "Radar Love")
    assert not names("something older", "Old")


def test_filter_baseline_shows_only_matching_items_when_enough_exist(data_ws: Path) -> None:
    cat = load_catalog(data_ws)
    facts = [Fact("lacks", "color", ("red",)), Fact("era", "year", (), 1940, math.inf)]
    matching = [i for i in cat.ids if all(holds(cat, i, f) for f in facts)]
    assert len(matching) >= 20
    base = FilterBaseline(cat)
    first, second = base.turn(facts), base.turn(facts)
    assert first == matching[:10] and second == matching[10:20]
    # few matches: all of them first, then popular unseen items, 10 new items a turn
    narrow = [Fact("has", "genres", ("Sci-Fi", "Horror", "Comedy"))]
    few = [i for i in cat.ids if holds(cat, i, narrow[0])]
    shown = FilterBaseline(cat).turn(narrow)
    assert len(shown) == 10 and shown[: len(few)] == few[:10]
    # facts a simulated user revealed: the first list satisfies all of them when 10 match
    for seed, target in enumerate(cat.ids[:20]):
        user = _play(cat, target, "dev", seed, turns=3)
        rules = user.revealed
        ok = [i for i in cat.ids if all(holds(cat, i, f) for f in rules if f.kind != "like")]
        refs = {f.ref for f in rules if f.kind == "like"}
        picks = FilterBaseline(cat).turn(rules)
        if len([i for i in ok if i not in refs]) >= 10:
            assert all(i in ok and i not in refs for i in picks)
    pop = PopularityBaseline(cat)
    assert pop.turn([]) == cat.ids[:10] and pop.turn([]) == cat.ids[10:20]


def test_short_run_writes_the_results_and_counts_agent_errors(
    data_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = load_catalog(data_ws)
    agents: list[StandInAgent] = []

    def fake_open(workspace: str, llm: str, state_dir: Path) -> StandInAgent:
        agents.append(StandInAgent(list(reversed(cat.ids)), fail_on_turn=3))
        return agents[-1]

    monkeypatch.setattr(run, "open_agent", fake_open)
    out, transcripts = tmp_path / "r.json", tmp_path / "t.jsonl"
    argv = ["--workspace", str(data_ws), "--n", "3", "--turns", "4", "--out", str(out)]
    assert run.main([*argv, "--transcripts", str(transcripts)]) == 0
    payload = json.loads(out.read_text())
    for key in ("date", "machine", "command", "load", "bank", "n", "turns", "draws"):
        assert key in payload
    assert set(payload["draws"]) == {"popularity", "uniform"}
    res = payload["draws"]["uniform"]
    for system in ("agent", "filter", "popularity"):
        row = res["systems"][system]
        assert {"hit@1", "hit@5", "hit@10", "by_stratum", "hit@10_by_turn"} <= set(row)
        assert set(row["by_stratum"]) == {"head", "torso", "tail"}
        assert len(row["hit@10_by_turn"]) == 4
    assert res["agent_errors"] == 3 and res["dialogues_with_agent_error"] == 3
    rows = [json.loads(line) for line in transcripts.read_text().splitlines()]
    assert len(rows) == 6
    assert all(len(r["turns"]) == 4 for r in rows)  # baselines keep their four turns
    assert all(r["ranks"]["agent"][3] is None for r in rows)
    # the stand-in only ever heard the user's sentences, never a target title
    for row in rows:
        for turn in row["turns"]:
            assert not names(turn["user"], row["title"])


@pytest.mark.slow
def test_real_agent_short_run(tmp_path: Path) -> None:
    from causal.datasets.synthetic import SyntheticConfig, make_world
    from tools.workspace_build import BuildOptions, build_workspace

    world = make_world(SyntheticConfig(seed=7, n_users=100, n_items=60, n_interactions=3000))
    ws = build_workspace(
        world.dataset, tmp_path / "ws", BuildOptions(progress=False, time_budget_s=5)
    )
    out = tmp_path / "r.json"
    argv = ["--workspace", str(ws.root), "--n", "3", "--turns", "2", "--draw", "uniform"]
    assert run.main([*argv, "--out", str(out)]) == 0
    res = json.loads(out.read_text())["draws"]["uniform"]
    assert res["n"] == 3 and res["agent_errors"] == 0


def test_era_and_numeric_phrases_say_what_their_ranges_mean() -> None:
    import re

    from benchmarks.outside_user.surface import DECADE_WORDS, era_phrases, numeric_phrase

    rng = np.random.default_rng(0)
    for year in range(1921, 2000):
        for fine in (False, True):
            for _ in range(6):
                phrase, lo, hi = era_phrases(year, rng, fine)
                assert lo <= year <= hi, (year, phrase)
                numbers = [int(n) for n in re.findall(r"\d{4}", phrase)]
                if "before" in phrase:
                    assert numbers[0] > year and hi == numbers[0] - 1
                elif "or later" in phrase:
                    assert numbers[0] <= year and lo == numbers[0]
                elif "between" in phrase:
                    assert numbers[0] <= year <= numbers[1]
                elif "around" in phrase:
                    assert abs(numbers[0] - year) <= 2
                else:
                    decade = year // 10 * 10
                    assert (
                        f"{decade % 100:02d}s" in phrase or DECADE_WORDS.get(decade, "?") in phrase
                    ), phrase
                    if "late" in phrase:
                        assert year % 10 >= 6
                    if "early" in phrase:
                        assert year % 10 <= 3
    for value in (3.5, 12.51, 99.0, 1.0, 5.0):
        for _ in range(5):
            phrase, lo, hi = numeric_phrase("price", value, rng)
            assert lo <= value <= hi and phrase.startswith("price ")
            if "under" in phrase:
                assert value < hi


def test_the_outside_user_imports_nothing_of_the_project_but_agent_api() -> None:
    import ast

    allowed_project = {"agent.api", "benchmarks"}
    project = {"agent", "tools", "causal", "ui"}
    for path in (ROOT / "benchmarks" / "outside_user").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in project:
                    assert module in allowed_project, (path.name, module)
