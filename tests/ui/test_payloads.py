"""JSON payloads: whatever the agent returns becomes valid JSON (no NaN, no infinities)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel

from ui.payloads import item_payload, reply_payload, to_jsonable


class Colour(Enum):
    RED = "red"


class Item(BaseModel):
    item_id: str
    title: str
    score: float
    attributes: dict


@dataclass(frozen=True)
class Effect:
    estimate: float
    colour: Colour


def test_to_jsonable_makes_strict_json():
    item = Item(item_id="i", title="t", score=math.nan, attributes={"x": math.inf, "y": [1.0]})
    data = to_jsonable({"item": item, "effect": Effect(math.nan, Colour.RED), "ids": ("a", "b")})
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == {
        "item": {
            "item_id": "i",
            "title": "t",
            "score": None,
            "attributes": {"x": None, "y": [1.0]},
        },
        "effect": {"estimate": None, "colour": "red"},
        "ids": ["a", "b"],
    }


def test_reply_payload_has_the_extension_shape():
    reply = {"text": "hi", "items": [Item(item_id="i", title="T", score=1.0, attributes={})]}
    payload = reply_payload(reply, "s-1")
    assert payload["session_id"] == "s-1" and payload["items"][0]["title"] == "T"
    assert payload["fallback"] is False and payload["backend"] == ""
    assert item_payload({"item_id": "x"})["title"] == "x"
