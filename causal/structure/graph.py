"""CausalGraph: a pgmpy DAG plus each variable's role, tier and description, with queries.

The graph is what discovery produces and what effect estimation, explanations and the UI
read. Queries (parents, paths, d-separation, adjustment sets, Markov blanket) answer in
plain Python types; an unknown variable raises `UnknownVariableError` naming the closest
variables. Exports: the CLI's JSON contract (`to_json`), a full round-trippable form
(`to_dict`), Graphviz DOT and a readable PNG with roles coloured and a path highlighted.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from causal.datasets.schema import UnknownVariableError


def quiet_pgmpy() -> None:
    """Import pgmpy once with its deprecation warnings silenced (they are noise on the CLI)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import pgmpy.estimators  # noqa: F401  (the module that warns on import)


class GraphError(ValueError):
    """A graph that cannot be built or read: a cycle, a malformed file, a bad edge."""


@dataclass(frozen=True)
class NodeInfo:
    """What the graph knows about one variable besides its edges."""

    name: str
    role: str | None = None
    tier: int | None = None
    description: str = ""
    level: str | None = None  # "user", "item" or "interaction" when known


@dataclass(frozen=True)
class EdgeInfo:
    """Evidence behind one edge: bootstrap stability and how its direction was decided."""

    stability: float | None = None
    oriented_by: str | None = None  # "data", "prior", "orient_fn", "arbitrary", "given"


