"""Choose the ranker's score weights on validation data it never trains on.

The weights left to validation (`RankerConfig.choice_weight` / `popularity_weight` = None)
are picked from small grids by what the ranking is for:

- with a labelled random-exposure slice (>= 50 labels; Coat, synthetic worlds): AUC of
  "liked" (rating >= threshold, or a click) on the slice, scored by the final models, which
  never saw it. The slice is small (Coat: ~230 rows), so the reference weights (the rating
  model alone, no popularity) are kept unless the best setting beats them in at least
  SLICE_CONFIDENCE of seeded bootstrap resamples of the slice;
- otherwise each user's last pick (a random pick when there are no timestamps) is held out,
  both models are trained again without those rows, and each setting ranks the catalogue
  (minus the rest of the user's history) for that user: NDCG@10 of the held-out pick, the
  next-pick task the temporal leave-last-out evaluation measures. Among the settings within
  one standard error of the best (paired over users), the one with the least popularity is
  taken: popularity is added back only as far as it measurably helps. Users with fewer than
  MIN_HOLDOUT_HISTORY picks keep all of them.

The evaluation's own test items are never seen here: `evaluate_leave_last_out` trains on a
log that already lacks them, and this module then holds out the pick before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from causal.ranking.config import RankerConfig, ScoreWeights
from causal.ranking.data import FeedbackKind, RankingData
from causal.ranking.metrics import roc_auc

if TYPE_CHECKING:
    from causal.ranking.model import Ranker

MIX_GRID = (0.0, 0.25, 0.5, 0.75, 0.9, 1.0)  # the choice model's share of the deconfounded score
POPULARITY_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
MIN_HOLDOUT_HISTORY = 3
MIN_HOLDOUT_USERS = 20
MIN_SLICE_LABELS = 50
SLICE_CONFIDENCE = 0.95  # share of bootstrap resamples in which the best must beat the reference
BOOTSTRAP = 400
VALIDATION_CELLS = 8_000_000  # users x items scored at most (a seeded sample of users beyond)
MIN_VALIDATION_USERS = 100
K = 10


@dataclass(frozen=True)
class Holdout:
    """Labelled training rows held out for validation (one pick per user), and how chosen."""

    rows: np.ndarray
    source: str  # "last_pick" | "random_pick"


def holdout_rows(data: RankingData, seed: int) -> Holdout | None:
    """Each eligible user's latest pick (by timestamp, then log order), or a seeded random one.

    None when fewer than MIN_HOLDOUT_USERS users have MIN_HOLDOUT_HISTORY picks.
    """
    idx = np.nonzero(data.picked())[0]
    users = data.rows_user[idx]
    counts = np.bincount(users, minlength=data.n_users)
    eligible = counts[users] >= MIN_HOLDOUT_HISTORY
    idx, users = idx[eligible], users[eligible]
    if len(np.unique(users)) < MIN_HOLDOUT_USERS:
        return None
    times = None if data.rows_time is None else data.rows_time[idx]
    if times is not None and np.isfinite(times).any():
        key = np.nan_to_num(times, nan=-np.inf)
        source = "last_pick"
    else:
        key = np.random.default_rng(seed + 2_147).random(len(idx))
        source = "random_pick"
    order = np.lexsort((idx, key, users))
    ordered = users[order]
    last = order[np.r_[ordered[1:] != ordered[:-1], True]]
    return Holdout(np.sort(idx[last]), source)


def grids(config: RankerConfig, has_choice: bool) -> tuple[list[float], list[float]]:
    """(choice mixes, popularity weights) to try: the config's value where it fixes one."""
    if not has_choice:
        mixes = [0.0]
    elif config.choice_weight is not None:
        mixes = [float(config.choice_weight)]
    else:
        mixes = list(MIX_GRID)
    pops = (
        [float(config.popularity_weight)]
        if config.popularity_weight is not None
        else list(POPULARITY_GRID)
    )
    return mixes, pops


