"""Drawing a causal graph: Graphviz DOT text and a readable PNG.

Why a module of its own: drawing is presentation (colours, layout, matplotlib), not graph
logic; `CausalGraph.to_dot` and `CausalGraph.to_png` call into here. The functions read the
graph only through `DrawableGraph`, so this module never imports the graph's.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import networkx as nx

# Role colours for DOT and PNG (fill colour, label); unknown roles are grey.
ROLE_COLOURS: Mapping[str, str] = {
    "user_attribute": "#8ecae6",
    "item_attribute": "#b5e48c",
    "context": "#e9c46a",
    "exposure": "#f4a261",
    "treatment": "#f4a261",
    "outcome": "#e76f51",
    "latent": "#dddddd",
}
DEFAULT_COLOUR = "#cccccc"


class DrawableGraph(Protocol):
    """What drawing reads from a graph (`CausalGraph` has all of it)."""

    dag: Any

    @property
    def nodes(self) -> list[str]: ...

    @property
    def edges(self) -> list[tuple[str, str]]: ...

    def check(self, *names: str) -> None: ...

    def info(self, name: str) -> Any: ...

    def edge_info(self, u: str, v: str) -> Any: ...


def to_dot(graph: DrawableGraph, highlight_path: Sequence[str] | None = None) -> str:
    """Graphviz DOT text: nodes coloured by role, ranked by tier, a path drawn bold red."""
    hl_edges = path_edges(highlight_path)
    hl_nodes = set(highlight_path or ())
    lines = [
        "digraph causal {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for n in graph.nodes:
        i = graph.info(n)
        colour = ROLE_COLOURS.get(i.role or "", DEFAULT_COLOUR)
        label = n if i.role is None else f"{n}\\n({i.role})"
        extra = ', penwidth=3, color="#c1121f"' if n in hl_nodes else ""
        lines.append(
            f'  "{dot_escape(n)}" [label="{dot_escape(label)}", fillcolor="{colour}"{extra}];'
        )
    tiers: dict[int, list[str]] = {}
    for n, i in ((n, graph.info(n)) for n in graph.nodes):
        if i.tier is not None:
            tiers.setdefault(i.tier, []).append(n)
    for tier in sorted(tiers):
        members = " ".join(f'"{dot_escape(n)}";' for n in tiers[tier])
        lines.append(f"  {{ rank=same; {members} }}")
    for u, v in graph.edges:
        e = graph.edge_info(u, v)
        attrs = []
        if e.stability is not None:
            attrs.append(f'label="{e.stability:.2f}"')
        if (u, v) in hl_edges:
            attrs.append('color="#c1121f", penwidth=3')
        attr = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f'  "{dot_escape(u)}" -> "{dot_escape(v)}"{attr};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_png(
    graph: DrawableGraph,
    path: str | Path,
    highlight_path: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """Draw the graph to a PNG: tiers top to bottom (who people and items are, then what
    was shown, then what people did), names in boxes coloured by role, edge width by
    stability, a path in red. Rows keep the picture close to square, so it stays readable
    in a narrow panel."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if highlight_path:
        graph.check(*highlight_path)
    pos, row = layout(graph)
    hl_edges = path_edges(highlight_path)
    hl_nodes = set(highlight_path or ())
    n_rows = len(set(row.values())) or 1
    widest = max((list(row.values()).count(r) for r in set(row.values())), default=1)
    fig, ax = plt.subplots(
        figsize=(min(2.5 + 1.9 * widest, 22), min(2.0 + 1.35 * n_rows, 18)), dpi=110
    )
    drawn = nx.DiGraph(graph.dag)
    font = 10 if len(graph.nodes) <= 15 else 8
    margins = {v: 4.4 * len(v) + 12 for v in drawn.nodes}
    for same in (True, False):
        edges = [e for e in drawn.edges if (row[e[0]] == row[e[1]]) is same]
        if not edges:
            continue
        nx.draw_networkx_edges(
            drawn,
            pos,
            edgelist=edges,
            ax=ax,
            edge_color=["#c1121f" if e in hl_edges else "#777777" for e in edges],
            width=[
                3.2 if e in hl_edges else 0.8 + 1.6 * (graph.edge_info(*e).stability or 0.5)
                for e in edges
            ],
            arrows=True,
            arrowstyle="-|>",
            arrowsize=14,
            connectionstyle="arc3,rad=0.35" if same else "arc3,rad=0.08",
            min_source_margin=[margins[u] * (0.6 if same else 0.45) for u, _ in edges],
            min_target_margin=[margins[v] * (0.6 if same else 0.45) for _, v in edges],
        )
    for v, (x, y) in pos.items():
        role = graph.info(v).role
        ax.text(
            x,
            y,
            v,
            ha="center",
            va="center",
            fontsize=font,
            zorder=3,
            bbox={
                "boxstyle": "round,pad=0.45",
                "facecolor": ROLE_COLOURS.get(role or "", DEFAULT_COLOUR),
                "edgecolor": "#c1121f" if v in hl_nodes else "#333333",
                "linewidth": 2.5 if v in hl_nodes else 0.8,
            },
        )
    roles = sorted({i.role for i in (graph.info(n) for n in graph.nodes) if i.role})
    handles = [
        Patch(facecolor=ROLE_COLOURS.get(r, DEFAULT_COLOUR), label=r.replace("_", " "))
        for r in roles
    ]
    if handles:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            fontsize=9,
            frameon=False,
            ncol=min(3, len(handles)),
        )
    if title:
        ax.set_title(title)
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    ax.set_xlim(min(xs) - 1.1, max(xs) + 1.1)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.set_axis_off()
    out = Path(path)
    fig.tight_layout()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out


