"""Synthetic recommender worlds with known causal truth, for tests and benchmarks.

A world has users (age group, hidden tastes), items (genre, price, quality, popularity,
promotion, a title and a description), a logging policy biased toward popular and promoted
items, clicks and ratings from a true preference model, and a random-exposure log. Because
we wrote the simulator we know the truth: the DAG over the interaction-level variables,
average effects computed by intervening in the simulator, and each user's true top-k.

Structural model (one row = one exposure of an item to a user):

    quality     ~ item attribute, 1..5                      (tier 0)
    price       ~ item attribute, dollars                   (tier 0)
    genre       ~ item attribute                            (tier 0)
    promoted    ~ item attribute, Bernoulli                 (tier 0)
    age_group   ~ user attribute                            (tier 0)
    popularity  := clip(round(quality + item noise), 1, 5)  (tier 0)
    position    := 1 + Binomial(slate - 1, p(popularity, promoted))  (tier 2; exposure)
    preference  := taste[age_group, genre] + b_q*(quality-3) - b_p*price_z + personal taste
    clicked     ~ Bernoulli(sigmoid(c0 + c1*preference - c2*(position-1)))  (tier 3)
    rating      := clip(round(3 + r1*preference + noise), 1, 5), observed only if clicked (tier 4)

Which (user, item) pairs are logged is chosen with weights multiplicative in user activity,
item popularity and promotion, so selection into the log adds no spurious dependence
between attributes. Promotion raises exposure (better positions) but not preference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import binom, norm

from causal.datasets.schema import Dataset, DatasetSchema, Role, VariableInfo
from causal.datasets.synthetic_text import GENRES, item_texts

AGE_GROUPS = ("18-24", "25-34", "35-49", "50+")

NODES = (
    "age_group",
    "genre",
    "price",
    "quality",
    "promoted",
    "popularity",
    "position",
    "clicked",
    "rating",
)
TRUE_EDGES = (
    ("quality", "popularity"),
    ("popularity", "position"),
    ("promoted", "position"),
    ("position", "clicked"),
    ("quality", "clicked"),
    ("price", "clicked"),
    ("price", "rating"),
    ("genre", "clicked"),
    ("age_group", "clicked"),
    ("clicked", "rating"),
    ("quality", "rating"),
    ("genre", "rating"),
    ("age_group", "rating"),
)


@dataclass(frozen=True)
class SyntheticConfig:
    """Sizes and strengths of a synthetic world; the defaults give 100k logged exposures."""

    seed: int = 0
    n_users: int = 1000
    n_items: int = 500
    n_interactions: int = 100_000
    random_per_user: int = 10
    slate_size: int = 10
    promoted_share: float = 0.12
    exposure_popularity_power: float = 1.2  # exposure weight ~ popularity ** power
    exposure_promotion_boost: float = 3.0  # promoted items are shown this many times more
    taste_strength: float = 1.0  # scale of the age-group x genre tastes
    personal_taste_strength: float = 0.6  # scale of the per-user hidden taste
    quality_effect: float = 0.45  # preference per quality point
    price_effect: float = 0.35  # preference lost per standard deviation of price
    click_intercept: float = -0.6
    click_preference: float = 1.2
    click_position: float = 0.28  # logit lost per position below the top
    rating_preference: float = 1.1
    rating_noise: float = 0.6


@dataclass(frozen=True)
class SyntheticTruth:
    """What is true in a synthetic world: its DAG, its preference model and its top-k."""

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    expected_rating: np.ndarray  # users x items: expected rating if the user rated the item
    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]

    def top_k(self, user_id: str, k: int = 10) -> list[str]:
        """The user's k truly best items by expected rating."""
        row = self.expected_rating[self.user_ids.index(user_id)]
        order = np.argsort(-row, kind="stable")[:k]
        return [self.item_ids[i] for i in order]


