"""Structure learning with pgmpy (PC, HillClimbSearch, GES) plus prior knowledge.

`discover(table, method="pc")` learns a CausalGraph from an AnalysisTable:

1. Prior knowledge (`PriorKnowledge.from_table`): tiers from the schema (no edge from a later
   tier to an earlier one), the schema's required/forbidden edges, and the structure of a
   recommender log: a user attribute and an item attribute are never adjacent, an
   interaction variable never causes an attribute, and a selected outcome (a rating that
   exists only after a click) gets its selection edge (clicked -> rating). Priors that form a
   cycle or contradict each other raise PriorError.
2. Search: PC uses pgmpy's skeleton search with our `GTest` (routed to the level each question
   lives on, robust to structural zeros and to attributes repeated over rows); its separating
   sets are searched only among variables no later than the later of the pair (pgmpy's own
   rule uses the earlier one and so never separates pairs joined through a later mediator).
   HillClimbSearch and GES use pgmpy's searches with our `RoutedBIC` score.
3. Orientation: priors first, then v-structures from the data, Meek's rules, then the
   pluggable `orient(x, y, descriptions)` for edges the data leaves undecided, and finally an
   arbitrary consistent extension; each edge records how its direction was decided.
4. Stability: the same method on resamples (80% subsamples of the rows, random-exposure
   rows, users and items, drawn without replacement: bootstrap duplicates make independence
   tests report dependence that is not there) for as long as the time budget allows; every
   edge keeps the share of resamples that contain it.

`plain=True` switches all knowledge off (no tiers, no levels, no selection edges, the naive
single table), for comparison.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import networkx as nx
import numpy as np

from causal.graph import CausalGraph, EdgeInfo, NodeInfo, UnknownVariableError
from causal.table import AnalysisTable, Level

log = logging.getLogger(__name__)
SCORE = "bic"

OrientFn = Callable[[str, str, Mapping[str, str]], tuple[str, str] | None]


class Method(StrEnum):
    """Structure-learning algorithms."""

    PC = "pc"
    HC = "hc"
    GES = "ges"


class DiscoveryError(ValueError):
    """Discovery cannot run on this input (too few rows or variables, unknown names)."""


class PriorError(DiscoveryError):
    """Prior knowledge that cannot hold: a cycle, or an edge both required and forbidden."""


class DiscoveryTimeout(DiscoveryError):
    """The main search did not finish within the time budget."""


@dataclass(frozen=True)
class PriorKnowledge:
    """Tiers, required and forbidden directed edges, and variable levels.

    `levels` turns on the recommender-log rules: no user-attribute/item-attribute
    adjacency, and no edge from an interaction variable into an attribute.
    """

    tiers: Mapping[str, int] = field(default_factory=dict)
    required: tuple[tuple[str, str], ...] = ()
    forbidden: tuple[tuple[str, str], ...] = ()
    levels: Mapping[str, Level] = field(default_factory=dict)

    @classmethod
    def from_table(
        cls,
        table: AnalysisTable,
        variables: Sequence[str],
        *,
        use_tiers: bool = True,
        use_levels: bool = True,
        required: Iterable[tuple[str, str]] = (),
        forbidden: Iterable[tuple[str, str]] = (),
    ) -> PriorKnowledge:
        """Priors for `variables` from the table's schema plus explicit edges."""
        names = set(variables)
        req = [e for e in table.required_edges if set(e) <= names] + list(required)
        forb = [e for e in table.forbidden_edges if set(e) <= names] + list(forbidden)
        if use_levels:
            for outcome, via in table.selected().items():
                if outcome in names and via in names:
                    req.append((via, outcome))
        for u, v in [*req, *forb]:
            for n in (u, v):
                if n not in table.variables:
                    raise UnknownVariableError(n, table.variables)
        tiers = {n: t for n, t in table.tiers().items() if n in names} if use_tiers else {}
        levels = {n: table.spec(n).level for n in variables} if use_levels else {}
        return cls(
            tiers=tiers,
            required=tuple(dict.fromkeys((str(u), str(v)) for u, v in req)),
            forbidden=tuple(dict.fromkeys((str(u), str(v)) for u, v in forb)),
            levels=levels,
        )

    @property
    def empty(self) -> bool:
        """True when there is no knowledge at all."""
        return not (self.tiers or self.required or self.forbidden or self.levels)

    def forbidden_directions(self, nodes: Iterable[str]) -> set[tuple[str, str]]:
        """Every directed pair u -> v that the priors rule out among `nodes`."""
        nodes = list(nodes)
        out = set(self.forbidden)
        for u, v in itertools.permutations(nodes, 2):
            tu, tv = self.tiers.get(u), self.tiers.get(v)
            if tu is not None and tv is not None and tu > tv:
                out.add((u, v))
            lu, lv = self.levels.get(u), self.levels.get(v)
            if lu is None or lv is None:
                continue
            cross = {lu, lv} == {Level.USER, Level.ITEM}
            into_attribute = lu is Level.INTERACTION and lv is not Level.INTERACTION
            if cross or into_attribute:
                out.add((u, v))
        return out

    def validate(self, nodes: Iterable[str]) -> None:
        """Raise PriorError when the priors cannot all hold."""
        nodes = list(nodes)
        graph = nx.DiGraph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from(self.required)
        if not nx.is_directed_acyclic_graph(graph):
            cycle = nx.find_cycle(graph)
            raise PriorError(
                "the required edges form a cycle: "
                + " -> ".join([c[0] for c in cycle] + [cycle[0][0]])
            )
        banned = self.forbidden_directions(nodes)
        for u, v in self.required:
            if (u, v) in banned:
                why = "it is listed as forbidden"
                tu, tv = self.tiers.get(u), self.tiers.get(v)
                if tu is not None and tv is not None and tu > tv:
                    why = f"'{u}' is in tier {tu}, after '{v}' in tier {tv}"
                elif (u, v) not in set(self.forbidden):
                    why = "it goes against the recommender-log structure (attribute levels)"
                raise PriorError(f"required edge {u} -> {v} cannot hold: {why}")


