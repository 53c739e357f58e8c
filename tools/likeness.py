"""How much an item is "like" another on the catalog's own attributes: shared values and era.

A taste reference ("something like Fargo", "fans of X will get it") names an item the user
wants more of. The ranker's collaborative part finds what people who chose it also chose;
this module adds what a person means by "like X" in any catalog: the same categorical values
(genres, cuisine, author: Jaccard overlap of the value sets) and nearby numbers (year, price,
pages: closeness on the attribute's typical spread). Every part is checkable against the
item table, so an explanation can cite it.

Built once per workspace (vectorised, so scoring the whole of a 100k-item catalog costs
milliseconds), cached like `tools.item_table`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tools.item_table import ItemTable, item_table, norm_value

if TYPE_CHECKING:
    from tools.protocols import Workspace

MAX_LONELY = (
    0.5  # a text column where more items than this share no value with any other is free text
)
MIN_SPREAD = 1e-9


@dataclass(frozen=True)
class _Categorical:
    """One categorical attribute: item positions per (normalised) value, values per item."""

    index: Mapping[str, np.ndarray]
    counts: np.ndarray  # how many values each item has


@dataclass(frozen=True)
class _Numeric:
    """One numeric attribute: values by item position (NaN when missing) and their spread."""

    values: np.ndarray
    spread: float


@dataclass(frozen=True)
class Likeness:
    """The catalog's attributes laid out for "like X" scores over many items at once."""

    table: ItemTable
    categorical: Mapping[str, _Categorical]
    numeric: Mapping[str, _Numeric]

    @classmethod
    def from_table(cls, table: ItemTable) -> Likeness:
        """Index the categorical and numeric attribute columns of an item table."""
        categorical: dict[str, _Categorical] = {}
        numeric: dict[str, _Numeric] = {}
        n = len(table.titles)
        for column in table.columns:
            series = table.frame[column]
            if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
                values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
                spread = _spread(values)
                if spread > MIN_SPREAD:
                    numeric[column] = _Numeric(values=values, spread=spread)
                continue
            positions: dict[str, list[int]] = {}
            counts = np.zeros(n, dtype=float)
            for row in range(n):
                values_here = {
                    norm_value(v) for v in table.values_of(table.frame.index[row], column)
                }
                counts[row] = len(values_here)
                for value in values_here:
                    positions.setdefault(value, []).append(row)
            index = {v: np.asarray(p, dtype=np.int64) for v, p in positions.items()}
            shared = np.zeros(n, dtype=bool)
            for rows in index.values():
                if len(rows) > 1:
                    shared[rows] = True
            if not index or (~shared).mean() > MAX_LONELY:
                continue  # free text, or an id-like column: nothing two items share
            categorical[column] = _Categorical(index=index, counts=counts)
        return cls(table=table, categorical=categorical, numeric=numeric)

    def scores(
        self,
        anchor: str,
        positions: np.ndarray,
        refused: Mapping[str, Collection[str]] | None = None,
    ) -> np.ndarray:
        """How like `anchor` each item (by table position) is, in [0, 1]: the mean of two
        halves, what kind of item it is (value overlap, Jaccard, averaged over the anchor's
        categorical attributes) and where it sits on the numbers (closeness, averaged over
        its numeric ones), so a catalog with many numeric columns does not drown its kinds.
        `refused`: values the user turned down per attribute; an attribute where the anchor
        has one of them makes X steer nothing (they liked it for something else than what
        it is)."""
        row = self.table.positions[anchor]
        halves: list[np.ndarray] = []
        kinds = [np.zeros(len(positions))]
        for column, cat in self.categorical.items():
            mine = {norm_value(v) for v in self.table.values_of(anchor, column)}
            turned_down = {norm_value(v) for v in (refused or {}).get(column, ())}
            if mine & turned_down:  # the user turned down what X is: X no longer steers
                return np.zeros(len(positions))
            if not mine:
                continue
            shared = np.zeros(len(cat.counts))
            for value in mine:
                shared[cat.index.get(value, np.empty(0, dtype=np.int64))] += 1.0
            inter = shared[positions]
            union = cat.counts[positions] + len(mine) - inter
            kinds.append(np.divide(inter, union, out=np.zeros(len(positions)), where=union > 0))
        if len(kinds) > 1:
            halves.append(np.sum(kinds, axis=0) / (len(kinds) - 1))
        places = [np.zeros(len(positions))]
        for num in self.numeric.values():
            mine_value = num.values[row]
            if np.isnan(mine_value):
                continue
            gap = np.abs(num.values[positions] - mine_value) / num.spread
            places.append(np.where(np.isnan(gap), 0.0, np.exp(-gap)))
        if len(places) > 1:
            halves.append(np.sum(places, axis=0) / (len(places) - 1))
        return np.mean(halves, axis=0) if halves else np.zeros(len(positions))

    def shared_with(self, anchor: str, item_id: str) -> dict[str, Any]:
        """What `item_id` shares with `anchor`, for an explanation: the categorical values
        they have in common per attribute, and numeric attributes within one typical spread
        of each other (attribute -> (the item's value, the anchor's value))."""
        out: dict[str, Any] = {}
        for column in self.categorical:
            mine = {norm_value(v): v for v in self.table.values_of(anchor, column)}
            theirs = [v for v in self.table.values_of(item_id, column) if norm_value(v) in mine]
            if theirs:
                out[column] = theirs
        for column, num in self.numeric.items():
            a = num.values[self.table.positions[anchor]]
            b = num.values[self.table.positions[item_id]]
            if not (np.isnan(a) or np.isnan(b)) and abs(a - b) <= num.spread:
                out[column] = (_plain(b), _plain(a))
        return out


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 2)