def layout(graph: DrawableGraph) -> tuple[dict[str, tuple[float, float]], dict[str, int]]:
    """Rows by tier (topological generation when tiers are missing), top to bottom; in a
    row, user attributes, then item attributes, then interaction variables."""
    generation: dict[str, int] = {}
    for depth, layer in enumerate(nx.topological_generations(graph.dag)):
        for v in layer:
            generation[v] = depth
    rank = {"user": 0, "item": 1, "interaction": 2}
    tier_of = {
        v: (graph.info(v).tier if graph.info(v).tier is not None else generation.get(v, 0))
        for v in graph.nodes
    }
    order = {t: k for k, t in enumerate(sorted(set(tier_of.values())))}
    row = {v: order[tier_of[v]] for v in graph.nodes}
    by_row: dict[int, list[str]] = {}
    for v in graph.nodes:
        by_row.setdefault(row[v], []).append(v)
    pos: dict[str, tuple[float, float]] = {}
    for r, members in by_row.items():
        members.sort(
            key=lambda v: (rank.get(graph.info(v).level or "", 2), generation.get(v, 0), v)
        )
        k = len(members)
        # stagger long rows so neighbouring labels don't touch
        for j, v in enumerate(members):
            offset = 0.22 if k > 4 and j % 2 else 0.0
            pos[v] = ((j - (k - 1) / 2.0) * 2.0, -r * 1.5 - offset)
    return pos, row


def path_edges(path: Sequence[str] | None) -> set[tuple[str, str]]:
    """The edges along a path, both directions (a highlighted path ignores arrow direction)."""
    if not path:
        return set()
    pairs = set(itertools.pairwise(path))
    return pairs | {(v, u) for u, v in pairs}


def dot_escape(text: str) -> str:
    """Escape a name for a quoted DOT string (keeps the two-character line break `\\n`)."""
    return (
        text.replace("\\n", "\x00").replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\n")
    )


__all__ = [
    "DEFAULT_COLOUR",
    "ROLE_COLOURS",
    "DrawableGraph",
    "dot_escape",
    "layout",
    "path_edges",
    "to_dot",
    "to_png",
]