@dataclass(frozen=True)
class DiscoveryResult:
    """A learned graph with how it was learned."""

    graph: CausalGraph
    method: Method
    variables: tuple[str, ...]
    n_bootstrap: int
    seconds: float
    n_tests: int
    priors: PriorKnowledge
    plain: bool
    notes: tuple[str, ...] = ()
    resamples: tuple[tuple[tuple[str, str], ...], ...] = ()  # each resample's edges


# ---------------------------------------------------------------------- search
def _tiered_pc_class() -> type:
    """pgmpy's PC with the separating-set tier rule fixed (max of the pair's tiers)."""
    from pgmpy.causal_discovery import PC

    class _TieredPC(PC):
        @staticmethod
        def _get_potential_sepsets(u, v, temporal_ordering, graph, lim_neighbors, neighbors=None):
            nu = set(neighbors[u]) if neighbors is not None else set(graph.neighbors(u))
            nv = set(neighbors[v]) if neighbors is not None else set(graph.neighbors(v))
            nu.discard(v)
            nv.discard(u)
            tu, tv = temporal_ordering.get(u), temporal_ordering.get(v)
            if tu is not None and tv is not None:
                limit = max(tu, tv)
                nu = {n for n in nu if temporal_ordering.get(n, limit) <= limit}
                nv = {n for n in nv if temporal_ordering.get(n, limit) <= limit}
            return set(itertools.combinations(sorted(nu, key=repr), lim_neighbors)) | set(
                itertools.combinations(sorted(nv, key=repr), lim_neighbors)
            )

    return _TieredPC


