"""Catalog filters: the friendly form an LLM or a user writes, checked against the catalog schema.

A filter is a plain dict, field -> condition:

    {"genre": ["comedy", "drama"],            # categorical: a value or a list = any of them
     "genres": {"all": ["animation", "comedy"]},  # several-per-item field: has all of them
     "genre": {"not": ["horror"]},            # exclusion (items without the field pass)
     "price": {"min": 5, "max": 20},          # numeric: inclusive range (also gt/lt, eq)
     "year": 1995}                            # numeric: equality (a list = any of them)

Forgiving where it is safe (field and value case, "Sci-Fi" == "scifi", "$in"/"$nin"/"$gte"
spellings, numbers in strings) and strict on nonsense: an unknown field, an unknown value of a
field whose values are known, or a wrong type raises `FilterError` naming the field and what
would be valid, so the model can correct itself. Parsed filters translate to a chroma `where`
and evaluate on local arrays with the same semantics. Nothing here imports chromadb.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Where filters come from (an LLM, a form, a URL), a plain mapping is the friendly form.
Filters = Mapping[str, Any]

# Categorical values are stored for filtering under this key prefix, as a list of normalised
# values (one per value of a several-per-item field such as "Animation|Comedy").
VALUE_KEY_PREFIX = "_v_"
MULTI_VALUE_SEPARATOR = "|"
# Fields with at most this many distinct values have them listed in the schema (and
# filter values are checked against them); larger ones are filtered without checking.
MAX_TRACKED_VALUES = 2000

_ANY_KEYS = {"any", "in", "any_of", "anyof", "eq", "is", "one_of", "oneof", "values", "include"}
_ALL_KEYS = {"all", "all_of", "allof", "contains_all"}
_NOT_KEYS = {"not", "nin", "ne", "none", "none_of", "noneof", "exclude", "not_in", "neq"}
_MIN_KEYS = {"min", "gte", ">=", "from", "at_least", "atleast"}
_MAX_KEYS = {"max", "lte", "<=", "to", "at_most", "atmost"}
_GT_KEYS = {"gt", ">", "above", "more_than"}
_LT_KEYS = {"lt", "<", "below", "less_than", "under"}
_EQ_KEYS = {"eq", "==", "=", "is", "equals", "in", "any", "any_of", "one_of", "values"}


class FilterError(ValueError):
    """A filter the catalog cannot apply; the message names the field and what would be valid."""


class FieldKind(StrEnum):
    """How a filterable item field is compared."""

    CATEGORICAL = "categorical"
    NUMERIC = "numeric"


def normalize_value(value: object) -> str:
    """Comparison key of a categorical value: case- and punctuation-blind ("Sci-Fi" -> "scifi")."""
    text = " ".join(str(value).split()).casefold()
    key = "".join(ch for ch in text if ch.isalnum())
    return key or text


def split_values(value: object) -> list[str]:
    """The individual values of a stored categorical value ("A|B" -> ["A", "B"]), blanks dropped."""
    parts = [" ".join(p.split()) for p in str(value).split(MULTI_VALUE_SEPARATOR)]
    seen: dict[str, str] = {}
    for part in parts:
        if part and normalize_value(part) not in seen:
            seen[normalize_value(part)] = part
    return list(seen.values())


def value_key(field_name: str) -> str:
    """Metadata key holding a categorical field's normalised values (a list) for filtering."""
    return f"{VALUE_KEY_PREFIX}{field_name}"


def _field_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip()).casefold()


@dataclass(frozen=True)
class FieldInfo:
    """One filterable item field: its kind and the values or range it takes in the catalog."""

    name: str
    kind: FieldKind
    multi_valued: bool = False  # several values per item, stored "A|B|C"
    n_values: int = 0  # distinct (individual) values, categorical only
    values: tuple[str, ...] = ()  # distinct values, most common first (all of them when tracked)
    min: float | None = None
    max: float | None = None
    n_missing: int = 0  # items without a value

    @property
    def values_tracked(self) -> bool:
        """True when `values` lists every value (so filter values can be checked)."""
        return self.kind is FieldKind.CATEGORICAL and len(self.values) == self.n_values

    def describe(self, max_values: int = 25) -> str:
        """One line for a prompt or an error message: kind plus values or range."""
        if self.kind is FieldKind.NUMERIC:
            if self.min is None or self.max is None:
                return f"{self.name} (numeric, no values)"
            return f"{self.name} (numeric, {self.min:g} to {self.max:g})"
        several = ", several per item" if self.multi_valued else ""
        shown = ", ".join(self.values[:max_values])
        more = f", ... ({self.n_values} values)" if self.n_values > max_values else ""
        return f"{self.name} (categorical{several}: {shown}{more})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (stored with the collection)."""
        return {
            "name": self.name,
            "kind": self.kind.value,
            "multi_valued": self.multi_valued,
            "n_values": self.n_values,
            "values": list(self.values),
            "min": self.min,
            "max": self.max,
            "n_missing": self.n_missing,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldInfo:
        """Inverse of `to_dict`."""
        return cls(
            name=str(data["name"]),
            kind=FieldKind(data["kind"]),
            multi_valued=bool(data.get("multi_valued", False)),
            n_values=int(data.get("n_values", 0)),
            values=tuple(str(v) for v in data.get("values", ())),
            min=None if data.get("min") is None else float(data["min"]),
            max=None if data.get("max") is None else float(data["max"]),
            n_missing=int(data.get("n_missing", 0)),
        )


@dataclass(frozen=True)
class CategoryCondition:
    """Categorical test on normalised values: any of / all of / none of."""

    field: str
    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class NumericCondition:
    """Numeric test: a range (each end inclusive unless strict) and/or equality to any of values."""

    field: str
    low: float | None = None
    high: float | None = None
    low_strict: bool = False
    high_strict: bool = False
    one_of: tuple[float, ...] = ()


Condition = CategoryCondition | NumericCondition


@dataclass(frozen=True)
class ParsedFilters:
    """Validated filters: conditions that all must hold (AND)."""

    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.conditions)

    def to_chroma_where(self) -> dict[str, Any] | None:
        """The equivalent chroma `where` (None when there is nothing to filter)."""
        clauses: list[dict[str, Any]] = []
        for cond in self.conditions:
            clauses.extend(_chroma_clauses(cond))
        return _and(clauses)


