"""Benchmark worlds that are hard in the ways recommender logs are, with known causal truth.

Why: the synthetic world of `causal.datasets.synthetic` is easy (no hidden causes, linear
logits, a schema whose tiers follow its edges). A figure measured only there cannot come out
badly. A "funnel world" here has:

* latent confounders: a hidden user trait (`engagement`) drives both `premium` and clicks,
  a hidden item trait (`buzz`) drives both `popularity` and clicks;
* selection on an earlier step: rows are candidates the recommender considered; an item is
  `exposed` (scrolled into view) depending on its `position` and the user's `device`, a
  click can only follow exposure (funnel zeros: `clicked` = 0 whenever `exposed` = 0), and a
  `rating` exists only after a click;
* nonlinear and interacting mechanisms: a price threshold, premium x quality and
  age x genre interactions, lognormal prices;
* many attributes in one tier: nine user and item attributes (two of them pure noise) share
  tier 0, so tiers orient nothing among them;
* the schema a user would write: roles only (the data contract's defaults: attributes,
  exposure, click, rating), never the true graph.

`make_funnel_world(FunnelConfig(seed=..., n_interactions=...))` returns the Dataset (with a
random-exposure log), the true DAG over observed variables plus the latent edges, and
`true_effect(...)`: E[Y | do(T=a)] - E[Y | do(T=b)] over the logged rows, computed by
intervening in the simulator with every exogenous draw held fixed (descendants of the
treatment are recomputed; the last random steps are integrated out in closed form).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import binom, norm

from causal.datasets.schema import Dataset, default_schema

AGES = ("18-24", "25-34", "35-49", "50+")
REGIONS = ("north", "south", "west")
DEVICES = ("mobile", "desktop", "tv")
GENRES = ("action", "comedy", "drama", "horror", "scifi", "documentary")
LANGUAGES = ("en", "fr", "de", "es")
SIGNUP = (2019, 2020, 2021, 2022, 2023)
SLATE = 10

OBSERVED = (
    "age_group",
    "region",
    "device",
    "premium",
    "signup_year",
    "genre",
    "quality",
    "price",
    "length",
    "language",
    "popularity",
    "position",
    "exposed",
    "clicked",
    "rating",
)
LATENT = ("engagement", "buzz")
TRUE_EDGES = (
    ("age_group", "device"),
    ("age_group", "premium"),
    ("region", "premium"),
    ("quality", "price"),
    ("genre", "price"),
    ("genre", "length"),
    ("quality", "popularity"),
    ("popularity", "position"),
    ("position", "exposed"),
    ("device", "exposed"),
    ("exposed", "clicked"),
    ("age_group", "clicked"),
    ("genre", "clicked"),
    ("quality", "clicked"),
    ("price", "clicked"),
    ("length", "clicked"),
    ("premium", "clicked"),
    ("clicked", "rating"),
    ("age_group", "rating"),
    ("genre", "rating"),
    ("quality", "rating"),
    ("price", "rating"),
    ("length", "rating"),
)
LATENT_EDGES = (
    ("engagement", "premium"),
    ("engagement", "clicked"),
    ("buzz", "popularity"),
    ("buzz", "clicked"),
)
DESCRIPTIONS = {
    "age_group": "the user's age group",
    "region": "where the user lives",
    "device": "the device the user watches on",
    "premium": "1 if the user pays for a premium plan",
    "signup_year": "the year the user signed up",
    "genre": "the item's genre",
    "quality": "critics' quality score, 1 (poor) to 5 (excellent)",
    "price": "the item's price in dollars",
    "length": "running time in minutes",
    "language": "the item's original language",
    "popularity": "popularity tier from past sales, 1 (niche) to 5 (blockbuster)",
    "position": "rank at which the recommender placed the item (1 = top)",
    "exposed": "1 if the item was scrolled into view",
    "clicked": "1 if the user clicked the item",
    "rating": "the rating the user gave after clicking, 1 to 5",
}

# The effects the benchmark checks: (treatment, outcome, treatment value, control value).
EFFECTS: tuple[tuple[str, str, Any, Any], ...] = (
    ("position", "clicked", 1, 5),
    ("exposed", "clicked", 1, 0),
    ("quality", "clicked", 4, 2),
    ("age_group", "clicked", "50+", "18-24"),
    ("genre", "rating", "comedy", "drama"),
    ("premium", "clicked", 1, 0),
)


@dataclass(frozen=True)
class FunnelConfig:
    """Sizes and strengths of a funnel world (10k-200k logged candidate rows)."""

    seed: int = 0
    n_users: int = 2000
    n_items: int = 800
    n_interactions: int = 50_000
    random_per_user: int = 10
    engagement_on_click: float = 0.5  # logit per sd of the hidden user trait
    buzz_on_click: float = 0.4  # logit per sd of the hidden item trait
    price_threshold: float = 20.0  # dollars above which preference drops by `price_drop`
    price_drop: float = 0.6
    quality_effect: float = 0.4
    premium_quality: float = 0.3  # extra logit per quality point for premium users
    click_intercept: float = -0.4


@dataclass(frozen=True)
class FunnelTruth:
    """The true DAG over observed variables, and the latent causes' edges."""

    nodes: tuple[str, ...] = OBSERVED
    edges: tuple[tuple[str, str], ...] = TRUE_EDGES
    latent: tuple[str, ...] = LATENT
    latent_edges: tuple[tuple[str, str], ...] = LATENT_EDGES

    def graph(self, with_latents: bool = True):
        """A CausalGraph of the truth; with latents, identification can see hidden paths."""
        from causal.structure.graph import CausalGraph

        nodes = (*self.nodes, *(self.latent if with_latents else ()))
        edges = [*self.edges, *(self.latent_edges if with_latents else ())]
        return CausalGraph(sorted(edges), list(nodes))


