"""Train a Ranker from a Dataset: hold out a random slice, estimate propensities, tune, fit.

The pipeline behind `train_ranker` (and `causal.ranking.build.build_ranker`, the workspace step):

1. encode the log (`prepare_ranking_data`): ratings, clicks or implicit interactions;
2. when the dataset has a random-exposure log, set aside a small slice of it (config
   random_slice, 5%) for propensities; its rows are recorded so evaluation leaves them out;
3. propensities (`causal.ranking.propensity`): the random slice when there is one, else logistic;
4. tune the regularisation on a validation split of the *training* log (never on the
   evaluation data), then fit on the whole log;
5. for rating logs, train the choice model ("would they pick it", causal.ranking.choice_model);
6. package arrays, per-user histories and similarity vectors into a `Ranker`;
7. choose the score weights left to validation (causal.ranking.weights): on the random slice,
   or on each user's last pick held out of a second training run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.schema import Dataset
from causal.ranking.choice_model import ChoiceParams, ChoiceSpec, Picks
from causal.ranking.choice_training import fit_choice_model
from causal.ranking.config import RankerConfig
from causal.ranking.data import FeedbackKind, RankingData, encode_pairs, prepare_ranking_data
from causal.ranking.factor_params import FactorParams
from causal.ranking.factor_training import FitSpec, Method, fit_factor_model
from causal.ranking.metrics import roc_auc
from causal.ranking.model import Ranker
from causal.ranking.propensity import PropensityMethod, estimate_propensities
from causal.ranking.weights import choose_weights


@dataclass(frozen=True)
class RandomSplit:
    """Rows of the random-exposure log set aside for propensities (slice) and left to evaluate."""

    slice_rows: np.ndarray
    eval_rows: np.ndarray


def random_split(n_rows: int, share: float, seed: int) -> RandomSplit:
    """A seeded split of a random log: `share` of its rows (at least one if share > 0) to the slice."""
    if n_rows <= 0 or share <= 0:
        return RandomSplit(np.zeros(0, dtype=np.int64), np.arange(n_rows, dtype=np.int64))
    perm = np.random.default_rng(seed + 7919).permutation(n_rows)
    k = min(n_rows - 1, max(1, round(share * n_rows)))
    return RandomSplit(np.sort(perm[:k]), np.sort(perm[k:]))


def random_labels(data: RankingData, frame: pd.DataFrame) -> np.ndarray | None:
    """The random log's labels on the training target's scale, or None when it has none."""
    if data.kind is FeedbackKind.RATING and "rating" in frame.columns:
        values = pd.to_numeric(frame["rating"], errors="coerce").to_numpy(dtype=float)
    elif data.kind is FeedbackKind.CLICK and "clicked" in frame.columns:
        values = pd.to_numeric(frame["clicked"], errors="coerce").to_numpy(dtype=float)
    else:
        return None
    return values


def _random_slice(
    data: RankingData, dataset: Dataset, cfg: RankerConfig
) -> tuple[RandomSplit | None, tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
    """The random log's split and its slice as labelled (user, item, label) index arrays."""
    log = dataset.random_exposure
    if log is None or log.empty or cfg.random_slice <= 0:
        return None, None
    labels = random_labels(data, log)
    if labels is None:
        return None, None
    split = random_split(len(log), cfg.random_slice, cfg.seed)
    frame = log.iloc[split.slice_rows]
    users, items, known = encode_pairs(data, frame)
    chosen = labels[split.slice_rows]
    keep = known & np.isfinite(chosen)
    if not keep.any():
        return split, None
    return split, (users[keep], items[keep], chosen[keep])


def resolve_propensity(
    config: RankerConfig, kind: FeedbackKind, has_slice: bool
) -> PropensityMethod:
    """The propensity estimator a config asks for ('auto' picks the random slice when present)."""
    if config.method == Method.NAIVE.value:
        return PropensityMethod.NONE
    if config.propensity != "auto":
        chosen = PropensityMethod(config.propensity)
        if chosen is PropensityMethod.RANDOM and not has_slice:
            raise ValueError(
                "propensity 'random' needs a random-exposure log with labels "
                "(random_exposure.csv) and random_slice > 0"
            )
        return chosen
    if has_slice and kind is not FeedbackKind.IMPLICIT:
        return PropensityMethod.RANDOM
    return PropensityMethod.LOGISTIC


