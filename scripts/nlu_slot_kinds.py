"""Slot F1 per slot kind of the shipped rule reader on training lines chosen by id prefix.

Development scoring for issue 11: the slots come from the rule parser, not the classifier, so
lines the classifier was fit on still show the parser's slot gaps (the intent, which can drop
wish slots, is read by the shipped classifier and is mostly right on its own examples).

    python scripts/nlu_slot_kinds.py --workspace /work/ws/ml-f --prefix w5- --prefix w6- \
        [--errors FILE.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def main() -> None:
    """Print slot F1 overall and per kind (tp / spurious / missing); optionally dump errors."""
    from agent.api import RecAgent
    from agent.evaluation.nlu_eval import (
        TRAINING_DATA,
        expected_facts,
        load_examples,
        predicted_facts,
    )
    from agent.memory import SessionState
    from agent.vocab import domain_of

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--prefix", action="append", required=True, help="id prefix, repeatable")
    ap.add_argument("--errors", help="write the misread lines here (JSON)")
    args = ap.parse_args()
    prefixes = tuple(args.prefix)
    rows = [r for r in load_examples(TRAINING_DATA) if str(r.get("id", "")).startswith(prefixes)]
    kinds: Counter[tuple[str, str]] = Counter()
    errors = []
    with tempfile.TemporaryDirectory() as state_dir:
        agent = RecAgent.from_workspace(args.workspace, "rule", state_dir=Path(state_dir))
        try:
            domain = domain_of(str(agent.workspace.manifest.get("source", "") or ""))
            rows = [r for r in rows if r.get("dataset") == domain]
            for row in rows:
                context = row.get("context") or {}
                state = SessionState(
                    session_id="slots",
                    last_shown=list(context.get("shown") or []),
                    focus=context.get("focus"),
                )
                parse = agent.planner.read(state, row["text"])
                want, got = expected_facts(row.get("slots") or {}), predicted_facts(parse)
                for part, fact_set in (("tp", want & got), ("fp", got - want), ("fn", want - got)):
                    kinds.update((str(f[0]), part) for f in fact_set)
                if want != got:
                    errors.append(
                        {
                            "id": row.get("id"),
                            "text": row["text"],
                            "missing": sorted(map(str, want - got)),
                            "extra": sorted(map(str, got - want)),
                        }
                    )
        finally:
            agent.close()
    tp, fp, fn = (sum(v for (_, p), v in kinds.items() if p == part) for part in ("tp", "fp", "fn"))
    print(f"{domain} n={len(rows)} slot F1 {_f1(tp, fp, fn):.4f} (tp {tp} fp {fp} fn {fn})")
    for kind in sorted({k for k, _ in kinds}):
        a, b, m = kinds[(kind, "tp")], kinds[(kind, "fp")], kinds[(kind, "fn")]
        print(f"  {kind:14s} F1 {_f1(a, b, m):.3f} tp {a:4d} spurious {b:4d} missing {m:4d}")
    if args.errors:
        Path(args.errors).write_text(json.dumps(errors, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
