"""Dialogue runs against the real rule agent on a small synthetic workspace; fair baselines."""

from __future__ import annotations

import json

import pytest

from agent.evaluation.baselines import (
    FILTER_POPULARITY,
    POPULARITY,
    PopularityRanker,
    hit_rates,
    make_baselines,
)
from agent.evaluation.catalog_view import CatalogView
from agent.evaluation.clients import AgentTurn, PythonAgentClient
from agent.evaluation.dialogue_eval import (
    DialogueConfig,
    TargetSampling,
    evaluate_dialogues,
    run_baseline,
    run_dialogue,
    sample_targets,
)
from agent.evaluation.phrases import Bank
from agent.evaluation.simulator import Fact, FactKind, UserSimulator, fact_holds, names_target

SYSTEMS = {"agent", POPULARITY, FILTER_POPULARITY}


@pytest.fixture(scope="module")
def client(agent_workspace):
    client = PythonAgentClient.open(agent_workspace.root, llm="rule")
    yield client
    client.close()


@pytest.fixture(scope="module")
def report(client):
    config = DialogueConfig(n=6, turns=3, seed=11)
    return evaluate_dialogues(client.agent.workspace, client, config, progress=False)


@pytest.fixture(scope="module")
def view(world):
    return CatalogView.from_dataset(world.dataset.items, world.dataset.interactions)


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


def test_dialogue_ends_on_success_with_turn_and_rank(view):
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
    assert payload["n"] == 6 and payload["turns"] == 3 and payload["bank"] == "heldout"
    assert 0 <= payload["hit@1"] <= payload["hit@5"] <= payload["hit@10"] <= 1
    assert payload["latency_ms"]["p99"] >= payload["latency_ms"]["p50"] > 0
    by_turn = payload["success_by_turn"]
    assert len(by_turn) == 3 and by_turn == sorted(by_turn) and by_turn[-1] == payload["hit@10"]
    assert payload["grounding_rate"] is not None and 0 <= payload["grounding_rate"] <= 1
    assert payload["agent_turns"] == sum(len(d.turns) for d in report.dialogues)
    assert set(payload["systems"]) == SYSTEMS
    assert set(payload["baselines"]) == {POPULARITY, FILTER_POPULARITY}
    assert payload["systems"]["agent"]["hit@10"] == payload["hit@10"]
    for name, metrics in payload["systems"].items():
        assert metrics["n"] == 6
        assert 0 <= metrics["hit@1"] <= metrics["hit@5"] <= metrics["hit@10"] <= 1, name
    assert payload["baselines"][POPULARITY]["grounding_rate"] is None  # baselines explain nothing
    assert payload["same_fact_share"] == {POPULARITY: 1.0, FILTER_POPULARITY: 1.0}
    assert set(payload["strata"]) == {"head", "torso", "tail"}
    assert sum(part["n"] for part in payload["strata"].values()) == 6
    for part in payload["strata"].values():
        assert set(part) == SYSTEMS | {"n"}
    targets = payload["issue_targets"]
    agent, filtered = payload["hit@10"], payload["systems"][FILTER_POPULARITY]["hit@10"]
    assert targets["agent_minus_filter_hit@10"] == pytest.approx(agent - filtered, abs=1e-4)
    json.dumps(payload)  # plain JSON


def test_baselines_get_the_same_facts_and_exactly_k_new_items_a_turn(report, view):
    for name in (POPULARITY, FILTER_POPULARITY):
        dialogues = report.baseline_dialogues[name]
        assert [d.target for d in dialogues] == [d.target for d in report.dialogues]
        for agent_dialogue, dialogue in zip(report.dialogues, dialogues, strict=True):
            # The same facts (and words) the user told the agent, turn by turn.
            for mine, agents in zip(dialogue.turns, agent_dialogue.turns, strict=False):
                assert (mine.user, mine.facts) == (agents.user, agents.facts)
            shown = [i for t in dialogue.turns for i in t.items]
            assert all(len(t.items) == 10 for t in dialogue.turns)
            assert len(shown) == len(set(shown)), "10 new items a turn, never a repeat"
            assert len(dialogue.turns) == (dialogue.success_turn or 3)


def test_the_filter_baseline_shows_what_fits_the_facts_first(view):
    ranker = PopularityRanker(view)
    _, filtered = make_baselines(view, k=10)
    genre = next(iter(view.value_counts["genre"]))
    price = max(view.numbers["price"].values()) / 2
    facts = [Fact(FactKind.CATEGORY, "genre", (genre,)), Fact(FactKind.PRICE, "price", high=price)]
    state = filtered.start()
    first = filtered.show(state, facts[:1])
    second = filtered.show(state, facts[1:])
    fitting = [i for i in ranker.ids if ranker.mask(facts)[ranker.ids.index(i)]]
    assert all(genre in view.values(i, "genre") for i in first)
    assert set(second) <= set(fitting) or len(fitting) < 20
    popular_first = [i for i in ranker.ids if genre in view.values(i, "genre")][:10]
    assert list(first) == popular_first
    assert not set(first) & set(second)


