"""Dialogue evaluation: simulated users look for hidden targets; the agent and two baselines.

    report = evaluate_dialogues(workspace, client, DialogueConfig(n=99, turns=5, seed=0))
    report.to_json()   # {"hit@1", "hit@5", "hit@10", "avg_turns", "grounding_rate", ...}

Targets are drawn (seeded) from the items people liked (rating >= 4, else a click, else any
row): `interaction` draws a random liked row's item, so popular items come up as often as
people liked them; `uniform` draws distinct liked items. With `stratify` (the default) the
draw takes a third of the targets from each popularity stratum (head, torso, tail: see
`catalog_view`). Each target meets three systems: the agent (anonymous session, by text),
then the popularity and filter+popularity baselines, which hear the facts the user told the
agent, turn by turn, as structure, and show k new items a turn; when the agent found the
target before the last turn, the same user (forked at that point) goes on telling each
baseline what it would have said next, reacting to that baseline's lists. A dialogue ends
when the target is among the first k items a system shows, or after `turns` replies.
Hit@k counts targets shown at rank <= k when the dialogue ended; everything is reported
for all targets and per stratum.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from agent.evaluation.baselines import DESCRIPTIONS, PopularityBaseline, make_baselines
from agent.evaluation.catalog_view import STRATA, CatalogView, liked_rows
from agent.evaluation.clients import AgentClient
from agent.evaluation.phrases import Bank
from agent.evaluation.simulator import UserSimulator, UserTurn

if TYPE_CHECKING:
    from tools.protocols import Workspace

HIT_KS: tuple[int, ...] = (1, 5, 10)
AGENT = "agent"
# Issue 11's targets: the agent beats the filter baseline by this much; tail targets found.
TARGET_MARGIN_OVER_FILTER = 0.15
TARGET_TAIL_HIT = 0.5


class TargetSampling(StrEnum):
    """How targets are drawn from the workspace."""

    INTERACTION = "interaction"  # a random positive interaction's item (popularity-weighted)
    UNIFORM = "uniform"  # distinct items with at least one positive interaction


@dataclass(frozen=True)
class DialogueConfig:
    """How many dialogues, how long, which seed and bank, and how success is judged."""

    n: int = 200
    turns: int = 5
    seed: int = 0
    k: int = 10
    sampling: TargetSampling = TargetSampling.INTERACTION
    bank: Bank = Bank.HELDOUT
    stratify: bool = True

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError("n must be at least 1")
        if self.turns < 1:
            raise ValueError("turns must be at least 1")
        if self.k < 1:
            raise ValueError("k must be at least 1")


@dataclass(frozen=True)
class TurnRecord:
    """One exchange: what the user said, what the system answered and showed, how long."""

    user: str
    agent: str
    items: tuple[str, ...]
    latency_ms: float
    grounded: bool | None
    target_rank: int | None
    fallback: bool = False
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DialogueResult:
    """One simulated conversation with one system."""

    target: str
    title: str
    success_turn: int | None
    rank: int | None
    turns: tuple[TurnRecord, ...]
    stratum: str = ""
    system: str = AGENT

    @property
    def success(self) -> bool:
        """True when the target was shown within the top k."""
        return self.success_turn is not None


def _fact_labels(turn: Any) -> tuple[str, ...]:
    return tuple(
        ":".join(str(p) for p in f.key() if p not in (None, "", (), 0)) for f in turn.revealed
    )


def run_dialogue(
    client: AgentClient,
    sim: UserSimulator,
    max_turns: int,
    heard: list[UserTurn] | None = None,
) -> DialogueResult:
    """One conversation between the simulated user and the agent (by text).

    `heard`, when given, receives every user message sent (for the baselines' replay)."""
    conversation = client.start()
    message = sim.opening()
    records: list[TurnRecord] = []
    for turn in range(1, max_turns + 1):
        if heard is not None:
            heard.append(message)
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
                facts=_fact_labels(message),
            )
        )
        following = sim.respond(reply.text, reply.item_ids)
        if following is None:
            return _result(sim, turn, sim.found_rank, records, AGENT)
        message = following
    return _result(sim, None, None, records, AGENT)


