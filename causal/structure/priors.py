"""Prior knowledge for discovery: tiers, required and forbidden edges, recommender-log levels.

Why a module of its own: the priors are what a user (or the data contract) knows before any
test runs; both the search and the orientation read them, and `PriorKnowledge.validate`
rejects priors that cannot all hold before any time is spent searching.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

from causal.datasets.analysis_table import AnalysisTable
from causal.datasets.schema import UnknownVariableError
from causal.datasets.variables import Level


class DiscoveryError(ValueError):
    """Discovery cannot run on this input (too few rows or variables, unknown names)."""


class PriorError(DiscoveryError):
    """Prior knowledge that cannot hold: a cycle, or an edge both required and forbidden."""


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


__all__ = ["DiscoveryError", "PriorError", "PriorKnowledge"]