@dataclass(frozen=True)
class TrueEffect:
    """An average effect computed by intervening in the simulator, over the logged rows."""

    treatment: str
    outcome: str
    treatment_value: object
    control_value: object
    ate: float
    mean_treated: float
    mean_control: float
    n: int
    given: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SyntheticWorld:
    """A generated dataset together with the simulator's parameters and its truth."""

    config: SyntheticConfig
    dataset: Dataset
    truth: SyntheticTruth
    _taste: np.ndarray  # age groups x genres
    _personal: np.ndarray  # users x items hidden personal taste
    _item_noise: np.ndarray  # per-item popularity noise (kept for counterfactuals)
    _price_mean: float
    _price_std: float

    @cached_property
    def _index(self) -> tuple[dict[str, int], dict[str, int]]:
        users = {u: i for i, u in enumerate(self.truth.user_ids)}
        items = {it: i for i, it in enumerate(self.truth.item_ids)}
        return users, items

    def true_effect(
        self,
        treatment: str,
        outcome: str,
        treatment_value: object,
        control_value: object,
        given: Mapping[str, object] | None = None,
    ) -> TrueEffect:
        """E[outcome | do(treatment=a)] - E[outcome | do(treatment=b)] over the logged rows.

        The outcome `rating` is the rating the user would give (observed only after a click in
        the log), so an effect on it is an effect on preference, free of click selection.
        `given` restricts the rows to a subgroup by pre-treatment attributes (e.g.
        {"age_group": "25-34"}).
        """
        if outcome not in ("clicked", "rating"):
            raise ValueError(f"outcome must be 'clicked' or 'rating', got {outcome!r}")
        allowed = ("promoted", "position", "quality", "popularity", "price", "genre", "age_group")
        if treatment not in allowed:
            raise ValueError(f"treatment must be one of {allowed}, got {treatment!r}")
        rows = self._analysis_rows()
        for column, value in (given or {}).items():
            if column not in rows.columns:
                raise ValueError(f"unknown subgroup column {column!r}")
            rows = rows[rows[column].astype(str) == str(value)]
        if rows.empty:
            raise ValueError("no logged rows in that subgroup")
        treated = self._expected_outcome(rows, outcome, treatment, treatment_value)
        control = self._expected_outcome(rows, outcome, treatment, control_value)
        return TrueEffect(
            treatment=treatment,
            outcome=outcome,
            treatment_value=treatment_value,
            control_value=control_value,
            ate=float(np.mean(treated - control)),
            mean_treated=float(np.mean(treated)),
            mean_control=float(np.mean(control)),
            n=len(rows),
            given=dict(given or {}),
        )

    def _analysis_rows(self) -> pd.DataFrame:
        data = self.dataset
        rows = data.interactions.merge(data.users, on="user_id").merge(
            data.items.drop(columns=["title", "description"]), on="item_id"
        )
        users, items = self._index
        rows["_u"] = rows["user_id"].map(users).astype(int)
        rows["_i"] = rows["item_id"].map(items).astype(int)
        return rows

    def _expected_outcome(
        self, rows: pd.DataFrame, outcome: str, treatment: str, value: object
    ) -> np.ndarray:
        cfg = self.config
        u = rows["_u"].to_numpy()
        i = rows["_i"].to_numpy()
        age = rows["age_group"].map({a: k for k, a in enumerate(AGE_GROUPS)}).to_numpy()
        genre = rows["genre"].map({g: k for k, g in enumerate(GENRES)}).to_numpy()
        quality = rows["quality"].to_numpy(dtype=float)
        price = rows["price"].to_numpy(dtype=float)
        promoted = rows["promoted"].to_numpy(dtype=float)
        popularity = rows["popularity"].to_numpy(dtype=float)
        fixed_position: np.ndarray | None = None
        if treatment == "age_group":
            age = np.full(len(rows), AGE_GROUPS.index(str(value)))
        elif treatment == "genre":
            genre = np.full(len(rows), GENRES.index(str(value)))
        elif treatment == "quality":
            quality = np.full(len(rows), float(value))
            popularity = _popularity_from(quality, self._item_noise[i])
        elif treatment == "popularity":
            popularity = np.full(len(rows), float(value))
        elif treatment == "promoted":
            promoted = np.full(len(rows), float(value))
        elif treatment == "price":
            price = np.full(len(rows), float(value))
        elif treatment == "position":
            fixed_position = np.full(len(rows), int(value))
        pref = (
            cfg.taste_strength * self._taste[age, genre]
            + cfg.quality_effect * (quality - 3.0)
            - cfg.price_effect * (price - self._price_mean) / self._price_std
            + self._personal[u, i]
        )
        if outcome == "rating":
            return _expected_rating(pref, cfg)
        if fixed_position is not None:
            return expit(
                cfg.click_intercept
                + cfg.click_preference * pref
                - cfg.click_position * (fixed_position - 1)
            )
        p_low = _position_p(popularity, promoted)
        positions = np.arange(1, cfg.slate_size + 1)
        probs = binom.pmf(positions[None, :] - 1, cfg.slate_size - 1, p_low[:, None])
        clicks = expit(
            cfg.click_intercept
            + cfg.click_preference * pref[:, None]
            - cfg.click_position * (positions[None, :] - 1)
        )
        return (probs * clicks).sum(axis=1)


