"""The workspace's causal model as the surfaces show it: graph JSON/DOT/PNG and effect estimates.

The graph is `Workspace.graph` and estimates come from `Workspace.estimate_effect`, the same
objects the agent's tools use. A workspace built without the causal step answers 503 with a hint.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ui.charts import effect_png, graph_png
from ui.errors import NotFound, Unavailable
from ui.payloads import to_jsonable

if TYPE_CHECKING:
    from tools.protocols import Workspace

EFFECT_CACHE_SIZE = 128


class CausalView:
    """Graph and effects of one workspace, for the REST API, the web UI and MCP."""

    def __init__(self, workspace: Workspace | None) -> None:
        self.workspace = workspace
        self._lock = threading.Lock()
        self._graph: Any = None
        self._effects: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def reset(self, workspace: Workspace | None) -> None:
        """Serve another (rebuilt) workspace: drop the loaded graph and cached effects."""
        with self._lock:
            self.workspace = workspace
            self._graph = None
            self._effects.clear()

    def graph(self) -> Any:
        """The workspace's CausalGraph (loaded once)."""
        with self._lock:
            if self._graph is None:
                self._graph = _load_causal(self.workspace)
            return self._graph

    def _check_path(self, path: Sequence[str] | None) -> list[str] | None:
        if not path:
            return None
        graph = self.graph()
        unknown = [p for p in path if p not in graph]
        if unknown:
            raise NotFound(
                f"unknown variable(s) {unknown} in highlight; the graph has {sorted(graph.nodes)}",
                param="highlight",
                code="unknown_variable",
            )
        return list(path)

    def graph_json(self) -> dict[str, Any]:
        """`{"nodes", "edges", "stability", ...}` as `whyrec graph --format json` prints it."""
        return to_jsonable(self.graph().to_json())

    def graph_dot(self, highlight_path: Sequence[str] | None = None) -> str:
        """Graphviz DOT text, a path drawn bold."""
        return self.graph().to_dot(highlight_path=self._check_path(highlight_path))

    def graph_png(self, highlight_path: Sequence[str] | None = None) -> bytes:
        """PNG bytes, a path drawn in red."""
        return graph_png(self.graph(), self._check_path(highlight_path))

    def effect(
        self,
        treatment: str,
        outcome: str,
        treatment_value: Any = None,
        control_value: Any = None,
        given: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An effect estimate as JSON (the `whyrec effect --json` shape)."""
        graph = self.graph()
        for name, param in ((treatment, "treatment"), (outcome, "outcome")):
            if name not in graph:
                raise NotFound(
                    f"unknown variable '{name}'; the graph has {sorted(graph.nodes)}",
                    param=param,
                    code="unknown_variable",
                )
        key = json.dumps(
            [treatment, outcome, treatment_value, control_value, given], sort_keys=True, default=str
        )
        with self._lock:
            if key in self._effects:
                self._effects.move_to_end(key)
                return dict(self._effects[key])
        result = _estimate(
            self.workspace, treatment, outcome, treatment_value, control_value, given
        )
        data = to_jsonable(result)
        if not isinstance(data, dict):
            data = {"result": data}
        data.setdefault("treatment", treatment)
        data.setdefault("outcome", outcome)
        with self._lock:
            self._effects[key] = data
            while len(self._effects) > EFFECT_CACHE_SIZE:
                self._effects.popitem(last=False)
        return dict(data)

    def stored_effect(self, treatment: str, outcome: str) -> dict[str, Any] | None:
        """The effect the workspace build precomputed for this pair, if any (no estimation)."""
        try:
            artifacts = getattr(self.workspace, "causal", None)
            found = artifacts.effect(treatment, outcome) if artifacts is not None else None
        except (AttributeError, OSError, ValueError):
            return None
        if not found:
            return None
        data = to_jsonable(found)
        data.setdefault("treatment", treatment)
        data.setdefault("outcome", outcome)
        return data

    def effect_png(self, effect: dict[str, Any]) -> bytes:
        """A chart of an effect estimate with its confidence interval."""
        return effect_png(effect)


def _load_causal(workspace: Workspace | None) -> Any:
    """The workspace's CausalGraph (`Workspace.graph`); 503 when the build made none."""
    if workspace is None:
        raise Unavailable("no workspace is loaded", code="no_workspace")
    try:
        graph = getattr(workspace, "graph", None)
    except (FileNotFoundError, ValueError) as exc:
        raise Unavailable(
            f"the workspace's causal graph cannot be read: {exc}", code="no_causal"
        ) from None
    if graph is None:
        raise Unavailable(
            "this workspace has no causal graph; rebuild it with `whyrec build` (causal step)",
            code="no_causal",
        )
    return graph


def _estimate(
    causal: Any,
    treatment: str,
    outcome: str,
    treatment_value: Any,
    control_value: Any,
    given: dict[str, Any] | None,
) -> Any:
    """An effect estimate through the workspace (identify, estimate, refute)."""
    return causal.estimate_effect(
        treatment,
        outcome,
        treatment_value=treatment_value,
        control_value=control_value,
        given=dict(given or {}),
    )
