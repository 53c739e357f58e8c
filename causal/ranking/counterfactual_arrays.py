"""Array helpers of the counterfactual search (causal.ranking.counterfactual): candidate positions,
id lookups, per-item norms for the rank bound, the taste profile, row products."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from causal.ranking.model import Ranker


class Positions:
    """Item index -> place in the candidate array, backed by an array (no per-item dict)."""

    def __init__(self, universe: np.ndarray, n_items: int) -> None:
        self._at = np.full(n_items, -1, dtype=np.int64)
        self._at[universe] = np.arange(len(universe))

    def get(self, item: int) -> int:
        return int(self._at[item]) if 0 <= item < len(self._at) else -1

    def __getitem__(self, item: int) -> int:
        at = self.get(item)
        if at < 0:
            raise KeyError(item)
        return at

    def __contains__(self, item: object) -> bool:
        return isinstance(item, int | np.integer) and self.get(int(item)) >= 0


SMALL_LOOKUP = 2000  # ids up to this many are looked up one by one
_ITEM_LOOKUP: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def indices_of(ranker: Ranker, ids: Sequence[str]) -> np.ndarray:
    """Ranker indices of the known ids, first occurrences in order (one hashed lookup, not a
    Python loop over tens of thousands of filtered candidates)."""
    if len(ids) <= SMALL_LOOKUP:  # a query's few hundred hits: dict lookups beat pandas
        index = ranker.item_index
        seen: dict[int, None] = {}
        for i in ids:
            at = index.get(i if type(i) is str else str(i), -1)
            if at >= 0:
                seen.setdefault(at, None)
        return np.fromiter(seen, dtype=np.int64, count=len(seen))
    import pandas as pd

    lookup = _ITEM_LOOKUP.get(ranker)
    if lookup is None:
        lookup = pd.Index(list(ranker.item_ids))
        _ITEM_LOOKUP[ranker] = lookup
    codes = np.asarray(lookup.get_indexer([str(i) for i in ids]), dtype=np.int64)
    codes = codes[codes >= 0]
    _, first = np.unique(codes, return_index=True)
    return codes[np.sort(first)]


_NORMS: weakref.WeakKeyDictionary[Any, tuple[np.ndarray, np.ndarray]] = weakref.WeakKeyDictionary()


def item_norms(ranker: Ranker) -> tuple[np.ndarray, np.ndarray]:
    """|q_x| (choice target vectors) and |(item_vec_x, 1)| per item, computed once per ranker."""
    cached = _NORMS.get(ranker)
    if cached is None:
        q = (
            np.linalg.norm(ranker.choice.target_vec, axis=1)
            if ranker.choice is not None
            else np.zeros(ranker.n_items)
        )
        z = np.sqrt(np.sum(ranker.params.item_vec**2, axis=1) + 1.0)
        cached = (q, z)
        _NORMS[ranker] = cached
    return cached


def dot_rows(matrix: np.ndarray, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix[rows] @ vector, without copying the rows when they are most of the matrix."""
    if 4 * len(rows) >= len(matrix):
        return (matrix @ vector)[rows]
    return matrix[rows] @ vector
