"""Values the parser reads off one catalog object, computed once per object and reused.

Each turn needs things derived from the catalog (its item nouns, its value words, its title
keys in sorted order); deriving them again on every turn cost tens of milliseconds on a 100k
catalog. A leaf module, importing nothing from `agent`, so every parser module can keep such
values without an import cycle (`agent.nlu` -> `agent.nlu_taste` ->
`agent.nlu_partial_titles`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["PerObject"]

T = TypeVar("T")


class PerObject:
    """Values keyed by (object, name), kept while the object lives in the cache.

    An entry holds its object, so its id cannot be reused for another object meanwhile; it is
    made again when `stamp` differs from the one it was made with (a mapping's size, when the
    mapping may grow). At most about `limit` entries: past it the cache starts afresh (a
    process serves a handful of catalogs)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self._limit = limit
        self._values: dict[tuple[int, str], tuple[object, Hashable, Any]] = {}

    def get(self, owner: object, name: str, make: Callable[[], T], stamp: Hashable = None) -> T:
        """The value `make()` gave for `owner` under `name`, made now if missing or stale."""
        key = (id(owner), name)
        cached = self._values.get(key)
        if cached is None or cached[0] is not owner or cached[1] != stamp:
            if len(self._values) > self._limit:
                self._values.clear()
            cached = (owner, stamp, make())
            self._values[key] = cached
        return cached[2]
