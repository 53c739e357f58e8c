"""Puts this folder on sys.path: pytest runs with --import-mode=importlib, and the held-out
set tests share `nlu_sets`."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
