"""The sections of the scoreboard, one per kind of evaluation, each with the commands behind it.

- dialogue: simulated users against the rule backend on MovieLens-100K (targets from
  positive interactions: the issue's figure; outside --quick also drawn uniformly: the long
  tail) and on Coat, each with the popularity and one-shot retrieval baselines in the same run;
- ranking: `whyrec eval ranking --workspace W --json` on Coat and MovieLens-100K;
- causal: `python benchmarks/causal.py` (SHD, effect error, with its own targets and ratios);
- latency: the dialogue run's per-turn latency, `python benchmarks/agent.py` (per-turn
  overhead) and `python benchmarks/api.py` (HTTP, concurrent sessions).

A component that is not in the repository is reported as missing, one that fails as failed
with its error; a section never invents a figure.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from agent.evaluation.commands import (
    ROOT,
    Log,
    display_command,
    run_command,
    script_flags,
    shown_path,
    whyrec_argv,
    write_result,
)
from agent.evaluation.dialogue_run import dialogue_command, run_dialogue_eval
from agent.evaluation.eval_options import EvalAllOptions
from agent.evaluation.scoreboard import Figure, Section, Status


def _section_failed(section: Section, message: str, log: Log) -> Section:
    """Mark `section` failed with `message` (logged); no figure is filled in."""
    section.status = Status.FAILED
    section.note = message
    log(f"{section.name}: failed: {message}")
    return section


def flatten_numbers(payload: Any, prefix: str = "", depth: int = 3) -> dict[str, float]:
    """Numeric leaves of a JSON document as {"a.b.c": value} (lists indexed by a name field)."""
    out: dict[str, float] = {}
    if depth < 0:
        return out
    if isinstance(payload, bool):
        return out
    if isinstance(payload, int | float):
        out[prefix] = float(payload)
        return out
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_numbers(value, name, depth - 1))
    elif isinstance(payload, list):
        for index, value in enumerate(payload[:50]):
            label = str(index)
            if isinstance(value, Mapping):
                for key in ("name", "dataset", "method", "backend", "estimator", "graph"):
                    if isinstance(value.get(key), str):
                        label = value[key]
                        break
            name = f"{prefix}.{label}" if prefix else label
            out.update(flatten_numbers(value, name, depth - 1))
    return out


# Issue 7's targets for the rule backend on MovieLens-100K.
TARGET_HIT10 = 0.5
TARGET_RATIO_VS_POPULARITY = 3.0


def dialogue_section(
    options: EvalAllOptions, workspaces: Mapping[str, Path], log: Log
) -> tuple[Section, dict[str, Any] | None]:
    """Simulated users against the rule backend, baselines in the same run.

    MovieLens-100K with targets from positive interactions is the headline; outside
    --quick the board adds MovieLens-100K with uniformly drawn targets (the long tail) and
    Coat. Returns the section and the first run's per-turn latency (for the latency section)."""
    section = Section("dialogue", "Dialogue (simulated users)")
    movielens = workspaces.get("movielens-100k")
    if movielens is None:
        return _section_failed(section, "no MovieLens-100K workspace", log), None
    n, turns = (
        (min(options.n, 20), min(options.turns, 3)) if options.quick else (options.n, options.turns)
    )
    runs: list[tuple[str, Path, str]] = [("movielens-100k", movielens, "interaction")]
    if not options.quick:
        runs.append(("movielens-100k", movielens, "uniform"))
        if "coat" in workspaces:
            runs.append(("coat", workspaces["coat"], "interaction"))
    started = time.perf_counter()
    latency: dict[str, Any] | None = None
    notes = []
    errors = []
    for index, (dataset, workspace, sampling) in enumerate(runs):
        command = dialogue_command(
            shown_path(workspace), n, turns, options.seed, 10, sampling, "rule"
        )
        section.commands.append(command)
        log(f"dialogue: {command}")
        try:
            payload = run_dialogue_eval(
                workspace,
                n=n,
                turns=turns,
                seed=options.seed,
                sampling=sampling,
                llm="rule",
                progress=options.progress,
                log=log,
            )
        except Exception as exc:
            errors.append(f"{dataset} ({sampling}): {type(exc).__name__}: {exc}")
            log(f"dialogue: failed: {errors[-1]}")
            continue
        name = "dialogue" if index == 0 else f"dialogue-{dataset}-{sampling}"
        write_result(options.out / f"{name}.json", "dialogue", command, payload)
        label = dataset + ("" if sampling == "interaction" else f" ({sampling} targets)")
        section.figures += dialogue_figures(payload, command, label)
        if latency is None:
            latency = payload["latency_ms"]
            notes.append(_target_note(payload))
    section.seconds = time.perf_counter() - started
    notes.append(
        f"{n} dialogues per row, up to {turns} turns, success = the target in the top 10 of a "
        f"reply, seed {options.seed}; targets are the items of random positive interactions "
        "(popular items as often as people liked them) or, in the uniform rows, distinct liked "
        "items, a third from each popularity stratum (head, torso, tail); the simulated users "
        "speak from the held-out phrasing bank; both baselines meet users of the same seed, "
        "hear the same kind of facts as structure and show 10 new items a turn"
    )
    section.note = ". ".join(notes)
    if errors:
        section.status = Status.FAILED if latency is None else Status.OK
        section.note = "; ".join(errors) + ". " + section.note
    return section, latency


