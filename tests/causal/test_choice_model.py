"""The choice model ("would they pick it") and the score weights chosen on validation.

The pick world's ratings say nothing about which items a user picks (only item quality),
its picks follow the user's cluster plus a popularity confounder: a rating-only ranker and
popularity both miss the next pick, the choice model finds it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helper module beside this file
from ranker_worlds import pick_world, segment_world

import causal.ranking.choice_training as choice_training
from causal.datasets.schema import Dataset
from causal.ranking import Ranker, RankerConfig
from causal.ranking.choice_model import ChoiceSpec, Picks
from causal.ranking.choice_training import fit_choice_model
from causal.ranking.data import prepare_ranking_data
from causal.ranking.evaluation import DECONFOUNDED, RATING_ONLY, evaluate_leave_last_out
from causal.ranking.model import CHOICE_FILE
from causal.ranking.training import train_ranker
from causal.ranking.weights import holdout_rows

FAST = {"steps": 80, "dim": 8, "tune": False}


@pytest.fixture(scope="module")
def world():
    return pick_world(seed=0)


@pytest.fixture(scope="module")
def ranker(world):
    return train_ranker(world.dataset, RankerConfig(**FAST), progress=False)


def _own_share(world, user: str, item_ids: list[str]) -> float:
    return float(np.mean([world.item_cluster[i] == world.user_cluster[user] for i in item_ids]))


def test_next_pick_beats_popularity_and_the_rating_model(world):
    out = evaluate_leave_last_out(world.dataset, RankerConfig(**FAST))
    base = out["baselines"]
    popularity, rating_only = base["popularity"], base[RATING_ONLY]
    assert out["recall@10"] >= popularity["recall@10"] + 0.2
    assert out["ndcg@10"] >= popularity["ndcg@10"] + 0.1
    assert out["recall@10"] >= rating_only["recall@10"] + 0.3
    # The weights were chosen on the training log's own last picks, and favour the choice model.
    assert out["weights"]["source"] == "last_pick"
    assert out["weights"]["choice"] >= 0.5
    # The deconfounded ranking (no popularity) is not popularity in disguise.
    deconfounded = base.get(DECONFOUNDED, out)
    assert deconfounded["recall@10"] >= popularity["recall@10"] + 0.2
    assert deconfounded["tail_coverage@10"] > popularity["tail_coverage@10"]


def test_popularity_confounder_is_explained_away(world):
    data = prepare_ranking_data(world.dataset)
    picks = Picks.from_pairs(data.rows_user, data.rows_item, data.n_users, data.n_items)
    common = {
        "item_counts": data.item_counts,
        "user_features": data.user_features,
        "item_features": data.item_features,
    }
    pda = fit_choice_model(picks, ChoiceSpec(confounder=True), **common)
    plain = fit_choice_model(picks, ChoiceSpec(confounder=False), **common)
    assert pda.pop_effect > 0.1 and plain.pop_effect == 0.0
    # Item appeal left once popularity is explained away tracks popularity far less.
    rho_pda = spearmanr(pda.target_bias, data.item_counts)[0]
    rho_plain = spearmanr(plain.target_bias, data.item_counts)[0]
    assert rho_pda < rho_plain - 0.3


def test_deconfounded_choice_ranks_the_users_own_cluster_first(world, ranker):
    choice_only = ranker.with_weights(preference=0.0, choice=1.0, popularity=0.0, similarity=0.0)
    users = [f"u{u}" for u in range(40)]
    shares = [_own_share(world, u, [s.item_id for s in choice_only.top_items(u, 5)]) for u in users]
    assert np.mean(shares) >= 0.85
    top = ranker.top_items("u0", 5)
    assert all(0.0 < s.components["choice"] < 1.0 for s in top)
    assert {"preference", "popularity", "similarity", "popularity_boost"} <= set(top[0].components)
    assert all(1.0 <= s.components["preference"] <= 5.0 for s in top)


def test_conversation_likes_steer_the_choice_model(world, ranker):
    choice_only = ranker.with_weights(preference=0.0, choice=1.0, popularity=0.0, similarity=0.0)
    cluster_items = {c: [i for i, k in world.item_cluster.items() if k == c] for c in range(3)}
    for cluster, items in cluster_items.items():
        top = choice_only.top_items(None, 8, liked=items[:3])
        assert np.mean([world.item_cluster[s.item_id] == cluster for s in top]) >= 0.75
    # A known user who says they like another cluster's items gets that cluster next.
    user = next(u for u, c in world.user_cluster.items() if c == 0)
    other = cluster_items[1][:4]
    choice_only.fold_in(user, [(i, "like") for i in other])
    top = choice_only.top_items(user, 8)
    assert np.mean([world.item_cluster[s.item_id] == 1 for s in top]) >= 0.5
    assert not set(other) & {s.item_id for s in top}


def test_sampled_softmax_path_learns_the_clusters(world, monkeypatch):
    monkeypatch.setattr(choice_training, "DENSE_CELLS", 0)
    monkeypatch.setattr(choice_training, "SAMPLED_ITEMS", 16)
    data = prepare_ranking_data(world.dataset)
    picks = Picks.from_pairs(data.rows_user, data.rows_item, data.n_users, data.n_items)
    model = fit_choice_model(
        picks,
        ChoiceSpec(steps=150),
        item_counts=data.item_counts,
        user_features=data.user_features,
        item_features=data.item_features,
    )
    shares = []
    for u, items in list(picks.history().items())[:40]:
        scores = model.logits(model.user_vector(items, np.ones(len(items))), np.arange(60))
        scores[items] = -np.inf
        top = [data.item_ids[i] for i in np.argsort(-scores)[:5]]
        shares.append(_own_share(world, data.user_ids[u], top))
    assert np.mean(shares) >= 0.7


def test_holdout_takes_each_users_last_pick(monkeypatch):
    rows = [(u, f"i{j}", 4.0, 100 * j + (7 if u == "b" else 0)) for u in "abc" for j in range(4)]
    rows.append(("d", "i0", 3.0, 5))  # d has one pick: keeps it
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"])
    frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)  # log order scrambled
    items = pd.DataFrame({"item_id": [f"i{j}" for j in range(4)], "title": list("ABCD")})
    users = pd.DataFrame({"user_id": list("abcd")})
    data = prepare_ranking_data(Dataset("tiny", items, users, frame))
    assert holdout_rows(data, seed=0) is None  # fewer than MIN_HOLDOUT_USERS users
    monkeypatch.setattr("causal.ranking.weights.MIN_HOLDOUT_USERS", 2)
    held = holdout_rows(data, seed=0)
    assert held is not None and held.source == "last_pick"
    chosen = {
        (data.user_ids[data.rows_user[r]], data.item_ids[data.rows_item[r]]) for r in held.rows
    }
    assert chosen == {("a", "i3"), ("b", "i3"), ("c", "i3")}


def test_weights_fixed_in_the_config_skip_validation(world):
    cfg = RankerConfig(**FAST, choice_weight=0.3, popularity_weight=0.2)
    ranker = train_ranker(world.dataset, cfg, progress=False)
    assert ranker.weights.source == "config"
    assert ranker.weights.choice == pytest.approx(0.3)
    assert ranker.weights.preference == pytest.approx(0.7)
    assert ranker.weights.popularity == pytest.approx(0.2)
    assert ranker.info["weight_selection"] == {"source": "config"}
    top = ranker.top_items("u1", 3)
    assert top[0].components["popularity_boost"] == pytest.approx(
        0.2 * ranker.popularity_z[ranker.item_index[top[0].item_id]], abs=1e-6
    )
    with pytest.raises(ValueError, match="choice_weight"):
        RankerConfig(choice_weight=1.5)
    with pytest.raises(ValueError, match="score weight"):
        ranker.with_weights(magic=1.0)


def test_choice_model_only_for_rating_logs_unless_asked():
    implicit = segment_world(kind="implicit")
    assert train_ranker(implicit, RankerConfig(**FAST), progress=False).choice is None
    forced = train_ranker(implicit, RankerConfig(**FAST, choice=True), progress=False)
    assert forced.choice is not None
    assert "choice" in forced.top_items("u1", 2)[0].components


def test_save_load_keeps_the_choice_model_and_weights(tmp_path, world, ranker):
    ranker.save(tmp_path / "r")
    loaded = Ranker.load(tmp_path / "r")
    assert loaded.choice is not None and loaded.choice.same_as(ranker.choice)
    assert loaded.weights == ranker.weights
    items = world.dataset.items["item_id"].tolist()
    assert loaded.score("u5", items) == ranker.score("u5", items)
    # A ranker written before the choice model (no choice file, no weights) still loads.
    meta = json.loads((tmp_path / "r" / "ranker.json").read_text())
    for key in ("choice", "choice_centre", "choice_scale", "weights"):
        meta.pop(key)
    meta["config"]["popularity_weight"] = 0.0
    (tmp_path / "r" / "ranker.json").write_text(json.dumps(meta))
    (tmp_path / "r" / CHOICE_FILE).unlink()
    old = Ranker.load(tmp_path / "r")
    assert old.choice is None
    assert (old.weights.preference, old.weights.choice, old.weights.popularity) == (1.0, 0.0, 0.0)
    assert "choice" not in old.top_items("u5", 1)[0].components


def test_choice_training_is_deterministic(world):
    a = train_ranker(world.dataset, RankerConfig(**FAST, seed=2), progress=False)
    b = train_ranker(world.dataset, RankerConfig(**FAST, seed=2), progress=False)
    assert a.choice is not None and b.choice is not None
    assert a.choice.same_as(b.choice)
    assert a.weights == b.weights
    assert [s.item_id for s in a.top_items("u3", 5)] == [s.item_id for s in b.top_items("u3", 5)]
