"""Load and write a dataset folder in the data contract (items/users/interactions CSV + schema.toml).

Every problem is reported as a DataError naming the file, the line (1 = header) and the
column, so a user can open the file and fix it. Writing goes to a temporary folder that is
renamed at the end: an interrupted write never leaves half a dataset behind.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from causal.datasets.schema import (
    BINARY_INTERACTION_COLUMNS,
    DataError,
    Dataset,
    default_schema,
)
from causal.datasets.schema_toml import read_schema_toml, schema_to_toml

ITEMS = "items.csv"
USERS = "users.csv"
INTERACTIONS = "interactions.csv"
RANDOM_EXPOSURE = "random_exposure.csv"
SCHEMA = "schema.toml"

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


class RawTable:
    """One CSV file read as strings, able to say which line a record came from."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.text = _read_text(path)
        self.frame = self._parse()
        self._lines: list[int] | None = None

    def _parse(self) -> pd.DataFrame:
        if not self.text.strip():
            raise DataError(
                "file is empty (expected a header line and rows)", file=self.name, line=1
            )
        try:
            frame = pd.read_csv(
                io.StringIO(self.text),
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skipinitialspace=True,
            )
        except pd.errors.ParserError as exc:
            raise DataError(
                f"malformed CSV: {exc}", file=self.name, line=_parser_line(exc)
            ) from None
        except pd.errors.EmptyDataError:
            raise DataError("file is empty", file=self.name, line=1) from None
        names = [str(c).strip() for c in frame.columns]
        seen: set[str] = set()
        for name in names:
            if not name or name.startswith("Unnamed:"):
                raise DataError("header has an empty column name", file=self.name, line=1)
            if name in seen:
                raise DataError(
                    "column appears twice in the header", file=self.name, line=1, column=name
                )
            seen.add(name)
        frame.columns = names
        if frame.empty:
            raise DataError("file has a header but no rows", file=self.name, line=2)
        return frame.apply(lambda col: col.str.strip())

    def line_of(self, row: int) -> int:
        """The 1-based line on which record `row` (0-based, header excluded) starts."""
        if self._lines is None:
            reader = csv.reader(io.StringIO(self.text))
            starts: list[int] = []
            start = 1
            for _ in reader:
                starts.append(start)
                start = reader.line_num + 1
            # Blank lines are skipped by pandas but not by csv; keep only non-empty records.
            self._lines = [
                s for s, rec in zip(starts, csv.reader(io.StringIO(self.text)), strict=False) if rec
            ][1:]
        return self._lines[row] if row < len(self._lines) else row + 2

    def error(self, message: str, row: int | None = None, column: str | None = None) -> DataError:
        """A DataError pointing at this file, at record `row` and `column`."""
        return DataError(
            message, file=self.name, line=None if row is None else self.line_of(row), column=column
        )

    def require(self, columns: Sequence[str]) -> None:
        """Fail on the first required column missing from the header."""
        for col in columns:
            if col not in self.frame.columns:
                raise DataError(
                    f"missing required column '{col}' (found: {', '.join(self.frame.columns)})",
                    file=self.name,
                    line=1,
                    column=col,
                )


def load_csv_folder(folder: str | Path, name: str | None = None) -> Dataset:
    """Load and validate a dataset folder in the data contract."""
    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"dataset folder not found: {root}")
    for required in (ITEMS, USERS, INTERACTIONS):
        if not (root / required).is_file():
            raise DataError(f"missing file {required} in {root}", file=required)
    items = _validate_items(RawTable(root / ITEMS))
    users = _validate_users(RawTable(root / USERS))
    interactions = _validate_interactions(RawTable(root / INTERACTIONS), items, users)
    random_exposure = None
    if (root / RANDOM_EXPOSURE).is_file():
        random_exposure = _validate_interactions(RawTable(root / RANDOM_EXPOSURE), items, users)
    inferred = default_schema(items, users, interactions)
    schema = inferred
    if (root / SCHEMA).is_file():
        schema = read_schema_toml(root / SCHEMA).merged_with(inferred)
    return Dataset(
        name=name or root.resolve().name,
        items=items,
        users=users,
        interactions=interactions,
        schema=schema,
        random_exposure=random_exposure,
    )


