"""The choice model: which items a user would pick next, with popularity deconfounded (PDA).

A rating model answers "how much would they like it, given they watched it"; that is a poor
guide to *which* items they will pick. This model learns the picking itself: every logged
(rated, clicked or interacted) pair is a choice among the whole catalogue, with a softmax
over items, so every item the user did not pick is a negative.

The user is represented by what they picked before (an item-based factor model, FISM-style,
Kabbur et al. KDD 2013), plus their attributes:

    logit(u, i) = b_i + q_i . p_u + gamma * popularity_z(i)       (training only: the last term)
    p_u         = n_u^-alpha * sum_{j in history(u), j != i} y_j + x_u A

Each item has a context vector y_j (what picking j says about a user) and a target vector
q_i; an item never counts as evidence for itself (the EASE-style zero diagonal), so the model
must explain each pick by the *other* picks. Popularity enters the logit as a confounder
during training only (PDA, Zhang et al. SIGIR 2021): gamma soaks up "popular items get
picked more", and the exported score b_i + q_i . p_u is what remains. Ranking may add
popularity back with an explicit weight.

Because the user vector is a sum over their history, conversational feedback folds in
exactly (a liked item joins the history), a new user with a few likes gets a real vector, and
a user known only by attributes gets x_u A. Items without picks keep their attribute part.
Training is full-batch over all users and items when users x items is small (MovieLens-100K:
1.6M cells, ~3 s), else mini-batches of users against a sampled set of items (sampled
softmax with the log-Q correction). Seeded: the same data and spec give the same arrays.
Training lives in causal.ranking.choice_training (`fit_choice_model`, torch); this module
only scores, so a served ranker never imports torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from causal.npz_arrays import identical, load_npz, save_npz

DENSE_CELLS = 4_000_000  # users x items up to this: exact softmax over every item, all users
SAMPLED_ITEMS = 2_048  # larger logs: this many uniformly sampled items per step ...
USER_BATCH = 256  # ... for this many users
SCALAR_FIELDS = ("alpha", "pop_effect")
ARRAY_FIELDS = (
    "context_vec",
    "target_vec",
    "target_bias",
    "user_feat_vec",
)


@dataclass(frozen=True)
class ChoiceSpec:
    """Hyper-parameters of the choice model."""

    dim: int = 64
    reg: float = 3.0  # L2 on id vectors, in pseudo-picks per item
    bias_reg: float = 3.0
    feature_reg: float = 0.03  # L2 on attribute/text weights, in total
    alpha: float = 0.5  # history normalisation n^-alpha (0: sum, 1: mean)
    steps: int = 200
    lr: float = 0.02
    confounder: bool = True  # popularity in the training logit (PDA)
    use_features: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        if self.dim < 1 or self.steps < 1:
            raise ValueError("ChoiceSpec: dim and steps must be positive")
        if min(self.reg, self.bias_reg, self.feature_reg) < 0 or self.lr <= 0:
            raise ValueError("ChoiceSpec: regularisation must be >= 0 and lr > 0")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError("ChoiceSpec: alpha must be in [0, 1]")


@dataclass(frozen=True)
class ChoiceParams:
    """A trained choice model as numpy arrays (torch-free scoring)."""

    context_vec: np.ndarray  # (n_items, d): y_j, what picking j says about the user
    target_vec: np.ndarray  # (n_items, d): q_i
    target_bias: np.ndarray  # (n_items,): b_i, the deconfounded appeal of the item
    user_feat_vec: np.ndarray  # (n_user_features, d): A
    alpha: float = 0.5
    pop_effect: float = 0.0  # gamma: logit per popularity std, training only

    @property
    def dim(self) -> int:
        """Latent dimension."""
        return int(self.target_vec.shape[1])

    def user_vector(
        self,
        items: np.ndarray,
        weights: np.ndarray,
        features: np.ndarray | None = None,
    ) -> np.ndarray:
        """p_u from weighted history items (negative weights push away) and attributes.

        The normalisation counts only positive weights, so a dislike moves the vector without
        diluting the likes.
        """
        vec = np.zeros(self.dim)
        items = np.asarray(items, dtype=np.int64)
        weights = np.asarray(weights, dtype=np.float64)
        if len(items):
            mass = float(weights[weights > 0].sum())
            norm = mass**-self.alpha if mass > 0 else 1.0
            vec = norm * (weights @ self.context_vec[items])
        if features is not None and self.user_feat_vec.shape[0] == len(features):
            vec = vec + np.asarray(features, dtype=np.float64) @ self.user_feat_vec
        return vec

    def logits(self, user_vec: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Deconfounded choice logits b_i + q_i . p_u for item indices."""
        return self.target_bias[items] + self.target_vec[items] @ user_vec

    def average_logit(self, user_vec: np.ndarray) -> float:
        """The logit of an average item for this user (mean over the catalogue; linear, O(d))."""
        mean_bias, mean_vec = self._catalogue_means
        return float(mean_bias + mean_vec @ user_vec)

    @cached_property
    def _catalogue_means(self) -> tuple[float, np.ndarray]:
        """Mean item bias and vector, computed once (O(n_items) per call on a big catalogue)."""
        return float(self.target_bias.mean()), self.target_vec.mean(axis=0)

    def save(self, path: Path) -> None:
        """Write to an .npz file."""
        save_npz(self, path, ARRAY_FIELDS, SCALAR_FIELDS)

    @classmethod
    def load(cls, path: Path) -> ChoiceParams:
        """Read from an .npz file written by `save`."""
        return cls(**load_npz(path, ARRAY_FIELDS, SCALAR_FIELDS))

    def same_as(self, other: ChoiceParams) -> bool:
        """True when every array and scalar is identical (determinism checks)."""
        return identical(self, other)


@dataclass(frozen=True)
class Picks:
    """The choices to learn from: unique (user, item) index pairs, and the catalogue's size."""

    users: np.ndarray
    items: np.ndarray
    n_users: int
    n_items: int

    @classmethod
    def from_pairs(cls, users: np.ndarray, items: np.ndarray, n_users: int, n_items: int) -> Picks:
        """De-duplicated, sorted by user."""
        keys = np.unique(np.asarray(users, np.int64) * n_items + np.asarray(items, np.int64))
        return cls(keys // n_items, keys % n_items, n_users, n_items)

    def history(self) -> Mapping[int, np.ndarray]:
        """Items per user (users with picks only)."""
        bounds = np.r_[0, np.cumsum(np.bincount(self.users, minlength=self.n_users))]
        return {
            u: self.items[bounds[u] : bounds[u + 1]]
            for u in range(self.n_users)
            if bounds[u + 1] > bounds[u]
        }
