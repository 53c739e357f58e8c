"""NLU evaluation: the rule backend's reading of labelled sentences, scored on the held-out set.

    payload = evaluate_nlu(workspace_path)            # tests/data/nlu/heldout_v9.jsonl by default

Each labelled sentence (see tests/data/nlu/README.md) carries its intent and its expected
slots; the agent reads it through `RulePlanner.read` with the sentence's context (the list
just shown, the item in focus). Scores: intent accuracy, and micro precision/recall/F1 over
slot facts (wanted and unwanted values, range ends, relative moves, popularity, taste
references, other item references, feedback, unknown titles, unplaced words). The scorer
normalises with its own rule, never the parser's word lists. Only sentences of the
workspace's domain (movielens, coat) are scored; the training part lives in
agent/data/nlu_train.jsonl, and only its texts are read here: a held-out sentence whose text
(normalised) is also a training example is left out of the score and counted instead
("hi" and "thanks" get written by everyone), so no score is earned by recall.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Fact = tuple[Any, ...]
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "nlu" / "heldout_v9.jsonl"
TRAINING_DATA = Path(__file__).resolve().parents[1] / "data" / "nlu_train.jsonl"


def training_texts(path: str | Path = TRAINING_DATA) -> set[str]:
    """The normalised texts of the classifier's examples (empty when the file is absent)."""
    file = Path(path)
    if not file.is_file():
        return set()
    return {_norm(row["text"]) for row in load_examples(file)}


def unseen_rows(rows: list[dict[str, Any]], seen: set[str]) -> tuple[list[dict[str, Any]], int]:
    """The rows whose normalised text is not among `seen`, and how many were left out."""
    kept = [r for r in rows if _norm(str(r["text"])) not in seen]
    return kept, len(rows) - len(kept)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def load_examples(path: str | Path = DEFAULT_DATA) -> list[dict[str, Any]]:
    """Labelled sentences from a JSON-lines file (clear error when it is missing or bad)."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no NLU data set at {file} (pass --data PATH)")
    rows = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{file.name}, line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not {"text", "intent"} <= set(row):
            raise ValueError(f"{file.name}, line {number}: needs 'text' and 'intent'")
        rows.append(row)
    return rows


def expected_facts(slots: Mapping[str, Any]) -> set[Fact]:
    """The slot facts a label states."""
    facts: set[Fact] = set()
    for kind in ("include", "exclude"):
        for attr, values in (slots.get(kind) or {}).items():
            facts.update((kind, attr, v) for v in values)
    for attr, (low, high) in (slots.get("ranges") or {}).items():
        if low is not None:
            facts.add(("min", attr, float(low)))
        if high is not None:
            facts.add(("max", attr, float(high)))
    facts.update(("relative", a, d) for a, d in slots.get("relative") or [])
    if slots.get("popularity"):
        facts.add(("popularity", slots["popularity"]))
    facts.update(("taste", i) for i in slots.get("taste") or [])
    facts.update(("ref", i) for i in slots.get("refs") or [])
    facts.update(("feedback", i, k) for i, k in slots.get("feedback") or [])
    facts.update(("unknown_title", _norm(t)) for t in slots.get("unknown_titles") or [])
    facts.update(("unplaced", _norm(w)) for w in slots.get("unplaced") or [])
    return facts


def predicted_facts(parse: Any) -> set[Fact]:
    """The slot facts a `Parse` states, in the label's terms."""
    facts: set[Fact] = set()
    for kind, table in (("include", parse.include), ("exclude", parse.exclude)):
        for attr, values in table.items():
            facts.update((kind, attr, v) for v in values)
    for attr, rng in parse.ranges.items():
        if rng.low is not None:
            facts.add(("min", attr, float(rng.low)))
        if rng.high is not None:
            facts.add(("max", attr, float(rng.high)))
    facts.update(("relative", a, d.value) for a, d in parse.relative)
    if parse.popularity is not None:
        facts.add(("popularity", parse.popularity.value))
    for ref in parse.refs:
        if ref.role.value == "taste":
            facts.add(("taste", ref.item_id))
        elif ref.role.value in ("shown", "subject"):
            facts.add(("ref", ref.item_id))
    facts.update(("feedback", i, k.value) for i, k in parse.feedback)
    facts.update(("unknown_title", _norm(t)) for t in parse.unknown_titles)
    facts.update(("unplaced", _norm(w)) for w in parse.unplaced)
    return facts


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(rows: Iterable[dict[str, Any]], read: Any) -> dict[str, Any]:
    """Intent accuracy and slot F1 of `read(text, shown, focus) -> Parse` over labelled rows."""
    n = correct = tp = fp = fn = 0
    per: dict[str, Counter[str]] = {}
    errors: list[dict[str, Any]] = []
    for row in rows:
        context = row.get("context") or {}
        parse = read(row["text"], list(context.get("shown") or []), context.get("focus"))
        got = parse.intent.value if parse.intent is not None else "none"
        want = row["intent"]
        expected, predicted = expected_facts(row.get("slots") or {}), predicted_facts(parse)
        hits = len(expected & predicted)
        n += 1
        correct += got == want
        tp, fp, fn = tp + hits, fp + len(predicted - expected), fn + len(expected - predicted)
        stats = per.setdefault(want, Counter())
        stats.update(n=1, correct=int(got == want), tp=hits)
        stats.update(fp=len(predicted - expected), fn=len(expected - predicted))
        if got != want or expected != predicted:
            errors.append(
                {
                    "id": row.get("id"),
                    "text": row["text"],
                    "intent": want,
                    "predicted": got,
                    "missing": sorted(map(str, expected - predicted)),
                    "extra": sorted(map(str, predicted - expected)),
                }
            )
    precision, recall, f1 = _f1(tp, fp, fn)
    per_intent = {
        intent: {
            "n": c["n"],
            "accuracy": round(c["correct"] / c["n"], 4),
            "slot_f1": round(_f1(c["tp"], c["fp"], c["fn"])[2], 4),
            # the counts behind it: an intent whose labels state no slot scores 1.0 when none
            # is found and 0.0 when any is (every fact found is wrong); these tell which
            "slot_facts": {"expected": c["tp"] + c["fn"], "found": c["tp"] + c["fp"]},
        }
        for intent, c in sorted(per.items())
    }
    return {
        "intent_accuracy": round(correct / n, 4) if n else 0.0,
        "slot_f1": round(f1, 4),
        "slot_precision": round(precision, 4),
        "slot_recall": round(recall, 4),
        "n": n,
        "per_intent": per_intent,
        "errors": errors,
    }


