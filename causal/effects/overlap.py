"""Overlap (positivity): how much of the target has both arms in its covariate cells.

Why: every adjustment method extrapolates where one arm never occurs; these shares decide
between stratified and regression adjustment and feed the caveat or the decline.
"""

from __future__ import annotations

import numpy as np

from causal.effects.problem import Problem


def stratified_coverage(p: Problem) -> float:
    """Share of target rows whose covariate cell has both arms in the source rows."""
    cells = p.cells()
    a = p.arms.source
    n1 = np.bincount(cells.source[a == 1], minlength=cells.n_cells)
    n0 = np.bincount(cells.source[a == 0], minlength=cells.n_cells)
    both = (n1 > 0) & (n0 > 0)
    return float(both[cells.target].mean()) if len(cells.target) else 0.0


def unsupported_share(p: Problem) -> tuple[float, tuple[int, ...]]:
    """Share of target rows with a confounder value never seen in one arm (no overlap).

    Checked one confounder at a time, so a gap is a plain positivity violation (e.g. no
    blockbuster among the lowest-quality items), not the sparsity of a fine joint cell. Every
    adjustment method extrapolates on those rows; returns the share and the columns at fault.
    """
    a = p.arms.source
    k = p.n_confounders
    if k == 0 or len(p.arms.target) == 0:
        return 0.0, ()
    gap = np.zeros(len(p.x_target), dtype=bool)
    culprits: list[int] = []
    for j in range(k):
        card = max(int(p.cards[j]), int(p.x_source[:, j].max(initial=0)) + 1)
        n1 = np.bincount(p.x_source[a == 1, j], minlength=card)
        n0 = np.bincount(p.x_source[a == 0, j], minlength=card)
        codes = p.x_target[:, j]
        inside = codes < card
        missing = np.ones(len(codes), dtype=bool)
        missing[inside] = (n1[codes[inside]] == 0) | (n0[codes[inside]] == 0)
        if missing.any():
            culprits.append(j)
        gap |= missing
    return float(gap.mean()), tuple(culprits)


def dose_unsupported_share(p: Problem, dose: np.ndarray) -> tuple[float, tuple[int, ...]]:
    """For a continuous treatment: share of target rows with a confounder value under which
    the treatment never varies (one observed dose), so the slope there is pure extrapolation.

    Why: a continuous treatment has no arms, so `unsupported_share` would call every row
    unsupported; the dose-response analogue of positivity is variation within each value.
    """
    k = p.n_confounders
    if k == 0 or len(p.x_target) == 0:
        return 0.0, ()
    dose = np.asarray(dose, dtype=float)
    seen = np.isfinite(dose)
    gap = np.zeros(len(p.x_target), dtype=bool)
    culprits: list[int] = []
    for j in range(k):
        codes_src = p.x_source[seen, j]
        card = max(int(p.cards[j]), int(p.x_source[:, j].max(initial=0)) + 1)
        values = dose[seen]
        count = np.bincount(codes_src, minlength=card)
        low = np.full(card, np.inf)
        high = np.full(card, -np.inf)
        np.minimum.at(low, codes_src, values)
        np.maximum.at(high, codes_src, values)
        varies = (count > 1) & (high > low)
        codes = p.x_target[:, j]
        inside = codes < card
        missing = np.ones(len(codes), dtype=bool)
        missing[inside] = ~varies[codes[inside]]
        if missing.any():
            culprits.append(j)
        gap |= missing
    return float(gap.mean()), tuple(culprits)


__all__ = ["dose_unsupported_share", "stratified_coverage", "unsupported_share"]
