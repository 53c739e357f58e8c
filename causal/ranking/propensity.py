"""Propensities: how likely each training label was to be observed, for IPS, SNIPS and DR.

Three estimators, all returning P(observed) per labelled training row, clipped from below:

- `logistic`: a logistic model of being logged on user and item features, item popularity and
  user activity, fitted on the logged pairs against a weighted sample of never-logged pairs.
  When the log also holds exposures without a label (e.g. a rating exists only after a
  click), a second logistic model of being labelled given exposure (with the position) is
  multiplied in. For implicit logs, where being logged *is* the label, it is the relative
  item popularity to the power 0.5 (Saito et al., WSDM 2020).
- `random`: naive Bayes with a small random-exposure sample (Schnabel et al., ICML 2016):
  P(O=1 | y) = P(y | O=1) P(O=1) / P(y), with P(y) from the random sample. This captures
  missing-not-at-random selection on the outcome itself, which features cannot.
- `none`: every propensity is 1 (naive training).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from causal.ranking.data import FeedbackKind, RankingData

MAX_POSITION = 20
MAX_POSITIVE_PAIRS = 50_000  # logistic propensity fits on at most this many logged pairs
MAX_NEGATIVE_PAIRS = 100_000  # ... against at most this many never-logged ones


class PropensityMethod(StrEnum):
    """Which propensity estimator to use."""

    NONE = "none"
    LOGISTIC = "logistic"
    RANDOM = "random"


@dataclass(frozen=True)
class Propensities:
    """P(observed) per labelled training row, and how it was obtained."""

    values: np.ndarray
    method: PropensityMethod
    clip: float
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def inverse(self) -> np.ndarray:
        """1 / propensity (the IPS weight of each row)."""
        return 1.0 / self.values


def estimate_propensities(
    data: RankingData,
    method: PropensityMethod | str,
    *,
    random_targets: np.ndarray | None = None,
    clip: float = 0.01,
    seed: int = 0,
) -> Propensities:
    """Estimate propensities with `method`; `random_targets` are a random-exposure sample's labels."""
    chosen = PropensityMethod(method)
    if not 0.0 < clip <= 1.0:
        raise ValueError(f"propensity clip must be in (0, 1], got {clip}")
    if chosen is PropensityMethod.NONE:
        return Propensities(np.ones(data.n_rows), chosen, clip)
    if chosen is PropensityMethod.RANDOM:
        if random_targets is None or len(random_targets) == 0:
            raise ValueError("the 'random' propensity needs a random-exposure sample")
        values, detail = naive_bayes_propensities(data, random_targets)
    else:
        values, detail = logistic_propensities(data, seed=seed)
    clipped = np.clip(values, clip, 1.0)
    detail = {**detail, "clipped_share": float(np.mean(values < clip))}
    return Propensities(clipped, chosen, clip, detail)


def naive_bayes_propensities(
    data: RankingData, random_targets: np.ndarray
) -> tuple[np.ndarray, dict[str, Any]]:
    """P(O=1 | y) per training row from the label distributions of the log and a random sample."""
    train = _levels(data, data.target)
    sample = _levels(data, np.asarray(random_targets, dtype=float))
    sample = sample[np.isfinite(sample)]
    levels = np.unique(np.concatenate([train, sample]))
    p_obs = np.array([(train == v).sum() + 1.0 for v in levels])
    p_obs /= p_obs.sum()
    p_all = np.array([(sample == v).sum() + 1.0 for v in levels])
    p_all /= p_all.sum()
    base = data.n_rows / float(data.n_users * data.n_items)
    per_level = np.clip(p_obs * base / p_all, 1e-6, 1.0)
    lookup = dict(zip(levels.tolist(), per_level.tolist(), strict=True))
    values = np.array([lookup[v] for v in train.tolist()])
    detail = {
        "levels": [float(v) for v in levels],
        "per_level": [round(float(p), 6) for p in per_level],
        "random_sample": len(sample),
    }
    return values, detail


def _levels(data: RankingData, target: np.ndarray) -> np.ndarray:
    if data.kind is FeedbackKind.RATING:
        return np.round(target)
    return (target >= 0.5).astype(float)


