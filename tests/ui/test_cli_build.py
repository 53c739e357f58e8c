"""`whyrec build` and `whyrec data`: exit codes, atomic writes, incremental catalog rebuilds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tools.workspace_build as workspace_module
from tools.workspace import Workspace
from tools.workspace_build import BuildOptions, BuildStep, build_workspace
from ui.cli import app

runner = CliRunner()


def _build_args(source: str, out: Path) -> list[str]:
    args = ["build", source, "--out", str(out), "--no-progress"]
    # Only the foundation steps: later steps (causal, ranker) have their own tests.
    for step in workspace_module.BUILD_STEPS:
        if step.name != "catalog":
            args += ["--skip", step.name]
    return args


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_build_csv_folder(tmp_path: Path, tiny_dataset_dir: Path) -> None:
    out = tmp_path / "ws"
    result = runner.invoke(app, _build_args(str(tiny_dataset_dir), out))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "workspace.json").read_text())
    assert manifest["dataset"]["n_items"] == 5
    assert manifest["steps"]["catalog"]["added"] == 5
    ws = Workspace.open(out)
    assert list(ws.dataset.items["item_id"]) == ["i1", "i2", "i3", "i4", "i5"]
    hits = ws.catalog.search("waterproof jacket for hiking in the rain", k=2)
    assert hits[0].item_id == "i1"
    assert _leftovers(tmp_path) == []


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "interactions.csv").write_text("user_id,item_id,rating\nu1,i1,lots\n")
    out = tmp_path / "ws"
    result = runner.invoke(app, _build_args(str(tiny_dataset_dir), out))
    assert result.exit_code == 2
    assert "interactions.csv, line 2, column 'rating'" in result.output
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_unknown_source_and_bad_url_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "no-such-thing", "--out", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert "unknown SOURCE" in result.output
    result = runner.invoke(
        app, ["build", "synthetic", "--out", str(tmp_path / "w"), "--chroma-url", "ftp:/x"]
    )
    assert result.exit_code == 2
    assert "--chroma-url" in result.output


def test_refuses_to_overwrite_a_foreign_folder(tmp_path: Path, tiny_dataset_dir: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    result = runner.invoke(app, _build_args(str(tiny_dataset_dir), precious))
    assert result.exit_code == 2
    assert (precious / "thesis.tex").read_text() == "do not delete"


def test_interrupted_build_keeps_previous_workspace(
    tmp_path: Path, tiny_dataset_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ws"
    skip = frozenset(s.name for s in workspace_module.BUILD_STEPS if s.name != "catalog")
    build_workspace(str(tiny_dataset_dir), out, BuildOptions(progress=False, skip=skip))
    before = (out / "workspace.json").read_text()
    (tiny_dataset_dir / "items.csv").write_text(
        (tiny_dataset_dir / "items.csv").read_text().replace("Storm rain jacket", "Renamed jacket")
    )
    boom = BuildStep("boom", "tests_ui_interrupt:explode", "fails halfway")
    monkeypatch.setattr(workspace_module, "BUILD_STEPS", (*workspace_module.BUILD_STEPS, boom))
    monkeypatch.setitem(sys.modules, "tests_ui_interrupt", _ExplodingModule())
    with pytest.raises(KeyboardInterrupt):
        build_workspace(str(tiny_dataset_dir), out, BuildOptions(progress=False, skip=skip))
    assert (out / "workspace.json").read_text() == before
    assert Workspace.open(out).dataset.items["title"].iloc[0] == "Storm rain jacket"
    assert _leftovers(tmp_path) == []


class _ExplodingModule:
    @staticmethod
    def explode(ctx: object) -> dict:
        raise KeyboardInterrupt


def test_rebuild_reindexes_only_changed_items(tmp_path: Path, tiny_dataset_dir: Path) -> None:
    out = tmp_path / "ws"
    skip = frozenset(s.name for s in workspace_module.BUILD_STEPS if s.name != "catalog")
    build_workspace(str(tiny_dataset_dir), out, BuildOptions(progress=False, skip=skip))
    items = (tiny_dataset_dir / "items.csv").read_text()
    items = items.replace("Sturdy boots for city walks", "Waterproof boots for rainy city walks")
    items = "\n".join(line for line in items.splitlines() if not line.startswith("i3,")) + "\n"
    (tiny_dataset_dir / "items.csv").write_text(items)
    (tiny_dataset_dir / "interactions.csv").write_text(
        "\n".join(
            line
            for line in (tiny_dataset_dir / "interactions.csv").read_text().splitlines()
            if ",i3," not in line
        )
        + "\n"
    )
    ws = build_workspace(str(tiny_dataset_dir), out, BuildOptions(progress=False, skip=skip))
    info = ws.manifest["steps"]["catalog"]
    assert (info["added"], info["updated"], info["unchanged"], info["removed"]) == (0, 1, 3, 1)
    assert len(ws.catalog) == 4


def test_data_info_and_export(tmp_path: Path, coat_dir: Path) -> None:
    result = runner.invoke(app, ["data", "info", f"coat:{coat_dir}", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n_users"] == 290 and summary["n_random_exposure"] == 4640
    out = tmp_path / "coat-csv"
    result = runner.invoke(app, ["data", "export", f"coat:{coat_dir}", "--out", str(out)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["data", "info", str(out), "--json"])
    assert json.loads(again.stdout)["n_interactions"] == 6960


def test_console_script_exit_code(tmp_path: Path) -> None:
    """The installed `whyrec` entry point returns 2 on bad input, from a real process."""
    whyrec = Path(sys.executable).parent / "whyrec"
    done = subprocess.run(
        [str(whyrec), "data", "info", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown SOURCE" in done.stderr