def _skeleton_pc(
    table: AnalysisTable,
    variables: Sequence[str],
    priors: PriorKnowledge,
    *,
    routing: bool,
    alpha: float,
    max_cond_vars: int,
    deadline: float | None,
) -> tuple[set[frozenset[str]], dict[frozenset[str], set[str]], set[tuple[str, str]], int]:
    """PC skeleton: adjacencies, separating sets, collider-free directed hints, test count."""
    import pandas as pd
    from pgmpy.causal_discovery import ExpertKnowledge

    from causal.independence import GTest

    test = GTest(table, variables, routing=routing, deadline=deadline)
    banned = priors.forbidden_directions(variables)
    no_adjacency = {(u, v) for u, v in banned if (v, u) in banned}
    required_pairs = {(u, v) for u, v in priors.required} | {(v, u) for u, v in priors.required}
    knowledge = ExpertKnowledge(
        forbidden_edges=no_adjacency or None, required_edges=required_pairs or None
    )
    knowledge.temporal_ordering = dict(priors.tiers)
    pc = _tiered_pc_class()(
        ci_test=test,
        significance_level=alpha,
        max_cond_vars=max_cond_vars,
        variant="stable",
        show_progress=False,
    )
    empty = pd.DataFrame(columns=list(variables))
    skeleton, sepsets = pc._build_skeleton(
        data=empty,
        variant="stable",
        ci_test=test,
        significance_level=alpha,
        max_cond_vars=max_cond_vars,
        expert_knowledge=knowledge,
        enforce_expert_knowledge=True,
        show_progress=False,
    )
    adj = {frozenset(e) for e in skeleton.edges()}
    for u, v in priors.required:
        adj.add(frozenset((u, v)))
    seps = {k: set(v) for k, v in sepsets.items()}
    return adj, seps, set(), test.n_tests


def _search_score(
    table: AnalysisTable,
    variables: Sequence[str],
    priors: PriorKnowledge,
    method: Method,
    *,
    routing: bool,
    deadline: float | None,
) -> tuple[set[frozenset[str]], set[tuple[str, str]], int]:
    """HillClimbSearch or GES with RoutedBIC; returns adjacencies and compelled directions."""
    import pandas as pd
    from pgmpy.causal_discovery import GES, ExpertKnowledge, HillClimbSearch

    from causal.independence import RoutedBIC

    banned = priors.forbidden_directions(variables)
    score = RoutedBIC(
        table, variables, routing=routing, forbidden=banned, deadline=deadline, score=SCORE
    )
    stub = pd.DataFrame(np.zeros((4, len(variables)), dtype=np.int64), columns=list(variables))
    if method is Method.HC:
        knowledge = ExpertKnowledge(
            forbidden_edges=banned or None, required_edges=set(priors.required) or None
        )
        est = HillClimbSearch(
            scoring_method=score, expert_knowledge=knowledge, return_type="dag", show_progress=False
        ).fit(stub)
        dag = est.causal_graph_
        pdag = dag.to_pdag()
    else:
        est = GES(scoring_method=score, return_type="pdag").fit(stub)
        pdag = est.causal_graph_
    adj = {frozenset((u, v)) for u, v in pdag.edges() if u != v}
    directed = {(u, v) for u, v in pdag.directed_edges}
    for u, v in priors.required:
        adj.add(frozenset((u, v)))
    return adj, directed, score.n_scores


# ---------------------------------------------------------------------- orientation
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
    from pgmpy.base import PDAG

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
        undirected = [tuple(sorted(a)) for a in adj if not _has_dir(a, directed)]
        pdag = PDAG(directed_ebunch=sorted(directed), undirected_ebunch=sorted(undirected))
        pdag.add_nodes_from(nodes)
        result = pdag.apply_meeks_rules(apply_r4=True)
        for u, v in result.directed_edges:
            if (u, v) not in directed and (v, u) not in directed and (u, v) not in banned:
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


def _has_dir(a: frozenset[str], directed: set[tuple[str, str]]) -> bool:
    u, v = tuple(a)
    return (u, v) in directed or (v, u) in directed


