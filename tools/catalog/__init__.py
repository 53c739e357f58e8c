"""The item catalog: items embedded offline and kept in chromadb, searched by meaning and filters.

collection  the Catalog (open, index, search, get)     prepare   items -> texts, metadata, hashes
filters     friendly filters, checked and evaluated    snapshot  exact filtered search in memory
store       chroma client on disk or on a server       records   hits, stored items, errors
embedding   the offline MiniLM text embedder           location  a workspace's catalog, by manifest
"""

from tools.catalog.collection import HNSW_CONFIG, Catalog
from tools.catalog.filters import FieldInfo, FieldKind, FilterError, Filters, describe_fields
from tools.catalog.location import catalog_location, open_catalog
from tools.catalog.prepare import item_text
from tools.catalog.records import CatalogError, Hit, IndexStats, ItemRecord, UnknownItemError
from tools.catalog.store import collection_name_for

__all__ = [
    "HNSW_CONFIG",
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
    "catalog_location",
    "collection_name_for",
    "describe_fields",
    "item_text",
    "open_catalog",
]
