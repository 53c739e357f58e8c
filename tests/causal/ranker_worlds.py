"""Small worlds with a planted truth for the ranker tests (built in memory, in milliseconds)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from causal.datasets.schema import Dataset

# Selection on the rating itself (missing not at random): people rate what they love.
OBSERVE_GIVEN_RATING = {1: 0.08, 2: 0.1, 3: 0.15, 4: 0.3, 5: 0.6}


def polarising_world(seed: int = 0, n_users: int = 200, n_items: int = 40) -> Dataset:
    """Half the items are polarising (rated 1 or 5, mean 3), half steady (3 or 4, mean 3.5).

    Ratings are observed with a probability that grows with the rating, so the log shows the
    polarising items' 5s and hides their 1s: a naive model ranks them first, although the
    steady items are truly better. A random-exposure log (8 items per user, all rated) lets
    the ranker estimate the selection (naive Bayes propensities).
    """
    rng = np.random.default_rng(seed)
    polarising = np.arange(n_items) < n_items // 2
    coin = rng.random((n_users, n_items)) < 0.5
    ratings = np.where(polarising[None, :], np.where(coin, 5, 1), np.where(coin, 4, 3))
    p_obs = np.vectorize(OBSERVE_GIVEN_RATING.get)(ratings)
    observed = rng.random((n_users, n_items)) < p_obs
    users, items = np.nonzero(observed)
    interactions = pd.DataFrame(
        {
            "user_id": [f"u{u}" for u in users],
            "item_id": [f"i{i}" for i in items],
            "rating": ratings[users, items].astype(float),
        }
    )
    ru = np.repeat(np.arange(n_users), 8)
    ri = np.concatenate([rng.choice(n_items, size=8, replace=False) for _ in range(n_users)])
    random_log = pd.DataFrame(
        {
            "user_id": [f"u{u}" for u in ru],
            "item_id": [f"i{i}" for i in ri],
            "rating": ratings[ru, ri].astype(float),
        }
    )
    items_frame = pd.DataFrame(
        {
            "item_id": [f"i{i}" for i in range(n_items)],
            "title": [f"Item {i}" for i in range(n_items)],
            "shade": ["bright" if i % 3 else "dark" for i in range(n_items)],
        }
    )
    users_frame = pd.DataFrame({"user_id": [f"u{u}" for u in range(n_users)]})
    return Dataset(
        name="polarising",
        items=items_frame,
        users=users_frame,
        interactions=interactions,
        random_exposure=random_log,
    )


def segment_world(
    seed: int = 0,
    n_users: int = 120,
    n_items: int = 30,
    *,
    kind: str = "rating",
    cold_items: int = 2,
) -> Dataset:
    """Users of segment x love style p and dislike q; segment y the reverse.

    The last `cold_items` items (styles p then q) never appear in the log: they can only be
    scored from their attributes. kind: "rating" (1-5), "click" (exposures with clicks) or
    "implicit" (liked pairs only).
    """
    rng = np.random.default_rng(seed)
    segment = np.where(np.arange(n_users) % 2 == 0, "x", "y")
    style = np.where(np.arange(n_items) % 2 == 0, "p", "q")
    match = (segment[:, None] == "x") == (style[None, :] == "p")
    warm = n_items - cold_items
    rows = []
    for u in range(n_users):
        for i in rng.choice(warm, size=10, replace=False):
            rating = float(np.clip(round((4.5 if match[u, i] else 1.8) + rng.normal(0, 0.5)), 1, 5))
            rows.append((f"u{u}", f"i{i}", rating, int(rating >= 4)))
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "clicked"])
    if kind == "rating":
        interactions = frame[["user_id", "item_id", "rating"]]
    elif kind == "click":
        interactions = frame[["user_id", "item_id", "clicked"]].assign(exposed=1)
    elif kind == "implicit":
        interactions = frame[frame["clicked"] == 1][["user_id", "item_id"]]
    else:
        raise ValueError(kind)
    items_frame = pd.DataFrame(
        {
            "item_id": [f"i{i}" for i in range(n_items)],
            "title": [f"Item {i}" for i in range(n_items)],
            "style": style,
            "size": rng.normal(0, 1, size=n_items),
        }
    )
    users_frame = pd.DataFrame({"user_id": [f"u{u}" for u in range(n_users)], "segment": segment})
    return Dataset(
        name=f"segments-{kind}",
        items=items_frame,
        users=users_frame,
        interactions=interactions.reset_index(drop=True),
    )


@dataclass(frozen=True)
class PickWorld:
    """A log of picks and the truth behind it: each item's and each user's cluster."""

    dataset: Dataset
    item_cluster: dict[str, int]
    user_cluster: dict[str, int]


def pick_world(
    seed: int = 0,
    n_users: int = 150,
    n_items: int = 60,
    *,
    n_clusters: int = 3,
    picks_per_user: int = 14,
    own_share: float = 0.7,
) -> PickWorld:
    """Users pick from their own cluster of items; ratings say nothing about the cluster.

    Each pick is, with probability `own_share`, an item of the user's cluster, else an item
    drawn by a Zipf-like popularity over the whole catalogue (the popularity confounder).
    Ratings depend on a per-item quality only, so a rating model cannot tell which items a
    user will pick next: only the picks themselves (and popularity) can. Picks are ordered in
    time, so the last one is a temporal leave-last-out test item. Items carry no attributes
    that reveal the cluster.
    """
    rng = np.random.default_rng(seed)
    cluster_of_item = np.arange(n_items) % n_clusters
    cluster_of_user = rng.integers(0, n_clusters, size=n_users)
    popularity = 1.0 / (1.0 + rng.permutation(n_items)) ** 0.9
    popularity /= popularity.sum()
    quality = rng.normal(0.0, 0.8, size=n_items)
    rows = []
    for u in range(n_users):
        own = np.nonzero(cluster_of_item == cluster_of_user[u])[0]
        chosen: list[int] = []
        while len(chosen) < picks_per_user:
            if rng.random() < own_share:
                item = int(rng.choice(own))
            else:
                item = int(rng.choice(n_items, p=popularity))
            if item not in chosen:
                chosen.append(item)
        for t, item in enumerate(chosen):
            rating = float(np.clip(round(3.2 + quality[item] + rng.normal(0, 0.7)), 1, 5))
            rows.append((f"u{u}", f"i{item}", rating, 1_000_000 + 1000 * u + t))
    interactions = pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"])
    items_frame = pd.DataFrame(
        {
            "item_id": [f"i{i}" for i in range(n_items)],
            "title": [f"Item {i}" for i in range(n_items)],
        }
    )
    users_frame = pd.DataFrame({"user_id": [f"u{u}" for u in range(n_users)]})
    dataset = Dataset(name="picks", items=items_frame, users=users_frame, interactions=interactions)
    return PickWorld(
        dataset,
        {f"i{i}": int(c) for i, c in enumerate(cluster_of_item)},
        {f"u{u}": int(c) for u, c in enumerate(cluster_of_user)},
    )
