"""Build and load a workspace's causal artefacts: the discovered graph and a table of key effects.

`build_causal(dataset, out_dir)` writes into `out_dir`:

    graph.json      the CausalGraph (full form: contract keys + roles, tiers, edge evidence)
    graph.dot       Graphviz text of the same graph
    graph.png       a picture (roles coloured)
    effects.json    key effects: each schema treatment and each direct cause of each outcome
    table.json      how the analysis table was made (variables, kinds, levels, notes)

and returns a small summary for the workspace manifest. `load_causal(out_dir)` reads them
back. `workspace_step(ctx)` is the workspace build step (duck-typed: anything with
`dataset`, `step_dir(name)`, `options` and `log`), so this module never imports `tools`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from causal.datasets.schema import Dataset
from causal.structure.graph import CausalGraph, GraphError

if TYPE_CHECKING:
    from causal.datasets.analysis_table import AnalysisTable
    from causal.effects.results import EffectResult

log = logging.getLogger(__name__)

GRAPH_FILE = "graph.json"
EFFECTS_FILE = "effects.json"
TABLE_FILE = "table.json"
STEP_NAME = "causal"


@dataclass(frozen=True)
class CausalArtifacts:
    """What `load_causal` returns: the graph, key effects and the table's description."""

    graph: CausalGraph
    effects: tuple[dict[str, Any], ...] = ()
    table: Mapping[str, Any] = field(default_factory=dict)
    root: Path | None = None

    def effect(self, treatment: str, outcome: str) -> dict[str, Any] | None:
        """The stored key effect of treatment on outcome, if the build computed it."""
        for item in self.effects:
            if item.get("treatment") == treatment and item.get("outcome") == outcome:
                return item
        return None


def key_effect_questions(table: Any, graph: CausalGraph, limit: int = 8) -> list[tuple[str, str]]:
    """(treatment, outcome) pairs worth precomputing: schema treatments, then direct causes."""

    def usable(n: str) -> bool:
        return n in graph and n in table.variables and table.spec(n).n_levels >= 2

    outcomes = [o for o in table.outcomes if usable(o) and table.spec(o).numeric] or [
        n for n, s in table.variables.items() if s.role == "outcome" and s.numeric and usable(n)
    ]
    treatments = [t for t in table.treatments if usable(t)] + [
        n
        for n, s in table.variables.items()
        if s.role in ("treatment", "exposure") and usable(n) and n not in table.treatments
    ]
    pairs: list[tuple[str, str]] = []
    for y in outcomes:
        sel = table.spec(y).selected_by
        for t in treatments:
            if t != y and t != sel:
                pairs.append((t, y))
        for t in graph.parents(y):
            if t != sel and (t, y) not in pairs:
                pairs.append((t, y))
    return pairs[:limit]


def key_effect(
    table: AnalysisTable,
    graph: CausalGraph,
    treatment: str,
    outcome: str,
    seed: int,
    exogenous: Iterable[str],
) -> EffectResult:
    """A key effect estimated the way `whyrec effect` and the agent estimate it on demand: on a
    learned graph with the interval widened for the graph, the outcome model and hidden
    confounding (or declined), so a stored answer is never narrower than a fresh one."""
    from causal.effects import estimate_effect
    from causal.effects.learned_graph import estimate_on_learned_graph, is_learned

    if is_learned(graph):
        return estimate_on_learned_graph(
            table, graph, treatment, outcome, seed=seed, n_boot=100, exogenous=exogenous
        )
    return estimate_effect(table, graph, treatment, outcome, seed=seed, n_boot=100)


