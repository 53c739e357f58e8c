"""UI test setup: helper modules importable; a small workspace and a live server, built once."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # pytest runs with --import-mode=importlib: helpers need a path entry
    sys.path.insert(0, _HERE)
