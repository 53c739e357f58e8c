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

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from causal.datasets.analysis_table import AnalysisTable
from causal.structure.graph import CausalGraph, EdgeInfo, NodeInfo
from causal.structure.orientation import OrientFn, orient
from causal.structure.priors import DiscoveryError, PriorKnowledge
from causal.structure.search import Method, pc_skeleton, score_search


class DiscoveryTimeout(DiscoveryError):
    """The main search did not finish within the time budget."""


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
        adj, seps, hints, n = pc_skeleton(
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
        adj, hints, n = score_search(
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
    from causal.structure.independence import BudgetExceeded

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


__all__ = [
    "DiscoveryResult",
    "DiscoveryTimeout",
    "check_variables",
    "discover",
]
