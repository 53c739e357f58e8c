"""Cell models of effect estimation: outcome means, propensities and transport weights.

Everything works on discrete covariate *cells* (the joint value of the adjustment variables),
so fitting and bootstrapping cost a few bincounts however many rows there are:

* outcome model mu_g(x) for each arm g: cell means shrunk toward an additive least-squares
  fit, `(sum_y + k * additive) / (n + k)` -- saturated where a cell is well populated,
  additive where it is sparse or empty;
* propensity e_g(x) = P(arm g | x) over the arms {treated, control, other}: cell frequencies
  shrunk the same way toward an additive multinomial logistic fit, clipped at `E_MIN`;
* the estimand is the average over a *target* population of rows (the logged interactions);
  the source rows (where outcomes come from) may be another log -- the random-exposure log --
  in which case source rows are reweighted by P_target(x) / P_source(x) (transport).

Intervals come from `bootstrap.py`; the estimators in `estimators/` combine these models.
"""

from __future__ import annotations

import numpy as np

E_MIN = 0.01
SHRINK = 5.0


def _joint_key(x: np.ndarray, cards: tuple[int, ...]) -> np.ndarray:
    """One int64 per row for the joint value of the columns of x."""
    key = np.zeros(len(x), dtype=np.int64)
    total = 1
    for j, card in enumerate(cards):
        total *= max(card, 1)
        if total > 2**62:
            _, inv = np.unique(x, axis=0, return_inverse=True)
            return inv.ravel().astype(np.int64)
        key = key * max(card, 1) + x[:, j]
    return key


