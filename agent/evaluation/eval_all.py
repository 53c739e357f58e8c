"""`whyrec eval all`: every evaluation in one run, and the scoreboard it writes.

`run_all` builds (or reuses, when complete) the MovieLens-100K and Coat workspaces, then runs
each section of `agent.evaluation.sections` (dialogue, ranking, causal, latency) and records
the exact command behind every figure.

The whole run keeps to `--budget-min` (30 by default): every command is cut off at what is
left, and a section that cannot start in time says so.
A component that is not in the repository yet is reported as missing, one that fails as
failed with its error; the board never invents a figure. Everything goes to --out
(default benchmarks/results): scoreboard.md, scoreboard.json, scoreboard.png and the
sections' own results files.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from agent.evaluation.commands import Log, quiet, shown_path
from agent.evaluation.eval_options import MIN_SECTION_S, SECTIONS, EvalAllOptions
from agent.evaluation.scoreboard import Figure, Scoreboard, Section, Status
from agent.evaluation.sections import (
    causal_section,
    dialogue_section,
    latency_section,
    ranking_section,
)


def build_workspaces(options: EvalAllOptions, log: Log) -> tuple[Section, dict[str, Path]]:
    """Build or reuse the MovieLens-100K and Coat workspaces; a section with the build times."""
    from tools.workspace import Workspace, is_workspace
    from tools.workspace_build import BUILD_STEPS, BuildOptions, build_workspace

    section = Section("workspaces", "Workspaces")
    paths: dict[str, Path] = {}
    steps = {step.name for step in BUILD_STEPS}
    started = time.perf_counter()
    failures = []
    for dataset, source in (("movielens-100k", options.movielens), ("coat", options.coat_source())):
        target = options.workspace_root() / dataset
        command = shlex.join(
            ["whyrec", "build", source, "--out", shown_path(target), "--seed", str(options.seed)]
        )
        section.commands.append(command)
        complete = is_workspace(target) and steps <= set(Workspace.open(target).steps)
        if complete and not options.rebuild:
            log(f"reusing the {dataset} workspace at {target}")
            paths[dataset] = target
            ws = Workspace.open(target)
            section.figures.append(
                Figure(
                    "build seconds (earlier run)",
                    ws.manifest.get("build_seconds"),
                    command,
                    dataset,
                )
            )
            continue
        log(f"building the {dataset} workspace at {target} ...")
        t0 = time.perf_counter()
        try:
            ws = build_workspace(
                source, target, BuildOptions(seed=options.seed, progress=options.progress), log=log
            )
        except Exception as exc:  # one dataset failing must not stop the others
            failures.append(f"{dataset}: {type(exc).__name__}: {exc}")
            log(f"could not build {dataset}: {exc}")
            continue
        paths[dataset] = target
        section.figures.append(
            Figure("build seconds", round(time.perf_counter() - t0, 1), command, dataset)
        )
        section.figures.append(Figure("items", len(ws.dataset.items), command, dataset))
    section.seconds = time.perf_counter() - started
    section.note = "built with every step: " + ", ".join(sorted(steps))
    if failures:
        section.status = Status.FAILED
        section.note = "; ".join(failures)
    return section, paths


def run_all(options: EvalAllOptions, log: Log = quiet) -> Scoreboard:
    """Every evaluation, then the scoreboard written to options.out (see the module docstring)."""
    options = replace(options.resolved(), deadline=time.monotonic() + options.budget_s)
    unknown = set(options.skip) - set(SECTIONS)
    if unknown:
        raise ValueError(
            f"unknown section(s) to skip: {sorted(unknown)}; sections are {list(SECTIONS)}"
        )
    started = time.perf_counter()
    board = Scoreboard(command=options.command())
    board.settings = {
        "dialogue": f"n={options.n if not options.quick else min(options.n, 20)}, "
        f"turns={options.turns if not options.quick else min(options.turns, 3)}, seed={options.seed}, rule backend",
        "quick": options.quick,
        "workspaces": shown_path(options.workspace_root()),
    }
    workspaces_section, workspaces = build_workspaces(options, log)
    board.sections.append(workspaces_section)
    movielens = workspaces.get("movielens-100k")
    dialogue: Section | None = None
    latency: dict[str, Any] | None = None
    for name in SECTIONS:
        if name in options.skip:
            board.sections.append(Section(name, name.title(), Status.SKIPPED, note="--skip"))
            continue
        if options.time_left() < MIN_SECTION_S:
            note = f"the time budget ({options.budget_s / 60:g} min) was used up before it started"
            board.sections.append(Section(name, name.title(), Status.SKIPPED, note=note))
            log(f"{name}: skipped, {note}")
            continue
        log(f"== {name} ==")
        if name == "dialogue":
            dialogue, latency = dialogue_section(options, workspaces, log)
            board.sections.append(dialogue)
        elif name == "ranking":
            board.sections.append(ranking_section(options, workspaces, log))
        elif name == "causal":
            board.sections.append(causal_section(options, log))
        else:
            board.sections.append(latency_section(options, movielens, dialogue, latency, log))
    board.seconds = time.perf_counter() - started
    paths = board.write(options.out)
    log("wrote " + ", ".join(str(p) for p in paths))
    return board
