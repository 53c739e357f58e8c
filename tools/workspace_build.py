"""Build a workspace: write the dataset, then run the build steps, then swap the folder in.

Build steps (catalog, ranker, causal) are named "module:function" in BUILD_STEPS and called
with a BuildContext; a build writes everything into a temporary sibling folder and swaps it in
at the end, so an interrupted build leaves the previous workspace intact. Opening a built
workspace is tools.workspace.
"""

from __future__ import annotations

import importlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from causal.datasets.csv_folder import load_csv_folder, replace_folder, write_dataset
from causal.datasets.schema import Dataset
from tools.workspace import MANIFEST, Workspace, WorkspaceError, is_workspace

FORMAT_VERSION = 1
EdgeOrienter = Callable[[str, str, Mapping[str, str]], tuple[str, str] | None]
KEPT_ACROSS_REBUILDS = ("feedback.jsonl", "state")


@dataclass(frozen=True)
class BuildOptions:
    """Knobs of `whyrec build`."""

    seed: int = 0
    chroma_url: str | None = None
    progress: bool = True
    update: bool = False
    time_budget_s: float = 120.0
    skip: frozenset[str] = frozenset()
    # Decides the edges causal discovery leaves undecided: (x, y, descriptions) -> (cause,
    # effect), or None for no opinion. The CLI makes one from `--orient SPEC` (an LLM, see
    # agent.orient); tools and causal only call it, so they never import the agent.
    orient: EdgeOrienter | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class BuildContext:
    """What a build step gets: the dataset, the folder being built, and the one it replaces."""

    dataset: Dataset
    out: Path
    previous: Path | None
    options: BuildOptions
    log: Callable[[str], None] = field(default=lambda message: None)
    manifest: dict[str, Any] = field(default_factory=dict)

    def step_dir(self, name: str) -> Path:
        """The folder a step writes into (created on demand)."""
        path = self.out / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def previous_dir(self, name: str) -> Path | None:
        """The same step's folder in the workspace being replaced, if it exists."""
        if self.previous is None:
            return None
        path = self.previous / name
        return path if path.exists() else None


@dataclass(frozen=True)
class BuildStep:
    """One stage of a build: `target` is "module:function", called with a BuildContext."""

    name: str
    target: str
    description: str

    def run(self, ctx: BuildContext) -> dict[str, Any]:
        module_name, _, function_name = self.target.partition(":")
        function = getattr(importlib.import_module(module_name), function_name)
        return function(ctx) or {}


# Steps run in this order after the dataset is written. Later components add theirs here.
BUILD_STEPS: tuple[BuildStep, ...] = (
    BuildStep("catalog", "tools.workspace_build:build_catalog", "index items for text search"),
    BuildStep("ranker", "tools.ranking_step:build_ranker_step", "train the debiased ranker"),
    BuildStep("causal", "causal.build:workspace_step", "learn the causal graph and key effects"),
)