class Cells:
    """Joint covariate cells shared by source and target rows, with an additive design."""

    def __init__(self, x_source: np.ndarray, x_target: np.ndarray, cards: tuple[int, ...]) -> None:
        import pandas as pd

        n_s = len(x_source)
        if x_source.shape[1] == 0:
            self.codes = np.zeros((1, 0), dtype=np.int64)
            self.source = np.zeros(n_s, dtype=np.int64)
            self.target = np.zeros(len(x_target), dtype=np.int64)
        else:
            both = np.vstack([x_source, x_target])
            inverse, uniques = pd.factorize(_joint_key(both, cards))
            inverse = inverse.astype(np.int64)
            first = np.zeros(len(uniques), dtype=np.int64)
            first[inverse[::-1]] = np.arange(len(inverse))[::-1]
            self.codes = both[first]
            self.source = inverse[:n_s]
            self.target = inverse[n_s:]
        self.cards = cards
        self.n_cells = len(self.codes)
        cols = [np.ones(self.n_cells)]
        for j, card in enumerate(cards):
            for level in range(1, card):
                cols.append((self.codes[:, j] == level).astype(np.float64))
        self.design = np.column_stack(cols)

        self._clusters: np.ndarray | None = None

    def clusters_per_cell(self, cluster: np.ndarray) -> np.ndarray:
        """Distinct clusters (users or items) behind each cell's source rows (cached)."""
        if self._clusters is None:
            n_cl = int(cluster.max()) + 1 if len(cluster) else 1
            pairs = np.unique(self.source * n_cl + cluster)
            self._clusters = np.bincount(pairs // n_cl, minlength=self.n_cells).astype(np.float64)
        return self._clusters

    def arm_clusters(self, arm: np.ndarray, g: int, cluster: np.ndarray) -> np.ndarray:
        """Approximate distinct clusters behind arm g's rows per cell (its share of the cell)."""
        total = np.bincount(self.source, minlength=self.n_cells).astype(np.float64)
        n_g = np.bincount(self.source[arm == g], minlength=self.n_cells).astype(np.float64)
        return self.clusters_per_cell(cluster) * n_g / np.maximum(total, 1.0)


def _additive_means(
    design: np.ndarray, n: np.ndarray, s: np.ndarray, ridge: float = 1e-3
) -> np.ndarray:
    """Weighted least squares of cell means on the additive design; predictions per cell."""
    seen = n > 0
    if not seen.any():
        return np.zeros(len(n))
    d = design[seen]
    w = n[seen]
    gram = (d * w[:, None]).T @ d + ridge * np.eye(d.shape[1])
    beta = np.linalg.solve(gram, d.T @ s[seen])
    return design @ beta


def outcome_model(
    cells: Cells,
    arm: np.ndarray,
    y: np.ndarray,
    g: int,
    w: np.ndarray | None = None,
    shrink: float = SHRINK,
    clusters: np.ndarray | None = None,
) -> np.ndarray:
    """mu_g per cell: cell means shrunk toward the additive fit (arm g's source rows).

    The weight of a cell's own mean is its number of distinct clusters (users or items),
    not rows: 600 rows of one item say little about other items in the same cell.
    """
    sel = arm == g
    weights = np.ones(int(sel.sum())) if w is None else w[sel]
    n = np.bincount(cells.source[sel], weights=weights, minlength=cells.n_cells)
    s = np.bincount(cells.source[sel], weights=weights * y[sel], minlength=cells.n_cells)
    if shrink <= 0:
        return np.where(n > 0, s / np.maximum(n, 1e-12), np.nan)
    additive = _additive_means(cells.design, n, s)
    m = n if clusters is None else np.minimum(clusters, n)
    mean = np.where(n > 0, s / np.maximum(n, 1e-12), 0.0)
    return (m * mean + shrink * additive) / (m + shrink)


def propensity_model(
    cells: Cells,
    arm: np.ndarray,
    n_arms: int,
    shrink: float = SHRINK,
    clusters: np.ndarray | None = None,
    w: np.ndarray | None = None,
) -> np.ndarray:
    """e_g per cell for each arm (n_cells x n_arms): shrunk frequencies, clipped at E_MIN."""
    counts = np.zeros((cells.n_cells, n_arms))
    for g in range(n_arms):
        sel = arm == g
        counts[:, g] = np.bincount(
            cells.source[sel], weights=None if w is None else w[sel], minlength=cells.n_cells
        )
    total = counts.sum(axis=1)
    additive = fit_logistic(cells.design, counts)
    freq = counts / np.maximum(total[:, None], 1e-12)
    m = total if clusters is None else np.minimum(clusters, total)
    probs = (m[:, None] * freq + shrink * additive) / (m[:, None] + shrink)
    return np.clip(probs, E_MIN, 1.0)


def fit_logistic(
    design: np.ndarray, counts: np.ndarray, ridge: float = 1e-2, iters: int = 30
) -> np.ndarray:
    """Multinomial logistic regression on aggregated cells (Newton steps); probabilities per cell.

    `counts[c, g]` is how many rows of cell c fall in class g; the first present class is the
    reference. A small ridge keeps separated cells finite.
    """
    n_cells, n_classes = counts.shape
    present = [g for g in range(n_classes) if counts[:, g].sum() > 0]
    out = np.zeros((n_cells, n_classes))
    if not present:
        out[:] = 1.0 / n_classes
        return out
    if len(present) == 1:
        out[:, present[0]] = 1.0
        return out
    total = counts.sum(axis=1)
    rows = total > 0
    d = design[rows]
    c = counts[rows][:, present]
    n = total[rows]
    k = len(present) - 1
    p = d.shape[1]
    beta = np.zeros((p, k))
    penalty = ridge * np.eye(p)
    penalty[0, 0] = 0.0
    big_pen = np.kron(np.eye(k), penalty)
    for _ in range(iters):
        eta = np.column_stack([np.zeros(len(d)), d @ beta])
        eta -= eta.max(axis=1, keepdims=True)
        prob = np.exp(eta)
        prob /= prob.sum(axis=1, keepdims=True)
        resid = c[:, 1:] - n[:, None] * prob[:, 1:]
        grad = (d.T @ resid).T.ravel() - big_pen @ beta.T.ravel()
        hess = np.zeros((p * k, p * k))
        for a in range(k):
            for b in range(k):
                wab = n * prob[:, 1 + a] * ((a == b) - prob[:, 1 + b])
                hess[a * p : (a + 1) * p, b * p : (b + 1) * p] = (d * wab[:, None]).T @ d
        hess += big_pen
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        step = np.clip(step, -5.0, 5.0)
        beta += step.reshape(k, p).T
        if np.max(np.abs(step)) < 1e-4:
            break
    eta = np.column_stack([np.zeros(n_cells), design @ beta])
    eta -= eta.max(axis=1, keepdims=True)
    prob = np.exp(eta)
    prob /= prob.sum(axis=1, keepdims=True)
    for j, g in enumerate(present):
        out[:, g] = prob[:, j]
    return out


def transport_weights(
    cells: Cells,
    shrink: float = SHRINK,
    ws: np.ndarray | None = None,
    wt: np.ndarray | None = None,
) -> np.ndarray:
    """P_target(x) / P_source(x) per cell (shrunk toward an additive logistic fit)."""
    counts = np.column_stack(
        [
            np.bincount(cells.source, weights=ws, minlength=cells.n_cells),
            np.bincount(cells.target, weights=wt, minlength=cells.n_cells),
        ]
    ).astype(np.float64)
    additive = fit_logistic(cells.design, counts)
    total = counts.sum(axis=1)
    p_target = (counts[:, 1] + shrink * additive[:, 1]) / (total + shrink)
    p_target = np.clip(p_target, 1e-3, 1 - 1e-3)
    n_s, n_t = counts[:, 0].sum(), counts[:, 1].sum()
    return p_target / (1 - p_target) * (n_s / max(n_t, 1.0))


__all__ = [
    "E_MIN",
    "SHRINK",
    "Cells",
    "fit_logistic",
    "outcome_model",
    "propensity_model",
    "transport_weights",
]
