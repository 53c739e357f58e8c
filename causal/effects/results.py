"""Typed answers of identify -> estimate -> refute (DoWhy's CausalEstimate, in frozen dataclasses).

Why: every step hands the next an object with named fields, and `EffectResult.to_json()` is
the CLI contract, so the keys scripts rely on are written in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np


class EffectMethod(StrEnum):
    """Estimators; ADJUSTMENT picks stratified when strata cover the data, else regression."""

    AUTO = "auto"
    NAIVE = "naive"
    ADJUSTMENT = "adjustment"
    STRATIFIED = "stratified"
    REGRESSION = "regression"
    IPW = "ipw"
    AIPW = "aipw"
    BN = "bn_do"
    PIECEWISE = "piecewise"


class Source(StrEnum):
    """Which log the outcomes come from."""

    AUTO = "auto"
    LOGGED = "logged"
    RANDOM = "random"


@dataclass(frozen=True)
class Refutation:
    """One refutation check: did the estimate survive it?"""

    name: str
    passed: bool
    detail: str = ""
    value: float | None = None


@dataclass(frozen=True)
class Identification:
    """The identify step's answer."""

    identified: bool
    reason: str
    adjustment_set: tuple[str, ...] = ()
    precision_set: tuple[str, ...] = ()
    source: Source | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EffectResult:
    """A typed effect answer; `to_json()` gives exactly the CLI contract's keys."""

    identified: bool
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    adjustment_set: tuple[str, ...]
    n: int
    refutations: tuple[Refutation, ...]
    summary: str
    reason: str
    treatment: str = ""
    outcome: str = ""
    treatment_value: Any = None
    control_value: Any = None
    given: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None
    notes: tuple[str, ...] = ()
    no_overlap_share: float = 0.0  # share of rows with an adjustment value seen in one arm only

    def to_json(self) -> dict[str, Any]:
        """{"identified", "estimate", "ci_low", "ci_high", "method", "adjustment_set", "n",
        "refutations": [{"name", "passed"}], "summary", "reason"}."""
        return {
            "identified": self.identified,
            "estimate": _num(self.estimate),
            "ci_low": _num(self.ci_low),
            "ci_high": _num(self.ci_high),
            "method": self.method,
            "adjustment_set": list(self.adjustment_set),
            "n": int(self.n),
            "refutations": [{"name": r.name, "passed": bool(r.passed)} for r in self.refutations],
            "summary": self.summary,
            "reason": self.reason,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-friendly (contract keys plus the question and details)."""
        out = self.to_json()
        out["refutations"] = [
            {"name": r.name, "passed": bool(r.passed), "detail": r.detail, "value": _num(r.value)}
            for r in self.refutations
        ]
        out.update(
            treatment=self.treatment,
            outcome=self.outcome,
            treatment_value=_plain(self.treatment_value),
            control_value=_plain(self.control_value),
            given={k: _plain(v) for k, v in self.given.items()},
            source=self.source,
            notes=list(self.notes),
        )
        return out


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if not np.isfinite(value) else round(value, 6)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


__all__ = [
    "EffectMethod",
    "EffectResult",
    "Identification",
    "Refutation",
    "Source",
]
