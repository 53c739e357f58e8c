"""Dialogue benchmark: simulated users (held-out phrasing) against the agent and two baselines.

Runs `whyrec eval dialogue` twice on one workspace, popularity-weighted and uniform target
draws (a third of the targets from each of head, torso and tail), prints the tables and
writes benchmarks/results/NAME.json and NAME-uniform.json (or --uniform-name), each with the
date, the machine (with load averages: the machine may be shared) and the exact command.

    python benchmarks/dialogue.py --workspace ws/ml --n 99 --turns 5
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The repository first, always: this folder's causal.py and agent.py would shadow the packages.
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    """Run both draws, print their tables, write the results files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", required=True, type=Path)
    parser.add_argument("--n", type=int, default=99)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bank", default="heldout", choices=("heldout", "dev"))
    parser.add_argument("--llm", default="rule")
    parser.add_argument("--name", default="dialogue", help="results file name (no .json)")
    parser.add_argument(
        "--uniform-name", default=None, help="the uniform draw's file name (default NAME-uniform)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--transcripts", type=Path, default=None)
    parser.add_argument("--note", default="", help="a line saved with the results")
    args = parser.parse_args(argv)

    from agent.evaluation import dialogue_table, run_dialogue_eval
    from benchmarks.machine_info import machine

    args.out.mkdir(parents=True, exist_ok=True)
    names = {"interaction": args.name, "uniform": args.uniform_name or f"{args.name}-uniform"}
    for sampling, suffix in (("interaction", ""), ("uniform", "-uniform")):
        transcripts = None
        if args.transcripts is not None:
            transcripts = args.transcripts.with_name(f"{args.transcripts.stem}{suffix}.jsonl")
        payload = run_dialogue_eval(
            args.workspace,
            n=args.n,
            turns=args.turns,
            seed=args.seed,
            sampling=sampling,
            bank=args.bank,
            llm=args.llm,
            transcripts=transcripts,
            progress=False,
            log=lambda m: print(m, file=sys.stderr, flush=True),
        )
        print("\n".join(dialogue_table(payload)), flush=True)
        document = {
            "benchmark": "dialogue",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                **machine(),
                "note": "shared machine: other work ran at the same time (see load_average)",
            },
            "command": payload["command"],
            "script": "python " + " ".join(["benchmarks/dialogue.py", *(argv or sys.argv[1:])]),
            "results": payload,
        }
        if args.note:
            document["note"] = args.note
        path = args.out / f"{names[sampling]}.json"
        path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"wrote {path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
