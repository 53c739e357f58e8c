"""The Workspace protocol: what tools, the agent and the surfaces read from a workspace.

tools.workspace.Workspace (a folder on disk) is the real one; tests pass small stand-ins.
Everything a caller may touch is named here, typed, so a signature says `Workspace` rather
than `Any`. Importing this module imports nothing heavy: the component types are only named
for type checkers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from causal.build import CausalArtifacts
    from causal.datasets import AnalysisTable
    from causal.datasets.schema import Dataset
    from causal.effects import EffectResult
    from causal.ranking.model import Ranker
    from causal.structure import CausalGraph
    from tools.catalog import Catalog


class Workspace(Protocol):
    """A dataset and what was built from it: catalog, ranker, causal graph and effects.

    Components load lazily on first use; `graph` and `causal` are None when the build skipped
    the causal step, and `has_step` says which steps ran.
    """

    @property
    def root(self) -> Path:
        """The workspace folder."""
        ...

    @property
    def manifest(self) -> dict[str, Any]:
        """The parsed workspace.json: source, dataset summary, steps, catalog location."""
        ...

    @property
    def name(self) -> str:
        """The dataset's name."""
        ...

    @property
    def state_dir(self) -> Path:
        """Where agent sessions are kept."""
        ...

    @property
    def dataset(self) -> Dataset:
        """The dataset in the data contract."""
        ...

    @property
    def catalog(self) -> Catalog:
        """The searchable item catalog."""
        ...

    @property
    def ranker(self) -> Ranker:
        """The debiased ranker, with recorded feedback folded in."""
        ...

    @property
    def causal(self) -> CausalArtifacts | None:
        """The causal step's graph, key effects and notes (None when it was skipped)."""
        ...

    @property
    def graph(self) -> CausalGraph | None:
        """The learned causal graph (None without a causal step)."""
        ...

    @property
    def analysis_table(self) -> AnalysisTable:
        """The dataset as the causal engine reads it."""
        ...

    def has_step(self, name: str) -> bool:
        """True when the build ran the step `name`."""
        ...

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
        ...


__all__ = ["Workspace"]