def choose_weights(
    ranker: Ranker,
    config: RankerConfig,
    data: RankingData,
    *,
    slice_pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    fit_without: Callable[[np.ndarray], Ranker],
    seed: int,
) -> tuple[ScoreWeights, dict[str, Any]]:
    """The weights to rank with, and a record of how they were chosen (for ranker.info).

    `fit_without(rows)` trains the same models without some labelled rows (the holdout).
    """
    has_choice = ranker.choice is not None
    base = ScoreWeights.from_config(config, has_choice=has_choice)
    if config.fixes_weights(has_choice=has_choice):
        return base, {"source": "config"}
    mixes, pops = grids(config, has_choice)
    significance: float | None = None
    if slice_pairs is not None and len(slice_pairs[2]) >= MIN_SLICE_LABELS:
        table, scorer = _slice_table(ranker, data, slice_pairs, mixes, pops)
        reference = (mixes[0], pops[0])  # the rating model alone, no popularity (when free)
        best = max(table, key=lambda key: (table[key], -key[1], -key[0]))
        if best != reference:
            significance = scorer(best, reference, seed)
            if significance < SLICE_CONFIDENCE:
                best = reference
        source, objective = "random_slice", "auc"
    else:
        holdout = holdout_rows(data, seed)
        if holdout is None:
            return base, {
                "source": "default",
                "reason": f"fewer than {MIN_HOLDOUT_USERS} users with "
                f"{MIN_HOLDOUT_HISTORY} picks and no labelled random-exposure slice",
            }
        validation = fit_without(holdout.rows)
        gains = _holdout_gains(validation, data, holdout, mixes, pops, seed)
        table = {key: float(g.mean()) for key, g in gains.items()}
        source, objective = holdout.source, f"ndcg@{K}"
        best = _least_popularity_within_one_se(gains)
    weights = replace(
        base, preference=1.0 - best[0], choice=best[0], popularity=best[1], source=source
    )
    record = {
        "source": source,
        "objective": objective,
        "chosen": {"choice": best[0], "popularity": best[1], objective: round(table[best], 5)},
        "bootstrap_share_better": significance,
        "table": [
            {"choice": m, "popularity": p, objective: round(v, 5)}
            for (m, p), v in sorted(table.items())
        ],
    }
    return weights, record


def _slice_table(
    ranker: Ranker,
    data: RankingData,
    slice_pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
    mixes: list[float],
    pops: list[float],
) -> tuple[dict[tuple[float, float], float], Callable[..., float]]:
    """AUC of liked vs not on the random slice for every setting, and a bootstrap test.

    The test returns the share of seeded resamples of the slice in which setting a has a
    higher AUC than setting b.
    """
    users, items, labels = slice_pairs
    liked = labels >= (ranker.positive_threshold if ranker.kind is FeedbackKind.RATING else 0.5)
    parts = _pair_parts(ranker, data, users, items)
    pop = ranker.popularity_z[items]

    def score(key: tuple[float, float]) -> np.ndarray:
        return _mix(parts, key[0], key[1], pop, ranker.weights.similarity)

    table: dict[tuple[float, float], float] = {}
    for mix in mixes:
        for weight in pops:
            auc = roc_auc(liked, score((mix, weight)))
            table[(mix, weight)] = 0.5 if auc is None else auc

    def better_share(a: tuple[float, float], b: tuple[float, float], seed: int) -> float:
        rng = np.random.default_rng(seed + 65_537)
        sa, sb = score(a), score(b)
        wins = 0
        for _ in range(BOOTSTRAP):
            rows = rng.integers(0, len(liked), size=len(liked))
            auc_a, auc_b = roc_auc(liked[rows], sa[rows]), roc_auc(liked[rows], sb[rows])
            wins += int(auc_a is not None and auc_b is not None and auc_a > auc_b)
        return wins / BOOTSTRAP

    return table, better_share


