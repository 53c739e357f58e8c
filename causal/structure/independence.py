"""Fast discrete tests and scores for discovery, each routed to the frame a question lives on.

`GTest` is a conditional-independence test (likelihood-ratio G-test on integer codes) that
pgmpy's PC calls; `RoutedBIC` is a BIC structure score that pgmpy's HillClimbSearch and GES
call. Both answer from numpy bincounts, so a test on 100k rows takes about a millisecond.

Routing (when `routing=True`): a question about user attributes only is answered on the
users table, one about item attributes only on the items table (attributes repeat on every
row of their user or item, so row-level tests would over-count the evidence); a question
that involves a selected outcome (a rating that exists only after a click) is answered on
the random-exposure log when there is one, and otherwise on the rows where it is observed;
everything else on the logged rows. With `routing=False` every question is answered on the
logged rows, a missing value counting as one more level ("the naive analysis table").

Degenerate strata (structural zeros: not clicked => no rating) contribute no degrees of
freedom, and p is never NaN. A test with no degrees of freedom left returns p = 1 when one of
the two variables is constant over the whole frame (it cannot depend on anything there), and
p = 0 when both vary but the conditioning set determines one of them (a deterministic node:
the data hold no evidence of independence, so PC keeps the edge). A test with fewer than
`min_rows_per_dof` rows per degree of freedom likewise returns p = 0: too little data to
remove an edge on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.stats import chi2

from causal.datasets.analysis_table import AnalysisTable, Frame
from causal.datasets.variables import Level

try:  # pgmpy's score base class, so HillClimbSearch/GES accept our score.
    from causal.structure.graph import quiet_pgmpy

    quiet_pgmpy()
    from pgmpy.structure_score import BaseStructureScore as _ScoreBase
except ImportError:  # pragma: no cover - pgmpy is a hard dependency
    _ScoreBase = object  # type: ignore[misc,assignment]


class BudgetExceeded(RuntimeError):
    """Raised inside a test or score when discovery's time budget has run out."""


@dataclass(frozen=True)
class TestResult:
    """One conditional-independence test."""

    statistic: float
    dof: int
    p_value: float
    n: int
    frame: Frame
    design_effect: float = 1.0


class _Coded:
    """Integer codes of the variables, per frame, with per-variable cardinalities."""

    def __init__(self, table: AnalysisTable, variables: Sequence[str], routing: bool) -> None:
        self.table = table
        self.variables = list(variables)
        self.routing = routing
        self.levels = {v: table.spec(v).level for v in self.variables}
        self.selected = {v for v in self.variables if table.spec(v).selected_by}
        self.card: dict[str, int] = {}
        self.scored: set[str] = set()
        self.arrays: dict[Frame, dict[str, np.ndarray]] = {}
        frames = [Frame.ROWS]
        if routing:
            frames += [Frame.USERS, Frame.ITEMS]
            if table.random_rows is not None:
                frames.append(Frame.RANDOM)
        self.clusters: dict[Frame, dict[Level, np.ndarray]] = {}
        for fr in frames:
            codes = table.codes(fr)
            self.arrays[fr] = {
                v: codes[v].to_numpy(dtype=np.int64) for v in self.variables if v in codes.columns
            }
            raw = table.frame(fr)
            self.clusters[fr] = {}
            if fr in (Frame.ROWS, Frame.RANDOM):
                for level, col in ((Level.USER, "user_id"), (Level.ITEM, "item_id")):
                    if col in raw.columns:
                        self.clusters[fr][level] = pd.factorize(raw[col])[0].astype(np.int64)
        for v in self.variables:
            k = max(table.spec(v).n_levels, 1)
            ordered = table.spec(v).numeric
            if not routing:
                # Missing becomes its own level on the single naive table.
                arr = self.arrays[Frame.ROWS][v]
                if (arr < 0).any():
                    self.arrays[Frame.ROWS][v] = np.where(arr < 0, k, arr)
                    k += 1
                    ordered = False
            self.card[v] = k
            if ordered and k > 1:
                self.scored.add(v)

    def frame_for(self, names: Iterable[str]) -> Frame:
        names = list(names)
        if not self.routing:
            return Frame.ROWS
        levels = {self.levels[n] for n in names}
        if levels == {Level.USER}:
            return Frame.USERS
        if levels == {Level.ITEM}:
            return Frame.ITEMS
        if self.selected & set(names) and Frame.RANDOM in self.arrays:
            arrays = self.arrays[Frame.RANDOM]
            if all(n in arrays and (arrays[n] >= 0).any() for n in names):
                return Frame.RANDOM
        return Frame.ROWS

    def columns(
        self, frame: Frame, names: Sequence[str]
    ) -> tuple[list[np.ndarray], int, np.ndarray | None]:
        arrays = self.arrays[frame]
        cols = [arrays[n] for n in names]
        if not cols:
            return cols, 0, None
        mask = np.ones(len(cols[0]), dtype=bool)
        for c in cols:
            mask &= c >= 0
        if not mask.all():
            cols = [c[mask] for c in cols]
            return cols, int(mask.sum()), mask
        return cols, int(mask.sum()), None

    def cluster_of(self, frame: Frame, x: str, y: str) -> tuple[np.ndarray | None, str | None]:
        """Cluster ids for a row-level test of an attribute against a row-level variable.

        Returns the clusters of the attribute's level (item or user) and the name of the
        row-level variable whose residual carries the clustering; (None, None) when the
        test is not of that shape.
        """
        if not self.routing or frame not in (Frame.ROWS, Frame.RANDOM):
            return None, None
        lx, ly = self.levels[x], self.levels[y]
        if lx is not Level.INTERACTION and ly is Level.INTERACTION:
            return self.clusters[frame].get(lx), y
        if ly is not Level.INTERACTION and lx is Level.INTERACTION:
            return self.clusters[frame].get(ly), x
        return None, None


