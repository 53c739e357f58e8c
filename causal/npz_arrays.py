"""Save, load and compare frozen dataclasses of numpy arrays plus a few float scalars.

The ranker's parameter sets (FactorParams, ChoiceParams) are stored this way in a workspace.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np


def save_npz(obj: Any, path: Path, arrays: tuple[str, ...], scalars: tuple[str, ...]) -> None:
    """Write the named array and scalar fields of `obj` to an .npz file."""
    values = {name: getattr(obj, name) for name in arrays}
    values.update({name: np.array(getattr(obj, name)) for name in scalars})
    np.savez(path, **values)


def load_npz(path: Path, arrays: tuple[str, ...], scalars: tuple[str, ...]) -> dict[str, Any]:
    """The constructor arguments stored by `save_npz`."""
    with np.load(path) as raw:
        values: dict[str, Any] = {name: np.asarray(raw[name]) for name in arrays}
        values.update({name: float(raw[name]) for name in scalars})
    return values


def identical(a: Any, b: Any) -> bool:
    """True when every dataclass field of `a` and `b` is identical (determinism checks)."""
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            if x.shape != y.shape or not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True
