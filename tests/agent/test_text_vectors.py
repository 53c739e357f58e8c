"""The turn-vector cache returns exactly what the encoder gave for the same batch."""

from __future__ import annotations

import numpy as np

from agent.text_vectors import MAX_BATCH, TextVectorCache


class CountingEncoder:
    """Vectors that depend on the whole batch (as padding does), with a call count."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        width = max(len(t) for t in texts)
        return np.array([[len(t), width, self.calls] for t in texts], dtype=np.float32)


def test_same_batch_is_encoded_once_and_read_back_exactly():
    encoder = CountingEncoder()
    cache = TextVectorCache(encoder)
    first = cache(["cheaper", "why the first one?"])
    again = cache(["cheaper", "why the first one?"])
    assert encoder.calls == 1
    assert np.array_equal(first, again)


def test_a_text_in_another_batch_is_encoded_again():
    encoder = CountingEncoder()
    cache = TextVectorCache(encoder)
    alone = cache(["cheaper"])
    beside = cache(["cheaper", "something much longer"])
    assert encoder.calls == 2
    assert alone[0, 1] != beside[0, 1]  # the batch's own padding, not the single text's


def test_callers_writing_in_a_result_do_not_change_the_kept_copy():
    cache = TextVectorCache(CountingEncoder())
    cache(["not animation"])[0, 0] = -1.0
    assert cache(["not animation"])[0, 0] == len("not animation")


def test_large_batches_and_old_entries_are_not_kept():
    encoder = CountingEncoder()
    cache = TextVectorCache(encoder, max_entries=2)
    big = [f"text {i}" for i in range(MAX_BATCH + 1)]
    cache(big)
    cache(big)
    assert encoder.calls == 2
    for text in ("a", "b", "c"):
        cache([text])
    cache(["a"])  # pushed out by b and c
    assert encoder.calls == 6
