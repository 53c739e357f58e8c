"""Explanation benchmark: counterfactual reasons vs "because you liked the most similar item",
supporting effects only, and the grounding checker on an adversarial set.

    python benchmarks/explanations.py [--ml WORKSPACE] [--coat WORKSPACE]
                                      [--big WORKSPACE] [--users 40] [--out FILE]

For each workspace, users with >= 20 ratings (a seeded sample), their top 10 by the ranker's
score over every unseen item (no diversity re-ordering), and for each item:

- counterfactual (ours, causal.ranking.counterfactual): the user's signals found by the greedy,
  pruned search;
- most similar liked item (the common template): the one item the user rated >= 4 (or clicked)
  whose catalog embedding is closest to the item's.

Both are scored the same way, by re-scoring with the public `Ranker.top_items(..., without=)`:

- share: items that get an explanation at all (ours only claims one it verified; the template
  always names an item when the user liked any);
- necessity (CountER's probability of necessity): among explained items, the share that
  leave the top 10 when the cited signals are removed;
- sufficiency (CountER's probability of sufficiency): among explained items, the share still
  in the top 10 when *only* the cited signals are kept (every other signal of the user
  removed);
- mean size: signals per explanation;
- extra ms per item: wall time of the counterfactual search and its verification per item,
  on top of the recommendation (this shared 2-core machine; load averages recorded).

With --big DIR (a 100k-item synthetic workspace, or a ranker folder; when DIR does not exist
a ranker is trained there on benchmarks/agent.py's large synthetic world, with random 384-d
embeddings for the similarity term) the same search is timed on a 100k-item catalogue.

Effects: every causal evidence `explain` cites for these items is checked against the item's
own attribute value and the interval (independently of tools/explain.py's code): contradicting
citations are counted. Grounding: benchmarks/grounding_set.py builds >= 60 invented and >= 60
correct replies from this turn's real tool results on MovieLens and reports the checker's
recall and false-alarm rate; the set is kept as tests/data/grounding/adversarial.json.

Prints tables and writes benchmarks/results/explanations.json.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# The repository first, always: this folder's causal.py and agent.py would shadow the packages.
sys.path.insert(0, str(ROOT))

K = 10
MIN_RATINGS = 20


def _users(ranker: Any, n: int, seed: int) -> list[str]:
    eligible = [u for u in ranker.user_ids if len(ranker.history(u)) >= MIN_RATINGS]
    rng = np.random.default_rng(seed)
    if len(eligible) > n:
        eligible = sorted(rng.choice(eligible, size=n, replace=False).tolist())
    return eligible


def _in_top(ranker: Any, user: str, item: str, without: list[str]) -> bool:
    """Is the item in the user's top K (every unseen item, history excluded) without these?"""
    top = ranker.top_items(user, K, without=without)
    return item in {s.item_id for s in top}


def _liked(ranker: Any, user: str) -> list[str]:
    from causal.ranking.data import FeedbackKind

    rows = ranker.history(user)
    if ranker.kind is FeedbackKind.RATING:
        return [i for i, t in rows if t >= 4]
    return [i for i, t in rows if t >= 0.5]


def _most_similar(ranker: Any, item: str, liked: list[str]) -> str | None:
    """The liked item whose embedding is closest (the ranker's similarity vectors: the
    catalog's text embeddings in a workspace)."""
    if not liked:
        return None
    sims = ranker.similarity_vectors
    vec = sims[ranker.item_index[item]]
    rows = np.array([ranker.item_index[i] for i in liked])
    return liked[int(np.argmax(sims[rows] @ vec))]


def evaluate_counterfactuals(workspace: Path, n_users: int, seed: int = 0) -> dict[str, Any]:
    """Ours vs the most-similar-item template on one workspace's users."""
    from causal.ranking.counterfactual import Outcome, Scope, explain_ranks
    from tools.workspace import Workspace

    ws = Workspace(workspace)
    ranker = ws.ranker
    users = _users(ranker, n_users, seed)
    rows: dict[str, list[dict[str, Any]]] = {"counterfactual": [], "most_similar": []}
    search_s = 0.0
    n_items = 0
    outcomes: dict[str, int] = {}
    for user in users:
        history = [i for i, _ in ranker.history(user)]
        top = [s.item_id for s in ranker.top_items(user, K)]
        scope = Scope(user_id=user, banned=frozenset(history))
        started = time.perf_counter()
        reasons = explain_ranks(ranker, scope, top, K)
        search_s += time.perf_counter() - started
        n_items += len(top)
        liked = _liked(ranker, user)
        for reason in reasons:
            outcomes[str(reason.outcome)] = outcomes.get(str(reason.outcome), 0) + 1
            cited = list(reason.without) if reason.outcome is Outcome.FOUND else []
            rows["counterfactual"].append(_score(ranker, user, reason.item_id, cited, history))
            similar = _most_similar(ranker, reason.item_id, liked)
            rows["most_similar"].append(
                _score(ranker, user, reason.item_id, [similar] if similar else [], history)
            )
    out = {name: _summary(r) for name, r in rows.items()}
    out["counterfactual"]["extra_ms_per_item"] = round(1000 * search_s / max(n_items, 1), 2)
    return {
        "workspace": str(workspace),
        "n_users": len(users),
        "n_items": n_items,
        "catalogue_items": ranker.n_items,
        "systems": out,
        "outcomes": outcomes,
    }


