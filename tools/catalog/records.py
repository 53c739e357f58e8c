"""What the catalog hands back (hits, stored items, index statistics) and its two errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class CatalogError(RuntimeError):
    """The catalog store cannot be used (server unreachable, incompatible collection)."""


class UnknownItemError(KeyError):
    """Item ids that are not in the catalog (the message lists a few, never all)."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        shown = ", ".join(repr(m) for m in self.missing[:5])
        more = f" and {len(self.missing) - 5} more" if len(self.missing) > 5 else ""
        noun = "item id" if len(self.missing) == 1 else "item ids"
        self.message = f"unknown {noun} {shown}{more}: not in the catalog"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Hit:
    """One search result: cosine similarity `score` (higher is closer) and the item's metadata."""

    item_id: str
    title: str
    score: float
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemRecord:
    """An item as stored: title, description and attribute values as given."""

    item_id: str
    title: str
    description: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexStats:
    """What an `index` call changed."""

    added: int
    updated: int
    unchanged: int
    removed: int
    seconds: float