@dataclass(frozen=True)
class _Exogenous:
    """Every random draw of a world, kept so that interventions hold them fixed."""

    age: np.ndarray
    region: np.ndarray
    u_device: np.ndarray
    u_premium: np.ndarray
    engagement: np.ndarray
    genre: np.ndarray
    quality: np.ndarray
    price_noise: np.ndarray
    length_noise: np.ndarray
    buzz: np.ndarray
    taste: np.ndarray  # ages x genres
    personal: np.ndarray  # users x items


@dataclass(frozen=True)
class FunnelWorld:
    """A generated funnel world: its Dataset, truth and simulator."""

    config: FunnelConfig
    dataset: Dataset
    truth: FunnelTruth
    _exo: _Exogenous
    _rows_u: np.ndarray
    _rows_i: np.ndarray
    _state: Mapping[str, np.ndarray] = field(default_factory=dict)

    def true_effect(
        self, treatment: str, outcome: str, treatment_value: Any, control_value: Any
    ) -> float:
        """E[outcome | do(treatment=a)] - E[outcome | do(treatment=b)] over the logged rows.

        `rating` is the rating the user would give (free of click selection), as the
        random-exposure log measures it.
        """
        if outcome not in ("clicked", "rating"):
            raise ValueError(f"outcome must be 'clicked' or 'rating', got {outcome!r}")
        if treatment not in OBSERVED or treatment in ("clicked", "rating"):
            raise ValueError(f"cannot intervene on {treatment!r}")
        a = self._expected(outcome, {treatment: treatment_value})
        b = self._expected(outcome, {treatment: control_value})
        return float(np.mean(a - b))

    def _expected(self, outcome: str, do: Mapping[str, Any]) -> np.ndarray:
        s = _mechanisms(self.config, self._exo, self._rows_u, self._rows_i, do)
        if outcome == "rating":
            return _expected_rating(s["pref"])
        return s["p_click"]


