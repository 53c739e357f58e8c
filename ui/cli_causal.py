"""`whyrec graph` and `whyrec effect`: the workspace's causal graph and effect estimates.

    whyrec graph --workspace W [--format json|dot|png] [--out FILE] [--highlight A --highlight B]
    whyrec effect --workspace W --treatment T --outcome Y [--treatment-value A --control-value B]
                  [--given COL=VAL ...] [--method auto|aipw|ipw|regression|stratified|naive|bn_do]
                  [--json]

`graph --format json` prints exactly {"nodes", "edges", "stability"}; `effect --json` prints
exactly the contract's keys. Bad input (unknown variable, a value that does not occur, a
workspace without a graph) exits 2 with a message naming the problem.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class GraphFormat(StrEnum):
    """Output formats of `whyrec graph`."""

    JSON = "json"
    DOT = "dot"
    PNG = "png"


def _open_graph(workspace: Path):
    from tools.workspace import Workspace, WorkspaceError

    ws = Workspace(workspace)
    graph = ws.graph
    if graph is None:
        raise WorkspaceError(
            f"{workspace} has no causal graph; rebuild it with `whyrec build` (causal step)"
        )
    return ws, graph


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `graph` and `effect` to the whyrec CLI."""

    @app.command("graph")
    def graph_command(
        workspace: Annotated[Path, typer.Option(help="Workspace folder (whyrec build).")],
        fmt: Annotated[
            GraphFormat, typer.Option("--format", help="json (the contract), dot or png.")
        ] = GraphFormat.JSON,
        out: Annotated[
            Path | None,
            typer.Option(help="Where to write the PNG (default: W/causal/graph.png)."),
        ] = None,
        highlight: Annotated[
            list[str] | None,
            typer.Option(help="A path to draw in red, one variable per option, in order."),
        ] = None,
    ) -> None:
        """Print the learned causal graph (JSON or DOT) or draw it to a PNG."""
        from ui.cli import cli_errors, emit_json, say

        with cli_errors(fmt is GraphFormat.JSON):
            ws, graph = _open_graph(workspace)
            path = list(highlight or [])
            if path:
                graph.check(*path)
            if fmt is GraphFormat.JSON:
                emit_json(graph.to_json())
            elif fmt is GraphFormat.DOT:
                typer.echo(graph.to_dot(highlight_path=path or None), nl=False)
            else:
                target = out or ws.root / "causal" / "graph.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                graph.to_png(target, highlight_path=path or None, title=ws.name)
                say(f"graph drawn to {target}")
                typer.echo(str(target))

    @app.command("effect")
    def effect_command(
        workspace: Annotated[Path, typer.Option(help="Workspace folder (whyrec build).")],
        treatment: Annotated[str, typer.Option(help="The variable to change.")],
        outcome: Annotated[str, typer.Option(help="The variable it may affect.")],
        treatment_value: Annotated[
            str | None, typer.Option(help="Value to set (default: 1, upper quartile or top level).")
        ] = None,
        control_value: Annotated[
            str | None,
            typer.Option(help="Value to compare with (default: 0, lower quartile, rest)."),
        ] = None,
        given: Annotated[
            list[str] | None,
            typer.Option(help="Subgroup COL=VAL (repeatable; numeric ranges like age=25-34)."),
        ] = None,
        method: Annotated[
            str,
            typer.Option(
                help="auto, aipw, ipw, adjustment, regression, stratified, naive, bn_do, piecewise (a dose)."
            ),
        ] = "auto",
        seed: Annotated[int, typer.Option(help="Seed for the bootstrap and refutations.")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="Print the contract JSON.")] = False,
    ) -> None:
        """Estimate the causal effect of a treatment on an outcome (identify, estimate, refute)."""
        from ui.cli import cli_errors, emit_json

        with cli_errors(as_json):
            from causal.effects import parse_given

            subgroup = parse_given(given or [])
            ws, _ = _open_graph(workspace)
            result = ws.estimate_effect(
                treatment,
                outcome,
                treatment_value=treatment_value,
                control_value=control_value,
                given=subgroup,
                method=method,
                seed=seed,
            )
            if as_json:
                emit_json(result.to_json())
                return
            typer.echo(result.summary)
            if result.identified:
                typer.echo(f"  reason: {result.reason}")
                for ref in result.refutations:
                    mark = "passed" if ref.passed else "FAILED"
                    typer.echo(f"  {ref.name}: {mark} - {ref.detail}")
                for note in result.notes:
                    typer.echo(f"  note: {note}")
