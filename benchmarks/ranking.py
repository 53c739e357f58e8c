"""Ranking benchmark: debiasing on Coat's and synthetic random logs; MovieLens-100K next pick.

    python benchmarks/ranking.py [--seeds 0 1 2 3 4] [--datasets coat synthetic movielens]
                                 [--coat PATH] [--movielens PATH] [--out FILE]

Systems, each trained on the biased log with the same seed, compared in one run:

- popularity: items ranked by how often the log holds them;
- naive MF: matrix factorisation with user and item biases, plain loss;
- naive MF (validation-tuned): the same, tuned on a split of the training log instead;
- IPS / SNIPS / DR-JL: the same MF with inverse-propensity (self-normalised) or doubly robust
  joint-learning losses, propensities from the 5% random slice (naive Bayes on the rating);
- naive MF + features, IPS / SNIPS / DR-JL + features: the same losses with user and item
  attributes in the embeddings, so features and debiasing are measured apart; the rows
  above score by the model's prediction alone. With naive-Bayes propensities (the random
  slice's rating distribution over the log's) the inverse weights of the logged ratings sum,
  up to smoothing, to the number of user-item pairs, IPS's normaliser, so the two coincide
  seed for seed; they differ where the clip bites or with other propensities (logistic,
  tempered or capped);
- best configuration: `RankerConfig()` as `whyrec build` trains it (attributes, SNIPS with
  tempered propensities, the catalog's text embeddings for the similarity term).

Protocol (fixed, so figures compare): ratings >= 4 are positive; AUC over all test pairs
together; NDCG@5 and Recall@5 per user, averaged over users with at least one positive; MSE
on the raw ratings. For each seed, 5% of the random log (a seeded slice) is set aside for the
propensities and for tuning and is excluded from evaluation; tuning never sees the rest.
Training time is the wall clock of `train_ranker` (propensities, tuning and the final fit)
and its process CPU time, on this shared machine (load averages recorded).

MovieLens-100K (no random log): the temporal leave-last-out split of `whyrec eval ranking`
(each user's latest interaction is the test item, ranked against every item the user has not
interacted with; Recall@10 = hit rate, NDCG@10, long-tail coverage = share of the 80% least
popular items that appear in some list). Systems:

- popularity;
- previous ranker (rating model only): `RankerConfig(choice=False, popularity_weight=0)`,
  what `whyrec build` trained before the choice model;
- new, deconfounded: the new configuration's models with popularity left out of the score;
- new configuration: `RankerConfig()` as `whyrec build` trains it now (rating model + choice
  model, mix and popularity weight chosen on each user's previous pick, never the test one);
- naive MF, IPS / SNIPS / DR-JL, each with and without features (logistic propensities:
  MovieLens has no random log), untuned, scored by prediction alone.

All get the catalog's text embeddings for the similarity term, as in a workspace. Training
time is `train_ranker` on the split (both models, and the second run for validation).

Prints tables (mean ± std over seeds) and writes benchmarks/results/ranking.json.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# The repository first, always: this folder's causal.py and agent.py would shadow the packages.
sys.path.insert(0, str(ROOT))

from benchmarks.machine_info import cpu_seconds, load_average, machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_COAT = ROOT.parent / "shared" / "data" / "coat"
METRICS = ("mse", "auc", "ndcg@5", "recall@5")
TOP_N = ("recall@10", "ndcg@10", "tail_coverage@10", "tail_share@10")
RANDOM_LOG_DATASETS = ("coat", "synthetic")


@dataclass(frozen=True)
class System:
    """A row of the table: a name and the ranker config it trains (None: popularity)."""

    name: str
    config: Callable[[int], Any] | None
    text: bool = False


def systems() -> list[System]:
    """The compared systems, in table order."""
    from causal.ranking import RankerConfig

    # The baselines are plain MF: no attributes, plain propensities, the score is the model's
    # prediction alone (no similarity-to-history term).
    plain = {
        "use_features": False,
        "propensity_power": 1.0,
        "max_weight_ratio": None,
        "similarity_weight": 0.0,
        "choice": False,
        "popularity_weight": 0.0,
    }
    return [
        System("popularity", None),
        System("naive MF", lambda s: RankerConfig(method="naive", seed=s, **plain)),
        System(
            "naive MF (validation-tuned)",
            lambda s: RankerConfig(method="naive", tune_on="validation", seed=s, **plain),
        ),
        System("IPS", lambda s: RankerConfig(method="ips", seed=s, **plain)),
        System("SNIPS", lambda s: RankerConfig(method="snips", seed=s, **plain)),
        System("DR-JL", lambda s: RankerConfig(method="dr_jl", seed=s, **plain)),
        *feature_systems(),
        System("best configuration", lambda s: RankerConfig(seed=s), text=True),
    ]


def feature_systems() -> list[System]:
    """Naive MF and each debiasing loss with the user/item attributes (plain propensities).

    The same losses as the plain rows, so "+ features" rows against the plain ones separate
    what the attributes add from what the debiasing loss adds.
    """
    from causal.ranking import RankerConfig

    with_features = {
        "use_features": True,
        "propensity_power": 1.0,
        "max_weight_ratio": None,
        "similarity_weight": 0.0,
        "choice": False,
        "popularity_weight": 0.0,
    }
    out = []
    for label, method in (
        ("naive MF", "naive"),
        ("IPS", "ips"),
        ("SNIPS", "snips"),
        ("DR-JL", "dr_jl"),
    ):
        out.append(
            System(
                f"{label} + features",
                lambda s, m=method: RankerConfig(method=m, seed=s, **with_features),
            )
        )
    return out


def text_embeddings(dataset) -> np.ndarray:
    """The catalog's text embeddings of a dataset's items (what `whyrec build` gives the ranker)."""
    from tools.catalog import item_text
    from tools.catalog.embedding import get_embedder

    texts = [item_text(row) for row in dataset.items.to_dict("records")]
    return np.asarray(get_embedder().encode(texts), dtype=np.float32)


def datasets(names: list[str], coat: Path, seed: int) -> dict[str, Any]:
    """The benchmark datasets for one seed (synthetic worlds change with the seed)."""
    out: dict[str, Any] = {}
    if "coat" in names:
        from causal.datasets.coat import load_coat

        out["coat"] = load_coat(coat)
    if "synthetic" in names:
        from causal.datasets.synthetic import SyntheticConfig, make_world

        cfg = SyntheticConfig(seed=seed, n_users=1000, n_items=500, n_interactions=60_000)
        out["synthetic"] = make_world(cfg).dataset
    return out


def run_one(system: System, dataset, seed: int, embeddings: np.ndarray | None) -> dict[str, Any]:
    """Train one system on one dataset and seed; unbiased metrics and training time."""
    from agent.evaluation import evaluate_on_random_log, popularity_on_random_log
    from causal.ranking import RankerConfig
    from causal.ranking.training import train_ranker

    if system.config is None:
        # Popularity needs no training; a cheap ranker only supplies the seed's slice.
        ref = train_ranker(
            dataset,
            RankerConfig(method="naive", tune=False, steps=1, seed=seed),
            progress=False,
        )
        metrics = popularity_on_random_log(dataset, ref)
        return {**{m: metrics.get(m) for m in METRICS}, "train_s": 0.0, "cpu_s": 0.0}
    config = system.config(seed)
    wall, cpu = time.perf_counter(), cpu_seconds()
    ranker = train_ranker(
        dataset, config, item_embeddings=embeddings if system.text else None, progress=False
    )
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    metrics = evaluate_on_random_log(ranker, dataset)
    return {
        **{m: metrics.get(m) for m in METRICS},
        "n_users": metrics.get("n_users"),
        "n_rows": metrics.get("n_rows"),
        "train_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "reg": ranker.info.get("reg"),
        "feature_reg": ranker.config.feature_reg,
        "propensity": ranker.info.get("propensity"),
    }


def movielens_runs(path: Path, seeds: list[int]) -> dict[str, list[dict[str, Any]]]:
    """Per system, one leave-last-out result per seed (popularity once: it has no seed)."""
    from dataclasses import replace

    from agent.evaluation import leave_last_out, long_tail_items, top_n_metrics
    from causal.datasets.movielens import load_movielens
    from causal.ranking import RankerConfig
    from causal.ranking.training import train_ranker

    dataset = load_movielens(path)
    embeddings = text_embeddings(dataset)
    split = leave_last_out(dataset.interactions)
    train = replace(dataset, interactions=split.train, random_exposure=None)
    out: dict[str, list[dict[str, Any]]] = {}

    def top_n(ranker, test, tail) -> dict[str, Any]:
        def recommend(user: str, n: int) -> list[str]:
            return [s.item_id for s in ranker.top_items(user, n)]

        return top_n_metrics(test, recommend, tail, k=10)

    configs = {
        "previous ranker (rating model only)": lambda s: RankerConfig(
            choice=False, popularity_weight=0.0, tune=False, seed=s
        ),
        "new configuration": lambda s: RankerConfig(tune=False, seed=s),
    }
    # The plain losses with and without attributes (logistic propensities: no random log).
    for system in [*systems()[1:2], *systems()[3:6], *feature_systems()]:
        configs[system.name] = lambda s, make=system.config: replace(make(s), tune=False)
    for seed in seeds:
        for name, make in configs.items():
            wall, cpu = time.perf_counter(), cpu_seconds()
            ranker = train_ranker(train, make(seed), item_embeddings=embeddings, progress=False)
            wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
            tail = long_tail_items(dict(zip(ranker.item_ids, ranker.item_counts, strict=True)))
            test = split.test[split.test["item_id"].astype(str).map(ranker.known_item)]
            timing = {"train_s": round(wall, 3), "cpu_s": round(cpu, 3)}
            if name == "new configuration":
                if not out.get("popularity"):
                    out["popularity"] = [
                        {"seed": None, **_popular_top_n(ranker, test, tail), "train_s": 0.0}
                    ]
                deconfounded = ranker.with_weights(popularity=0.0)
                out.setdefault("new, deconfounded (popularity_weight=0)", []).append(
                    {"seed": seed, **top_n(deconfounded, test, tail), **timing}
                )
            result = {"seed": seed, **top_n(ranker, test, tail), **timing}
            result["weights"] = ranker.weights.to_dict()
            out.setdefault(name, []).append(result)
            print(
                f"movielens seed {seed} {name}: "
                + ", ".join(f"{m} {result[m]}" for m in (*TOP_N, "train_s")),
                file=sys.stderr,
                flush=True,
            )
    order = [
        "popularity",
        *[
            n
            for n in configs
            if n not in ("previous ranker (rating model only)", "new configuration")
        ],
        "previous ranker (rating model only)",
        "new, deconfounded (popularity_weight=0)",
        "new configuration",
    ]
    return {name: out[name] for name in order}


def _popular_top_n(ranker, test, tail) -> dict[str, Any]:
    from agent.evaluation import popularity_recommender, top_n_metrics

    return top_n_metrics(test, popularity_recommender(ranker), tail, k=10)


def debiasing_gain(summary: dict[str, dict[str, Any]], metrics: tuple[str, ...]) -> dict:
    """What each debiasing loss adds over naive MF, without and with features (mean deltas)."""
    out: dict[str, Any] = {}
    for loss in ("IPS", "SNIPS", "DR-JL"):
        for suffix in ("", " + features"):
            row, base = summary.get(loss + suffix), summary.get("naive MF" + suffix)
            if not row or not base:
                continue
            out[loss + suffix] = {
                m: round(row[m]["mean"] - base[m]["mean"], 4)
                for m in metrics
                if row.get(m) and base.get(m)
            }
    return out


def summarise(runs: list[dict[str, Any]], metrics: tuple[str, ...] = METRICS) -> dict[str, Any]:
    """Mean and std over seeds of every metric and of the training time."""
    out: dict[str, Any] = {}
    for key in (*metrics, "train_s", "cpu_s"):
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            out[key] = {
                "mean": round(float(np.mean(values)), 4),
                "std": round(float(np.std(values)), 4),
            }
        else:
            out[key] = None
    return out


def fmt(cell: dict[str, float] | None, digits: int = 3) -> str:
    """'mean ± std' or '-'."""
    if cell is None:
        return "-"
    return f"{cell['mean']:.{digits}f} ± {cell['std']:.{digits}f}"


def table(name: str, summary: dict[str, dict[str, Any]]) -> str:
    """A markdown table for one dataset."""
    head = "| system | MSE | AUC | NDCG@5 | Recall@5 | train s (wall) | train s (CPU) |"
    lines = [f"### {name}", "", head, "|" + "---|" * 7]
    for system, cells in summary.items():
        lines.append(
            f"| {system} | {fmt(cells['mse'])} | {fmt(cells['auc'])} | {fmt(cells['ndcg@5'])} "
            f"| {fmt(cells['recall@5'])} | {fmt(cells['train_s'], 1)} | {fmt(cells['cpu_s'], 1)} |"
        )
    return "\n".join(lines)


def top_n_table(summary: dict[str, dict[str, Any]]) -> str:
    """The MovieLens-100K leave-last-out table."""
    head = "| system | Recall@10 | NDCG@10 | tail coverage@10 | tail share@10 | train s (wall) |"
    lines = ["### movielens-100k (temporal leave-last-out)", "", head, "|" + "---|" * 6]
    for system, cells in summary.items():
        lines.append(
            f"| {system} | {fmt(cells['recall@10'], 4)} | {fmt(cells['ndcg@10'], 4)} "
            f"| {fmt(cells['tail_coverage@10'])} | {fmt(cells['tail_share@10'])} "
            f"| {fmt(cells['train_s'], 1)} |"
        )
    return "\n".join(lines)


def versus_popularity(summary: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Ratios of the new configuration (and the previous ranker) to popularity, same run."""
    pop = summary["popularity"]
    out: dict[str, Any] = {}
    for name in (
        "new configuration",
        "new, deconfounded (popularity_weight=0)",
        "previous ranker (rating model only)",
    ):
        cells = summary[name]
        out[name] = {
            metric: round(cells[metric]["mean"] / pop[metric]["mean"], 3)
            for metric in ("recall@10", "ndcg@10")
        }
    return out