def make_world(config: SyntheticConfig | None = None, **overrides: object) -> SyntheticWorld:
    """Generate a synthetic world, deterministic by `config.seed`."""
    cfg = config or SyntheticConfig()
    if overrides:
        cfg = SyntheticConfig(**{**cfg.__dict__, **overrides})
    _check_config(cfg)
    rng = np.random.default_rng(cfg.seed)

    # Users.
    user_ids = tuple(f"u{k:05d}" for k in range(cfg.n_users))
    age = rng.choice(len(AGE_GROUPS), size=cfg.n_users, p=[0.2, 0.35, 0.3, 0.15])
    activity = rng.lognormal(0.0, 0.8, size=cfg.n_users)

    # Items.
    item_ids = tuple(f"i{k:06d}" for k in range(cfg.n_items))
    genre = rng.choice(len(GENRES), size=cfg.n_items)
    quality = rng.choice(5, size=cfg.n_items, p=[0.1, 0.2, 0.35, 0.25, 0.1]) + 1.0
    price = np.round(np.exp(rng.normal(np.log(15.0), 0.5, size=cfg.n_items)), 2)
    promoted = (rng.random(cfg.n_items) < cfg.promoted_share).astype(int)
    item_noise = rng.normal(0.0, 0.9, size=cfg.n_items)
    popularity = _popularity_from(quality, item_noise)
    titles, descriptions = item_texts(rng, genre, quality, price)

    # True preference.
    taste = rng.normal(0.0, 1.0, size=(len(AGE_GROUPS), len(GENRES)))
    taste -= taste.mean(axis=1, keepdims=True)
    dim = 8
    user_vec = rng.normal(0.0, 1.0, size=(cfg.n_users, dim))
    item_vec = rng.normal(0.0, 1.0, size=(cfg.n_items, dim))
    personal = cfg.personal_taste_strength * (user_vec @ item_vec.T) / np.sqrt(dim)
    price_mean, price_std = float(price.mean()), float(price.std() or 1.0)
    preference = (
        cfg.taste_strength * taste[age][:, genre]
        + cfg.quality_effect * (quality - 3.0)[None, :]
        - cfg.price_effect * ((price - price_mean) / price_std)[None, :]
        + personal
    )

    # Logged exposures: user and item drawn independently (multiplicative selection).
    exposure_weight = popularity**cfg.exposure_popularity_power * np.where(
        promoted == 1, cfg.exposure_promotion_boost, 1.0
    )
    u, i = _sample_pairs(rng, cfg.n_interactions, activity, exposure_weight)
    position = 1 + rng.binomial(cfg.slate_size - 1, _position_p(popularity[i], promoted[i]))
    pref = preference[u, i]
    click_p = expit(
        cfg.click_intercept + cfg.click_preference * pref - cfg.click_position * (position - 1)
    )
    clicked = (rng.random(len(u)) < click_p).astype(int)
    rating = _draw_rating(rng, pref, cfg)
    logged_rating = np.where(clicked == 1, rating, np.nan)
    timestamp = 1_600_000_000 + np.sort(rng.integers(0, 180 * 86400, size=len(u)))

    interactions = pd.DataFrame(
        {
            "user_id": np.array(user_ids)[u],
            "item_id": np.array(item_ids)[i],
            "timestamp": timestamp.astype("int64"),
            "exposed": np.ones(len(u), dtype="int64"),
            "position": pd.array(position, dtype="Int64"),
            "clicked": clicked.astype("int64"),
            "rating": logged_rating,
        }
    )

    # Random-exposure log: each user is shown items uniformly at random, at random positions,
    # and asked to rate every one of them (as in Coat / Yahoo! R3).
    ru = np.repeat(np.arange(cfg.n_users), cfg.random_per_user)
    ri = np.concatenate(
        [
            rng.choice(cfg.n_items, size=cfg.random_per_user, replace=False)
            for _ in range(cfg.n_users)
        ]
    )
    rpos = rng.integers(1, cfg.slate_size + 1, size=len(ru))
    rpref = preference[ru, ri]
    rclick = (
        rng.random(len(ru))
        < expit(
            cfg.click_intercept + cfg.click_preference * rpref - cfg.click_position * (rpos - 1)
        )
    ).astype(int)
    random_exposure = pd.DataFrame(
        {
            "user_id": np.array(user_ids)[ru],
            "item_id": np.array(item_ids)[ri],
            "timestamp": np.full(len(ru), int(timestamp[-1]) + 86400, dtype="int64"),
            "exposed": np.ones(len(ru), dtype="int64"),
            "position": pd.array(rpos, dtype="Int64"),
            "clicked": rclick.astype("int64"),
            "rating": _draw_rating(rng, rpref, cfg),
        }
    )

    items = pd.DataFrame(
        {
            "item_id": list(item_ids),
            "title": titles,
            "description": descriptions,
            "genre": [GENRES[g] for g in genre],
            "price": price.astype(float),
            "quality": quality.astype(float),
            "popularity": popularity.astype(float),
            "promoted": promoted.astype(float),
        }
    )
    users = pd.DataFrame({"user_id": list(user_ids), "age_group": [AGE_GROUPS[a] for a in age]})
    dataset = Dataset(
        name=f"synthetic-{cfg.seed}",
        items=items,
        users=users,
        interactions=interactions,
        schema=synthetic_schema(),
        random_exposure=random_exposure,
    )
    truth = SyntheticTruth(
        nodes=NODES,
        edges=TRUE_EDGES,
        expected_rating=_expected_rating(preference, cfg),
        user_ids=user_ids,
        item_ids=item_ids,
    )
    return SyntheticWorld(
        config=cfg,
        dataset=dataset,
        truth=truth,
        _taste=taste,
        _personal=personal,
        _item_noise=item_noise,
        _price_mean=price_mean,
        _price_std=price_std,
    )


