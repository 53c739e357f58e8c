"""The outside user's view of a workspace: items, their attributes and popularity, read from files.

It reads `WORKSPACE/data/items.csv`, `interactions.csv` and (if present) `schema.toml`, the
public data contract, and nothing of the agent. Columns are classified from the data, not
from their names, so the same code serves MovieLens, Coat and synthetic worlds:

- a *multi-valued* attribute holds `|`-separated values (MovieLens `genres`);
- a *categorical* attribute is a text column with at most 60 distinct values (Coat `color`);
- a *year* attribute is a whole-number column whose values all lie in 1850-2100;
- any other numeric attribute with more than two distinct values is *numeric* (a price).

Binary 0/1 columns, identifiers, titles, descriptions and columns that schema.toml gives a role
other than `item_attribute` (a treatment such as Coat's `on_frontpage`) are not attributes a
shopper could state. Values such as "other" or "unknown" are kept for filtering but never said.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SKIP_COLUMNS = {"item_id", "title", "description"}
UNSAYABLE = {"other", "unknown", "none", "n/a", "na", "misc", "multi", "", "nan"}
MAX_CATEGORIES = 60
ARTICLE_SUFFIX = re.compile(r"^(?P<body>.+), (?P<art>The|A|An|Les|La|Le|Il|Das|Die|Der|El)$")
TRAILING_BRACKET = re.compile(r"\s*\([^()]*\)\s*$")
NOUN_IN_DESCRIPTION = re.compile(r"\bthe (\w+)'s\b", re.IGNORECASE)

# Popularity strata by item rank (interaction count, ties by item id): the top 10% of the
# catalog is the head, the next 30% the torso, the remaining 60% the tail.
HEAD_SHARE = 0.10
TORSO_SHARE = 0.30
STRATA = ("head", "torso", "tail")


class CatalogError(ValueError):
    """The workspace lacks the files or columns the outside user needs."""


@dataclass(frozen=True)
class Attribute:
    """One item attribute a person could state: its column, kind and display name."""

    name: str
    kind: str  # "multi" | "categorical" | "year" | "numeric"
    label: str


@dataclass
class OutsideCatalog:
    """Items with typed attributes, interaction counts and popularity strata."""

    items: pd.DataFrame  # index item_id (str); columns: title, display, attributes
    attributes: dict[str, Attribute]
    counts: pd.Series  # item_id -> number of interactions (0 when never seen)
    stratum: pd.Series  # item_id -> "head" | "torso" | "tail"
    noun: str = "item"
    name: str = "dataset"

    def __post_init__(self) -> None:
        self._sets: dict[str, dict[str, frozenset[str]]] = {}
        self._numbers: dict[str, dict[str, float | None]] = {}
        self._sayable: dict[str, list[str]] = {}
        self._ids = [str(i) for i in self.counts.index]
        self._count = {str(i): int(c) for i, c in self.counts.items()}
        self._stratum = {str(i): str(v) for i, v in self.stratum.items()}
        for attr, spec in self.attributes.items():
            column = self.items[attr]
            if spec.kind in ("multi", "categorical"):
                self._sets[attr] = {
                    str(i): _split(raw, spec.kind == "multi") for i, raw in column.items()
                }
            else:
                numbers = pd.to_numeric(column, errors="coerce")
                self._numbers[attr] = {
                    str(i): (None if math.isnan(x) else float(x)) for i, x in numbers.items()
                }

    @property
    def ids(self) -> list[str]:
        """Item ids in popularity order (most interactions first, ties by id)."""
        return self._ids

    def is_whole(self, attr: str) -> bool:
        """Whether a numeric attribute only takes whole numbers (a 1-5 score)."""
        return all(x is None or float(x).is_integer() for x in self._numbers[attr].values())

    def count_of(self, item_id: str) -> int:
        """How many interactions an item has in the log."""
        return self._count.get(item_id, 0)

    def stratum_of(self, item_id: str) -> str:
        """An item's popularity stratum: head, torso or tail."""
        return self._stratum[item_id]

    def value_set(self, item_id: str, attr: str) -> frozenset[str]:
        """The values an item has for a categorical or multi-valued attribute."""
        return self._sets[attr].get(item_id, frozenset())

    def number(self, item_id: str, attr: str) -> float | None:
        """A numeric or year attribute's value, or None when missing."""
        return self._numbers[attr].get(item_id)

    def sayable_values(self, attr: str) -> list[str]:
        """An attribute's values a person could name, most frequent first."""
        if attr not in self._sayable:
            counter: dict[str, int] = {}
            for values in self._sets[attr].values():
                for value in values:
                    counter[value] = counter.get(value, 0) + 1
            self._sayable[attr] = [
                v
                for v, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
                if v.strip().lower() not in UNSAYABLE
            ]
        return self._sayable[attr]

    def display(self, item_id: str) -> str:
        """A title as a person would say it ("The Usual Suspects", no year in brackets)."""
        return str(self.items.at[item_id, "display"])