def versus_naive(summary: dict[str, dict[str, Any]], per_seed: dict[str, list[dict]]) -> dict:
    """The best configuration against naive MF in the same run (the issue's targets)."""
    best, naive = per_seed["best configuration"], per_seed["naive MF"]
    d_auc = [b["auc"] - n["auc"] for b, n in zip(best, naive, strict=True)]
    d_ndcg = [b["ndcg@5"] - n["ndcg@5"] for b, n in zip(best, naive, strict=True)]
    return {
        "auc_gain": {"mean": round(float(np.mean(d_auc)), 4), "min": round(min(d_auc), 4)},
        "ndcg@5_gain": {"mean": round(float(np.mean(d_ndcg)), 4), "min": round(min(d_ndcg), 4)},
        "mse_best": summary["best configuration"]["mse"],
        "mse_ratio_vs_naive": round(
            summary["best configuration"]["mse"]["mean"] / summary["naive MF"]["mse"]["mean"], 4
        ),
        "train_s_best_max": round(max(b["train_s"] for b in best), 2),
        "targets": "AUC >= naive + 0.02, NDCG@5 >= naive + 0.04, MSE <= 1.05, training <= 30 s",
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--datasets",
        nargs="+",
        default=["coat", "synthetic", "movielens"],
        choices=["coat", "synthetic", "movielens"],
    )
    parser.add_argument("--coat", type=Path, default=DEFAULT_COAT)
    parser.add_argument(
        "--movielens",
        type=Path,
        default=None,
        help="MovieLens-100K folder (default: the `whyrec data fetch` cache)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "ranking.json")
    args = parser.parse_args(argv)
    command = "python benchmarks/ranking.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    started = time.perf_counter()
    load_before = load_average()
    rows = systems()
    per_seed: dict[str, dict[str, list[dict[str, Any]]]] = {}
    random_logs = [d for d in args.datasets if d in RANDOM_LOG_DATASETS]
    for seed in args.seeds if random_logs else []:
        for name, dataset in datasets(random_logs, args.coat, seed).items():
            embeddings = text_embeddings(dataset)
            for system in rows:
                result = run_one(system, dataset, seed, embeddings)
                per_seed.setdefault(name, {}).setdefault(system.name, []).append(
                    {"seed": seed, **result}
                )
                print(
                    f"{name} seed {seed} {system.name}: "
                    + ", ".join(f"{m} {result[m]}" for m in (*METRICS, "train_s")),
                    file=sys.stderr,
                    flush=True,
                )
    summaries = {
        name: {system: summarise(runs) for system, runs in by_system.items()}
        for name, by_system in per_seed.items()
    }
    movielens: dict[str, Any] | None = None
    if "movielens" in args.datasets:
        from causal.datasets.movielens import cached_movielens_dir

        path = args.movielens or cached_movielens_dir()
        runs = movielens_runs(path, args.seeds)
        ml_summary = {system: summarise(r, TOP_N) for system, r in runs.items()}
        movielens = {
            "protocol": (
                "temporal leave-last-out: each user's latest interaction is the test item, "
                "ranked against every item they have not interacted with; recall@10 = hit "
                "rate, ndcg@10, tail_coverage@10 = share of the 80% least popular items in "
                "some list; mean ± std over seeds (popularity has no seed)"
            ),
            "summary": ml_summary,
            "debiasing_gain_over_naive": debiasing_gain(ml_summary, TOP_N),
            "versus_popularity": versus_popularity(ml_summary),
            "runs": runs,
        }
    report = {
        "benchmark": "ranking",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "load_before": load_before,
        "load_after": load_average(),
        "seconds": round(time.perf_counter() - started, 1),
        "protocol": (
            "ratings >= 4 positive; AUC over all test pairs; NDCG@5/Recall@5 per user over users "
            "with a positive; MSE on raw ratings; 5% random slice for propensities and tuning, "
            "excluded from evaluation; mean ± std over seeds"
        ),
        "summary": summaries,
        "versus_naive": {name: versus_naive(summaries[name], per_seed[name]) for name in summaries},
        "debiasing_gain_over_naive": {
            name: debiasing_gain(summaries[name], METRICS) for name in summaries
        },
        "runs": per_seed,
    }
    if movielens is not None:
        report["movielens"] = movielens
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    for name, summary in summaries.items():
        print(table(name, summary))
        print()
        vs = report["versus_naive"][name]
        for loss, gain in report["debiasing_gain_over_naive"][name].items():
            print(f"  {loss} minus its naive MF ({name}): {gain}")
        print(
            f"best vs naive MF ({name}): AUC {vs['auc_gain']['mean']:+.4f} (min {vs['auc_gain']['min']:+.4f}), "
            f"NDCG@5 {vs['ndcg@5_gain']['mean']:+.4f} (min {vs['ndcg@5_gain']['min']:+.4f}), "
            f"MSE {vs['mse_best']['mean']:.4f} ({vs['mse_ratio_vs_naive']:.3f}x naive), "
            f"slowest training {vs['train_s_best_max']} s"
        )
        print()
    if movielens is not None:
        print(top_n_table(movielens["summary"]))
        print()
        for name, ratios in movielens["versus_popularity"].items():
            print(
                f"{name} vs popularity (movielens): Recall@10 {ratios['recall@10']:.2f}x, "
                f"NDCG@10 {ratios['ndcg@10']:.2f}x"
            )
        print()
    print(f"command: {command}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
