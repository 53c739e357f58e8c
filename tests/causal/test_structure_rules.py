"""Rules inside discovery: degenerate independence tests and Meek's orientation rules."""

from __future__ import annotations

import numpy as np
import pytest

from causal.structure.independence import g_test
from causal.structure.orientation import meek_rules


def _codes(*columns: np.ndarray) -> list[np.ndarray]:
    return [np.asarray(c, dtype=np.int64) for c in columns]


def test_a_determined_variable_is_not_declared_independent() -> None:
    """either = tub OR lung: given (tub, lung) 'either' is constant in every stratum, so the
    test has no degrees of freedom; that is no evidence of independence (p = 0: keep the edge)."""
    rng = np.random.default_rng(0)
    tub, lung = rng.integers(0, 2, 2000), rng.integers(0, 2, 2000)
    either = tub | lung
    xray = np.where(rng.random(2000) < 0.9, either, 1 - either)
    x, y, a, b = _codes(either, xray, tub, lung)
    _, dof, p = g_test(x, y, a * 2 + b, 2, 2, 4, 5.0)
    assert dof == 0 and p == 0.0


def test_a_constant_variable_is_independent() -> None:
    """On rows where a funnel step is always 1, that step carries no dependence: p = 1."""
    rng = np.random.default_rng(1)
    x, y = _codes(np.ones(500), rng.integers(0, 3, 500))
    _, dof, p = g_test(x, y, np.zeros(500, dtype=np.int64), 2, 3, 1, 5.0)
    assert dof == 0 and p == 1.0


def test_independent_variables_keep_a_large_p_value() -> None:
    rng = np.random.default_rng(2)
    x, y = _codes(rng.integers(0, 2, 4000), rng.integers(0, 2, 4000))
    _, dof, p = g_test(x, y, np.zeros(4000, dtype=np.int64), 2, 2, 1, 5.0)
    assert dof == 1 and p > 0.01


def _adj(*pairs: str) -> set[frozenset[str]]:
    return {frozenset(p) for p in pairs}


def test_meek_rule_1_and_2() -> None:
    # a -> b - c, a and c not adjacent: b -> c (rule 1); then a -> b -> c with a - c absent.
    assert meek_rules(_adj("ab", "bc"), {("a", "b")}) == [("b", "c")]
    # a -> b -> c and a - c: a -> c (rule 2).
    assert meek_rules(_adj("ab", "bc", "ac"), {("a", "b"), ("b", "c")}) == [("a", "c")]


@pytest.mark.parametrize("parents_adjacent", [False, True])
def test_meek_rule_3_needs_non_adjacent_parents(parents_adjacent: bool) -> None:
    """x - y, x - z, x - w, y -> w <- z: x -> w only when y and z are not adjacent (Meek 1995)."""
    pairs = ["xy", "xz", "xw", "yw", "zw"] + (["yz"] if parents_adjacent else [])
    found = meek_rules(_adj(*pairs), {("y", "w"), ("z", "w")})
    assert (("x", "w") in found) is not parents_adjacent


def test_meek_rules_respect_banned_directions_and_acyclicity() -> None:
    assert meek_rules(_adj("ab", "bc"), {("a", "b")}, banned={("b", "c")}) == []
    # b -> c would close the cycle c -> a -> b -> c: not added.
    assert ("b", "c") not in meek_rules(_adj("ab", "bc", "ca"), {("a", "b"), ("c", "a")})


def test_meek_rules_do_not_depend_on_input_order() -> None:
    adj = _adj("ab", "bc", "cd", "de", "bd", "ae")
    directed = [("a", "b"), ("e", "d")]
    first = meek_rules(adj, directed)
    assert first == meek_rules(set(reversed(sorted(adj, key=sorted))), list(reversed(directed)))
