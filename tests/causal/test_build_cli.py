"""The causal build step and the `whyrec graph` / `whyrec effect` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from causal.build import build_causal, load_causal
from causal.datasets.synthetic import SyntheticConfig, make_world
from causal.structure import GraphError

runner = CliRunner()

EFFECT_KEYS = {
    "identified",
    "estimate",
    "ci_low",
    "ci_high",
    "method",
    "adjustment_set",
    "n",
    "refutations",
    "summary",
    "reason",
}


@pytest.fixture(scope="module")
def world():
    return make_world(SyntheticConfig(seed=4, n_users=300, n_items=200, n_interactions=15_000))


@pytest.fixture(scope="module")
def workspace(world, tmp_path_factory) -> Path:
    """A workspace with only the dataset and the causal step (no catalog, no ranker).

    The causal step is run by count (2 stability resamples) with the budget as a safety
    limit only: through `build_workspace` with a 10 s budget a loaded machine timed discovery
    out and left the workspace without a graph.
    """
    from causal.build import STEP_NAME
    from tools import workspace_build as workspace_module
    from tools.workspace_build import BuildOptions, build_workspace

    out = tmp_path_factory.mktemp("causal-ws") / "ws"
    skip = frozenset(s.name for s in workspace_module.BUILD_STEPS)
    build_workspace(world.dataset, out, BuildOptions(progress=False, time_budget_s=10, skip=skip))
    build_causal(world.dataset, out / STEP_NAME, time_budget_s=300, n_bootstrap=2, progress=False)
    return out


def test_build_and_load(world, tmp_path: Path) -> None:
    # The work is bounded by count (2 stability resamples), not by the clock: a 10 s budget
    # made the outcome depend on how loaded the machine was (discovery timed out, or the
    # effects ran out of time). The budget stays as a safety limit only.
    lines: list[str] = []
    summary = build_causal(
        world.dataset,
        tmp_path / "causal",
        time_budget_s=300,
        n_bootstrap=2,
        progress=False,
        say=lines.append,
    )
    assert summary["edges"] > 5 and summary["effects"] >= 2
    for name in ("graph.json", "graph.dot", "graph.png", "effects.json", "table.json"):
        assert (tmp_path / "causal" / name).is_file(), name
    art = load_causal(tmp_path / "causal")
    assert ("position", "clicked") in art.graph.edges
    assert art.graph.role("clicked") == "outcome"
    promoted = art.effect("promoted", "clicked")
    assert promoted is not None and promoted["identified"] and promoted["estimate"] > 0
    assert art.table["variables"]["rating"]["selected_by"] == "clicked"
    assert any("causal graph" in line for line in lines)
    with pytest.raises(GraphError, match="no causal graph"):
        load_causal(tmp_path / "nothing-here")


def test_build_skips_data_too_small_for_discovery(tmp_path: Path) -> None:
    tiny = make_world(
        SyntheticConfig(seed=0, n_users=3, n_items=12, n_interactions=6, random_per_user=2)
    )
    summary = build_causal(tiny.dataset, tmp_path / "c", time_budget_s=5, progress=False)
    assert "skipped" in summary and "at least 20" in summary["skipped"]
    assert not (tmp_path / "c" / "graph.json").exists()


def test_graph_command(workspace: Path) -> None:
    from ui.cli import app

    result = runner.invoke(app, ["graph", "--workspace", str(workspace), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"nodes", "edges", "stability"}
    assert "rating" in data["nodes"] and ["clicked", "rating"] in data["edges"]
    assert all(0.0 <= v <= 1.0 for v in data["stability"].values())
    dot = runner.invoke(app, ["graph", "--workspace", str(workspace), "--format", "dot"])
    assert dot.exit_code == 0 and dot.stdout.startswith("digraph")
    png_path = workspace / "picture.png"
    png = runner.invoke(
        app,
        [
            "graph",
            "--workspace",
            str(workspace),
            "--format",
            "png",
            "--out",
            str(png_path),
            "--highlight",
            "position",
            "--highlight",
            "clicked",
        ],
    )
    assert png.exit_code == 0, png.output
    assert png_path.read_bytes()[:4] == b"\x89PNG"
    bad = runner.invoke(
        app, ["graph", "--workspace", str(workspace), "--format", "png", "--highlight", "postion"]
    )
    assert bad.exit_code == 2 and "position" in bad.output


def test_effect_command(workspace: Path) -> None:
    from ui.cli import app

    args = ["effect", "--workspace", str(workspace), "--json"]
    result = runner.invoke(
        app,
        [
            *args,
            "--treatment",
            "genre",
            "--outcome",
            "rating",
            "--treatment-value",
            "comedy",
            "--control-value",
            "drama",
            "--given",
            "age_group=25-34",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == EFFECT_KEYS
    assert data["identified"] and data["ci_low"] <= data["estimate"] <= data["ci_high"]
    refused = runner.invoke(app, [*args, "--treatment", "clicked", "--outcome", "rating"])
    assert refused.exit_code == 0
    assert json.loads(refused.stdout)["identified"] is False
    unknown = runner.invoke(app, [*args, "--treatment", "genr", "--outcome", "rating"])
    assert unknown.exit_code == 2 and "genre" in unknown.output
    bad_value = runner.invoke(
        app, [*args, "--treatment", "genre", "--outcome", "rating", "--treatment-value", "opera"]
    )
    assert bad_value.exit_code == 2
    bad_given = runner.invoke(
        app, [*args, "--treatment", "promoted", "--outcome", "clicked", "--given", "age_group"]
    )
    assert bad_given.exit_code == 2 and "COL=VAL" in bad_given.output
    text = runner.invoke(
        app,
        [
            "effect",
            "--workspace",
            str(workspace),
            "--treatment",
            "promoted",
            "--outcome",
            "clicked",
        ],
    )
    assert text.exit_code == 0 and "refutation" in text.stdout


def test_workspace_without_graph(tmp_path: Path, world) -> None:
    from tools import workspace_build as workspace_module
    from tools.workspace import Workspace
    from tools.workspace_build import BuildOptions, build_workspace
    from ui.cli import app

    out = tmp_path / "bare"
    skip = frozenset(s.name for s in workspace_module.BUILD_STEPS)
    build_workspace(world.dataset, out, BuildOptions(progress=False, skip=skip))
    assert Workspace(out).graph is None
    result = runner.invoke(app, ["graph", "--workspace", str(out)])
    assert result.exit_code == 2 and "no causal graph" in result.output
    result = runner.invoke(
        app, ["effect", "--workspace", str(out), "--treatment", "promoted", "--outcome", "clicked"]
    )
    assert result.exit_code == 2
