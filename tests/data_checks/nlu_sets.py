"""What the held-out NLU set tests share: the slot keys, the checker script, a tiny workspace.

Kept in one place so the v2 to v6 tests check the same contract (the parse contract's
intents, the README's slot keys) and load `scripts/check_nlu_data.py` the same way.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from agent.parse import Intent

ROOT = Path(__file__).resolve().parents[2]
NLU_DATA = ROOT / "tests" / "data" / "nlu"
INTENTS = {intent.value for intent in Intent}  # the parse contract's intents


def load_checker() -> ModuleType:
    """`scripts/check_nlu_data.py` as a module (it is a script, not a package)."""
    path = ROOT / "scripts" / "check_nlu_data.py"
    spec = importlib.util.spec_from_file_location("check_nlu_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def read_rows(path: Path) -> list[dict]:
    """One JSON object a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def tiny_workspace(folder: Path) -> Path:
    """A two-item workspace for the checker's catalog checks."""
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "items.csv").write_text(
        "item_id,title,description,year,genres\n"
        "1,Alpha (1990),,1990,Comedy|Drama\n"
        "2,Beta (1975),,1975,Horror\n",
        encoding="utf-8",
    )
    (folder / "workspace.json").write_text(
        json.dumps({"dataset": {"item_attributes": ["year", "genres"]}}), encoding="utf-8"
    )
    return folder


SLOT_KEYS = set(load_checker().SLOT_KEYS)  # the README's slot keys, as the checker states them
