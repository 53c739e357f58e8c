"""Pictures for the surfaces: the causal graph as PNG bytes and an effect chart with its CI.

matplotlib's pyplot state is global and not thread-safe, and the server renders from worker
threads, so every drawing holds `RENDER_LOCK`.
"""

from __future__ import annotations

import io
import itertools
import threading
from collections.abc import Sequence
from typing import Any

RENDER_LOCK = threading.Lock()


PANEL_COLUMNS = 3  # boxes per row: three labels fit a ~480 px panel at a readable size
PANEL_WIDTH_IN = 5.2
PANEL_DPI = 200  # drawn at twice the panel's pixels: sharp on high-density screens and zoomed
LABEL_PT = 11.5
LEVEL_ORDER = {"user": 0, "interaction": 1, "item": 2}


def panel_layout(graph: Any) -> dict[str, tuple[float, int]]:
    """Node -> (x in 0..PANEL_COLUMNS-1, row): rows by tier, then by depth in the graph; at
    most PANEL_COLUMNS to a row; who people are on the left, what items are on the right."""
    import networkx as nx

    dag = nx.DiGraph(graph.edges)
    dag.add_nodes_from(graph.nodes)
    depth: dict[str, int] = {}
    for d, layer in enumerate(nx.topological_generations(dag)):
        for v in layer:
            depth[v] = d

    def key(v: str) -> tuple[int, int]:
        tier = graph.tier(v)
        return (tier if tier is not None else depth.get(v, 0), depth.get(v, 0))

    def level(v: str) -> int:
        try:
            name = graph.info(v).level
        except (AttributeError, KeyError):
            name = None
        return LEVEL_ORDER.get(name or "", 1)

    groups: dict[tuple[int, int], list[str]] = {}
    for v in graph.nodes:
        groups.setdefault(key(v), []).append(v)
    layout: dict[str, tuple[float, int]] = {}
    row = 0
    for group_key in sorted(groups):
        members = sorted(groups[group_key], key=lambda v: (level(v), v))
        for start in range(0, len(members), PANEL_COLUMNS):
            chunk = members[start : start + PANEL_COLUMNS]
            for x, v in zip(_slots([level(v) for v in chunk]), chunk, strict=True):
                layout[v] = (x, row)
            row += 1
    return layout


def _slots(levels: list[int]) -> list[float]:
    """x positions for one row: a lone user-side box sits left, a lone item-side box right."""
    n = len(levels)
    if n == PANEL_COLUMNS:
        return [float(i) for i in range(n)]
    if n == 1:
        return [float(levels[0])]  # user 0, interaction/other 1 (centre), item 2
    if levels[0] < levels[-1]:
        return [0.0, 2.0] if n == 2 else [float(i) for i in range(n)]
    return [0.5 + i for i in range(n)]


def _label(name: str) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(name.replace("_", " "), 14)) or name