def build_workspace(
    source: str | Dataset | None,
    out: str | Path,
    options: BuildOptions | None = None,
    log: Callable[[str], None] | None = None,
) -> Workspace:
    """Build (or, with options.update, refresh) the workspace at `out` from a SOURCE or a Dataset."""
    opts = options or BuildOptions()
    say = log or (lambda message: None)
    target = Path(out).expanduser()
    previous = target if is_workspace(target) else None
    if target.exists() and previous is None and (not target.is_dir() or any(target.iterdir())):
        raise WorkspaceError(
            f"{target} exists and is not a workspace; refusing to overwrite it (choose another --out)"
        )
    unknown = opts.skip - {step.name for step in BUILD_STEPS}
    if unknown:
        raise WorkspaceError(
            f"unknown step(s) to skip: {sorted(unknown)}; steps are {[s.name for s in BUILD_STEPS]}"
        )

    old_manifest: dict[str, Any] = {}
    if previous is not None:
        old_manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
    dataset, source_text, feedback_state = _resolve_dataset(source, previous, opts, say)

    target.parent.mkdir(parents=True, exist_ok=True)
    from tools.build_folders import BuildClaim, remove_stale
    from tools.catalog.location import catalog_location

    remove_stale(target, is_workspace, say)  # folders of builds killed before they finished
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    claim = BuildClaim(tmp)
    started = time.perf_counter()
    try:
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "source": source_text,
            "dataset": dataset.summary(),
            "created_at": old_manifest.get("created_at", _now()),
            "updated_at": _now(),
            "seed": opts.seed,
            "catalog": catalog_location(target, opts.chroma_url, old_manifest, opts.update),
            "feedback": feedback_state,
            "steps": {},
        }
        say(
            f"writing dataset '{dataset.name}' ({len(dataset.items)} items, {len(dataset.users)} users, "
            f"{len(dataset.interactions)} interactions)"
        )
        write_dataset(dataset, tmp / "data")
        for name in KEPT_ACROSS_REBUILDS:
            if previous is not None and (previous / name).exists():
                _copy(previous / name, tmp / name)
        ctx = BuildContext(dataset, tmp, previous, opts, say, manifest)
        for step in BUILD_STEPS:
            if step.name in opts.skip:
                say(f"skipping {step.name}")
                continue
            say(f"{step.name}: {step.description}")
            t0 = time.perf_counter()
            info = step.run(ctx)
            info["seconds"] = round(time.perf_counter() - t0, 3)
            manifest["steps"][step.name] = info
        manifest["build_seconds"] = round(time.perf_counter() - started, 3)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        claim.release()
        replace_folder(tmp, target)
    except BaseException:
        claim.release()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Workspace(target)


def build_catalog(ctx: BuildContext) -> dict[str, Any]:
    """Build step: index the items in chromadb, re-embedding only what changed."""
    from tools.catalog import open_catalog

    location = ctx.manifest["catalog"]
    if location["mode"] == "local":
        previous = ctx.previous_dir("catalog")
        if previous is not None:
            _copy(previous, ctx.out / "catalog")
    catalog = open_catalog(ctx.out, location)
    stats = catalog.index(ctx.dataset.items, progress=ctx.options.progress)
    ctx.log(
        f"catalog: {stats.added} added, {stats.updated} updated, {stats.unchanged} unchanged, "
        f"{stats.removed} removed"
    )
    return {
        "items": len(catalog),
        "added": stats.added,
        "updated": stats.updated,
        "unchanged": stats.unchanged,
        "removed": stats.removed,
    }


def _resolve_dataset(
    source: str | Dataset | None,
    previous: Path | None,
    opts: BuildOptions,
    say: Callable[[str], None],
) -> tuple[Dataset, str, dict[str, Any]]:
    """The dataset to build from, its SOURCE text, and the feedback state for the manifest.

    --update without a SOURCE reloads the workspace's data and appends the feedback recorded
    since the last merge (the manifest's watermark); other builds start with nothing merged.
    """
    if opts.update:
        if previous is None:
            raise WorkspaceError("--update needs an existing workspace at --out")
        manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
        if source is None:
            from tools.feedback import merge_new_feedback

            dataset = load_csv_folder(previous / "data", name=manifest["dataset"]["name"])
            dataset, feedback = merge_new_feedback(dataset, previous, manifest, say)
            return dataset, manifest.get("source", ""), feedback
    if source is None:
        raise WorkspaceError("a SOURCE is needed (or --update on an existing workspace)")
    if isinstance(source, Dataset):
        return source, f"dataset:{source.name}", {"merged": 0}
    from causal.datasets.sources import load_source

    return load_source(source, log=say), source, {"merged": 0}


def _copy(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dst)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


__all__ = [
    "BUILD_STEPS",
    "BuildContext",
    "BuildOptions",
    "BuildStep",
    "build_workspace",
]