def _stratum_index(
    cols: Sequence[np.ndarray], cards: Sequence[int], n: int
) -> tuple[np.ndarray, int]:
    """One integer per row for the joint value of `cols` (compressed when sparse)."""
    if not cols:
        return np.zeros(n, dtype=np.int64), 1
    total = 1
    for k in cards:
        total *= k
    if total <= 4_000_000:
        idx = np.zeros(n, dtype=np.int64)
        for c, k in zip(cols, cards, strict=True):
            idx = idx * k + c
        return idx, total
    stacked = np.stack(cols, axis=1)
    _, inverse = np.unique(stacked, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    return inverse.astype(np.int64), int(inverse.max()) + 1 if len(inverse) else 1


def g_test(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    rx: int,
    ry: int,
    s: int,
    min_rows_per_dof: float,
    statistic: str = "pearson",
    determined_dependent: bool = True,
) -> tuple[float, int, float]:
    """Statistic, degrees of freedom and p-value for x independent of y given stratum z.

    `statistic` is "pearson" (chi-square; better calibrated on sparse strata) or "g"
    (likelihood ratio). Degrees of freedom count only the levels seen in each stratum.
    """
    n = len(x)
    if n == 0:
        return 0.0, 0, 1.0
    if s * rx * ry > 20_000_000:
        _, z = np.unique(z, return_inverse=True)
        z = z.ravel()
        s = int(z.max()) + 1
    counts = np.bincount((z * rx + x) * ry + y, minlength=s * rx * ry).reshape(s, rx, ry)
    used = counts.sum(axis=(1, 2)) > 0
    counts = counts[used].astype(np.float64)
    n_sx = counts.sum(axis=2)
    n_sy = counts.sum(axis=1)
    n_s = n_sx.sum(axis=1)
    expected = n_sx[:, :, None] * n_sy[:, None, :] / n_s[:, None, None]
    if statistic == "g":
        pos = counts > 0
        stat = 2.0 * float(np.sum(counts[pos] * np.log(counts[pos] / expected[pos])))
    else:
        pos = expected > 0
        stat = float(np.sum((counts[pos] - expected[pos]) ** 2 / expected[pos]))
    levels_x = (n_sx > 0).sum(axis=1)
    levels_y = (n_sy > 0).sum(axis=1)
    dof = int(np.sum(np.maximum(levels_x - 1, 0) * np.maximum(levels_y - 1, 0)))
    if dof <= 0:
        # No stratum where both vary. If each varies over the frame, the conditioning set
        # determines one of them (a deterministic node such as an OR gate): the data hold no
        # evidence of independence, so the edge stays (p = 0), as with too few rows per
        # degree of freedom below. A variable constant over the whole frame (a funnel step
        # on the rows its selected outcome is observed on) carries no dependence: p = 1.
        varies = (n_sx.sum(axis=0) > 0).sum() > 1 and (n_sy.sum(axis=0) > 0).sum() > 1
        return stat, 0, 0.0 if varies and determined_dependent else 1.0
    if n < min_rows_per_dof * dof:
        return stat, dof, 0.0
    return stat, dof, float(chi2.sf(max(stat, 0.0), dof))


def cmh_mean_score(
    x: np.ndarray, score: np.ndarray, z: np.ndarray, rx: int, s: int
) -> tuple[float, int]:
    """Generalised Cochran-Mantel-Haenszel "row mean scores differ" statistic and its dof.

    Tests whether the mean score of one variable differs across the levels of the other,
    pooled over the strata of z: rx - 1 degrees of freedom however many strata there are,
    so it keeps its power where a fully stratified table spreads the evidence thin.
    """
    if len(x) < 3:
        return 0.0, 0
    if s * rx > 20_000_000:
        _, z = np.unique(z, return_inverse=True)
        z = z.ravel()
        s = int(z.max()) + 1
    n_s = np.bincount(z, minlength=s).astype(np.float64)
    key = z * rx + x
    n_sx = np.bincount(key, minlength=s * rx).reshape(s, rx).astype(np.float64)
    f_sx = np.bincount(key, weights=score, minlength=s * rx).reshape(s, rx)
    sum_s = np.bincount(z, weights=score, minlength=s)
    sq_s = np.bincount(z, weights=score * score, minlength=s)
    ok = n_s >= 2
    if not ok.any():
        return 0.0, 0
    n_s, n_sx, f_sx, sum_s, sq_s = n_s[ok], n_sx[ok], f_sx[ok], sum_s[ok], sq_s[ok]
    mean_s = sum_s / n_s
    var_s = np.maximum(sq_s / n_s - mean_s**2, 0.0)
    dev = (f_sx - n_sx * mean_s[:, None]).sum(axis=0)
    c_s = n_s**2 * var_s / (n_s - 1.0)
    p_sx = n_sx / n_s[:, None]
    cov = np.diag((c_s[:, None] * p_sx).sum(axis=0)) - np.einsum("s,si,sj->ij", c_s, p_sx, p_sx)
    keep = np.flatnonzero(n_sx.sum(axis=0) > 0)
    if len(keep) < 2:
        return 0.0, 0
    sub = keep[:-1]
    v = cov[np.ix_(sub, sub)]
    d = dev[sub]
    rank = int(np.linalg.matrix_rank(v))
    if rank == 0:
        return 0.0, 0
    stat = float(d @ np.linalg.pinv(v) @ d)
    return max(stat, 0.0), rank


def design_effect(response: np.ndarray, stratum: np.ndarray, clusters: np.ndarray) -> float:
    """Variance inflation of a row-level response clustered by user or item (>= 1).

    The response is first centred within `stratum` (the other variables of the test); the
    intra-cluster correlation of what is left (one-way ANOVA estimator) gives the Kish design
    effect 1 + (m - 1) * icc, m the size-weighted mean cluster size. Dividing a test
    statistic by it is the first-order Rao-Scott correction for clustered samples.
    """
    n = len(response)
    if n < 3:
        return 1.0
    _, strat = np.unique(stratum, return_inverse=True)
    strat = strat.ravel()
    sums = np.bincount(strat, weights=response)
    sizes = np.bincount(strat)
    resid = response - (sums / np.maximum(sizes, 1))[strat]
    _, cl = np.unique(clusters, return_inverse=True)
    cl = cl.ravel()
    m = np.bincount(cl).astype(np.float64)
    n_clusters = len(m)
    if n_clusters < 2 or n_clusters >= n:
        return 1.0
    cmean = np.bincount(cl, weights=resid) / m
    grand = resid.mean()
    msb = float(np.sum(m * (cmean - grand) ** 2) / (n_clusters - 1))
    msw = float(np.sum((resid - cmean[cl]) ** 2) / (n - n_clusters))
    m0 = (n - float(np.sum(m**2)) / n) / (n_clusters - 1)
    denom = msb + (m0 - 1.0) * msw
    if denom <= 0:
        return 1.0
    icc = min(max((msb - msw) / denom, 0.0), 1.0)
    m_weighted = float(np.sum(m**2) / n)
    return 1.0 + (m_weighted - 1.0) * icc


class GTest:
    """Conditional-independence test for pgmpy's PC: `test(x, y, z, significance_level)`.

    Returns True for "independent". Results are cached; `results` counts the tests run.
    """

    def __init__(
        self,
        table: AnalysisTable,
        variables: Sequence[str],
        *,
        routing: bool = True,
        min_rows_per_dof: float = 5.0,
        statistic: str = "pearson",
        cluster_adjust: bool = True,
        modifier_check: bool = True,
        deadline: float | None = None,
    ) -> None:
        self.coded = _Coded(table, variables, routing)
        self.modifier_check = modifier_check and routing
        self.min_rows_per_dof = min_rows_per_dof
        self.statistic = statistic
        self.cluster_adjust = cluster_adjust and routing
        self.deadline = deadline
        self._cache: dict[tuple, TestResult] = {}
        self.n_tests = 0
        self.p_value_: float = 1.0
        self.statistic_: float = 0.0
        self.effect_size_: float = 0.0

    def run(self, x: str, y: str, z: Sequence[str] = ()) -> TestResult:
        """Run (or fetch from the cache) the test of x independent of y given z."""
        key = (frozenset((x, y)), frozenset(z))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BudgetExceeded("time budget exhausted during an independence test")
        zs = sorted(z)
        coded = self.coded
        frame = coded.frame_for([x, y, *zs])
        cols, n, mask = coded.columns(frame, [x, y, *zs])
        if n == 0:
            result = TestResult(0.0, 0, 1.0, 0, frame)
        else:
            result = self._compute(x, y, zs, frame, cols, n, mask)
        self._cache[key] = result
        self.n_tests += 1
        return result

    def _compute(
        self,
        x: str,
        y: str,
        zs: list[str],
        frame: Frame,
        cols: list[np.ndarray],
        n: int,
        mask: np.ndarray | None,
    ) -> TestResult:
        coded = self.coded
        rx, ry = coded.card[x], coded.card[y]
        zi, s = _stratum_index(cols[2:], [coded.card[v] for v in zs], n)
        stat, dof, p = g_test(
            cols[0], cols[1], zi, rx, ry, s, self.min_rows_per_dof, self.statistic
        )
        # Pooled mean-score test when one side has ordered values (fewer dof, more power).
        cmh_stat, cmh_dof = 0.0, 0
        if y in coded.scored and rx > 1:
            cmh_stat, cmh_dof = cmh_mean_score(cols[0], cols[1].astype(np.float64), zi, rx, s)
        elif x in coded.scored and ry > 1:
            cmh_stat, cmh_dof = cmh_mean_score(cols[1], cols[0].astype(np.float64), zi, ry, s)
        p_cmh = float(chi2.sf(cmh_stat, cmh_dof)) if cmh_dof > 0 else 1.0
        deff = 1.0
        clusters, response = coded.cluster_of(frame, x, y) if self.cluster_adjust else (None, None)
        if clusters is not None and min(p, p_cmh) < 0.5:
            if mask is not None:
                clusters = clusters[mask]
            other = y if response == x else x
            resp = cols[0] if response == x else cols[1]
            oth = cols[1] if response == x else cols[0]
            joint = zi * coded.card[other] + oth
            deff = design_effect(resp.astype(np.float64), joint, clusters)
            if deff > 1.0:
                stat /= deff
                cmh_stat /= deff
                enough = n / deff >= self.min_rows_per_dof * dof
                if dof > 0:  # dof 0 keeps g_test's answer (see there)
                    p = float(chi2.sf(stat, dof)) if enough else 0.0
                p_cmh = float(chi2.sf(cmh_stat, cmh_dof)) if cmh_dof > 0 else 1.0
        if cmh_dof > 0:
            p = min(1.0, 2.0 * min(p, p_cmh))  # Bonferroni over the two tests
        return TestResult(stat, dof, p, n, frame, deff)

    def __call__(
        self, X: str, Y: str, Z: Iterable[str] = (), significance_level: float = 0.01, **_: object
    ) -> bool:
        zs = list(Z)
        result = self.run(X, Y, zs)
        self.p_value_ = result.p_value
        self.statistic_ = result.statistic
        self.effect_size_ = math.sqrt(result.statistic / result.n) if result.n else 0.0
        if result.p_value < significance_level:
            return False
        modifiers = self.modifiers(X, Y, zs)
        for w in modifiers:
            if self.run(X, Y, [*zs, w]).p_value < significance_level / len(modifiers):
                self.p_value_ = 0.0
                return False
        return True

    def modifiers(self, x: str, y: str, z: Sequence[str]) -> list[str]:
        """Attributes of the other level to re-test with, guarding against cancellation.

        A user attribute can act on an outcome only together with the item (tastes differ
        by genre), so its effect may average out over items and leave x, y looking
        independent. With the recommender-log priors, conditioning on an attribute of the
        other level can never open a path between an attribute and an interaction variable
        when the set holds only attributes (every bridge between the levels is a collider at
        an interaction variable), so a dependence that appears is real and the edge stays.
        With interaction variables in the set this is a heuristic (a collider bridging both
        levels inside the set could be opened), applied all the same.
        """
        if not self.modifier_check:
            return []
        levels = self.coded.levels
        lx, ly = levels[x], levels[y]
        if Level.INTERACTION not in (lx, ly) or lx == ly:
            return []
        attr = lx if ly is Level.INTERACTION else ly
        other = Level.ITEM if attr is Level.USER else Level.USER
        return [v for v in self.coded.variables if levels[v] is other and v not in z]


class RoutedBIC(_ScoreBase):
    """Discrete BIC local score for pgmpy's HillClimbSearch/GES, routed like GTest.

    `forbidden` (directed pairs) makes any family containing a forbidden parent score
    -inf-like, so GES (which takes no expert knowledge) respects priors too.
    """

    _tags: ClassVar[dict[str, object]] = {
        "name": "whyrec-routed-bic",
        "supported_datatype": "discrete",
        "default_for": None,
        "is_parameteric": False,
    }

    def __init__(
        self,
        table: AnalysisTable,
        variables: Sequence[str],
        *,
        routing: bool = True,
        forbidden: Iterable[tuple[str, str]] = (),
        score: str = "bic",
        ess: float = 10.0,
        deadline: float | None = None,
    ) -> None:
        from functools import lru_cache

        if score not in ("bic", "bdeu"):
            raise ValueError(f"score must be 'bic' or 'bdeu', got {score!r}")
        self.score = score
        self.ess = ess
        self.coded = _Coded(table, variables, routing)
        self.forbidden = set(forbidden)
        self.deadline = deadline
        self.variables = list(variables)
        self.data = pd.DataFrame(columns=self.variables)
        self.dtypes = {v: "C" for v in self.variables}
        self.state_names = {v: list(range(self.coded.card[v])) for v in self.variables}
        self._cached_local_score = lru_cache(maxsize=200_000)(self._local_score)
        self.n_scores = 0

    def local_score(self, variable: str, parents: tuple[str, ...]) -> float:
        return self._cached_local_score(variable, tuple(sorted(parents)))

    def _local_score(self, variable: str, parents: tuple[str, ...]) -> float:
        if any((p, variable) in self.forbidden for p in parents):
            return -1e15
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BudgetExceeded("time budget exhausted during a structure score")
        self.n_scores += 1
        coded = self.coded
        frame = coded.frame_for([variable, *parents])
        cols, n, _ = coded.columns(frame, [variable, *parents])
        if n == 0:
            return 0.0
        r = coded.card[variable]
        pa, q = _stratum_index(cols[1:], [coded.card[p] for p in parents], n)
        if q * r > 20_000_000:
            _, pa = np.unique(pa, return_inverse=True)
            pa = pa.ravel()
            q = int(pa.max()) + 1
        counts = np.bincount(pa * r + cols[0], minlength=q * r).reshape(q, r).astype(np.float64)
        n_pa = counts.sum(axis=1, keepdims=True)
        if self.score == "bdeu":
            from scipy.special import gammaln

            a_j = self.ess / q
            a_jk = a_j / r
            seen = n_pa.ravel() > 0
            return float(
                np.sum(gammaln(a_j) - gammaln(a_j + n_pa.ravel()[seen]))
                + np.sum(gammaln(a_jk + counts[seen]) - gammaln(a_jk))
            )
        pos = counts > 0
        ratio = counts / np.where(n_pa > 0, n_pa, 1.0)
        ll = float(np.sum(counts[pos] * np.log(ratio[pos])))
        n_params = q * (r - 1)
        return ll - 0.5 * math.log(max(n, 2)) * n_params

    def structure_prior_ratio(self, operation: object) -> float:
        return 0.0

    def structure_prior(self, model: object) -> float:
        return 0.0


__all__ = ["BudgetExceeded", "GTest", "RoutedBIC", "TestResult", "g_test"]
