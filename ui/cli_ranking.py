"""`whyrec recommend` and `whyrec eval ranking`: the debiased ranker from the command line.

    whyrec recommend --workspace W --user U [--user U2 ...] [--query TEXT] [-k 10] [--json]
                     [--attr KEY=VALUE ...] [--like ITEM ...] [--dislike ITEM ...]
                     [--popularity-weight X] [--diversity D] [--without ITEM ...]
    whyrec eval ranking --workspace W [--json] [--no-leave-last-out]

`recommend --json` prints {"U": [{"item_id", "title", "score", "components": {...},
"counterfactual": {"without", "rank", "rank_without", "text", ...}}, ...]}; `--without ITEM`
scores as if the user had never rated or liked ITEM, so a counterfactual reason can be checked
(run again with its `without` ids: the item should be gone from the top k).
A user id the workspace does not know gets cold-start recommendations only when something is
known about them (--attr, --like or --dislike, applied to every unknown user of the call);
otherwise the command exits 2 naming the unknown id, since silently recommending for nobody
would hide a typo.

`eval ranking --json` prints {"mse", "auc", "ndcg@5", "recall@5", "n_users", ...} on the
dataset's random-exposure log (minus the slice the ranker trained its propensities on), with
null values and a "reason" when there is no such log; when the log has timestamps it adds
the temporal leave-last-out figures ("recall@10", "ndcg@10", "tail_coverage@10",
"tail_share@10") of the configuration the workspace ranks with (its score weights chosen
again on the split's own training log, under "leave_last_out") and, under "baselines",
popularity, the deconfounded ranking, the ranker with popularity added back and the rating
model alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


def parse_attributes(pairs: list[str] | None, allowed: list[str]) -> dict[str, str]:
    """KEY=VALUE options into a mapping; keys must be user attribute columns."""
    from causal.datasets.schema import closest_names

    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--attr needs KEY=VALUE, got '{pair}'")
        if key not in allowed:
            hint = closest_names(key, allowed)
            known = ", ".join(allowed) or "none"
            extra = f" (did you mean {', '.join(hint)}?)" if hint else ""
            raise ValueError(f"unknown user attribute '{key}'{extra}; attributes: {known}")
        out[key] = value.strip()
    return out


def recommend_payload(
    workspace: Path,
    users: list[str],
    *,
    query: str | None,
    k: int,
    attributes: list[str] | None,
    like: list[str] | None,
    dislike: list[str] | None,
    popularity_weight: float | None,
    diversity: float,
    without: list[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The `recommend --json` document for several users."""
    from tools.recommending import UnknownUserError, recommend_for_user
    from tools.workspace import Workspace

    if not users:
        raise ValueError("give at least one --user")
    if k < 1 or k > 1000:
        raise ValueError("-k must be between 1 and 1000")
    ws = Workspace(workspace)
    ranker = ws.ranker if ws.has_step("ranker") else None
    allowed = list(ws.dataset.user_attributes)
    attrs = parse_attributes(attributes, allowed)
    liked = [str(i) for i in like or []]
    disliked = [str(i) for i in dislike or []]
    known_items = set(ws.dataset.items["item_id"].astype(str))
    for item in liked + disliked:
        if item not in known_items:
            raise ValueError(f"unknown item id '{item}' in --like/--dislike")
    gone = [str(i) for i in without or []]
    for item in gone:
        if item not in known_items:
            raise ValueError(f"unknown item id '{item}' in --without")
    known_users = set(ws.dataset.users["user_id"].astype(str))
    if ranker is not None:
        known_users |= set(ranker.user_ids)
    out: dict[str, list[dict[str, Any]]] = {}
    for user in users:
        known = user in known_users
        if not known and not (attrs or liked or disliked):
            sample = ", ".join(sorted(known_users)[:3])
            raise UnknownUserError(
                f"unknown user '{user}' (dataset users look like {sample}); for a new user "
                "pass --attr KEY=VALUE, --like ITEM or --dislike ITEM to get cold-start "
                "recommendations"
            )
        recs = recommend_for_user(
            ws,
            user,
            query=query,
            k=k,
            liked=liked,
            disliked=disliked,
            user_attributes=None if known else attrs,
            popularity_weight=popularity_weight,
            diversity=diversity,
            without=gone,
        )
        out[user] = [r.to_dict() for r in recs]
    return out


def _print_recommendations(payload: dict[str, list[dict[str, Any]]]) -> None:
    for user, recs in payload.items():
        typer.echo(f"user {user}:")
        if not recs:
            typer.echo("  (nothing matches)")
        for rank, rec in enumerate(recs, start=1):
            comp = rec["components"]
            parts = ", ".join(f"{k} {v:.3g}" for k, v in comp.items())
            typer.echo(
                f"  {rank:2d}. {rec['title']} [{rec['item_id']}] score {rec['score']:.3f} ({parts})"
            )
            why = (rec.get("counterfactual") or {}).get("text")
            if why:
                typer.echo(f"      why: {why}")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `recommend` and `eval ranking` to the whyrec CLI."""

    @app.command("recommend")
    def recommend_command(
        workspace: Annotated[Path, typer.Option(help="Workspace folder (whyrec build).")],
        user: Annotated[list[str], typer.Option("--user", help="A user id (repeatable).")],
        query: Annotated[
            str | None, typer.Option(help="Free-text wish, e.g. 'a warm winter coat'.")
        ] = None,
        k: Annotated[int, typer.Option("-k", help="How many items per user.")] = 10,
        attr: Annotated[
            list[str] | None,
            typer.Option(help="KEY=VALUE attribute of a new user (enables cold start)."),
        ] = None,
        like: Annotated[
            list[str] | None, typer.Option(help="An item id the user liked (repeatable).")
        ] = None,
        dislike: Annotated[
            list[str] | None, typer.Option(help="An item id the user disliked (repeatable).")
        ] = None,
        popularity_weight: Annotated[
            float | None,
            typer.Option(help="Add item popularity back into the score (0 = deconfounded)."),
        ] = None,
        diversity: Annotated[
            float, typer.Option(help="0 keeps the ranker's order; up to 1 favours variety.")
        ] = 0.2,
        without: Annotated[
            list[str] | None,
            typer.Option(help="Score as if the user never rated or liked this item (repeatable)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Recommend items for one or more users with the debiased ranker."""
        from ui.cli import cli_errors, emit_json

        with cli_errors(as_json):
            payload = recommend_payload(
                workspace,
                list(user),
                query=query,
                k=k,
                attributes=attr,
                like=like,
                dislike=dislike,
                popularity_weight=popularity_weight,
                diversity=diversity,
                without=without,
            )
            if as_json:
                emit_json(payload)
            else:
                _print_recommendations(payload)

    @eval_app.command("ranking")
    def ranking_command(
        workspace: Annotated[Path, typer.Option(help="Workspace folder (whyrec build).")],
        leave_last_out: Annotated[
            bool,
            typer.Option(
                "--leave-last-out/--no-leave-last-out",
                help="Also retrain on a temporal leave-last-out split (when there are timestamps).",
            ),
        ] = True,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Offline ranking metrics: the unbiased random-exposure log, and a temporal split."""
        from ui.cli import cli_errors, emit_json

        with cli_errors(as_json):
            from agent.evaluation import ranking_payload

            payload = ranking_payload(workspace, leave_last_out=leave_last_out)
            if as_json:
                emit_json(payload)
            else:
                for key, value in payload.items():
                    typer.echo(f"{key}: {value}")
