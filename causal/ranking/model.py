"""The debiased ranker: what a user prefers, not what the logging policy happened to show.

Train with `causal.ranking.training.train_ranker(dataset, RankerConfig(...))` (or
`causal.ranking.build.build_ranker` inside `whyrec build`), then ask `Ranker.score(user, items)` for a ranked list whose items carry the parts
explanations cite: the deconfounded preference, the deconfounded choice, the item's
popularity, and the similarity to what the user liked. Feedback from a conversation goes
through `fold_in`, which re-solves only that user's vectors with the item vectors fixed (a
closed-form ridge update and a history sum, well under a millisecond), so the next turn
reflects it.

Two deconfounded models answer two questions:

- preference (causal.ranking.factor_training): "how much would they like it" -- the rating (or click
  probability) the user would give the item, trained with IPS/SNIPS/DR against exposure bias;
- choice (causal.ranking.choice_model, rating logs): "would they pick it" -- a softmax over the
  catalogue learned from every logged pick against every item not picked, with popularity as
  a training-time confounder (PDA), so what remains is the user's own pull towards the item.

Score of item i for user u (higher is better):

    score = w_pref * preference_z + w_choice * choice_z + w_pop * popularity_z + w_sim * similarity

`preference_z` and `choice_z` are the two models' deconfounded predictions standardised over
the training log; `popularity_z` is the item's standardised log popularity (w_pop = 0 is the
fully deconfounded ranking; a positive weight adds popularity back, PDA's adjustment).
`ScoreWeights` (causal.ranking.config) holds the weights: given in the config, or chosen on
a validation split of the training log only (each user's last pick before the rest, or the
random-exposure slice; causal.ranking.weights).

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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.schema import DataError
from causal.ranking.choice_model import ChoiceParams
from causal.ranking.config import RankerConfig, ScoreWeights
from causal.ranking.data import FeatureEncoder, FeedbackKind
from causal.ranking.factor_params import FactorParams
from causal.ranking.user_state import (
    UnknownItemsError,
    UserState,
    UserStates,
)

FORMAT_VERSION = 1  # rankers without "choice"/"weights" (older builds) still load
CHOICE_FILE = "choice.npz"


@dataclass(frozen=True)
class ScoredItem:
    """One ranked item: its score and the parts of the score explanations can cite."""

    item_id: str
    score: float
    components: Mapping[str, float] = field(default_factory=dict)


class Ranker(UserStates):
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
        self._states: dict[str, UserState] = {}

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
        boost: Sequence[float] | None = None,
    ) -> list[ScoredItem]:
        """Rank `item_ids` for a user, best first, each with its score components.

        A known user is scored from their trained vector plus any feedback folded in; an
        unknown (or None) user from `user_attributes`. `liked` / `disliked` are items from the
        current conversation: they update the user's vector for this call only. `limit` keeps
        only the best few (scoring thousands of candidates then costs one vector product).
        `without`: history or feedback items scored as if the user had never picked them
        (the counterfactual check, see causal.ranking.counterfactual). `boost`: one number per
        item the caller will add to its score (a stated wish); with a limit, the cut is made on
        score plus boost, so the caller's best items survive it (the scores returned are the
        ranker's own).
        """
        if limit is not None and limit < 1:
            raise ValueError("limit must be at least 1")
        index = self.item_index
        ids = [i if type(i) is str else str(i) for i in item_ids]
        # one pass over (possibly tens of thousands of) candidates: a lookup per id
        positions = [index.get(i, -1) for i in ids]
        if -1 in positions:
            raise UnknownItemsError([i for i, j in zip(ids, positions, strict=True) if j < 0])
        if not ids:
            return []
        items = np.array(positions, dtype=np.int64)
        state = self.state_for(user_id, user_attributes, liked, disliked, without)
        if boost is not None and len(boost) != len(ids):
            raise ValueError("boost needs one number per item")
        if limit is not None and limit < len(items):
            scores = self.scores(state, items, popularity_weight)[0]
            if boost is not None:
                scores = scores + np.asarray(boost, dtype=float)
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
        scores: np.ndarray | None = None,
    ) -> list[ScoredItem]:
        """The user's k best items over the whole catalogue (history and `exclude` left out).

        `without` scores as if those items were absent from the history (they stay excluded).
        `scores`: this state's catalogue-wide scores (`catalogue_scores`) when the caller kept
        them from an earlier call (not written to).
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        state = self.state_for(user_id, user_attributes, liked, disliked, without)
        if scores is None:
            scores = self.catalogue_scores(state, popularity_weight)
        banned = {self.item_index[i] for i in map(str, exclude) if i in self.item_index}
        banned.update(self.item_index[i] for i in map(str, liked) if i in self.item_index)
        banned.update(self.item_index[i] for i in map(str, disliked) if i in self.item_index)
        if exclude_history and self.known_user(user_id):
            banned.update(int(i) for i, _ in self.history_rows(str(user_id)))
        if banned:
            scores = scores.copy()
            scores[list(banned)] = -np.inf
        n = min(k, self.n_items - len(banned))
        if n <= 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return self._rank(state, top, popularity_weight)

    def catalogue_scores(self, state: UserState, popularity_weight: float | None) -> np.ndarray:
        """Every item's score in `state` (what `top_items` ranks)."""
        return self.scores(state, np.arange(self.n_items), popularity_weight)[0]

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
            state = self.state_for(user if user in self.user_index else None, None, (), ())
            s, p, _ = self.scores(state, items[rows], None)
            score[rows] = s
            pref[rows] = p
        return pref, score

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

    # -- scoring internals --------------------------------------------------------------

    def taste_profile(self, state: UserState) -> np.ndarray:
        """The unit taste profile the similarity part scores against (zeros when none)."""
        sims = self.similarity_vectors
        profile = np.zeros(sims.shape[1])
        if state.liked:
            profile += sims[list(state.liked)].mean(axis=0)
        if state.disliked:
            profile -= 0.5 * sims[list(state.disliked)].mean(axis=0)
        norm = float(np.linalg.norm(profile))
        return profile / norm if norm > 0 else profile

    def _similarity(self, state: UserState, items: np.ndarray) -> np.ndarray:
        if not state.liked and not state.disliked:
            return np.zeros(len(items))
        profile = self.taste_profile(state)
        if not profile.any():
            return np.zeros(len(items))
        sims = self.similarity_vectors
        if 4 * len(items) >= len(sims):  # most of the catalogue: no copy of the rows
            return (sims @ profile)[items]
        return sims[items] @ profile

    def score_parts(self, state: UserState, items: np.ndarray) -> dict[str, np.ndarray]:
        """The score's standardised parts for item indices (before weighting)."""
        raw = self.preference_raw(state, items)
        parts = {
            "preference_raw": raw,
            "preference_z": (raw - self.centre) / self.scale,
            "similarity": self._similarity(state, items),
        }
        choice = self.choice_raw(state, items)
        if choice is not None and state.choice_vec is not None and self.choice is not None:
            parts["choice_raw"] = choice
            parts["choice_z"] = (choice - self.choice_centre) / self.choice_scale
            parts["choice_avg"] = np.full(len(items), self.choice.average_logit(state.choice_vec))
        return parts

    def combine(
        self, parts: Mapping[str, np.ndarray], items: np.ndarray, popularity: float
    ) -> np.ndarray:
        """The weighted score from `score_parts` (popularity added with the given weight)."""
        w = self.weights
        score = w.preference * parts["preference_z"] + w.similarity * parts["similarity"]
        if "choice_z" in parts and w.choice:
            score = score + w.choice * parts["choice_z"]
        if popularity:
            score = score + popularity * self.popularity_z[items]
        return score

    def resolve_popularity_weight(self, popularity_weight: float | None) -> float:
        """The popularity weight to score with: the given one, or the ranker's own."""
        if popularity_weight is None:
            return float(self.weights.popularity)
        value = float(popularity_weight)
        if not np.isfinite(value):
            raise ValueError(f"popularity_weight must be a finite number, got {popularity_weight}")
        return value

    def scores(
        self, state: UserState, items: np.ndarray, popularity_weight: float | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(score, preference on the target scale, similarity) for item indices."""
        parts = self.score_parts(state, items)
        score = self.combine(parts, items, self.resolve_popularity_weight(popularity_weight))
        return score, self._preference_scale(parts["preference_raw"]), parts["similarity"]

    def _preference_scale(self, raw: np.ndarray) -> np.ndarray:
        if self.kind is FeedbackKind.RATING:
            return np.clip(raw, self.rating_min, self.rating_max)
        return 1.0 / (1.0 + np.exp(-raw))

    def _rank(
        self, state: UserState, items: np.ndarray, popularity_weight: float | None
    ) -> list[ScoredItem]:
        weight = self.resolve_popularity_weight(popularity_weight)
        parts = self.score_parts(state, items)
        score = self.combine(parts, items, weight)
        pref = self._preference_scale(parts["preference_raw"])
        sim = parts["similarity"]
        choice = None
        if "choice_raw" in parts:  # P(pick this over an average item), popularity aside
            choice = 1.0 / (1.0 + np.exp(-(parts["choice_raw"] - parts["choice_avg"])))
        order = np.argsort(-score, kind="stable")
        # Python floats in one pass per array (the same values float() gives item by item)
        chosen = np.asarray(items)[order]
        pref_l, sim_l, score_l = pref[order].tolist(), sim[order].tolist(), score[order].tolist()
        pop_l = np.asarray(self.popularity)[chosen].tolist()
        boost_l = (weight * np.asarray(self.popularity_z)[chosen]).tolist()
        choice_l = choice[order].tolist() if choice is not None else None
        ids = self.item_ids
        out = []
        for n, i in enumerate(chosen.tolist()):
            components = {
                "preference": round(pref_l[n], 6),
                "popularity": round(pop_l[n], 6),
                "similarity": round(sim_l[n], 6),
                "popularity_boost": round(boost_l[n], 6),
            }
            if choice_l is not None:
                components["choice"] = round(choice_l[n], 6)
            out.append(
                ScoredItem(item_id=ids[i], score=round(score_l[n], 6), components=components)
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