def tempered_weights(
    inverse: np.ndarray, power: float, max_ratio: float | None = None
) -> np.ndarray:
    """(1/p)**power, capped at max_ratio x the median weight, rescaled to keep the total of 1/p.

    Tempering and the cap trade a little bias for much less variance: with popularity-driven
    propensities an item rated once would otherwise weigh as much as a hundred ratings of a
    popular one, and its single rating would decide its place in every list. Keeping the
    total keeps IPS and DR calibrated.
    """
    inverse = np.asarray(inverse, dtype=float)
    if len(inverse) == 0:
        return inverse
    weights = inverse**power
    if max_ratio is not None:
        weights = np.minimum(weights, max_ratio * float(np.median(weights)))
    if power == 1.0 and max_ratio is None:
        return inverse
    return weights * (inverse.sum() / weights.sum())


def fit_spec(config: RankerConfig, kind: FeedbackKind) -> FitSpec:
    """The torch training spec for a config."""
    confounders = config.confounders
    if confounders is None:  # only exposure logs measure popularity apart from preference
        confounders = kind is FeedbackKind.CLICK
    return FitSpec(
        method=Method(config.method),
        dim=config.dim,
        reg=config.reg,
        bias_reg=config.bias_reg,
        feature_reg=config.feature_reg,
        steps=config.steps,
        lr=config.lr,
        negatives=config.negatives,
        use_features=config.use_features,
        confounders=confounders,
        imputation_dim=config.imputation_dim,
        seed=config.seed,
    )


