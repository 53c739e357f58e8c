"""agent.evaluation is the one door to every evaluation: light to import, never reaching into ui."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import agent.evaluation as evaluation

ROOT = Path(__file__).resolve().parents[3]


def test_every_exported_name_resolves():
    missing = [name for name in evaluation.__all__ if not hasattr(evaluation, name)]
    assert missing == []
    assert callable(evaluation.run_all) and callable(evaluation.ranking_payload)


def test_importing_the_front_door_loads_no_ui_tools_or_torch():
    code = (
        "import sys, agent.evaluation; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'ui', 'tools', 'torch'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"


def _summary(agent_hit: float, filter_hit: float) -> dict:
    systems = {
        "agent": {"hit@1": 0.1, "hit@5": 0.2, "hit@10": agent_hit, "avg_turns": 2.5},
        "filter_popularity": {"hit@1": 0.0, "hit@5": 0.1, "hit@10": filter_hit},
    }
    return {
        "systems": systems,
        "strata": {
            "tail": {"n": 3, "agent": {"hit@10": 0.5}, "filter_popularity": {"hit@10": 0.0}}
        },
        "issue_targets": {
            "agent_minus_filter_hit@10": round(agent_hit - filter_hit, 4),
            "agent_vs_filter": "met" if agent_hit - filter_hit >= 0.15 else "missed",
            "tail_hit@10": 0.5,
            "tail": "met",
        },
    }


def test_dialogue_table_shows_every_draw_and_the_run_settings():
    payload = {
        **_summary(0.7, 0.3),
        "target_sampling": "interaction",
        "draws": {"interaction": _summary(0.7, 0.3), "uniform": _summary(0.4, 0.35)},
        "n": 9,
        "turns": 4,
        "k": 10,
        "seed": 3,
        "bank": "heldout",
        "client": "python",
        "latency_ms": {"p50": 12.5, "p99": None},
    }
    text = "\n".join(evaluation.dialogue_table(payload))
    assert "targets by interaction:" in text and "targets by uniform:" in text
    assert "agent - filter hit@10 0.400 (met)" in text
    assert "agent - filter hit@10 0.050 (missed)" in text
    assert "hit@10 tail (n=3)" in text
    assert "up to 4 turns, top-10, seed 3" in text
    assert "latency p50 12.500 ms, p99 - ms" in text
