"""How far a hidden trait of the user (or item) could move the effect of one of its attributes.

Why: an attribute that is constant within a user (a plan, a device, an age group) is compared
across users, so any unrecorded trait of the user that drives both the attribute and the
user's behaviour confounds the contrast, and no graph learned from the log can show it (a
hidden "engagement" that makes users both buy premium and click more). A learned graph
that gives the attribute no causes is no evidence either way (the benchmark's discovered
graphs leave `premium` a root in some seeds), so every user- or item-level attribute gets the
bound unless the caller declares it exogenous (an age group, a region: nothing hidden chose
it); the learned-graph estimate is never reported with a sampling-only interval.

The bound follows Cinelli & Hazlett's omitted-variable bias for a hidden variable U at the
treatment's level (users or items):

    |bias| <= sqrt(f / (1 - f)) * sd(u | T, X) / sd(T | X)

* sd(u | T, X): the between-cluster standard deviation of the outcome's residuals (a one-way
  random-effects ANOVA of the outcome model's residuals by user or item). A trait of the user
  can move the outcome by no more than what the user's rows share and the model leaves
  unexplained; the data give this part.
* sd(T | X): the spread of the treatment left after the adjustment set (treatment indicator
  minus its propensity).
* f: the share of that left-over treatment variation a hidden trait could explain. The data
  cannot give it; `MAX_HIDDEN_SHARE` = 0.5 (as much as everything else together) makes the
  bound sd(u | T, X) / sd(T | X).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from causal.datasets.analysis_table import AnalysisTable
from causal.datasets.variables import Level
from causal.effects.identification import identify
from causal.effects.models import outcome_model, propensity_model
from causal.effects.setup import build_setup
from causal.structure.graph import CausalGraph

MAX_HIDDEN_SHARE = 0.5


@dataclass(frozen=True)
class HiddenConfoundingBound:
    """The largest bias a hidden trait at the treatment's level could cause, and its parts."""

    bound: float
    level: str  # "user" or "item"
    causes: tuple[str, ...]  # the treatment's parents in the graph (may be empty)
    sd_between: float  # sd(u | T, X) of the outcome residuals
    sd_treatment: float  # sd(T | X)
    hidden_share: float = MAX_HIDDEN_SHARE

    def sentence(self, treatment: str, outcome: str) -> str:
        """Plain words for a note or a decline."""
        causes = f" (the graph names {', '.join(self.causes)} as causes)" if self.causes else ""
        return (
            f"'{treatment}' is an attribute of the {self.level}, compared across {self.level}s"
            f"{causes}, so a hidden trait of the {self.level} that drives it may also drive "
            f"'{outcome}'; "
            f"one that explains up to {self.hidden_share:.0%} of the left-over variation in "
            f"'{treatment}' could shift the estimate by up to {self.bound:.3g}"
        )


def between_cluster_sd(residuals: np.ndarray, clusters: np.ndarray) -> float:
    """Standard deviation of the cluster effects in `residuals` (one-way random-effects ANOVA)."""
    _, codes = np.unique(clusters, return_inverse=True)
    n_c = np.bincount(codes).astype(np.float64)
    n, c = len(residuals), len(n_c)
    if c < 2 or n <= c:
        return 0.0
    means = np.bincount(codes, weights=residuals) / n_c
    within = float(np.sum((residuals - means[codes]) ** 2)) / (n - c)
    between = float(np.sum(n_c * (means - residuals.mean()) ** 2)) / (c - 1)
    n0 = (n - float(np.sum(n_c**2)) / n) / (c - 1)
    return float(np.sqrt(max((between - within) / max(n0, 1e-12), 0.0)))


def hidden_confounding_bound(
    table: AnalysisTable,
    graph: CausalGraph,
    treatment: str,
    outcome: str,
    treatment_value: Any = None,
    control_value: Any = None,
    given: Mapping[str, Any] | None = None,
    *,
    source: str = "auto",
    exogenous: Iterable[str] = (),
    hidden_share: float = MAX_HIDDEN_SHARE,
) -> HiddenConfoundingBound | None:
    """The bound for a user- or item-level treatment, else None.

    None when the treatment varies within users and items (rows compare like with like), when
    the caller declares it exogenous (demographics, say), when the outcome is not a per-row
    behaviour, or for a continuous treatment.
    """
    if not 0.0 < hidden_share < 1.0:
        raise ValueError(f"hidden_share must lie strictly between 0 and 1, got {hidden_share}")
    t_spec, y_spec = table.spec(treatment), table.spec(outcome)
    if t_spec.level not in (Level.USER, Level.ITEM) or y_spec.level is not Level.INTERACTION:
        return None
    if treatment in set(exogenous) or treatment not in graph:
        return None
    causes = tuple(sorted(graph.parents(treatment)))
    ident = identify(table, graph, treatment, outcome, given, source)
    if not ident.identified:
        return None
    covariates = [*ident.adjustment_set, *ident.precision_set]
    setup = build_setup(
        table,
        treatment,
        outcome,
        ident,
        covariates,
        treatment_value,
        control_value,
        dict(given or {}),
    )
    if setup.continuous:
        return None
    p = setup.problem
    arm = p.arms.source
    keep = arm < 2
    cells, conf = p.cells(), p.cells(confounders_only=True)
    mu = np.zeros(p.n)
    for g in (0, 1):
        fit = outcome_model(
            cells, arm, p.y, g, clusters=cells.arm_clusters(arm, g, p.cluster_source)
        )
        mu = np.where(arm == g, fit[cells.source], mu)
    n_arms = 3 if (arm == 2).any() else 2
    e = propensity_model(conf, arm, n_arms, clusters=conf.clusters_per_cell(p.cluster_source))
    e = e[conf.source]
    p1 = e[:, 1] / np.maximum(e[:, 0] + e[:, 1], 1e-12)
    sd_t = float(np.std(((arm == 1) - p1)[keep]))
    sd_u = between_cluster_sd((p.y - mu)[keep], p.cluster_source[keep])
    if sd_t <= 0:
        return None
    bound = float(np.sqrt(hidden_share / (1.0 - hidden_share)) * sd_u / sd_t)
    level = "user" if t_spec.level is Level.USER else "item"
    return HiddenConfoundingBound(bound, level, causes, sd_u, sd_t, hidden_share)


__all__ = [
    "MAX_HIDDEN_SHARE",
    "HiddenConfoundingBound",
    "between_cluster_sd",
    "hidden_confounding_bound",
]
