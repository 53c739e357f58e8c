"""A user's state in the ranker: vectors, history and conversational feedback.

`UserState` is what scoring reads: the rating model's user vector, bias and precision, the
liked and disliked items the similarity part uses, and the choice model's history vector.
`UserStates` (mixed into causal.ranking.model.Ranker) makes it: the trained state of a known
user or the attribute prior of a new one, with feedback folded in (`fold_in`, a closed-form
ridge update) and, for counterfactual reasons, signals taken out again (`state_without`, one
Newton step: `downdate`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from causal.ranking.choice_model import ChoiceParams
from causal.ranking.config import RankerConfig, ScoreWeights
from causal.ranking.data import FeatureEncoder, FeedbackKind
from causal.ranking.factor_params import FactorParams

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
class UserState:
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


def downdate(
    vec: np.ndarray,
    bias: float,
    precision: np.ndarray,
    item_vecs: np.ndarray,
    residuals: np.ndarray,
    curvature: float,
) -> tuple[np.ndarray, float, np.ndarray]:
    """A user's (vector, bias) re-solved without some rows: one Newton step, item vectors fixed.

    At the optimum the remaining rows' gradient is minus the removed rows' gradient,
    z^T (pred - target), so theta' = theta + H_rest^-1 z^T (pred - target), with H_rest the
    precision less the removed rows' curvature. Exact for the ridge objective of fold-in.
    """
    z = np.hstack([np.asarray(item_vecs, dtype=np.float64), np.ones((len(item_vecs), 1))])
    h_rest = precision - curvature * z.T @ z
    step = np.linalg.solve(h_rest, z.T @ np.asarray(residuals, dtype=np.float64))
    theta = np.r_[vec, bias] + step
    return theta[:-1], float(theta[-1]), h_rest


class UserStates:
    """How the ranker makes and updates a user's state (mixed into `Ranker`, which sets the
    attributes below): trained or cold-start vectors, feedback folded in, signals removed."""

    params: FactorParams
    choice: ChoiceParams | None
    kind: FeedbackKind
    config: RankerConfig
    weights: ScoreWeights
    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    user_index: dict[str, int]
    item_index: dict[str, int]
    user_encoder: FeatureEncoder
    user_features: np.ndarray
    history_indptr: np.ndarray
    history_items: np.ndarray
    history_targets: np.ndarray
    rating_min: float
    rating_max: float
    positive_threshold: float
    _mean_item_vec: np.ndarray
    _lock: threading.RLock
    _feedback: dict[str, dict[int, float]]
    _states: dict[str, UserState]

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
            target = self.feedback_target(value)
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

    def feedback_target(self, value: FeedbackValue) -> float | None:
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
            return self.feedback_target(FEEDBACK_LIKE if value else FEEDBACK_DISLIKE)
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

    def positive_feedback(self, target: float) -> bool:
        """A folded-in target that counts as liked (binary logs keep targets as logits)."""
        if self.kind is FeedbackKind.RATING:
            return target >= self.positive_threshold
        return target > 0.0

    def history_rows(self, user_id: str) -> list[tuple[int, float]]:
        """The user's labelled training rows as (item index, target); empty for a new user."""
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

    def base_state(self, user_id: str | None, attributes: Mapping[str, Any] | None) -> UserState:
        """The user's trained state (known user) or attribute prior (cold start)."""
        d = self.params.dim
        reg = self.config.reg
        bias_reg = self.config.bias_reg
        if user_id is not None and user_id in self.user_index:
            k = self.user_index[user_id]
            rows = self.history_rows(user_id)
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
            return UserState(
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
        return UserState(
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
            weights[item] = strength if self.positive_feedback(target) else -DISLIKE_PULL * strength
        items = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        values = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
        return self.choice.user_vector(items, values, features)

    def state_for(
        self,
        user_id: str | None,
        attributes: Mapping[str, Any] | None,
        liked: Sequence[str],
        disliked: Sequence[str],
        without: Sequence[str] = (),
    ) -> UserState:
        """The user's state for one call: cached with folded-in feedback, plus this call's
        likes and dislikes, minus `without` (a counterfactual, never cached)."""
        key = None if user_id is None else str(user_id)
        removed = self.item_indices(without)
        extra: dict[int, float] = {}
        for ids, value in ((liked, FEEDBACK_LIKE), (disliked, FEEDBACK_DISLIKE)):
            for item_id in ids:
                item = self.item_index.get(str(item_id))
                if item is None:
                    raise UnknownItemsError([str(item_id)])
                target = self.feedback_target(value)
                if target is not None and item not in removed:
                    extra[item] = target
        if removed:  # a counterfactual: never cached
            with self._lock:
                stored = dict(self._feedback.get(key, {})) if key is not None else {}
            merged = {i: t for i, t in {**stored, **extra}.items() if i not in removed}
            base = self.state_without(self.base_state(key, attributes), key, removed)
            return self.with_feedback(base, merged)
        with self._lock:
            cached = self._states.get(key) if key is not None and not attributes else None
            stored = dict(self._feedback.get(key, {})) if key is not None else {}
        if cached is None:
            base = self.base_state(key, attributes)
            cached = self.with_feedback(base, stored)
            if key is not None and not attributes:
                with self._lock:
                    if self._feedback.get(key, {}) == stored:
                        self._states[key] = cached
        if not extra:
            return cached
        merged = {**stored, **extra}
        base = self.base_state(key, attributes)
        return self.with_feedback(base, merged)

    def item_indices(self, item_ids: Sequence[str]) -> frozenset[int]:
        """Item indices of ids (UnknownItemsError for any the ranker does not know)."""
        missing = [str(i) for i in item_ids if str(i) not in self.item_index]
        if missing:
            raise UnknownItemsError(missing)
        return frozenset(self.item_index[str(i)] for i in item_ids)

    def state_without(
        self, base: UserState, key: str | None, removed: frozenset[int], search: bool = False
    ) -> UserState:
        """The user's state had they never picked the `removed` items (causal.ranking.counterfactual).

        `search=True` (the counterfactual search's many re-scores) skips the parts that have no
        weight in the score: the rating model's re-solve, the choice model's history sum.
        """
        rows = [(i, t) for i, t in self.history_rows(key) if i in removed] if key else []
        if not rows:
            return base
        vec, bias, precision = base.vec, base.bias, base.precision
        if not search or self.weights.preference:
            items = np.array([i for i, _ in rows], dtype=np.int64)
            targets = np.array([t for _, t in rows], dtype=np.float64)
            pred = self.preference_raw(base, items)
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

    def with_feedback(self, base: UserState, feedback: Mapping[int, float]) -> UserState:
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
        residual = targets - self.preference_raw(base, items)
        weight = FEEDBACK_WEIGHT + FEEDBACK_SHARE * base.n_history
        prior = base.precision[:d, :d]
        h_vec = prior + weight * z.T @ z
        step = np.linalg.solve(h_vec, weight * z.T @ residual)  # prior mean: no change
        vec = base.vec + step
        bias = base.bias - float(mean_vec @ step)  # the average item keeps its score
        precision = base.precision.copy()
        precision[:d, :d] = h_vec
        positive = {
            int(i) for i, t in zip(items, targets, strict=True) if self.positive_feedback(t)
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

    def preference_raw(self, state: UserState, items: np.ndarray) -> np.ndarray:
        """The rating model's raw prediction (rating, or logit for binary logs) for item indices."""
        p = self.params
        return p.mu + state.bias + p.item_bias[items] + p.item_vec[items] @ state.vec

    def choice_raw(self, state: UserState, items: np.ndarray) -> np.ndarray | None:
        """The choice model's logits for item indices (None without a choice model)."""
        if self.choice is None or state.choice_vec is None:
            return None
        return self.choice.logits(state.choice_vec, items)