def _pair_parts(
    ranker: Ranker, data: RankingData, users: np.ndarray, items: np.ndarray
) -> dict[str, np.ndarray]:
    """Standardised parts for aligned (user index, item index) pairs of the training encoding."""
    n = len(users)
    out = {name: np.zeros(n) for name in ("preference_z", "choice_z", "similarity")}
    for u in np.unique(users):
        rows = np.nonzero(users == u)[0]
        user_id = data.user_ids[int(u)]
        state = ranker.state_for(user_id if ranker.known_user(user_id) else None, None, (), ())
        parts = ranker.score_parts(state, items[rows])
        for name in out:
            if name in parts:
                out[name][rows] = parts[name]
    return out


def _mix(
    parts: Mapping[str, np.ndarray], mix: float, pop_weight: float, pop: np.ndarray, sim: float
) -> np.ndarray:
    return (
        (1.0 - mix) * parts["preference_z"]
        + mix * parts["choice_z"]
        + sim * parts["similarity"]
        + pop_weight * pop
    )


def _least_popularity_within_one_se(
    gains: Mapping[tuple[float, float], np.ndarray],
) -> tuple[float, float]:
    """The best setting by mean gain, or a tied one (within one paired standard error of it)
    with a smaller popularity weight; among those, the best mean."""
    best = max(gains, key=lambda key: (float(gains[key].mean()), -key[1], -key[0]))
    top = gains[best]
    n = max(len(top), 2)
    tied = [
        key
        for key, g in gains.items()
        if float(g.mean()) >= float(top.mean()) - float(np.std(top - g, ddof=1)) / np.sqrt(n)
    ]
    return min(tied, key=lambda key: (key[1], -float(gains[key].mean()), key[0]))


def _holdout_gains(
    validation: Ranker,
    data: RankingData,
    holdout: Holdout,
    mixes: list[float],
    pops: list[float],
    seed: int,
) -> dict[tuple[float, float], np.ndarray]:
    """Per user, NDCG@K of the held-out pick ranked against the catalogue, for every setting."""
    users = data.rows_user[holdout.rows]
    targets = data.rows_item[holdout.rows]
    n_items = validation.n_items
    cap = max(MIN_VALIDATION_USERS, VALIDATION_CELLS // max(n_items, 1))
    if len(users) > cap:
        chosen = np.sort(np.random.default_rng(seed + 31_337).choice(len(users), cap, False))
        users, targets = users[chosen], targets[chosen]
    all_items = np.arange(n_items)
    pref = np.empty((len(users), n_items))
    choice = np.zeros((len(users), n_items))
    sim = np.empty((len(users), n_items))
    banned = np.zeros((len(users), n_items), dtype=bool)
    for row, u in enumerate(users.tolist()):
        user_id = data.user_ids[u]
        state = validation.state_for(user_id, None, (), ())
        parts = validation.score_parts(state, all_items)
        pref[row] = parts["preference_z"]
        sim[row] = parts["similarity"]
        if "choice_z" in parts:
            choice[row] = parts["choice_z"]
        seen = [i for i, _ in validation.history_rows(user_id)]
        banned[row, seen] = True
    banned[np.arange(len(users)), targets] = False
    pop = validation.popularity_z[None, :]
    base = validation.weights.similarity * sim
    discount = 1.0 / np.log2(np.arange(K) + 2)
    table: dict[tuple[float, float], np.ndarray] = {}
    for mix in mixes:
        mixed = (1.0 - mix) * pref + mix * choice + base
        for weight in pops:
            score = np.where(banned, -np.inf, mixed + weight * pop)
            target = score[np.arange(len(users)), targets]
            rank = (score > target[:, None]).sum(axis=1)
            table[(mix, weight)] = np.where(rank < K, discount[np.minimum(rank, K - 1)], 0.0)
    return table
