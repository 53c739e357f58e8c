"""A Dataset encoded for the ranker: integer ids, the training signal, and side features.

The ranker learns from whatever the log holds. `FeedbackKind` says which: explicit ratings
(the target is the rating), clicks on logged exposures (the target is the click, unclicked
exposures are negatives), or implicit interactions only (every logged pair is a positive;
negatives are sampled from the pairs never logged). `FeatureEncoder` turns user and item
attribute columns into dense vectors (one-hot, "A|B" multi-hot, standardised numbers) that
also serve cold-start users and items, whose attributes arrive as plain mappings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.schema import DataError, Dataset

MAX_CATEGORIES = 50  # per column; rarer values share the "other" slot
MULTI_SEPARATOR = "|"


class FeedbackKind(StrEnum):
    """What the training log tells about a (user, item) pair."""

    RATING = "rating"
    CLICK = "click"
    IMPLICIT = "implicit"


class ColumnKind(StrEnum):
    """How an attribute column is encoded."""

    CATEGORICAL = "categorical"
    MULTI = "multi"
    NUMERIC = "numeric"


@dataclass(frozen=True)
class ColumnSpec:
    """One encoded attribute column: its kind and what the encoding needs to replay it."""

    name: str
    kind: ColumnKind
    categories: tuple[str, ...] = ()
    mean: float = 0.0
    std: float = 1.0

    @property
    def width(self) -> int:
        """Number of output columns."""
        if self.kind is ColumnKind.NUMERIC:
            return 1
        return len(self.categories) + 1  # the last slot is "other"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.name,
            "kind": self.kind.value,
            "categories": list(self.categories),
            "mean": self.mean,
            "std": self.std,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ColumnSpec:
        """Inverse of `to_dict`."""
        return cls(
            name=str(raw["name"]),
            kind=ColumnKind(raw["kind"]),
            categories=tuple(str(c) for c in raw.get("categories", ())),
            mean=float(raw.get("mean", 0.0)),
            std=float(raw.get("std", 1.0)),
        )


@dataclass(frozen=True)
class FeatureEncoder:
    """Encodes attribute rows (frame rows or mappings) into dense float32 feature vectors."""

    columns: tuple[ColumnSpec, ...] = ()

    @property
    def width(self) -> int:
        """Length of an encoded vector."""
        return sum(c.width for c in self.columns)

    @property
    def names(self) -> list[str]:
        """A readable name per output column ("color=black", "price")."""
        out: list[str] = []
        for col in self.columns:
            if col.kind is ColumnKind.NUMERIC:
                out.append(col.name)
            else:
                out.extend(f"{col.name}={c}" for c in col.categories)
                out.append(f"{col.name}=other")
        return out

    @classmethod
    def fit(cls, frame: pd.DataFrame, columns: Sequence[str]) -> FeatureEncoder:
        """Learn the encoding of `columns` from a frame (skips id-like and constant columns)."""
        specs: list[ColumnSpec] = []
        n = len(frame)
        for name in columns:
            if name not in frame.columns:
                continue
            series = frame[name]
            if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
                values = pd.to_numeric(series, errors="coerce").astype(float)
                finite = values[np.isfinite(values)]
                if finite.nunique() < 2:
                    continue
                std = float(finite.std(ddof=0)) or 1.0
                specs.append(
                    ColumnSpec(name, ColumnKind.NUMERIC, mean=float(finite.mean()), std=std)
                )
                continue
            text = series.dropna().astype(str).str.strip()
            text = text[text != ""]
            if text.empty:
                continue
            is_multi = text.str.contains(MULTI_SEPARATOR, regex=False).mean() > 0.05
            if is_multi:
                tokens = text.str.split(MULTI_SEPARATOR).explode().str.strip()
                counts = tokens[tokens != ""].value_counts()
            else:
                counts = text.value_counts()
            if len(counts) < 2:
                continue
            if not is_multi and len(counts) > max(MAX_CATEGORIES, 0.5 * n):
                continue  # id-like free text: no use as a category
            cats = tuple(sorted(str(c) for c in counts.index[:MAX_CATEGORIES]))
            specs.append(
                ColumnSpec(name, ColumnKind.MULTI if is_multi else ColumnKind.CATEGORICAL, cats)
            )
        return cls(tuple(specs))

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Encode every row of a frame (missing columns and values encode as zeros)."""
        out = np.zeros((len(frame), self.width), dtype=np.float32)
        start = 0
        for col in self.columns:
            if col.name in frame.columns:
                out[:, start : start + col.width] = _encode_column(col, frame[col.name].tolist())
            start += col.width
        return out

    def transform_one(self, attributes: Mapping[str, Any] | None) -> np.ndarray:
        """Encode one attribute mapping (a cold-start user or item); unknown keys are ignored."""
        attrs = dict(attributes or {})
        out = np.zeros(self.width, dtype=np.float32)
        start = 0
        for col in self.columns:
            if col.name in attrs:
                out[start : start + col.width] = _encode_column(col, [attrs[col.name]])[0]
            start += col.width
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"columns": [c.to_dict() for c in self.columns]}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> FeatureEncoder:
        """Inverse of `to_dict`."""
        return cls(tuple(ColumnSpec.from_dict(c) for c in raw.get("columns", ())))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and not np.isfinite(value):
        return True
    return value is pd.NA or (isinstance(value, str) and not value.strip())


