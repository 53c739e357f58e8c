"""The per-object cache the parser keeps catalog-derived values in (`agent.nlu_cache`)."""

import pytest

from agent.nlu_cache import PerObject


def test_a_value_is_made_once_per_object_and_name():
    cache = PerObject(limit=4)
    calls: list[str] = []
    owner, twin = {"a": 1}, {"a": 1}  # equal content, different objects

    def make(tag: str):
        return lambda: calls.append(tag) or [tag]

    first = cache.get(owner, "x", make("x"))
    assert cache.get(owner, "x", make("again")) is first
    assert cache.get(owner, "y", make("y")) == ["y"]
    assert cache.get(twin, "x", make("twin")) == ["twin"]
    assert calls == ["x", "y", "twin"]


def test_a_changed_stamp_makes_the_value_again():
    cache = PerObject(limit=4)
    titles = {"b": 1, "a": 2}
    assert cache.get(titles, "k", lambda: sorted(titles), stamp=len(titles)) == ["a", "b"]
    titles["c"] = 3
    assert cache.get(titles, "k", lambda: sorted(titles), stamp=len(titles)) == ["a", "b", "c"]


def test_past_its_limit_the_cache_starts_afresh():
    cache = PerObject(limit=2)
    owners = [object() for _ in range(4)]
    for k, owner in enumerate(owners):
        cache.get(owner, "n", lambda k=k: k)
    calls: list[int] = []
    cache.get(owners[0], "n", lambda: calls.append(0) or 0)
    assert calls == [0]  # the first entry went when the cache was cleared
    with pytest.raises(ValueError, match="limit"):
        PerObject(limit=0)