def frames_to_dataset(
    name: str,
    items: pd.DataFrame,
    users: pd.DataFrame,
    interactions: pd.DataFrame,
    random_exposure: pd.DataFrame | None = None,
    schema=None,
) -> Dataset:
    """Validate in-memory frames exactly as if they had been read from a contract folder."""
    with tempfile.TemporaryDirectory(prefix="whyrec-frames-") as tmp:
        root = Path(tmp)
        items.to_csv(root / ITEMS, index=False)
        users.to_csv(root / USERS, index=False)
        interactions.to_csv(root / INTERACTIONS, index=False)
        if random_exposure is not None:
            random_exposure.to_csv(root / RANDOM_EXPOSURE, index=False)
        dataset = load_csv_folder(root, name=name)
    if schema is not None:
        dataset = dataset.with_schema(schema.merged_with(dataset.schema))
    return dataset


def write_dataset(dataset: Dataset, folder: str | Path) -> Path:
    """Write a dataset as a contract folder, atomically (temp folder, then rename)."""
    target = Path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        dataset.items.to_csv(tmp / ITEMS, index=False)
        dataset.users.to_csv(tmp / USERS, index=False)
        dataset.interactions.to_csv(tmp / INTERACTIONS, index=False)
        if dataset.random_exposure is not None:
            dataset.random_exposure.to_csv(tmp / RANDOM_EXPOSURE, index=False)
        (tmp / SCHEMA).write_text(schema_to_toml(dataset.schema), encoding="utf-8")
        replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def replace_folder(new: Path, target: Path) -> None:
    """Swap `new` into `target`'s place; the old folder survives until the new one is in."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{new.name[-8:]}")
        target.rename(old)
        try:
            new.rename(target)
        except BaseException:
            old.rename(target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(target)


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw[: exc.start].count(b"\n") + 1
        column = None
        header = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip().split(",")
        field_index = raw[line_start : exc.start].count(b",")
        if field_index < len(header):
            column = header[field_index].strip()
        raise DataError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            file=path.name,
            line=line,
            column=column,
        ) from None


def _parser_line(exc: Exception) -> int | None:
    import re

    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _first_bad(mask: pd.Series) -> int | None:
    idx = np.flatnonzero(mask.to_numpy())
    return int(idx[0]) if len(idx) else None


def _check_ids(table: RawTable, column: str, unique: bool) -> pd.Series:
    values = table.frame[column]
    row = _first_bad(values == "")
    if row is not None:
        raise table.error("empty id", row, column)
    if unique:
        dup = values.duplicated()
        row = _first_bad(dup)
        if row is not None:
            first = _first_bad(values == values.iloc[row])
            raise table.error(
                f"duplicate {column} '{values.iloc[row]}' (first seen on line {table.line_of(first)})",
                row,
                column,
            )
    return values


def _typed_attributes(frame: pd.DataFrame, skip: Sequence[str]) -> pd.DataFrame:
    """Attribute columns that are all numeric become floats, yes/no (true/false) columns 1/0
    floats like any 0/1 column; others stay strings (None if empty)."""
    out = frame.copy()
    for col in out.columns:
        if col in skip:
            continue
        values = out[col]
        present = values != ""
        numeric = pd.to_numeric(values.where(present), errors="coerce")
        lowered = values[present].str.strip().str.lower()
        if present.any() and numeric[present].notna().all():
            out[col] = numeric.astype(float)
        elif present.any() and lowered.isin(_TRUE | _FALSE).all():
            out[col] = values.str.strip().str.lower().isin(_TRUE).astype(float).where(present)
        else:
            out[col] = values.where(present, None)
    return out


def _validate_items(table: RawTable) -> pd.DataFrame:
    table.require(["item_id", "title"])
    _check_ids(table, "item_id", unique=True)
    row = _first_bad(table.frame["title"] == "")
    if row is not None:
        raise table.error("empty title", row, "title")
    items = _typed_attributes(table.frame, skip=("item_id", "title", "description"))
    if "description" not in items.columns:
        items["description"] = ""
    cols = ["item_id", "title", "description"] + [
        c for c in items.columns if c not in ("item_id", "title", "description")
    ]
    return items[cols].reset_index(drop=True)


def _validate_users(table: RawTable) -> pd.DataFrame:
    table.require(["user_id"])
    _check_ids(table, "user_id", unique=True)
    return _typed_attributes(table.frame, skip=("user_id",)).reset_index(drop=True)


def _validate_interactions(
    table: RawTable, items: pd.DataFrame, users: pd.DataFrame
) -> pd.DataFrame:
    table.require(["user_id", "item_id"])
    frame = table.frame
    user_ids = _check_ids(table, "user_id", unique=False)
    item_ids = _check_ids(table, "item_id", unique=False)
    row = _first_bad(~user_ids.isin(set(users["user_id"])))
    if row is not None:
        raise table.error(
            f"unknown user_id '{user_ids.iloc[row]}' (not in users.csv)", row, "user_id"
        )
    row = _first_bad(~item_ids.isin(set(items["item_id"])))
    if row is not None:
        raise table.error(
            f"unknown item_id '{item_ids.iloc[row]}' (not in items.csv)", row, "item_id"
        )

    out = pd.DataFrame({"user_id": user_ids, "item_id": item_ids})
    if "timestamp" in frame.columns:
        out["timestamp"] = _parse_timestamps(table)
    if "rating" in frame.columns:
        raw = frame["rating"]
        present = raw != ""
        rating = pd.to_numeric(raw.where(present), errors="coerce")
        row = _first_bad(present & rating.isna())
        if row is not None:
            raise table.error(f"rating must be a number, got '{raw.iloc[row]}'", row, "rating")
        row = _first_bad(present & ~np.isfinite(rating.fillna(0.0)))
        if row is not None:
            raise table.error(f"rating must be finite, got '{raw.iloc[row]}'", row, "rating")
        out["rating"] = rating.astype(float)
    for col in BINARY_INTERACTION_COLUMNS:
        if col in frame.columns:
            raw = frame[col].str.lower()
            ok = raw.isin(_TRUE | _FALSE)
            row = _first_bad(~ok)
            if row is not None:
                raise table.error(f"{col} must be 0 or 1, got '{frame[col].iloc[row]}'", row, col)
            out[col] = raw.isin(_TRUE).astype("int64")
    if "position" in frame.columns:
        raw = frame["position"]
        present = raw != ""
        pos = pd.to_numeric(raw.where(present), errors="coerce")
        bad = present & (pos.isna() | (pos < 1) | (pos != np.floor(pos.fillna(0))))
        row = _first_bad(bad)
        if row is not None:
            raise table.error(
                f"position must be a whole number >= 1, got '{raw.iloc[row]}'", row, "position"
            )
        out["position"] = pos.astype("Int64")
    for col in frame.columns:
        if col in out.columns:
            continue
        out[col] = _typed_attributes(frame[[col]], skip=())[col]
    return out.reset_index(drop=True)


def _parse_timestamps(table: RawTable) -> pd.Series:
    raw = table.frame["timestamp"]
    present = raw != ""
    numeric = pd.to_numeric(raw.where(present), errors="coerce")
    if numeric[present].notna().all():
        row = _first_bad(present & (numeric != np.floor(numeric.fillna(0))))
        if row is not None:
            raise table.error(
                f"timestamp must be whole seconds, got '{raw.iloc[row]}'", row, "timestamp"
            )
        return numeric.astype("Int64")
    parsed = pd.to_datetime(raw.where(present), errors="coerce", utc=True, format="mixed")
    row = _first_bad(present & parsed.isna())
    if row is not None:
        raise table.error(
            f"timestamp must be Unix seconds or an ISO date, got '{raw.iloc[row]}'",
            row,
            "timestamp",
        )
    seconds = (parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    return seconds.astype("Int64")
