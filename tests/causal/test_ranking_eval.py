"""Ranking metrics, the leave-last-out split, propensities and data encoding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from causal.datasets.schema import DataError, Dataset
from causal.ranking.data import FeatureEncoder, FeedbackKind, prepare_ranking_data
from causal.ranking.metrics import (
    leave_last_out,
    long_tail_items,
    per_user_ranking,
    roc_auc,
    top_n_metrics,
)
from causal.ranking.propensity import estimate_propensities
from causal.ranking.training import random_split, tempered_weights


def test_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.3
    s = np.round(rng.normal(size=300), 1)  # many ties
    assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s))
    assert roc_auc(np.ones(4, bool), np.arange(4)) is None


def test_ndcg_and_recall_per_user():
    users = np.array(["a", "a", "a", "b", "b", "c"])
    labels = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.0])
    scores = np.array([0.1, 0.9, 0.5, 0.3, 0.2, 1.0])
    ndcg, recall, n = per_user_ranking(users, labels, scores, k=2)
    # a: the positive is ranked 3rd -> not in the top 2; b: positive 2nd -> 1/log2(3).
    assert n == 2  # c has no positive
    assert ndcg == pytest.approx((0.0 + 1 / np.log2(3)) / 2)
    assert recall == pytest.approx(0.5)


def test_leave_last_out_takes_each_users_latest_row():
    frame = pd.DataFrame(
        {
            "user_id": ["a", "a", "a", "b", "b", "c"],
            "item_id": ["1", "2", "3", "1", "4", "9"],
            "timestamp": [5, 9, 1, 3, 2, 7],
        }
    )
    split = leave_last_out(frame)
    assert dict(zip(split.test["user_id"], split.test["item_id"], strict=True)) == {
        "a": "2",
        "b": "1",
    }
    assert len(split.train) == 4 and "c" in set(split.train["user_id"])
    with pytest.raises(ValueError, match="timestamp"):
        leave_last_out(frame.drop(columns=["timestamp"]))


def test_leave_last_out_holds_out_the_last_positive_and_drops_later_rows():
    frame = pd.DataFrame(
        {
            "user_id": ["a"] * 4,
            "item_id": ["1", "2", "3", "4"],
            "timestamp": [1, 2, 3, 4],
            "clicked": [1, 0, 1, 0],
        }
    )
    split = leave_last_out(frame, positive=frame["clicked"] == 1)
    assert split.test["item_id"].tolist() == ["3"]
    assert split.train["item_id"].tolist() == ["1", "2"]  # nothing from the future


def test_top_n_metrics_and_tail():
    counts = pd.Series({str(i): 100 - i for i in range(10)})
    tail = long_tail_items(counts)
    assert tail == {str(i) for i in range(2, 10)}
    test = pd.DataFrame({"user_id": ["u", "v"], "item_id": ["5", "0"]})
    lists = {"u": ["1", "5", "7"], "v": ["2", "3", "4"]}
    out = top_n_metrics(test, lambda user, k: lists[user][:k], tail, k=3)
    assert out["recall@3"] == 0.5
    assert out["ndcg@3"] == pytest.approx(round(0.5 / np.log2(3), 4))
    assert out["tail_coverage@3"] == pytest.approx(5 / 8)
    assert out["tail_share@3"] == pytest.approx(round(5 / 6, 4))


def _tiny(interactions: pd.DataFrame) -> Dataset:
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c"],
            "title": ["A", "B", "C"],
            "genres": ["x|y", "y", None],
            "price": [1.0, 2.0, np.nan],
        }
    )
    users = pd.DataFrame({"user_id": ["u", "v"], "age": [20.0, 40.0]})
    return Dataset("tiny", items, users, interactions)


def test_feedback_kind_is_detected():
    rated = pd.DataFrame({"user_id": ["u", "v"], "item_id": ["a", "b"], "rating": [5.0, np.nan]})
    clicks = pd.DataFrame({"user_id": ["u", "v"], "item_id": ["a", "b"], "clicked": [1, 0]})
    implicit = pd.DataFrame({"user_id": ["u", "u", "v"], "item_id": ["a", "a", "c"]})
    assert prepare_ranking_data(_tiny(rated)).kind is FeedbackKind.RATING
    assert prepare_ranking_data(_tiny(rated)).n_rows == 1
    assert prepare_ranking_data(_tiny(clicks)).kind is FeedbackKind.CLICK
    data = prepare_ranking_data(_tiny(implicit))
    assert data.kind is FeedbackKind.IMPLICIT and data.n_rows == 2  # duplicates merged
    with pytest.raises(DataError, match="unknown item"):
        prepare_ranking_data(
            _tiny(pd.DataFrame({"user_id": ["u"], "item_id": ["zzz"], "rating": [1.0]}))
        )


def test_feature_encoder_handles_multi_values_numbers_and_missing():
    data = prepare_ranking_data(_tiny(pd.DataFrame({"user_id": ["u"], "item_id": ["a"]})))
    enc = data.item_encoder
    assert "genres=x" in enc.names and "price" in enc.names
    row_a, _, row_c = data.item_features
    assert row_a[enc.names.index("genres=x")] == pytest.approx(1 / np.sqrt(2))
    assert not row_c.any()  # all missing -> zeros
    again = FeatureEncoder.from_dict(enc.to_dict())
    assert np.array_equal(again.transform_one({"genres": "y", "price": 2.0}), data.item_features[1])
    assert not again.transform_one({"colour": "red"}).any()


def test_naive_bayes_propensities_follow_the_random_sample():
    interactions = pd.DataFrame(
        {"user_id": ["u"] * 2 + ["v"] * 2, "item_id": list("abab"), "rating": [5.0, 5, 5, 1]}
    )
    data = prepare_ranking_data(_tiny(interactions))
    props = estimate_propensities(data, "random", random_targets=np.array([1.0, 1, 1, 5]))
    # 5s are over-represented in the log relative to the random sample: lower propensity for 1s.
    assert props.values[3] < props.values[0]
    assert props.method.value == "random"
    with pytest.raises(ValueError, match="random-exposure"):
        estimate_propensities(data, "random")
    logistic = estimate_propensities(data, "logistic", clip=0.05)
    assert (logistic.values >= 0.05).all() and (logistic.values <= 1).all()


def test_random_split_and_tempering():
    split = random_split(100, 0.05, seed=1)
    assert len(split.slice_rows) == 5 and len(split.eval_rows) == 95
    assert not set(split.slice_rows) & set(split.eval_rows)
    assert np.array_equal(split.slice_rows, random_split(100, 0.05, seed=1).slice_rows)
    inv = np.array([1.0, 4.0, 16.0])
    tempered = tempered_weights(inv, 0.5)
    assert tempered.sum() == pytest.approx(inv.sum())
    assert tempered[2] / tempered[0] == pytest.approx(4.0)