def run_baseline(
    baseline: PopularityBaseline,
    sim: UserSimulator,
    max_turns: int,
    script: Sequence[UserTurn] = (),
) -> DialogueResult:
    """The same conversation with a baseline: it hears the facts, not the words.

    With a `script` (the agent's dialogue's user messages) the baseline hears exactly those
    facts turn by turn; past the script (the agent found the target sooner) `sim`, the same
    user forked where the agent's dialogue ended, goes on reacting to the baseline's lists.
    Without a script, `sim` talks from its opening."""
    state = baseline.start()
    message = script[0] if script else sim.opening()
    records: list[TurnRecord] = []
    for turn in range(1, max_turns + 1):
        shown = baseline.show(state, message.revealed)
        rank = sim.rank_of_target(shown)
        records.append(
            TurnRecord(
                user=message.text,
                agent="",
                items=shown,
                latency_ms=0.0,
                grounded=None,
                target_rank=rank,
                facts=_fact_labels(message),
            )
        )
        if rank is not None:
            return _result(sim, turn, rank, records, baseline.name)
        following = script[turn] if turn < len(script) else sim.respond("", shown)
        if following is None:  # cannot happen: the target was not shown
            break
        message = following
    return _result(sim, None, None, records, baseline.name)


def _result(
    sim: UserSimulator,
    turn: int | None,
    rank: int | None,
    records: list[TurnRecord],
    system: str,
) -> DialogueResult:
    target = sim.target
    return DialogueResult(
        target.item_id, target.title, turn, rank, tuple(records), target.stratum, system
    )


def system_metrics(dialogues: Sequence[DialogueResult], turns: int) -> dict[str, Any]:
    """hit@1/5/10 within the turns, average turns to success, success by turn, grounding."""
    n = len(dialogues)
    out: dict[str, Any] = {
        f"hit@{k}": round(sum(1 for d in dialogues if d.rank is not None and d.rank <= k) / n, 4)
        if n
        else None
        for k in HIT_KS
    }
    successes = [d.success_turn for d in dialogues if d.success_turn is not None]
    out["avg_turns"] = round(statistics.fmean(successes), 3) if successes else None
    out["success_by_turn"] = [
        round(sum(1 for s in successes if s <= t) / n, 4) if n else None
        for t in range(1, turns + 1)
    ]
    # Share of the agent's turns with items whose explanation passed the grounding check
    # (a turn that does not say counts as ungrounded); baselines explain nothing: None.
    with_items = [t for d in dialogues if d.system == AGENT for t in d.turns if t.items]
    out["grounding_rate"] = (
        round(sum(1 for t in with_items if t.grounded) / len(with_items), 4) if with_items else None
    )
    out["n"] = n
    return out