def _encode_column(col: ColumnSpec, values: list[Any]) -> np.ndarray:
    out = np.zeros((len(values), col.width), dtype=np.float32)
    if col.kind is ColumnKind.NUMERIC:
        for row, value in enumerate(values):
            if _missing(value):
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if np.isfinite(number):
                out[row, 0] = np.clip((number - col.mean) / col.std, -5.0, 5.0)
        return out
    index = {c: k for k, c in enumerate(col.categories)}
    other = len(col.categories)
    for row, value in enumerate(values):
        if _missing(value):
            continue
        if col.kind is ColumnKind.MULTI:
            tokens = [t.strip() for t in str(value).split(MULTI_SEPARATOR) if t.strip()]
            if not tokens:
                continue
            weight = 1.0 / np.sqrt(len(tokens))
            for token in tokens:
                out[row, index.get(token, other)] += weight
        else:
            out[row, index.get(str(value).strip(), other)] = 1.0
    return out


@dataclass(frozen=True)
class RankingData:
    """The training view of a dataset: indices, targets and features, all aligned.

    `rows_*` are the labelled training rows (ratings, exposures with a click label, or implicit
    positives); `logged_*` every logged (user, item) pair, which is what popularity and the
    exposure propensity are computed from.
    """

    kind: FeedbackKind
    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    rows_user: np.ndarray
    rows_item: np.ndarray
    target: np.ndarray
    rows_position: np.ndarray | None
    logged_user: np.ndarray
    logged_item: np.ndarray
    logged_position: np.ndarray | None
    logged_labelled: np.ndarray  # bool per logged row: has a training label
    user_features: np.ndarray
    item_features: np.ndarray
    user_encoder: FeatureEncoder
    item_encoder: FeatureEncoder
    rating_min: float = 1.0
    rating_max: float = 5.0
    positive_threshold: float = 4.0
    item_counts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    user_index: Mapping[str, int] = field(default_factory=dict)
    item_index: Mapping[str, int] = field(default_factory=dict)
    rows_time: np.ndarray | None = None  # per labelled row: timestamp (float, NaN if unknown)

    @property
    def n_users(self) -> int:
        """Number of users (dataset users plus any seen only in the log)."""
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.item_ids)

    @property
    def n_rows(self) -> int:
        """Number of labelled training rows."""
        return len(self.target)

    def positive(self, target: np.ndarray) -> np.ndarray:
        """Which targets count as positive (rating >= threshold; click or implicit = 1)."""
        if self.kind is FeedbackKind.RATING:
            return target >= self.positive_threshold
        return target >= 0.5

    def subset(self, rows: np.ndarray) -> RankingData:
        """The same encoding with only some labelled rows (for validation splits)."""
        from dataclasses import replace

        return replace(
            self,
            rows_user=self.rows_user[rows],
            rows_item=self.rows_item[rows],
            target=self.target[rows],
            rows_position=None if self.rows_position is None else self.rows_position[rows],
            rows_time=None if self.rows_time is None else self.rows_time[rows],
        )

    def picked(self) -> np.ndarray:
        """Which labelled rows record the user choosing the item (rated, clicked, interacted)."""
        if self.kind is FeedbackKind.CLICK:
            return self.target >= 0.5
        return np.ones(self.n_rows, dtype=bool)


def detect_kind(interactions: pd.DataFrame) -> FeedbackKind:
    """RATING when any rating is present, else CLICK when clicks are, else IMPLICIT."""
    if "rating" in interactions.columns and interactions["rating"].notna().any():
        return FeedbackKind.RATING
    if "clicked" in interactions.columns and interactions["clicked"].notna().any():
        return FeedbackKind.CLICK
    return FeedbackKind.IMPLICIT


def rating_scale(ratings: np.ndarray) -> tuple[float, float, float]:
    """(min, max, positive threshold) of a rating scale: >= 4 on a 1-5 scale, the top 40% otherwise."""
    finite = ratings[np.isfinite(ratings)]
    if finite.size == 0:
        return 1.0, 5.0, 4.0
    low, high = float(finite.min()), float(finite.max())
    if low >= 0.0 and high <= 5.0 and high >= 4.0:
        return min(low, 1.0), 5.0, 4.0
    if high <= low:
        return low, high, high
    return low, high, low + 0.6 * (high - low)


