"""`whyrec eval nlu`: the rule backend's reading of held-out labelled sentences.

    whyrec eval nlu --workspace W [--data tests/data/nlu/heldout_v9.jsonl] [--errors] [--json]

Prints intent accuracy, slot precision/recall/F1 and the per-intent figures on the held-out
sentences of the workspace's domain (`agent.evaluation.nlu_eval`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `eval nlu` to the whyrec CLI."""

    @eval_app.command("nlu")
    def nlu(
        workspace: Annotated[Path, typer.Option(help="Workspace folder (whyrec build).")],
        data: Annotated[
            Path | None, typer.Option(help="Labelled sentences (default: the held-out set).")
        ] = None,
        errors: Annotated[
            bool, typer.Option("--errors", help="Also list every sentence read wrongly.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Intent accuracy and slot F1 of the rule parser on the held-out NLU sentences."""
        from ui.cli import cli_errors, emit_json

        with cli_errors(as_json):
            from agent.evaluation import evaluate_nlu

            payload = evaluate_nlu(workspace, data, include_errors=errors)
            if as_json:
                emit_json(payload)
                return
            typer.echo(
                f"NLU on {payload['n']} held-out sentences ({payload['domain']}): intent accuracy "
                f"{payload['intent_accuracy']:.3f}, slot F1 {payload['slot_f1']:.3f} "
                f"(precision {payload['slot_precision']:.3f}, recall {payload['slot_recall']:.3f})"
            )
            for intent, row in payload["per_intent"].items():
                typer.echo(
                    f"  {intent:<10} n={row['n']:<4} accuracy {row['accuracy']:.3f}"
                    f"  slot F1 {row['slot_f1']:.3f}"
                )
            for err in payload.get("errors", []):
                typer.echo(
                    f"- [{err['intent']}->{err['predicted']}] {err['text']!r} "
                    f"missing {err['missing']} extra {err['extra']}"
                )
