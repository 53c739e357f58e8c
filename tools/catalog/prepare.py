"""From an items frame to what the catalog stores: one text, metadata and content hash per item.

The text is what gets embedded ("Title. Description genres: A, B; year: 1995"); the metadata
holds the attributes as given plus normalised value keys for filtering; the content hash
(text, metadata and embedding model) lets a rebuild re-embed only the items that changed.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.schema import DataError
from tools.catalog.filters import (
    MAX_TRACKED_VALUES,
    MULTI_VALUE_SEPARATOR,
    VALUE_KEY_PREFIX,
    FieldInfo,
    FieldKind,
    normalize_value,
    split_values,
    value_key,
)

TEXT_COLUMNS = ("item_id", "title", "description")
HASH_KEY = "_hash"


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _format_number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def item_text(row: Mapping[str, Any]) -> str:
    """Text embedded for an item: title, description, then "name: value" attributes.

    Example: "Toy Story. A cowboy doll ... genres: Animation, Children's, Comedy; year: 1995".
    """
    title = "" if _is_missing(row.get("title")) else " ".join(str(row["title"]).split())
    description = (
        "" if _is_missing(row.get("description")) else " ".join(str(row["description"]).split())
    )
    parts: list[str] = []
    for name, value in row.items():
        if name in TEXT_COLUMNS or str(name).startswith("_") or _is_missing(value):
            continue
        if isinstance(value, bool | np.bool_):
            shown = "yes" if value else "no"
        elif isinstance(value, int | float | np.integer | np.floating):
            shown = _format_number(float(value))
        else:
            shown = ", ".join(split_values(value))
            if not shown:
                continue
        parts.append(f"{str(name).replace('_', ' ')}: {shown}")
    head = title
    if description:
        head = (
            f"{title}. {description}"
            if title and title[-1] not in ".!?"
            else f"{title} {description}"
        )
    attributes = "; ".join(parts)
    return f"{head.strip()} {attributes}".strip() if head.strip() else attributes


@dataclass(frozen=True)
class PreparedItems:
    """The items ready to store: ids, texts, metadata, content hashes and the field schema."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    hashes: list[str]
    fields: tuple[FieldInfo, ...]


def _column_kind(series: pd.Series) -> FieldKind:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return FieldKind.NUMERIC
    return FieldKind.CATEGORICAL


def prepare_items(items: pd.DataFrame, embedder_name: str) -> PreparedItems:
    """Validate the items frame; build per-item texts, chroma metadata, content hashes, schema."""
    if not isinstance(items, pd.DataFrame):
        raise TypeError(f"index() takes a pandas DataFrame of items, got {type(items).__name__}")
    for required in ("item_id", "title"):
        if required not in items.columns:
            raise DataError(f"items need a '{required}' column", file="items", column=required)
    for name in items.columns:
        if not isinstance(name, str) or not name.strip():
            raise DataError(f"column names must be non-empty strings, got {name!r}", file="items")
        if name.startswith("_"):
            raise DataError(
                "column names starting with '_' are reserved by the catalog",
                file="items",
                column=name,
            )
    ids_series = items["item_id"]
    if ids_series.isna().any():
        line = int(np.flatnonzero(ids_series.isna().to_numpy())[0]) + 2
        raise DataError("item_id is empty", file="items", line=line, column="item_id")
    ids = [str(v) for v in ids_series.tolist()]
    seen: dict[str, int] = {}
    for row, item_id in enumerate(ids):
        if not item_id.strip():
            raise DataError("item_id is empty", file="items", line=row + 2, column="item_id")
        if item_id in seen:
            raise DataError(
                f"duplicate item_id '{item_id}' (first on line {seen[item_id] + 2})",
                file="items",
                line=row + 2,
                column="item_id",
            )
        seen[item_id] = row

    n = len(ids)
    titles = ["" if _is_missing(v) else " ".join(str(v).split()) for v in items["title"].tolist()]
    if "description" in items.columns:
        descriptions = [
            "" if _is_missing(v) else " ".join(str(v).split())
            for v in items["description"].tolist()
        ]
    else:
        descriptions = [""] * n
    metadatas: list[dict[str, Any]] = [
        {"title": t, "description": d} if d else {"title": t}
        for t, d in zip(titles, descriptions, strict=True)
    ]
    text_rows: list[dict[str, Any]] = [
        {"title": t, "description": d} for t, d in zip(titles, descriptions, strict=True)
    ]
    fields: list[FieldInfo] = []
    for name in items.columns:
        if name in TEXT_COLUMNS:
            continue
        series = items[name]
        kind = _column_kind(series)
        if kind is FieldKind.NUMERIC:
            values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
            present = ~np.isnan(values)
            for row in np.flatnonzero(present):
                metadatas[row][name] = float(values[row])
                text_rows[row][name] = float(values[row])
            fields.append(
                FieldInfo(
                    name=name,
                    kind=kind,
                    min=float(values[present].min()) if present.any() else None,
                    max=float(values[present].max()) if present.any() else None,
                    n_missing=int((~present).sum()),
                )
            )
            continue
        raw = series.tolist()
        multi = any(
            isinstance(v, str) and MULTI_VALUE_SEPARATOR in v for v in raw if not _is_missing(v)
        )
        counts: Counter[str] = Counter()
        display: dict[str, str] = {}
        missing = 0
        for row, value in enumerate(raw):
            if _is_missing(value):
                missing += 1
                continue
            text = " ".join(str(value).split())
            parts = split_values(text) if multi else ([text] if text else [])
            if not parts:
                missing += 1
                continue
            keys = [normalize_value(p) for p in parts]
            for part, key in zip(parts, keys, strict=True):
                display.setdefault(key, part)
                counts[key] += 1
            metadatas[row][name] = text
            metadatas[row][value_key(name)] = list(dict.fromkeys(keys))
            text_rows[row][name] = text
        ordered = sorted(counts, key=lambda k: (-counts[k], display[k].casefold()))
        fields.append(
            FieldInfo(
                name=name,
                kind=kind,
                multi_valued=multi,
                n_values=len(ordered),
                values=tuple(display[k] for k in ordered[:MAX_TRACKED_VALUES]),
                n_missing=missing,
            )
        )
    texts = [item_text(r) for r in text_rows]
    hashes = []
    for text, meta in zip(texts, metadatas, strict=True):
        payload = (
            f"{embedder_name}\x1f{text}\x1f{json.dumps(meta, sort_keys=True, ensure_ascii=False)}"
        )
        hashes.append(hashlib.blake2b(payload.encode("utf-8"), digest_size=12).hexdigest())
    for meta, digest in zip(metadatas, hashes, strict=True):
        meta[HASH_KEY] = digest
    return PreparedItems(ids, texts, metadatas, hashes, tuple(fields))


def public_metadata(meta: Mapping[str, Any] | None, order: Sequence[str] = ()) -> dict[str, Any]:
    """Metadata as shown to callers: description then attributes (in column order), no internal keys."""
    if not meta:
        return {}
    out: dict[str, Any] = {}
    for key in ("description", *order):
        if key in meta:
            out[key] = meta[key]
    for key, value in meta.items():
        if (
            key not in out
            and key not in ("title", HASH_KEY)
            and not key.startswith(VALUE_KEY_PREFIX)
        ):
            out[key] = value
    return out
