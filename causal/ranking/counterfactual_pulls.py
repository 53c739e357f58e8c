"""The counterfactual search's first-order estimates: how much removing one of the user's
signals moves each pooled item's score (see causal.ranking.counterfactual; every step the search
takes on them is re-scored exactly there). Each reads the ranker and the list's user state."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from causal.ranking.data import FeedbackKind
from causal.ranking.user_state import FEEDBACK_SHARE, FEEDBACK_WEIGHT, UserState

if TYPE_CHECKING:
    from causal.ranking.model import Ranker


def _choice_weights(state: UserState) -> dict[int, float]:
    weights = dict.fromkeys(state.picks, 1.0)
    strength = FEEDBACK_WEIGHT + FEEDBACK_SHARE * len(state.picks)
    feedback = {int(i) for i in state.liked} - set(state.picks)
    for item in feedback:
        weights[item] = strength
    return weights


def choice_pulls(
    ranker: Ranker, state: UserState, sig: np.ndarray, items: np.ndarray
) -> np.ndarray:
    """(signals x items) choice-logit change per removed signal: exact for one removal."""
    choice = ranker.choice
    weights = _choice_weights(state)
    wt = np.array([weights.get(int(j), 0.0) for j in sig])
    hist_items = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
    hist_w = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
    mass = float(hist_w[hist_w > 0].sum())
    if mass <= 0:
        return np.zeros((len(sig), len(items)))
    h = hist_w @ choice.context_vec[hist_items]  # the history sum, unnormalised
    norm = mass**-choice.alpha
    rest = np.maximum(mass - np.where(wt > 0, wt, 0.0), 1e-12)
    norm_rest = np.where(rest > 1e-9, rest**-choice.alpha, 0.0)
    q = choice.target_vec[items]
    qh = q @ h  # (items,)
    qy = choice.context_vec[sig] @ q.T  # (signals, items)
    return (norm_rest - norm)[:, None] * qh[None, :] - (norm_rest * wt)[:, None] * qy


def preference_pulls(
    ranker: Ranker, state: UserState, user_id: str | None, sig: np.ndarray, items: np.ndarray
) -> np.ndarray:
    """(signals x items) rating-model change per removed history row: one Newton step with the
    full-history curvature (first order)."""
    rows = dict(ranker.history_rows(str(user_id))) if user_id else {}
    mask = np.array([int(j) in rows for j in sig])
    out = np.zeros((len(sig), len(items)))
    if not mask.any():
        return out
    hist = sig[mask]
    targets = np.array([rows[int(j)] for j in hist])
    pred = ranker.preference_raw(state, hist)
    rating = ranker.kind is FeedbackKind.RATING
    residual = pred - targets if rating else 1.0 / (1.0 + np.exp(-pred)) - targets
    zs = np.hstack([ranker.params.item_vec[hist], np.ones((len(hist), 1))])
    zx = np.hstack([ranker.params.item_vec[items], np.ones((len(items), 1))])
    steps = np.linalg.solve(state.precision, (zs * residual[:, None]).T)  # (d+1, signals)
    out[mask] = (zx @ steps).T
    return out


def similarity_pulls(
    ranker: Ranker, state: UserState, sig: np.ndarray, items: np.ndarray
) -> np.ndarray:
    """(signals x items) taste-similarity change per removed like: exact for one removal."""
    sims = ranker.similarity_vectors
    liked = list(state.liked)
    mean = sims[liked].mean(axis=0)
    profile = mean.copy()
    if state.disliked:
        profile -= 0.5 * sims[list(state.disliked)].mean(axis=0)
    norm = float(np.linalg.norm(profile))
    out = np.zeros((len(sig), len(items)))
    if norm == 0.0 or len(liked) < 2:
        return out
    in_liked = np.isin(sig, liked)
    if not in_liked.any():
        return out
    js = sig[in_liked]
    shift = (mean[None, :] - sims[js]) / (len(liked) - 1)  # profile' = profile + shift
    new = profile[None, :] + shift
    new_norm = np.linalg.norm(new, axis=1)
    x = sims[items]
    before = x @ profile / norm
    after = (new @ x.T) / np.where(new_norm > 0, new_norm, 1.0)[:, None]
    out[in_liked] = after - before[None, :]
    return out
