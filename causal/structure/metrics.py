"""Distances between a learned graph and a true one (for tests and benchmarks).

Why a module of its own: scoring a graph against the truth is evaluation, not discovery;
nothing in discovery may read it.
"""

from __future__ import annotations

from collections.abc import Iterable


def shd(learned: Iterable[tuple[str, str]], truth: Iterable[tuple[str, str]]) -> int:
    """Structural Hamming distance between two DAGs' edge sets (a reversal counts once)."""
    a, b = set(learned), set(truth)
    adj_a = {frozenset(e) for e in a}
    adj_b = {frozenset(e) for e in b}
    missing_or_extra = len(adj_a ^ adj_b)
    reversed_ = sum(1 for e in a if frozenset(e) in adj_b and e not in b)
    return missing_or_extra + reversed_


def orientation_f1(learned: Iterable[tuple[str, str]], truth: Iterable[tuple[str, str]]) -> float:
    """F1 of directed edges (an edge counts only with the right direction)."""
    a, b = set(learned), set(truth)
    if not a and not b:
        return 1.0
    tp = len(a & b)
    if tp == 0:
        return 0.0
    precision, recall = tp / len(a), tp / len(b)
    return 2 * precision * recall / (precision + recall)


__all__ = ["orientation_f1", "shd"]