@dataclass
class DialogueReport:
    """Metrics over all dialogues and the baselines, as `whyrec eval dialogue --json` prints."""

    config: DialogueConfig
    client: str
    dialogues: list[DialogueResult]
    baseline_dialogues: dict[str, list[DialogueResult]]
    seconds: float
    workspace: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def hit(self, k: int) -> float:
        """Share of agent dialogues that showed the target at rank <= k."""
        if not self.dialogues:
            return 0.0
        hits = sum(1 for d in self.dialogues if d.rank is not None and d.rank <= k)
        return hits / len(self.dialogues)

    def success_by_turn(self) -> list[float]:
        """Cumulative share of agent dialogues that found the target by turn 1, 2, ..."""
        return system_metrics(self.dialogues, self.config.turns)["success_by_turn"]

    def systems(self) -> dict[str, list[DialogueResult]]:
        """Every system's dialogues, the agent first."""
        return {AGENT: self.dialogues, **self.baseline_dialogues}

    def summary(self) -> dict[str, Any]:
        """Per-system metrics over all targets and per stratum, and issue 11's targets."""
        turns = self.config.turns
        systems = {name: system_metrics(ds, turns) for name, ds in self.systems().items()}
        strata: dict[str, Any] = {}
        for stratum in STRATA:
            part = {
                name: system_metrics([d for d in ds if d.stratum == stratum], turns)
                for name, ds in self.systems().items()
            }
            strata[stratum] = {"n": part[AGENT]["n"], **part}
        agent = systems[AGENT]["hit@10"] or 0.0
        filtered = systems.get("filter_popularity", {}).get("hit@10") or 0.0
        tail = strata["tail"][AGENT]["hit@10"]
        targets = {
            "agent_minus_filter_hit@10": round(agent - filtered, 4),
            "agent_vs_filter": "met"
            if agent >= filtered + TARGET_MARGIN_OVER_FILTER - 1e-9
            else "missed",
            "tail_hit@10": tail,
            "tail": "n/a" if tail is None else "met" if tail >= TARGET_TAIL_HIT else "missed",
            "wanted": f"agent hit@10 >= filter_popularity + {TARGET_MARGIN_OVER_FILTER}; "
            f"tail hit@10 >= {TARGET_TAIL_HIT}",
        }
        agreement = {
            name: _fact_agreement(self.dialogues, dialogues)
            for name, dialogues in self.baseline_dialogues.items()
        }
        return {
            "systems": systems,
            "strata": strata,
            "issue_targets": targets,
            "same_fact_share": agreement,
        }

    def to_json(self) -> dict[str, Any]:
        """The JSON contract (see the module docstring and DESIGN's CLI contract)."""
        turns = [t for d in self.dialogues for t in d.turns]
        summary = self.summary()
        agent = summary["systems"][AGENT]
        payload: dict[str, Any] = {f"hit@{k}": agent[f"hit@{k}"] or 0.0 for k in HIT_KS}
        pop10 = summary["systems"].get("popularity", {}).get("hit@10") or 0.0
        payload.update(
            {
                "avg_turns": agent["avg_turns"],
                "avg_turns_all": round(
                    statistics.fmean(d.success_turn or self.config.turns for d in self.dialogues),
                    3,
                )
                if self.dialogues
                else None,
                "grounding_rate": agent["grounding_rate"],
                "n": len(self.dialogues),
                "turns": self.config.turns,
                "k": self.config.k,
                "seed": self.config.seed,
                "target_sampling": self.config.sampling.value,
                "stratified": self.config.stratify,
                "bank": self.config.bank.value,
                "client": self.client,
                "workspace": self.workspace,
                "success_by_turn": agent["success_by_turn"],
                "agent_turns": len(turns),
                "fallback_turns": sum(1 for t in turns if t.fallback),
                "new_items_per_turn": _new_items_per_turn(self.dialogues),
                "latency_ms": _latency([t.latency_ms for t in turns]),
                "baselines": {
                    name: {**summary["systems"][name], "description": DESCRIPTIONS.get(name, "")}
                    for name in self.baseline_dialogues
                },
                "ratio_vs_popularity": round(payload["hit@10"] / pop10, 2) if pop10 > 0 else None,
                **summary,
                "seconds": round(self.seconds, 1),
            }
        )
        payload.update(self.extra)
        return payload

    def write_transcripts(self, path: str | Path, *, append: bool = False) -> None:
        """Every dialogue of every system as one JSON line, for reading failures."""
        with Path(path).open("a" if append else "w", encoding="utf-8") as out:
            for system, dialogues in self.systems().items():
                for d in dialogues:
                    row = {
                        "system": system,
                        "target_sampling": self.config.sampling.value,
                        "target": d.target,
                        "title": d.title,
                        "stratum": d.stratum,
                        "success_turn": d.success_turn,
                        "rank": d.rank,
                        "turns": [asdict(t) for t in d.turns],
                    }
                    out.write(json.dumps(row) + "\n")


def _fact_agreement(
    agent: Sequence[DialogueResult], other: Sequence[DialogueResult]
) -> float | None:
    """Share of turns (both dialogues still going) where the two users stated the same fact.

    The users share a seed, so they differ only where a reason or an answer depends on what
    their system showed or asked."""
    same = total = 0
    for a, b in zip(agent, other, strict=True):
        for x, y in zip(a.turns, b.turns, strict=False):
            total += 1
            same += x.facts == y.facts
    return round(same / total, 4) if total else None


