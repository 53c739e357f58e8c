"""The catalog in memory: ids, metadata arrays and the embedding matrix, for exact filtered search.

chroma's own metadata pre-filter costs 70-400 ms a query at 100k items; a boolean mask over
posting lists plus one matrix-vector product answers the same query in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from tools.catalog.filters import CategoryCondition, FieldInfo, FieldKind, ParsedFilters, value_key


class Snapshot:
    """All ids, metadata and embeddings of the collection in memory, for exact filtered search."""

    def __init__(
        self,
        ids: list[str],
        metadatas: list[dict[str, Any]],
        embeddings: np.ndarray,
        fields: Mapping[str, FieldInfo],
    ) -> None:
        self.ids = ids
        self.pos = {item_id: row for row, item_id in enumerate(ids)}
        self.metadatas = metadatas
        self.embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        self.numeric: dict[str, np.ndarray] = {}
        self.postings: dict[str, dict[str, np.ndarray]] = {}
        for name, info in fields.items():
            if info.kind is FieldKind.NUMERIC:
                column = np.full(len(ids), np.nan)
                for row, meta in enumerate(metadatas):
                    value = meta.get(name)
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        column[row] = float(value)
                self.numeric[name] = column
            else:
                rows_by_value: dict[str, list[int]] = {}
                key = value_key(name)
                for row, meta in enumerate(metadatas):
                    for value in meta.get(key) or ():
                        rows_by_value.setdefault(value, []).append(row)
                self.postings[name] = {
                    v: np.asarray(r, dtype=np.int64) for v, r in rows_by_value.items()
                }

    def __len__(self) -> int:
        return len(self.ids)

    def _rows(self, name: str, values: Iterable[str]) -> np.ndarray:
        mask = np.zeros(len(self.ids), dtype=bool)
        postings = self.postings.get(name, {})
        for value in values:
            rows = postings.get(value)
            if rows is not None:
                mask[rows] = True
        return mask

    def mask(self, filters: ParsedFilters) -> np.ndarray:
        """Boolean row mask of the items that pass every condition (chroma's semantics)."""
        mask = np.ones(len(self.ids), dtype=bool)
        for cond in filters.conditions:
            if isinstance(cond, CategoryCondition):
                if cond.any_of:
                    mask &= self._rows(cond.field, cond.any_of)
                for value in cond.all_of:
                    mask &= self._rows(cond.field, (value,))
                if cond.none_of:
                    mask &= ~self._rows(cond.field, cond.none_of)
            else:
                column = self.numeric.get(cond.field)
                if column is None:
                    return np.zeros(len(self.ids), dtype=bool)
                with np.errstate(invalid="ignore"):
                    if cond.one_of:
                        mask &= np.isin(column, np.asarray(cond.one_of, dtype=float))
                    if cond.low is not None:
                        mask &= (column > cond.low) if cond.low_strict else (column >= cond.low)
                    if cond.high is not None:
                        mask &= (column < cond.high) if cond.high_strict else (column <= cond.high)
        return mask

    def top_k(self, vector: np.ndarray, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """Exact cosine top-k among the rows where mask is True (all rows when None)."""
        if mask is None:
            scores = _dot(self.embeddings, vector)
            rows = np.arange(len(self.ids))
        else:
            rows = np.flatnonzero(mask)
            if rows.size == 0:
                return []
            if rows.size * 3 > len(self.ids):  # wide filter: one pass over the matrix is cheaper
                scores = _dot(self.embeddings, vector)[rows]
            else:
                scores = _dot(self.embeddings[rows], vector)
        k = min(k, rows.size)
        if k <= 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k] if k < rows.size else np.arange(rows.size)
        best = best[np.lexsort((rows[best], -scores[best]))]
        return [(int(rows[b]), float(scores[b])) for b in best]


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector on this thread, without BLAS: multi-threaded BLAS matrix-vector products
    stall on a busy machine (12 ms vs 2.6 ms for 12.5k x 384 measured here at load 4)."""
    return np.einsum("ij,j->i", matrix, vector.astype(matrix.dtype, copy=False))


def allowed_rows(
    snapshot: Snapshot, filters: ParsedFilters | None, excluded: set[str]
) -> np.ndarray:
    """Boolean mask of the snapshot rows that pass `filters` and are not in `excluded`."""
    mask = snapshot.mask(filters) if filters else np.ones(len(snapshot), dtype=bool)
    for item_id in excluded:
        row = snapshot.pos.get(item_id)
        if row is not None:
            mask[row] = False
    return mask
