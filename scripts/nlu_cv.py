"""Grouped k-fold cross-validation of the rule path's intent and slot reading.

    python scripts/nlu_cv.py --workspace /work/ws/ml [--workspace /work/ws/coat] [-k 5]
        [--data agent/data/nlu_train.jsonl] [--seed 0] [--train-only iv-] [--typos 0.3]
        [--errors] [--json]

Each workspace scores the training sentences of its own domain (MovieLens, Coat); every fold
is read by a classifier fit on the other folds (`agent.evaluation.nlu_cv`). Prints overall
and per-intent accuracy, slot F1 and the most frequent confusions. This is the development
measure: the held-out set is for the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the cross-validation per workspace, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workspace", action="append", required=True, type=Path)
    ap.add_argument("-k", "--folds", type=int, default=5)
    ap.add_argument("--data", type=Path, default=ROOT / "agent" / "data" / "nlu_train.jsonl")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--train-only",
        action="append",
        default=[],
        metavar="PREFIX",
        help="rows whose id starts with PREFIX always train and are never scored",
    )
    ap.add_argument(
        "--typos",
        type=float,
        default=0.0,
        metavar="RATE",
        help="also read each sentence with words misspelt at this rate (intent accuracy only)",
    )
    ap.add_argument("--errors", action="store_true", help="list every sentence read wrongly")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args(argv)

    from agent.api import RecAgent
    from agent.evaluation.nlu_cv import cross_validate, group_folds
    from agent.evaluation.nlu_eval import load_examples

    try:
        rows = load_examples(args.data)
        folds = group_folds(rows, args.folds, seed=args.seed, train_only=args.train_only)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = []
    with tempfile.TemporaryDirectory(prefix="whyrec-nlu-cv-") as tmp:
        os.environ["WHYREC_CACHE_DIR"] = tmp  # per-fold example caches stay out of ~/.cache
        for ws in args.workspace:
            started = time.perf_counter()
            agent = RecAgent.from_workspace(ws, "rule", state_dir=Path(tmp) / "state")
            try:
                payload = cross_validate(
                    agent, rows, folds, include_errors=args.errors, typo_rate=args.typos
                )
            finally:
                agent.close()
            payload["workspace"] = str(ws)
            payload["seconds"] = round(time.perf_counter() - started, 1)
            results.append(payload)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for p in results:
        print(
            f"{p['domain']} ({p['workspace']}): {p['folds']}-fold grouped CV on {p['n']} "
            f"sentences: intent accuracy {p['intent_accuracy']:.3f}, slot F1 {p['slot_f1']:.3f}"
            f" (P {p['slot_precision']:.3f} R {p['slot_recall']:.3f}) [{p['seconds']} s]"
        )
        if "typo_intent_accuracy" in p:
            print(
                f"  with typos ({p['typo_n']} sentences misspelt): intent accuracy "
                f"{p['typo_intent_accuracy']:.3f}"
            )
        for intent, row in p["per_intent"].items():
            print(
                f"  {intent:<10} n={row['n']:<4} accuracy {row['accuracy']:.3f}"
                f"  slot F1 {row['slot_f1']:.3f}"
            )
        print("  confusions (wanted -> read):")
        for c in p["confusions"][:15]:
            print(f"    {c['intent']:>10} -> {c['read_as']:<10} {c['count']}")
        for err in p.get("errors", []):
            print(
                f"- [{err['intent']}->{err['predicted']}] {err['text']!r} "
                f"missing {err['missing']} extra {err['extra']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
