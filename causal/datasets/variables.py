"""Analysis variables: where each lives, its kind, and its discrete codes.

Why a module of its own: typing a column (binary, ordinal, continuous in quantile bins,
categorical with rare levels lumped, multi-label) and encoding it to integer codes is one set
of rules that the analysis table applies to every frame; `causal.datasets.analysis_table`
documents the choices.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import pandas as pd

MULTILABEL_SEPARATOR = "|"
OTHER = "other"
MISSING_CODE = -1


class Level(StrEnum):
    """Where a variable lives: on the user, on the item, or on the interaction."""

    USER = "user"
    ITEM = "item"
    INTERACTION = "interaction"


class Kind(StrEnum):
    """How a variable's values are treated."""

    BINARY = "binary"
    CATEGORICAL = "categorical"
    ORDINAL = "ordinal"
    CONTINUOUS = "continuous"
    MULTILABEL = "multilabel"


@dataclass(frozen=True)
class VariableSpec:
    """One analysis variable: where it lives, its kind, role, tier and discrete levels."""

    name: str
    level: Level
    kind: Kind
    role: str | None = None
    tier: int | None = None
    description: str = ""
    derived: bool = False
    labels: tuple[str, ...] = ()  # labels of the discrete codes 0..k-1
    values: tuple[float, ...] = ()  # numeric value of each code (ordinal/binary), else empty
    bin_edges: tuple[float, ...] = ()  # continuous: inner quantile edges
    selected_by: str | None = None
    discoverable: bool = True
    note: str = ""

    @property
    def n_levels(self) -> int:
        """Number of discrete levels."""
        return len(self.labels)

    @property
    def numeric(self) -> bool:
        """True for binary, ordinal and continuous variables."""
        return self.kind in (Kind.BINARY, Kind.ORDINAL, Kind.CONTINUOUS)


def _is_multilabel(values: pd.Series) -> bool:
    present = values.dropna().astype(str)
    if present.empty:
        return False
    return bool(present.str.contains(MULTILABEL_SEPARATOR, regex=False).mean() >= 0.05)


def first_label(value: object) -> object:
    """The first label of a '|'-joined multi-label value (None stays None)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value).split(MULTILABEL_SEPARATOR)[0].strip()


def describe_variable(
    name: str,
    series: pd.Series,
    level: Level,
    role: str | None,
    tier: int | None,
    description: str,
    derived: bool,
    n_bins: int,
    max_levels: int,
    max_ordinal: int,
) -> VariableSpec:
    """The spec of one column: its kind and discrete levels (the rules in the module docstring)."""
    base = VariableSpec(
        name=name,
        level=level,
        kind=Kind.CATEGORICAL,
        role=role,
        tier=tier,
        description=description,
        derived=derived,
    )
    present = series.dropna()
    if present.empty:
        return replace(base, discoverable=False, note="no values")
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )
    if numeric:
        vals = pd.to_numeric(present, errors="coerce").dropna().astype(float)
        distinct = np.unique(vals.to_numpy())
        if name == "timestamp":
            return replace(
                base,
                kind=Kind.CONTINUOUS,
                discoverable=False,
                note="time stamps are context, not a causal variable here",
            )
        if len(distinct) == 1:
            return replace(
                base,
                kind=Kind.ORDINAL,
                labels=(_fmt(distinct[0]),),
                values=(float(distinct[0]),),
                discoverable=False,
                note="constant",
            )
        if set(distinct.tolist()) <= {0.0, 1.0}:
            return replace(base, kind=Kind.BINARY, labels=("0", "1"), values=(0.0, 1.0))
        if len(distinct) <= max_ordinal:
            return replace(
                base,
                kind=Kind.ORDINAL,
                labels=tuple(_fmt(v) for v in distinct),
                values=tuple(float(v) for v in distinct),
            )
        qs = np.quantile(vals.to_numpy(), np.linspace(0, 1, n_bins + 1)[1:-1])
        edges = np.unique(qs)
        lows = [float(distinct.min()), *edges.tolist()]
        highs = [*edges.tolist(), float(distinct.max())]
        labels = tuple(f"{_fmt(lo)}-{_fmt(hi)}" for lo, hi in zip(lows, highs, strict=True))
        mids = []
        arr = vals.to_numpy()
        codes = np.searchsorted(edges, arr, side="right")
        for k in range(len(labels)):
            sel = arr[codes == k]
            mids.append(float(sel.mean()) if len(sel) else float((lows[k] + highs[k]) / 2))
        return replace(
            base,
            kind=Kind.CONTINUOUS,
            labels=labels,
            values=tuple(mids),
            bin_edges=tuple(float(e) for e in edges),
            note=f"cut into {len(labels)} quantile bins for discrete methods",
        )
    text = present.astype(str)
    kind = Kind.CATEGORICAL
    if _is_multilabel(text):
        kind = Kind.MULTILABEL
        text = text.map(first_label)
    counts = text.value_counts()
    if len(counts) == 1:
        return replace(
            base, kind=kind, labels=(str(counts.index[0]),), discoverable=False, note="constant"
        )
    if len(counts) > 20 and len(counts) > 0.5 * len(text):
        return replace(
            base,
            kind=kind,
            labels=(),
            discoverable=False,
            note=f"identifier-like ({len(counts)} distinct values)",
        )
    ordered = sorted(counts.index.tolist(), key=lambda v: (-counts[v], v))
    note = "first label of each '|'-joined list" if kind is Kind.MULTILABEL else ""
    if len(ordered) > max_levels:
        kept = sorted(ordered[: max_levels - 1])
        note = (
            note + "; " if note else ""
        ) + f"{len(ordered) - len(kept)} rare levels lumped into '{OTHER}'"
        return replace(base, kind=kind, labels=(*kept, OTHER), note=note)
    return replace(base, kind=kind, labels=tuple(sorted(ordered)), note=note)


def encode(spec: VariableSpec, series: pd.Series) -> np.ndarray:
    """Integer codes of a column under a spec (-1 where missing or unknown)."""
    n = len(series)
    out = np.full(n, MISSING_CODE, dtype=np.int32)
    if not spec.labels:
        return out
    if spec.kind is Kind.CONTINUOUS:
        vals = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        ok = ~np.isnan(vals)
        out[ok] = np.searchsorted(np.asarray(spec.bin_edges), vals[ok], side="right")
        return out
    if spec.kind in (Kind.BINARY, Kind.ORDINAL):
        vals = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        lookup = np.asarray(spec.values)
        ok = ~np.isnan(vals)
        pos = np.searchsorted(lookup, vals[ok])
        pos = np.clip(pos, 0, len(lookup) - 1)
        hit = np.isclose(lookup[pos], vals[ok])
        codes = np.where(hit, pos, MISSING_CODE)
        out[ok] = codes
        return out
    text = series.astype(object)
    if spec.kind is Kind.MULTILABEL:
        text = text.map(first_label)
    mapping = {label: k for k, label in enumerate(spec.labels)}
    other = mapping.get(OTHER)
    mapped = text.map(
        lambda v: (
            MISSING_CODE
            if v is None or (isinstance(v, float) and np.isnan(v))
            else mapping.get(str(v), other if other is not None else MISSING_CODE)
        )
    )
    return mapped.to_numpy(dtype=np.int32)


def _fmt(value: float) -> str:
    return f"{value:g}"


__all__ = [
    "MISSING_CODE",
    "MULTILABEL_SEPARATOR",
    "OTHER",
    "Kind",
    "Level",
    "VariableSpec",
    "describe_variable",
    "encode",
    "first_label",
]