def dialogue_figures(payload: Mapping[str, Any], command: str, dataset: str) -> list[Figure]:
    """Hit rates of the dialogue and its baselines, then turns, grounding and the ratio."""
    system = "dialogue (rule)"
    figures = [
        Figure(m, payload[m], command, dataset, system) for m in ("hit@1", "hit@5", "hit@10")
    ]
    for name, base in payload["baselines"].items():
        figures += [
            Figure(m, base[m], command, dataset, name) for m in ("hit@1", "hit@5", "hit@10")
        ]
    for stratum, part in payload.get("strata", {}).items():
        label = f"{dataset} [{stratum} targets]"
        figures.append(Figure("hit@10", part["agent"]["hit@10"], command, label, system))
        figures += [
            Figure("hit@10", part[name]["hit@10"], command, label, name)
            for name in payload["baselines"]
        ]
    for metric in ("avg_turns", "avg_turns_all", "grounding_rate", "ratio_vs_popularity"):
        figures.append(Figure(metric, payload[metric], command, dataset, system))
    return figures


def _target_note(payload: Mapping[str, Any]) -> str:
    hit10 = payload["hit@10"]
    ratio = payload.get("ratio_vs_popularity")
    first = "met" if hit10 >= TARGET_HIT10 else "NOT met"
    if ratio is None:
        second = "n/a (popularity hit@10 is 0)" if hit10 > 0 else "NOT met"
    else:
        second = ("met" if ratio >= TARGET_RATIO_VS_POPULARITY else "NOT met") + f" ({ratio}x)"
    note = (
        f"Targets (issue 7): hit@10 within {payload['turns']} turns >= {TARGET_HIT10}: {first} "
        f"({hit10}); >= {TARGET_RATIO_VS_POPULARITY:g}x popularity in the same run: {second}"
    )
    issue11 = payload.get("issue_targets")
    if issue11:
        note += (
            f". Targets (issue 11, {payload.get('bank')} phrasing): agent hit@10 - "
            f"filter+popularity = {issue11['agent_minus_filter_hit@10']} (want >= 0.15: "
            f"{issue11['agent_vs_filter']}); tail targets {issue11['tail_hit@10']} "
            f"(want >= 0.5: {issue11['tail']})"
        )
    return note


RANKING_METRICS = (
    "mse", "auc", "ndcg@5", "recall@5", "ndcg@10", "recall@10", "tail_coverage@10",
    "tail_share@10", "n_users",
)  # fmt: skip
COUNT_METRICS = frozenset({"n_users", "n_rows", "train_rows"})


def ranking_section(options: EvalAllOptions, workspaces: Mapping[str, Path], log: Log) -> Section:
    """`whyrec eval ranking --json` on Coat and MovieLens-100K."""
    section = Section("ranking", "Ranking (debiased ranker)")
    if not options.has_command("ranking"):
        section.status = Status.MISSING
        section.note = "`whyrec eval ranking` is not in this checkout yet"
        return section
    started = time.perf_counter()
    errors: list[str] = []
    notes: list[str] = []
    for dataset in ("coat", "movielens-100k"):
        workspace = workspaces.get(dataset)
        if workspace is None:
            errors.append(f"{dataset}: no workspace")
            continue
        args = ["eval", "ranking", "--workspace", str(workspace), "--json"]
        command = display_command("whyrec", *args)
        section.commands.append(command)
        log(f"ranking: {command}")
        ran = run_command(whyrec_argv(*args), options.timeout_for("ranking"), log, cwd=ROOT)
        if not ran.ok:
            errors.append(f"{dataset}: {ran.error()}")
            continue
        try:
            payload = json.loads(ran.stdout)
        except json.JSONDecodeError:
            errors.append(f"{dataset}: the command printed no JSON")
            continue
        write_result(options.out / f"ranking-{dataset}.json", "ranking", command, payload)
        section.figures += ranking_figures(payload, dataset, command)
        notes.append(ranking_note(payload, dataset))
    section.seconds = time.perf_counter() - started
    section.note = ". ".join(n for n in notes if n)
    if errors:
        section.status = Status.FAILED
        section.note = "; ".join(errors) + (". " + section.note if section.note else "")
    return section


