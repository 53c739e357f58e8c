"""The debiased ranker: what a user prefers, not what the logging policy happened to show.

Train with `train_ranker(dataset, RankerConfig(...))` (or `build_ranker` inside `whyrec
build`), then ask `Ranker.score(user, items)` for a ranked list whose items carry the parts
explanations cite: the deconfounded preference, the deconfounded choice, the item's
popularity, and the similarity to what the user liked. Feedback from a conversation goes
through `fold_in`, which re-solves only that user's vectors with the item vectors fixed (a
closed-form ridge update and a history sum, well under a millisecond), so the next turn
reflects it.

Two deconfounded models answer two questions:

- preference (causal.factor_training): "how much would they like it" -- the rating (or click
  probability) the user would give the item, trained with IPS/SNIPS/DR against exposure bias;
- choice (causal.choice_model, rating logs): "would they pick it" -- a softmax over the
  catalogue learned from every logged pick against every item not picked, with popularity as
  a training-time confounder (PDA), so what remains is the user's own pull towards the item.

Score of item i for user u (higher is better):

    score = w_pref * preference_z + w_choice * choice_z + w_pop * popularity_z + w_sim * similarity

`preference_z` and `choice_z` are the two models' deconfounded predictions standardised over
the training log; `popularity_z` is the item's standardised log popularity (w_pop = 0 is the
fully deconfounded ranking; a positive weight adds popularity back, PDA's adjustment).
`ScoreWeights` holds the weights: given in the config, or chosen on a validation split of the
training log only (each user's last pick before the rest, or the random-exposure slice).

Components (what explanations cite): "preference" (the predicted rating on the log's scale,
or a probability for click and implicit logs), "choice" (the chance the user would pick the
item over a typical one, popularity aside; rating logs), "popularity" (log popularity scaled
to 0..1), "similarity" (to the items the user liked) and "popularity_boost" (w_pop *
popularity_z, what popularity added to the score).

Cold start: a user with no history gets vectors from their attributes (and from items liked
or disliked in the conversation); an item with no history gets them from its attributes and,
when trained with `use_text`, its text embedding.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from causal.choice_model import ChoiceParams
from causal.datasets.schema import DataError, Dataset
from causal.factor_params import FactorParams
from causal.ranking_data import FeatureEncoder, FeedbackKind

FORMAT_VERSION = 1  # rankers without "choice"/"weights" (older builds) still load
CHOICE_FILE = "choice.npz"
FEEDBACK_LIKE = "like"
FEEDBACK_DISLIKE = "dislike"
FEEDBACK_SEEN = "seen"
LIKE_PROBABILITY = 0.9  # binary logs: a like is read as this click probability, a dislike as 1 - it
FEEDBACK_WEIGHT = 5.0  # one conversational feedback counts as this many logged rows ...
FEEDBACK_SHARE = 0.1  # ... plus this share of the user's logged history
BINARY_CURVATURE = 0.25  # logistic loss curvature bound, for the history's precision
DISLIKE_PULL = 0.5  # a disliked item enters the choice history with this negative share

FeedbackValue = str | float | int | bool


class UnknownItemsError(ValueError):
    """Item ids the ranker has never heard of."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = list(missing)
        shown = ", ".join(repr(m) for m in self.missing[:5])
        more = f" and {len(self.missing) - 5} more" if len(self.missing) > 5 else ""
        super().__init__(f"unknown item id(s): {shown}{more}")


