"""A workspace's catalog location: decided at build time, opened from the manifest entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.catalog import catalog_location, open_catalog


def test_local_by_default(tmp_path: Path) -> None:
    assert catalog_location(tmp_path / "ws", None, {}, update=False) == {
        "mode": "local",
        "collection": "items",
    }


def test_remote_collection_is_named_after_the_folder(tmp_path: Path) -> None:
    a = catalog_location(tmp_path / "my ws", "http://127.0.0.1:8000", {}, update=False)
    b = catalog_location(tmp_path / "other", "http://127.0.0.1:8000", {}, update=False)
    assert a["mode"] == "remote" and a["url"] == "http://127.0.0.1:8000"
    assert a["collection"].startswith("whyrec-my-ws-") and a["collection"] != b["collection"]


def test_an_update_keeps_a_remote_catalog_where_it_was(tmp_path: Path) -> None:
    old = {"catalog": {"mode": "remote", "url": "http://h:1", "collection": "whyrec-x-1"}}
    assert catalog_location(tmp_path, None, old, update=True) == old["catalog"]
    assert catalog_location(tmp_path, None, old, update=False)["mode"] == "local"


def test_open_catalog_reads_the_manifest_entry(tmp_path: Path) -> None:
    catalog = open_catalog(tmp_path, {"mode": "local", "collection": "mine"})
    try:
        assert catalog.collection_name == "mine"
        assert Path(catalog.location) == tmp_path / "catalog"
    finally:
        catalog.close()
    default = open_catalog(tmp_path, None)
    try:
        assert default.collection_name == "items"
    finally:
        default.close()
    with pytest.raises(ValueError, match="http://HOST:PORT"):
        open_catalog(tmp_path, {"mode": "remote", "url": "ftp://x", "collection": "c"})
