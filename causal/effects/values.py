"""Treatment, control and subgroup values: parsing, matching rows, defaults, display.

Why: a person names values as text ("25-34", "Comedy", ">= 4"); one place turns that into
rows of the table, and says which values exist when a name matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.variables import MULTILABEL_SEPARATOR, Kind, VariableSpec
from causal.effects.errors import BadValueError, ConstantColumnError, EffectError


def parse_given(items: Iterable[str]) -> dict[str, str]:
    """Parse CLI `--given COL=VAL` strings into a dict (EffectError when malformed)."""
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise EffectError(f"--given expects COL=VAL, got {item!r}")
        col, _, val = item.partition("=")
        col, val = col.strip(), val.strip()
        if not col or not val:
            raise EffectError(f"--given expects COL=VAL with both parts, got {item!r}")
        out[col] = val
    return out


_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$")
_CMP = re.compile(r"^\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


def match_value(
    spec: VariableSpec, series: pd.Series, value: Any, *, allow_ranges: bool = False
) -> np.ndarray:
    """Rows whose value equals `value` (multi-label: contains it; numeric ranges if allowed)."""
    if spec.kind is Kind.MULTILABEL:
        want = str(value).strip().lower()
        return (
            series.fillna("")
            .astype(str)
            .map(lambda v: want in [p.strip().lower() for p in v.split(MULTILABEL_SEPARATOR)])
            .to_numpy(dtype=bool)
        )
    numeric_col = pd.api.types.is_numeric_dtype(series.dtype)
    if numeric_col:
        vals = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        text = str(value).strip()
        if allow_ranges:
            m = _RANGE.match(text)
            if m:
                lo, hi = float(m.group(1)), float(m.group(2))
                return (vals >= lo) & (vals <= hi)
            m = _CMP.match(text)
            if m:
                op, ref = m.group(1), float(m.group(2))
                return {"<": vals < ref, "<=": vals <= ref, ">": vals > ref, ">=": vals >= ref}[op]
        try:
            target = float(text)
        except ValueError:
            raise BadValueError(
                f"'{spec.name}' is numeric; {value!r} is not a number"
                + (" or a range like 25-34" if allow_ranges else "")
            ) from None
        return np.isclose(vals, target) & ~np.isnan(vals)
    text = series.astype(object).where(series.notna(), None)
    exact = text.map(lambda v: v is not None and str(v) == str(value)).to_numpy(dtype=bool)
    if exact.any():
        return exact
    want = str(value).strip().lower()
    return text.map(lambda v: v is not None and str(v).strip().lower() == want).to_numpy(dtype=bool)


def known_values(spec: VariableSpec, series: pd.Series, limit: int = 12) -> str:
    """The values a column takes, for an error message (the first `limit`)."""
    if spec.kind is Kind.MULTILABEL:
        labels = sorted(
            {p.strip() for v in series.dropna().astype(str) for p in v.split(MULTILABEL_SEPARATOR)}
        )
    else:
        labels = [str(v) for v in pd.unique(series.dropna())]
        try:
            labels = [f"{float(v):g}" for v in sorted(float(v) for v in labels)]
        except ValueError:
            labels = sorted(labels)
    more = " ..." if len(labels) > limit else ""
    return ", ".join(labels[:limit]) + more


def fmt_value(value: Any) -> str:
    """A value as a person writes it (1.0 -> 1)."""
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def default_values(spec: VariableSpec, series: pd.Series) -> tuple[Any, Any]:
    """Treatment and control when none are given: 1 vs 0, upper vs lower quartile, or the
    most common level vs the rest."""
    if spec.kind is Kind.BINARY:
        return 1, 0
    if spec.numeric:
        vals = pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=float)
        if len(vals) == 0:
            raise ConstantColumnError(f"'{spec.name}' has no values in the rows used")
        lo, hi = np.quantile(vals, [0.25, 0.75], method="nearest")
        if lo == hi:
            lo, hi = float(vals.min()), float(vals.max())
        return clean_number(hi), clean_number(lo)
    if spec.kind is Kind.MULTILABEL:
        labels = series.dropna().astype(str).str.split(MULTILABEL_SEPARATOR).explode().str.strip()
        return labels.value_counts().index[0], None
    return series.dropna().astype(str).value_counts().index[0], None


def clean_number(v: float) -> float | int:
    """An int when the number is whole, else rounded to four places."""
    return int(v) if float(v).is_integer() else round(float(v), 4)


__all__ = [
    "clean_number",
    "default_values",
    "fmt_value",
    "known_values",
    "match_value",
    "parse_given",
]
