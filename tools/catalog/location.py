"""Where a workspace's catalog is, as its manifest records it, written and read in one place.

The manifest's "catalog" entry is {"mode": "local", "collection": "items"} (the chroma folder
W/catalog) or {"mode": "remote", "url": ..., "collection": "whyrec-<name>-<hash>"} (a Chroma
server). `catalog_location` decides it at build time; `open_catalog` opens it afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.catalog.collection import Catalog
from tools.catalog.store import DEFAULT_COLLECTION

CATALOG_FOLDER = "catalog"


def catalog_location(
    target: Path, chroma_url: str | None, previous: Mapping[str, Any], update: bool
) -> dict[str, Any]:
    """The catalog entry for a workspace being built at `target` (`previous`: the old manifest).

    An update without a Chroma URL keeps a remote catalog where it was.
    """
    if chroma_url is None and previous.get("catalog", {}).get("mode") == "remote" and update:
        return dict(previous["catalog"])
    if chroma_url is None:
        return {"mode": "local", "collection": DEFAULT_COLLECTION}
    digest = hashlib.sha1(str(target.resolve()).encode()).hexdigest()[:10]
    slug = "".join(c if c.isalnum() else "-" for c in target.name)[:40].strip("-") or "ws"
    return {"mode": "remote", "url": chroma_url, "collection": f"whyrec-{slug}-{digest}"}


def open_catalog(root: Path, location: Mapping[str, Any] | None) -> Catalog:
    """The catalog a workspace folder's manifest entry points at (local W/catalog by default)."""
    location = location or {}
    if location.get("mode") == "remote":
        return Catalog.open(chroma_url=location["url"], collection=location["collection"])
    return Catalog.open(
        Path(root) / CATALOG_FOLDER, collection=location.get("collection", DEFAULT_COLLECTION)
    )