def train_ranker(
    dataset: Dataset,
    config: RankerConfig | None = None,
    *,
    item_embeddings: np.ndarray | None = None,
    progress: bool = True,
) -> Ranker:
    """Train a debiased ranker on a dataset's log (deterministic for a given config.seed).

    `item_embeddings` (one row per dataset item, in `dataset.items` order) give the similarity
    component and, with config.use_text, text features for the models.
    """
    cfg = config or RankerConfig()
    started = time.perf_counter()
    data = prepare_ranking_data(dataset, cfg.kind)
    text = _check_embeddings(item_embeddings, data.n_items)

    split, slice_pairs = _random_slice(data, dataset, cfg)
    slice_labels = None if slice_pairs is None else slice_pairs[2]
    method = resolve_propensity(cfg, data.kind, slice_labels is not None)
    props = estimate_propensities(
        data, method, random_targets=slice_labels, clip=cfg.clip, seed=cfg.seed
    )
    inverse = tempered_weights(props.inverse, cfg.propensity_power, cfg.max_weight_ratio)
    spec = fit_spec(cfg, data.kind)
    model_text = text if (cfg.use_text and text is not None) else None
    tuning: list[dict[str, Any]] = []
    params: FactorParams | None = None
    if cfg.tune and data.n_rows > cfg.tune_max_rows:
        tuning = [{"skipped": f"{data.n_rows} rows > tune_max_rows={cfg.tune_max_rows}"}]
    elif cfg.tune:
        target = tuning_target(data, spec, inverse, cfg, slice_pairs)
        if target is not None:
            spec, tuning, params = tune_regularisation(
                data, spec, inverse, cfg, target, text=model_text, progress=progress
            )
    if params is None:
        params = fit_factor_model(
            data, spec, inverse_propensity=inverse, text=model_text, progress=progress
        )
    final_cfg = replace(cfg, reg=spec.reg, bias_reg=spec.bias_reg, feature_reg=spec.feature_reg)
    with_choice = cfg.choice if cfg.choice is not None else data.kind is FeedbackKind.RATING
    choice_started = time.perf_counter()
    ranker = _package(
        data, params, final_cfg, text, model_text, with_choice=with_choice, progress=progress
    )
    choice_seconds = time.perf_counter() - choice_started

    def fit_without(rows: np.ndarray) -> Ranker:
        keep = np.setdiff1d(np.arange(data.n_rows), rows)
        counts = data.item_counts - np.bincount(data.rows_item[rows], minlength=data.n_items)
        sub = replace(data.subset(keep), item_counts=np.maximum(counts, 0.0))
        sub_params = fit_factor_model(
            sub,
            spec,
            inverse_propensity=inverse[keep],
            text=model_text,
            progress=progress,
            description="ranker validation",
        )
        return _package(
            sub, sub_params, final_cfg, text, model_text, with_choice=with_choice, progress=progress
        )

    weights, selection = choose_weights(
        ranker, final_cfg, data, slice_pairs=slice_pairs, fit_without=fit_without, seed=cfg.seed
    )
    ranker.weights = weights
    info: dict[str, Any] = {
        "kind": data.kind.value,
        "method": spec.method.value,
        "propensity": method.value,
        "propensity_detail": props.detail,
        "reg": spec.reg,
        "bias_reg": spec.bias_reg,
        "feature_reg": spec.feature_reg,
        "tuning": tuning,
        "n_rows": data.n_rows,
        "n_users": data.n_users,
        "n_items": data.n_items,
        "confounders": spec.confounders,
        "popularity_effect": round(params.pop_effect, 6),
        "text_features": model_text is not None,
        "similarity_source": "text" if text is not None else "item_vectors",
        "weights": weights.to_dict(),
        "weight_selection": selection,
        "seed": cfg.seed,
    }
    if ranker.choice is not None:
        info["choice"] = {
            "dim": cfg.choice_dim,
            "reg": cfg.choice_reg,
            "steps": cfg.choice_steps,
            "popularity_effect": round(ranker.choice.pop_effect, 6),
            "seconds": round(choice_seconds, 3),
        }
    if split is not None:
        info["random_rows"] = (
            len(dataset.random_exposure) if dataset.random_exposure is not None else 0
        )
        info["random_slice_rows"] = split.slice_rows.tolist()
    info["train_seconds"] = round(time.perf_counter() - started, 3)
    ranker.info.update(info)
    return ranker


CHOICE_CENTRE_CELLS = 2_000_000  # choice logits are standardised over users x every item ...
CHOICE_CENTRE_USERS = (20, 500)  # ... for a seeded sample of this many users (fewer, more items)


def _package(
    data: RankingData,
    params: FactorParams,
    cfg: RankerConfig,
    text: np.ndarray | None,
    model_text: np.ndarray | None,
    *,
    with_choice: bool,
    progress: bool,
) -> Ranker:
    """A Ranker from a trained preference model: the choice model, histories, similarity."""
    raw = params.predict(data.rows_user, data.rows_item)
    centre, scale = float(np.mean(raw)), float(np.std(raw) or 1.0)
    choice = None
    choice_centre, choice_scale = 0.0, 1.0
    if with_choice:
        picked = data.picked()
        picks = Picks.from_pairs(
            data.rows_user[picked], data.rows_item[picked], data.n_users, data.n_items
        )
        if len(picks.users):
            choice = fit_choice_model(
                picks,
                ChoiceSpec(
                    dim=cfg.choice_dim,
                    reg=cfg.choice_reg,
                    bias_reg=cfg.choice_reg,
                    feature_reg=cfg.feature_reg,
                    steps=cfg.choice_steps,
                    use_features=cfg.use_features,
                    seed=cfg.seed,
                ),
                item_counts=data.item_counts,
                user_features=data.user_features,
                item_features=data.item_features,
                text=model_text,
                progress=progress,
            )
            choice_centre, choice_scale = _choice_standardisation(choice, picks, data, cfg.seed)
    similarity = text if text is not None else params.item_vec
    indptr, items, targets = _histories(data)
    return Ranker(
        params=params,
        kind=data.kind,
        user_ids=data.user_ids,
        item_ids=data.item_ids,
        user_encoder=data.user_encoder,
        item_encoder=data.item_encoder,
        user_features=data.user_features,
        item_counts=data.item_counts,
        history_indptr=indptr,
        history_items=items,
        history_targets=targets,
        similarity_vectors=similarity,
        rating_min=data.rating_min,
        rating_max=data.rating_max,
        positive_threshold=data.positive_threshold,
        centre=centre,
        scale=scale,
        config=cfg,
        choice=choice,
        choice_centre=choice_centre,
        choice_scale=choice_scale,
    )