def build_causal(
    dataset: Dataset,
    out_dir: Path,
    *,
    seed: int = 0,
    time_budget_s: float = 60.0,
    progress: bool = True,
    orient: Callable[[str, str, Mapping[str, str]], tuple[str, str] | None] | None = None,
    method: str = "pc",
    max_effects: int = 8,
    n_bootstrap: int = 20,
    say: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Discover the graph and estimate key effects for a dataset; write them into out_dir.

    Discovery gets about two thirds of the time budget (at most `n_bootstrap` stability
    resamples, fewer when the budget runs out); the key effects get the rest, each one
    skipped with a note once time is up.
    """
    from causal.datasets.analysis_table import build_analysis_table
    from causal.effects import EffectError
    from causal.structure.discovery import DiscoveryTimeout, discover
    from causal.structure.priors import DiscoveryError, PriorError

    say = say or (lambda message: None)
    started = time.monotonic()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = build_analysis_table(dataset)
    budget = max(time_budget_s * 2 / 3, 5.0)
    try:
        try:
            result = discover(
                table,
                method=method,
                orient_fn=orient,
                time_budget_s=budget,
                seed=seed,
                progress=progress,
                n_bootstrap=n_bootstrap,
            )
        except DiscoveryTimeout as exc:
            say(f"causal: {exc}; retrying with a cheaper search (conditioning sets of 2)")
            result = discover(
                table,
                method=method,
                orient_fn=orient,
                time_budget_s=budget,
                seed=seed,
                progress=progress,
                max_cond_vars=2,
                n_bootstrap=0,
            )
    except PriorError:
        raise  # the schema's own priors contradict each other: the user must fix them
    except DiscoveryError as exc:
        say(f"causal: skipped ({exc})")
        return {"skipped": str(exc)}
    graph = result.graph
    say(
        f"causal graph: {len(graph.nodes)} variables, {len(graph.edges)} edges "
        f"({result.method.value}, {result.n_bootstrap} stability resamples, {result.seconds:.1f} s)"
    )
    graph.save(out / GRAPH_FILE)
    (out / "graph.dot").write_text(graph.to_dot(), encoding="utf-8")
    try:
        graph.to_png(out / "graph.png", title=f"{dataset.name}: learned causal graph")
    except (OSError, ValueError, RuntimeError) as exc:  # a picture is nice to have, not vital
        log.warning("could not draw the graph: %s", exc)
    effects: list[dict[str, Any]] = []
    exogenous = dataset.schema.exogenous()
    deadline = started + time_budget_s
    for treatment, outcome in key_effect_questions(table, graph, max_effects):
        if time.monotonic() > deadline:
            effects.append(
                {"treatment": treatment, "outcome": outcome, "skipped": "time budget used up"}
            )
            continue
        try:
            res = key_effect(table, graph, treatment, outcome, seed, exogenous)
        except EffectError as exc:
            effects.append({"treatment": treatment, "outcome": outcome, "skipped": str(exc)})
            continue
        effects.append(res.to_dict())
    (out / EFFECTS_FILE).write_text(json.dumps(effects, indent=2), encoding="utf-8")
    summary = table.summary()
    summary["discovery"] = {
        "method": result.method.value,
        "variables": list(result.variables),
        "n_bootstrap": result.n_bootstrap,
        "seconds": round(result.seconds, 3),
        "n_tests": result.n_tests,
        "notes": list(result.notes),
    }
    (out / TABLE_FILE).write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    estimated = sum(1 for e in effects if "skipped" not in e)
    say(f"key effects: {estimated} estimated, {len(effects) - estimated} skipped")
    return {
        "variables": len(graph.nodes),
        "edges": len(graph.edges),
        "method": result.method.value,
        "n_bootstrap": result.n_bootstrap,
        "effects": estimated,
        "discovery_seconds": round(result.seconds, 3),
    }


def load_causal(out_dir: Path) -> CausalArtifacts:
    """Read what `build_causal` wrote (GraphError when the graph is missing or unreadable)."""
    root = Path(out_dir)
    graph_path = root / GRAPH_FILE
    if not graph_path.is_file():
        raise GraphError(
            f"no causal graph in {root}; build the workspace with the causal step first"
        )
    graph = CausalGraph.load(graph_path)
    effects: tuple[dict[str, Any], ...] = ()
    if (root / EFFECTS_FILE).is_file():
        try:
            effects = tuple(json.loads((root / EFFECTS_FILE).read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise GraphError(f"{root / EFFECTS_FILE} is not valid JSON: {exc}") from None
    table: dict[str, Any] = {}
    if (root / TABLE_FILE).is_file():
        try:
            table = json.loads((root / TABLE_FILE).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise GraphError(f"{root / TABLE_FILE} is not valid JSON: {exc}") from None
    return CausalArtifacts(graph=graph, effects=effects, table=table, root=root)


def effect_for_dataset(
    dataset: Dataset,
    graph: CausalGraph,
    treatment: str,
    outcome: str,
    **kwargs: Any,
):
    """`estimate_effect` on a Dataset (builds the analysis table first)."""
    from causal.datasets.analysis_table import build_analysis_table
    from causal.effects import estimate_effect

    return estimate_effect(build_analysis_table(dataset), graph, treatment, outcome, **kwargs)


def workspace_step(ctx: Any) -> dict[str, Any]:
    """Workspace build step: `build_causal` into the workspace's `causal/` folder."""
    options = ctx.options
    return build_causal(
        ctx.dataset,
        ctx.step_dir(STEP_NAME),
        seed=getattr(options, "seed", 0),
        time_budget_s=min(float(getattr(options, "time_budget_s", 60.0)), 120.0),
        progress=getattr(options, "progress", True),
        orient=getattr(options, "orient", None),
        say=getattr(ctx, "log", None),
    )


__all__ = [
    "EFFECTS_FILE",
    "GRAPH_FILE",
    "STEP_NAME",
    "TABLE_FILE",
    "CausalArtifacts",
    "build_causal",
    "effect_for_dataset",
    "key_effect_questions",
    "load_causal",
    "workspace_step",
]
