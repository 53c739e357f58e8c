"""Grouped k-fold cross-validation of the rule path's reading on the NLU training sentences.

    folds = group_folds(rows, k=5)                    # near-duplicates share a fold
    payload = cross_validate(agent, rows, folds)      # each fold read by a classifier fit
                                                      # on the other folds only

The held-out file can be read only so often before it stops being held out; cross-validation
on the training part is what development is measured with. Sentences written in one go are
often variations of one frame, so a fold holds whole groups: a group joins sentences whose
ids are neighbours in one batch (`mo-0121` .. `mo-0125` with `block=5`) and sentences whose
normalised texts are near-equal (rapidfuzz ratio >= `similar`), transitively. Groups are dealt
to folds by their majority intent, so each fold sees every intent where it can.

Scoring reuses `nlu_eval.score` (intent accuracy, slot F1, per intent) and adds the confusion
pairs (wanted -> read, count). Only the classifier is refit per fold; the parser is the same.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from agent.evaluation.nlu_eval import score

DEFAULT_BLOCK = 5
DEFAULT_SIMILAR = 85.0
_ID = re.compile(r"^([A-Za-z]+)-(\d+)$")


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def group_ids(
    rows: Sequence[dict[str, Any]],
    *,
    block: int = DEFAULT_BLOCK,
    similar: float = DEFAULT_SIMILAR,
) -> list[int]:
    """One group number per row: id neighbours in a batch and near-equal texts share one."""
    from rapidfuzz import fuzz, process

    if block < 1:
        raise ValueError(f"block must be >= 1, got {block}")
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    batches: dict[tuple[str, int], int] = {}
    for i, row in enumerate(rows):
        m = _ID.match(str(row.get("id", "")))
        if m is None:
            continue
        key = (m.group(1), int(m.group(2)) // block)
        if key in batches:
            union(i, batches[key])
        else:
            batches[key] = i
    texts = [_norm(r["text"]) for r in rows]
    matrix = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=similar, workers=1)
    for i, j in zip(*matrix.nonzero(), strict=True):
        if i < j:
            union(int(i), int(j))
    roots: dict[int, int] = {}
    return [roots.setdefault(find(i), len(roots)) for i in range(len(rows))]


def group_folds(
    rows: Sequence[dict[str, Any]],
    k: int = 5,
    *,
    seed: int = 0,
    block: int = DEFAULT_BLOCK,
    similar: float = DEFAULT_SIMILAR,
    train_only: Sequence[str] = (),
) -> list[int]:
    """A fold number (0..k-1) per row; every group lies in one fold, intents spread evenly.

    Rows whose id starts with a `train_only` prefix get fold -1: they teach every fold and are
    never scored (so a before/after comparison scores the same sentences)."""
    if k < 2:
        raise ValueError(f"k must be >= 2, got {k}")
    groups = group_ids(rows, block=block, similar=similar)
    prefixes = tuple(train_only)
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        if prefixes and str(rows[i].get("id", "")).startswith(prefixes):
            continue
        members.setdefault(g, []).append(i)
    order = list(members)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda g: -len(members[g]))  # big groups first, ties in shuffled order
    per_intent = [Counter[str]() for _ in range(k)]
    sizes = [0] * k
    fold_of: dict[int, int] = {}
    for g in order:
        intent = Counter(rows[i]["intent"] for i in members[g]).most_common(1)[0][0]
        best = min(range(k), key=lambda f: (per_intent[f][intent], sizes[f]))
        fold_of[g] = best
        sizes[best] += len(members[g])
        per_intent[best].update(rows[i]["intent"] for i in members[g])
    return [
        -1 if prefixes and str(row.get("id", "")).startswith(prefixes) else fold_of[g]
        for row, g in zip(rows, groups, strict=True)
    ]


def with_typos(text: str, rate: float, rng: random.Random) -> str:
    """The text with some words of four letters or more misspelt the way fast typing does
    (two neighbouring inner letters swapped), each with probability `rate`."""

    def swap(m: re.Match[str]) -> str:
        word = m.group()
        if rng.random() >= rate:
            return word
        i = rng.randrange(1, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    return re.sub(r"[A-Za-z]{4,}", swap, text)


def domain_examples(rows: Sequence[dict[str, Any]], domain: str | None) -> list[dict[str, Any]]:
    """The rows a classifier of `domain` learns from (as `agent.intents.training_examples`
    picks them: its own domain's, and other domains' only when they carry no slots)."""
    if domain is None:
        return list(rows)
    mine = [r for r in rows if r.get("dataset") in (domain, "any") or not r.get("slots")]
    return mine or list(rows)


def cross_validate(
    agent: Any,
    rows: Sequence[dict[str, Any]],
    folds: Sequence[int],
    *,
    only: Sequence[int] | None = None,
    include_errors: bool = False,
    typo_rate: float = 0.0,
) -> dict[str, Any]:
    """Score `agent`'s rule reading of each fold with a classifier fit on the other folds.

    `agent` is a rule-backend `RecAgent`; rows of another domain than its workspace's are
    never scored (they still teach slot-free intents, as in the shipped classifier). `only`
    limits the scored folds (a test may score one). With `typo_rate`, each scored sentence is
    read once more with misspelt words (`with_typos`, seeded), and the intent accuracy on
    those copies is reported as `typo_intent_accuracy`."""
    from agent.intents import IntentClassifier
    from agent.memory import SessionState
    from agent.planner import RulePlanner
    from agent.vocab import domain_of

    if len(folds) != len(rows):
        raise ValueError(f"{len(folds)} fold numbers for {len(rows)} rows")
    source = str(agent.workspace.manifest.get("source", "") or "")
    domain = domain_of(source)
    memo: dict[str, Any] = {}

    def embed(texts: list[str]) -> Any:  # one embedding per text across all folds
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        if missing:
            memo.update(zip(missing, agent._embed(missing), strict=True))
        return np.stack([memo[t] for t in texts])

    parses: dict[str, Any] = {}
    scored: list[dict[str, Any]] = []
    rng = random.Random(0)
    typo_n = typo_right = 0
    for fold in only if only is not None else sorted(set(folds) - {-1}):
        test = [
            r
            for r, f in zip(rows, folds, strict=True)
            if f == fold and (domain is None or r.get("dataset") == domain)
        ]
        if not test:
            continue
        train = domain_examples([r for r, f in zip(rows, folds, strict=True) if f != fold], domain)
        planner = RulePlanner(
            agent.workspace,
            agent.vocab,
            variables=agent.planner.variables,
            outcomes=agent.planner.outcomes,
            classifier=IntentClassifier(embed, examples=train),
            domain=domain,
        )
        for row in test:
            context = row.get("context") or {}
            state = SessionState(
                session_id="nlu-cv",
                last_shown=list(context.get("shown") or []),
                focus=context.get("focus"),
            )
            parses[row["text"]] = planner.read(state, row["text"])
            scored.append(row)
            if typo_rate > 0:
                typed = with_typos(row["text"], typo_rate, rng)
                if typed != row["text"]:
                    got = planner.read(state, typed).intent
                    typo_n += 1
                    typo_right += got is not None and got.value == row["intent"]
    payload = score(scored, lambda text, shown, focus: parses[text])
    confusion = Counter(
        (e["intent"], e["predicted"]) for e in payload["errors"] if e["intent"] != e["predicted"]
    )
    payload["confusions"] = [
        {"intent": w, "read_as": p, "count": c} for (w, p), c in confusion.most_common()
    ]
    payload["folds"] = len(set(folds) - {-1}) if only is None else len(only)
    payload["domain"] = domain
    if typo_rate > 0:
        payload["typo_n"] = typo_n
        payload["typo_intent_accuracy"] = round(typo_right / typo_n, 4) if typo_n else 0.0
    if not include_errors:
        payload.pop("errors")
    return payload