def logistic_propensities(data: RankingData, *, seed: int = 0) -> tuple[np.ndarray, dict[str, Any]]:
    """P(logged) x P(labelled | logged) per training row from logistic models on features."""
    if data.kind is FeedbackKind.IMPLICIT:
        counts = data.item_counts
        rel = (counts / max(counts.max(), 1.0)) ** 0.5
        return rel[data.rows_item], {"model": "popularity^0.5"}
    rng = np.random.default_rng(seed)
    exposure, detail = _exposure_model(data, rng)  # one value per logged row
    values = exposure[data.logged_labelled]
    if not data.logged_labelled.all():
        labelled_given_logged, more = _labelled_model(data)
        values = values * labelled_given_logged[data.logged_labelled]
        detail.update(more)
    return values, detail


def _design(data: RankingData, users: np.ndarray, items: np.ndarray) -> np.ndarray:
    activity = np.bincount(data.logged_user, minlength=data.n_users).astype(float)
    pop = np.log1p(data.item_counts)
    act = np.log1p(activity)
    pop = (pop - pop.mean()) / (pop.std() or 1.0)
    act = (act - act.mean()) / (act.std() or 1.0)
    return np.hstack(
        [
            data.user_features[users],
            data.item_features[items],
            pop[items, None],
            act[users, None],
        ]
    ).astype(np.float64)


def _exposure_model(
    data: RankingData, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, Any]]:
    """P(a pair is logged), evaluated at every logged row."""
    from sklearn.linear_model import LogisticRegression

    n_pairs = data.n_users * data.n_items
    keys = np.unique(data.logged_user * data.n_items + data.logged_item)
    n_pos = len(keys)
    n_unlogged = n_pairs - n_pos
    if n_unlogged <= 0:
        return np.ones(len(data.logged_user)), {"model": "logistic", "exposure_rate": 1.0}
    m = int(min(n_unlogged, max(4 * n_pos, 1000), MAX_NEGATIVE_PAIRS))
    draws = rng.integers(0, n_pairs, size=int(m * 1.2) + 16)
    draws = draws[~np.isin(draws, keys)][:m]
    if n_pos > MAX_POSITIVE_PAIRS:  # a uniform subsample of positives fits the same model
        keys = np.sort(rng.choice(keys, size=MAX_POSITIVE_PAIRS, replace=False))
    neg_u, neg_i = draws // data.n_items, draws % data.n_items
    pos_u, pos_i = keys // data.n_items, keys % data.n_items
    x = np.vstack([_design(data, pos_u, pos_i), _design(data, neg_u, neg_i)])
    y = np.concatenate([np.ones(len(keys)), np.zeros(len(draws))])
    w = np.concatenate(
        [
            np.full(len(keys), n_pos / len(keys)),
            np.full(len(draws), n_unlogged / max(len(draws), 1)),
        ]
    )
    model = LogisticRegression(C=1.0, max_iter=500)
    model.fit(x, y, sample_weight=w / w.mean())
    p = model.predict_proba(_design(data, data.logged_user, data.logged_item))[:, 1]
    return p, {"model": "logistic", "exposure_rate": round(n_pos / n_pairs, 6)}


def _labelled_model(data: RankingData) -> tuple[np.ndarray, dict[str, Any]]:
    """P(a logged row carries a label | it was logged), with the position when known."""
    from sklearn.linear_model import LogisticRegression

    x = _design(data, data.logged_user, data.logged_item)
    if data.logged_position is not None:
        pos = np.clip(data.logged_position, 0, MAX_POSITION)
        onehot = np.zeros((len(pos), MAX_POSITION + 1))
        onehot[np.arange(len(pos)), pos] = 1.0
        x = np.hstack([x, onehot])
    y = data.logged_labelled.astype(int)
    if y.min() == y.max():
        return np.ones(len(y)), {}
    model = LogisticRegression(C=1.0, max_iter=500)
    model.fit(x, y)
    return model.predict_proba(x)[:, 1], {"label_rate": round(float(y.mean()), 6)}
