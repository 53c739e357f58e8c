"""`whyrec eval ranking`: the debiased ranker's offline metrics, and the protocol behind them.

`ranking_payload` is the document `whyrec eval ranking --json` prints: unbiased metrics on
the dataset's random-exposure log (minus the slice the ranker trained its propensities on),
with null values and a "reason" when there is no such log; when the log has timestamps, the
temporal leave-last-out figures of the configuration the workspace ranks with (its score
weights chosen again on the split's own training log, under "leave_last_out") and, under
"baselines", popularity, the deconfounded ranking, the ranker with popularity added back and
the rating model alone. The protocol itself (the split, the metrics, the retraining) lives
with the ranker in `causal`; it is re-exported here so that callers (the CLI, benchmarks/)
reach it through the evaluation package (the part that retrains, and so imports torch, when
first used).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from causal.ranking.metrics import leave_last_out, long_tail_items, top_n_metrics, unbiased_metrics

if TYPE_CHECKING:
    from causal.ranking.evaluation import (
        DECONFOUNDED,
        RATING_ONLY,
        evaluate_leave_last_out,
        evaluate_on_random_log,
        popularity_on_random_log,
        popularity_recommender,
    )

# causal.ranking.evaluation retrains rankers (it brings torch): its names load on first use,
# so that importing the evaluation package stays light.
LAZY_NAMES = frozenset(
    {
        "DECONFOUNDED",
        "RATING_ONLY",
        "evaluate_leave_last_out",
        "evaluate_on_random_log",
        "popularity_on_random_log",
        "popularity_recommender",
    }
)

__all__ = [
    "DECONFOUNDED",
    "RATING_ONLY",
    "evaluate_leave_last_out",
    "evaluate_on_random_log",
    "leave_last_out",
    "long_tail_items",
    "popularity_on_random_log",
    "popularity_recommender",
    "ranking_payload",
    "top_n_metrics",
    "unbiased_metrics",
]


def __getattr__(name: str) -> Any:
    """The random-log and leave-last-out evaluation of `causal.ranking`, imported when asked for."""
    if name in LAZY_NAMES:
        from causal.ranking import evaluation

        return getattr(evaluation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def ranking_payload(workspace: Path, *, leave_last_out: bool = True) -> dict[str, Any]:
    """The `eval ranking --json` document."""
    from causal.ranking.evaluation import (
        evaluate_leave_last_out,
        evaluate_on_random_log,
        popularity_on_random_log,
    )
    from tools.workspace import Workspace, WorkspaceError

    ws = Workspace(workspace)
    if not ws.has_step("ranker"):
        raise WorkspaceError(
            f"{workspace} has no ranker; rebuild it with `whyrec build` (without --skip ranker)"
        )
    ranker = ws.ranker
    dataset = ws.dataset
    payload: dict[str, Any] = {
        "method": ranker.info.get("method"),
        "kind": ranker.kind.value,
        "propensity": ranker.info.get("propensity"),
    }
    payload.update(evaluate_on_random_log(ranker, dataset))
    baselines: dict[str, Any] = {}
    if dataset.random_exposure is not None and not dataset.random_exposure.empty:
        baselines["popularity"] = popularity_on_random_log(dataset, ranker)
    inter = dataset.interactions
    has_time = "timestamp" in inter.columns and inter["timestamp"].notna().any()
    if not leave_last_out:
        payload["leave_last_out_reason"] = "skipped (--no-leave-last-out)"
    elif not has_time:
        payload["leave_last_out_reason"] = "the log has no timestamps: no temporal split"
    else:
        embeddings = None  # the catalog's text embeddings, when the workspace ranker used them
        if ranker.info.get("text_features") or ranker.info.get("similarity_source") == "text":
            embeddings = ws.catalog.embeddings([str(i) for i in dataset.items["item_id"]])
        split = evaluate_leave_last_out(dataset, ranker.config, item_embeddings=embeddings)
        for name, figures in split.pop("baselines").items():
            entry = baselines.setdefault(name, {})
            if "n_users" in entry:  # keep the random log's count; the split's is below
                figures = {key: v for key, v in figures.items() if key != "n_users"}
            entry.update(figures)
        payload["leave_last_out"] = {
            "n_users": split.pop("n_users"),
            "train_rows": split.pop("train_rows"),
            "popularity_weight": split.pop("popularity_weight"),
            "weights": split.pop("weights"),
            "train_seconds": split.pop("train_seconds"),
        }
        payload.update(split)
    payload["baselines"] = baselines
    return payload