def test_a_baseline_dialogue_hears_facts_not_words(view):
    target_id = list(view.titles)[3]
    heard = []

    class Listener:
        name = "listener"

        def start(self):
            return None

        def show(self, state, revealed):
            heard.append(tuple(revealed))
            return tuple(i for i in view.titles if i != target_id)[
                len(heard) * 10 : len(heard) * 10 + 10
            ]

    sim = UserSimulator(view.target(target_id), view, seed=2, bank=Bank.HELDOUT)
    result = run_baseline(Listener(), sim, max_turns=4)
    assert len(heard) == 4 and not result.success
    assert all(isinstance(f, Fact) for facts in heard for f in facts)
    assert all(fact_holds(f, sim.target, view) for facts in heard for f in facts)


def test_dialogues_follow_the_rules(report, view):
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
    for name, dialogues in report.systems().items():
        other = again.systems()[name]
        assert [[(t.user, t.items) for t in d.turns] for d in other] == [
            [(t.user, t.items) for t in d.turns] for d in dialogues
        ]
    assert again.to_json()["systems"] == report.to_json()["systems"]


def test_target_sampling_is_seeded_positive_and_stratified(world, view):
    interactions = world.dataset.interactions
    a = sample_targets(interactions, view, 30, seed=1)
    assert a == sample_targets(interactions, view, 30, seed=1)
    assert a != sample_targets(interactions, view, 30, seed=2)
    liked = set(interactions.loc[interactions["rating"] >= 4, "item_id"].astype(str))
    assert set(a) <= liked
    uniform = sample_targets(interactions, view, 20, seed=1, sampling=TargetSampling.UNIFORM)
    assert len(set(uniform)) == 20
    thirds = sample_targets(interactions, view, 30, seed=1, stratify=True)
    assert [view.stratum[t] for t in thirds] == ["head"] * 10 + ["torso"] * 10 + ["tail"] * 10


def test_hit_rates():
    assert hit_rates([1, None, 3], ks=(1, 3)) == {1: pytest.approx(1 / 3), 3: pytest.approx(2 / 3)}
    assert hit_rates([], ks=(1,)) == {1: 0.0}


def test_the_simulated_user_reaches_targets_with_the_rule_agent(report):
    # Synthetic items have genre, price and quality: a few turns often find the target.
    assert report.hit(10) > 0
    assert all(t.grounded for d in report.dialogues for t in d.turns if t.items)


def test_every_fact_a_dialogue_revealed_is_true(client, view):
    targets = sample_targets(client.agent.workspace.dataset.interactions, view, 2, seed=4)
    for index, target_id in enumerate(targets):
        sim = UserSimulator(view.target(target_id), view, seed=index, bank="heldout")
        run_dialogue(client, sim, max_turns=3)
        assert sim.said and all(fact_holds(f, sim.target, view) for f in sim.said)


def test_the_user_reads_only_the_reply_text_and_the_items_shown(view):
    """Two agents that show the same text and items but differ in everything else."""
    ids = [i for i in view.titles if i != list(view.titles)[7]]
    target = list(view.titles)[7]

    class Noisy(ScriptedAgent):
        def __init__(self, lists, grounded, latency):
            super().__init__(lists)
            self.grounded, self.latency = grounded, latency
            self.secret_state = {"wants": "everything"}

        def send(self, conversation, text):
            turn = super().send(conversation, text)
            return AgentTurn(turn.text, turn.item_ids, self.grounded, self.latency, fallback=True)

    lists = [ids[n * 10 : n * 10 + 10] for n in range(4)]
    a = run_dialogue(Noisy(lists, True, 1.0), UserSimulator(view.target(target), view, seed=5), 4)
    b = run_dialogue(
        Noisy(lists, False, 900.0), UserSimulator(view.target(target), view, seed=5), 4
    )
    assert [t.user for t in a.turns] == [t.user for t in b.turns]


def test_past_the_agents_success_the_forked_user_goes_on(view):
    ids = list(view.titles)
    target = ids[0]
    sim = UserSimulator(view.target(target), view, seed=3, bank=Bank.HELDOUT)
    heard = []
    agent = run_dialogue(ScriptedAgent([ids[1:11], [target]]), sim, max_turns=5, heard=heard)
    assert agent.success_turn == 2 and len(heard) == 2
    popularity, _ = make_baselines(view, k=10)
    assert view.stratum[target] == "tail"  # never among the 50 most popular
    result = run_baseline(popularity, sim.fork(), 5, script=heard)
    assert [t.facts for t in result.turns[:2]] == [t.facts for t in agent.turns]
    later = [f for t in result.turns[2:] for f in t.facts]
    assert len(result.turns) == 5 and later, "the user goes on telling new facts"
    assert not set(later) & {f for t in agent.turns for f in t.facts}
