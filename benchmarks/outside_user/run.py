"""Measure the agent with a simulated user written outside the project (see README).

    python benchmarks/outside_user/run.py --workspace WS --bank dev --n 60 --turns 5

The simulator reads only the workspace's data files and talks to the agent only through
`agent.api.RecAgent` (`from_workspace`, `new_session`, `chat`, the reply's items). It prints
a table of hit@1/5/10 for the agent and two baselines (popularity; attribute filter +
popularity fed the same facts as structure), overall and per head/torso/tail, for each target
draw, and writes benchmarks/results/outside_user-<bank>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.machine_info import cpu_seconds, load_average, machine  # noqa: E402
from benchmarks.outside_user.catalog import STRATA, OutsideCatalog, load_catalog  # noqa: E402
from benchmarks.outside_user.runner import (  # noqa: E402
    KS,
    SYSTEMS,
    ChatAgent,
    Dialogue,
    progress_printer,
    run_draw,
    summarise,
)
from benchmarks.outside_user.targets import DRAWS, draw_targets  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
DEFINITIONS = {
    "strata": "items ranked by interaction count (ties by id): head = top 10% of the catalog, "
    "torso = next 30%, tail = the other 60%",
    "stratified": "a third of the targets from each stratum",
    "draws": "popularity: chance proportional to interactions + 1 within the stratum; "
    "uniform: equal chance",
    "hit@k": "some turn within T put the target among the first k items of that turn's list",
    "baselines": "10 new items a turn; filter = items satisfying every revealed fact (as "
    "structure), most popular first, topped up with popular unseen items",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--workspace", required=True, help="a built WhyRec workspace")
    p.add_argument(
        "--bank",
        choices=("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "test"),
        default="dev",
        help="phrasing bank",
    )
    p.add_argument("--n", type=int, default=60, help="targets per draw")
    p.add_argument("--turns", type=int, default=5, help="user turns per dialogue")
    p.add_argument("--draw", choices=(*DRAWS, "both"), default="both")
    p.add_argument("--no-stratify", action="store_true", help="draw over the whole catalog")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--llm", default="rule", help="agent backend (default: rule)")
    p.add_argument("--transcripts", type=Path, help="write every dialogue as JSON lines here")
    p.add_argument("--out", type=Path, help="results JSON (default results/outside_user-BANK.json)")
    args = p.parse_args(argv)
    if args.n < 1 or args.turns < 1:
        p.error("--n and --turns must be at least 1")
    return args


def open_agent(workspace: str, llm: str, state_dir: Path) -> ChatAgent:
    """The agent through its public Python API, its state kept out of the workspace."""
    from agent.api import RecAgent

    return RecAgent.from_workspace(workspace, llm=llm, state_dir=state_dir)


def evaluate(
    agent: ChatAgent,
    catalog: OutsideCatalog,
    *,
    bank: str,
    n: int,
    turns: int,
    draws: list[str],
    seed: int = 0,
    stratify: bool = True,
    progress: bool = True,
) -> tuple[dict[str, Any], list[Dialogue]]:
    """Run every draw and summarise it; returns the per-draw results and all dialogues."""
    results: dict[str, Any] = {}
    every: list[Dialogue] = []
    for draw in draws:
        targets = draw_targets(catalog, n, draw=draw, seed=seed, stratify=stratify)
        show = progress_printer(len(targets)) if progress else None
        dialogues = run_draw(
            agent,
            catalog,
            targets,
            bank_name=bank,
            turns=turns,
            seed=seed,
            draw=draw,
            on_done=show,
        )
        results[draw] = summarise(dialogues, turns)
        results[draw]["errors"] = [e for d in dialogues for e in d.errors][:20]
        every += dialogues
    return results, every


def table(results: dict[str, Any]) -> str:
    """hit@1/5/10 per draw and system, then hit@10 per stratum."""
    lines = []
    head = f"{'draw':<11}{'system':<12}" + "".join(f"{'hit@' + str(k):>8}" for k in KS)
    head += "".join(f"{s + '@10':>11}" for s in STRATA)
    lines += [head, "-" * len(head)]
    for draw, res in results.items():
        for system in SYSTEMS:
            row = res["systems"][system]
            cells = "".join(f"{row['hit@' + str(k)]:>8.3f}" for k in KS)
            strata = "".join(
                f"{row['by_stratum'][s]['hit@10']:>11.3f}"
                if row["by_stratum"][s]["hit@10"] is not None
                else f"{'-':>11}"
                for s in STRATA
            )
            lines.append(f"{draw:<11}{system:<12}{cells}{strata}")
        lines.append(
            f"{'':<11}n={res['n']} {res['strata_n']}, agent errors {res['agent_errors']}, "
            f"agent - filter hit@10 {res['agent_minus_filter_hit@10']:+.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run, print the table, write results and transcripts."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    draws = list(DRAWS) if args.draw == "both" else [args.draw]
    load_before = load_average()
    started, cpu0 = time.perf_counter(), cpu_seconds()
    catalog = load_catalog(args.workspace)
    with tempfile.TemporaryDirectory(prefix="outside-user-") as state:
        agent = open_agent(args.workspace, args.llm, Path(state))
        try:
            results, dialogues = evaluate(
                agent,
                catalog,
                bank=args.bank,
                n=args.n,
                turns=args.turns,
                draws=draws,
                seed=args.seed,
                stratify=not args.no_stratify,
            )
        finally:
            close = getattr(agent, "close", None)
            if callable(close):
                close()
    catalog_name = catalog.name
    payload = {
        "benchmark": "outside_user",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "python "
        + " ".join([*sys.argv[:1], *(argv if argv is not None else sys.argv[1:])]),
        "load": {"before": load_before, "after": load_average()},
        "workspace": str(args.workspace),
        "dataset": catalog_name,
        "bank": args.bank,
        "n": args.n,
        "turns": args.turns,
        "seed": args.seed,
        "stratified": not args.no_stratify,
        "backend": args.llm,
        "definitions": DEFINITIONS,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(cpu_seconds() - cpu0, 1),
        "draws": results,
    }
    out = args.out or RESULTS / f"outside_user-{args.bank}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if args.transcripts:
        args.transcripts.parent.mkdir(parents=True, exist_ok=True)
        with args.transcripts.open("w", encoding="utf-8") as f:
            for d in dialogues:
                row = {
                    "draw": d.draw,
                    "target": d.target,
                    "title": d.title,
                    "stratum": d.stratum,
                    "ranks": d.ranks,
                    "errors": d.errors,
                    "turns": d.turns,
                }
                f.write(json.dumps(row) + "\n")
    print(f"outside user, {catalog_name}, bank {args.bank}, {args.turns} turns, seed {args.seed}")
    print(table(results))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