def _new_items_per_turn(dialogues: Sequence[DialogueResult]) -> float | None:
    """Average number of items a turn showed that the dialogue had not shown before."""
    counts = []
    for d in dialogues:
        seen: set[str] = set()
        for t in d.turns:
            top = t.items[:10]
            counts.append(sum(1 for i in top if i not in seen))
            seen.update(top)
    return round(statistics.fmean(counts), 2) if counts else None


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
    return liked_rows(interactions)


def sample_targets(
    interactions: pd.DataFrame,
    view: CatalogView,
    n: int,
    seed: int,
    sampling: TargetSampling = TargetSampling.INTERACTION,
    *,
    stratify: bool = False,
) -> list[str]:
    """`n` target item ids drawn with `seed` (see the module docstring for the schemes)."""
    items = positive_interactions(interactions)["item_id"].astype(str)
    items = items[items.map(lambda i: i in view and view.describable(i))]
    if items.empty:
        raise ValueError(
            "no item with a positive interaction has a categorical attribute to talk about"
        )
    rng = np.random.default_rng(seed)
    if not stratify:
        return _draw(items.to_numpy(), n, rng, sampling)
    strata = items.map(lambda i: view.stratum.get(i, "tail"))
    by_stratum = {s: items[strata == s] for s in STRATA}
    present = [s for s in STRATA if not by_stratum[s].empty]
    chosen: list[str] = []
    for position, stratum in enumerate(present):
        share = n // len(present) + (1 if position < n % len(present) else 0)
        if share:
            chosen += _draw(by_stratum[stratum].to_numpy(), share, rng, sampling)
    return chosen


def _draw(
    pool: np.ndarray, n: int, rng: np.random.Generator, sampling: TargetSampling
) -> list[str]:
    if sampling is TargetSampling.UNIFORM:
        pool = np.array(sorted(set(pool.tolist())))
    chosen = rng.choice(len(pool), size=n, replace=n > len(pool))
    return [str(pool[i]) for i in chosen]


def evaluate_dialogues(
    workspace: Workspace,
    client: AgentClient,
    config: DialogueConfig,
    *,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> DialogueReport:
    """Run `config.n` simulated dialogues with the agent and the baselines; score them."""
    started = time.perf_counter()
    dataset = workspace.dataset
    view = CatalogView.from_dataset(dataset.items, dataset.interactions)
    targets = sample_targets(
        dataset.interactions, view, config.n, config.seed, config.sampling, stratify=config.stratify
    )
    # Warm the agent up (models load on the first turn) so latency measures steady turns.
    client.send(client.start(), "Hello, can you recommend something?")
    baselines = make_baselines(view, config.k)
    dialogues: list[DialogueResult] = []
    others: dict[str, list[DialogueResult]] = {b.name: [] for b in baselines}
    iterator: Any = enumerate(targets)
    bar = progress and sys.stderr.isatty()
    if bar:
        from tqdm import tqdm

        iterator = tqdm(iterator, total=len(targets), desc="dialogues", file=sys.stderr)
    for index, target_id in iterator:
        target = view.target(target_id)
        seed = f"{config.seed}:{index}"

        sim = UserSimulator(target, view, seed=seed, k=config.k, bank=config.bank)
        heard: list[UserTurn] = []
        dialogues.append(run_dialogue(client, sim, config.turns, heard))
        for baseline in baselines:
            result = run_baseline(baseline, sim.fork(), config.turns, script=heard)
            others[baseline.name].append(result)
        if log and not bar and (index + 1) % 25 == 0:
            log(f"dialogues: {index + 1}/{len(targets)}")
    return DialogueReport(
        config=config,
        client=client.name,
        dialogues=dialogues,
        baseline_dialogues=others,
        seconds=time.perf_counter() - started,
        workspace=str(getattr(workspace, "root", "")),
    )
