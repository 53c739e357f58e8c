"""The knobs of `whyrec eval all`: what to run, where, how big, and within what time budget.

`EvalAllOptions` also spells the command line that reproduces a run (every scoreboard
carries it) and gives each section's commands their time limit out of the budget.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass, replace
from pathlib import Path

from agent.evaluation.commands import ROOT, shown_path

DEFAULT_COAT_DIR = ROOT.parent / "shared" / "data" / "coat"
SECTIONS = ("dialogue", "ranking", "causal", "latency")
# Per-command limits (seconds) so that one stuck component cannot eat the whole budget.
STEP_TIMEOUT_S = {"ranking": 480, "causal": 900, "agent": 300, "api": 300}
# A section does not start with less than this left of the budget (`--budget-min`).
MIN_SECTION_S = 60.0
DEFAULT_OUT = ROOT / "benchmarks" / "results"


@dataclass(frozen=True)
class EvalAllOptions:
    """Knobs of `whyrec eval all`.

    `commands` names the `whyrec eval` subcommands of this checkout (the CLI passes them);
    a section whose command is not among them is reported as missing. None: not checked."""

    out: Path = DEFAULT_OUT
    workspaces: Path | None = None
    movielens: str = "movielens-100k"
    coat: str | None = None
    n: int = 200
    turns: int = 5
    seed: int = 0
    quick: bool = False
    rebuild: bool = False
    skip: frozenset[str] = frozenset()
    progress: bool = True
    budget_s: float = 1800.0
    deadline: float | None = None  # time.monotonic() by which everything must end
    commands: frozenset[str] | None = None

    def timeout_for(self, step: str) -> float:
        """Seconds a command of `step` may take: its own limit, cut to what the budget leaves."""
        limit = float(STEP_TIMEOUT_S[step])
        if self.deadline is not None:
            limit = min(limit, max(self.deadline - time.monotonic(), 1.0))
        return limit

    def time_left(self) -> float:
        """Seconds left in the budget (infinite without a deadline)."""
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def command(self) -> str:
        """The command line that reproduces this run."""
        parts = ["whyrec", "eval", "all", "--out", shown_path(self.out)]
        if self.workspaces is not None:
            parts += ["--workspaces", shown_path(self.workspaces)]
        parts += ["--movielens", self.movielens, "--coat", self.coat_source()]
        parts += ["--n", str(self.n), "--turns", str(self.turns), "--seed", str(self.seed)]
        if self.quick:
            parts.append("--quick")
        if self.rebuild:
            parts.append("--rebuild")
        if self.budget_s != 1800.0:
            parts += ["--budget-min", f"{self.budget_s / 60:g}"]
        for name in sorted(self.skip):
            parts += ["--skip", name]
        return shlex.join(parts)

    def coat_source(self) -> str:
        """The Coat SOURCE (default: the files beside the repository)."""
        return self.coat or f"coat:{DEFAULT_COAT_DIR}"

    def resolved(self) -> EvalAllOptions:
        """The same options with absolute folders (subprocesses run from the repository root)."""
        workspaces = None if self.workspaces is None else self.workspaces.expanduser().resolve()
        return replace(self, out=self.out.expanduser().resolve(), workspaces=workspaces)

    def workspace_root(self) -> Path:
        """Where the evaluation workspaces live (git-ignored by default)."""
        return self.workspaces or self.out / "tmp" / "eval-workspaces"

    def has_command(self, name: str) -> bool:
        """Whether `whyrec eval NAME` is in this checkout (True when not checked)."""
        return self.commands is None or name in self.commands