class CausalGraph:
    """A DAG over named variables with roles, tiers, descriptions and per-edge evidence."""

    def __init__(
        self,
        edges: Iterable[tuple[str, str]],
        nodes: Iterable[str] = (),
        *,
        info: Mapping[str, NodeInfo] | None = None,
        edge_info: Mapping[tuple[str, str], EdgeInfo] | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        quiet_pgmpy()
        from pgmpy.base import DAG

        edge_list = [(str(u), str(v)) for u, v in edges]
        for u, v in edge_list:
            if u == v:
                raise GraphError(f"self-loop on {u!r} is not allowed in a causal DAG")
        names = list(dict.fromkeys([*map(str, nodes), *itertools.chain.from_iterable(edge_list)]))
        probe = nx.DiGraph()
        probe.add_nodes_from(names)
        probe.add_edges_from(edge_list)
        if not nx.is_directed_acyclic_graph(probe):
            cycle = nx.find_cycle(probe)
            raise GraphError(
                "the edges form a cycle: " + " -> ".join([c[0] for c in cycle] + [cycle[0][0]])
            )
        self.dag = DAG()
        self.dag.add_nodes_from(names)
        self.dag.add_edges_from(edge_list)
        given = dict(info or {})
        self._info = {n: given.get(n, NodeInfo(n)) for n in names}
        self._edge_info = {(u, v): (edge_info or {}).get((u, v), EdgeInfo()) for u, v in edge_list}
        self.meta: dict[str, Any] = dict(meta or {})

    # ------------------------------------------------------------------ basics
    @property
    def nodes(self) -> list[str]:
        """Variables, in the order they were given."""
        return list(self._info)

    @property
    def edges(self) -> list[tuple[str, str]]:
        """Directed edges (from, to), sorted for stable output."""
        return sorted(self.dag.edges())

    def __contains__(self, name: object) -> bool:
        return name in self._info

    def __len__(self) -> int:
        return len(self._info)

    def __repr__(self) -> str:
        return f"CausalGraph({len(self.nodes)} nodes, {len(self.edges)} edges)"

    def check(self, *names: str) -> None:
        """Raise UnknownVariableError (with the closest names) for any name not in the graph."""
        for name in names:
            if name not in self._info:
                raise UnknownVariableError(name, self.nodes)

    def info(self, name: str) -> NodeInfo:
        """Role, tier, description and level of a variable."""
        self.check(name)
        return self._info[name]

    def role(self, name: str) -> str | None:
        """The variable's role (user_attribute, item_attribute, context, exposure, ...)."""
        return self.info(name).role

    def tier(self, name: str) -> int | None:
        """The variable's temporal tier (lower happens first)."""
        return self.info(name).tier

    def description(self, name: str) -> str:
        """The variable's plain-language description."""
        return self.info(name).description

    def descriptions(self) -> dict[str, str]:
        """Variable -> description for every node."""
        return {n: i.description for n, i in self._info.items()}

    def edge_info(self, u: str, v: str) -> EdgeInfo:
        """Evidence behind the edge u -> v (KeyError-free: unknown edges raise GraphError)."""
        self.check(u, v)
        if (u, v) not in self._edge_info:
            raise GraphError(f"there is no edge {u} -> {v}")
        return self._edge_info[(u, v)]

    def stability(self) -> dict[str, float]:
        """'from->to' -> share of bootstrap resamples containing the edge (edges with a value)."""
        return {
            f"{u}->{v}": round(float(self._edge_info[(u, v)].stability), 4)
            for u, v in self.edges
            if self._edge_info[(u, v)].stability is not None
        }

    # ------------------------------------------------------------------ queries
    def parents(self, name: str) -> list[str]:
        """Direct causes of a variable."""
        self.check(name)
        return sorted(self.dag.predecessors(name))

    def children(self, name: str) -> list[str]:
        """Direct effects of a variable."""
        self.check(name)
        return sorted(self.dag.successors(name))

    def ancestors(self, name: str) -> list[str]:
        """Every variable with a directed path into `name` (excluding itself)."""
        self.check(name)
        return sorted(nx.ancestors(self.dag, name))

    def descendants(self, name: str) -> list[str]:
        """Every variable reachable from `name` along directed edges (excluding itself)."""
        self.check(name)
        return sorted(nx.descendants(self.dag, name))

    def directed_paths(self, source: str, target: str, limit: int = 100) -> list[list[str]]:
        """Directed paths source -> ... -> target, shortest first (at most `limit`)."""
        self.check(source, target)
        if source == target:
            return []
        paths = itertools.islice(nx.all_simple_paths(self.dag, source, target), 10_000)
        return sorted((list(p) for p in paths), key=lambda p: (len(p), p))[:limit]

    def has_path(self, source: str, target: str) -> bool:
        """True when a directed path leads from source to target."""
        self.check(source, target)
        return source != target and nx.has_path(self.dag, source, target)

    def is_d_separated(self, x: str, y: str, given: Iterable[str] = ()) -> bool:
        """True when x and y are d-separated by the set `given`."""
        given = list(given)
        self.check(x, y, *given)
        if x == y:
            raise GraphError("d-separation needs two different variables")
        if x in given or y in given:
            raise GraphError("the conditioning set must not contain x or y")
        return bool(nx.is_d_separator(self.dag, {x}, {y}, set(given)))

    def markov_blanket(self, name: str) -> list[str]:
        """Parents, children and the children's other parents of a variable."""
        self.check(name)
        return sorted(self.dag.get_markov_blanket(name))

    def is_valid_backdoor_set(
        self, treatment: str, outcome: str, adjustment: Iterable[str]
    ) -> bool:
        """Backdoor criterion: no descendant of the treatment, and every backdoor path blocked."""
        adjustment = set(adjustment)
        self.check(treatment, outcome, *adjustment)
        if treatment == outcome or {treatment, outcome} & adjustment:
            return False
        if adjustment & set(nx.descendants(self.dag, treatment)):
            return False
        backdoor = nx.DiGraph(self.dag)
        backdoor.remove_edges_from(list(backdoor.out_edges(treatment)))
        return bool(nx.is_d_separator(backdoor, {treatment}, {outcome}, adjustment))

    def backdoor_sets(
        self,
        treatment: str,
        outcome: str,
        observed: Iterable[str] | None = None,
        max_size: int | None = None,
        limit: int = 50,
    ) -> list[list[str]]:
        """Valid backdoor adjustment sets, smallest first (within `observed` when given).

        Candidates are ancestors of treatment or outcome that are not descendants of the
        treatment; every set returned is checked against the backdoor criterion (pgmpy's
        own minimal set can return a mediator, so it is never trusted unchecked).
        """
        self.check(treatment, outcome)
        allowed = set(self.nodes) if observed is None else set(observed)
        candidates = (
            (set(nx.ancestors(self.dag, treatment)) | set(nx.ancestors(self.dag, outcome)))
            - set(nx.descendants(self.dag, treatment))
            - {treatment, outcome}
        ) & allowed
        ordered = sorted(candidates)
        top = len(ordered) if max_size is None else min(max_size, len(ordered))
        found: list[list[str]] = []
        for size in range(top + 1):
            for subset in itertools.combinations(ordered, size):
                if self.is_valid_backdoor_set(treatment, outcome, subset):
                    found.append(list(subset))
                    if len(found) >= limit:
                        return found
        return found

    def minimal_backdoor_set(
        self, treatment: str, outcome: str, observed: Iterable[str] | None = None
    ) -> list[str] | None:
        """A smallest valid backdoor set, or None when no set of observed variables works.

        Tries pgmpy's CausalInference minimal set first (validated), then the parents of the
        treatment, then a search over small candidate subsets.
        """
        self.check(treatment, outcome)
        allowed = set(self.nodes) if observed is None else set(observed)
        tried: list[list[str]] = []
        try:
            from pgmpy.inference import CausalInference

            if not self.dag.has_edge(treatment, outcome) and not self.dag.has_edge(
                outcome, treatment
            ):
                pg = CausalInference(self.dag).get_minimal_adjustment_set(treatment, outcome)
                if pg is not None:
                    tried.append(sorted(pg))
        except (ValueError, nx.NetworkXError, KeyError):
            pass
        tried.append(self.parents(treatment))
        valid = [
            s
            for s in tried
            if set(s) <= allowed and self.is_valid_backdoor_set(treatment, outcome, s)
        ]
        searched = self.backdoor_sets(treatment, outcome, observed=allowed, max_size=4, limit=1)
        valid.extend(searched)
        if not valid:
            return None
        return min(valid, key=lambda s: (len(s), s))

    def optimal_adjustment_set(
        self, treatment: str, outcome: str, observed: Iterable[str] | None = None
    ) -> list[str] | None:
        """The O-set pa(cn) minus forb (Henckel, Perkovic & Maathuis), when valid and observed.

        It gives the lowest-variance regression estimator among valid adjustment sets; None
        when the treatment has no directed path to the outcome or the set is not usable.
        """
        self.check(treatment, outcome)
        if not self.has_path(treatment, outcome):
            return None
        desc_t = set(nx.descendants(self.dag, treatment))
        anc_y = set(nx.ancestors(self.dag, outcome)) | {outcome}
        causal_nodes = (desc_t & anc_y) | ({outcome} if outcome in desc_t else set())
        forb = {treatment} | set().union(
            *(set(nx.descendants(self.dag, c)) | {c} for c in causal_nodes)
        )
        oset = set().union(*(set(self.dag.predecessors(c)) for c in causal_nodes)) - forb
        allowed = set(self.nodes) if observed is None else set(observed)
        if not oset <= allowed or not self.is_valid_backdoor_set(treatment, outcome, oset):
            return None
        return sorted(oset)

    def all_backdoor_sets(self, treatment: str, outcome: str) -> list[list[str]]:
        """Every backdoor adjustment set pgmpy's CausalInference finds, each one validated."""
        import warnings

        from pgmpy.inference import CausalInference

        self.check(treatment, outcome)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sets = CausalInference(self.dag).get_all_backdoor_adjustment_sets(
                    treatment, outcome
                )
        except (ValueError, nx.NetworkXError):
            return []
        out = [sorted(s) for s in sets if self.is_valid_backdoor_set(treatment, outcome, s)]
        return sorted(out, key=lambda s: (len(s), s))

    def frontdoor_sets(self, treatment: str, outcome: str) -> list[list[str]]:
        """Front-door adjustment sets from pgmpy's CausalInference, smallest first."""
        import warnings

        from pgmpy.inference import CausalInference

        self.check(treatment, outcome)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sets = CausalInference(self.dag).get_all_frontdoor_adjustment_sets(
                    treatment, outcome
                )
        except (ValueError, nx.NetworkXError):
            return []
        return sorted((sorted(s) for s in sets), key=lambda s: (len(s), s))

    def subgraph(self, names: Iterable[str]) -> CausalGraph:
        """The induced subgraph over `names` (roles, tiers and edge evidence kept)."""
        keep = [n for n in self.nodes if n in set(names)]
        edges = [(u, v) for u, v in self.edges if u in keep and v in keep]
        return CausalGraph(
            edges,
            keep,
            info={n: self._info[n] for n in keep},
            edge_info={e: self._edge_info[e] for e in edges},
            meta=self.meta,
        )

    # ------------------------------------------------------------------ export
    def to_json(self) -> dict[str, Any]:
        """The CLI contract: {"nodes": [...], "edges": [[from, to], ...], "stability": {...}}."""
        return {
            "nodes": list(self.nodes),
            "edges": [[u, v] for u, v in self.edges],
            "stability": self.stability(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, for saving: the contract keys plus node info, edge evidence and meta."""
        out = self.to_json()
        out["node_info"] = {
            n: {"role": i.role, "tier": i.tier, "description": i.description, "level": i.level}
            for n, i in self._info.items()
        }
        out["edge_info"] = {
            f"{u}->{v}": {"stability": e.stability, "oriented_by": e.oriented_by}
            for (u, v), e in sorted(self._edge_info.items())
        }
        out["meta"] = self.meta
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CausalGraph:
        """Rebuild a graph from `to_dict()` or the contract form of `to_json()`."""
        try:
            nodes = [str(n) for n in data.get("nodes", [])]
            edges = [(str(e[0]), str(e[1])) for e in data.get("edges", [])]
            stability = {str(k): float(v) for k, v in (data.get("stability") or {}).items()}
            node_info = data.get("node_info") or {}
            edge_info_raw = data.get("edge_info") or {}
        except (TypeError, IndexError, ValueError, AttributeError) as exc:
            raise GraphError(f"malformed graph JSON: {exc}") from None
        info = {
            n: NodeInfo(
                n,
                role=(node_info.get(n) or {}).get("role"),
                tier=(node_info.get(n) or {}).get("tier"),
                description=(node_info.get(n) or {}).get("description") or "",
                level=(node_info.get(n) or {}).get("level"),
            )
            for n in nodes
        }
        edge_info = {}
        for u, v in edges:
            raw = edge_info_raw.get(f"{u}->{v}") or {}
            share = raw.get("stability", stability.get(f"{u}->{v}"))
            edge_info[(u, v)] = EdgeInfo(
                stability=None if share is None else float(share),
                oriented_by=raw.get("oriented_by"),
            )
        return cls(edges, nodes, info=info, edge_info=edge_info, meta=data.get("meta") or {})

    @classmethod
    def from_json(cls, text: str | Mapping[str, Any]) -> CausalGraph:
        """Parse JSON text (or an already-parsed dict) from `to_json`/`to_dict`."""
        if isinstance(text, str):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise GraphError(f"graph file is not valid JSON: {exc}") from None
        else:
            data = text
        if not isinstance(data, Mapping) or "nodes" not in data or "edges" not in data:
            raise GraphError("graph JSON needs 'nodes' and 'edges'")
        return cls.from_dict(data)

    def save(self, path: str | Path) -> None:
        """Write the full form (`to_dict`) as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> CausalGraph:
        """Read a graph written by `save` (or any contract-form JSON)."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise GraphError(f"cannot read graph file {path}: {exc}") from None
        return cls.from_json(text)

    def to_dot(self, highlight_path: Sequence[str] | None = None) -> str:
        """Graphviz DOT text: nodes coloured by role, ranked by tier, a path drawn bold red."""
        from causal.structure.drawing import to_dot

        return to_dot(self, highlight_path)

    def to_png(
        self,
        path: str | Path,
        highlight_path: Sequence[str] | None = None,
        title: str | None = None,
    ) -> Path:
        """Draw the graph to a PNG (see `causal.structure.drawing.to_png`)."""
        from causal.structure.drawing import to_png

        return to_png(self, path, highlight_path=highlight_path, title=title)


__all__ = ["CausalGraph", "EdgeInfo", "GraphError", "NodeInfo", "quiet_pgmpy"]