def prepare_ranking_data(dataset: Dataset, kind: FeedbackKind | str | None = None) -> RankingData:
    """Encode a dataset's training log for the ranker (DataError when nothing can be learned)."""
    inter = dataset.interactions
    if inter.empty:
        raise DataError("the interaction log is empty: nothing to train the ranker on")
    item_ids = tuple(str(i) for i in dataset.items["item_id"])
    item_index = {item: k for k, item in enumerate(item_ids)}
    users = [str(u) for u in dataset.users["user_id"]]
    known = set(users)
    users.extend(u for u in dict.fromkeys(inter["user_id"].astype(str)) if u not in known)
    user_ids = tuple(users)
    user_index = {user: k for k, user in enumerate(user_ids)}

    inter_items = inter["item_id"].astype(str)
    unknown_items = ~inter_items.isin(item_index.keys())
    if unknown_items.any():
        raise DataError(
            f"interaction with unknown item '{inter_items[unknown_items].iloc[0]}'",
            file="interactions.csv",
            column="item_id",
        )
    log_user = inter["user_id"].astype(str).map(user_index).to_numpy(dtype=np.int64)
    log_item = inter_items.map(item_index).to_numpy(dtype=np.int64)
    position = _positions(inter)

    resolved = FeedbackKind(kind) if kind is not None else detect_kind(inter)
    low, high, threshold = 1.0, 5.0, 4.0
    if resolved is FeedbackKind.RATING:
        if "rating" not in inter.columns:
            raise DataError("the log has no 'rating' column", file="interactions.csv")
        ratings = pd.to_numeric(inter["rating"], errors="coerce").to_numpy(dtype=float)
        labelled = np.isfinite(ratings)
        target = ratings[labelled]
        low, high, threshold = rating_scale(target)
    elif resolved is FeedbackKind.CLICK:
        if "clicked" not in inter.columns:
            raise DataError("the log has no 'clicked' column", file="interactions.csv")
        clicks = pd.to_numeric(inter["clicked"], errors="coerce").to_numpy(dtype=float)
        labelled = np.isfinite(clicks)
        target = clicks[labelled].clip(0.0, 1.0)
        low, high, threshold = 0.0, 1.0, 0.5
    else:
        labelled = np.ones(len(inter), dtype=bool)
        target = np.ones(len(inter), dtype=float)
        low, high, threshold = 0.0, 1.0, 0.5
    rows_user, rows_item = log_user[labelled], log_item[labelled]
    rows_position = None if position is None else position[labelled]
    times = _timestamps(inter)
    rows_time = None if times is None else times[labelled]
    if resolved is FeedbackKind.IMPLICIT:
        keys = rows_user * len(item_ids) + rows_item
        _, first = np.unique(keys, return_index=True)
        first.sort()
        rows_user, rows_item, target = rows_user[first], rows_item[first], target[first]
        rows_position = None if rows_position is None else rows_position[first]
        rows_time = None if rows_time is None else rows_time[first]
    if len(target) == 0:
        raise DataError(f"no labelled rows for a {resolved.value} ranker in interactions.csv")

    user_frame = dataset.users.copy()
    user_frame["user_id"] = user_frame["user_id"].astype(str)
    user_frame = (
        user_frame.set_index("user_id").reindex(list(user_ids)).reset_index(names="user_id")
    )
    user_encoder = FeatureEncoder.fit(dataset.users, dataset.user_attributes)
    item_encoder = FeatureEncoder.fit(dataset.items, dataset.item_attributes)
    return RankingData(
        kind=resolved,
        user_ids=user_ids,
        item_ids=item_ids,
        rows_user=rows_user,
        rows_item=rows_item,
        target=target.astype(np.float64),
        rows_position=rows_position,
        logged_user=log_user,
        logged_item=log_item,
        logged_position=position,
        logged_labelled=labelled,
        user_features=user_encoder.transform(user_frame),
        item_features=item_encoder.transform(dataset.items),
        user_encoder=user_encoder,
        item_encoder=item_encoder,
        rating_min=low,
        rating_max=high,
        positive_threshold=threshold,
        item_counts=np.bincount(log_item, minlength=len(item_ids)).astype(np.float64),
        user_index=user_index,
        item_index=item_index,
        rows_time=rows_time,
    )


def _timestamps(inter: pd.DataFrame) -> np.ndarray | None:
    """Timestamps as floats (NaN where missing), or None when the log has none."""
    if "timestamp" not in inter.columns:
        return None
    times = pd.to_numeric(inter["timestamp"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(times).any():
        return None
    return times


def _positions(inter: pd.DataFrame) -> np.ndarray | None:
    if "position" not in inter.columns:
        return None
    pos = pd.to_numeric(inter["position"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(pos).any():
        return None
    return np.where(np.isfinite(pos), pos, 0.0).astype(np.int64)


def encode_pairs(
    data: RankingData, frame: pd.DataFrame, *, drop_unknown: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(user index, item index, keep mask) for a frame of (user_id, item_id) pairs."""
    users = frame["user_id"].astype(str).map(data.user_index)
    items = frame["item_id"].astype(str).map(data.item_index)
    keep = users.notna().to_numpy() & items.notna().to_numpy()
    if not drop_unknown and not keep.all():
        raise DataError("pairs with unknown users or items")
    return (
        users.fillna(-1).to_numpy(dtype=np.int64),
        items.fillna(-1).to_numpy(dtype=np.int64),
        keep,
    )