def _score(ranker: Any, user: str, item: str, cited: list[str], history: list[str]) -> dict:
    if not cited:
        return {"explained": False}
    necessary = not _in_top(ranker, user, item, cited)
    rest = [i for i in history if i not in set(cited)]
    sufficient = _in_top(ranker, user, item, rest)
    return {"explained": True, "necessary": necessary, "sufficient": sufficient, "size": len(cited)}


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    explained = [r for r in rows if r["explained"]]
    n = len(explained)

    def share(key: str) -> float | None:
        return round(sum(r[key] for r in explained) / n, 4) if n else None

    return {
        "share_explained": round(n / len(rows), 4) if rows else None,
        "necessity": share("necessary"),
        "sufficiency": share("sufficient"),
        "mean_size": round(float(np.mean([r["size"] for r in explained])), 3) if n else None,
        "n_explained": n,
        "n_items": len(rows),
    }


def time_big(workspace: Path, n_users: int, seed: int = 0) -> dict[str, Any]:
    """Extra time per item of the search on a large catalogue (users with any history)."""
    from causal.ranking.counterfactual import Outcome, Scope, explain_ranks
    from causal.ranking.model import Ranker
    from tools.workspace import Workspace

    if (workspace / "ranker.json").is_file():  # a ranker folder alone (no catalog build)
        ranker = Ranker.load(workspace)
    else:
        ranker = Workspace(workspace).ranker
    rng = np.random.default_rng(seed)
    users = [u for u in ranker.user_ids if len(ranker.history(u)) >= 5]
    users = sorted(rng.choice(users, size=min(n_users, len(users)), replace=False).tolist())
    times = []
    ranking = []
    found = 0
    n = 0
    for user in users:
        history = [i for i, _ in ranker.history(user)]
        started = time.perf_counter()
        top = [s.item_id for s in ranker.top_items(user, K)]
        ranking.append(time.perf_counter() - started)
        scope = Scope(user_id=user, banned=frozenset(history))
        started = time.perf_counter()
        reasons = explain_ranks(ranker, scope, top, K)
        times.append((time.perf_counter() - started) / len(top))
        found += sum(r.outcome is Outcome.FOUND for r in reasons)
        n += len(reasons)
    return {
        "workspace": str(workspace),
        "catalogue_items": ranker.n_items,
        "n_users": len(users),
        "extra_ms_per_item_mean": round(1000 * float(np.mean(times)), 2),
        "extra_ms_per_item_p90": round(1000 * float(np.percentile(times, 90)), 2),
        "ranking_ms_per_list": round(1000 * float(np.mean(ranking)), 2),
        "share_explained": round(found / max(n, 1), 4),
    }


def make_big_ranker(out: Path, n_items: int = 100_000) -> Path:
    """A ranker over benchmarks/agent.py's large synthetic world, for timing only: random
    384-d item embeddings stand in for the catalog's text embeddings (their content does not
    change the cost), and no catalog or graph is built (embedding 100k texts takes long)."""
    from causal.datasets.synthetic import SyntheticConfig, make_world
    from causal.ranking.training import train_ranker

    config = SyntheticConfig(
        seed=7, n_users=500, n_items=n_items, n_interactions=100_000, random_per_user=2
    )
    dataset = make_world(config).dataset
    rng = np.random.default_rng(0)
    embeddings = rng.normal(size=(len(dataset.items), 384)).astype(np.float32)
    train_ranker(dataset, item_embeddings=embeddings, progress=False).save(out)
    return out


