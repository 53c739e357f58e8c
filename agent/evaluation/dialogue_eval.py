"""Dialogue evaluation: simulated users look for hidden targets; hit rates, turns, grounding, latency.

    report = evaluate_dialogues(workspace, client, DialogueConfig(n=200, turns=5, seed=0))
    report.to_json()   # {"hit@1", "hit@5", "hit@10", "avg_turns", "grounding_rate", "n", ...}

Targets are drawn (seeded) from the workspace's log: by default one positive interaction
(rating >= 4, else a click, else any row) at random, so popular items are drawn as often as
people interact with them; `uniform` draws distinct items instead. Each conversation is an
anonymous session (the ranker was trained on the log the target comes from, so a personal
session would leak it). A dialogue ends when the target is among the first k items of a
reply (success at that turn and rank) or after `turns` agent replies. Hit@k counts targets
shown at rank <= k when the dialogue ended; the no-dialogue baselines (popularity, one-shot
retrieval on the opening request) are scored on the same targets in the same run.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from agent.evaluation.baselines import (
    BaselineResult,
    popularity_baseline,
    retrieval_baseline,
)
from agent.evaluation.clients import AgentClient
from agent.evaluation.simulator import CatalogView, UserSimulator

HIT_KS: tuple[int, ...] = (1, 5, 10)


class TargetSampling(StrEnum):
    """How targets are drawn from the workspace."""

    INTERACTION = "interaction"  # a random positive interaction's item (popularity-weighted)
    UNIFORM = "uniform"  # distinct items with at least one positive interaction


@dataclass(frozen=True)
class DialogueConfig:
    """How many dialogues, how long, which seed, and how success is judged."""

    n: int = 200
    turns: int = 5
    seed: int = 0
    k: int = 10
    sampling: TargetSampling = TargetSampling.INTERACTION

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError("n must be at least 1")
        if self.turns < 1:
            raise ValueError("turns must be at least 1")
        if self.k < 1:
            raise ValueError("k must be at least 1")


@dataclass(frozen=True)
class TurnRecord:
    """One exchange: what the user said, what the agent answered and showed, how long it took."""

    user: str
    agent: str
    items: tuple[str, ...]
    latency_ms: float
    grounded: bool | None
    target_rank: int | None
    fallback: bool = False


@dataclass(frozen=True)
class DialogueResult:
    """One simulated conversation."""

    target: str
    title: str
    success_turn: int | None
    rank: int | None
    turns: tuple[TurnRecord, ...]

    @property
    def success(self) -> bool:
        """True when the target was shown within the top k."""
        return self.success_turn is not None


@dataclass
class DialogueReport:
    """Metrics over all dialogues plus the baselines, as `whyrec eval dialogue --json` prints."""

    config: DialogueConfig
    client: str
    dialogues: list[DialogueResult]
    baselines: dict[str, BaselineResult]
    seconds: float
    workspace: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def hit(self, k: int) -> float:
        """Share of dialogues that showed the target at rank <= k."""
        if not self.dialogues:
            return 0.0
        return sum(1 for d in self.dialogues if d.rank is not None and d.rank <= k) / len(
            self.dialogues
        )

    def success_by_turn(self) -> list[float]:
        """Cumulative share of dialogues that found the target by turn 1, 2, ..."""
        n = max(len(self.dialogues), 1)
        return [
            sum(1 for d in self.dialogues if d.success_turn is not None and d.success_turn <= t) / n
            for t in range(1, self.config.turns + 1)
        ]

    def to_json(self) -> dict[str, Any]:
        """The JSON contract (see the module docstring and DESIGN's CLI contract)."""
        turns = [t for d in self.dialogues for t in d.turns]
        latencies = [t.latency_ms for t in turns]
        with_items = [t for t in turns if t.items]
        grounded = [t for t in with_items if t.grounded]
        successes = [d for d in self.dialogues if d.success]
        popularity = self.baselines.get("popularity")
        pop10 = popularity.hits.get(10, 0.0) if popularity else 0.0
        hit10 = self.hit(10)
        payload: dict[str, Any] = {f"hit@{k}": round(self.hit(k), 4) for k in HIT_KS}
        payload.update(
            {
                "avg_turns": round(statistics.fmean(d.success_turn for d in successes), 3)
                if successes
                else None,
                "avg_turns_all": round(
                    statistics.fmean(d.success_turn or self.config.turns for d in self.dialogues),
                    3,
                )
                if self.dialogues
                else None,
                "grounding_rate": round(len(grounded) / len(with_items), 4) if with_items else None,
                "n": len(self.dialogues),
                "turns": self.config.turns,
                "k": self.config.k,
                "seed": self.config.seed,
                "target_sampling": self.config.sampling.value,
                "client": self.client,
                "workspace": self.workspace,
                "success_by_turn": [round(v, 4) for v in self.success_by_turn()],
                "agent_turns": len(turns),
                "fallback_turns": sum(1 for t in turns if t.fallback),
                "latency_ms": _latency(latencies),
                "baselines": {name: b.to_json() for name, b in self.baselines.items()},
                "ratio_vs_popularity": round(hit10 / pop10, 2) if pop10 > 0 else None,
                "seconds": round(self.seconds, 1),
            }
        )
        payload.update(self.extra)
        return payload

    def write_transcripts(self, path: str | Path) -> None:
        """Every dialogue as one JSON line (target, outcome, turns), for reading failures."""
        with Path(path).open("w", encoding="utf-8") as out:
            for d in self.dialogues:
                row = {
                    "target": d.target,
                    "title": d.title,
                    "success_turn": d.success_turn,
                    "rank": d.rank,
                    "turns": [asdict(t) for t in d.turns],
                }
                out.write(json.dumps(row) + "\n")


def _latency(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "mean": None, "max": None}
    arr = np.asarray(values, dtype=float)
    return {
        "p50": round(float(np.percentile(arr, 50)), 1),
        "p99": round(float(np.percentile(arr, 99)), 1),
        "mean": round(float(arr.mean()), 1),
        "max": round(float(arr.max()), 1),
    }


def positive_interactions(interactions: pd.DataFrame) -> pd.DataFrame:
    """Rows that show the user wanted the item: rating >= 4, else clicked, else every row."""
    frame = interactions
    if "rating" in frame.columns and frame["rating"].notna().any():
        return frame[frame["rating"] >= 4]
    if "clicked" in frame.columns and (frame["clicked"] == 1).any():
        return frame[frame["clicked"] == 1]
    return frame


def sample_targets(
    interactions: pd.DataFrame,
    view: CatalogView,
    n: int,
    seed: int,
    sampling: TargetSampling = TargetSampling.INTERACTION,
) -> list[str]:
    """`n` target item ids drawn with `seed` (see the module docstring for the two schemes)."""
    positive = positive_interactions(interactions)
    items = positive["item_id"].astype(str)
    items = items[items.map(view.describable)]
    if items.empty:
        raise ValueError(
            "no item with a positive interaction has a categorical attribute to talk about"
        )
    rng = np.random.default_rng(seed)
    uniform = sampling is TargetSampling.UNIFORM
    pool = np.array(sorted(set(items))) if uniform else items.to_numpy()
    chosen = rng.choice(len(pool), size=n, replace=n > len(pool))
    return [str(pool[i]) for i in chosen]


def run_dialogue(client: AgentClient, sim: UserSimulator, max_turns: int) -> DialogueResult:
    """One conversation between the simulated user and the agent."""
    conversation = client.start()
    message = sim.opening()
    records: list[TurnRecord] = []
    for turn in range(1, max_turns + 1):
        reply = client.send(conversation, message.text)
        records.append(
            TurnRecord(
                user=message.text,
                agent=reply.text,
                items=reply.item_ids,
                latency_ms=round(reply.latency_ms, 2),
                grounded=reply.grounded,
                target_rank=sim.rank_of_target(reply.item_ids),
                fallback=reply.fallback,
            )
        )
        following = sim.respond(reply.text, reply.item_ids)
        if following is None:
            return DialogueResult(
                sim.target.item_id, sim.target.title, turn, sim.found_rank, tuple(records)
            )
        message = following
    return DialogueResult(sim.target.item_id, sim.target.title, None, None, tuple(records))


def evaluate_dialogues(
    workspace: Any,
    client: AgentClient,
    config: DialogueConfig,
    *,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> DialogueReport:
    """Run `config.n` simulated dialogues against `client` and score them and the baselines."""
    started = time.perf_counter()
    dataset = workspace.dataset
    view = CatalogView.from_items(dataset.items)
    targets = sample_targets(dataset.interactions, view, config.n, config.seed, config.sampling)
    # Warm the agent up (models load on the first turn) so latency measures steady turns.
    client.send(client.start(), "Can you recommend something popular?")
    dialogues: list[DialogueResult] = []
    openings: list[str] = []
    iterator: Any = enumerate(targets)
    if progress:
        from causal.progress import progress_bar

        iterator = progress_bar(len(targets), "dialogues", iterable=iterator, unit="dialogue")
    for index, target_id in iterator:
        sim = UserSimulator(view.target(target_id), view, seed=f"{config.seed}:{index}", k=config.k)
        result = run_dialogue(client, sim, config.turns)
        dialogues.append(result)
        openings.append(result.turns[0].user)
    if log:
        log("scoring the baselines on the same targets ...")
    baselines = {
        "popularity": popularity_baseline(targets, dataset.interactions),
        "one_shot_retrieval": retrieval_baseline(targets, openings, workspace.catalog),
    }
    return DialogueReport(
        config=config,
        client=client.name,
        dialogues=dialogues,
        baselines=baselines,
        seconds=time.perf_counter() - started,
        workspace=str(getattr(workspace, "root", "")),
    )
