"""The workspace's items indexed for tools: attribute lookups by item id, and cached query vectors.

Built once per workspace object (a weak reference keys the cache, so a closed workspace's
table goes with it); the tools, explanations and counterfactual reasons all read it.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tools.catalog.filters import normalize_value, split_values
from tools.schemas import AttributeFilter, AttributeValue, ToolError

if TYPE_CHECKING:
    from tools.catalog import Catalog
    from tools.protocols import Workspace


@lru_cache(maxsize=65536)
def _split_cached(value: str) -> tuple[str, ...]:
    return tuple(split_values(value))


@lru_cache(maxsize=65536)
def norm_value(value: str) -> str:
    """A categorical value's comparison key, as the catalog compares them (cached)."""
    return normalize_value(value)


def _clean(value: Any) -> AttributeValue:
    """A cell as a plain Python value: None when missing, int when whole, floats to 2 places."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return None
    if isinstance(value, float | np.floating):
        return int(value) if float(value).is_integer() else round(float(value), 2)
    if isinstance(value, np.integer | int) and not isinstance(value, bool):
        return int(value)
    return str(value)


@dataclass(frozen=True)
class ItemTable:
    """The workspace's items indexed for tools: fast attribute lookups by item id."""

    frame: pd.DataFrame  # indexed by item_id
    positions: Mapping[str, int]
    titles: tuple[str, ...]
    columns: tuple[str, ...]  # attribute columns (not id, title, description)
    cells: Mapping[str, tuple[AttributeValue, ...]]  # column -> cleaned values by position

    @classmethod
    def from_items(cls, items: pd.DataFrame) -> ItemTable:
        """Index an item table in the data contract."""
        frame = items.copy()
        frame["item_id"] = frame["item_id"].astype(str)
        frame = frame.set_index("item_id", drop=False)
        columns = tuple(c for c in frame.columns if c not in ("item_id", "title", "description"))
        return cls(
            frame=frame,
            positions={item_id: n for n, item_id in enumerate(frame.index)},
            titles=tuple(frame["title"].astype(str)),
            columns=columns,
            cells={c: tuple(_clean(v) for v in frame[c].tolist()) for c in columns},
        )

    def has(self, item_id: str) -> bool:
        """True for a known item id."""
        return item_id in self.positions

    def title(self, item_id: str) -> str:
        """An item's title."""
        return self.titles[self.positions[item_id]]

    def value(self, item_id: str, attribute: str) -> AttributeValue:
        """One attribute of an item (None when missing)."""
        return self.cells[attribute][self.positions[item_id]]

    def attributes_of(self, item_id: str) -> dict[str, AttributeValue]:
        """An item's attributes (numbers as int where whole, missing as None)."""
        row = self.positions[item_id]
        return {c: self.cells[c][row] for c in self.columns}

    def values_of(self, item_id: str, attribute: str) -> list[str]:
        """The categorical values an item has for an attribute ("A|B" split)."""
        value = self.value(item_id, attribute)
        return [] if value is None else list(_split_cached(str(value)))

    def require(self, item_id: str) -> str:
        """The id if known (or a unique title prefix), else a ToolError with a hint."""
        item_id = str(item_id).strip()
        if self.has(item_id):
            return item_id
        lowered = item_id.lower()
        by_title = self.frame.index[self.frame["title"].str.lower().str.startswith(lowered)]
        if lowered and len(by_title) == 1:
            return str(by_title[0])
        raise ToolError(
            f"unknown item id {item_id!r}",
            "use an item_id from a search_items or recommend result",
        )

    def matched(self, item_id: str, filters: Sequence[AttributeFilter]) -> list[str]:
        """The wanted values an item has, as 'attribute=value' (for ranking and explanations)."""
        out = []
        for f in filters:
            wanted = [*(f.all_of or []), *(f.any_of or [])]
            if wanted and f.attribute in self.cells:
                have = {norm_value(v) for v in self.values_of(item_id, f.attribute)}
                out += [f"{f.attribute}={v}" for v in wanted if norm_value(v) in have]
        return out


_TABLES: weakref.WeakKeyDictionary[Any, ItemTable] = weakref.WeakKeyDictionary()
_TABLES_LOCK = threading.Lock()
_QUERY_CACHE_SIZE = 256
_QUERY_VECTORS: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()


def query_vector(catalog: Catalog, text: str) -> np.ndarray:
    """The embedding of a query text, cached: a wish is searched and explained many times."""
    key = (id(catalog), text)
    with _TABLES_LOCK:
        cached = _QUERY_VECTORS.get(key)
        if cached is not None:
            _QUERY_VECTORS.move_to_end(key)
            return cached
    vector = catalog.embedder.encode([text])[0]
    with _TABLES_LOCK:
        _QUERY_VECTORS[key] = vector
        while len(_QUERY_VECTORS) > _QUERY_CACHE_SIZE:
            _QUERY_VECTORS.popitem(last=False)
    return vector


def item_table(workspace: Workspace) -> ItemTable:
    """The workspace's item table, built once per workspace object."""
    with _TABLES_LOCK:
        table = _TABLES.get(workspace)
        if table is None:
            table = ItemTable.from_items(workspace.dataset.items)
            _TABLES[workspace] = table
        return table
