"""tools.likeness: "like X" on the catalog's own attributes (shared values, nearby numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.item_table import ItemTable
from tools.likeness import Likeness


def _index() -> Likeness:
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c", "d", "e"],
            "title": ["A", "B", "C", "D", "E"],
            "description": ["one", "two", "three", "four", "five"],
            "genres": ["Crime|Drama", "Crime|Drama", "Crime", "Comedy", "Drama|Crime|War"],
            "year": [1995.0, 1996.0, 1995.0, 1995.0, 1950.0],
        }
    )
    return Likeness.from_table(ItemTable.from_items(items))


def test_shared_values_and_era_order_the_items():
    index = _index()
    assert set(index.categorical) == {"genres"} and set(index.numeric) == {"year"}
    scores = index.scores("a", np.arange(5))
    assert scores[0] == max(scores) == 1.0  # an item is fully like itself
    # b: same genres, one year apart; c: half the genres, same year; d: no genre shared
    assert scores[1] > scores[2] > scores[3]
    # e shares both genres (plus one more) but is 45 years older: less like a than b
    assert scores[4] < scores[1]
    assert np.all((scores >= 0) & (scores <= 1))


def test_shared_with_names_only_what_is_true():
    index = _index()
    assert index.shared_with("a", "b") == {"genres": ["Crime", "Drama"], "year": (1996, 1995)}
    assert index.shared_with("a", "d") == {"year": (1995, 1995)}
    assert "year" not in index.shared_with("a", "e")  # 45 years is not "the same era"


def test_free_text_and_constant_columns_are_left_out():
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(6)],
            "title": [f"T{i}" for i in range(6)],
            "isbn": [f"978-{i}" for i in range(6)],  # unique per item: nothing to share
            "format": ["paper"] * 6,
            "pages": [100.0] * 6,  # no spread: says nothing about likeness
        }
    )
    index = Likeness.from_table(ItemTable.from_items(items))
    assert "isbn" not in index.categorical and "pages" not in index.numeric
    assert "format" in index.categorical


def test_a_turned_down_value_of_the_reference_stops_it_steering():
    """'Like E', then 'no war films': E (a war film) was liked for something else."""
    index = _index()
    every = np.arange(5)
    assert index.scores("e", every).any()
    assert not index.scores("e", every, {"genres": ["war"]}).any()  # case-blind, like filters
    untouched = index.scores("a", every, {"genres": ["War"]})  # a has no war: still steers
    assert np.array_equal(untouched, index.scores("a", every))
