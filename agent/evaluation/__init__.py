"""Evaluation of the agent and of the ranker: one front door for the CLI and benchmarks/.

The independent evaluator: `catalog_view` reads the items and the log on its own
(attributes, popularity strata, taste references), `phrases` holds the user's two disjoint
phrasing banks (dev, held-out), `simulator` the user (one new true fact a turn, never the
target's name), `baselines` the popularity and filter+popularity systems that hear the same
facts as structure, `clients` the ways to reach an agent (Python API or the OpenAI-compatible
endpoint), `dialogue_eval` the runs and their metrics. Nothing of these imports the agent's
language code.

The runs behind `whyrec eval`: `dialogue_run` (`eval dialogue`), `nlu_eval` (`eval nlu`),
`ranking_run` (`eval ranking`, and the ranking protocol of `causal` re-exported), and
`eval_all` (`eval all`: `eval_options` its knobs, `sections` one per kind of evaluation,
`commands` the subprocesses, `scoreboard` the board it writes). Import from here.
"""

from typing import TYPE_CHECKING, Any

from agent.evaluation.dialogue_run import dialogue_command, dialogue_table, run_dialogue_eval
from agent.evaluation.eval_all import build_workspaces, run_all
from agent.evaluation.eval_options import DEFAULT_OUT, SECTIONS, EvalAllOptions
from agent.evaluation.nlu_eval import evaluate_nlu
from agent.evaluation.ranking_run import (
    LAZY_NAMES,
    leave_last_out,
    long_tail_items,
    ranking_payload,
    top_n_metrics,
    unbiased_metrics,
)
from agent.evaluation.scoreboard import Figure, Scoreboard, Section, Status, machine_info, now_iso

if TYPE_CHECKING:
    from agent.evaluation.ranking_run import (
        DECONFOUNDED,
        RATING_ONLY,
        evaluate_leave_last_out,
        evaluate_on_random_log,
        popularity_on_random_log,
        popularity_recommender,
    )

__all__ = [
    "DECONFOUNDED",
    "DEFAULT_OUT",
    "RATING_ONLY",
    "SECTIONS",
    "EvalAllOptions",
    "Figure",
    "Scoreboard",
    "Section",
    "Status",
    "build_workspaces",
    "dialogue_command",
    "dialogue_table",
    "evaluate_leave_last_out",
    "evaluate_nlu",
    "evaluate_on_random_log",
    "leave_last_out",
    "long_tail_items",
    "machine_info",
    "now_iso",
    "popularity_on_random_log",
    "popularity_recommender",
    "ranking_payload",
    "run_all",
    "run_dialogue_eval",
    "top_n_metrics",
    "unbiased_metrics",
]


def __getattr__(name: str) -> Any:
    """The ranking protocol's names that bring torch, imported when first asked for."""
    if name in LAZY_NAMES:
        from agent.evaluation import ranking_run

        return getattr(ranking_run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