def graph_png(
    graph: Any, highlight_path: Sequence[str] | None = None, title: str | None = None
) -> bytes:
    """PNG bytes of a CausalGraph laid out for a narrow panel: three boxes to a row, labels
    large enough to read at ~480 px, arrows from cause to effect, `highlight_path` in red
    (the rest faded) when there is one."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from causal.structure.drawing import ROLE_COLOURS

    layout = panel_layout(graph)
    n_rows = max((r for _, r in layout.values()), default=0) + 1
    path = list(highlight_path or [])
    on_path = set(path)
    path_edges = set(itertools.pairwise(path))
    fade = 0.35 if path else 1.0
    stability = graph.stability() if hasattr(graph, "stability") else {}
    with RENDER_LOCK:
        height = 0.45 + 0.95 * n_rows + (0.35 if title else 0.0)
        fig = Figure(figsize=(PANEL_WIDTH_IN, height), dpi=PANEL_DPI)
        ax = fig.add_axes((0.0, 0.07 * 2.2 / height, 1.0, 1.0 - 0.07 * 2.2 / height))
        ax.set_xlim(-0.62, PANEL_COLUMNS - 0.38)
        ax.set_ylim(-(n_rows - 1) - 0.5, 0.5)
        ax.set_axis_off()
        boxes: dict[str, Any] = {}
        for v, (x, row) in layout.items():
            role = graph.role(v) if hasattr(graph, "role") else None
            highlighted = v in on_path
            text = ax.text(
                x,
                -row,
                _label(v),
                ha="center",
                va="center",
                fontsize=LABEL_PT,
                zorder=3,
                alpha=1.0 if highlighted or not path else 0.55,
                bbox={
                    "boxstyle": "round,pad=0.35",
                    "facecolor": ROLE_COLOURS.get(role or "", "#cccccc"),
                    "edgecolor": "#c1121f" if highlighted else "#444444",
                    "linewidth": 2.6 if highlighted else 0.8,
                    "alpha": 1.0 if highlighted or not path else fade + 0.2,
                },
            )
            boxes[v] = text
        fig.canvas.draw()  # box sizes exist only after a draw; arrows clip to them
        for u, v in graph.edges:
            if u not in layout or v not in layout:
                continue
            (x0, r0), (x1, r1) = layout[u], layout[v]
            hot = (u, v) in path_edges
            share = stability.get(f"{u}->{v}")
            width = 3.0 if hot else 0.7 + 1.5 * (share if share is not None else 0.5)
            same_row = r0 == r1
            skip = abs(r1 - r0) > 1 and abs(x1 - x0) < 0.6  # would run through boxes between
            rad = 0.35 if same_row else (0.3 if skip else 0.08)
            ax.annotate(
                "",
                xy=(x1, -r1),
                xytext=(x0, -r0),
                zorder=4 if hot else 2,
                arrowprops={
                    "arrowstyle": "-|>,head_length=0.7,head_width=0.35",
                    "color": "#c1121f" if hot else "#555555",
                    "alpha": 1.0 if hot or not path else fade,
                    "linewidth": width,
                    "connectionstyle": f"arc3,rad={rad}",
                    "patchA": boxes[u].get_bbox_patch(),
                    "patchB": boxes[v].get_bbox_patch(),
                    "shrinkA": 2,
                    "shrinkB": 3,
                },
            )
        roles = sorted({r for v in layout if (r := graph.role(v)) is not None})
        if roles:
            handles = [
                Patch(facecolor=ROLE_COLOURS.get(r, "#cccccc"), label=r.replace("_", " "))
                for r in roles
            ]
            fig.legend(
                handles=handles,
                loc="lower center",
                fontsize=9,
                frameon=False,
                ncol=min(4, len(handles)),
                handlelength=1.2,
                columnspacing=1.0,
            )
        if title:
            fig.suptitle(title, fontsize=11)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def effect_png(effect: dict[str, Any]) -> bytes:
    """A small chart of one effect estimate: the point, its confidence interval and zero."""
    from matplotlib.figure import Figure

    treatment = effect.get("treatment") or "treatment"
    outcome = effect.get("outcome") or "outcome"
    estimate = effect.get("estimate")
    low, high = effect.get("ci_low"), effect.get("ci_high")
    with RENDER_LOCK:
        fig = Figure(figsize=(6.0, 2.4), dpi=110)
        ax = fig.subplots()
        value = effect.get("treatment_value")
        cause = f"{treatment} = {value}" if value not in (None, "") else treatment
        control = effect.get("control_value")
        versus = f" (vs {control})" if control not in (None, "") else ""
        ax.set_title(f"Effect of {cause}{versus} on {outcome}"[:90], fontsize=10)
        if not effect.get("identified", estimate is not None) or estimate is None:
            reason = effect.get("reason") or effect.get("summary") or "no estimate"
            ax.text(
                0.5,
                0.5,
                f"not identified: {reason}"[:160],
                ha="center",
                va="center",
                wrap=True,
                fontsize=9,
            )
            ax.set_axis_off()
        else:
            lo = low if low is not None else estimate
            hi = high if high is not None else estimate
            colour = "#2a9d8f" if lo > 0 else "#c1121f" if hi < 0 else "#6c757d"
            ax.errorbar(
                [estimate],
                [0],
                xerr=[[estimate - lo], [hi - estimate]],
                fmt="o",
                color=colour,
                ecolor=colour,
                elinewidth=3,
                capsize=8,
                markersize=9,
            )
            ax.axvline(0.0, color="#333333", linewidth=1, linestyle="--")
            span = max(abs(lo), abs(hi), abs(estimate), 1e-9)
            ax.set_xlim(min(lo, 0.0) - 0.25 * span, max(hi, 0.0) + 0.25 * span)
            ax.set_yticks([])
            label = f"{estimate:+.3f}"
            if low is not None and high is not None:
                label += f"  (95% CI {low:+.3f} to {high:+.3f})"
            ax.set_xlabel(label, fontsize=9)
            method = effect.get("method")
            if method:
                ax.text(
                    0.99,
                    0.95,
                    str(method),
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=7,
                    color="#555555",
                )
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()
