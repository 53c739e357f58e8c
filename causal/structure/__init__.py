"""Causal structure: CausalGraph (a pgmpy DAG with roles, tiers and queries), conditional
independence tests and scores, and discovery (priors -> search -> orientation -> stability)."""

from causal.structure.discovery import DiscoveryResult, DiscoveryTimeout, check_variables, discover
from causal.structure.graph import CausalGraph, EdgeInfo, GraphError, NodeInfo
from causal.structure.metrics import orientation_f1, shd
from causal.structure.orientation import OrientFn, orient
from causal.structure.priors import DiscoveryError, PriorError, PriorKnowledge
from causal.structure.search import Method

__all__ = [
    "CausalGraph",
    "DiscoveryError",
    "DiscoveryResult",
    "DiscoveryTimeout",
    "EdgeInfo",
    "GraphError",
    "Method",
    "NodeInfo",
    "OrientFn",
    "PriorError",
    "PriorKnowledge",
    "check_variables",
    "discover",
    "orient",
    "orientation_f1",
    "shd",
]
