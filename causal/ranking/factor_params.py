"""A trained factor model as plain numpy arrays: what the ranker scores with, torch-free.

The model (SVDFeature-style matrix factorisation) predicts, for user u and item i,

    mu + b_u + b_i + <p_u, q_i>          (the deconfounded preference, on the target's scale)

where b_u = bu_u + x_u.w_u and p_u = P_u + x_u A (x_u: the user's encoded attributes), and
b_i, q_i likewise from the item's id, attributes and (optionally) text embedding. So a user
or item with no history still gets a vector from its attributes: that is the cold-start
path. `pop_effect` and `position_effect` are the confounder terms training saw (PDA-style:
popularity and position explain part of the observed engagement) and ranking leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from causal.npz_arrays import identical, load_npz, save_npz

SCALAR_FIELDS = ("mu", "pop_effect")
ARRAY_FIELDS = (
    "user_bias",
    "user_vec",
    "item_bias",
    "item_vec",
    "user_feat_vec",
    "user_feat_bias",
    "item_feat_vec",
    "item_feat_bias",
    "text_vec",
    "text_bias",
    "position_effect",
)


@dataclass(frozen=True)
class FactorParams:
    """Exported parameters of one factor model (all float64 numpy arrays)."""

    mu: float
    user_bias: np.ndarray  # (n_users,) id bias + attribute bias
    user_vec: np.ndarray  # (n_users, d) id vector + attribute vector
    item_bias: np.ndarray  # (n_items,)
    item_vec: np.ndarray  # (n_items, d)
    user_feat_vec: np.ndarray  # (n_user_features, d): A
    user_feat_bias: np.ndarray  # (n_user_features,)
    item_feat_vec: np.ndarray  # (n_item_features, d): B
    item_feat_bias: np.ndarray  # (n_item_features,)
    text_vec: np.ndarray  # (text_dim, d) or (0, d)
    text_bias: np.ndarray  # (text_dim,) or (0,)
    pop_effect: float = 0.0  # confounder: logit/rating per popularity std, training only
    position_effect: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per position

    @property
    def dim(self) -> int:
        """Latent dimension."""
        return int(self.user_vec.shape[1])

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Deconfounded preference for aligned (user, item) index arrays."""
        return (
            self.mu
            + self.user_bias[users]
            + self.item_bias[items]
            + np.einsum("nd,nd->n", self.user_vec[users], self.item_vec[items])
        )

    def user_prior(self, features: np.ndarray) -> tuple[np.ndarray, float]:
        """(vector, bias) of a user known only by encoded attributes."""
        return features @ self.user_feat_vec, float(features @ self.user_feat_bias)

    def save(self, path: Path) -> None:
        """Write to an .npz file."""
        save_npz(self, path, ARRAY_FIELDS, SCALAR_FIELDS)

    @classmethod
    def load(cls, path: Path) -> FactorParams:
        """Read from an .npz file written by `save`."""
        return cls(**load_npz(path, ARRAY_FIELDS, SCALAR_FIELDS))

    def same_as(self, other: FactorParams) -> bool:
        """True when every array and scalar is identical (determinism checks)."""
        return identical(self, other)


def blank_like(params: FactorParams, overrides: Mapping[str, np.ndarray]) -> FactorParams:
    """A copy of `params` with some arrays replaced."""
    values = {f.name: getattr(params, f.name) for f in fields(params)}
    values.update(overrides)
    return FactorParams(**values)  # type: ignore[arg-type]
