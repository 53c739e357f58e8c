"""The item catalog: a chromadb collection of item embeddings and metadata, searched by meaning.

Items (Dataset.items: item_id, title, description, attribute columns) are embedded with the
offline MiniLM model (tools.embedding) and stored in chroma, embedded on disk
(PersistentClient) or on a Chroma server (HttpClient, `chroma run`). Indexing upserts by
item_id and keeps a content hash per item, so a rebuild embeds only what changed and deletes
what disappeared. Search takes text or a vector, friendly filters (tools.catalog_filters)
and ids to exclude.

Query paths: an unfiltered search goes to chroma's HNSW index. A filtered search (or one that
excludes many ids) runs exactly on a local snapshot of the collection (metadata arrays plus the
embedding matrix, fetched once on first use and refreshed after this object's own `index`),
because chroma's own metadata pre-filter costs 70-400 ms a query at 100k items;
`local_filtering=False` sends filters to chroma as a `where` instead. A snapshot does not see
writes made by other processes: reopen the catalog after someone else re-indexes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from causal.datasets.schema import DataError
from tools.catalog_filters import (
    MAX_TRACKED_VALUES,
    MULTI_VALUE_SEPARATOR,
    VALUE_KEY_PREFIX,
    CategoryCondition,
    FieldInfo,
    FieldKind,
    FilterError,
    Filters,
    ParsedFilters,
    describe_fields,
    normalize_value,
    parse_filters,
    split_values,
    value_key,
)

if TYPE_CHECKING:
    from tools.embedding import Embedder

__all__ = [
    "Catalog",
    "CatalogError",
    "FieldInfo",
    "FieldKind",
    "FilterError",
    "Filters",
    "Hit",
    "IndexStats",
    "ItemRecord",
    "UnknownItemError",
    "collection_name_for",
    "describe_fields",
    "item_text",
]

DEFAULT_COLLECTION = "items"
TEXT_COLUMNS = ("item_id", "title", "description")
HASH_KEY = "_hash"
SCHEMA_KEY = "whyrec_schema"
SCHEMA_VERSION = 1
# Query texts whose vectors are kept (the agent re-runs a query with other filters).
QUERY_CACHE_SIZE = 512
# Unfiltered searches that exclude more ids than this use the exact local path.
MAX_HNSW_EXCLUDE = 64
# HNSW graph: twice chroma's default links and build beam. Item texts cluster tightly
# (same genre, same wording), where the defaults (16, 100) found 87-93% of the true top 10
# at 100k synthetic items; this costs ~1.5% of the indexing time (embedding dominates).
HNSW_CONFIG: Mapping[str, Any] = MappingProxyType(
    {"space": "cosine", "ef_construction": 200, "max_neighbors": 32, "ef_search": 100}
)
_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")


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


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _format_number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def item_text(row: Mapping[str, Any]) -> str:
    """Text embedded for an item: title, description, then "name: value" attributes.

    Example: "Toy Story. A cowboy doll ... genres: Animation, Children's, Comedy; year: 1995".
    """
    title = "" if _is_missing(row.get("title")) else " ".join(str(row["title"]).split())
    description = (
        "" if _is_missing(row.get("description")) else " ".join(str(row["description"]).split())
    )
    parts: list[str] = []
    for name, value in row.items():
        if name in TEXT_COLUMNS or str(name).startswith("_") or _is_missing(value):
            continue
        if isinstance(value, bool | np.bool_):
            shown = "yes" if value else "no"
        elif isinstance(value, int | float | np.integer | np.floating):
            shown = _format_number(float(value))
        else:
            shown = ", ".join(split_values(value))
            if not shown:
                continue
        parts.append(f"{str(name).replace('_', ' ')}: {shown}")
    head = title
    if description:
        head = (
            f"{title}. {description}"
            if title and title[-1] not in ".!?"
            else f"{title} {description}"
        )
    attributes = "; ".join(parts)
    return f"{head.strip()} {attributes}".strip() if head.strip() else attributes


def collection_name_for(base: str, key: str | Path) -> str:
    """A chroma collection name unique to `key` (e.g. a workspace folder): "items-1a2b3c4d5e"."""
    text = str(Path(key).expanduser().resolve()) if isinstance(key, Path) else str(key)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=5).hexdigest()
    return f"{base}-{digest}"


def _check_collection_name(name: str) -> str:
    if not _COLLECTION_NAME.match(name) or ".." in name:
        raise ValueError(
            f"invalid collection name {name!r}: use 3-512 characters from letters, digits, "
            "'.', '_' and '-', starting and ending with a letter or digit"
        )
    return name


# ---------------------------------------------------------------------------- indexing input


@dataclass(frozen=True)
class _Prepared:
    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    hashes: list[str]
    fields: tuple[FieldInfo, ...]


def _column_kind(series: pd.Series) -> FieldKind:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return FieldKind.NUMERIC
    return FieldKind.CATEGORICAL


def _prepare(items: pd.DataFrame, embedder_name: str) -> _Prepared:
    """Validate the items frame; build per-item texts, chroma metadata, content hashes, schema."""
    if not isinstance(items, pd.DataFrame):
        raise TypeError(f"index() takes a pandas DataFrame of items, got {type(items).__name__}")
    for required in ("item_id", "title"):
        if required not in items.columns:
            raise DataError(f"items need a '{required}' column", file="items", column=required)
    for name in items.columns:
        if not isinstance(name, str) or not name.strip():
            raise DataError(f"column names must be non-empty strings, got {name!r}", file="items")
        if name.startswith("_"):
            raise DataError(
                "column names starting with '_' are reserved by the catalog",
                file="items",
                column=name,
            )
    ids_series = items["item_id"]
    if ids_series.isna().any():
        line = int(np.flatnonzero(ids_series.isna().to_numpy())[0]) + 2
        raise DataError("item_id is empty", file="items", line=line, column="item_id")
    ids = [str(v) for v in ids_series.tolist()]
    seen: dict[str, int] = {}
    for row, item_id in enumerate(ids):
        if not item_id.strip():
            raise DataError("item_id is empty", file="items", line=row + 2, column="item_id")
        if item_id in seen:
            raise DataError(
                f"duplicate item_id '{item_id}' (first on line {seen[item_id] + 2})",
                file="items",
                line=row + 2,
                column="item_id",
            )
        seen[item_id] = row

    n = len(ids)
    titles = ["" if _is_missing(v) else " ".join(str(v).split()) for v in items["title"].tolist()]
    if "description" in items.columns:
        descriptions = [
            "" if _is_missing(v) else " ".join(str(v).split())
            for v in items["description"].tolist()
        ]
    else:
        descriptions = [""] * n
    metadatas: list[dict[str, Any]] = [
        {"title": t, "description": d} if d else {"title": t}
        for t, d in zip(titles, descriptions, strict=True)
    ]
    text_rows: list[dict[str, Any]] = [
        {"title": t, "description": d} for t, d in zip(titles, descriptions, strict=True)
    ]
    fields: list[FieldInfo] = []
    for name in items.columns:
        if name in TEXT_COLUMNS:
            continue
        series = items[name]
        kind = _column_kind(series)
        if kind is FieldKind.NUMERIC:
            values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
            present = ~np.isnan(values)
            for row in np.flatnonzero(present):
                metadatas[row][name] = float(values[row])
                text_rows[row][name] = float(values[row])
            fields.append(
                FieldInfo(
                    name=name,
                    kind=kind,
                    min=float(values[present].min()) if present.any() else None,
                    max=float(values[present].max()) if present.any() else None,
                    n_missing=int((~present).sum()),
                )
            )
            continue
        raw = series.tolist()
        multi = any(
            isinstance(v, str) and MULTI_VALUE_SEPARATOR in v for v in raw if not _is_missing(v)
        )
        counts: Counter[str] = Counter()
        display: dict[str, str] = {}
        missing = 0
        for row, value in enumerate(raw):
            if _is_missing(value):
                missing += 1
                continue
            text = " ".join(str(value).split())
            parts = split_values(text) if multi else ([text] if text else [])
            if not parts:
                missing += 1
                continue
            keys = [normalize_value(p) for p in parts]
            for part, key in zip(parts, keys, strict=True):
                display.setdefault(key, part)
                counts[key] += 1
            metadatas[row][name] = text
            metadatas[row][value_key(name)] = list(dict.fromkeys(keys))
            text_rows[row][name] = text
        ordered = sorted(counts, key=lambda k: (-counts[k], display[k].casefold()))
        fields.append(
            FieldInfo(
                name=name,
                kind=kind,
                multi_valued=multi,
                n_values=len(ordered),
                values=tuple(display[k] for k in ordered[:MAX_TRACKED_VALUES]),
                n_missing=missing,
            )
        )
    texts = [item_text(r) for r in text_rows]
    hashes = []
    for text, meta in zip(texts, metadatas, strict=True):
        payload = (
            f"{embedder_name}\x1f{text}\x1f{json.dumps(meta, sort_keys=True, ensure_ascii=False)}"
        )
        hashes.append(hashlib.blake2b(payload.encode("utf-8"), digest_size=12).hexdigest())
    for meta, digest in zip(metadatas, hashes, strict=True):
        meta[HASH_KEY] = digest
    return _Prepared(ids, texts, metadatas, hashes, tuple(fields))


def _public_metadata(meta: Mapping[str, Any] | None, order: Sequence[str] = ()) -> dict[str, Any]:
    """Metadata as shown to callers: description then attributes (in column order), no internal keys."""
    if not meta:
        return {}
    out: dict[str, Any] = {}
    for key in ("description", *order):
        if key in meta:
            out[key] = meta[key]
    for key, value in meta.items():
        if (
            key not in out
            and key not in ("title", HASH_KEY)
            and not key.startswith(VALUE_KEY_PREFIX)
        ):
            out[key] = value
    return out


# ---------------------------------------------------------------------------- local snapshot


class _Snapshot:
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


# ---------------------------------------------------------------------------- the catalog


class Catalog:
    """A chroma-backed, searchable item catalog. Build with `Catalog.open(...)`."""

    def __init__(
        self,
        client: Any,
        collection_name: str,
        *,
        embedder: Embedder | None = None,
        location: str = "",
        local_filtering: bool = True,
    ) -> None:
        self._client = client
        self.collection_name = _check_collection_name(collection_name)
        self.location = location
        self.local_filtering = local_filtering
        self._embedder = embedder
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        try:
            self._collection = client.get_or_create_collection(
                self.collection_name,
                embedding_function=None,
                configuration={"hnsw": dict(HNSW_CONFIG)},
            )
        except Exception as exc:  # chroma raises many types; all mean "cannot use the store"
            raise CatalogError(
                f"cannot open collection '{collection_name}' at {location}: {exc}"
            ) from exc
        space = (self._collection.configuration or {}).get("hnsw", {}) or {}
        if space.get("space", "cosine") != "cosine":
            raise CatalogError(
                f"collection '{collection_name}' at {location} uses '{space.get('space')}' distance, "
                "not cosine; it was not made by this catalog: choose another collection name"
            )
        self._max_batch = int(client.get_max_batch_size())
        self._fields = self._read_fields()

    @property
    def _order(self) -> tuple[str, ...]:
        return tuple(self._fields)

    # -- opening and closing

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        chroma_url: str | None = None,
        collection: str | None = None,
        embedder: Embedder | None = None,
        local_filtering: bool = True,
    ) -> Catalog:
        """Open (creating if needed) a catalog: on disk at `path`, or on the Chroma server at `chroma_url`.

        With `chroma_url` (e.g. "http://127.0.0.1:8000", a server from `chroma run`), `path`
        only names the catalog: the collection becomes "items-<hash of path>" so different
        workspaces sharing one server do not clash; pass `collection` to choose the name
        yourself. The embedder loads on first use (get_embedder()) unless one is given.
        """
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False)
        if chroma_url is None:
            if path is None:
                raise ValueError(
                    "Catalog.open needs a folder (path) or a Chroma server (chroma_url)"
                )
            folder = Path(path).expanduser()
            if folder.exists() and not folder.is_dir():
                raise CatalogError(f"catalog path {folder} exists and is not a folder")
            folder.mkdir(parents=True, exist_ok=True)
            try:
                client = chromadb.PersistentClient(path=str(folder), settings=settings)
            except Exception as exc:
                raise CatalogError(f"cannot open the chroma store in {folder}: {exc}") from exc
            name = collection or DEFAULT_COLLECTION
            location = str(folder)
        else:
            parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise ValueError(f"chroma_url must look like http://HOST:PORT, got {chroma_url!r}")
            ssl = parsed.scheme == "https"
            port = parsed.port or (443 if ssl else 8000)
            try:
                client = chromadb.HttpClient(
                    host=parsed.hostname, port=port, ssl=ssl, settings=settings
                )
                client.heartbeat()
            except Exception as exc:
                raise CatalogError(
                    f"cannot reach the Chroma server at {chroma_url} ({exc}); start one with "
                    "`chroma run --path DIR --host 127.0.0.1 --port PORT` or drop --chroma-url"
                ) from exc
            if collection:
                name = collection
            elif path is not None:
                name = collection_name_for(DEFAULT_COLLECTION, Path(path))
            else:
                name = DEFAULT_COLLECTION
            location = chroma_url
        try:
            return cls(
                client, name, embedder=embedder, location=location, local_filtering=local_filtering
            )
        except Exception:
            _close_client(client)
            raise

    def close(self) -> None:
        """Release the chroma client (and the local snapshot); the object is unusable afterwards."""
        with self._lock:
            self._snapshot = None
            _close_client(self._client)

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Catalog(collection={self.collection_name!r}, location={self.location!r})"

    # -- schema

    @property
    def embedder(self) -> Embedder:
        """The text embedder (loaded on first use)."""
        if self._embedder is None:
            from tools.embedding import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def _read_fields(self) -> dict[str, FieldInfo]:
        meta = self._collection.metadata or {}
        raw = meta.get(SCHEMA_KEY)
        if not raw:
            return {}
        try:
            data = json.loads(raw)
            return {f["name"]: FieldInfo.from_dict(f) for f in data.get("fields", [])}
        except (ValueError, KeyError, TypeError) as exc:
            raise CatalogError(
                f"collection '{self.collection_name}' has an unreadable schema: {exc}"
            ) from exc

    def schema(self) -> dict[str, FieldInfo]:
        """Filterable fields by name: kind, values (categorical) or range (numeric)."""
        return dict(self._fields)

    def describe_schema(self, max_values: int = 25) -> str:
        """The filterable fields as prompt-ready lines."""
        return describe_fields(self._fields, max_values)

    def attribute_values(self, name: str) -> list[Any]:
        """Distinct values of a categorical field (most common first) or [min, max] of a numeric one."""
        info = self._field(name)
        if info.kind is FieldKind.NUMERIC:
            return [] if info.min is None or info.max is None else [info.min, info.max]
        return list(info.values)

    def _field(self, name: str) -> FieldInfo:
        if name in self._fields:
            return self._fields[name]
        for info in self._fields.values():
            if info.name.casefold() == str(name).casefold():
                return info
        valid = ", ".join(self._fields) or "(none)"
        raise FilterError(f"unknown field '{name}'; fields: {valid}")

    def parse_filters(self, where: Filters | ParsedFilters | None) -> ParsedFilters:
        """Check friendly filters against this catalog (raises FilterError)."""
        return parse_filters(where, self._fields)

    def chroma_where(self, where: Filters | ParsedFilters | None) -> dict[str, Any] | None:
        """The chroma `where` equivalent of friendly filters (None when empty)."""
        return self.parse_filters(where).to_chroma_where()

    # -- size and reading

    def __len__(self) -> int:
        return int(self._collection.count())

    def _pages(self, include: list[str], page: int | None = None) -> Iterator[dict[str, Any]]:
        size = page or min(self._max_batch, 5000)
        offset = 0
        while True:
            got = self._collection.get(include=include, limit=size, offset=offset)
            if not got["ids"]:
                return
            yield got
            if len(got["ids"]) < size:
                return
            offset += size

    def _get_many(self, item_ids: Sequence[str], include: list[str]) -> dict[str, tuple[Any, ...]]:
        ids = [str(i) for i in item_ids]
        found: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(ids), self._max_batch):
            chunk = list(dict.fromkeys(ids[start : start + self._max_batch]))
            got = self._collection.get(ids=chunk, include=include)
            columns = [got[c] for c in include]
            for row, item_id in enumerate(got["ids"]):
                found[item_id] = tuple(None if col is None else col[row] for col in columns)
        missing = [i for i in dict.fromkeys(ids) if i not in found]
        if missing:
            raise UnknownItemError(missing)
        return found

    def get(self, item_ids: Sequence[str]) -> list[ItemRecord]:
        """Items as stored, in the order asked; UnknownItemError when any id is not in the catalog."""
        if isinstance(item_ids, str):
            item_ids = [item_ids]
        found = self._get_many(item_ids, ["metadatas"])
        out = []
        for item_id in item_ids:
            meta = found[str(item_id)][0] or {}
            public = _public_metadata(meta, self._order)
            description = str(public.pop("description", ""))
            out.append(ItemRecord(str(item_id), str(meta.get("title", "")), description, public))
        return out

    def embeddings(self, item_ids: Sequence[str]) -> np.ndarray:
        """Stored unit vectors of the items, (n, dim) float32 in the order asked."""
        if isinstance(item_ids, str):
            item_ids = [item_ids]
        snapshot = self._snapshot
        if snapshot is not None and all(str(i) in snapshot.pos for i in item_ids):
            rows = [snapshot.pos[str(i)] for i in item_ids]
            return snapshot.embeddings[rows].copy()
        if not item_ids:
            return np.zeros((0, self._dim_hint()), dtype=np.float32)
        found = self._get_many(item_ids, ["embeddings"])
        return np.asarray([found[str(i)][0] for i in item_ids], dtype=np.float32)

    def _dim_hint(self) -> int:
        return self._embedder.dim if self._embedder is not None else 384

    def item_ids(self) -> list[str]:
        """Every item id in the catalog."""
        ids: list[str] = []
        for page in self._pages([]):
            ids.extend(page["ids"])
        return ids

    # -- indexing

    def index(
        self, items: pd.DataFrame, progress: bool = True, batch_size: int | None = None
    ) -> IndexStats:
        """Make the collection hold exactly `items`: embed new and changed ones, delete the gone.

        Unchanged items (same text, attributes and embedding model, by content hash) are not
        re-embedded, so a rebuild after a small edit is quick. `batch_size` is items per
        chroma write (capped at the server's maximum batch size).
        """
        from causal.progress import progress_bar

        start = time.perf_counter()
        embedder = self.embedder
        prepared = _prepare(items, embedder.name)
        with self._lock:
            existing: dict[str, tuple[str | None, set[str]]] = {}
            for page in self._pages(["metadatas"]):
                for item_id, meta in zip(page["ids"], page["metadatas"], strict=True):
                    meta = meta or {}
                    existing[item_id] = (meta.get(HASH_KEY), set(meta))
            new_rows: list[int] = []
            changed_rows: list[int] = []
            for row, item_id in enumerate(prepared.ids):
                old = existing.get(item_id)
                if old is None:
                    new_rows.append(row)
                elif old[0] != prepared.hashes[row]:
                    changed_rows.append(row)
            wanted = set(prepared.ids)
            removed = [item_id for item_id in existing if item_id not in wanted]
            for chunk in _chunks(removed, self._max_batch):
                self._collection.delete(ids=chunk)

            write = max(1, min(batch_size or 2048, self._max_batch))
            # Written in the frame's order: HNSW graphs built from length- or otherwise
            # correlated orders recall less (encode() sorts each chunk by length itself).
            todo = sorted([(r, False) for r in new_rows] + [(r, True) for r in changed_rows])
            with progress_bar(
                len(todo),
                "embedding items",
                unit="item",
                enabled=progress and bool(todo),
                dynamic_ncols=True,
            ) as bar:
                for chunk in _chunks(todo, write):
                    rows = [r for r, _ in chunk]
                    vectors = embedder.encode([prepared.texts[r] for r in rows], batch_size=64)
                    adds = [i for i, (_, upd) in enumerate(chunk) if not upd]
                    updates = [i for i, (_, upd) in enumerate(chunk) if upd]
                    if adds:
                        self._collection.add(
                            ids=[prepared.ids[rows[i]] for i in adds],
                            embeddings=vectors[adds],
                            metadatas=[prepared.metadatas[rows[i]] for i in adds],
                        )
                    if updates:
                        metas = []
                        for i in updates:
                            meta = dict(prepared.metadatas[rows[i]])
                            for stale in existing[prepared.ids[rows[i]]][1] - set(meta):
                                meta[stale] = None  # chroma merges metadata on upsert; None deletes
                            metas.append(meta)
                        self._collection.upsert(
                            ids=[prepared.ids[rows[i]] for i in updates],
                            embeddings=vectors[updates],
                            metadatas=metas,
                        )
                    bar.update(len(chunk))
            schema = {
                "version": SCHEMA_VERSION,
                "embedder": embedder.name,
                "dim": embedder.dim,
                "fields": [f.to_dict() for f in prepared.fields],
            }
            self._collection.modify(
                metadata={
                    SCHEMA_KEY: json.dumps(schema, ensure_ascii=False),
                    "embedder": embedder.name,
                }
            )
            self._fields = {f.name: f for f in prepared.fields}
            self._snapshot = None
        n_unchanged = len(prepared.ids) - len(new_rows) - len(changed_rows)
        return IndexStats(
            added=len(new_rows),
            updated=len(changed_rows),
            unchanged=n_unchanged,
            removed=len(removed),
            seconds=time.perf_counter() - start,
        )

    # -- searching

    def _load_snapshot(self) -> _Snapshot:
        with self._lock:
            if self._snapshot is None:
                ids: list[str] = []
                metadatas: list[dict[str, Any]] = []
                blocks: list[np.ndarray] = []
                for page in self._pages(["metadatas", "embeddings"]):
                    ids.extend(page["ids"])
                    metadatas.extend(m or {} for m in page["metadatas"])
                    blocks.append(np.asarray(page["embeddings"], dtype=np.float32))
                matrix = (
                    np.concatenate(blocks)
                    if blocks
                    else np.zeros((0, self._dim_hint()), np.float32)
                )
                self._snapshot = _Snapshot(ids, metadatas, matrix, self._fields)
            return self._snapshot

    def warm_up(self) -> None:
        """Load the embedder and the local snapshot now rather than on the first query."""
        self.embedder.encode(["warm up"])
        if self.local_filtering:
            self._load_snapshot()

    def search(
        self,
        text: str,
        k: int = 10,
        where: Filters | ParsedFilters | None = None,
        exclude: Collection[str] = (),
    ) -> list[Hit]:
        """Items closest in meaning to `text`, best first, passing `where` and not in `exclude`.

        An empty text lists items that pass the filters (score 0.0) in catalog order.
        """
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise ValueError(f"search text must be a string, got {type(text).__name__}")
        filters = self.parse_filters(where)  # fail on bad filters before spending on the embedding
        if not text.strip():
            return self.browse(k, filters, exclude)
        return self.search_vector(self.query_vector(text), k, filters, exclude)

    def query_vector(self, text: str) -> np.ndarray:
        """The unit vector of a query text; recent queries are cached (a conversation repeats them)."""
        key = " ".join(text.split())
        with self._lock:
            cached = self._query_cache.get(key)
            if cached is not None:
                self._query_cache.move_to_end(key)
                return cached
        vector = self.embedder.encode([key])[0]
        vector.flags.writeable = False
        with self._lock:
            self._query_cache[key] = vector
            while len(self._query_cache) > QUERY_CACHE_SIZE:
                self._query_cache.popitem(last=False)
        return vector

    def browse(
        self,
        k: int = 10,
        where: Filters | ParsedFilters | None = None,
        exclude: Collection[str] = (),
    ) -> list[Hit]:
        """The first k items (catalog order) that pass `where` and are not in `exclude`; score 0.0."""
        k = _check_k(k)
        filters = self.parse_filters(where)
        excluded = {str(e) for e in exclude} if exclude else set()
        if self.local_filtering:
            snapshot = self._load_snapshot()
            rows = np.flatnonzero(_allowed_rows(snapshot, filters, excluded))[:k]
            return [
                Hit(
                    snapshot.ids[row],
                    str(snapshot.metadatas[row].get("title", "")),
                    0.0,
                    _public_metadata(snapshot.metadatas[row], self._order),
                )
                for row in rows
            ]
        got = self._collection.get(
            where=filters.to_chroma_where(), limit=k + len(excluded), include=["metadatas"]
        )
        hits = []
        for item_id, meta in zip(got["ids"], got["metadatas"], strict=True):
            if item_id not in excluded:
                meta = meta or {}
                hits.append(
                    Hit(
                        item_id,
                        str(meta.get("title", "")),
                        0.0,
                        _public_metadata(meta, self._order),
                    )
                )
        return hits[:k]

    def filter_ids(
        self,
        limit: int,
        where: Filters | ParsedFilters | None = None,
        exclude: Collection[str] = (),
    ) -> list[str]:
        """Ids of up to `limit` items (catalog order) that pass `where`, not in `exclude`.

        Ids only: a recommender that re-ranks thousands of filtered items needs no metadata.
        """
        limit = _check_k(limit)
        filters = self.parse_filters(where)
        excluded = {str(e) for e in exclude} if exclude else set()
        if not self.local_filtering:
            return [h.item_id for h in self.browse(limit, filters, excluded)]
        snapshot = self._load_snapshot()
        rows = np.flatnonzero(_allowed_rows(snapshot, filters, excluded))[:limit]
        return [snapshot.ids[row] for row in rows]

    def search_vector(
        self,
        vector: Sequence[float] | np.ndarray,
        k: int = 10,
        where: Filters | ParsedFilters | None = None,
        exclude: Collection[str] = (),
    ) -> list[Hit]:
        """Items closest to a query vector (cosine), best first, passing `where`, not in `exclude`."""
        k = _check_k(k)
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(query))
        if not math.isfinite(norm) or norm == 0.0:
            raise ValueError("query vector must be finite and non-zero")
        query = query / norm
        filters = self.parse_filters(where)
        excluded = {str(e) for e in exclude} if exclude else set()
        if (filters or len(excluded) > MAX_HNSW_EXCLUDE) and self.local_filtering:
            return self._search_local(query, k, filters, excluded)
        return self._search_chroma(query, k, filters, excluded)

    def _search_local(
        self, query: np.ndarray, k: int, filters: ParsedFilters, excluded: set[str]
    ) -> list[Hit]:
        snapshot = self._load_snapshot()
        if len(snapshot) == 0:
            return []
        if query.shape[0] != snapshot.embeddings.shape[1]:
            raise ValueError(
                f"query vector has {query.shape[0]} dimensions, the catalog {snapshot.embeddings.shape[1]}"
            )
        mask = _allowed_rows(snapshot, filters, excluded) if filters or excluded else None
        hits = []
        for row, score in snapshot.top_k(query, k, mask):
            meta = snapshot.metadatas[row]
            hits.append(
                Hit(
                    snapshot.ids[row],
                    str(meta.get("title", "")),
                    score,
                    _public_metadata(meta, self._order),
                )
            )
        return hits

    def _search_chroma(
        self, query: np.ndarray, k: int, filters: ParsedFilters, excluded: set[str]
    ) -> list[Hit]:
        where = filters.to_chroma_where()
        n_results = k + len(excluded)
        try:
            got = self._collection.query(
                query_embeddings=query[None, :],
                n_results=n_results,
                where=where,
                include=["metadatas", "distances"],
            )
        except Exception as exc:
            if "dimension" in str(exc).lower():
                raise ValueError(f"query vector does not match the catalog: {exc}") from exc
            raise
        hits = []
        for item_id, meta, distance in zip(
            got["ids"][0], got["metadatas"][0], got["distances"][0], strict=True
        ):
            if item_id in excluded:
                continue
            meta = meta or {}
            hits.append(
                Hit(
                    item_id,
                    str(meta.get("title", "")),
                    1.0 - float(distance),
                    _public_metadata(meta, self._order),
                )
            )
            if len(hits) == k:
                break
        return hits

    def similar(
        self, item_id: str, k: int = 10, where: Filters | ParsedFilters | None = None
    ) -> list[Hit]:
        """Items closest in meaning to a catalog item (the item itself excluded)."""
        vector = self.embeddings([str(item_id)])[0]
        return self.search_vector(vector, k, where, exclude={str(item_id)})


def _allowed_rows(snapshot: Any, filters: ParsedFilters | None, excluded: set[str]) -> np.ndarray:
    """Boolean mask of the snapshot rows that pass `filters` and are not in `excluded`."""
    mask = snapshot.mask(filters) if filters else np.ones(len(snapshot), dtype=bool)
    for item_id in excluded:
        row = snapshot.pos.get(item_id)
        if row is not None:
            mask[row] = False
    return mask


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return int(k)


def _chunks(seq: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(seq), size):
        yield list(seq[start : start + size])


def _close_client(client: Any) -> None:
    close = getattr(client, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):  # best effort; nothing useful to do on failure
            close()
