"""Pictures for the surfaces: the causal graph as PNG bytes and an effect chart with its CI.

matplotlib's pyplot state is global and not thread-safe, and the server renders from worker
threads, so every drawing holds `RENDER_LOCK`.
"""

from __future__ import annotations

import io
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RENDER_LOCK = threading.Lock()


def graph_png(
    graph: Any, highlight_path: Sequence[str] | None = None, title: str | None = None
) -> bytes:
    """PNG bytes of a CausalGraph, `highlight_path` drawn in red."""
    with tempfile.TemporaryDirectory(prefix="whyrec-graph-") as tmp:
        out = Path(tmp) / "graph.png"
        with RENDER_LOCK:
            graph.to_png(
                out, highlight_path=list(highlight_path) if highlight_path else None, title=title
            )
        return out.read_bytes()


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