def _split(raw: object, multi: bool) -> frozenset[str]:
    if not isinstance(raw, str) or not raw.strip():
        return frozenset()
    if multi:
        return frozenset(v.strip() for v in raw.split("|") if v.strip())
    return frozenset([raw.strip()])


def display_title(title: str) -> str:
    """Drop trailing brackets ("(1995)", an alternative title) and move ", The" to the front."""
    text = str(title).strip()
    for _ in range(2):
        text = TRAILING_BRACKET.sub("", text).strip() or text
    match = ARTICLE_SUFFIX.match(text)
    if match:
        text = f"{match['art']} {match['body']}"
    return text or str(title)


def _schema(folder: Path) -> dict:
    path = folder / "schema.toml"
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not valid TOML ({exc})") from exc


def _classify(column: pd.Series) -> str | None:
    values = column.dropna().astype(str).str.strip()
    values = values[values != ""]
    if values.empty:
        return None
    if values.str.contains("|", regex=False).any():
        return "multi"
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all():
        distinct = set(numbers.unique())
        if distinct <= {0.0, 1.0} or len(distinct) <= 2:
            return None
        whole = bool(np.all(np.mod(numbers, 1) == 0))
        if whole and numbers.between(1850, 2100).all():
            return "year"
        return "numeric"
    if values.nunique() <= MAX_CATEGORIES:
        return "categorical"
    return None


def _noun(schema: dict) -> str:
    """The catalog's item noun from schema descriptions ("the movie's genres" -> movie)."""
    for spec in (schema.get("variables") or {}).values():
        if isinstance(spec, dict) and spec.get("role") == "item_attribute":
            match = NOUN_IN_DESCRIPTION.search(str(spec.get("description", "")))
            if match and match.group(1).lower() not in {"item", "user", "shopper"}:
                return match.group(1).lower()
    return "item"


def _strata(counts: pd.Series) -> pd.Series:
    n = len(counts)
    head_n = max(1, round(n * HEAD_SHARE))
    torso_n = max(1, round(n * TORSO_SHARE))
    labels = ["head"] * head_n + ["torso"] * torso_n + ["tail"] * max(0, n - head_n - torso_n)
    return pd.Series(labels[:n], index=counts.index)


def load_catalog(workspace: str | Path) -> OutsideCatalog:
    """Read a workspace's data folder into the outside user's catalog."""
    root = Path(workspace)
    folder = root / "data" if (root / "data").is_dir() else root
    items_path, inter_path = folder / "items.csv", folder / "interactions.csv"
    for path in (items_path, inter_path):
        if not path.is_file():
            raise CatalogError(f"{path} not found: is {root} a workspace or a data folder?")
    items = pd.read_csv(items_path, dtype=str, keep_default_na=False, na_values=[""])
    if "item_id" not in items.columns or "title" not in items.columns:
        raise CatalogError(f"{items_path}: needs item_id and title columns")
    items = items.drop_duplicates("item_id").set_index("item_id")
    schema = _schema(folder)
    roles = {
        name: spec.get("role")
        for name, spec in (schema.get("variables") or {}).items()
        if isinstance(spec, dict)
    }
    attributes: dict[str, Attribute] = {}
    for column in items.columns:
        if column in SKIP_COLUMNS or roles.get(column, "item_attribute") != "item_attribute":
            continue
        kind = _classify(items[column])
        if kind:
            attributes[column] = Attribute(column, kind, column.replace("_", " "))
    interactions = pd.read_csv(inter_path, dtype=str, usecols=["item_id"])
    raw = interactions["item_id"].value_counts()
    counts = raw.reindex(items.index, fill_value=0).astype(int)
    order = sorted(counts.index, key=lambda i: (-int(counts[i]), str(i)))
    counts = counts.loc[order]
    items["display"] = [display_title(t) for t in items["title"]]
    name = root.name
    meta = root / "workspace.json"
    if meta.is_file():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            name = str(json.loads(meta.read_text(encoding="utf-8"))["dataset"]["name"])
    return OutsideCatalog(
        items=items,
        attributes=attributes,
        counts=counts,
        stratum=_strata(counts),
        noun=_noun(schema),
        name=name,
    )