def evaluate_nlu(
    workspace: str | Path, data: str | Path | None = None, *, include_errors: bool = False
) -> dict[str, Any]:
    """Score the rule backend of a workspace on the held-out sentences of its domain."""
    from agent.api import RecAgent
    from agent.memory import SessionState
    from agent.vocab import domain_of

    rows = load_examples(data or DEFAULT_DATA)
    with tempfile.TemporaryDirectory(prefix="whyrec-nlu-") as state_dir:
        agent = RecAgent.from_workspace(workspace, "rule", state_dir=Path(state_dir))
        try:
            source = str(agent.workspace.manifest.get("source", "") or "")
            domain = domain_of(source)
            mine = [r for r in rows if domain is None or r.get("dataset") == domain]
            domain_rows = len(mine)
            mine, skipped = unseen_rows(mine, training_texts())
            if not mine and domain_rows:
                raise ValueError(
                    f"every {domain} sentence of {Path(data or DEFAULT_DATA).name} is also a "
                    "training example (the set was folded into the training file): pass a "
                    "fresh held-out file with --data"
                )
            if not mine:
                raise ValueError(f"no labelled sentences for this workspace's domain ({domain})")

            def read(text: str, shown: list[str], focus: str | None) -> Any:
                state = SessionState(session_id="nlu-eval", last_shown=shown, focus=focus)
                return agent.planner.read(state, text)

            payload = score(mine, read)
        finally:
            agent.close()
    payload["domain"] = domain
    payload["data"] = str(data or DEFAULT_DATA)
    payload["skipped_seen_in_training"] = skipped
    if not include_errors:
        payload.pop("errors")
    return payload
