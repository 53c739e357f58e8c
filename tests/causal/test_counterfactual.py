"""Counterfactual reasons: the downdate is an exact ridge re-solve, removals are exact in the
choice model, and every reported set is verified, minimal and reproducible with `without`."""

from __future__ import annotations

import numpy as np
import pytest

from causal.ranking import RankerConfig, UnknownItemsError
from causal.ranking.counterfactual import MAX_SIZE, Outcome, Scope, explain_ranks, rank_without
from causal.ranking.training import train_ranker
from causal.ranking.user_state import downdate

K = 5


@pytest.fixture(scope="module")
def ranker():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ranker_worlds import polarising_world

    world = polarising_world(seed=2, n_users=120, n_items=60)
    config = RankerConfig(steps=60, dim=8, tune=False, choice_steps=60, choice_dim=16)
    return train_ranker(world, config, progress=False)


def _ridge(z: np.ndarray, y: np.ndarray, reg: np.ndarray) -> np.ndarray:
    return np.linalg.solve(np.diag(reg) + z.T @ z, z.T @ y)


def test_downdate_equals_solving_again_without_the_rows():
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(30, 4))
    z = np.hstack([vecs, np.ones((30, 1))])
    y = rng.normal(size=30)
    reg = np.r_[np.full(4, 2.0), 0.5]
    theta = _ridge(z, y, reg)
    precision = np.diag(reg) + z.T @ z
    gone = [3, 7, 19]
    residual = z[gone] @ theta - y[gone]
    vec, bias, h_rest = downdate(theta[:-1], theta[-1], precision, vecs[gone], residual, 1.0)
    keep = [i for i in range(30) if i not in gone]
    expected = _ridge(z[keep], y[keep], reg)
    assert np.allclose(np.r_[vec, bias], expected, atol=1e-10)
    assert np.allclose(h_rest, np.diag(reg) + z[keep].T @ z[keep])


def test_removing_history_is_exact_in_the_choice_model(ranker):
    user = ranker.user_ids[4]
    history = [item for item, _ in ranker.history(user)]
    gone = history[:2]
    state = ranker.state_for(user, None, (), (), gone)
    picks = [ranker.item_index[i] for i in history[2:]]
    features = ranker.user_features[ranker.user_index[user]]
    expected = ranker.choice.user_vector(np.array(picks), np.ones(len(picks)), features)
    assert np.allclose(state.choice_vec, expected)
    with pytest.raises(UnknownItemsError):
        ranker.score(user, [history[0]], without=["no-such-item"])


def _independent_rank(ranker, user, item, without, banned):
    """The item's place by score over every non-banned item, via the public API."""
    candidates = [i for i in ranker.item_ids if i not in banned]
    scored = ranker.score(user, candidates, without=list(without))
    mine = next(s.score for s in scored if s.item_id == item)
    return 1 + sum(1 for s in scored if s.score > mine)


def test_every_reason_is_verified_minimal_and_reproducible(ranker):
    found = 0
    for user in ranker.user_ids[:6]:
        banned = frozenset(i for i, _ in ranker.history(user))
        top = [s.item_id for s in ranker.top_items(user, K)]
        scope = Scope(user_id=user, banned=banned)
        reasons = explain_ranks(ranker, scope, top, K)
        assert [r.item_id for r in reasons] == top
        for reason in reasons:
            assert reason.rank is not None and reason.rank <= K
            if reason.outcome is not Outcome.FOUND:
                assert not reason.verified and reason.without == ()
                continue
            found += 1
            assert reason.verified and 0 < len(reason.without) <= MAX_SIZE
            assert set(reason.without) <= banned  # the user's own history
            assert reason.rank_without > K
            again = _independent_rank(ranker, user, reason.item_id, reason.without, banned)
            assert again == reason.rank_without
            assert rank_without(ranker, scope, reason.item_id, reason.without) == again
            # minimal: putting back any one signal returns the item to the top k
            for kept in reason.without:
                rest = [i for i in reason.without if i != kept]
                if rest:
                    assert _independent_rank(ranker, user, reason.item_id, rest, banned) <= K
            still = [s.item_id for s in ranker.top_items(user, K, without=reason.without)]
            assert reason.item_id not in still
    assert found >= 10  # most top items of users with history get a reason


def test_an_item_past_k_gets_no_reason_and_bad_input_fails(ranker):
    user = ranker.user_ids[0]
    banned = frozenset(i for i, _ in ranker.history(user))
    deep = [s.item_id for s in ranker.top_items(user, K + 3)][-1]
    (reason,) = explain_ranks(ranker, Scope(user_id=user, banned=banned), [deep], K)
    assert reason.outcome is Outcome.NOT_IN_TOP_K and reason.rank > K
    (cold,) = explain_ranks(ranker, Scope(user_id=None), [deep], K)
    assert cold.outcome in (Outcome.NO_SIGNALS, Outcome.NOT_IN_TOP_K)
    with pytest.raises(ValueError):
        explain_ranks(ranker, Scope(user_id=user), [deep], 0)


def test_a_shared_search_gives_what_a_fresh_one_gives_and_feedback_starts_a_new_one(ranker):
    from causal.ranking import counterfactual as cf

    twin = ranker.with_weights()  # its own feedback store and search cache
    user = twin.user_ids[3]
    banned = frozenset(i for i, _ in twin.history(user))
    top = [s.item_id for s in twin.top_items(user, K)]
    scope = Scope(user_id=user, banned=banned)
    whole = explain_ranks(twin, scope, top, K)
    search = cf._search_for(twin, scope)
    shared = [explain_ranks(twin, scope, [i], K)[0] for i in top]  # one search, item by item
    assert cf._search_for(twin, Scope(user_id=user, banned=banned)) is search
    cf._SEARCHES.pop(twin)
    fresh = [explain_ranks(twin, scope, [i], K)[0] for i in top]
    assert cf._search_for(twin, scope) is not search
    assert shared == fresh
    assert explain_ranks(twin, scope, top, K) == whole
    # Feedback folded in changes the user's state: the cached search must not answer for it.
    search = cf._search_for(twin, scope)
    liked = next(i for i in twin.item_ids if i not in banned and i not in top)
    twin.fold_in(user, [(liked, "like")])
    assert cf._search_for(twin, scope) is not search
    checked = 0
    for reason in explain_ranks(twin, scope, top, K):
        if reason.outcome is Outcome.FOUND and not reason.wish:
            again = _independent_rank(twin, user, reason.item_id, reason.without, banned)
            assert again == reason.rank_without > K
            checked += 1
    assert checked >= 1