@dataclass(frozen=True)
class ScoredItem:
    """One ranked item: its score and the parts of the score explanations can cite."""

    item_id: str
    score: float
    components: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RankerConfig:
    """How to train and score the ranker. The defaults are the benchmark's best configuration.

    method: naive | ips | snips | dr_jl.  propensity: auto (a random-exposure sample when the
    dataset has one, else logistic) | logistic | random | none.  clip: smallest propensity.
    propensity_power: weights are (1/propensity)**power, rescaled to the same total; 0.5
    tempers IPS's variance (1 = plain IPS).  max_weight_ratio: no row weighs more than this
    many times the median row (None: no cap).  use_features: user/item attributes in the
    embeddings (SVDFeature-style).  use_text: item text embeddings as item features too (when
    embeddings are given).  confounders: popularity and position in the training logit only
    (PDA-style; None = on for click logs, whose exposure counts measure popularity apart from
    preference; implicit counts do not).  steps: optimizer steps (full-batch epochs when the
    log fits one batch).  random_slice: share of the random-exposure log used for
    propensities and tuning; it is recorded so evaluation leaves it out.  tune: pick the
    attribute regularisation among `feature_reg` and `feature_reg_grid`, then the id one
    among `reg` and `reg_grid`; tune_on: "slice" (loss on the random slice: unbiased, never
    evaluated on), "validation" (a held-out share of the training log) or "auto" (the slice
    when it has >= 50 labels); logs with more than tune_max_rows labelled rows skip tuning.
    popularity_weight / similarity_weight: how much the item's standardised popularity and
    its similarity to the user's liked items add to the score (0 popularity = deconfounded;
    None = chosen on validation, see below).  choice: train the choice model ("would they
    pick it", softmax over the catalogue, popularity as a training-time confounder; None =
    on for rating logs); choice_dim / choice_reg / choice_steps its size, L2 (pseudo-picks
    per item) and optimizer steps.  choice_weight: the choice model's share of the
    deconfounded score, in [0, 1] (the rating model gets the rest; None = chosen on
    validation).  Validation (for the weights left None): the random-exposure slice when it
    has >= 50 labels (AUC of liked vs not), else each user's last pick (or a random pick
    without timestamps) held out of a second training run (NDCG@10 over the catalogue).
    """

    method: str = "snips"
    propensity: str = "auto"
    clip: float = 0.01
    propensity_power: float = 0.5
    max_weight_ratio: float | None = 5.0
    dim: int = 32
    reg: float = 7.0
    bias_reg: float = 0.7
    feature_reg: float = 0.03
    steps: int = 150
    lr: float = 0.05
    use_features: bool = True
    use_text: bool = False
    confounders: bool | None = None
    negatives: int = 4
    imputation_dim: int = 8
    random_slice: float = 0.05
    tune: bool = True
    reg_grid: tuple[float, ...] = (2.0, 7.0, 20.0)
    feature_reg_grid: tuple[float, ...] = (0.01, 0.1)
    tune_on: str = "auto"
    tune_max_rows: int = 60_000
    validation_share: float = 0.1
    popularity_weight: float | None = None
    similarity_weight: float = 0.5
    choice: bool | None = None
    choice_dim: int = 64
    choice_reg: float = 3.0
    choice_steps: int = 200
    choice_weight: float | None = None
    kind: str | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        from causal.factor_training import Method
        from causal.propensity import PropensityMethod

        checks = [
            (
                self.method in {m.value for m in Method},
                f"method must be one of {[m.value for m in Method]}",
            ),
            (
                self.propensity in {"auto", *(p.value for p in PropensityMethod)},
                "propensity must be auto, logistic, random or none",
            ),
            (0.0 < self.clip <= 1.0, "clip must be in (0, 1]"),
            (0.0 <= self.propensity_power <= 1.0, "propensity_power must be in [0, 1]"),
            (
                self.max_weight_ratio is None or self.max_weight_ratio >= 1.0,
                "max_weight_ratio must be >= 1 (or None)",
            ),
            (
                self.tune_on in ("auto", "slice", "validation"),
                "tune_on must be auto, slice or validation",
            ),
            (self.dim >= 1, "dim must be positive"),
            (self.steps >= 1, "steps must be positive"),
            (self.lr > 0, "lr must be positive"),
            (min(self.reg, self.bias_reg, self.feature_reg) >= 0, "regularisation must be >= 0"),
            (0.0 <= self.random_slice < 1.0, "random_slice must be in [0, 1)"),
            (0.0 < self.validation_share < 0.5, "validation_share must be in (0, 0.5)"),
            (self.negatives >= 0, "negatives must be >= 0"),
            (
                self.popularity_weight is None or np.isfinite(self.popularity_weight),
                "popularity_weight must be a finite number (or None: chosen on validation)",
            ),
            (np.isfinite(self.similarity_weight), "similarity_weight must be a finite number"),
            (
                self.choice_weight is None or 0.0 <= self.choice_weight <= 1.0,
                "choice_weight must be in [0, 1] (or None: chosen on validation)",
            ),
            (
                self.choice_dim >= 1 and self.choice_steps >= 1 and self.choice_reg >= 0,
                "choice_dim and choice_steps must be positive, choice_reg >= 0",
            ),
            (
                self.kind is None or self.kind in {k.value for k in FeedbackKind},
                "kind must be rating, click or implicit",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"RankerConfig: {message}")

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        out = asdict(self)
        out["reg_grid"] = list(self.reg_grid)
        out["feature_reg_grid"] = list(self.feature_reg_grid)
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RankerConfig:
        """Inverse of `to_dict` (unknown keys are ignored)."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in raw.items() if k in known}
        for key in ("reg_grid", "feature_reg_grid"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


@dataclass(frozen=True)
class ScoreWeights:
    """How the score's parts add up (see the module docstring); `source` says who chose them.

    preference + choice = 1 when a choice model exists (the deconfounded score's mix);
    popularity 0 = fully deconfounded.
    """

    preference: float = 1.0
    choice: float = 0.0
    popularity: float = 0.0
    similarity: float = 0.5
    source: str = "config"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ScoreWeights:
        """Inverse of `to_dict` (unknown keys are ignored)."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in raw.items() if k in known})

    @classmethod
    def from_config(cls, config: RankerConfig, *, has_choice: bool) -> ScoreWeights:
        """The config's weights, with the defaults for those left to validation.

        Defaults: the rating (or click) model alone when no choice model was trained; an
        even mix of both models otherwise; popularity 0 (deconfounded).
        """
        mix = config.choice_weight
        if mix is None:
            mix = 0.5 if has_choice else 0.0
        if not has_choice:
            mix = 0.0
        return cls(
            preference=1.0 - mix,
            choice=mix,
            popularity=config.popularity_weight or 0.0,
            similarity=config.similarity_weight,
            source="config" if _fixed(config, has_choice=has_choice) else "default",
        )


def _fixed(config: RankerConfig, *, has_choice: bool) -> bool:
    """True when the config fixes every weight (nothing to choose on validation)."""
    return config.popularity_weight is not None and (
        config.choice_weight is not None or not has_choice
    )


@dataclass(frozen=True)
class _UserState:
    """A user's vectors and bias, and the history their fold-in starts from."""

    vec: np.ndarray
    bias: float
    precision: np.ndarray  # (d+1, d+1): curvature of the training objective at (vec, bias)
    liked: tuple[int, ...]
    disliked: tuple[int, ...]
    n_history: int = 0
    picks: tuple[int, ...] = ()  # logged picks: the choice model's history
    features: np.ndarray | None = None  # encoded attributes (the choice model's prior)
    choice_vec: np.ndarray | None = None


class Ranker:
    """A trained debiased ranker: score items for users, fold in feedback, save and load."""

    def __init__(
        self,
        *,
        params: FactorParams,
        kind: FeedbackKind,
        user_ids: Sequence[str],
        item_ids: Sequence[str],
        user_encoder: FeatureEncoder,
        item_encoder: FeatureEncoder,
        user_features: np.ndarray,
        item_counts: np.ndarray,
        history_indptr: np.ndarray,
        history_items: np.ndarray,
        history_targets: np.ndarray,
        similarity_vectors: np.ndarray,
        rating_min: float,
        rating_max: float,
        positive_threshold: float,
        centre: float,
        scale: float,
        config: RankerConfig,
        info: Mapping[str, Any] | None = None,
        choice: ChoiceParams | None = None,
        choice_centre: float = 0.0,
        choice_scale: float = 1.0,
        weights: ScoreWeights | None = None,
    ) -> None:
        self.params = params
        self.choice = choice
        self.choice_centre = float(choice_centre)
        self.choice_scale = float(choice_scale) if choice_scale > 0 else 1.0
        self.weights = weights or ScoreWeights.from_config(config, has_choice=choice is not None)
        self.kind = kind
        self.user_ids = tuple(user_ids)
        self.item_ids = tuple(item_ids)
        self.user_index = {u: k for k, u in enumerate(self.user_ids)}
        self.item_index = {i: k for k, i in enumerate(self.item_ids)}
        self.user_encoder = user_encoder
        self.item_encoder = item_encoder
        self.user_features = np.asarray(user_features, dtype=np.float64)
        self.item_counts = np.asarray(item_counts, dtype=np.float64)
        self.history_indptr = np.asarray(history_indptr, dtype=np.int64)
        self.history_items = np.asarray(history_items, dtype=np.int64)
        self.history_targets = np.asarray(history_targets, dtype=np.float64)
        # Stored as float32; rounding here too makes a loaded ranker score exactly alike.
        self._similarity_raw = np.asarray(similarity_vectors, dtype=np.float32)
        sims = self._similarity_raw.astype(np.float64)
        sims = sims - sims.mean(axis=0, keepdims=True)  # cosine around the catalogue's centre
        norms = np.linalg.norm(sims, axis=1, keepdims=True)
        self.similarity_vectors = np.divide(sims, norms, out=np.zeros_like(sims), where=norms > 0)
        self.rating_min = float(rating_min)
        self.rating_max = float(rating_max)
        self.positive_threshold = float(positive_threshold)
        self.centre = float(centre)
        self.scale = float(scale) if scale > 0 else 1.0
        self.config = config
        self.info: dict[str, Any] = dict(info or {})
        pop = np.log1p(self.item_counts)
        self.popularity = pop / pop.max() if pop.max() > 0 else np.zeros_like(pop)
        self.popularity_z = (pop - pop.mean()) / (pop.std() or 1.0)
        self._mean_item_vec = self.params.item_vec.mean(axis=0)
        self._lock = threading.RLock()
        self._feedback: dict[str, dict[int, float]] = {}
        self._states: dict[str, _UserState] = {}

    # -- identity -----------------------------------------------------------------------

    @property
    def n_users(self) -> int:
        """Users the ranker was trained with."""
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        """Items the ranker can score."""
        return len(self.item_ids)

    def known_user(self, user_id: str | None) -> bool:
        """True for a user of the training data (scored from their history and attributes)."""
        return user_id is not None and str(user_id) in self.user_index

    def known_item(self, item_id: str) -> bool:
        """True for an item the ranker can score."""
        return str(item_id) in self.item_index

    def history(self, user_id: str) -> list[tuple[str, float]]:
        """The user's labelled training rows as (item_id, target)."""
        k = self.user_index.get(str(user_id))
        if k is None:
            return []
        lo, hi = self.history_indptr[k], self.history_indptr[k + 1]
        return [
            (self.item_ids[i], float(t))
            for i, t in zip(self.history_items[lo:hi], self.history_targets[lo:hi], strict=True)
        ]

    # -- scoring ------------------------------------------------------------------------

    def score(
        self,
        user_id: str | None,
        item_ids: Sequence[str],
        *,
        user_attributes: Mapping[str, Any] | None = None,
        liked: Sequence[str] = (),
        disliked: Sequence[str] = (),
        popularity_weight: float | None = None,
        limit: int | None = None,
        without: Sequence[str] = (),
    ) -> list[ScoredItem]:
        """Rank `item_ids` for a user, best first, each with its score components.

        A known user is scored from their trained vector plus any feedback folded in; an
        unknown (or None) user from `user_attributes`. `liked` / `disliked` are items from the
        current conversation: they update the user's vector for this call only. `limit` keeps
        only the best few (scoring thousands of candidates then costs one vector product).
        `without`: history or feedback items scored as if the user had never picked them
        (the counterfactual check, see causal.counterfactual).
        """
        if limit is not None and limit < 1:
            raise ValueError("limit must be at least 1")
        ids = [str(i) for i in item_ids]
        missing = [i for i in ids if i not in self.item_index]
        if missing:
            raise UnknownItemsError(missing)
        if not ids:
            return []
        items = np.array([self.item_index[i] for i in ids], dtype=np.int64)
        state = self._state_for(user_id, user_attributes, liked, disliked, without)
        if limit is not None and limit < len(items):
            scores = self._scores(state, items, popularity_weight)[0]
            best = np.argsort(-scores, kind="stable")[:limit]
            items = items[np.sort(best)]  # input order kept for ties, as without a limit
        return self._rank(state, items, popularity_weight)

    def top_items(
        self,
        user_id: str | None,
        k: int = 10,
        *,
        exclude: Sequence[str] = (),
        exclude_history: bool = True,
        user_attributes: Mapping[str, Any] | None = None,
        liked: Sequence[str] = (),
        disliked: Sequence[str] = (),
        popularity_weight: float | None = None,
        without: Sequence[str] = (),
    ) -> list[ScoredItem]:
        """The user's k best items over the whole catalogue (history and `exclude` left out).

        `without` scores as if those items were absent from the history (they stay excluded).
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        state = self._state_for(user_id, user_attributes, liked, disliked, without)
        scores = self._scores(state, np.arange(self.n_items), popularity_weight)[0]
        banned = {self.item_index[i] for i in map(str, exclude) if i in self.item_index}
        banned.update(self.item_index[i] for i in map(str, liked) if i in self.item_index)
        banned.update(self.item_index[i] for i in map(str, disliked) if i in self.item_index)
        if exclude_history and self.known_user(user_id):
            banned.update(int(i) for i, _ in self._history_rows(str(user_id)))
        if banned:
            scores = scores.copy()
            scores[list(banned)] = -np.inf
        n = min(k, self.n_items - len(banned))
        if n <= 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return self._rank(state, top, popularity_weight)

    def predict(
        self, user_ids: Sequence[str], item_ids: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(preference, score) for aligned pairs of known users and items (for evaluation).

        Unknown users are scored from nothing (the average user); feedback folded in counts.
        """
        items = np.array([self.item_index[str(i)] for i in item_ids], dtype=np.int64)
        users = [str(u) for u in user_ids]
        pref = np.empty(len(users))
        score = np.empty(len(users))
        frame = pd.DataFrame({"u": users, "row": np.arange(len(users))})
        for user, group in frame.groupby("u", sort=False):
            rows = group["row"].to_numpy()
            state = self._state_for(user if user in self.user_index else None, None, (), ())
            s, p, _ = self._scores(state, items[rows], None)
            score[rows] = s
            pref[rows] = p
        return pref, score

    def fold_in(self, user_id: str, feedback: Sequence[tuple[str, FeedbackValue]]) -> None:
        """Fold conversational feedback (like/dislike/rating) into a user's vector, at once.

        Later feedback on the same item replaces earlier. "seen" is accepted and ignored.
        Unknown users become cold-start users shaped by this feedback. Thread-safe.
        """
        if user_id is None:
            raise ValueError("fold_in needs a user id")
        parsed: list[tuple[int, float]] = []
        for item_id, value in feedback:
            item = self.item_index.get(str(item_id))
            if item is None:
                raise UnknownItemsError([str(item_id)])
            target = self._feedback_target(value)
            if target is not None:
                parsed.append((item, target))
        if not parsed:
            return
        key = str(user_id)
        with self._lock:
            stored = dict(self._feedback.get(key, {}))
            for item, target in parsed:
                stored[item] = target
            self._feedback[key] = stored
            self._states.pop(key, None)

    def feedback_of(self, user_id: str) -> dict[str, float]:
        """Feedback folded in for a user so far, as item_id -> target."""
        with self._lock:
            return {self.item_ids[i]: t for i, t in self._feedback.get(str(user_id), {}).items()}

    def with_weights(self, **changes: float) -> Ranker:
        """A ranker sharing this one's models with some score weights changed (for ablations).

        Keys: preference, choice, popularity, similarity. Feedback folded in so far is copied.
        """
        unknown = set(changes) - {"preference", "choice", "popularity", "similarity"}
        if unknown:
            raise ValueError(f"unknown score weight(s): {sorted(unknown)}")
        weights = replace(
            self.weights, **{k: float(v) for k, v in changes.items()}, source="override"
        )
        twin = Ranker.__new__(Ranker)
        twin.__dict__.update(self.__dict__)
        twin.weights = weights
        twin._lock = threading.RLock()
        with self._lock:
            twin._feedback = {k: dict(v) for k, v in self._feedback.items()}
            twin._states = dict(self._states)
        return twin

    # -- internals ----------------------------------------------------------------------

    def _feedback_target(self, value: FeedbackValue) -> float | None:
        """A feedback value on the model's own scale (rating, or logit for binary logs)."""
        binary = self.kind is not FeedbackKind.RATING
        if isinstance(value, str):
            text = value.strip().lower()
            if text == FEEDBACK_SEEN:
                return None
            if text not in (FEEDBACK_LIKE, FEEDBACK_DISLIKE):
                try:
                    value = float(text)
                except ValueError:
                    raise ValueError(
                        f"unknown feedback {value!r}: use like, dislike, seen or a rating"
                    ) from None
            else:
                liked = text == FEEDBACK_LIKE
                if binary:
                    p = LIKE_PROBABILITY if liked else 1.0 - LIKE_PROBABILITY
                    return float(np.log(p / (1 - p)))
                return self.rating_max if liked else self.rating_min
        if isinstance(value, bool):
            return self._feedback_target(FEEDBACK_LIKE if value else FEEDBACK_DISLIKE)
        number = float(value)
        if not np.isfinite(number):
            raise ValueError(f"feedback rating must be a finite number, got {value!r}")
        if binary:
            low, high = (1.0, 5.0) if number > 1.0 else (0.0, 1.0)
            share = float(np.clip((number - low) / (high - low), 0.0, 1.0))
            p = 1.0 - LIKE_PROBABILITY + share * (2 * LIKE_PROBABILITY - 1.0)
            return float(np.log(p / (1 - p)))
        return float(np.clip(number, self.rating_min, self.rating_max))

    def _positive_history(self, target: float) -> bool:
        """A logged label that counts as liked (rating >= threshold, or a click/interaction)."""
        if self.kind is FeedbackKind.RATING:
            return target >= self.positive_threshold
        return target >= 0.5

    def _positive_feedback(self, target: float) -> bool:
        """A folded-in target that counts as liked (binary logs keep targets as logits)."""
        if self.kind is FeedbackKind.RATING:
            return target >= self.positive_threshold
        return target > 0.0

    def _history_rows(self, user_id: str) -> list[tuple[int, float]]:
        k = self.user_index.get(user_id)
        if k is None:
            return []
        lo, hi = self.history_indptr[k], self.history_indptr[k + 1]
        return list(
            zip(
                self.history_items[lo:hi].tolist(),
                self.history_targets[lo:hi].tolist(),
                strict=True,
            )
        )

    def _base_state(self, user_id: str | None, attributes: Mapping[str, Any] | None) -> _UserState:
        """The user's trained state (known user) or attribute prior (cold start)."""
        d = self.params.dim
        reg = self.config.reg
        bias_reg = self.config.bias_reg
        if user_id is not None and user_id in self.user_index:
            k = self.user_index[user_id]
            rows = self._history_rows(user_id)
            # The training prior is worth `reg` pseudo-rows per user (uniform_reg), each row
            # adds its item vector's outer product: the curvature of the training objective.
            precision = np.diag(np.r_[np.full(d, reg), bias_reg])
            if rows:
                z = np.hstack([self.params.item_vec[[i for i, _ in rows]], np.ones((len(rows), 1))])
                curvature = 1.0 if self.kind is FeedbackKind.RATING else BINARY_CURVATURE
                precision = precision + curvature * z.T @ z
            liked = tuple(i for i, t in rows if self._positive_history(t))
            disliked: tuple[int, ...] = ()
            if self.kind is FeedbackKind.RATING:  # unclicked exposures are not dislikes
                disliked = tuple(i for i, t in rows if not self._positive_history(t))
            picks = tuple(i for i, t in rows if self._picked(t))
            features = self.user_features[k] if k < len(self.user_features) else None
            return _UserState(
                vec=self.params.user_vec[k].copy(),
                bias=float(self.params.user_bias[k]),
                precision=precision,
                liked=liked,
                disliked=disliked,
                n_history=len(rows),
                picks=picks,
                features=features,
                choice_vec=self._choice_vector(picks, {}, features),
            )
        features = (
            self.user_encoder.transform_one(attributes)
            if attributes
            else np.zeros(self.user_encoder.width)
        )
        features = np.asarray(features, dtype=np.float64)
        vec, bias = self.params.user_prior(features)
        precision = np.diag(np.r_[np.full(d, reg), bias_reg])
        return _UserState(
            vec=np.asarray(vec, dtype=np.float64),
            bias=bias,
            precision=precision,
            liked=(),
            disliked=(),
            features=features,
            choice_vec=self._choice_vector((), {}, features),
        )

    def _picked(self, target: float) -> bool:
        """A logged row that records the user choosing the item (the choice model's picks)."""
        if self.kind is FeedbackKind.CLICK:
            return target >= 0.5
        return True

    def _choice_vector(
        self,
        picks: Sequence[int],
        feedback: Mapping[int, float],
        features: np.ndarray | None,
    ) -> np.ndarray | None:
        """The choice model's user vector: logged picks, plus conversational feedback.

        A like joins the history with the weight of FEEDBACK_WEIGHT picks plus FEEDBACK_SHARE
        of the history (so a long history does not drown it); a dislike enters with
        DISLIKE_PULL times that weight, negatively (and cancels a logged pick of that item).
        """
        if self.choice is None:
            return None
        weights = dict.fromkeys(picks, 1.0)
        strength = FEEDBACK_WEIGHT + FEEDBACK_SHARE * len(picks)
        for item, target in feedback.items():
            weights[item] = (
                strength if self._positive_feedback(target) else -DISLIKE_PULL * strength
            )
        items = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        values = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
        return self.choice.user_vector(items, values, features)

    def _state_for(
        self,
        user_id: str | None,
        attributes: Mapping[str, Any] | None,
        liked: Sequence[str],
        disliked: Sequence[str],
        without: Sequence[str] = (),
    ) -> _UserState:
        key = None if user_id is None else str(user_id)
        removed = self._indices(without)
        extra: dict[int, float] = {}
        for ids, value in ((liked, FEEDBACK_LIKE), (disliked, FEEDBACK_DISLIKE)):
            for item_id in ids:
                item = self.item_index.get(str(item_id))
                if item is None:
                    raise UnknownItemsError([str(item_id)])
                target = self._feedback_target(value)
                if target is not None and item not in removed:
                    extra[item] = target
        if removed:  # a counterfactual: never cached
            with self._lock:
                stored = dict(self._feedback.get(key, {})) if key is not None else {}
            merged = {i: t for i, t in {**stored, **extra}.items() if i not in removed}
            base = self._without(self._base_state(key, attributes), key, removed)
            return self._updated(base, merged)
        with self._lock:
            cached = self._states.get(key) if key is not None and not attributes else None
            stored = dict(self._feedback.get(key, {})) if key is not None else {}
        if cached is None:
            base = self._base_state(key, attributes)
            cached = self._updated(base, stored)
            if key is not None and not attributes:
                with self._lock:
                    if self._feedback.get(key, {}) == stored:
                        self._states[key] = cached
        if not extra:
            return cached
        merged = {**stored, **extra}
        base = self._base_state(key, attributes)
        return self._updated(base, merged)

    def _indices(self, item_ids: Sequence[str]) -> frozenset[int]:
        """Item indices of ids (UnknownItemsError for any the ranker does not know)."""
        missing = [str(i) for i in item_ids if str(i) not in self.item_index]
        if missing:
            raise UnknownItemsError(missing)
        return frozenset(self.item_index[str(i)] for i in item_ids)

    def _without(
        self, base: _UserState, key: str | None, removed: frozenset[int], search: bool = False
    ) -> _UserState:
        """The user's state had they never picked the `removed` items (see causal.counterfactual).

        `search=True` (the counterfactual search's many re-scores) skips the parts that have no
        weight in the score: the rating model's re-solve, the choice model's history sum.
        """
        from causal.counterfactual import downdate

        rows = [(i, t) for i, t in self._history_rows(key) if i in removed] if key else []
        if not rows:
            return base
        vec, bias, precision = base.vec, base.bias, base.precision
        if not search or self.weights.preference:
            items = np.array([i for i, _ in rows], dtype=np.int64)
            targets = np.array([t for _, t in rows], dtype=np.float64)
            pred = self._preference_raw(base, items)
            rating = self.kind is FeedbackKind.RATING
            residual = pred - targets if rating else 1.0 / (1.0 + np.exp(-pred)) - targets
            vec, bias, precision = downdate(
                base.vec,
                base.bias,
                base.precision,
                self.params.item_vec[items],
                residual,
                1.0 if rating else BINARY_CURVATURE,
            )
        picks = tuple(i for i in base.picks if i not in removed)
        choice_vec = base.choice_vec
        if not search or self.weights.choice:
            choice_vec = self._choice_vector(picks, {}, base.features)
        return replace(
            base,
            vec=vec,
            bias=bias,
            precision=precision,
            liked=tuple(i for i in base.liked if i not in removed),
            disliked=tuple(i for i in base.disliked if i not in removed),
            n_history=base.n_history - len(rows),
            picks=picks,
            choice_vec=choice_vec,
        )

    def _updated(self, base: _UserState, feedback: Mapping[int, float]) -> _UserState:
        """Fold feedback into the user's vectors, item vectors fixed.

        Preference model: a closed-form ridge update. Feedback is regressed on the *centred*
        item vectors with the user's level held: a like then lifts items like the liked one
        relative to the rest (a level shift would change no ranking). Each feedback counts as
        FEEDBACK_WEIGHT logged rows plus FEEDBACK_SHARE of the user's history, so a long
        history does not drown what they just said. Milliseconds: one (d x d) solve.
        Choice model: the feedback joins the history sum (`_choice_vector`).
        """
        if not feedback:
            return base
        items = np.array(list(feedback.keys()), dtype=np.int64)
        targets = np.array(list(feedback.values()), dtype=np.float64)
        d = len(base.vec)
        mean_vec = self._mean_item_vec
        z = self.params.item_vec[items] - mean_vec
        residual = targets - self._preference_raw(base, items)
        weight = FEEDBACK_WEIGHT + FEEDBACK_SHARE * base.n_history
        prior = base.precision[:d, :d]
        h_vec = prior + weight * z.T @ z
        step = np.linalg.solve(h_vec, weight * z.T @ residual)  # prior mean: no change
        vec = base.vec + step
        bias = base.bias - float(mean_vec @ step)  # the average item keeps its score
        precision = base.precision.copy()
        precision[:d, :d] = h_vec
        positive = {
            int(i) for i, t in zip(items, targets, strict=True) if self._positive_feedback(t)
        }
        negative = {int(i) for i in items.tolist()} - positive
        liked = tuple(i for i in base.liked if i not in negative) + tuple(
            sorted(positive - set(base.liked))
        )
        disliked = tuple(i for i in base.disliked if i not in positive) + tuple(
            sorted(negative - set(base.disliked))
        )
        return replace(
            base,
            vec=vec,
            bias=bias,
            precision=precision,
            liked=liked,
            disliked=disliked,
            choice_vec=self._choice_vector(base.picks, feedback, base.features),
        )

    def _preference_raw(self, state: _UserState, items: np.ndarray) -> np.ndarray:
        p = self.params
        return p.mu + state.bias + p.item_bias[items] + p.item_vec[items] @ state.vec

    def _choice_raw(self, state: _UserState, items: np.ndarray) -> np.ndarray | None:
        if self.choice is None or state.choice_vec is None:
            return None
        return self.choice.logits(state.choice_vec, items)

    def taste_profile(self, state: _UserState) -> np.ndarray:
        """The unit taste profile the similarity part scores against (zeros when none)."""
        sims = self.similarity_vectors
        profile = np.zeros(sims.shape[1])
        if state.liked:
            profile += sims[list(state.liked)].mean(axis=0)
        if state.disliked:
            profile -= 0.5 * sims[list(state.disliked)].mean(axis=0)
        norm = float(np.linalg.norm(profile))
        return profile / norm if norm > 0 else profile

    def _similarity(self, state: _UserState, items: np.ndarray) -> np.ndarray:
        if not state.liked and not state.disliked:
            return np.zeros(len(items))
        profile = self.taste_profile(state)
        if not profile.any():
            return np.zeros(len(items))
        sims = self.similarity_vectors
        if 4 * len(items) >= len(sims):  # most of the catalogue: no copy of the rows
            return (sims @ profile)[items]
        return sims[items] @ profile

    def _parts(self, state: _UserState, items: np.ndarray) -> dict[str, np.ndarray]:
        """The score's standardised parts for item indices (before weighting)."""
        raw = self._preference_raw(state, items)
        parts = {
            "preference_raw": raw,
            "preference_z": (raw - self.centre) / self.scale,
            "similarity": self._similarity(state, items),
        }
        choice = self._choice_raw(state, items)
        if choice is not None and state.choice_vec is not None and self.choice is not None:
            parts["choice_raw"] = choice
            parts["choice_z"] = (choice - self.choice_centre) / self.choice_scale
            parts["choice_avg"] = np.full(len(items), self.choice.average_logit(state.choice_vec))
        return parts

    def _combine(
        self, parts: Mapping[str, np.ndarray], items: np.ndarray, popularity: float
    ) -> np.ndarray:
        w = self.weights
        score = w.preference * parts["preference_z"] + w.similarity * parts["similarity"]
        if "choice_z" in parts and w.choice:
            score = score + w.choice * parts["choice_z"]
        if popularity:
            score = score + popularity * self.popularity_z[items]
        return score

    def _popularity_weight(self, popularity_weight: float | None) -> float:
        if popularity_weight is None:
            return float(self.weights.popularity)
        value = float(popularity_weight)
        if not np.isfinite(value):
            raise ValueError(f"popularity_weight must be a finite number, got {popularity_weight}")
        return value

    def _scores(
        self, state: _UserState, items: np.ndarray, popularity_weight: float | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(score, preference on the target scale, similarity) for item indices."""
        parts = self._parts(state, items)
        score = self._combine(parts, items, self._popularity_weight(popularity_weight))
        return score, self._preference_scale(parts["preference_raw"]), parts["similarity"]

    def _preference_scale(self, raw: np.ndarray) -> np.ndarray:
        if self.kind is FeedbackKind.RATING:
            return np.clip(raw, self.rating_min, self.rating_max)
        return 1.0 / (1.0 + np.exp(-raw))

    def _rank(
        self, state: _UserState, items: np.ndarray, popularity_weight: float | None
    ) -> list[ScoredItem]:
        weight = self._popularity_weight(popularity_weight)
        parts = self._parts(state, items)
        score = self._combine(parts, items, weight)
        pref = self._preference_scale(parts["preference_raw"])
        sim = parts["similarity"]
        choice = None
        if "choice_raw" in parts:  # P(pick this over an average item), popularity aside
            choice = 1.0 / (1.0 + np.exp(-(parts["choice_raw"] - parts["choice_avg"])))
        order = np.argsort(-score, kind="stable")
        out = []
        for j in order:
            i = int(items[j])
            components = {
                "preference": round(float(pref[j]), 6),
                "popularity": round(float(self.popularity[i]), 6),
                "similarity": round(float(sim[j]), 6),
                "popularity_boost": round(float(weight * self.popularity_z[i]), 6),
            }
            if choice is not None:
                components["choice"] = round(float(choice[j]), 6)
            out.append(
                ScoredItem(
                    item_id=self.item_ids[i], score=round(float(score[j]), 6), components=components
                )
            )
        return out

    # -- persistence --------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the ranker to a folder (ranker.json + arrays); returns the folder."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.params.save(out / "params.npz")
        choice_file = out / CHOICE_FILE
        if self.choice is not None:
            self.choice.save(choice_file)
        elif choice_file.exists():
            choice_file.unlink()
        np.savez(
            out / "arrays.npz",
            user_features=self.user_features,
            item_counts=self.item_counts,
            history_indptr=self.history_indptr,
            history_items=self.history_items,
            history_targets=self.history_targets,
            similarity_vectors=self._similarity_raw,
        )
        meta = {
            "format": FORMAT_VERSION,
            "kind": self.kind.value,
            "user_ids": list(self.user_ids),
            "item_ids": list(self.item_ids),
            "user_encoder": self.user_encoder.to_dict(),
            "item_encoder": self.item_encoder.to_dict(),
            "rating_min": self.rating_min,
            "rating_max": self.rating_max,
            "positive_threshold": self.positive_threshold,
            "centre": self.centre,
            "scale": self.scale,
            "config": self.config.to_dict(),
            "info": self.info,
            "choice": self.choice is not None,
            "choice_centre": self.choice_centre,
            "choice_scale": self.choice_scale,
            "weights": self.weights.to_dict(),
        }
        tmp = out / "ranker.json.tmp"
        tmp.write_text(json.dumps(meta, default=_json_default), encoding="utf-8")
        tmp.replace(out / "ranker.json")
        return out

    @classmethod
    def load(cls, directory: str | Path) -> Ranker:
        """Read a ranker written by `save` (DataError when the folder is not one)."""
        root = Path(directory)
        meta_path = root / "ranker.json"
        if not meta_path.is_file():
            raise DataError(f"no ranker in {root} (ranker.json missing)")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"unreadable ranker.json: {exc}", file=str(meta_path)) from None
        if meta.get("format") != FORMAT_VERSION:
            raise DataError(
                f"ranker format {meta.get('format')} is not {FORMAT_VERSION}; rebuild",
                file=str(meta_path),
            )
        params = FactorParams.load(root / "params.npz")
        choice = ChoiceParams.load(root / CHOICE_FILE) if meta.get("choice") else None
        config = RankerConfig.from_dict(meta["config"])
        weights = (
            ScoreWeights.from_dict(meta["weights"])
            if isinstance(meta.get("weights"), Mapping)
            else ScoreWeights.from_config(config, has_choice=choice is not None)
        )
        with np.load(root / "arrays.npz") as arrays:
            loaded = {name: np.asarray(arrays[name]) for name in arrays.files}
        return cls(
            params=params,
            kind=FeedbackKind(meta["kind"]),
            user_ids=meta["user_ids"],
            item_ids=meta["item_ids"],
            user_encoder=FeatureEncoder.from_dict(meta["user_encoder"]),
            item_encoder=FeatureEncoder.from_dict(meta["item_encoder"]),
            user_features=loaded["user_features"],
            item_counts=loaded["item_counts"],
            history_indptr=loaded["history_indptr"],
            history_items=loaded["history_items"],
            history_targets=loaded["history_targets"],
            similarity_vectors=loaded["similarity_vectors"],
            rating_min=meta["rating_min"],
            rating_max=meta["rating_max"],
            positive_threshold=meta["positive_threshold"],
            centre=meta["centre"],
            scale=meta["scale"],
            config=config,
            info=meta.get("info", {}),
            choice=choice,
            choice_centre=float(meta.get("choice_centre", 0.0)),
            choice_scale=float(meta.get("choice_scale", 1.0)),
            weights=weights,
        )


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def train_ranker(
    dataset: Dataset,
    config: RankerConfig | None = None,
    *,
    item_embeddings: np.ndarray | None = None,
    progress: bool = True,
) -> Ranker:
    """Train a debiased ranker on a dataset (see causal.ranker_fit for the pipeline)."""
    from causal.ranker_fit import train_ranker as _train

    return _train(dataset, config, item_embeddings=item_embeddings, progress=progress)


def build_ranker(
    dataset: Dataset,
    out_dir: str | Path,
    *,
    seed: int = 0,
    progress: bool = True,
    item_embeddings: np.ndarray | None = None,
    previous_dir: str | Path | None = None,
    config: RankerConfig | None = None,
    data_digest: str | None = None,
) -> dict[str, Any]:
    """Train the ranker into `out_dir` for a workspace build; returns the manifest summary.

    Reuses `previous_dir`'s ranker when the data (or `data_digest`), config, seed and
    embeddings are unchanged.
    """
    from causal.ranker_fit import build_ranker as _build

    return _build(
        dataset,
        out_dir,
        seed=seed,
        progress=progress,
        item_embeddings=item_embeddings,
        previous_dir=previous_dir,
        config=config,
        data_digest=data_digest,
    )