def contradicting_effects(workspace: Path, n_users: int, seed: int = 0) -> dict[str, Any]:
    """Causal evidence cited by `explain` for top items, checked against the item's own value
    and the interval (independent of tools/explain.py): how many argue against their item."""
    from tools.explain import explain
    from tools.schemas import ToolContext, UserContext
    from tools.workspace import Workspace

    ws = Workspace(workspace)
    ranker = ws.ranker
    items = ws.dataset.items.set_index(ws.dataset.items["item_id"].astype(str))
    cited = contradicting = 0
    examples = []
    for user in _users(ranker, n_users, seed):
        ctx = ToolContext(workspace=ws, user=UserContext(user_id=user))
        for scored in ranker.top_items(user, K):
            explanation = explain(ctx, scored.item_id)
            for ev in explanation.evidence:
                if ev.kind != "causal":
                    continue
                cited += 1
                if not _agrees(items.loc[scored.item_id], ev.data):
                    contradicting += 1
                    examples.append(ev.text)
    return {"cited": cited, "contradicting": contradicting, "examples": examples[:5]}


def _agrees(row: Any, data: dict[str, Any]) -> bool:
    """The item holds the cited arm and the interval lies wholly on the favourable side."""
    value = row.get(data["treatment"])
    a, b = data.get("treatment_value"), data.get("control_value")
    lo, hi = data.get("ci_low"), data.get("ci_high")
    if lo is None or hi is None or not lo > 0:
        return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        try:
            x = float(value)
        except (TypeError, ValueError):
            return False
        return abs(x - a) < abs(x - b)
    parts = [p.strip() for p in str(value).split("|")]
    return str(a) in parts and (b is None or str(b) not in parts)


def main() -> None:
    from benchmarks.grounding_set import evaluate_grounding
    from benchmarks.machine_info import machine

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--ml", type=Path, default=Path.home() / ".cache/whyrec/workspaces/movielens-100k"
    )
    parser.add_argument("--coat", type=Path, default=Path.home() / ".cache/whyrec/workspaces/coat")
    parser.add_argument("--big", type=Path, default=None)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--big-users", type=int, default=20)
    parser.add_argument("--grounding-set", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/explanations.json")
    args = parser.parse_args()

    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python " + shlex.join(sys.argv),
        "machine": machine(),
        "k": K,
        "min_ratings": MIN_RATINGS,
    }
    for name, path in (("movielens-100k", args.ml), ("coat", args.coat)):
        print(f"{name}: counterfactual reasons for {args.users} users ...", file=sys.stderr)
        results[name] = evaluate_counterfactuals(path, args.users)
        results[name]["effects"] = contradicting_effects(path, min(args.users, 10))
    if args.big is not None:
        if not args.big.exists():
            print(f"training a 100k-item ranker into {args.big} (once) ...", file=sys.stderr)
            make_big_ranker(args.big)
        print("100k-item catalogue: timing ...", file=sys.stderr)
        results["big"] = time_big(args.big, args.big_users)
    print("grounding: adversarial set ...", file=sys.stderr)
    results["grounding"] = evaluate_grounding(args.ml, save_to=args.grounding_set)
    results["machine_after"] = {"load_average": machine()["load_average"]}
    _print(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


def _print(results: dict[str, Any]) -> None:
    head = (
        f"{'dataset':16} {'system':16} {'share':>6} {'PN':>6} {'PS':>6} {'size':>5} {'ms/item':>8}"
    )
    print(head)
    for name in ("movielens-100k", "coat"):
        block = results.get(name)
        if not block:
            continue
        for system, s in block["systems"].items():
            ms = s.get("extra_ms_per_item", "")
            print(
                f"{name:16} {system:16} {_f(s['share_explained']):>6} {_f(s['necessity']):>6} "
                f"{_f(s['sufficiency']):>6} {_f(s['mean_size']):>5} {ms!s:>8}"
            )
        eff = block["effects"]
        print(f"{name:16} cited effects: {eff['cited']}, contradicting: {eff['contradicting']}")
    if "big" in results:
        b = results["big"]
        print(
            f"{b['catalogue_items']}-item catalogue: {b['extra_ms_per_item_mean']} ms/item "
            f"(p90 {b['extra_ms_per_item_p90']}; ranking the list itself "
            f"{b['ranking_ms_per_list']} ms), share explained {b['share_explained']}"
        )
    g = results["grounding"]
    print(
        f"grounding: recall {g['recall']} ({g['n_invented']} invented), false alarms "
        f"{g['false_alarm_rate']} ({g['n_correct']} correct)"
    )
    for kind, figures in g["by_kind"].items():
        print(f"  {kind:28} {figures}")


def _f(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
