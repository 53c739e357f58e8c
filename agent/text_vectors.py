"""A turn's sentence vectors, kept by the exact texts asked for: a user repeats short turns
("something else", "why the first one?", "cheaper") and each costs a model forward pass
(the parse's largest share on a busy machine).

The key is the whole tuple of texts, not each text: the encoder pads a batch to its
longest text, so a text embedded beside others can differ in the last bits from the same
text alone. Keyed by the batch, a hit returns exactly what the encoder gave for that batch.
Small batches only (a turn's few texts); a large batch (the intent examples' fit) passes
through.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

MAX_BATCH = 8  # larger batches are one-off fits, not turns: never kept
MAX_ENTRIES = 512  # a few hundred recent batches of a few 384-float vectors: ~1 MB


class TextVectorCache:
    """`encode(texts)` with the last MAX_ENTRIES small batches kept (least recently used out)."""

    def __init__(self, encode: Callable[[list[str]], Any], max_entries: int = MAX_ENTRIES) -> None:
        self._encode = encode
        self._max = max_entries
        self._kept: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> Any:
        """The vectors of `texts` (a fresh copy each call: callers may write in them)."""
        key = tuple(str(t) for t in texts)
        if not key or len(key) > MAX_BATCH:
            return self._encode(list(key))
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None:
                self._kept.move_to_end(key)
                return hit.copy()
        vectors = self._encode(list(key))
        if not isinstance(vectors, np.ndarray):  # an encoder of another kind: not kept
            return vectors
        with self._lock:
            self._kept[key] = vectors.copy()
            while len(self._kept) > self._max:
                self._kept.popitem(last=False)
        return vectors