def _acyclic(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> bool:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return nx.is_directed_acyclic_graph(g)


# ---------------------------------------------------------------------- driver
def _learn_once(
    table: AnalysisTable,
    variables: Sequence[str],
    priors: PriorKnowledge,
    method: Method,
    *,
    routing: bool,
    alpha: float,
    max_cond_vars: int,
    deadline: float | None,
    orient_fn: OrientFn | None,
    descriptions: Mapping[str, str],
) -> tuple[list[tuple[str, str]], dict[tuple[str, str], str], int]:
    if method is Method.PC:
        adj, seps, hints, n = _skeleton_pc(
            table,
            variables,
            priors,
            routing=routing,
            alpha=alpha,
            max_cond_vars=max_cond_vars,
            deadline=deadline,
        )
        edges, how = orient(
            variables,
            adj,
            priors,
            sepsets=seps,
            directed_hints=hints,
            orient_fn=orient_fn,
            descriptions=descriptions,
        )
    else:
        adj, hints, n = _search_score(
            table, variables, priors, method, routing=routing, deadline=deadline
        )
        edges, how = orient(
            variables,
            adj,
            priors,
            directed_hints=hints,
            orient_fn=orient_fn,
            descriptions=descriptions,
        )
    return edges, how, n


def check_variables(table: AnalysisTable, variables: Sequence[str] | None) -> list[str]:
    """The discovery variables, validated: known, not constant, enough rows."""
    names = list(variables) if variables is not None else table.discovery_variables()
    for n in names:
        table.spec(n)
    if len(set(names)) != len(names):
        raise DiscoveryError("each variable may appear only once")
    if len(names) < 2:
        raise DiscoveryError(
            f"discovery needs at least 2 usable variables; this table has {names or 'none'}"
        )
    for n in names:
        spec = table.spec(n)
        if spec.n_levels < 2:
            raise DiscoveryError(f"variable '{n}' is {spec.note or 'constant'}; leave it out")
    if len(table.rows) < 20:
        raise DiscoveryError(
            f"discovery needs at least 20 logged interactions; this table has {len(table.rows)}"
        )
    return names


def discover(
    table: AnalysisTable,
    *,
    method: Method | str = Method.PC,
    variables: Sequence[str] | None = None,
    priors: PriorKnowledge | None = None,
    plain: bool = False,
    required: Iterable[tuple[str, str]] = (),
    forbidden: Iterable[tuple[str, str]] = (),
    orient_fn: OrientFn | None = None,
    alpha: float = 0.01,
    max_cond_vars: int = 4,
    n_bootstrap: int = 20,
    time_budget_s: float = 60.0,
    seed: int = 0,
    progress: bool = True,
    stability_threshold: float | None = None,
) -> DiscoveryResult:
    """Learn a CausalGraph from an AnalysisTable (see the module docstring for the steps).

    `priors` defaults to `PriorKnowledge.from_table` (tiers, schema edges, levels, selection)
    plus `required`/`forbidden`; `plain=True` uses none of it. Bootstrap resamples run while
    the time budget lasts (at most `n_bootstrap`); the main search alone must fit in it.
    `stability_threshold` (stability selection): with at least 3 resamples done, an edge of
    the main search is kept only when its adjacency appears in at least that share of them
    (prior-required edges always stay).
    """
    if stability_threshold is not None and not 0.0 < stability_threshold <= 1.0:
        raise DiscoveryError("stability_threshold must be in (0, 1]")
    started = time.monotonic()
    try:
        method = Method(method)
    except ValueError:
        raise DiscoveryError(
            f"unknown discovery method {method!r}; choose one of {[m.value for m in Method]}"
        ) from None
    names = check_variables(table, variables)
    if plain:
        priors = PriorKnowledge(required=tuple(required), forbidden=tuple(forbidden))
    elif priors is None:
        priors = PriorKnowledge.from_table(table, names, required=required, forbidden=forbidden)
    priors.validate(names)
    descriptions = {n: table.spec(n).description for n in names}
    routing = not plain
    deadline = started + time_budget_s if time_budget_s and time_budget_s > 0 else None

    from causal.progress import progress_bar

    bar = progress_bar(
        1 + max(n_bootstrap, 0),
        f"discovery ({method.value})",
        enabled=progress,
        leave=False,
        unit="fit",
    )
    from causal.independence import BudgetExceeded

    try:
        edges, how, n_tests = _learn_once(
            table,
            names,
            priors,
            method,
            routing=routing,
            alpha=alpha,
            max_cond_vars=max_cond_vars,
            deadline=deadline,
            orient_fn=orient_fn,
            descriptions=descriptions,
        )
    except BudgetExceeded:
        bar.close()
        raise DiscoveryTimeout(
            f"discovery ({method.value}) on {len(names)} variables did not finish within "
            f"{time_budget_s:.0f} s; raise the time budget or use fewer variables"
        ) from None
    bar.update(1)
    main_seconds = time.monotonic() - started
    counts: dict[tuple[str, str], int] = {}
    resampled: list[tuple[tuple[str, str], ...]] = []
    done = 0
    rng = np.random.default_rng(seed)
    notes: list[str] = []
    for _ in range(max(n_bootstrap, 0)):
        remaining = (deadline - time.monotonic()) if deadline is not None else float("inf")
        if remaining < 1.2 * main_seconds:
            notes.append(f"time budget allowed {done} of {n_bootstrap} bootstrap resamples")
            break
        sample = table.resample(rng)
        try:
            b_edges, _, _ = _learn_once(
                sample,
                names,
                priors,
                method,
                routing=routing,
                alpha=alpha,
                max_cond_vars=max_cond_vars,
                deadline=deadline,
                orient_fn=None,
                descriptions=descriptions,
            )
        except BudgetExceeded:
            notes.append(f"time budget allowed {done} of {n_bootstrap} bootstrap resamples")
            break
        for e in b_edges:
            counts[e] = counts.get(e, 0) + 1
        resampled.append(tuple(sorted(b_edges)))
        done += 1
        bar.update(1)
    bar.close()
    if stability_threshold is not None and done >= 3:
        adjacency: dict[frozenset[str], int] = {}
        for e, c in counts.items():
            adjacency[frozenset(e)] = adjacency.get(frozenset(e), 0) + c
        keep_always = set(priors.required)
        dropped = [
            e
            for e in edges
            if e not in keep_always and adjacency.get(frozenset(e), 0) / done < stability_threshold
        ]
        if dropped:
            edges = [e for e in edges if e not in dropped]
            notes.append(
                f"stability selection dropped {len(dropped)} edge(s) found in fewer than "
                f"{stability_threshold:.0%} of {done} resamples: "
                + ", ".join(f"{u} -> {v}" for u, v in dropped)
            )
    info = {
        n: NodeInfo(
            n,
            role=table.spec(n).role,
            tier=table.spec(n).tier,
            description=table.spec(n).description,
            level=table.spec(n).level.value,
        )
        for n in names
    }
    edge_info = {
        e: EdgeInfo(stability=(counts.get(e, 0) / done) if done else None, oriented_by=how[e])
        for e in edges
    }
    seconds = time.monotonic() - started
    meta: dict[str, Any] = {
        "method": method.value,
        "plain": plain,
        "alpha": alpha,
        "max_cond_vars": max_cond_vars,
        "n_bootstrap": done,
        "seconds": round(seconds, 3),
        "dataset": table.name,
    }
    graph = CausalGraph(edges, names, info=info, edge_info=edge_info, meta=meta)
    return DiscoveryResult(
        graph=graph,
        method=method,
        variables=tuple(names),
        n_bootstrap=done,
        seconds=seconds,
        n_tests=n_tests,
        priors=priors,
        plain=plain,
        notes=tuple(notes),
        resamples=tuple(resampled),
    )


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


__all__ = [
    "DiscoveryError",
    "DiscoveryResult",
    "DiscoveryTimeout",
    "Method",
    "OrientFn",
    "PriorError",
    "PriorKnowledge",
    "check_variables",
    "discover",
    "orient",
    "orientation_f1",
    "shd",
]