def _and(clauses: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _or(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def _chroma_clauses(cond: Condition) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(cond, CategoryCondition):
        key = value_key(cond.field)
        if cond.any_of:
            out.append(_or([{key: {"$contains": v}} for v in cond.any_of]))
        out.extend({key: {"$contains": v}} for v in cond.all_of)
        out.extend({key: {"$not_contains": v}} for v in cond.none_of)
        return out
    if cond.one_of:
        values = [float(v) for v in cond.one_of]
        out.append(
            {cond.field: {"$eq": values[0]}} if len(values) == 1 else {cond.field: {"$in": values}}
        )
    if cond.low is not None:
        out.append({cond.field: {"$gt" if cond.low_strict else "$gte": float(cond.low)}})
    if cond.high is not None:
        out.append({cond.field: {"$lt" if cond.high_strict else "$lte": float(cond.high)}})
    return out


def _valid_fields_text(fields: Mapping[str, FieldInfo]) -> str:
    return ", ".join(fields) if fields else "(none: this catalog has no attribute fields)"


def _resolve_field(name: object, fields: Mapping[str, FieldInfo]) -> FieldInfo:
    if not isinstance(name, str) or not name.strip():
        raise FilterError(
            f"filter field names must be non-empty strings, got {name!r}; "
            f"filterable fields: {_valid_fields_text(fields)}"
        )
    if name in fields:
        return fields[name]
    by_key = {_field_key(n): info for n, info in fields.items()}
    if _field_key(name) in by_key:
        return by_key[_field_key(name)]
    if _field_key(name) in ("title", "item_id", "description", "id", "name"):
        raise FilterError(
            f"'{name}' cannot be filtered on; put words about it in the search text instead. "
            f"Filterable fields: {_valid_fields_text(fields)}"
        )
    close = difflib.get_close_matches(_field_key(name), list(by_key), n=1, cutoff=0.6)
    hint = f" (did you mean '{by_key[close[0]].name}'?)" if close else ""
    raise FilterError(
        f"unknown filter field '{name}'{hint}; filterable fields: {_valid_fields_text(fields)}"
    )


def _scalar_text(info: FieldInfo, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FilterError(
            f"filter on '{info.name}' expects text values, got {value!r}; valid: {info.describe()}"
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        raise FilterError(f"filter on '{info.name}' got an empty value; valid: {info.describe()}")
    return text


def _as_list(value: object) -> list[object]:
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def _category_values(info: FieldInfo, raw: object, what: str) -> tuple[str, ...]:
    items = _as_list(raw)
    if not items:
        raise FilterError(
            f"filter on '{info.name}' ({what}) needs at least one value; valid: {info.describe()}"
        )
    out: dict[str, None] = {}
    known = {normalize_value(v): v for v in info.values} if info.values_tracked else None
    for item in items:
        for text in split_values(_scalar_text(info, item)):
            key = normalize_value(text)
            if known is not None and key not in known:
                close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
                hint = (
                    f" (did you mean {', '.join(repr(known[c]) for c in close)}?)" if close else ""
                )
                raise FilterError(
                    f"'{info.name}' has no value '{text}'{hint}; valid: {info.describe()}"
                )
            out[key] = None
    return tuple(out)


def _parse_category(info: FieldInfo, spec: object) -> CategoryCondition:
    if not isinstance(spec, Mapping):
        return CategoryCondition(info.name, any_of=_category_values(info, spec, "any of"))
    if not spec:
        raise FilterError(f"filter on '{info.name}' is an empty object; valid: {info.describe()}")
    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    for op, value in spec.items():
        key = str(op).strip().lstrip("$").casefold()
        if key in _ANY_KEYS:
            any_of += _category_values(info, value, "any of")
        elif key in _ALL_KEYS:
            all_of += _category_values(info, value, "all of")
        elif key in _NOT_KEYS:
            none_of += _category_values(info, value, "not")
        else:
            raise FilterError(
                f"filter on categorical field '{info.name}' got unknown operator '{op}'; "
                "use a value, a list of values (any of), {'all': [...]} or {'not': [...]}"
            )
    if len(all_of) > 1 and not info.multi_valued:
        raise FilterError(
            f"'{info.name}' holds one value per item, so requiring all of {list(all_of)} can never "
            "match; pass a list for any of them instead"
        )
    return CategoryCondition(
        info.name,
        any_of=tuple(dict.fromkeys(any_of)),
        all_of=tuple(dict.fromkeys(all_of)),
        none_of=tuple(dict.fromkeys(none_of)),
    )


def _number(info: FieldInfo, value: object) -> float:
    if isinstance(value, bool):
        raise FilterError(
            f"filter on numeric field '{info.name}' got {value!r}; valid: {info.describe()}"
        )
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").lstrip("$€£").strip()
        try:
            number = float(text)
        except ValueError:
            raise FilterError(
                f"filter on numeric field '{info.name}' needs a number, got {value!r}; "
                f"use {{'min': ..., 'max': ...}}; valid: {info.describe()}"
            ) from None
    else:
        raise FilterError(
            f"filter on numeric field '{info.name}' needs a number or {{'min': ..., 'max': ...}}, "
            f"got {value!r}; valid: {info.describe()}"
        )
    if not math.isfinite(number):
        raise FilterError(f"filter on '{info.name}' needs a finite number, got {value!r}")
    return number


def _parse_numeric(info: FieldInfo, spec: object) -> NumericCondition | None:
    if not isinstance(spec, Mapping):
        values = _as_list(spec)
        if not values:
            raise FilterError(
                f"filter on '{info.name}' needs at least one number; valid: {info.describe()}"
            )
        return NumericCondition(
            info.name, one_of=tuple(dict.fromkeys(_number(info, v) for v in values))
        )
    if not spec:
        raise FilterError(f"filter on '{info.name}' is an empty object; valid: {info.describe()}")
    if all(value is None for value in spec.values()):
        return None  # {"min": null, "max": null}: no constraint
    low: float | None = None
    high: float | None = None
    low_strict = high_strict = False
    one_of: tuple[float, ...] = ()
    for op, value in spec.items():
        key = str(op).strip().lstrip("$").casefold()
        if value is None and key in _MIN_KEYS | _MAX_KEYS | _GT_KEYS | _LT_KEYS:
            continue  # {"min": null} is a harmless way to say "no lower bound"
        if key in _MIN_KEYS or key in _GT_KEYS:
            number, strict = _number(info, value), key in _GT_KEYS
            if low is None or number > low or (number == low and strict):
                low, low_strict = number, strict
        elif key in _MAX_KEYS or key in _LT_KEYS:
            number, strict = _number(info, value), key in _LT_KEYS
            if high is None or number < high or (number == high and strict):
                high, high_strict = number, strict
        elif key in _EQ_KEYS:
            one_of += tuple(_number(info, v) for v in _as_list(value))
        else:
            raise FilterError(
                f"filter on numeric field '{info.name}' got unknown operator '{op}'; "
                "use {'min': ..., 'max': ...} (inclusive), 'gt'/'lt' (strict) or a number"
            )
    if (
        low is not None
        and high is not None
        and (low > high or (low == high and (low_strict or high_strict)))
    ):
        raise FilterError(f"filter on '{info.name}' has an empty range: min {low:g} > max {high:g}")
    if low is None and high is None and not one_of:
        raise FilterError(f"filter on '{info.name}' sets no bound; use {{'min': ..., 'max': ...}}")
    return NumericCondition(
        info.name, low, high, low_strict, high_strict, tuple(dict.fromkeys(one_of))
    )


def parse_filters(
    filters: Filters | ParsedFilters | None, fields: Mapping[str, FieldInfo]
) -> ParsedFilters:
    """Check friendly filters against the catalog's fields; raise FilterError on anything invalid."""
    if filters is None:
        return ParsedFilters()
    if isinstance(filters, ParsedFilters):
        return filters
    if not isinstance(filters, Mapping):
        raise FilterError(
            f"filters must be an object mapping field names to conditions, got {type(filters).__name__}; "
            f"filterable fields: {_valid_fields_text(fields)}"
        )
    conditions: list[Condition] = []
    for name, spec in filters.items():
        info = _resolve_field(name, fields)
        if spec is None:
            continue  # {"genre": null}: the model saying "no constraint"
        if info.kind is FieldKind.NUMERIC:
            numeric = _parse_numeric(info, spec)
            if numeric is not None:
                conditions.append(numeric)
        else:
            conditions.append(_parse_category(info, spec))
    return ParsedFilters(tuple(conditions))


def describe_fields(
    fields: Sequence[FieldInfo] | Mapping[str, FieldInfo], max_values: int = 25
) -> str:
    """Filterable fields as prompt-ready lines."""
    infos = list(fields.values()) if isinstance(fields, Mapping) else list(fields)
    return "\n".join(f"- {info.describe(max_values)}" for info in infos)
