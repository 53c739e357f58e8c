"""The numeric form of an effect question: arms, outcomes, covariate codes, clusters, target rows.

Why: estimators take this one object (and return an `Estimate`), so each stays a function of
arrays, free of tables, graphs and names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from causal.effects.models import Cells


@dataclass(frozen=True)
class Arms:
    """Arm of every row: 1 treated, 0 control, 2 any other treatment value."""

    source: np.ndarray
    target: np.ndarray


@dataclass(frozen=True)
class Problem:
    """What an estimator needs: arms, outcome, covariate codes, cluster ids, target rows."""

    arms: Arms
    y: np.ndarray  # source outcome (float)
    x_source: np.ndarray  # (n_source, k) int codes >= 0
    x_target: np.ndarray  # (n_target, k)
    cards: tuple[int, ...]
    cluster_source: np.ndarray  # int ids into a shared cluster space
    cluster_target: np.ndarray
    n_clusters: int
    transported: bool  # source rows differ from target rows
    n_confounders: int = -1  # the first n covariates are confounders (-1: all)
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.n_confounders < 0:
            object.__setattr__(self, "n_confounders", self.x_source.shape[1])

    def cells(self, confounders_only: bool = False) -> Cells:
        """Covariate cells (all covariates, or the confounders only), built once."""
        key = "conf" if confounders_only else "all"
        if key not in self.cache:
            k = self.n_confounders if confounders_only else self.x_source.shape[1]
            self.cache[key] = Cells(self.x_source[:, :k], self.x_target[:, :k], self.cards[:k])
        return self.cache[key]

    @property
    def n(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its bootstrap interval."""

    value: float
    ci_low: float
    ci_high: float
    n_boot: int
    notes: tuple[str, ...] = ()


__all__ = ["Arms", "Estimate", "Problem"]
