"""Open a workspace: a dataset plus everything derived from it, in one folder on disk.

Layout of a workspace folder W::

    W/workspace.json   manifest: source, dataset summary, steps built, catalog location
    W/data/            the dataset in the data contract (CSV + schema.toml)
    W/catalog/         the chromadb collection (absent when a Chroma server is used)
    W/<step>/          one folder per later build step (causal graph and effects, ranker)
    W/feedback.jsonl   feedback recorded in conversations (kept across rebuilds)
    W/state/           agent sessions (kept across rebuilds)

Building one is tools.workspace_build. Everything here loads lazily: opening a workspace reads
only its manifest; the dataset, catalog, ranker and causal artefacts load on first use.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from causal.datasets.csv_folder import load_csv_folder
from causal.datasets.schema import DataError, Dataset

if TYPE_CHECKING:
    from causal.build import CausalArtifacts
    from causal.datasets import AnalysisTable
    from causal.effects import EffectResult
    from causal.ranking.model import Ranker
    from causal.structure import CausalGraph
    from tools.catalog import Catalog

MANIFEST = "workspace.json"
RANKER_STEP = "ranker"
log = logging.getLogger(__name__)


class WorkspaceError(ValueError):
    """A path is not a usable workspace, or a build was asked for something impossible."""


def default_home() -> Path:
    """WhyRec's own folder for caches and default workspaces: $WHYREC_HOME or ~/.cache/whyrec."""
    env = os.environ.get("WHYREC_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "whyrec"


def is_workspace(path: Path) -> bool:
    """True when `path` holds a workspace manifest."""
    return (path / MANIFEST).is_file()


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
        from tools.catalog import open_catalog

        with self._lock:
            return open_catalog(self.root, self.manifest.get("catalog"))

    @cached_property
    def ranker(self) -> Ranker:
        """The debiased ranker, with feedback recorded since the last build folded in."""
        with self._lock:
            return _load_ranker(self)

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
        from causal.datasets import build_analysis_table

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
        from causal.effects.learned_graph import is_learned

        if str(kwargs.get("method", "auto")) in ("auto", "aipw") and is_learned(graph):
            # A discovered graph: the interval carries its open orientations and a second
            # outcome model, or the effect is declined with the reason.
            from causal.effects import estimate_on_learned_graph as estimate

            kwargs = {k: v for k, v in kwargs.items() if k != "method"}
            # Attributes schema.toml declares set from outside get no hidden-trait widening.
            kwargs.setdefault("exogenous", self.dataset.schema.exogenous())
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


def _load_ranker(workspace: Workspace) -> Ranker:
    """Load W/ranker and fold in feedback recorded after the last build's merge, so a
    restarted server still reflects what users said."""
    from causal.ranking.model import Ranker
    from tools.feedback import feedback_log

    folder = workspace.root / RANKER_STEP
    if not (folder / "ranker.json").is_file():
        raise WorkspaceError(
            f"{workspace.root} has no ranker; rebuild it with `whyrec build SOURCE --out "
            f"{workspace.root}` (without --skip ranker)"
        )
    ranker = Ranker.load(folder)
    merged = int((workspace.manifest.get("feedback") or {}).get("merged", 0))
    by_user: dict[str, list[tuple[str, object]]] = {}
    for record in feedback_log(workspace).read()[merged:]:
        if record.user_id is not None and ranker.known_item(record.item_id):
            by_user.setdefault(record.user_id, []).append((record.item_id, record.value))
    for user, feedback in by_user.items():
        try:
            ranker.fold_in(user, feedback)
        except ValueError as exc:  # a bad record must not stop the workspace from opening
            log.warning("skipping feedback of %s: %s", user, exc)
    return ranker


__all__ = [
    "DataError",
    "Workspace",
    "WorkspaceError",
    "default_home",
    "is_workspace",
]
