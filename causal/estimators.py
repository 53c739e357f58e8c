"""Numeric core of effect estimation: adjustment, IPW, AIPW and naive contrasts with a cheap
cluster bootstrap.

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

Confidence intervals are percentile intervals of a cluster bootstrap (Poisson(1) weights per
user or per item, shared by source and target rows): AIPW and IPW reweight their per-row
terms (first-order, no refit); regression and stratified adjustment refit the cell models on
each replicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

E_MIN = 0.01
SHRINK = 5.0
BOOT_BUDGET_S = 1.2  # seconds of bootstrap refits per estimate
MIN_BOOT = 50


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

    def cells(self, confounders_only: bool = False) -> _Cells:
        """Covariate cells (all covariates, or the confounders only), built once."""
        key = "conf" if confounders_only else "all"
        if key not in self.cache:
            k = self.n_confounders if confounders_only else self.x_source.shape[1]
            self.cache[key] = _Cells(self.x_source[:, :k], self.x_target[:, :k], self.cards[:k])
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


# ---------------------------------------------------------------------- cells and models
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


class _Cells:
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
    cells: _Cells,
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
    cells: _Cells,
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
    cells: _Cells,
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


# ---------------------------------------------------------------------- bootstrap
def _cluster_weights(rng: np.random.Generator, n_clusters: int, n_boot: int) -> np.ndarray:
    return rng.poisson(1.0, size=(n_boot, n_clusters)).astype(np.float64)


def _percentile_ci(values: np.ndarray) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return float("nan"), float("nan")
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


# ---------------------------------------------------------------------- estimators
def _arm_count(p: Problem) -> int:
    return 3 if (p.arms.source == 2).any() else 2


def _aipw_value(p: Problem, ws: np.ndarray, wt: np.ndarray, ipw_only: bool) -> tuple[float, float]:
    """AIPW (or Hajek IPW) fitted with row weights; returns (estimate, share at the floor)."""
    a = p.arms.source
    if not (ws[a == 1].sum() > 0 and ws[a == 0].sum() > 0):
        return float("nan"), 0.0  # a bootstrap replicate that drew no treated or no control rows
    conf = p.cells(confounders_only=True)
    cells = p.cells()
    a = p.arms.source
    e = propensity_model(
        conf, a, _arm_count(p), clusters=conf.clusters_per_cell(p.cluster_source), w=ws
    )
    es = e[conf.source]
    floor = float((np.minimum(es[:, 0], es[:, 1]) <= E_MIN + 1e-12).mean())
    w_t = transport_weights(cells, ws=ws, wt=wt)[cells.source] if p.transported else np.ones(p.n)
    if ipw_only:
        t1 = ws * w_t * (a == 1) / es[:, 1]
        t0 = ws * w_t * (a == 0) / es[:, 0]
        den1, den0 = np.sum(t1), np.sum(t0)
        if den1 <= 0 or den0 <= 0:
            return float("nan"), floor
        return float(np.sum(t1 * p.y) / den1 - np.sum(t0 * p.y) / den0), floor
    mu1 = outcome_model(cells, a, p.y, 1, ws, clusters=cells.arm_clusters(a, 1, p.cluster_source))
    mu0 = outcome_model(cells, a, p.y, 0, ws, clusters=cells.arm_clusters(a, 0, p.cluster_source))
    ms = cells.source
    resid = w_t * ((a == 1) * (p.y - mu1[ms]) / es[:, 1] - (a == 0) * (p.y - mu0[ms]) / es[:, 0])
    den_t, den_s = np.sum(wt), np.sum(ws * w_t)
    if den_t <= 0 or den_s <= 0:
        return float("nan"), floor
    m_target = (mu1 - mu0)[cells.target]
    return float(np.sum(wt * m_target) / den_t + np.sum(ws * resid) / den_s), floor


def aipw(
    p: Problem,
    *,
    n_boot: int,
    rng: np.random.Generator,
    ipw_only: bool = False,
    budget_s: float = BOOT_BUDGET_S,
) -> Estimate:
    """Doubly robust AIPW (or Hajek IPW with ipw_only) averaged over the target rows.

    The propensity uses the confounders only (the first `n_confounders` covariates); the
    outcome model uses all covariates. The bootstrap refits every model on each replicate
    (the cell models adapt to the users and items in the sample, so reweighting fixed
    per-row terms would understate the uncertainty); replicates stop at `budget_s`.
    """
    value, floor = _aipw_value(p, np.ones(p.n), np.ones(len(p.arms.target)), ipw_only)
    notes = []
    if floor > 0.05:
        notes.append(
            f"{floor:.0%} of rows have a propensity at the {E_MIN} floor (weak overlap); "
            "the estimate leans on the outcome model there"
        )
    boots = _bootstrap(lambda ws, wt: _aipw_value(p, ws, wt, ipw_only)[0], p, n_boot, rng, budget_s)
    lo, hi = _percentile_ci(boots)
    return Estimate(value, lo, hi, len(boots), tuple(notes))


def _bootstrap(
    fit, p: Problem, n_boot: int, rng: np.random.Generator, budget_s: float
) -> np.ndarray:
    """Cluster-bootstrap replicates of `fit(source_weights, target_weights)` within a budget."""
    import time

    out: list[float] = []
    started = time.perf_counter()
    for cw in _cluster_weights(rng, p.n_clusters, n_boot):
        out.append(fit(cw[p.cluster_source], cw[p.cluster_target]))
        if len(out) >= MIN_BOOT and time.perf_counter() - started > budget_s:
            break
    return np.asarray(out, dtype=float)


def regression(
    p: Problem, *, n_boot: int, rng: np.random.Generator, stratified: bool = False
) -> Estimate:
    """g-computation: average over target rows of mu_1(x) - mu_0(x), refit per replicate.

    `stratified=True` uses raw cell means (no shrinkage) and averages only over target cells
    that have both arms in the source; it says so when that drops target rows.
    """
    cells = p.cells()
    a = p.arms.source
    notes: list[str] = []
    cl1 = cells.arm_clusters(a, 1, p.cluster_source)
    cl0 = cells.arm_clusters(a, 0, p.cluster_source)

    def fit(ws: np.ndarray, wt: np.ndarray) -> float:
        shrink = 0.0 if stratified else SHRINK
        mu1 = outcome_model(cells, a, p.y, 1, ws, shrink, cl1)
        mu0 = outcome_model(cells, a, p.y, 0, ws, shrink, cl0)
        diff = mu1 - mu0
        pt = np.bincount(cells.target, weights=wt, minlength=cells.n_cells)
        ok = np.isfinite(diff) & (pt > 0)
        if not ok.any():
            return float("nan")
        return float(np.sum(pt[ok] * diff[ok]) / np.sum(pt[ok]))

    value = fit(np.ones(p.n), np.ones(len(p.arms.target)))
    if stratified:
        mu1 = outcome_model(cells, a, p.y, 1, None, 0.0)
        mu0 = outcome_model(cells, a, p.y, 0, None, 0.0)
        covered = np.isfinite(mu1 - mu0)[cells.target].mean() if len(cells.target) else 0.0
        if covered < 1.0:
            notes.append(f"strata with both arms hold {covered:.0%} of the target rows")
    boots = _bootstrap(fit, p, n_boot, rng, BOOT_BUDGET_S)
    lo, hi = _percentile_ci(boots)
    return Estimate(value, lo, hi, len(boots), tuple(notes))


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


def naive(p: Problem, *, n_boot: int, rng: np.random.Generator) -> Estimate:
    """Difference in mean outcome between treated and control source rows (no adjustment)."""
    a = p.arms.source

    def stat(ws: np.ndarray) -> float:
        w1, w0 = ws * (a == 1), ws * (a == 0)
        if w1.sum() <= 0 or w0.sum() <= 0:
            return float("nan")
        return float(np.sum(w1 * p.y) / w1.sum() - np.sum(w0 * p.y) / w0.sum())

    value = stat(np.ones(p.n))
    boots = np.array(
        [stat(cw[p.cluster_source]) for cw in _cluster_weights(rng, p.n_clusters, n_boot)]
    )
    lo, hi = _percentile_ci(boots)
    return Estimate(value, lo, hi, n_boot)


def linear_dose(
    t: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    cards: tuple[int, ...],
    cluster: np.ndarray,
    n_clusters: int,
    delta: float,
    *,
    n_boot: int,
    rng: np.random.Generator,
    adjust: bool = True,
) -> Estimate:
    """Continuous treatment: OLS of y on t (linear) plus one-hot covariates; effect = beta * delta.

    The bootstrap reweights per-cluster Gram matrices, so each replicate costs O(clusters).
    """
    cols = [np.ones(len(t)), t.astype(np.float64)]
    if adjust:
        for j, card in enumerate(cards):
            for level in range(1, card):
                cols.append((x[:, j] == level).astype(np.float64))
    d = np.column_stack(cols)
    k = d.shape[1]
    grams = np.zeros((n_clusters, k, k))
    rhs = np.zeros((n_clusters, k))
    order = np.argsort(cluster, kind="stable")
    sorted_c = cluster[order]
    starts = np.flatnonzero(np.r_[True, sorted_c[1:] != sorted_c[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for lo, hi in zip(starts, ends, strict=True):
        rows = order[lo:hi]
        dc = d[rows]
        grams[sorted_c[lo]] = dc.T @ dc
        rhs[sorted_c[lo]] = dc.T @ y[rows]
    ridge = 1e-6 * np.eye(k)

    def solve(w: np.ndarray) -> float:
        g = np.tensordot(w, grams, axes=1) + ridge
        r = w @ rhs
        try:
            beta = np.linalg.solve(g, r)
        except np.linalg.LinAlgError:
            return float("nan")
        return float(beta[1] * delta)

    value = solve(np.ones(n_clusters))
    boots = np.array([solve(cw) for cw in _cluster_weights(rng, n_clusters, n_boot)])
    lo, hi = _percentile_ci(boots)
    return Estimate(value, lo, hi, n_boot)


__all__ = [
    "E_MIN",
    "Arms",
    "Estimate",
    "Problem",
    "aipw",
    "linear_dose",
    "naive",
    "outcome_model",
    "propensity_model",
    "regression",
    "stratified_coverage",
    "transport_weights",
]