def _spread(values: np.ndarray) -> float:
    """A numeric attribute's typical spread: the mean absolute deviation from the median
    (robust to a long tail), or the standard deviation when most values coincide."""
    finite = values[np.isfinite(values)]
    if len(finite) < 2:
        return 0.0
    spread = float(np.mean(np.abs(finite - np.median(finite))))
    return spread if spread > MIN_SPREAD else float(np.std(finite))


_CACHE: weakref.WeakKeyDictionary[Any, Likeness] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def likeness(workspace: Workspace) -> Likeness:
    """The workspace's likeness index, built once per workspace object."""
    with _LOCK:
        cached = _CACHE.get(workspace)
    if cached is not None:
        return cached
    built = Likeness.from_table(item_table(workspace))
    with _LOCK:
        return _CACHE.setdefault(workspace, built)


def likeness_scores(
    workspace: Workspace,
    anchors: Sequence[str],
    item_ids: Sequence[str],
    refused: Mapping[str, Collection[str]] | None = None,
) -> np.ndarray:
    """How like the nearest of the anchors each item is, in [0, 1] (0 for unknown items);
    `refused` as in `Likeness.scores`."""
    index = likeness(workspace)
    positions = index.table.positions
    known = [a for a in dict.fromkeys(map(str, anchors)) if a in positions]
    out = np.zeros(len(item_ids))
    if not known or not len(item_ids):
        return out
    rows = np.array([positions.get(str(i), -1) for i in item_ids], dtype=np.int64)
    have = rows >= 0
    best = np.zeros(int(have.sum()))
    for anchor in known:
        best = np.maximum(best, index.scores(anchor, rows[have], refused))
    out[have] = best
    return out


def most_like(
    workspace: Workspace, anchors: Sequence[str], n: int, exclude: set[str] | None = None
) -> list[str]:
    """The `n` catalog items most like the anchors (the anchors themselves and `exclude` left
    out), best first; ties keep the catalog's order."""
    index = likeness(workspace)
    table = index.table
    known = [a for a in dict.fromkeys(map(str, anchors)) if a in table.positions]
    if not known or n < 1:
        return []
    every = np.arange(len(table.titles))
    best = np.zeros(len(every))
    for anchor in known:
        best = np.maximum(best, index.scores(anchor, every))
    gone = {*known, *(exclude or ())}
    for item_id in gone:
        at = table.positions.get(item_id)
        if at is not None:
            best[at] = -1.0
    take = min(n + len(gone), len(best))
    top = np.argpartition(-best, take - 1)[:take]
    top = top[np.argsort(-best[top], kind="stable")]
    ids = table.frame.index
    return [str(ids[i]) for i in top if best[i] > 0][:n]
