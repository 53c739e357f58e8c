"""Dialogue runs against the real rule agent on a small synthetic workspace; baselines; sampling."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from agent.evaluation.baselines import hit_rates, popularity_baseline, popularity_ranking
from agent.evaluation.clients import AgentTurn, PythonAgentClient
from agent.evaluation.dialogue_eval import (
    DialogueConfig,
    TargetSampling,
    evaluate_dialogues,
    run_dialogue,
    sample_targets,
)
from agent.evaluation.simulator import CatalogView, UserSimulator, fact_holds, names_target


@pytest.fixture(scope="module")
def client(agent_workspace):
    client = PythonAgentClient.open(agent_workspace.root, llm="rule")
    yield client
    client.close()


@pytest.fixture(scope="module")
def report(client):
    config = DialogueConfig(n=6, turns=3, seed=11)
    return evaluate_dialogues(client.agent.workspace, client, config, progress=False)


class ScriptedAgent:
    """Shows fixed lists turn by turn (the target at a chosen turn and rank)."""

    name = "scripted"

    def __init__(self, lists):
        self.lists = list(lists)
        self.sent = []

    def start(self):
        return "c1"

    def send(self, conversation, text):
        self.sent.append(text)
        items = self.lists[len(self.sent) - 1] if len(self.sent) <= len(self.lists) else []
        return AgentTurn(text="Here you go.", item_ids=tuple(items), grounded=True, latency_ms=1.0)

    def close(self):
        pass


def test_dialogue_ends_on_success_with_turn_and_rank(world):
    view = CatalogView.from_items(world.dataset.items)
    ids = list(view.titles)
    target = ids[0]
    agent = ScriptedAgent([ids[1:11], [*ids[11:16], target], ids[30:40]])
    result = run_dialogue(agent, UserSimulator(view.target(target), view, seed=0), max_turns=5)
    assert result.success and result.success_turn == 2 and result.rank == 6
    assert len(agent.sent) == 2, "no message after the target was shown"
    miss = run_dialogue(
        ScriptedAgent([ids[1:11]] * 5), UserSimulator(view.target(target), view), max_turns=3
    )
    assert not miss.success and len(miss.turns) == 3 and miss.rank is None


def test_report_has_the_contract_keys_and_sane_values(report):
    payload = report.to_json()
    for key in ("hit@1", "hit@5", "hit@10", "avg_turns", "grounding_rate", "n", "turns"):
        assert key in payload
    assert payload["n"] == 6 and payload["turns"] == 3
    assert 0 <= payload["hit@1"] <= payload["hit@5"] <= payload["hit@10"] <= 1
    assert (
        payload["latency_ms"]["p50"] > 0
        and payload["latency_ms"]["p99"] >= payload["latency_ms"]["p50"]
    )
    by_turn = payload["success_by_turn"]
    assert len(by_turn) == 3 and by_turn == sorted(by_turn) and by_turn[-1] == payload["hit@10"]
    assert payload["grounding_rate"] is not None and 0 <= payload["grounding_rate"] <= 1
    assert payload["agent_turns"] == sum(len(d.turns) for d in report.dialogues)
    for name in ("popularity", "one_shot_retrieval"):
        base = payload["baselines"][name]
        assert base["n"] == 6
        assert 0 <= base["hit@1"] <= base["hit@5"] <= base["hit@10"] <= base["hit@50"] <= 1
    json.dumps(payload)  # plain JSON


def test_dialogues_follow_the_rules(report, client):
    view = CatalogView.from_items(client.agent.workspace.dataset.items)
    for dialogue in report.dialogues:
        target = view.target(dialogue.target)
        for turn in dialogue.turns:
            assert not names_target(turn.user, target)
        if dialogue.success:
            last = dialogue.turns[dialogue.success_turn - 1]
            assert last.items[dialogue.rank - 1] == dialogue.target
            assert dialogue.success_turn == len(dialogue.turns)
        else:
            assert all(dialogue.target not in t.items[:10] for t in dialogue.turns)


def test_same_seed_same_dialogues(report, client):
    again = evaluate_dialogues(
        client.agent.workspace, client, DialogueConfig(n=6, turns=3, seed=11), progress=False
    )
    assert [d.target for d in again.dialogues] == [d.target for d in report.dialogues]
    assert [[t.user for t in d.turns] for d in again.dialogues] == [
        [t.user for t in d.turns] for d in report.dialogues
    ]
    assert [[t.items for t in d.turns] for d in again.dialogues] == [
        [t.items for t in d.turns] for d in report.dialogues
    ]
    assert again.to_json()["baselines"] == report.to_json()["baselines"]


def test_the_simulated_user_reaches_targets_with_the_rule_agent(report):
    # Synthetic items have genre, price, quality and a description: a few turns usually find it.
    assert report.hit(10) >= 0.25
    assert all(t.grounded for d in report.dialogues for t in d.turns if t.items)


def test_target_sampling_is_seeded_and_positive(world):
    view = CatalogView.from_items(world.dataset.items)
    interactions = world.dataset.interactions
    a = sample_targets(interactions, view, 30, seed=1)
    assert a == sample_targets(interactions, view, 30, seed=1)
    assert a != sample_targets(interactions, view, 30, seed=2)
    liked = set(interactions.loc[interactions["rating"] >= 4, "item_id"].astype(str))
    assert set(a) <= liked
    uniform = sample_targets(interactions, view, 20, seed=1, sampling=TargetSampling.UNIFORM)
    assert len(set(uniform)) == 20


def test_popularity_baseline_counts_interactions():
    log = pd.DataFrame({"user_id": list("abcdef"), "item_id": ["x", "y", "x", "z", "x", "y"]})
    assert popularity_ranking(log) == ["x", "y", "z"]
    result = popularity_baseline(["x", "y", "q"], log, ks=(1, 2))
    assert result.hits == {1: pytest.approx(1 / 3), 2: pytest.approx(2 / 3)}
    assert hit_rates([1, None, 3], ks=(1, 3)) == {1: pytest.approx(1 / 3), 3: pytest.approx(2 / 3)}


def test_every_fact_a_dialogue_revealed_is_true(client):
    view = CatalogView.from_items(client.agent.workspace.dataset.items)
    targets = sample_targets(client.agent.workspace.dataset.interactions, view, 2, seed=4)
    for index, target_id in enumerate(targets):
        sim = UserSimulator(view.target(target_id), view, seed=index)
        run_dialogue(client, sim, max_turns=3)
        assert sim.said and all(fact_holds(f, sim.target) for f in sim.said)
