"""Where a catalog lives: a chroma store on disk or a Chroma server, and its collection's name.

`connect` makes the chroma client (PersistentClient for a folder, HttpClient for a server,
checked with a heartbeat) and picks the collection name; it is the only place that parses a
Chroma URL. chromadb is imported here on first use, never at import time.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tools.catalog.records import CatalogError

DEFAULT_COLLECTION = "items"
_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")


@dataclass(frozen=True)
class StoreConnection:
    """An open chroma client, the collection to use in it, and where it is (for messages)."""

    client: Any
    collection: str
    location: str


def collection_name_for(base: str, key: str | Path) -> str:
    """A chroma collection name unique to `key` (e.g. a workspace folder): "items-1a2b3c4d5e"."""
    text = str(Path(key).expanduser().resolve()) if isinstance(key, Path) else str(key)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=5).hexdigest()
    return f"{base}-{digest}"


def check_collection_name(name: str) -> str:
    """The name if chroma accepts it, else a ValueError saying what a name may hold."""
    if not _COLLECTION_NAME.match(name) or ".." in name:
        raise ValueError(
            f"invalid collection name {name!r}: use 3-512 characters from letters, digits, "
            "'.', '_' and '-', starting and ending with a letter or digit"
        )
    return name


def connect(
    path: Path | str | None = None,
    *,
    chroma_url: str | None = None,
    collection: str | None = None,
) -> StoreConnection:
    """A chroma client on disk at `path`, or on the Chroma server at `chroma_url`.

    With `chroma_url`, `path` only names the catalog: the collection becomes
    "items-<hash of path>" unless `collection` is given.
    """
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url is None:
        if path is None:
            raise ValueError("Catalog.open needs a folder (path) or a Chroma server (chroma_url)")
        folder = Path(path).expanduser()
        if folder.exists() and not folder.is_dir():
            raise CatalogError(f"catalog path {folder} exists and is not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        try:
            client = chromadb.PersistentClient(path=str(folder), settings=settings)
        except Exception as exc:
            raise CatalogError(f"cannot open the chroma store in {folder}: {exc}") from exc
        return StoreConnection(client, collection or DEFAULT_COLLECTION, str(folder))
    parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"chroma_url must look like http://HOST:PORT, got {chroma_url!r}")
    ssl = parsed.scheme == "https"
    port = parsed.port or (443 if ssl else 8000)
    try:
        client = chromadb.HttpClient(host=parsed.hostname, port=port, ssl=ssl, settings=settings)
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
    return StoreConnection(client, name, chroma_url)


def close_client(client: Any) -> None:
    """Close a chroma client if it can be closed (best effort)."""
    close = getattr(client, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):  # best effort; nothing useful to do on failure
            close()