def synthetic_schema() -> DatasetSchema:
    """Roles, tiers and descriptions of a synthetic world's variables.

    Tiers follow the roles alone (the data contract's defaults: every user and item attribute
    in tier 0, exposure 2, click 3, rating 4), as a user would declare them; they never
    encode the true edges (popularity, an item attribute caused by quality, shares tier 0).
    """
    v = VariableInfo
    variables = {
        "age_group": v("age_group", Role.USER_ATTRIBUTE, 0, "the user's age group"),
        "genre": v("genre", Role.ITEM_ATTRIBUTE, 0, "the item's genre"),
        "price": v("price", Role.ITEM_ATTRIBUTE, 0, "the item's price in dollars"),
        "quality": v(
            "quality", Role.ITEM_ATTRIBUTE, 0, "critics' quality score, 1 (poor) to 5 (excellent)"
        ),
        "promoted": v("promoted", Role.ITEM_ATTRIBUTE, 0, "1 if the item is in a paid promotion"),
        "popularity": v(
            "popularity",
            Role.ITEM_ATTRIBUTE,
            0,
            "popularity tier from past sales, 1 (niche) to 5 (blockbuster)",
        ),
        "timestamp": v("timestamp", Role.CONTEXT, 1, "when the item was shown"),
        "exposed": v(
            "exposed", Role.EXPOSURE, 2, "whether the item was shown (always 1 in this log)"
        ),
        "position": v("position", Role.EXPOSURE, 2, "rank at which the item was shown (1 = top)"),
        "clicked": v("clicked", Role.OUTCOME, 3, "whether the user clicked the item"),
        "rating": v("rating", Role.OUTCOME, 4, "the rating the user gave after clicking, 1 to 5"),
    }
    return DatasetSchema(
        variables=variables, treatments=("promoted", "position"), outcomes=("clicked", "rating")
    )


