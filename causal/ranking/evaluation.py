"""Evaluate a ranker on a dataset: its unbiased random-exposure log, or a temporal split.

`evaluate_on_random_log` scores the random-exposure log (minus the slice training used) with
the protocol of `causal.ranking.metrics`. `evaluate_leave_last_out` retrains the same
configuration without each user's latest interaction and asks for that item back among all
items the user had not interacted with (Recall@k, NDCG@k, long-tail coverage), next to a
popularity baseline, the deconfounded ranking, the ranker with popularity added back, and
the rating model alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.schema import Dataset
from causal.ranking.config import RankerConfig
from causal.ranking.data import FeedbackKind
from causal.ranking.metrics import leave_last_out, long_tail_items, top_n_metrics, unbiased_metrics
from causal.ranking.model import Ranker
from causal.ranking.training import train_ranker

POPULARITY_WEIGHTS = (0.5, 1.0)
DECONFOUNDED = "ranker (deconfounded: popularity_weight=0)"
RATING_ONLY = "rating model only (no choice model, popularity_weight=0)"


def evaluate_on_random_log(ranker: Ranker, dataset: Dataset, *, k: int = 5) -> dict[str, Any]:
    """Unbiased metrics on the random-exposure log, leaving out the slice training used.

    Keys: mse, auc, ndcg@k, recall@k, n_users, n_rows (values None where a metric cannot be
    computed), plus "reason" when nothing could be evaluated.
    """
    log = dataset.random_exposure
    if log is None or log.empty:
        return _empty(k, "the dataset has no random-exposure log (random_exposure.csv)")
    rows = np.arange(len(log))
    held = ranker.info.get("random_slice_rows") or []
    if held:
        if ranker.info.get("random_rows") != len(log):
            return _empty(
                k, "the random-exposure log changed since the ranker was trained; rebuild"
            )
        rows = np.setdiff1d(rows, np.asarray(held, dtype=np.int64))
    frame = log.iloc[rows]
    users = frame["user_id"].astype(str).to_numpy()
    items = frame["item_id"].astype(str).to_numpy()
    known = np.array([ranker.known_item(i) for i in items], dtype=bool)
    frame, users, items = frame[known], users[known], items[known]
    if ranker.kind is FeedbackKind.RATING and "rating" in frame.columns:
        ratings = pd.to_numeric(frame["rating"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(ratings)
        pref, score = ranker.predict(users[ok], items[ok])
        metrics = unbiased_metrics(
            users[ok],
            ratings[ok] >= ranker.positive_threshold,
            score,
            ratings=ratings[ok],
            predicted_ratings=pref,
            k=k,
        )
    elif "clicked" in frame.columns and frame["clicked"].notna().any():
        clicks = pd.to_numeric(frame["clicked"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(clicks)
        _, score = ranker.predict(users[ok], items[ok])
        metrics = unbiased_metrics(users[ok], clicks[ok] >= 0.5, score, k=k)
    elif "rating" in frame.columns and frame["rating"].notna().any():
        ratings = pd.to_numeric(frame["rating"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(ratings)
        _, score = ranker.predict(users[ok], items[ok])
        metrics = unbiased_metrics(users[ok], ratings[ok] >= 4.0, score, k=k)
    else:
        return _empty(k, "the random-exposure log has neither ratings nor clicks")
    out: dict[str, Any] = dict(metrics.to_dict())
    if out["mse"] is None:
        out["mse_reason"] = "the ranker was not trained on ratings, so it predicts no ratings"
    out["excluded_slice_rows"] = len(held)
    return out


def _empty(k: int, reason: str) -> dict[str, Any]:
    return {
        "mse": None,
        "auc": None,
        f"ndcg@{k}": None,
        f"recall@{k}": None,
        "n_users": 0,
        "n_rows": 0,
        "reason": reason,
    }


def popularity_on_random_log(dataset: Dataset, ranker: Ranker, *, k: int = 5) -> dict[str, Any]:
    """The same metrics for ranking by logged popularity (the baseline every method must beat)."""
    log = dataset.random_exposure
    if log is None or log.empty:
        return _empty(k, "no random-exposure log")
    held = set(ranker.info.get("random_slice_rows") or [])
    frame = log.iloc[[r for r in range(len(log)) if r not in held]]
    frame = frame[frame["item_id"].astype(str).map(ranker.known_item)]
    label_col = (
        "rating" if "rating" in frame.columns and frame["rating"].notna().any() else "clicked"
    )
    if label_col not in frame.columns:
        return _empty(k, "the random-exposure log has neither ratings nor clicks")
    values = pd.to_numeric(frame[label_col], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(values)
    threshold = ranker.positive_threshold if label_col == "rating" else 0.5
    items = frame["item_id"].astype(str).to_numpy()[ok]
    score = ranker.item_counts[[ranker.item_index[i] for i in items]]
    users = frame["user_id"].astype(str).to_numpy()[ok]
    out = unbiased_metrics(users, values[ok] >= threshold, score, k=k).to_dict()
    out["mse"] = None
    return out


def evaluate_leave_last_out(
    dataset: Dataset,
    config: RankerConfig,
    *,
    item_embeddings: np.ndarray | None = None,
    k: int = 10,
    progress: bool = False,
) -> dict[str, Any]:
    """Recall@k, NDCG@k and long-tail coverage on a temporal leave-last-out split.

    The ranker is retrained with `config` (regularisation tuning off) on everything but each
    user's latest interaction; the score weights the config leaves to validation are chosen
    again on that training log alone (its own last picks), never on the test items. The
    top-level figures are the configuration as the workspace ranks with it. Baselines in the
    same run: popularity; the same models with popularity left out (the deconfounded
    ranking) or added back at POPULARITY_WEIGHTS; and, when a choice model was trained, the
    rating model alone (what the ranker was before the choice model).
    """
    inter = dataset.interactions
    positive = None
    if "clicked" in inter.columns and inter["clicked"].notna().any():
        positive = pd.to_numeric(inter["clicked"], errors="coerce").fillna(0) >= 0.5
    split = leave_last_out(inter, positive=positive)
    if split.test.empty:
        raise ValueError("no user has two or more interactions: nothing to hold out")
    train = replace(dataset, interactions=split.train, random_exposure=None)
    ranker = train_ranker(
        train, replace(config, tune=False), item_embeddings=item_embeddings, progress=progress
    )
    counts = pd.Series(ranker.item_counts, index=list(ranker.item_ids))
    tail = long_tail_items(counts)
    test = split.test[split.test["item_id"].astype(str).map(ranker.known_item)]

    def ranked(model: Ranker):
        def recommend(user: str, n: int) -> list[str]:
            return [s.item_id for s in model.top_items(user, n)]

        return recommend

    chosen = ranker.weights
    out: dict[str, Any] = dict(top_n_metrics(test, ranked(ranker), tail, k=k))
    baselines: dict[str, Any] = {
        "popularity": top_n_metrics(test, popularity_recommender(ranker), tail, k=k)
    }
    if chosen.popularity != 0.0:
        baselines[DECONFOUNDED] = top_n_metrics(
            test, ranked(ranker.with_weights(popularity=0.0)), tail, k=k
        )
    for weight in POPULARITY_WEIGHTS:
        if weight != chosen.popularity:
            baselines[f"ranker+popularity_weight={weight:g}"] = top_n_metrics(
                test, ranked(ranker.with_weights(popularity=weight)), tail, k=k
            )
    if ranker.choice is not None:
        rating_only = ranker.with_weights(preference=1.0, choice=0.0, popularity=0.0)
        baselines[RATING_ONLY] = top_n_metrics(test, ranked(rating_only), tail, k=k)
    out["baselines"] = baselines
    out["train_rows"] = len(split.train)
    out["popularity_weight"] = chosen.popularity
    out["weights"] = chosen.to_dict()
    out["train_seconds"] = ranker.info.get("train_seconds")
    return out


def popularity_recommender(ranker: Ranker) -> Callable[[str, int], list[str]]:
    """The popularity baseline: the n most logged items the user has not interacted with."""
    order = np.argsort(-ranker.item_counts, kind="stable")

    def recommend(user: str, n: int) -> list[str]:
        seen = {item for item, _ in ranker.history(user)} if ranker.known_user(user) else set()
        out: list[str] = []
        for i in order:
            item = ranker.item_ids[i]
            if item not in seen:
                out.append(item)
                if len(out) == n:
                    break
        return out

    return recommend
