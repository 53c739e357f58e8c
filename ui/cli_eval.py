"""`whyrec eval dialogue` (simulated users against the agent) and `whyrec eval all` (the scoreboard).

    whyrec eval dialogue --workspace W [--n 200] [--turns 5] [--seed 0] [--llm rule]
                         [--sampling interaction|uniform|both] [--bank heldout|dev]
                         [--endpoint http://127.0.0.1:7860] [--transcripts FILE] [--json]
    whyrec eval all [--out benchmarks/results] [--quick] [--movielens SOURCE] [--coat SOURCE]

`dialogue` prints the hit rates within N turns, average turns to success, grounding rate and
per-turn latency for the agent and for the popularity and filter+popularity baselines held
to the same simulated users and exposure in the same run, for all targets and per
popularity stratum (head, torso, tail). `all` builds (or reuses) the MovieLens-100K and Coat workspaces, runs dialogue, ranking,
causal and latency evaluations and writes benchmarks/results/scoreboard.{md,json,png}.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def eval_commands(eval_app: typer.Typer) -> frozenset[str]:
    """The `whyrec eval` subcommands registered in this checkout (the board reports the
    others as missing)."""
    names = set()
    for command in eval_app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        names.add(name.replace("_", "-"))
    return frozenset(names)


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `eval dialogue` and `eval all` to the whyrec CLI."""

    @eval_app.command("dialogue")
    def dialogue(
        workspace: Annotated[Path, typer.Option(help="Workspace folder (whyrec build).")],
        n: Annotated[int, typer.Option("--n", min=1, help="Number of simulated dialogues.")] = 200,
        turns: Annotated[int, typer.Option(min=1, help="Agent replies allowed per dialogue.")] = 5,
        seed: Annotated[int, typer.Option(help="Seed for targets and the users' wording.")] = 0,
        k: Annotated[int, typer.Option("-k", min=1, help="Success: the target in the top k.")] = 10,
        sampling: Annotated[
            str,
            typer.Option(
                help="Targets: 'interaction' (a random positive interaction, popularity-"
                "weighted), 'uniform' items, or 'both' (two draws in one run)."
            ),
        ] = "interaction",
        bank: Annotated[
            str,
            typer.Option(
                help="The simulated users' phrasing: 'heldout' (for reported figures) or 'dev'."
            ),
        ] = "heldout",
        stratify: Annotated[
            bool,
            typer.Option(
                "--stratify/--no-stratify",
                help="Draw a third of the targets from each of head, torso and tail.",
            ),
        ] = True,
        llm: Annotated[
            str | None,
            typer.Option(
                help="In-process backend: rule, openai:URL[#MODEL], hf:MODEL (default rule)."
            ),
        ] = None,
        endpoint: Annotated[
            str | None,
            typer.Option(
                help="Talk to a running `whyrec serve` at this URL (OpenAI endpoint) instead; "
                "--workspace must be the one it serves."
            ),
        ] = None,
        api_key: Annotated[
            str | None, typer.Option(help="API key for --endpoint.", envvar="WHYREC_API_KEY")
        ] = None,
        transcripts: Annotated[
            Path | None, typer.Option(help="Write every dialogue as JSON lines to this file.")
        ] = None,
        progress: Annotated[
            bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
        ] = True,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Simulated users look for hidden items; hit@1/5/10 within N turns against baselines."""
        from ui.cli import cli_errors, emit_json, say

        with cli_errors(as_json):
            from agent.evaluation import dialogue_table, run_dialogue_eval

            payload = run_dialogue_eval(
                workspace,
                n=n,
                turns=turns,
                seed=seed,
                k=k,
                sampling=sampling,
                bank=bank,
                stratify=stratify,
                llm=llm,
                endpoint=endpoint,
                api_key=api_key,
                transcripts=transcripts,
                progress=progress,
                log=say,
            )
            if as_json:
                emit_json(payload)
            else:
                for line in dialogue_table(payload):
                    typer.echo(line)

    @eval_app.command("all")
    def eval_all(
        out: Annotated[
            Path | None,
            typer.Option(
                help="Folder for the results and the scoreboard (default benchmarks/results)."
            ),
        ] = None,
        workspaces: Annotated[
            Path | None,
            typer.Option(help="Where the evaluation workspaces are built (default under --out)."),
        ] = None,
        movielens: Annotated[
            str, typer.Option(help="SOURCE for MovieLens-100K (movielens-100k[:PATH]).")
        ] = "movielens-100k",
        coat: Annotated[
            str | None,
            typer.Option(
                help="SOURCE for Coat (default coat:../shared/data/coat beside the repo)."
            ),
        ] = None,
        n: Annotated[int, typer.Option("--n", min=1, help="Simulated dialogues.")] = 200,
        turns: Annotated[int, typer.Option(min=1, help="Agent replies per dialogue.")] = 5,
        seed: Annotated[int, typer.Option(help="Seed for every evaluation.")] = 0,
        quick: Annotated[
            bool,
            typer.Option(
                "--quick", help="Small sizes everywhere (a smoke run; figures are not comparable)."
            ),
        ] = False,
        budget_min: Annotated[
            float,
            typer.Option(
                min=1, help="Minutes for the whole run; commands are cut off to stay within it."
            ),
        ] = 30.0,
        rebuild: Annotated[
            bool, typer.Option("--rebuild", help="Rebuild the workspaces even if they exist.")
        ] = False,
        skip: Annotated[
            list[str] | None,
            typer.Option(help="Leave out a section: dialogue, ranking, causal, latency."),
        ] = None,
        progress: Annotated[
            bool, typer.Option("--progress/--no-progress", help="Show progress bars.")
        ] = True,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the scoreboard as JSON.")
        ] = False,
    ) -> None:
        """Run every evaluation and write benchmarks/results/scoreboard.{md,json,png}."""
        from ui.cli import cli_errors, emit_json, say

        with cli_errors(as_json):
            from agent.evaluation import DEFAULT_OUT, EvalAllOptions, run_all

            options = EvalAllOptions(
                out=out or DEFAULT_OUT,
                workspaces=workspaces,
                movielens=movielens,
                coat=coat,
                n=n,
                turns=turns,
                seed=seed,
                quick=quick,
                rebuild=rebuild,
                skip=frozenset(skip or ()),
                budget_s=budget_min * 60,
                progress=progress,
                commands=eval_commands(eval_app),
            )
            board = run_all(options, log=say)
            if as_json:
                emit_json(board.to_json())
            else:
                typer.echo(board.markdown())
