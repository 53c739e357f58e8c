"""Grouped cross-validation of the learned verdict reader (`agent.nlu_verdict`).

Each writer batch of the training file (the id prefix before the first "-": w12, w11, mo,
...) is left out in turn: the model is fit on the clauses of all other batches and scored on
the left-out batch's clauses, against the rule verdicts of the same parse. Scores are on the
items the turns name: accuracy over all clauses (none included) and F1 over verdict facts
(item, kind) with kind in like / dislike / seen.

    python scripts/nlu_verdict_cv.py --workspace /work/ws/ml-h [--fold w12 --fold w11]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np


def _f1(pairs: list[tuple[str, str]]) -> tuple[float, int]:
    tp = sum(1 for g, p in pairs if g == p and g != "none")
    fp = sum(1 for g, p in pairs if p != "none" and p != g)
    fn = sum(1 for g, p in pairs if g != "none" and p != g)
    return (2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0), tp + fn


def main() -> None:
    """Print per-fold and pooled scores of rules, model and their combination."""
    from agent.api import RecAgent
    from agent.evaluation.nlu_eval import TRAINING_DATA, load_examples
    from agent.nlu_verdict import (
        ADD_SURE,
        LABELS,
        OVERRIDE_SURE,
        REGULARISATION,
        combine,
        design,
        new_model,
        verdict_examples,
    )
    from agent.parse import FeedbackKind
    from agent.vocab import domain_of

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--fold", action="append", help="batch prefixes to leave out (default all)")
    ap.add_argument("--c", type=float, action="append", help="regularisation grid")
    ap.add_argument("--out", help="write the pooled figures here (JSON)")
    args = ap.parse_args()
    rows = load_examples(TRAINING_DATA)
    with tempfile.TemporaryDirectory() as state_dir:
        agent = RecAgent.from_workspace(args.workspace, "rule", state_dir=Path(state_dir))
        try:
            domain = domain_of(str(agent.workspace.manifest.get("source", "") or ""))
            rows = [r for r in rows if r.get("dataset") == domain]
            t0 = time.time()
            examples = verdict_examples(
                rows, lambda text, shown, focus: agent.planner.reader(shown, focus)(text)
            )
            print(f"{len(examples)} clauses from {len(rows)} rows in {time.time() - t0:.0f}s")
            texts = [e.clause for e in examples]
            digest = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:16]
            cache = Path(tempfile.gettempdir()) / f"verdict-cv-{digest}.npy"
            if cache.is_file():
                vectors = np.load(cache)
            else:
                vectors = np.asarray(agent.workspace.catalog.embedder.encode(texts))
                np.save(cache, vectors)
        finally:
            agent.close()
    x = design(examples, vectors)
    y = np.array([e.label for e in examples])
    group = np.array([e.row_id.split("-")[0] for e in examples])
    folds = args.fold or sorted(set(group))
    chosen = (REGULARISATION, ADD_SURE, OVERRIDE_SURE)
    grid = [chosen] + [
        (c, a, o)
        for c in (args.c or [REGULARISATION])
        for a, o in ((0.5, 0.7), (0.6, 0.8), (0.7, 0.9), (0.6, 1.01))
        if (c, a, o) != chosen
    ]
    pooled: dict[tuple[float, float, float], dict[str, list[tuple[str, str]]]] = defaultdict(dict)
    rules_all: dict[str, list[tuple[str, str]]] = {}
    model_all: dict[float, dict[str, list[tuple[str, str]]]] = defaultdict(dict)
    kinds = {k.value: k for k in FeedbackKind}
    print(
        f"{'fold':6s} {'items':>5s} {'verdicts':>8s} {'rules F1':>8s} {'model F1':>8s} {'comb F1':>8s}"
    )
    for fold in folds:
        test = group == fold
        if not test.any():
            continue
        probs_by_c = {}
        for c in sorted({c for c, _, _ in grid}):
            model = new_model(c).fit(x[~test], y[~test])
            order = [list(model.classes_).index(lab) for lab in LABELS]
            probs_by_c[c] = model.predict_proba(x[test])[:, order]
            best = [LABELS[int(np.argmax(p))] for p in probs_by_c[c]]
            model_all[c][fold] = list(zip(y[test], best, strict=True))
        tests = [e for e, t in zip(examples, test, strict=True) if t]
        rules_all[fold] = [(e.label, e.rule) for e in tests]
        for c, a, o in grid:
            pairs = []
            for e, p in zip(tests, probs_by_c[c], strict=True):
                kind = combine(kinds.get(e.rule), p, a, o)
                pairs.append((e.label, kind.value if kind else "none"))
            pooled[(c, a, o)][fold] = pairs
        print(
            f"{fold:6s} {len(tests):5d} {_f1(rules_all[fold])[1]:8d} "
            f"{_f1(rules_all[fold])[0]:8.3f} {_f1(model_all[chosen[0]][fold])[0]:8.3f} "
            f"{_f1(pooled[chosen][fold])[0]:8.3f}"
        )

    def both(by_fold: dict[str, list[tuple[str, str]]]) -> str:
        every = [p for pairs in by_fold.values() for p in pairs]
        return f"pooled {_f1(every)[0]:.3f}  " + "  ".join(
            f"{f} {_f1(by_fold[f])[0]:.3f}" for f in ("w12", "w13") if f in by_fold
        )

    print(f"rules: {both(rules_all)} ({sum(_f1(v)[1] for v in rules_all.values())} verdicts)")
    for c, by_fold in model_all.items():
        print(f"model alone C={c}: {both(by_fold)}")
    for key, by_fold in pooled.items():
        mark = "  <- shipped" if key == chosen else ""
        print(f"combined C={key[0]} add>={key[1]} override>={key[2]}: {both(by_fold)}{mark}")
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {
                    "workspace": args.workspace,
                    "command": " ".join(sys.argv),
                    "folds": folds,
                    "rules": {f: _f1(v)[0] for f, v in rules_all.items()},
                    "model": {f: _f1(v)[0] for f, v in model_all[chosen[0]].items()},
                    "combined": {f: _f1(v)[0] for f, v in pooled[chosen].items()},
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