def _check_config(cfg: SyntheticConfig) -> None:
    if cfg.n_users < 2 or cfg.n_items < 2:
        raise ValueError("a synthetic world needs at least 2 users and 2 items")
    if cfg.n_interactions < 1:
        raise ValueError("n_interactions must be positive")
    if cfg.n_interactions > 0.6 * cfg.n_users * cfg.n_items:
        raise ValueError(
            f"n_interactions={cfg.n_interactions} is too many distinct pairs for "
            f"{cfg.n_users} users x {cfg.n_items} items"
        )
    if not 1 <= cfg.random_per_user <= cfg.n_items:
        raise ValueError("random_per_user must be between 1 and n_items")
    if cfg.slate_size < 2:
        raise ValueError("slate_size must be at least 2")


def _popularity_from(quality: np.ndarray, noise: np.ndarray) -> np.ndarray:
    return np.clip(np.round(quality + noise), 1, 5)


def _position_p(popularity: np.ndarray, promoted: np.ndarray) -> np.ndarray:
    """Share of the slate below the item: popular and promoted items sit near the top."""
    return expit(0.6 - 0.55 * (popularity - 3.0) - 1.6 * promoted)


def _expected_rating(pref: np.ndarray, cfg: SyntheticConfig) -> np.ndarray:
    """E[clip(round(3 + r1*pref + noise), 1, 5)] in closed form."""
    mean = 3.0 + cfg.rating_preference * pref
    total = np.zeros_like(mean, dtype=float)
    for level in range(1, 6):
        lower = -np.inf if level == 1 else level - 0.5
        upper = np.inf if level == 5 else level + 0.5
        total += level * (
            norm.cdf((upper - mean) / cfg.rating_noise)
            - norm.cdf((lower - mean) / cfg.rating_noise)
        )
    return total


def _draw_rating(rng: np.random.Generator, pref: np.ndarray, cfg: SyntheticConfig) -> np.ndarray:
    raw = 3.0 + cfg.rating_preference * pref + rng.normal(0.0, cfg.rating_noise, size=pref.shape)
    return np.clip(np.round(raw), 1, 5).astype(float)


def _sample_pairs(
    rng: np.random.Generator, n: int, user_weight: np.ndarray, item_weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """n distinct (user, item) pairs, user and item drawn independently by weight."""
    pu = user_weight / user_weight.sum()
    pi = item_weight / item_weight.sum()
    n_items = len(item_weight)
    seen = np.zeros(0, dtype=np.int64)
    order_u = np.zeros(0, dtype=np.int64)
    order_i = np.zeros(0, dtype=np.int64)
    while len(seen) < n:
        m = int((n - len(seen)) * 1.3) + 16
        u = rng.choice(len(pu), size=m, p=pu)
        i = rng.choice(n_items, size=m, p=pi)
        keys = np.concatenate([seen, u.astype(np.int64) * n_items + i])
        _, first = np.unique(keys, return_index=True)
        first.sort()
        keys = keys[first]
        seen = keys[:n]
        order_u = seen // n_items
        order_i = seen % n_items
    return order_u, order_i
