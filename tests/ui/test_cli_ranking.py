"""`whyrec recommend` and `whyrec eval ranking`: the JSON contract, cold start, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from causal.datasets.schema import Dataset
from tools.workspace_build import BuildOptions, build_workspace
from ui.cli import app

runner = CliRunner()
CONTRACT = {"mse", "auc", "ndcg@5", "recall@5", "n_users"}


@pytest.fixture(scope="module")
def ranking_ws(tmp_path_factory) -> Path:
    from causal.datasets.synthetic import SyntheticConfig, make_world

    world = make_world(SyntheticConfig(seed=21, n_users=100, n_items=70, n_interactions=3000))
    out = tmp_path_factory.mktemp("cli-ranking") / "ws"
    build_workspace(world.dataset, out, BuildOptions(progress=False, skip=frozenset({"causal"})))
    return out


def _json(result) -> dict:
    assert result.stdout.strip(), result.output
    return json.loads(result.stdout)


def test_recommend_json_for_several_users(ranking_ws):
    result = runner.invoke(
        app,
        [
            "recommend",
            "--workspace",
            str(ranking_ws),
            "--user",
            "u00001",
            "--user",
            "u00002",
            "-k",
            "4",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = _json(result)
    assert list(payload) == ["u00001", "u00002"]
    for recs in payload.values():
        assert len(recs) == 4
        for rec in recs:
            assert set(rec) == {"item_id", "title", "score", "components", "counterfactual"}
            assert rec["counterfactual"]["text"]
            assert {"preference", "popularity", "similarity"} <= set(rec["components"])
    with_query = _json(
        runner.invoke(
            app,
            [
                "recommend",
                "--workspace",
                str(ranking_ws),
                "--user",
                "u00001",
                "--query",
                "a funny family comedy",
                "-k",
                "3",
                "--json",
            ],
        )
    )
    assert all("relevance" in rec["components"] for rec in with_query["u00001"])


def test_unknown_user_needs_something_to_go_on(ranking_ws):
    base = ["recommend", "--workspace", str(ranking_ws), "--user", "ghost", "--json"]
    refused = runner.invoke(app, base)
    assert refused.exit_code == 2
    assert "ghost" in _json(refused)["error"]
    cold = runner.invoke(app, [*base, "--attr", "age_group=25-34", "-k", "3"])
    assert cold.exit_code == 0, cold.output
    assert len(_json(cold)["ghost"]) == 3
    liked = runner.invoke(app, [*base, "--like", "i000003", "-k", "3"])
    assert liked.exit_code == 0 and "i000003" not in {r["item_id"] for r in _json(liked)["ghost"]}


@pytest.mark.parametrize(
    "extra",
    [
        ["--attr", "agegroup=25-34"],  # unknown attribute
        ["--attr", "age_group"],  # not KEY=VALUE
        ["--like", "no-such-item"],
        ["-k", "0"],
    ],
)
def test_bad_input_exits_2(ranking_ws, extra):
    result = runner.invoke(
        app,
        ["recommend", "--workspace", str(ranking_ws), "--user", "new", "--json", *extra],
    )
    assert result.exit_code == 2, result.output
    assert "error" in _json(result)


def test_missing_workspace_exits_2(tmp_path):
    result = runner.invoke(app, ["eval", "ranking", "--workspace", str(tmp_path), "--json"])
    assert result.exit_code == 2


def test_eval_ranking_contract_with_the_temporal_split(ranking_ws):
    result = runner.invoke(app, ["eval", "ranking", "--workspace", str(ranking_ws), "--json"])
    assert result.exit_code == 0, result.output
    payload = _json(result)
    assert set(payload) >= CONTRACT
    assert 0.5 < payload["auc"] <= 1 and 0 < payload["ndcg@5"] <= 1 and payload["mse"] > 0
    assert payload["n_rows"] + payload["excluded_slice_rows"] == 100 * 10
    for key in ("recall@10", "ndcg@10", "tail_coverage@10", "tail_share@10"):
        assert 0.0 <= payload[key] <= 1.0
    popularity = payload["baselines"]["popularity"]
    assert popularity["mse"] is None and 0 <= popularity["auc"] <= 1
    assert "recall@10" in popularity
    assert payload["leave_last_out"]["n_users"] > 50
    weights = payload["leave_last_out"]["weights"]
    assert weights["preference"] + weights["choice"] == pytest.approx(1.0)
    assert weights["popularity"] == payload["leave_last_out"]["popularity_weight"]
    assert any(name.startswith("rating model only") for name in payload["baselines"])


def test_eval_ranking_without_a_random_log(tmp_path):
    items = pd.DataFrame(
        {"item_id": [f"i{i}" for i in range(12)], "title": [f"T{i}" for i in range(12)]}
    )
    users = pd.DataFrame({"user_id": [f"u{u}" for u in range(10)]})
    rows = [
        (f"u{u}", f"i{(u + j) % 12}", float(1 + (u * j) % 5)) for u in range(10) for j in range(5)
    ]
    inter = pd.DataFrame(rows, columns=["user_id", "item_id", "rating"])
    out = tmp_path / "ws"
    build_workspace(
        Dataset("plain", items, users, inter),
        out,
        BuildOptions(progress=False, skip=frozenset({"causal"})),
    )
    result = runner.invoke(app, ["eval", "ranking", "--workspace", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = _json(result)
    assert set(payload) >= CONTRACT
    assert payload["mse"] is None and payload["auc"] is None
    assert "random-exposure" in payload["reason"]
    assert "timestamps" in payload["leave_last_out_reason"]


def test_recommend_without_checks_a_counterfactual_reason(ranking_ws):
    args = ["recommend", "--workspace", str(ranking_ws), "--user", "u00003", "-k", "4"]
    args += ["--diversity", "0", "--json"]
    first = _json(runner.invoke(app, args))["u00003"]
    found = [r for r in first if r["counterfactual"]["verified"]]
    assert found, [r["counterfactual"]["text"] for r in first]
    reason = found[0]["counterfactual"]
    assert reason["rank"] <= 4 < reason["rank_without"]
    extra = [x for item in reason["without"] for x in ("--without", item)]
    again = _json(runner.invoke(app, args + extra))["u00003"]
    assert found[0]["item_id"] not in {r["item_id"] for r in again}
    bad = runner.invoke(app, [*args, "--without", "no-such-item"])
    assert bad.exit_code == 2 and "no-such-item" in bad.output
