"""Turn the agent's results (pydantic models, dataclasses) into JSON-ready dicts for the surfaces."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any


def to_jsonable(value: Any) -> Any:
    """A JSON-ready copy of `value`: pydantic models, dataclasses, enums, numpy scalars, NaN."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if hasattr(value, "model_dump"):  # pydantic's JSON mode: plain types, only NaN/inf left
        return _finite(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "to_json") and callable(value.to_json):
        result = value.to_json()
        return to_jsonable(result) if not isinstance(result, str) else result
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return to_jsonable(value.item())
    return str(value)


def _finite(value: Any) -> Any:
    """Plain JSON data with NaN and infinities replaced by None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def field(obj: Any, name: str, default: Any = None) -> Any:
    """`obj.name` or `obj[name]`, whichever exists."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def item_payload(item: Any) -> dict[str, Any]:
    """One recommended item: id, title, score, explanation, evidence, attributes."""
    data = to_jsonable(item)
    if not isinstance(data, dict):
        return {"item_id": str(data)}
    data.setdefault("item_id", "")
    data.setdefault("title", str(data.get("item_id")))
    return data


def reply_payload(reply: Any, session_id: str) -> dict[str, Any]:
    """The `whyrec` extension of a chat answer: items with explanations, backend, fallback."""
    items = [item_payload(i) for i in field(reply, "items", None) or []]
    return {
        "session_id": session_id,
        "items": items,
        "backend": str(field(reply, "backend", "") or ""),
        "fallback": bool(field(reply, "fallback", False)),
        "fallback_reason": field(reply, "fallback_reason", None),
        "grounded": field(reply, "grounded", None),
        "grounded_first_pass": field(reply, "grounded_first_pass", None),
        "grounded_after_reask": field(reply, "grounded_after_reask", None),
    }


def reply_text(reply: Any) -> str:
    """The answer text of a Reply."""
    return str(field(reply, "text", "") or "")