def ranking_figures(payload: Mapping[str, Any], dataset: str, command: str) -> list[Figure]:
    """Figures from a ranking JSON: its top-level metrics for the ranker, then one row per
    baseline; a row with nothing but counts (no metric could be computed) is left out."""
    ranker = dict(payload)
    split = payload.get("leave_last_out")
    if not ranker.get("n_users") and isinstance(split, Mapping) and split.get("n_users"):
        ranker["n_users"] = split["n_users"]  # no random log: the users of the @10 split
    rows: list[tuple[str, Mapping[str, Any]]] = [(f"ranker ({payload.get('method', '?')})", ranker)]
    baselines = payload.get("baselines")
    if isinstance(baselines, Mapping):
        rows += [(str(k), v) for k, v in baselines.items() if isinstance(v, Mapping)]
    figures = []
    for system, values in rows:
        numbers = [
            (metric, values[metric])
            for metric in RANKING_METRICS
            if isinstance(values.get(metric), int | float)
            and not isinstance(values.get(metric), bool)
        ]
        if all(metric in COUNT_METRICS for metric, _ in numbers):
            continue
        numbers = [(m, v) for m, v in numbers if not (m in COUNT_METRICS and v == 0)]
        figures += [Figure(m, v, command, dataset, system) for m, v in numbers]
    return figures


def ranking_note(payload: Mapping[str, Any], dataset: str) -> str:
    """What the ranking JSON says about which evaluation applied (no random log, no split)."""
    reasons = [str(payload[key]) for key in ("reason", "leave_last_out_reason") if payload.get(key)]
    split = payload.get("leave_last_out")
    if isinstance(split, Mapping) and split.get("n_users"):
        reasons.append(
            f"@10 metrics from a temporal leave-last-out split ({split['n_users']} users)"
        )
    return f"{dataset}: " + "; ".join(reasons) if reasons else ""


CAUSAL_WORDS = ("shd", "effect", "error", "bias", "coverage", "f1", "precision", "recall")


