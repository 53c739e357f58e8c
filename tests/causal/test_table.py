"""The analysis table: joins, derived variables, kinds, selection and discretisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causal.datasets import Frame, Kind, Level, build_analysis_table, table_from_frame
from causal.datasets.csv_folder import frames_to_dataset
from causal.datasets.synthetic import SyntheticConfig, make_world


@pytest.fixture(scope="module")
def world():
    return make_world(SyntheticConfig(seed=2, n_users=150, n_items=120, n_interactions=5000))


def test_rows_join_attributes_and_keep_column_names(world) -> None:
    table = build_analysis_table(world.dataset)
    assert len(table.rows) == len(world.dataset.interactions)
    assert len(table.random_rows) == len(world.dataset.random_exposure)
    for name in (
        "age_group",
        "genre",
        "price",
        "quality",
        "promoted",
        "popularity",
        "position",
        "clicked",
        "rating",
    ):
        assert name in table.variables
        assert name in table.rows.columns
    # One row per user / item at their own level.
    assert len(table.users) == len(world.dataset.users)
    assert len(table.items) == len(world.dataset.items)
    assert table.spec("age_group").level is Level.USER
    assert table.spec("genre").level is Level.ITEM
    assert table.spec("clicked").level is Level.INTERACTION
    # A row's joined attributes agree with the item table.
    row = table.rows.iloc[7]
    item = world.dataset.items.set_index("item_id").loc[row["item_id"]]
    assert row["genre"] == item["genre"] and row["price"] == pytest.approx(item["price"])


def test_derived_variables_and_kinds(world) -> None:
    table = build_analysis_table(world.dataset)
    pop = table.spec("item_popularity")
    assert pop.derived and pop.level is Level.ITEM and pop.tier == 1
    counts = world.dataset.interactions["item_id"].value_counts()
    items = table.items.set_index("item_id")
    busiest, quietest = counts.index[0], counts.index[-1]
    assert items.loc[busiest, "item_popularity"] > items.loc[quietest, "item_popularity"]
    assert table.spec("user_activity").level is Level.USER
    assert table.spec("clicked").kind is Kind.BINARY
    assert table.spec("quality").kind is Kind.ORDINAL
    assert table.spec("price").kind is Kind.CONTINUOUS
    assert len(table.spec("price").labels) == 5
    assert table.spec("genre").kind is Kind.CATEGORICAL
    assert not table.spec("timestamp").discoverable
    assert not table.spec("exposed").discoverable  # always 1 in this log


def test_selection_is_detected(world) -> None:
    table = build_analysis_table(world.dataset)
    assert table.spec("rating").selected_by == "clicked"
    assert table.selected() == {"rating": "clicked"}
    codes = table.codes(Frame.ROWS)
    unclicked = table.rows["clicked"].to_numpy() == 0
    assert (codes["rating"].to_numpy()[unclicked] == -1).all()
    assert (table.codes(Frame.RANDOM)["rating"].to_numpy() >= 0).all()


def test_multilabel_rare_levels_and_identifiers() -> None:
    rng = np.random.default_rng(0)
    n_items = 60
    genres = ["Action|Comedy", "Drama", "Comedy|Romance", "Horror"]
    items = pd.DataFrame(
        {
            "item_id": [f"i{k}" for k in range(n_items)],
            "title": [f"t{k}" for k in range(n_items)],
            "genres": [genres[k % 4] for k in range(n_items)],
            "studio": [f"s{k % 15}" for k in range(n_items)],
        }
    )
    users = pd.DataFrame(
        {"user_id": [f"u{k}" for k in range(40)], "zip": [f"z{10000 + k}" for k in range(40)]}
    )
    inter = pd.DataFrame(
        {
            "user_id": [f"u{k}" for k in rng.integers(0, 40, 500)],
            "item_id": [f"i{k}" for k in rng.integers(0, n_items, 500)],
            "rating": rng.integers(1, 6, 500).astype(float),
        }
    )
    table = build_analysis_table(frames_to_dataset("toy", items, users, inter))
    genres_spec = table.spec("genres")
    assert genres_spec.kind is Kind.MULTILABEL
    assert set(genres_spec.labels) == {"Action", "Comedy", "Drama", "Horror"}
    studio = table.spec("studio")
    assert studio.n_levels == 12 and "other" in studio.labels
    assert not table.spec("zip").discoverable  # one value per user: identifier-like


def test_table_from_frame_and_resample() -> None:
    frame = pd.DataFrame({"a": ["x", "y"] * 50, "b": list(range(100))})
    table = table_from_frame(frame, tiers={"a": 0, "b": 1})
    assert table.spec("a").tier == 0 and table.spec("b").kind is Kind.CONTINUOUS
    sub = table.resample(np.random.default_rng(1))
    assert len(sub.rows) == 80 and sub.rows["b"].is_unique  # 80% without replacement
    assert (sub.codes("rows")["a"].to_numpy() == (sub.rows["a"] == "y").to_numpy()).all()
    boot = table.resample(np.random.default_rng(1), fraction=None)
    assert len(boot.rows) == len(table.rows) and not boot.rows["b"].is_unique
    with pytest.raises(ValueError):
        table_from_frame(pd.DataFrame())
