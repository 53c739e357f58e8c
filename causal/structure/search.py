"""The search step of discovery: PC's skeleton, or HillClimbSearch / GES with a routed score.

Why a module of its own: this is where pgmpy is driven (and where its separating-set tier
rule is fixed); it returns adjacencies and whatever directions the search itself compels,
and leaves orientation to `causal.structure.orientation`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from enum import StrEnum

import numpy as np

from causal.datasets.analysis_table import AnalysisTable
from causal.structure.priors import PriorKnowledge

SCORE = "bic"


class Method(StrEnum):
    """Structure-learning algorithms."""

    PC = "pc"
    HC = "hc"
    GES = "ges"


def tiered_pc_class() -> type:
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


def pc_skeleton(
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

    from causal.structure.independence import GTest

    test = GTest(table, variables, routing=routing, deadline=deadline)
    banned = priors.forbidden_directions(variables)
    no_adjacency = {(u, v) for u, v in banned if (v, u) in banned}
    required_pairs = {(u, v) for u, v in priors.required} | {(v, u) for u, v in priors.required}
    knowledge = ExpertKnowledge(
        forbidden_edges=no_adjacency or None, required_edges=required_pairs or None
    )
    knowledge.temporal_ordering = dict(priors.tiers)
    pc = tiered_pc_class()(
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


def score_search(
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

    from causal.structure.independence import RoutedBIC

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


__all__ = ["SCORE", "Method", "pc_skeleton", "score_search", "tiered_pc_class"]
