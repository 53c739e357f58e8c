"""The item catalog: a chromadb collection of item embeddings and metadata, searched by meaning.

Items (Dataset.items: item_id, title, description, attribute columns) are embedded with the
offline MiniLM model (tools.catalog.embedding) and stored in chroma, embedded on disk
(PersistentClient) or on a Chroma server (HttpClient, `chroma run`; tools.catalog.store).
Indexing upserts by item_id and keeps a content hash per item (tools.catalog.prepare), so a
rebuild embeds only what changed and deletes what disappeared. Search takes text or a vector,
friendly filters (tools.catalog.filters) and ids to exclude.

Query paths: an unfiltered search goes to chroma's HNSW index. A filtered search (or one that
excludes many ids) runs exactly on a local snapshot of the collection (tools.catalog.snapshot:
metadata arrays plus the embedding matrix, fetched once on first use and refreshed after this
object's own `index`), because chroma's own metadata pre-filter costs 70-400 ms a query at 100k
items; `local_filtering=False` sends filters to chroma as a `where` instead. A snapshot does not
see writes made by other processes: reopen the catalog after someone else re-indexes it.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tools.catalog.filters import (
    FieldInfo,
    FieldKind,
    FilterError,
    Filters,
    ParsedFilters,
    describe_fields,
    parse_filters,
)
from tools.catalog.prepare import HASH_KEY, prepare_items, public_metadata
from tools.catalog.records import CatalogError, Hit, IndexStats, ItemRecord, UnknownItemError
from tools.catalog.snapshot import Snapshot, allowed_rows
from tools.catalog.store import check_collection_name, close_client, connect

if TYPE_CHECKING:
    from tools.catalog.embedding import Embedder

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
        self.collection_name = check_collection_name(collection_name)
        self.location = location
        self.local_filtering = local_filtering
        self._embedder = embedder
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
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
        store = connect(path, chroma_url=chroma_url, collection=collection)
        try:
            return cls(
                store.client,
                store.collection,
                embedder=embedder,
                location=store.location,
                local_filtering=local_filtering,
            )
        except Exception:
            close_client(store.client)
            raise

    def close(self) -> None:
        """Release the chroma client (and the local snapshot); the object is unusable afterwards."""
        with self._lock:
            self._snapshot = None
            close_client(self._client)

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
            from tools.catalog.embedding import get_embedder

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
            public = public_metadata(meta, self._order)
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
        prepared = prepare_items(items, embedder.name)
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

    def _load_snapshot(self) -> Snapshot:
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
                self._snapshot = Snapshot(ids, metadatas, matrix, self._fields)
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
            rows = np.flatnonzero(allowed_rows(snapshot, filters, excluded))[:k]
            return [
                Hit(
                    snapshot.ids[row],
                    str(snapshot.metadatas[row].get("title", "")),
                    0.0,
                    public_metadata(snapshot.metadatas[row], self._order),
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
                        public_metadata(meta, self._order),
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
        rows = np.flatnonzero(allowed_rows(snapshot, filters, excluded))[:limit]
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
        mask = allowed_rows(snapshot, filters, excluded) if filters or excluded else None
        hits = []
        for row, score in snapshot.top_k(query, k, mask):
            meta = snapshot.metadatas[row]
            hits.append(
                Hit(
                    snapshot.ids[row],
                    str(meta.get("title", "")),
                    score,
                    public_metadata(meta, self._order),
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
                    public_metadata(meta, self._order),
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


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return int(k)


def _chunks(seq: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(seq), size):
        yield list(seq[start : start + size])