def _user_level(cfg: FunnelConfig, exo: _Exogenous, do: Mapping[str, Any]) -> dict[str, Any]:
    n = len(exo.age)
    age = np.full(n, AGES.index(str(do["age_group"]))) if "age_group" in do else exo.age
    region = np.full(n, REGIONS.index(str(do["region"]))) if "region" in do else exo.region
    if "device" in do:
        device = np.full(n, DEVICES.index(str(do["device"])))
    else:
        p_dev = np.array([[0.7, 0.2, 0.1], [0.5, 0.35, 0.15], [0.3, 0.4, 0.3], [0.15, 0.35, 0.5]])
        cum = np.cumsum(p_dev[age], axis=1)
        device = (exo.u_device[:, None] > cum[:, :-1]).sum(axis=1)
    if "premium" in do:
        premium = np.full(n, int(do["premium"]))
    else:
        logit = -1.2 + 0.5 * (age >= 2) + np.array([0.0, -0.6, 0.5])[region] + exo.engagement
        premium = (exo.u_premium < expit(logit)).astype(int)
    return {"age": age, "region": region, "device": device, "premium": premium}


def _item_level(cfg: FunnelConfig, exo: _Exogenous, do: Mapping[str, Any]) -> dict[str, Any]:
    n = len(exo.genre)
    genre = np.full(n, GENRES.index(str(do["genre"]))) if "genre" in do else exo.genre
    quality = np.full(n, float(do["quality"])) if "quality" in do else exo.quality
    genre_price = np.array([0.1, -0.1, 0.0, -0.25, 0.2, -0.3])
    if "price" in do:
        price = np.full(n, float(do["price"]))
    else:
        price = np.exp(np.log(13.0) + 0.2 * (quality - 3) + genre_price[genre] + exo.price_noise)
    genre_len = np.array([115.0, 100.0, 125.0, 95.0, 130.0, 85.0])
    length = (
        np.full(n, float(do["length"])) if "length" in do else genre_len[genre] + exo.length_noise
    )
    if "popularity" in do:
        popularity = np.full(n, float(do["popularity"]))
    else:
        popularity = np.clip(np.round(quality + exo.buzz), 1, 5)
    return {
        "genre": genre,
        "quality": quality,
        "price": price,
        "length": length,
        "popularity": popularity,
    }


def _mechanisms(
    cfg: FunnelConfig,
    exo: _Exogenous,
    u: np.ndarray,
    i: np.ndarray,
    do: Mapping[str, Any],
) -> dict[str, np.ndarray]:
    """Row-level state under `do`, with P(click) integrated over position and exposure."""
    us = _user_level(cfg, exo, do)
    its = _item_level(cfg, exo, do)
    age, device, premium = us["age"][u], us["device"][u], us["premium"][u]
    genre, quality, price = its["genre"][i], its["quality"][i], its["price"][i]
    length, popularity = its["length"][i], its["popularity"][i]
    pref = (
        exo.taste[age, genre]
        + cfg.quality_effect * (quality - 3.0)
        - cfg.price_drop * (price > cfg.price_threshold)
        - 0.25 * np.abs(length - 105.0) / 30.0
        + exo.personal[u, i]
    )
    logit = (
        cfg.click_intercept
        + 1.1 * pref
        + cfg.premium_quality * premium * (quality - 3.0)
        + cfg.engagement_on_click * exo.engagement[u]
        + cfg.buzz_on_click * exo.buzz[i]
    )
    p_click_exposed = expit(logit)
    if "exposed" in do:
        p_click = float(do["exposed"]) * p_click_exposed
    else:
        if "position" in do:
            positions = np.full((len(u), 1), int(do["position"]))
            p_pos = np.ones((len(u), 1))
        else:
            positions = np.tile(np.arange(1, SLATE + 1), (len(u), 1))
            p_low = _position_p(popularity)
            p_pos = binom.pmf(positions - 1, SLATE - 1, p_low[:, None])
        p_exp = _exposure_p(positions, device[:, None])
        p_click = (p_pos * p_exp).sum(axis=1) * p_click_exposed
    return {
        "pref": pref,
        "p_click_exposed": p_click_exposed,
        "p_click": p_click,
        "popularity": popularity,
        "device": device,
    }


