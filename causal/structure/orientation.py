"""Orientation: turn learned adjacencies into a DAG, recording how each direction was decided.

Why a module of its own: orientation is one rule book (priors, v-structures with conflict
handling, Meek's rules, the pluggable `orient_fn`, then a consistent extension) shared by
every search method.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence

import networkx as nx

from causal.structure.priors import PriorKnowledge

log = logging.getLogger(__name__)

OrientFn = Callable[[str, str, Mapping[str, str]], tuple[str, str] | None]


def orient(
    nodes: Sequence[str],
    adjacencies: Iterable[frozenset[str]],
    priors: PriorKnowledge,
    *,
    sepsets: Mapping[frozenset[str], set[str]] | None = None,
    directed_hints: Iterable[tuple[str, str]] = (),
    orient_fn: OrientFn | None = None,
    descriptions: Mapping[str, str] | None = None,
) -> tuple[list[tuple[str, str]], dict[tuple[str, str], str]]:
    """Turn adjacencies into a DAG: priors, v-structures, Meek, orient_fn, then arbitrary.

    Returns the edges and, for each, how its direction was decided.
    """
    nodes = list(nodes)
    banned = priors.forbidden_directions(nodes)
    adj = {a for a in adjacencies if len(a) == 2}
    adj = {a for a in adj if not all(((u, v) in banned) for u, v in itertools.permutations(a))}
    how: dict[tuple[str, str], str] = {}
    directed: set[tuple[str, str]] = set()

    def set_dir(u: str, v: str, why: str) -> bool:
        if (u, v) in directed:
            return True
        if (v, u) in directed or (u, v) in banned:
            return False
        directed.add((u, v))
        how[(u, v)] = why
        return True

    # 1. priors: required edges, then directions the priors leave only one way.
    for u, v in priors.required:
        set_dir(u, v, "prior")
    for a in sorted(adj, key=sorted):
        u, v = sorted(a)
        if (u, v) in banned and (v, u) not in banned:
            set_dir(v, u, "prior")
        elif (v, u) in banned and (u, v) not in banned:
            set_dir(u, v, "prior")

    # 2. v-structures from separating sets (PC) or compelled edges (score-based search).
    triples: list[tuple[tuple[str, str], tuple[str, str]]] = []
    if sepsets is not None:
        neighbours: dict[str, set[str]] = {n: set() for n in nodes}
        for a in adj:
            u, v = tuple(a)
            neighbours[u].add(v)
            neighbours[v].add(u)
        for x, y in itertools.combinations(sorted(nodes), 2):
            if frozenset((x, y)) in adj:
                continue
            sep = sepsets.get(frozenset((x, y)), set())
            for z in sorted(neighbours[x] & neighbours[y]):
                if z in sep:
                    continue
                # A collider the priors rule out (z -> x is required, or x -> z is banned)
                # means the separating set is wrong: drop the whole triple, not one arm.
                arms = ((x, z), (y, z))
                if any(a in banned or (a[1], a[0]) in directed for a in arms):
                    continue
                triples.append(arms)
    # Conflicting colliders (x -> z from one triple, z -> x from another) are not settled by
    # the order the triples are visited: every triple with an arm in conflict is dropped
    # whole (one of its separating sets is wrong, and we cannot tell which). Each surviving
    # direction is added only if it keeps the graph acyclic, the most-voted first.
    claimed = {arm for t in triples for arm in t}
    conflicted = {frozenset(a) for a in claimed if (a[1], a[0]) in claimed}
    votes: dict[tuple[str, str], int] = {}
    for t in triples:
        if any(frozenset(a) in conflicted for a in t):
            continue
        for u, v in t:
            votes[(u, v)] = votes.get((u, v), 0) + 1
    candidates = [
        e
        for e in votes
        if frozenset(e) in adj
        and e not in banned
        and (e[1], e[0]) not in votes
        and (e[1], e[0]) not in directed
    ]
    candidates += [e for e in directed_hints if e not in votes]
    for u, v in sorted(candidates, key=lambda e: (-votes.get(e, 1), e)):
        if frozenset((u, v)) not in adj or (u, v) in banned or (v, u) in directed:
            continue
        if (u, v) in directed or _acyclic(nodes, directed | {(u, v)}):
            directed.add((u, v))
            how.setdefault((u, v), "data")

    def meek() -> None:
        for u, v in meek_rules(adj, directed, banned):
            directed.add((u, v))
            how[(u, v)] = "data"

    meek()
    # 3. the pluggable orientation function for edges the data leaves undecided.
    if orient_fn is not None:
        for a in sorted(adj, key=sorted):
            if _has_dir(a, directed):
                continue
            x, y = sorted(a)
            try:
                answer = orient_fn(x, y, dict(descriptions or {}))
            except Exception as exc:  # an LLM-backed orienter may fail; the edge stays undecided
                log.warning("orientation function failed on %s - %s: %s", x, y, exc)
                answer = None
            if answer is None or set(answer) != {x, y}:
                continue
            u, v = answer
            if (u, v) in banned or (v, u) in directed:
                continue
            trial = directed | {(u, v)}
            if _acyclic(nodes, trial):
                directed.add((u, v))
                how[(u, v)] = "orient_fn"
                meek()
    # 4. whatever is left: a consistent extension, oriented along a topological order.
    left = [a for a in adj if not _has_dir(a, directed)]
    if left:
        graph = nx.DiGraph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from(directed)
        tier = priors.tiers
        order = {
            n: k
            for k, n in enumerate(
                nx.lexicographical_topological_sort(graph, key=lambda n: (tier.get(n, 0), n))
            )
        }
        for a in sorted(left, key=sorted):
            u, v = sorted(a, key=lambda n: order[n])
            directed.add((u, v))
            how[(u, v)] = "arbitrary"
    edges = sorted(e for e in directed if frozenset(e) in adj)
    return edges, {e: how.get(e, "data") for e in edges}


def meek_rules(
    adjacencies: Iterable[frozenset[str]],
    directed: Iterable[tuple[str, str]],
    banned: Iterable[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """The directions Meek's rules 1-4 add to a partly directed graph, in the order found.

    Why our own: pgmpy's `PDAG.apply_meeks_rules` walks sets (its answer on a graph with
    conflicting colliders changes with PYTHONHASHSEED) and its rule 3 omits the condition
    that the two parents be non-adjacent. Here edges are visited in sorted order until
    nothing changes, a direction is added only if it keeps the graph acyclic and is not
    banned, and rule 3 is Meek's: x - y, x - z, x - w, y -> w, z -> w, y and z not adjacent
    gives x -> w.
    """
    adj = {a for a in adjacencies if len(a) == 2}
    arrows = set(directed)
    banned = set(banned)
    nbrs: dict[str, set[str]] = {}
    for a in adj:
        u, v = sorted(a)
        nbrs.setdefault(u, set()).add(v)
        nbrs.setdefault(v, set()).add(u)

    def adjacent(a: str, b: str) -> bool:
        return frozenset((a, b)) in adj

    def undirected(a: str, b: str) -> bool:
        return adjacent(a, b) and (a, b) not in arrows and (b, a) not in arrows

    def compelled(u: str, v: str) -> bool:
        common = nbrs[u] & nbrs[v]
        if any((x, u) in arrows and not adjacent(x, v) for x in nbrs[u] if x != v):  # rule 1
            return True
        if any((u, w) in arrows and (w, v) in arrows for w in common):  # rule 2
            return True
        parents = sorted(y for y in common if undirected(u, y) and (y, v) in arrows)
        if any(not adjacent(y, z) for y, z in itertools.combinations(parents, 2)):  # rule 3
            return True
        return any(  # rule 4: u - c -> d -> v, c and v not adjacent, u and d adjacent
            undirected(u, c)
            and not adjacent(c, v)
            and any((c, d) in arrows and (d, v) in arrows and adjacent(u, d) for d in common)
            for c in nbrs[u]
            if c != v
        )

    def reaches(source: str, target: str) -> bool:
        seen, stack = {source}, [source]
        while stack:
            node = stack.pop()
            if node == target:
                return True
            for nxt in nbrs.get(node, ()):
                if (node, nxt) in arrows and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    found: list[tuple[str, str]] = []
    changed = True
    while changed:
        changed = False
        for a in sorted(adj, key=sorted):
            x, y = sorted(a)
            if not undirected(x, y):
                continue
            for u, v in ((x, y), (y, x)):
                if (u, v) not in banned and compelled(u, v) and not reaches(v, u):
                    arrows.add((u, v))
                    found.append((u, v))
                    changed = True
                    break
    return found


def _has_dir(a: frozenset[str], directed: set[tuple[str, str]]) -> bool:
    u, v = tuple(a)
    return (u, v) in directed or (v, u) in directed


def _acyclic(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> bool:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return nx.is_directed_acyclic_graph(g)


__all__ = ["OrientFn", "meek_rules", "orient"]