def _choice_standardisation(
    choice: ChoiceParams, picks: Picks, data: RankingData, seed: int
) -> tuple[float, float]:
    """Mean and std of the choice logits over (a seeded sample of) users x every item."""
    users = np.unique(picks.users)
    low, high = CHOICE_CENTRE_USERS
    cap = int(np.clip(CHOICE_CENTRE_CELLS // max(data.n_items, 1), low, high))
    if len(users) > cap:
        users = np.sort(np.random.default_rng(seed + 8191).choice(users, cap, False))
    history = picks.history()
    vecs = np.array(
        [
            choice.user_vector(history[u], np.ones(len(history[u])), data.user_features[u])
            for u in users
        ]
    )
    logits = vecs @ choice.target_vec.T + choice.target_bias[None, :]
    return float(logits.mean()), float(logits.std() or 1.0)


MIN_SLICE_FOR_TUNING = 50
TUNE_MARGIN = 0.005  # keep the default unless a candidate lowers the loss by more than 0.5%


@dataclass(frozen=True)
class TuneTarget:
    """Where candidate settings are scored: labelled (user, item, label) rows, and how."""

    users: np.ndarray
    items: np.ndarray
    labels: np.ndarray
    weights: np.ndarray | None
    train_rows: np.ndarray | None  # None: candidates train on every row (slice tuning)
    source: str


def tuning_target(
    data: RankingData,
    spec: FitSpec,
    inverse: np.ndarray,
    cfg: RankerConfig,
    slice_pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> TuneTarget | None:
    """The random slice when allowed and big enough, else a held-out share of the training log."""
    use_slice = cfg.tune_on == "slice" or (
        cfg.tune_on == "auto"
        and slice_pairs is not None
        and len(slice_pairs[2]) >= MIN_SLICE_FOR_TUNING
    )
    if use_slice:
        if slice_pairs is None or len(slice_pairs[2]) == 0:
            raise ValueError("tune_on='slice' needs a labelled random-exposure slice")
        u, i, y = slice_pairs
        return TuneTarget(u, i, y, None, None, "random_slice")
    rng = np.random.default_rng(spec.seed + 104729)
    perm = rng.permutation(data.n_rows)
    n_val = max(1, round(cfg.validation_share * data.n_rows))
    if data.n_rows - n_val < 2:
        return None
    val, train = np.sort(perm[:n_val]), np.sort(perm[n_val:])
    weights = None if spec.method is Method.NAIVE else inverse[val]
    return TuneTarget(
        data.rows_user[val],
        data.rows_item[val],
        data.target[val],
        weights,
        train,
        "validation_split",
    )


def tune_regularisation(
    data: RankingData,
    spec: FitSpec,
    inverse: np.ndarray,
    cfg: RankerConfig,
    target: TuneTarget,
    *,
    text: np.ndarray | None = None,
    progress: bool = False,
) -> tuple[FitSpec, list[dict[str, Any]], FactorParams | None]:
    """Coordinate search: the attribute regularisation, then the id one (cfg grids).

    A candidate replaces the default only when it lowers the loss by more than TUNE_MARGIN,
    so noise in a small tuning set does not pull the model away from sane defaults.

    Returns the best spec, the table of tried settings, and (slice tuning) the best model,
    which was trained on the whole log and so is the final model.
    """
    rng = np.random.default_rng(spec.seed + 15485863)
    fit_data = data if target.train_rows is None else data.subset(target.train_rows)
    fit_inverse = inverse if target.train_rows is None else inverse[target.train_rows]
    table: list[dict[str, Any]] = []
    tried: dict[tuple[float, float], tuple[float, FactorParams]] = {}
    bias_ratio = spec.bias_reg / spec.reg if spec.reg > 0 else 0.1  # biases keep their share

    def trial(reg: float, feature_reg: float) -> float:
        key = (float(reg), float(feature_reg))
        if key not in tried:
            candidate = replace(spec, reg=key[0], bias_reg=key[0] * bias_ratio, feature_reg=key[1])
            params = fit_factor_model(
                fit_data,
                candidate,
                inverse_propensity=fit_inverse,
                text=text,
                progress=progress,
                description=f"ranker tuning reg={key[0]:g} feature_reg={key[1]:g}",
            )
            loss = target_loss(data.kind, params, target, rng)
            tried[key] = (loss, params)
            table.append({"reg": key[0], "feature_reg": key[1], "loss": round(loss, 6)})
        return tried[key][0]

    def pick(
        options: list[tuple[float, float]], default: tuple[float, float]
    ) -> tuple[float, float]:
        """The lowest-loss option, unless it beats the default by less than TUNE_MARGIN."""
        best = min(options, key=lambda o: (trial(*o), o))
        if trial(*default) <= trial(*best) * (1.0 + TUNE_MARGIN):
            return default
        return best

    best_reg, best_freg = spec.reg, spec.feature_reg
    if spec.use_features or text is not None:
        grid = list(dict.fromkeys([spec.feature_reg, *cfg.feature_reg_grid]))
        _, best_freg = pick([(best_reg, f) for f in grid], (best_reg, best_freg))
    regs = list(dict.fromkeys([spec.reg, *cfg.reg_grid]))
    best_reg, _ = pick([(r, best_freg) for r in regs], (spec.reg, best_freg))
    best = replace(
        spec,
        reg=float(best_reg),
        bias_reg=float(best_reg) * bias_ratio,
        feature_reg=float(best_freg),
    )
    model = tried[(float(best_reg), float(best_freg))][1] if target.train_rows is None else None
    for row in table:
        row["source"] = target.source
    return best, table, model


def target_loss(
    kind: FeedbackKind, params: FactorParams, target: TuneTarget, rng: np.random.Generator
) -> float:
    """Weighted MSE (ratings), log loss (clicks) or 1 - sampled AUC (implicit) on the target rows."""
    u, i, y = target.users, target.items, target.labels
    w = np.ones(len(y)) if target.weights is None else np.asarray(target.weights, dtype=float)
    pred = params.predict(u, i)
    if kind is FeedbackKind.RATING:
        return float(np.average((pred - y) ** 2, weights=w))
    if kind is FeedbackKind.CLICK:
        p = np.clip(1.0 / (1.0 + np.exp(-pred)), 1e-6, 1 - 1e-6)
        yb = (y >= 0.5).astype(float)
        return float(np.average(-(yb * np.log(p) + (1 - yb) * np.log(1 - p)), weights=w))
    n_items = params.item_vec.shape[0]
    negatives = rng.integers(0, n_items, size=len(y))
    neg = params.predict(u, negatives)
    auc = roc_auc(np.r_[np.ones(len(pred)), np.zeros(len(neg))], np.r_[pred, neg])
    return 1.0 - (auc if auc is not None else 0.5)


def _histories(data: RankingData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.lexsort((data.rows_item, data.rows_user))
    users = data.rows_user[order]
    counts = np.bincount(users, minlength=data.n_users)
    indptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
    return indptr, data.rows_item[order].astype(np.int64), data.target[order].astype(np.float64)


def _check_embeddings(embeddings: np.ndarray | None, n_items: int) -> np.ndarray | None:
    if embeddings is None:
        return None
    arr = np.asarray(embeddings, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != n_items:
        raise ValueError(
            f"item_embeddings must have one row per item ({n_items}), got shape {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ValueError("item_embeddings contain NaN or infinite values")
    return arr