def _position_p(popularity: np.ndarray) -> np.ndarray:
    return expit(0.5 - 0.6 * (popularity - 3.0))


def _exposure_p(position: np.ndarray, device: np.ndarray) -> np.ndarray:
    """Scrolled into view: falls with position, faster on a TV remote than on a phone."""
    return expit(2.2 - 0.35 * (position - 1) - np.array([0.0, -0.4, 0.9])[device] * 1.0)


def _expected_rating(pref: np.ndarray) -> np.ndarray:
    mean = 3.0 + 1.0 * pref
    total = np.zeros_like(mean)
    for level in range(1, 6):
        lo = -np.inf if level == 1 else level - 0.5
        hi = np.inf if level == 5 else level + 0.5
        total += level * (norm.cdf((hi - mean) / 0.7) - norm.cdf((lo - mean) / 0.7))
    return total


def _draw_rating(rng: np.random.Generator, pref: np.ndarray) -> np.ndarray:
    raw = 3.0 + pref + rng.normal(0.0, 0.7, size=pref.shape)
    return np.clip(np.round(raw), 1, 5).astype(float)


def make_funnel_world(config: FunnelConfig | None = None, **overrides: Any) -> FunnelWorld:
    """Generate a funnel world, deterministic by `config.seed`."""
    cfg = replace(config or FunnelConfig(), **overrides)
    if not 1_000 <= cfg.n_interactions <= 0.5 * cfg.n_users * cfg.n_items:
        raise ValueError(
            f"n_interactions must be between 1000 and half of users x items; got "
            f"{cfg.n_interactions}"
        )
    if cfg.n_users < 20 or cfg.n_items < 20:
        raise ValueError("a funnel world needs at least 20 users and 20 items")
    rng = np.random.default_rng(cfg.seed)
    nu, ni = cfg.n_users, cfg.n_items
    dim = 6
    exo = _Exogenous(
        age=rng.choice(4, size=nu, p=[0.2, 0.35, 0.3, 0.15]),
        region=rng.choice(3, size=nu, p=[0.4, 0.35, 0.25]),
        u_device=rng.random(nu),
        u_premium=rng.random(nu),
        engagement=rng.normal(0.0, 1.0, nu),
        genre=rng.choice(len(GENRES), size=ni),
        quality=rng.choice(5, size=ni, p=[0.1, 0.2, 0.35, 0.25, 0.1]) + 1.0,
        price_noise=rng.normal(0.0, 0.35, ni),
        length_noise=rng.normal(0.0, 15.0, ni),
        buzz=rng.normal(0.0, 0.9, ni),
        taste=rng.normal(0.0, 0.8, size=(4, len(GENRES))),
        personal=0.5 * (rng.normal(size=(nu, dim)) @ rng.normal(size=(ni, dim)).T) / np.sqrt(dim),
    )
    signup = rng.choice(len(SIGNUP), size=nu)
    language = rng.choice(len(LANGUAGES), size=ni, p=[0.55, 0.15, 0.15, 0.15])
    activity = rng.lognormal(0.0, 0.8, nu)
    us = _user_level(cfg, exo, {})
    its = _item_level(cfg, exo, {})
    # Candidate generation: users by activity, items by popularity (selection into the log).
    u, i = _pairs(rng, cfg.n_interactions, activity, its["popularity"] ** 1.3)
    position = 1 + rng.binomial(SLATE - 1, _position_p(its["popularity"][i]))
    exposed = (rng.random(len(u)) < _exposure_p(position, us["device"][u])).astype(int)
    s = _mechanisms(cfg, exo, u, i, {})
    clicked = exposed * (rng.random(len(u)) < s["p_click_exposed"]).astype(int)
    rating = np.where(clicked == 1, _draw_rating(rng, s["pref"]), np.nan)
    interactions = pd.DataFrame(
        {
            "user_id": [f"u{k:05d}" for k in u],
            "item_id": [f"i{k:05d}" for k in i],
            "timestamp": (1_650_000_000 + np.sort(rng.integers(0, 90 * 86400, len(u)))).astype(
                "int64"
            ),
            "exposed": exposed.astype("int64"),
            "position": pd.array(position, dtype="Int64"),
            "clicked": clicked.astype("int64"),
            "rating": rating,
        }
    )
    # Random-exposure log: random items at random positions, every item rated.
    ru = np.repeat(np.arange(nu), cfg.random_per_user)
    ri = np.concatenate([rng.choice(ni, cfg.random_per_user, replace=False) for _ in range(nu)])
    rs = _mechanisms(cfg, exo, ru, ri, {})
    rpos = rng.integers(1, SLATE + 1, len(ru))
    rexp = (rng.random(len(ru)) < _exposure_p(rpos, us["device"][ru])).astype(int)
    random_exposure = pd.DataFrame(
        {
            "user_id": [f"u{k:05d}" for k in ru],
            "item_id": [f"i{k:05d}" for k in ri],
            "timestamp": np.full(len(ru), 1_650_000_000 + 91 * 86400, dtype="int64"),
            "exposed": rexp.astype("int64"),
            "position": pd.array(rpos, dtype="Int64"),
            "clicked": (rexp * (rng.random(len(ru)) < rs["p_click_exposed"])).astype("int64"),
            "rating": _draw_rating(rng, rs["pref"]),
        }
    )
    users = pd.DataFrame(
        {
            "user_id": [f"u{k:05d}" for k in range(nu)],
            "age_group": [AGES[a] for a in us["age"]],
            "region": [REGIONS[r] for r in us["region"]],
            "device": [DEVICES[d] for d in us["device"]],
            "premium": us["premium"].astype(float),
            "signup_year": np.array(SIGNUP)[signup].astype(float),
        }
    )
    items = pd.DataFrame(
        {
            "item_id": [f"i{k:05d}" for k in range(ni)],
            "title": [f"{GENRES[g].title()} title {k}" for k, g in enumerate(its["genre"])],
            "genre": [GENRES[g] for g in its["genre"]],
            "quality": its["quality"].astype(float),
            "price": np.round(its["price"], 2),
            "length": np.round(its["length"], 0),
            "language": [LANGUAGES[k] for k in language],
            "popularity": its["popularity"].astype(float),
        }
    )
    # The schema a user would write: the data contract's roles and tiers, plus descriptions.
    schema = default_schema(items, users, interactions)
    schema = replace(
        schema,
        variables={
            n: replace(v, description=DESCRIPTIONS.get(n, v.description))
            for n, v in schema.variables.items()
        },
    )
    dataset = Dataset(
        name=f"funnel-{cfg.seed}",
        items=items,
        users=users,
        interactions=interactions,
        schema=schema,
        random_exposure=random_exposure,
    )
    return FunnelWorld(cfg, dataset, FunnelTruth(), exo, u, i)


def _pairs(
    rng: np.random.Generator, n: int, user_weight: np.ndarray, item_weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """n distinct (user, item) pairs, user and item drawn independently by weight."""
    pu = user_weight / user_weight.sum()
    pi = item_weight / item_weight.sum()
    ni = len(pi)
    keys = np.zeros(0, dtype=np.int64)
    while len(keys) < n:
        m = int((n - len(keys)) * 1.4) + 16
        new = rng.choice(len(pu), m, p=pu).astype(np.int64) * ni + rng.choice(ni, m, p=pi)
        both = np.concatenate([keys, new])
        _, first = np.unique(both, return_index=True)
        keys = both[np.sort(first)][:n]
    return keys // ni, keys % ni


__all__ = [
    "EFFECTS",
    "LATENT",
    "LATENT_EDGES",
    "OBSERVED",
    "TRUE_EDGES",
    "FunnelConfig",
    "FunnelTruth",
    "FunnelWorld",
    "make_funnel_world",
]
