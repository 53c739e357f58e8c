"""The catalog as the simulated user and the baselines see it, read from the data alone.

The simulated user must not share the agent's words or its reading of the data, so this
module classifies the item table itself, with its own plain rules: a text column with few
distinct values (one value or several joined with "|") is an attribute a person can name;
a numeric column is a year, a price or a score when its name says so (anything else, flags
and counters, is something a person would not know); popularity is the number of engaged
rows in the log (clicked rows when the log has clicks, else every row). Items fall into
head, torso and tail by popularity: the most popular items that together make the first
third of engaged rows, the next third, and the rest (items never engaged with included).

    view = CatalogView.from_dataset(dataset.items, dataset.interactions)
    view.stratum["42"]          # "head" | "torso" | "tail"
    view.taste_references("42") # items liked by the people who liked item 42
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

# Values that say nothing about an item: never stated, never used as a reason.
IGNORED_VALUES = frozenset({"", "unknown", "other", "none", "n/a", "na", "misc", "various", "nan"})
# A text column is an attribute when it has at most this many distinct values ...
MAX_VALUES = 60
# ... and is not nearly unique per item (titles, codes): most values occur more than once.
MAX_SINGLETON_SHARE = 0.8
STRATA = ("head", "torso", "tail")
_SKIPPED_COLUMNS = frozenset({"item_id", "title", "description"})
_NAME_PARTS = re.compile(r"[a-z]+")


class NumericKind(StrEnum):
    """What a numeric column measures, read from its name."""

    YEAR = "year"
    PRICE = "price"
    SCORE = "score"


_KIND_NAMES = {
    NumericKind.YEAR: frozenset({"year", "released", "release", "date"}),
    NumericKind.PRICE: frozenset({"price", "cost", "msrp", "usd", "eur", "dollars"}),
    NumericKind.SCORE: frozenset({"quality", "stars", "score", "grade"}),
}


def numeric_kind(name: str, values: np.ndarray) -> NumericKind | None:
    """The kind of a numeric column (None for flags, counters and unknown measures)."""
    parts = set(_NAME_PARTS.findall(name.lower()))
    finite = values[np.isfinite(values)]
    if finite.size == 0 or len(np.unique(finite)) < 3:
        return None  # a flag or a constant: nothing a person would ask for
    for kind, names in _KIND_NAMES.items():
        if parts & names:
            if kind is NumericKind.YEAR and not (finite.min() >= 1800 and finite.max() <= 2100):
                return None
            return kind
    return None


@dataclass(frozen=True)
class NumericField:
    """A numeric attribute the user can talk about (years, prices, scores)."""

    name: str
    kind: NumericKind
    low: float
    high: float
    median: float


@dataclass(frozen=True)
class Target:
    """The hidden item: its id, title (never said) and the attributes the user may talk about."""

    item_id: str
    title: str
    categories: Mapping[str, tuple[str, ...]]
    numbers: Mapping[str, float]
    stratum: str = "tail"


def _split(raw: object) -> tuple[str, ...]:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw is pd.NA:
        return ()
    return tuple(
        v for v in (p.strip() for p in str(raw).split("|")) if v.lower() not in IGNORED_VALUES
    )


def engaged_rows(interactions: pd.DataFrame) -> pd.DataFrame:
    """Rows where a person engaged with the item (clicked when the log has clicks)."""
    if "clicked" in interactions.columns and (interactions["clicked"] == 1).any():
        return interactions[interactions["clicked"] == 1]
    return interactions


def liked_rows(interactions: pd.DataFrame) -> pd.DataFrame:
    """Rows that show the person wanted the item: rating >= 4, else a click, else every row."""
    if "rating" in interactions.columns and interactions["rating"].notna().any():
        return interactions[interactions["rating"] >= 4]
    return engaged_rows(interactions)


def popularity_strata(counts: Mapping[str, int], ids: list[str]) -> dict[str, str]:
    """head / torso / tail by thirds of the engaged rows, most popular items first."""
    order = sorted(ids, key=lambda i: (-counts.get(i, 0), i))
    total = sum(counts.get(i, 0) for i in ids)
    strata: dict[str, str] = {}
    running = 0
    for item_id in order:
        share = running / total if total else 1.0
        strata[item_id] = "head" if share < 1 / 3 else "torso" if share < 2 / 3 else "tail"
        running += counts.get(item_id, 0)
    return strata


@dataclass
class CatalogView:
    """The item table and the log as the simulated user and the baselines see them."""

    titles: Mapping[str, str]
    categorical: Mapping[str, Mapping[str, tuple[str, ...]]]  # attribute -> item -> values
    multi: Mapping[str, bool]
    value_counts: Mapping[str, Mapping[str, int]]
    numeric: Mapping[str, NumericField]
    numbers: Mapping[str, Mapping[str, float]]  # attribute -> item -> value
    popularity: Mapping[str, int] = field(default_factory=dict)
    stratum: Mapping[str, str] = field(default_factory=dict)
    likers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # item -> users
    liked: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # user -> items

    @classmethod
    def from_dataset(
        cls, items: pd.DataFrame, interactions: pd.DataFrame | None = None
    ) -> CatalogView:
        """Read an item table in the data contract and, when given, its interaction log."""
        for column in ("item_id", "title"):
            if column not in items.columns:
                raise ValueError(f"the item table has no '{column}' column")
        ids = items["item_id"].astype(str).tolist()
        titles = dict(zip(ids, items["title"].astype(str).tolist(), strict=True))
        categorical: dict[str, dict[str, tuple[str, ...]]] = {}
        multi: dict[str, bool] = {}
        counts: dict[str, dict[str, int]] = {}
        numeric: dict[str, NumericField] = {}
        numbers: dict[str, dict[str, float]] = {}
        for name in items.columns:
            if name in _SKIPPED_COLUMNS:
                continue
            column = items[name]
            if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
                values = column.to_numpy(dtype=float, na_value=np.nan)
                kind = numeric_kind(str(name), values)
                if kind is None:
                    continue
                finite = values[np.isfinite(values)]
                numeric[name] = NumericField(
                    name, kind, float(finite.min()), float(finite.max()), float(np.median(finite))
                )
                numbers[name] = {
                    i: float(v) for i, v in zip(ids, values, strict=True) if np.isfinite(v)
                }
                continue
            per_item = {i: v for i, v in zip(ids, map(_split, column.tolist()), strict=True) if v}
            tally: Counter[str] = Counter(v for vs in per_item.values() for v in vs)
            if not tally or len(tally) > MAX_VALUES:
                continue
            singletons = sum(1 for c in tally.values() if c == 1)
            if len(tally) > 3 and singletons > MAX_SINGLETON_SHARE * len(tally):
                continue  # nearly one value per item: names or codes, not an attribute
            categorical[name] = per_item
            multi[name] = any(len(v) > 1 for v in per_item.values())
            counts[name] = dict(tally)
        view = cls(titles, categorical, multi, counts, numeric, numbers)
        if interactions is not None:
            view._read_log(interactions, ids)
        else:
            view.stratum = popularity_strata({}, ids)
        return view

    def _read_log(self, interactions: pd.DataFrame, ids: list[str]) -> None:
        engaged = engaged_rows(interactions)["item_id"].astype(str).value_counts()
        known = set(ids)
        self.popularity = {i: int(c) for i, c in engaged.items() if i in known}
        self.stratum = popularity_strata(self.popularity, ids)
        liked = liked_rows(interactions)
        users = liked["user_id"].astype(str).tolist()
        items = liked["item_id"].astype(str).tolist()
        likers: dict[str, set[str]] = defaultdict(set)
        by_user: dict[str, list[str]] = defaultdict(list)
        for user, item in zip(users, items, strict=True):
            if item in known and user not in likers[item]:
                likers[item].add(user)
                by_user[user].append(item)
        self.likers = {i: frozenset(u) for i, u in likers.items()}
        self.liked = {u: tuple(i) for u, i in by_user.items()}

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.titles

    def values(self, item_id: str, attribute: str) -> tuple[str, ...]:
        """An item's values of a categorical attribute (ignored values dropped)."""
        return self.categorical.get(attribute, {}).get(item_id, ())

    def number(self, item_id: str, attribute: str) -> float | None:
        """An item's value of a numeric attribute, or None when missing."""
        return self.numbers.get(attribute, {}).get(item_id)

    def year_attribute(self) -> str | None:
        """The numeric attribute that is a year, if the catalog has one."""
        return next((a for a, f in self.numeric.items() if f.kind is NumericKind.YEAR), None)

    def target(self, item_id: str) -> Target:
        """The target profile of an item (KeyError for an unknown id)."""
        if item_id not in self.titles:
            raise KeyError(f"unknown item id {item_id!r}")
        categories = {a: self.values(item_id, a) for a in self.categorical}
        numbers = {a: self.number(item_id, a) for a in self.numeric}
        return Target(
            item_id=item_id,
            title=self.titles[item_id],
            categories={a: v for a, v in categories.items() if v},
            numbers={a: v for a, v in numbers.items() if v is not None},
            stratum=self.stratum.get(item_id, "tail"),
        )

    def describable(self, item_id: str) -> bool:
        """True when the item has at least one categorical value to open a conversation with."""
        return any(self.values(item_id, a) for a in self.categorical)

    def shared_values(self, a: str, b: str) -> int:
        """How many categorical values two items have in common."""
        return sum(
            len(set(self.values(a, attr)) & set(self.values(b, attr))) for attr in self.categorical
        )

    def taste_references(self, item_id: str, limit: int = 5) -> list[str]:
        """Items a person who wants `item_id` would plausibly name as a film they loved.

        The items most liked by the people who liked the target, weighted by how many
        attribute values they share with it (a taste reference is in the same vein); with no
        such people, the most popular items sharing the most values with the target.
        """
        co: Counter[str] = Counter()
        for user in self.likers.get(item_id, ()):
            co.update(self.liked.get(user, ()))
        co.pop(item_id, None)
        has_values = self.describable(item_id)
        scored = [
            (count * (1 + shared), self.popularity.get(other, 0), other)
            for other, count in co.items()
            if (shared := self.shared_values(item_id, other)) > 0 or not has_values
        ]
        if not scored:
            scored = [
                (self.shared_values(item_id, other), self.popularity.get(other, 0), other)
                for other in self.titles
                if other != item_id and self.popularity.get(other, 0) > 0
            ]
            scored = [s for s in scored if s[0] > 0]
        scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
        return [other for _, _, other in scored[:limit]]


__all__ = [
    "STRATA",
    "CatalogView",
    "NumericField",
    "NumericKind",
    "Target",
    "engaged_rows",
    "liked_rows",
    "numeric_kind",
    "popularity_strata",
]