def causal_section(options: EvalAllOptions, log: Log) -> Section:
    """`python benchmarks/causal.py`: structure (SHD) and effect error on known-truth worlds."""
    section = Section("causal", "Causal (graph discovery, effects)")
    script = ROOT / "benchmarks" / "causal.py"
    if not script.is_file():
        section.status = Status.MISSING
        section.note = "benchmarks/causal.py is not in this checkout yet"
        return section
    out = options.out / "causal.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    flags = script_flags(script)
    args = ["benchmarks/causal.py"]
    if "--out" in flags:
        args += ["--out", str(out)]
    if options.quick and "--quick" in flags:
        args.append("--quick")
    command = display_command("python", *args)
    section.commands.append(command)
    log(f"causal: {command}")
    ran = run_command([sys.executable, *args], options.timeout_for("causal"), log, cwd=ROOT)
    section.seconds = ran.seconds
    if not ran.ok:
        return _section_failed(section, ran.error(), log)
    result_path = out if "--out" in flags else ROOT / "benchmarks" / "results" / "causal.json"
    try:
        payload = json.loads(result_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return _section_failed(section, f"no readable results at {result_path}: {exc}", log)
    section.figures += causal_figures(payload, command)
    if not section.figures:
        section.note = f"{result_path} has no SHD or effect-error figures"
    else:
        section.note = f"full results in {shown_path(result_path)}"
    return section


def causal_figures(payload: Mapping[str, Any], command: str) -> list[Figure]:
    """The benchmark's own checked targets and same-run ratios when it reports them (as
    benchmarks/causal.py does), else every figure whose name mentions SHD or an error."""
    body = payload.get("results", payload)
    figures: list[Figure] = []
    targets = body.get("targets") if isinstance(body, Mapping) else None
    if isinstance(targets, Mapping):
        for name, target in targets.items():
            if isinstance(target, Mapping) and "value" in target:
                verdict = "met" if target.get("met") else "missed"
                system = f"target {target.get('target', '')}: {verdict}".strip()
                figures.append(Figure(str(name), target["value"], command, "", system))
    ratios = body.get("ratios") if isinstance(body, Mapping) else None
    if isinstance(ratios, Mapping):
        for name, value in ratios.items():
            if isinstance(value, int | float):
                figures.append(Figure(str(name), value, command, "", "ratio in the same run"))
    return figures or headline_figures(payload, command, CAUSAL_WORDS)


def headline_figures(
    payload: Mapping[str, Any], command: str, words: Iterable[str], limit: int = 40
) -> list[Figure]:
    """Numeric figures whose name mentions one of `words` (machine and settings left out)."""
    body = payload.get("results", payload)
    flat = flatten_numbers(body, depth=5)
    figures = []
    for path, value in flat.items():
        lowered = path.lower()
        if not any(w in lowered for w in words):
            continue
        system, _, metric = path.rpartition(".")
        figures.append(Figure(metric, round(value, 4), command, "", system))
        if len(figures) >= limit:
            break
    return figures


def latency_section(
    options: EvalAllOptions,
    workspace: Path | None,
    dialogue: Section | None,
    latency: Mapping[str, Any] | None,
    log: Log,
) -> Section:
    """Per-turn latency: the dialogue run, benchmarks/agent.py and benchmarks/api.py."""
    section = Section("latency", "Latency")
    options.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if dialogue is not None and latency and dialogue.commands:
        command = dialogue.commands[0]
        for metric in ("p50", "p99"):
            section.figures.append(
                Figure(
                    f"{metric}_ms",
                    latency[metric],
                    command,
                    "movielens-100k",
                    "dialogue (rule, in process)",
                )
            )
    errors = []
    if workspace is None:
        errors.append("no MovieLens-100K workspace for the latency benchmarks")
    else:
        sessions = "4" if options.quick else "20"
        # Smaller runs than the benchmarks' defaults: their own files, so the full results
        # (benchmarks/results/agent.json, api.json) are not overwritten.
        runs = (
            (
                "agent",
                ["benchmarks/agent.py", "--datasets", "movielens-100k", "--sessions", sessions,
                 "--ml-workspace", str(workspace), "--out", str(options.out / "scoreboard-agent.json")],
            ),
            (
                "api",
                ["benchmarks/api.py", "--sessions", sessions, "--turns", "3" if options.quick else "5",
                 "--workspace", str(workspace), "--out", str(options.out / "scoreboard-api.json")],
            ),
        )  # fmt: skip
        for name, args in runs:
            if not (ROOT / args[0]).is_file():
                errors.append(f"{args[0]} is missing")
                continue
            command = display_command("python", *args)
            section.commands.append(command)
            log(f"latency: {command}")
            ran = run_command([sys.executable, *args], options.timeout_for(name), log, cwd=ROOT)
            result = Path(args[args.index("--out") + 1])
            if ran.timed_out or not result.is_file():
                errors.append(f"{name}: {ran.error()}")
                continue
            try:
                payload = json.loads(result.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                errors.append(f"{name}: unreadable {result}: {exc}")
                continue
            section.figures += latency_figures(name, payload, command)
            if not ran.ok:
                errors.append(f"{args[0]} exited {ran.returncode}: a target it checks was missed")
    section.seconds = time.perf_counter() - started
    if errors:
        section.status = Status.FAILED if not section.figures else Status.OK
        section.note = "; ".join(errors)
    return section


def latency_figures(name: str, payload: Mapping[str, Any], command: str) -> list[Figure]:
    """p50/p99 (and throughput) from benchmarks/agent.py or benchmarks/api.py results."""
    figures = []
    for result in payload.get("results", []):
        if not isinstance(result, Mapping):
            continue
        if name == "api":
            think = float(result.get("think_ms") or 0.0)
            mode = "closed loop" if not think else f"think {think:g} ms"
            system = f"http, {result.get('backend')}, {mode}"
            for key in ("p50_ms", "p99_ms", "throughput_turns_per_s", "errors"):
                if key in result:
                    figures.append(Figure(key, result[key], command, "movielens-100k", system))
            if result.get("target_p99_ms") is not None:
                met = "yes" if result.get("passed") else "no"
                figures.append(
                    Figure(
                        f"p99 <= {result['target_p99_ms']:g} ms",
                        met,
                        command,
                        "movielens-100k",
                        system,
                    )
                )
        else:
            dataset = str(result.get("dataset", ""))
            for path in ("rule", "llm_path", "retrieval"):
                stats = result.get(path)
                if isinstance(stats, Mapping):
                    for key in ("p50_ms", "p99_ms"):
                        if key in stats:
                            figures.append(
                                Figure(key, stats[key], command, dataset, f"agent {path}")
                            )
    return figures
