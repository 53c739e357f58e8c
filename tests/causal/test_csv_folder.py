"""The data contract: a valid folder loads with fixed dtypes; every bad input names file, line, column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from causal.datasets.csv_folder import frames_to_dataset, load_csv_folder, write_dataset
from causal.datasets.schema import DataError, Role
from causal.datasets.schema_toml import parse_schema_toml, schema_to_toml


def test_valid_folder_loads_with_contract_dtypes(tiny_dataset_dir: Path) -> None:
    data = load_csv_folder(tiny_dataset_dir)
    assert data.name == "tiny"
    assert list(data.items["item_id"]) == ["i1", "i2", "i3", "i4", "i5"]
    assert data.items["price"].dtype == float
    assert data.item_attributes == ["category", "price"]
    assert data.user_attributes == ["age_group"]
    inter = data.interactions
    assert inter["rating"].isna().sum() == 2
    assert inter["clicked"].tolist() == [1, 0, 1, 1, 1, 0]
    assert inter["timestamp"].iloc[0] == 1_600_000_000
    assert data.random_exposure is None
    roles = data.schema.roles()
    assert roles["category"] is Role.ITEM_ATTRIBUTE
    assert roles["clicked"] is Role.OUTCOME
    assert data.schema.tiers()["rating"] > data.schema.tiers()["clicked"]


def test_ids_stay_strings(tmp_path: Path, tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "items.csv").write_text(
        "item_id,title\n007,Bond\n7,Seven\n", encoding="utf-8"
    )
    (tiny_dataset_dir / "interactions.csv").write_text(
        "user_id,item_id\nu1,007\nu2,7\n", encoding="utf-8"
    )
    data = load_csv_folder(tiny_dataset_dir)
    assert list(data.items["item_id"]) == ["007", "7"]
    assert list(data.interactions["item_id"]) == ["007", "7"]


def test_iso_timestamps_and_boolean_words(tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "interactions.csv").write_text(
        "user_id,item_id,timestamp,clicked\nu1,i1,2020-01-01,true\nu2,i2,2020-01-02T12:00:00Z,no\n",
        encoding="utf-8",
    )
    inter = load_csv_folder(tiny_dataset_dir).interactions
    assert inter["timestamp"].tolist() == [1577836800, 1577966400]
    assert inter["clicked"].tolist() == [1, 0]


def _expect_error(folder: Path, file: str, line: int | None, column: str | None) -> DataError:
    with pytest.raises(DataError) as info:
        load_csv_folder(folder)
    err = info.value
    assert err.file == file
    assert err.line == line
    assert err.column == column
    assert file in str(err)
    return err


def test_missing_file(tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "users.csv").unlink()
    err = _expect_error(tiny_dataset_dir, "users.csv", None, None)
    assert "missing file" in err.message


def test_missing_column(tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "items.csv").write_text("item_id,name\ni1,x\n", encoding="utf-8")
    err = _expect_error(tiny_dataset_dir, "items.csv", 1, "title")
    assert "missing required column 'title'" in err.message


def test_non_numeric_rating(tiny_dataset_dir: Path) -> None:
    text = "user_id,item_id,rating\nu1,i1,4\nu2,i2,\nu3,i3,great\n"
    (tiny_dataset_dir / "interactions.csv").write_text(text, encoding="utf-8")
    err = _expect_error(tiny_dataset_dir, "interactions.csv", 4, "rating")
    assert "'great'" in err.message


def test_duplicate_item_id(tiny_dataset_dir: Path) -> None:
    text = "item_id,title\ni1,A\ni2,B\ni1,C\n"
    (tiny_dataset_dir / "items.csv").write_text(text, encoding="utf-8")
    err = _expect_error(tiny_dataset_dir, "items.csv", 4, "item_id")
    assert "first seen on line 2" in err.message


def test_unknown_user_and_item(tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "interactions.csv").write_text(
        "user_id,item_id\nu1,i1\nghost,i2\n", encoding="utf-8"
    )
    _expect_error(tiny_dataset_dir, "interactions.csv", 3, "user_id")
    (tiny_dataset_dir / "interactions.csv").write_text(
        "user_id,item_id\nu1,i1\nu2,i2\nu3,nope\n", encoding="utf-8"
    )
    _expect_error(tiny_dataset_dir, "interactions.csv", 4, "item_id")


def test_empty_file_and_header_only(tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "users.csv").write_text("", encoding="utf-8")
    _expect_error(tiny_dataset_dir, "users.csv", 1, None)
    (tiny_dataset_dir / "users.csv").write_text("user_id\n", encoding="utf-8")
    _expect_error(tiny_dataset_dir, "users.csv", 2, None)


def test_non_utf8_file(tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "items.csv").write_bytes(
        b"item_id,title,description\ni1,Caf\xe9 cr\xe8me,nice\n"
    )
    err = _expect_error(tiny_dataset_dir, "items.csv", 2, "title")
    assert "UTF-8" in err.message


def test_line_numbers_follow_quoted_newlines(tiny_dataset_dir: Path) -> None:
    text = 'item_id,title,description\ni1,A,"two\nlines"\ni1,B,x\n'
    (tiny_dataset_dir / "items.csv").write_text(text, encoding="utf-8")
    _expect_error(tiny_dataset_dir, "items.csv", 4, "item_id")


def test_bad_binary_and_position(tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "interactions.csv").write_text(
        "user_id,item_id,clicked\nu1,i1,2\n", encoding="utf-8"
    )
    _expect_error(tiny_dataset_dir, "interactions.csv", 2, "clicked")
    (tiny_dataset_dir / "interactions.csv").write_text(
        "user_id,item_id,position\nu1,i1,1\nu1,i2,0\n", encoding="utf-8"
    )
    _expect_error(tiny_dataset_dir, "interactions.csv", 3, "position")


def test_random_exposure_is_validated_too(tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "random_exposure.csv").write_text(
        "user_id,item_id,rating\nu1,i9,3\n", encoding="utf-8"
    )
    _expect_error(tiny_dataset_dir, "random_exposure.csv", 2, "item_id")
    (tiny_dataset_dir / "random_exposure.csv").write_text(
        "user_id,item_id,rating\nu1,i2,3\n", encoding="utf-8"
    )
    assert len(load_csv_folder(tiny_dataset_dir).random_exposure) == 1


def test_schema_toml_roles_and_errors(tiny_dataset_dir: Path) -> None:
    (tiny_dataset_dir / "schema.toml").write_text(
        'treatments = ["price"]\n[variables.price]\nrole = "treatment"\ntier = 1\n'
        'description = "what it costs"\n',
        encoding="utf-8",
    )
    data = load_csv_folder(tiny_dataset_dir)
    assert data.schema.variables["price"].role is Role.TREATMENT
    assert data.schema.variables["price"].description == "what it costs"
    assert data.schema.treatments == ("price",)
    # Variables the toml is silent about keep their inferred roles.
    assert data.schema.variables["clicked"].role is Role.OUTCOME

    (tiny_dataset_dir / "schema.toml").write_text(
        '[variables.price]\nrole = "price-ish"\n', encoding="utf-8"
    )
    err = _expect_error(tiny_dataset_dir, "schema.toml", 2, None)
    assert "unknown role" in err.message
    (tiny_dataset_dir / "schema.toml").write_text("treatments = [\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid TOML"):
        load_csv_folder(tiny_dataset_dir)


def test_schema_toml_round_trip(tiny_dataset_dir: Path) -> None:
    schema = load_csv_folder(tiny_dataset_dir).schema
    text = schema_to_toml(schema)
    again = parse_schema_toml(text)
    assert again.variables == schema.variables
    assert again.outcomes == schema.outcomes


def test_write_dataset_round_trip_and_atomic(tmp_path: Path, tiny_dataset_dir: Path) -> None:
    data = load_csv_folder(tiny_dataset_dir)
    out = write_dataset(data, tmp_path / "copy")
    again = load_csv_folder(out)
    pd.testing.assert_frame_equal(again.items, data.items)
    pd.testing.assert_frame_equal(again.interactions, data.interactions)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_frames_to_dataset_validates(tiny_dataset_dir: Path) -> None:
    data = load_csv_folder(tiny_dataset_dir)
    bad = data.interactions.copy()
    bad.loc[0, "item_id"] = "zzz"
    with pytest.raises(DataError, match="unknown item_id 'zzz'"):
        frames_to_dataset("x", data.items, data.users, bad)
