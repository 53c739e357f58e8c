"""Dialogues between the outside user and the agent, with both baselines in the same run.

For each target: a fresh agent session and fresh baselines; T turns always (so every system
hears the same facts for the same number of turns). At turn t each system shows a list; the
target's 1-based rank in it is recorded. hit@k within T turns: some turn put the target among
the first k. The user reacts to the agent's list; the baselines are handed the facts the user
revealed up to that turn (reactions' facts included) as structure.
An agent exception counts as a failure for the rest of that dialogue (the user then sees an
empty list) and is reported.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from benchmarks.outside_user.baselines import FilterBaseline, PopularityBaseline
from benchmarks.outside_user.catalog import STRATA, OutsideCatalog
from benchmarks.outside_user.user import SimulatedUser

KS = (1, 5, 10)
SYSTEMS = ("agent", "filter", "popularity")
log = logging.getLogger("outside_user")


class ChatAgent(Protocol):
    """What the runner needs of the agent: RecAgent's public `new_session` and `chat`."""

    def new_session(self) -> str: ...

    def chat(self, session_id: str, text: str) -> Any: ...


@dataclass
class Dialogue:
    """One target's dialogue: ranks per system and turn, and the transcript."""

    target: str
    stratum: str
    draw: str
    title: str = ""
    ranks: dict[str, list[int | None]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    turns: list[dict] = field(default_factory=list)

    def hit(self, system: str, k: int) -> bool:
        """Whether some turn put the target in the system's first k."""
        return any(r is not None and r <= k for r in self.ranks.get(system, []))

    def first_turn(self, system: str, k: int) -> int | None:
        """The first turn (1-based) with the target in the first k, if any."""
        for t, r in enumerate(self.ranks.get(system, []), start=1):
            if r is not None and r <= k:
                return t
        return None


def _rank(items: list[str], target: str) -> int | None:
    return items.index(target) + 1 if target in items else None


def _reply_ids(reply: Any) -> list[str]:
    return [str(getattr(item, "item_id", "")) for item in (getattr(reply, "items", None) or [])]


def run_dialogue(
    agent: ChatAgent,
    catalog: OutsideCatalog,
    target: str,
    *,
    bank_name: str,
    turns: int,
    seed: int,
    draw: str,
) -> Dialogue:
    """Play one target through `turns` turns against the agent and both baselines."""
    user = SimulatedUser(catalog, target, bank_name, seed=seed, turns=turns)
    dialogue = Dialogue(target, catalog.stratum_of(target), draw, catalog.display(target))
    baselines = [FilterBaseline(catalog), PopularityBaseline(catalog)]
    dialogue.ranks = {name: [] for name in SYSTEMS}
    session: str | None = None
    broken = False
    shown: list[str] = []
    for t in range(1, turns + 1):
        before = len(user.revealed)
        text = user.opening() if t == 1 else user.respond(shown)
        record: dict[str, Any] = {"turn": t, "user": text}
        record["facts"] = [f.as_dict() for f in user.revealed[before:]]
        shown = []
        if not broken:
            try:
                if session is None:
                    session = agent.new_session()
                reply = agent.chat(session, text)
                shown = _reply_ids(reply)
                record["agent_text"] = str(getattr(reply, "text", ""))[:600]
            except Exception as exc:  # the agent's failure is a measured outcome
                broken = True
                message = f"turn {t}: {type(exc).__name__}: {exc}"[:300]
                dialogue.errors.append(message)
                record["error"] = message
        record["agent_items"] = [
            [i, catalog.display(i)] for i in shown[:10] if i in catalog.items.index
        ]
        dialogue.ranks["agent"].append(_rank(shown, target))
        for base in baselines:
            picks = base.turn(list(user.revealed))
            dialogue.ranks[base.name].append(_rank(picks, target))
            record[f"{base.name}_items"] = picks
        record["ranks"] = {name: dialogue.ranks[name][-1] for name in SYSTEMS}
        dialogue.turns.append(record)
    return dialogue


def summarise(dialogues: list[Dialogue], turns: int) -> dict[str, Any]:
    """hit@1/5/10 per system, overall and per stratum, plus the hit@10 curve by turn."""
    out: dict[str, Any] = {"n": len(dialogues)}
    strata_n = {s: sum(d.stratum == s for d in dialogues) for s in STRATA}
    out["strata_n"] = strata_n
    systems: dict[str, Any] = {}
    for system in SYSTEMS:
        row: dict[str, Any] = {}
        for k in KS:
            row[f"hit@{k}"] = _share([d.hit(system, k) for d in dialogues])
        row["hit@10_by_turn"] = [
            _share([(d.first_turn(system, 10) or turns + 1) <= t for d in dialogues])
            for t in range(1, turns + 1)
        ]
        firsts = [d.first_turn(system, 10) for d in dialogues]
        found = [f for f in firsts if f is not None]
        row["mean_first_hit@10_turn"] = round(sum(found) / len(found), 3) if found else None
        row["by_stratum"] = {
            s: {
                f"hit@{k}": _share([d.hit(system, k) for d in dialogues if d.stratum == s])
                for k in KS
            }
            for s in STRATA
        }
        systems[system] = row
    out["systems"] = systems
    out["agent_errors"] = sum(len(d.errors) for d in dialogues)
    out["dialogues_with_agent_error"] = sum(bool(d.errors) for d in dialogues)
    out["agent_minus_filter_hit@10"] = (
        None
        if systems["agent"]["hit@10"] is None
        else round(systems["agent"]["hit@10"] - systems["filter"]["hit@10"], 4)
    )
    return out


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def progress_printer(total: int) -> Callable[[int, Dialogue, float], None]:
    """One line per dialogue: overwritten on a terminal, a log line otherwise."""
    tty = sys.stderr.isatty()

    def show(index: int, d: Dialogue, seconds: float) -> None:
        marks = " ".join(
            f"{s}={'turn' + str(d.first_turn(s, 10)) if d.hit(s, 10) else '-'}" for s in SYSTEMS
        )
        line = (
            f"[{d.draw} {index}/{total}] {d.stratum:<5} target={d.target} {marks}"
            f"{' ERROR' if d.errors else ''} ({seconds:.1f}s)"
        )
        if tty:
            sys.stderr.write("\r" + line[:150].ljust(150))
            if index == total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        else:
            log.info(line)

    return show


def run_draw(
    agent: ChatAgent,
    catalog: OutsideCatalog,
    targets: list[str],
    *,
    bank_name: str,
    turns: int,
    seed: int,
    draw: str,
    on_done: Callable[[int, Dialogue, float], None] | None = None,
) -> list[Dialogue]:
    """Every target's dialogue, in order, seeded per target position."""
    dialogues = []
    for index, target in enumerate(targets, start=1):
        started = time.perf_counter()
        dialogue = run_dialogue(
            agent,
            catalog,
            target,
            bank_name=bank_name,
            turns=turns,
            seed=seed * 100_003 + index * 7 + (0 if draw == "popularity" else 50_000),
            draw=draw,
        )
        dialogues.append(dialogue)
        if on_done:
            on_done(index, dialogue, time.perf_counter() - started)
    return dialogues
