"""Build and open a workspace: a dataset plus everything derived from it, in one folder on disk.

Layout of a workspace folder W::

    W/workspace.json   manifest: source, dataset summary, steps built, catalog location
    W/data/            the dataset in the data contract (CSV + schema.toml)
    W/catalog/         the chromadb collection (absent when a Chroma server is used)
    W/<step>/          one folder per later build step (causal graph and effects, ranker)
    W/feedback.jsonl   feedback recorded in conversations (kept across rebuilds)
    W/state/           agent sessions (kept across rebuilds)

A build writes everything into a temporary sibling folder and swaps it in at the end, so an
interrupted build leaves the previous workspace intact.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from causal.datasets.csv_folder import load_csv_folder, replace_folder, write_dataset
from causal.datasets.schema import DataError, Dataset

if TYPE_CHECKING:
    from causal.build import CausalArtifacts
    from causal.effects import EffectResult
    from causal.graph import CausalGraph
    from causal.ranking.model import Ranker
    from causal.table import AnalysisTable
    from tools.catalog import Catalog

MANIFEST = "workspace.json"
FORMAT_VERSION = 1
KEPT_ACROSS_REBUILDS = ("feedback.jsonl", "state")


class WorkspaceError(ValueError):
    """A path is not a usable workspace, or a build was asked for something impossible."""


@dataclass(frozen=True)
class BuildOptions:
    """Knobs of `whyrec build`."""

    seed: int = 0
    chroma_url: str | None = None
    progress: bool = True
    update: bool = False
    time_budget_s: float = 120.0
    skip: frozenset[str] = frozenset()


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
    BuildStep("catalog", "tools.workspace:build_catalog", "index items for text search"),
    BuildStep("ranker", "tools.ranking_step:build_ranker_step", "train the debiased ranker"),
    BuildStep("causal", "causal.build:workspace_step", "learn the causal graph and key effects"),
)


def default_home() -> Path:
    """WhyRec's own folder for caches and default workspaces: $WHYREC_HOME or ~/.cache/whyrec."""
    env = os.environ.get("WHYREC_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "whyrec"


def is_workspace(path: Path) -> bool:
    """True when `path` holds a workspace manifest."""
    return (path / MANIFEST).is_file()


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
            "catalog": _catalog_location(target, opts, old_manifest),
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
    from tools.catalog import Catalog

    location = ctx.manifest["catalog"]
    if location["mode"] == "local":
        previous = ctx.previous_dir("catalog")
        if previous is not None:
            _copy(previous, ctx.out / "catalog")
        catalog = Catalog.open(ctx.step_dir("catalog"), collection=location["collection"])
    else:
        catalog = Catalog.open(chroma_url=location["url"], collection=location["collection"])
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


class Workspace:
    """An opened workspace: its dataset and derived components, loaded lazily and thread-safely."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()
        if not is_workspace(self.root):
            raise WorkspaceError(
                f"{self.root} is not a workspace (no {MANIFEST}); create one with "
                f"`whyrec build SOURCE --out {self.root}`"
            )
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: str | Path) -> Workspace:
        """Open an existing workspace folder."""
        return cls(path)

    @cached_property
    def manifest(self) -> dict[str, Any]:
        """The parsed workspace.json."""
        try:
            return json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise WorkspaceError(f"{self.root / MANIFEST} is unreadable: {exc}") from None

    @property
    def name(self) -> str:
        """The dataset's name."""
        return str(self.manifest.get("dataset", {}).get("name", self.root.name))

    @property
    def steps(self) -> dict[str, Any]:
        """Build steps recorded in the manifest, with their summaries."""
        return dict(self.manifest.get("steps", {}))

    def has_step(self, name: str) -> bool:
        """True when the build ran the step `name`."""
        return name in self.steps

    def path(self, name: str) -> Path:
        """A file or folder inside the workspace."""
        return self.root / name

    @property
    def state_dir(self) -> Path:
        """Where agent sessions are kept (survives rebuilds)."""
        path = self.root / "state"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @cached_property
    def dataset(self) -> Dataset:
        """The workspace's dataset, validated on load."""
        with self._lock:
            return load_csv_folder(self.root / "data", name=self.name)

    @cached_property
    def catalog(self) -> Catalog:
        """The item catalog (local chromadb folder or the recorded Chroma server)."""
        from tools.catalog import Catalog

        with self._lock:
            location = self.manifest.get("catalog") or {}
            if location.get("mode") == "remote":
                return Catalog.open(chroma_url=location["url"], collection=location["collection"])
            return Catalog.open(
                self.root / "catalog", collection=location.get("collection", "items")
            )

    @cached_property
    def ranker(self) -> Ranker:
        """The debiased ranker, with feedback recorded since the last build folded in."""
        from tools.ranking_step import load_workspace_ranker

        with self._lock:
            return load_workspace_ranker(self)

    @cached_property
    def causal(self) -> CausalArtifacts | None:
        """The causal step's graph, key effects and table notes (None when it was skipped)."""
        from causal.build import GRAPH_FILE, STEP_NAME, load_causal

        with self._lock:
            folder = self.root / STEP_NAME
            return load_causal(folder) if (folder / GRAPH_FILE).is_file() else None

    @property
    def graph(self) -> CausalGraph | None:
        """The learned causal graph, or None when the workspace has none."""
        artifacts = self.causal
        return None if artifacts is None else artifacts.graph

    @cached_property
    def analysis_table(self) -> AnalysisTable:
        """The dataset as the causal engine reads it (one row per interaction, joined)."""
        from causal.table import build_analysis_table

        with self._lock:
            return build_analysis_table(self.dataset)

    def estimate_effect(
        self,
        treatment: str,
        outcome: str,
        treatment_value: Any = None,
        control_value: Any = None,
        given: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> EffectResult:
        """Identify, estimate and refute an effect on this workspace's data and graph."""
        from causal.effects import estimate_effect

        graph = self.graph
        if graph is None:
            raise WorkspaceError(
                f"{self.root} has no causal graph; rebuild it with `whyrec build` (causal step)"
            )
        if str(kwargs.get("method", "auto")) in ("auto", "aipw") and _learned(graph):
            # A discovered graph: the interval carries its open orientations and a second
            # outcome model, or the effect is declined with the reason.
            from causal.effect_uncertainty import estimate_on_learned_graph as estimate

            kwargs = {k: v for k, v in kwargs.items() if k != "method"}
        else:
            estimate = estimate_effect
        return estimate(
            self.analysis_table,
            graph,
            treatment,
            outcome,
            treatment_value,
            control_value,
            given,
            **kwargs,
        )


def _learned(graph: CausalGraph) -> bool:
    """True when discovery decided the graph's edges (not a graph the user supplied)."""
    how = {graph.edge_info(u, v).oriented_by for u, v in graph.edges}
    return bool(how - {None, "given"})


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


def _catalog_location(target: Path, opts: BuildOptions, old: dict[str, Any]) -> dict[str, Any]:
    if opts.chroma_url is None and old.get("catalog", {}).get("mode") == "remote" and opts.update:
        return dict(old["catalog"])
    if opts.chroma_url is None:
        return {"mode": "local", "collection": "items"}
    digest = hashlib.sha1(str(target.resolve()).encode()).hexdigest()[:10]
    slug = "".join(c if c.isalnum() else "-" for c in target.name)[:40].strip("-") or "ws"
    return {"mode": "remote", "url": opts.chroma_url, "collection": f"whyrec-{slug}-{digest}"}


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
    "DataError",
    "Workspace",
    "WorkspaceError",
    "build_workspace",
    "default_home",
]
