"""Offline ranking metrics under the project's fixed protocol, so figures compare across runs.

On an unbiased (random-exposure) log: MSE on the raw ratings, AUC over all test pairs
together (rating >= threshold, or a click, is positive), and NDCG@k / Recall@k per user,
averaged over users with at least one positive. On a log without random exposure (e.g.
MovieLens-100K): a temporal leave-last-out split, Recall@k and NDCG@k of each user's last
item ranked against every item they had not interacted with, and long-tail coverage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

HEAD_SHARE = 0.2  # the most popular 20% of items are the head; the rest is the long tail


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half); None when only one class is present."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def dcg(gains: np.ndarray) -> float:
    """Discounted cumulative gain of gains in ranked order."""
    gains = np.asarray(gains, dtype=float)
    return float((gains / np.log2(np.arange(2, len(gains) + 2))).sum())


def per_user_ranking(
    users: np.ndarray, labels: np.ndarray, scores: np.ndarray, k: int
) -> tuple[float | None, float | None, int]:
    """(mean NDCG@k, mean Recall@k, number of users) over users with at least one positive.

    Ties in score are broken by position in the input (stable), so a constant scorer is not
    flattered.
    """
    frame = pd.DataFrame({"u": users, "y": labels.astype(float), "s": scores})
    ndcgs: list[float] = []
    recalls: list[float] = []
    for _, group in frame.groupby("u", sort=False):
        y = group["y"].to_numpy()
        n_pos = int((y > 0).sum())
        if n_pos == 0:
            continue
        order = np.argsort(-group["s"].to_numpy(), kind="stable")[:k]
        ideal = np.sort(y)[::-1][:k]
        ndcgs.append(dcg(y[order]) / dcg(ideal))
        recalls.append(float((y[order] > 0).sum()) / min(n_pos, k))
    if not ndcgs:
        return None, None, 0
    return float(np.mean(ndcgs)), float(np.mean(recalls)), len(ndcgs)


@dataclass(frozen=True)
class UnbiasedMetrics:
    """Metrics on a random-exposure log."""

    mse: float | None
    auc: float | None
    ndcg: float | None
    recall: float | None
    n_users: int
    n_rows: int
    k: int = 5

    def to_dict(self) -> dict[str, float | int | None]:
        """The CLI contract's keys: mse, auc, ndcg@k, recall@k, n_users (plus n_rows)."""
        return {
            "mse": _round(self.mse),
            "auc": _round(self.auc),
            f"ndcg@{self.k}": _round(self.ndcg),
            f"recall@{self.k}": _round(self.recall),
            "n_users": self.n_users,
            "n_rows": self.n_rows,
        }


def unbiased_metrics(
    users: np.ndarray,
    labels: np.ndarray,
    scores: np.ndarray,
    *,
    ratings: np.ndarray | None = None,
    predicted_ratings: np.ndarray | None = None,
    k: int = 5,
) -> UnbiasedMetrics:
    """MSE (when ratings are given), global AUC and per-user NDCG@k / Recall@k."""
    mse = None
    if ratings is not None and predicted_ratings is not None:
        mse = float(np.mean((np.asarray(predicted_ratings) - np.asarray(ratings)) ** 2))
    ndcg, recall, n_users = per_user_ranking(users, labels, scores, k)
    return UnbiasedMetrics(
        mse=mse,
        auc=roc_auc(labels, scores),
        ndcg=ndcg,
        recall=recall,
        n_users=n_users,
        n_rows=len(labels),
        k=k,
    )


@dataclass(frozen=True)
class LeaveLastOut:
    """A temporal leave-last-out split: each user's last interaction is the test item."""

    train: pd.DataFrame
    test: pd.DataFrame  # one row per user: user_id, item_id


def leave_last_out(
    interactions: pd.DataFrame, min_history: int = 2, positive: pd.Series | None = None
) -> LeaveLastOut:
    """Hold out each user's latest (positive) interaction; later rows of theirs are dropped.

    `positive` marks the rows that may be held out (e.g. clicked exposures); by default every
    row may. Users with fewer than `min_history` rows keep all of them in training.
    """
    if "timestamp" not in interactions.columns or interactions["timestamp"].isna().all():
        raise ValueError("a temporal split needs a timestamp column")
    frame = interactions.reset_index(drop=True)
    ok = (
        np.ones(len(frame), dtype=bool)
        if positive is None
        else np.asarray(positive, dtype=bool).copy()
    )
    order = frame.assign(_row=np.arange(len(frame)), _ok=ok).sort_values(
        ["user_id", "timestamp", "_row"], kind="stable"
    )
    counts = order.groupby("user_id")["item_id"].transform("size")
    candidates = order[order["_ok"] & (counts >= min_history)]
    test_rows = candidates.groupby("user_id", sort=False).tail(1)
    position = pd.Series(np.arange(len(order)), index=order.index)
    cut = dict(zip(test_rows["user_id"], position[test_rows.index], strict=True))
    user_cut = order["user_id"].map(cut)
    drop = user_cut.notna() & (position >= user_cut.fillna(np.inf))
    train = frame.drop(index=order.index[drop.to_numpy()])
    test = test_rows[["user_id", "item_id"]].reset_index(drop=True)
    return LeaveLastOut(train=train.reset_index(drop=True), test=test)


def long_tail_items(item_counts: Mapping[str, float] | pd.Series) -> set[str]:
    """Items outside the most popular HEAD_SHARE of the catalogue."""
    counts = pd.Series(item_counts, dtype=float).sort_values(ascending=False, kind="stable")
    n_head = int(np.ceil(HEAD_SHARE * len(counts)))
    return set(counts.index[n_head:].astype(str))


def top_n_metrics(
    test: pd.DataFrame,
    recommend: Callable[[str, int], list[str]],
    tail: set[str],
    *,
    k: int = 10,
) -> dict[str, float | int]:
    """Recall@k (= hit rate with one test item), NDCG@k, and long-tail coverage of the lists.

    `recommend(user_id, k)` returns the user's top-k item ids (training items excluded).
    tail_coverage@k: share of long-tail items that appear in some user's list;
    tail_share@k: share of all recommended slots filled by long-tail items.
    """
    hits: list[float] = []
    ndcgs: list[float] = []
    shown_tail: set[str] = set()
    tail_slots = 0
    slots = 0
    for user_id, item_id in zip(
        test["user_id"].astype(str), test["item_id"].astype(str), strict=True
    ):
        ranked = recommend(user_id, k)
        slots += len(ranked)
        in_tail = [i for i in ranked if i in tail]
        tail_slots += len(in_tail)
        shown_tail.update(in_tail)
        if item_id in ranked:
            rank = ranked.index(item_id)
            hits.append(1.0)
            ndcgs.append(1.0 / np.log2(rank + 2))
        else:
            hits.append(0.0)
            ndcgs.append(0.0)
    return {
        f"recall@{k}": _round(float(np.mean(hits))) if hits else None,
        f"ndcg@{k}": _round(float(np.mean(ndcgs))) if ndcgs else None,
        f"tail_coverage@{k}": _round(len(shown_tail) / max(len(tail), 1)),
        f"tail_share@{k}": _round(tail_slots / max(slots, 1)),
        "n_users": len(hits),
    }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)
