"""`whyrec eval dialogue`: simulated users against the agent and the baselines, as JSON.

`run_dialogue_eval` opens the agent (in process, or a running server's OpenAI endpoint),
runs one draw of targets (or both: popularity-weighted and uniform) and returns the
payload `whyrec eval dialogue --json` prints; `dialogue_command` is the command line that
reproduces it (every reported figure carries one); `dialogue_table` the plain-text table
the CLI and benchmarks/dialogue.py print.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

Log = Callable[[str], None]


def _quiet(message: str) -> None:
    return None


def dialogue_command(
    workspace: Path | str,
    n: int,
    turns: int,
    seed: int,
    k: int,
    sampling: str,
    llm: str | None,
    bank: str = "heldout",
    stratify: bool = True,
) -> str:
    """The `whyrec eval dialogue` command line that reproduces a run."""
    parts = ["whyrec", "eval", "dialogue", "--workspace", str(workspace), "--n", str(n)]
    parts += ["--turns", str(turns), "--seed", str(seed), "-k", str(k)]
    if sampling != "interaction":
        parts += ["--sampling", sampling]
    if bank != "heldout":
        parts += ["--bank", bank]
    if not stratify:
        parts.append("--no-stratify")
    if llm:
        parts += ["--llm", llm]
    return shlex.join([*parts, "--json"])


def run_dialogue_eval(
    workspace: Path | str,
    *,
    n: int = 200,
    turns: int = 5,
    seed: int = 0,
    k: int = 10,
    sampling: str = "interaction",
    bank: str = "heldout",
    stratify: bool = True,
    llm: str | None = None,
    endpoint: str | None = None,
    api_key: str | None = None,
    transcripts: Path | None = None,
    progress: bool = True,
    log: Log = _quiet,
) -> dict[str, Any]:
    """Simulated dialogues against the agent and the baselines; the `--json` payload.

    `sampling` 'both' runs the popularity-weighted draw (the top-level figures) and the
    uniform draw in one call; each draw's figures are under "draws"."""
    from agent.evaluation.clients import AgentClient, OpenAIAgentClient, PythonAgentClient
    from agent.evaluation.dialogue_eval import DialogueConfig, TargetSampling, evaluate_dialogues
    from agent.evaluation.phrases import Bank
    from tools.workspace import Workspace

    try:
        schemes = list(TargetSampling) if sampling == "both" else [TargetSampling(sampling)]
    except ValueError:
        choices = ", ".join([*(s.value for s in TargetSampling), "both"])
        raise ValueError(f"--sampling must be one of {choices}, got '{sampling}'") from None
    try:
        words = Bank(bank)
    except ValueError:
        choices = ", ".join(b.value for b in Bank)
        raise ValueError(f"--bank must be one of {choices}, got '{bank}'") from None
    if endpoint is not None and llm is not None:
        raise ValueError("--llm and --endpoint exclude each other (the server has its backend)")
    configs = [
        DialogueConfig(
            n=n, turns=turns, seed=seed, k=k, sampling=scheme, bank=words, stratify=stratify
        )
        for scheme in schemes
    ]
    ws = Workspace.open(workspace)
    client: AgentClient
    if endpoint is not None:
        client = OpenAIAgentClient(endpoint, api_key=api_key)
    else:
        log(f"loading the agent over {ws.root} ...")
        client = PythonAgentClient.open(ws.root, llm=llm)
        ws = client.agent.workspace  # type: ignore[attr-defined]
    reports = []
    try:
        for config in configs:
            log(
                f"running {n} simulated dialogues of up to {turns} turns "
                f"({config.sampling.value} targets, {words.value} phrasing) ..."
            )
            reports.append(evaluate_dialogues(ws, client, config, progress=progress, log=log))
    finally:
        client.close()
    if transcripts is not None:
        with transcripts.open("w", encoding="utf-8"):
            pass
        for report in reports:
            report.write_transcripts(transcripts, append=True)
        log(f"wrote the transcripts to {transcripts}")
    payload = reports[0].to_json()
    if len(reports) > 1:
        payload["draws"] = {}
        for report in reports:
            draw = report.to_json()
            keys = ("systems", "strata", "issue_targets", "n", "target_sampling")
            payload["draws"][report.config.sampling.value] = {key: draw[key] for key in keys}
    payload["command"] = dialogue_command(
        workspace, n, turns, seed, k, sampling, llm, bank=words.value, stratify=stratify
    )
    if endpoint is not None:
        payload["command"] = payload["command"].replace(" --json", f" --endpoint {endpoint} --json")
    return payload


def dialogue_table(payload: Mapping[str, Any]) -> list[str]:
    """A plain-text table: the agent against both baselines, all targets and per stratum."""

    def fmt(value: object) -> str:
        return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)

    def block(title: str, summary: Mapping[str, Any]) -> list[str]:
        systems = summary["systems"]
        rows = [f"{title}", f"{'':<18}" + "".join(f"{name:>19}" for name in systems)]
        for key in ("hit@1", "hit@5", "hit@10", "avg_turns", "grounding_rate"):
            rows.append(f"{key:<18}" + "".join(f"{fmt(m.get(key)):>19}" for m in systems.values()))
        for stratum, part in summary["strata"].items():
            label = f"hit@10 {stratum} (n={part['n']})"
            rows.append(
                f"{label:<18}" + "".join(f"{fmt(part[name]['hit@10']):>19}" for name in systems)
            )
        targets = summary["issue_targets"]
        rows.append(
            f"agent - filter hit@10 {fmt(targets['agent_minus_filter_hit@10'])} "
            f"({targets['agent_vs_filter']}); tail hit@10 {fmt(targets['tail_hit@10'])} "
            f"({targets['tail']})"
        )
        return rows

    draws = payload.get("draws") or {payload["target_sampling"]: payload}
    rows: list[str] = []
    for name, draw in draws.items():
        rows += [*block(f"targets by {name}:", draw), ""]
    latency = payload.get("latency_ms", {})
    rows += [
        f"dialogues {payload['n']} per draw (stratified {payload.get('stratified')}), up to "
        f"{payload['turns']} turns, top-{payload['k']}, seed {payload['seed']}, "
        f"{payload.get('bank')} phrasing, {payload['client']}",
        f"agent success by turn {payload.get('success_by_turn')}; new items a turn "
        f"{fmt(payload.get('new_items_per_turn'))}",
        f"latency p50 {fmt(latency.get('p50'))} ms, p99 {fmt(latency.get('p99'))} ms",
    ]
    return rows
