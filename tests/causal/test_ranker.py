"""The debiased ranker: planted preferences, determinism, cold start, fold-in, persistence."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helper module beside this file
from ranker_worlds import polarising_world, segment_world

from causal.ranking import Ranker, RankerConfig, ScoredItem, UnknownItemsError
from causal.ranking.evaluation import evaluate_on_random_log
from causal.ranking.training import train_ranker

FAST = {"steps": 80, "dim": 8, "tune": False}


def _group_gap(ranker: Ranker, users: list[str], steady: list[str], polar: list[str]) -> float:
    """Mean preference of steady items minus polarising items, over users."""
    gaps = []
    for user in users:
        prefs = {s.item_id: s.components["preference"] for s in ranker.score(user, steady + polar)}
        gaps.append(np.mean([prefs[i] for i in steady]) - np.mean([prefs[i] for i in polar]))
    return float(np.mean(gaps))


@pytest.fixture(scope="module")
def polar():
    return polarising_world()


@pytest.fixture(scope="module")
def polar_rankers(polar):
    # The planted effect is per item with coin-flip noise: heavily shrunk interactions keep the
    # few, heavily weighted 1-star rows from being memorised as user-item quirks.
    out = {}
    for method in ("naive", "ips", "snips", "dr_jl"):
        cfg = RankerConfig(
            method=method,
            propensity_power=1.0,
            max_weight_ratio=None,
            use_features=False,
            tune=False,
            dim=2,
            reg=100.0,
            bias_reg=0.003,
            steps=150,
        )
        out[method] = train_ranker(polar, cfg, progress=False)
    return out


def test_ips_and_dr_recover_the_planted_preference_that_naive_gets_wrong(polar, polar_rankers):
    items = polar.items["item_id"].tolist()
    polar_items, steady_items = items[:20], items[20:]
    users = polar.users["user_id"].tolist()[:40]
    # Truth: steady items average 3.5, polarising ones 3.0; the log shows 4.4 against 3.7.
    naive_gap = _group_gap(polar_rankers["naive"], users, steady_items, polar_items)
    assert naive_gap < -0.5, "the naive model should be fooled by the selection on ratings"
    for method in ("ips", "snips", "dr_jl"):
        gap = _group_gap(polar_rankers[method], users, steady_items, polar_items)
        assert gap > 0.2, f"{method} should rank the steady items first (gap {gap:.2f})"
    assert polar_rankers["snips"].info["propensity"] == "random"


def test_debiased_models_beat_naive_on_the_random_log(polar, polar_rankers):
    naive = evaluate_on_random_log(polar_rankers["naive"], polar)
    snips = evaluate_on_random_log(polar_rankers["snips"], polar)
    assert snips["mse"] < naive["mse"] - 0.5
    assert snips["excluded_slice_rows"] > 0
    assert snips["n_rows"] == len(polar.random_exposure) - snips["excluded_slice_rows"]


def test_training_is_deterministic_by_seed():
    world = segment_world()
    cfg = RankerConfig(**FAST, seed=3)
    a = train_ranker(world, cfg, progress=False)
    b = train_ranker(world, cfg, progress=False)
    c = train_ranker(world, RankerConfig(**FAST, seed=4), progress=False)
    assert a.params.same_as(b.params)
    assert not a.params.same_as(c.params)
    assert a.choice is not None and a.choice.same_as(b.choice)  # rating logs: choice model too
    assert a.weights == b.weights
    assert [s.item_id for s in a.top_items("u0", 5)] == [s.item_id for s in b.top_items("u0", 5)]


@pytest.fixture(scope="module")
def segments():
    world = segment_world()
    return world, train_ranker(world, RankerConfig(**FAST), progress=False)


def _styles(world, scored: list[ScoredItem]) -> list[str]:
    style = dict(zip(world.items["item_id"], world.items["style"], strict=True))
    return [style[s.item_id] for s in scored]


def test_known_users_get_their_segment_and_history_is_excluded(segments):
    world, ranker = segments
    assert ranker.known_user("u0") and not ranker.known_user("stranger")
    top = ranker.top_items("u0", 5)  # u0 is segment x: style p
    assert _styles(world, top).count("p") >= 4
    seen = {item for item, _ in ranker.history("u0")}
    assert not seen & {s.item_id for s in top}
    for item in top:
        assert set(item.components) >= {"preference", "popularity", "similarity"}
        assert 1.0 <= item.components["preference"] <= 5.0


def test_cold_start_user_from_attributes(segments):
    world, ranker = segments
    for segment, wanted in (("x", "p"), ("y", "q")):
        top = ranker.top_items("brand-new", 6, user_attributes={"segment": segment})
        assert _styles(world, top).count(wanted) >= 5, segment
    assert not ranker.known_user("brand-new")


def test_cold_start_user_from_conversation_likes(segments):
    world, ranker = segments
    p_items = world.items.loc[world.items["style"] == "p", "item_id"].tolist()[:2]
    top = ranker.top_items(None, 6, liked=p_items)
    assert _styles(world, top).count("p") >= 5
    assert not set(p_items) & {s.item_id for s in top}
    assert all(s.components["similarity"] > 0 for s in top[:3])


def test_cold_start_items_use_their_attributes(segments):
    world, ranker = segments
    cold_p, cold_q = world.items["item_id"].tolist()[-2:]
    assert world.items.set_index("item_id").loc[[cold_p, cold_q], "style"].tolist() == ["p", "q"]
    for user, first in (("u0", cold_p), ("u1", cold_q)):  # u0: segment x, u1: segment y
        ranked = ranker.score(user, [cold_p, cold_q])
        assert ranked[0].item_id == first


def test_cold_start_items_use_their_text_embedding():
    world = segment_world(seed=1)
    items = world.items.drop(columns=["style"])  # only the text knows the style now
    world = type(world)(world.name, items, world.users, world.interactions)
    rng = np.random.default_rng(0)
    style = np.where(np.arange(len(items)) % 2 == 0, 1.0, -1.0)
    emb = np.c_[style, rng.normal(0, 0.05, size=(len(items), 7))]
    ranker = train_ranker(
        world, RankerConfig(**FAST, use_text=True), item_embeddings=emb, progress=False
    )
    cold_p, cold_q = items["item_id"].tolist()[-2:]
    assert ranker.info["text_features"] is True
    assert ranker.score("u0", [cold_p, cold_q])[0].item_id == cold_p
    assert ranker.score("u1", [cold_p, cold_q])[0].item_id == cold_q


def test_fold_in_is_fast_and_moves_the_next_scores(segments):
    world, ranker = segments
    p_items = world.items.loc[world.items["style"] == "p", "item_id"].tolist()
    q_items = world.items.loc[world.items["style"] == "q", "item_id"].tolist()
    user = "fold-user"
    before = ranker.score(user, p_items[:3] + q_items[:3])
    started = time.perf_counter()
    ranker.fold_in(user, [(q_items[0], "like"), (q_items[1], 5), (p_items[0], "dislike")])
    elapsed_ms = (time.perf_counter() - started) * 1000
    after = ranker.score(user, p_items[:3] + q_items[:3])
    assert elapsed_ms < 50
    assert _styles(world, after[:3]).count("q") == 3
    gain = {s.item_id: s.score for s in after}
    base = {s.item_id: s.score for s in before}
    assert gain[q_items[2]] - base[q_items[2]] > gain[p_items[2]] - base[p_items[2]]
    assert ranker.feedback_of(user)[q_items[1]] == 5.0
    ranker.fold_in(user, [(q_items[0], "seen")])  # accepted, changes nothing
    assert [s.item_id for s in ranker.score(user, p_items[:3] + q_items[:3])] == [
        s.item_id for s in after
    ]


def test_call_time_likes_do_not_stick(segments):
    world, ranker = segments
    q_items = world.items.loc[world.items["style"] == "q", "item_id"].tolist()
    plain = ranker.score("u0", q_items[:4])
    with_likes = ranker.score("u0", q_items[:4], liked=q_items[4:6])
    assert with_likes[0].score > plain[0].score
    assert ranker.score("u0", q_items[:4]) == plain


def test_fold_in_is_thread_safe(segments):
    world, ranker = segments
    items = world.items["item_id"].tolist()[:20]
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for j in range(10):
                ranker.fold_in("shared-user", [(items[(k * 10 + j) % 20], "like")])
                ranker.score("shared-user", items[:5])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert set(ranker.feedback_of("shared-user")) == set(items)


def test_popularity_weight_adds_popularity_back(segments):
    world, ranker = segments
    items = world.items["item_id"].tolist()[:-2]
    plain = ranker.score("u0", items, popularity_weight=0.0)
    boosted = ranker.score("u0", items, popularity_weight=5.0)
    assert all(s.components["popularity_boost"] == 0.0 for s in plain)
    pop_rank = np.argsort([-s.components["popularity"] for s in boosted])
    assert (
        np.corrcoef(np.arange(len(boosted)), pop_rank)[0, 1]
        > np.corrcoef(
            np.arange(len(plain)), np.argsort([-s.components["popularity"] for s in plain])
        )[0, 1]
    )


def test_score_limit_keeps_the_head_of_the_full_ranking(segments):
    world, ranker = segments
    items = world.items["item_id"].tolist()
    full = ranker.score("u0", items, liked=items[:2])
    head = ranker.score("u0", items, liked=items[:2], limit=7)
    assert [s.item_id for s in head] == [s.item_id for s in full[:7]]
    assert [s.components for s in head] == [s.components for s in full[:7]]
    assert len(ranker.score("u0", items[:3], limit=50)) == 3
    with pytest.raises(ValueError, match="limit"):
        ranker.score("u0", items, limit=0)


def test_a_boost_decides_which_items_survive_the_limit(segments):
    world, ranker = segments
    items = world.items["item_id"].tolist()
    full = ranker.score("u0", items)
    last = full[-1].item_id  # the ranker's worst item, lifted far above the rest
    boost = [100.0 if i == last else 0.0 for i in items]
    head = ranker.score("u0", items, limit=5, boost=boost)
    assert last in {s.item_id for s in head}
    assert last not in {s.item_id for s in ranker.score("u0", items, limit=5)}
    lifted = next(s for s in head if s.item_id == last)
    assert lifted.score == full[-1].score  # the ranker's own score comes back, not the boost
    with pytest.raises(ValueError, match="boost"):
        ranker.score("u0", items, limit=5, boost=[1.0])


def test_save_and_load_round_trip(tmp_path, segments):
    world, ranker = segments
    ranker.save(tmp_path / "ranker")
    loaded = Ranker.load(tmp_path / "ranker")
    items = world.items["item_id"].tolist()
    assert loaded.score("u3", items) == ranker.score("u3", items)
    assert loaded.score(None, items, user_attributes={"segment": "y"}) == ranker.score(
        None, items, user_attributes={"segment": "y"}
    )
    assert loaded.config == ranker.config


def test_bad_input_is_rejected(segments, tmp_path):
    _, ranker = segments
    with pytest.raises(UnknownItemsError, match="nope"):
        ranker.score("u0", ["i1", "nope"])
    with pytest.raises(UnknownItemsError):
        ranker.fold_in("u0", [("nope", "like")])
    with pytest.raises(ValueError, match="feedback"):
        ranker.fold_in("u0", [("i1", "meh")])
    with pytest.raises(ValueError, match="method"):
        RankerConfig(method="magic")
    with pytest.raises(ValueError):
        Ranker.load(tmp_path)


@pytest.mark.parametrize("kind", ["click", "implicit"])
def test_click_and_implicit_logs(kind):
    world = segment_world(kind=kind)
    ranker = train_ranker(world, RankerConfig(**FAST), progress=False)
    assert ranker.kind.value == kind
    top = ranker.top_items("u1", 5)  # segment y: style q
    assert _styles(world, top).count("q") >= 4
    assert all(0.0 <= s.components["preference"] <= 1.0 for s in top)
    assert ranker.info["confounders"] is (kind == "click")
