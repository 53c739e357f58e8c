"""The fast paths give what the plain ones give: kept catalogue-wide scores rank exactly as a
fresh scoring, a small universe's dict lookups equal the pandas lookup, and the components
read in one pass per array equal the per-item reads."""

from __future__ import annotations

import numpy as np
import pytest

from causal.ranking import RankerConfig
from causal.ranking.counterfactual_arrays import SMALL_LOOKUP, indices_of
from causal.ranking.training import train_ranker


@pytest.fixture(scope="module")
def ranker():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ranker_worlds import polarising_world

    world = polarising_world(seed=5, n_users=80, n_items=50)
    config = RankerConfig(steps=40, dim=6, tune=False, choice_steps=40, choice_dim=8)
    return train_ranker(world, config, progress=False)


def test_top_items_with_kept_scores_equal_fresh_ones(ranker):
    from tools.recommending import _catalogue_scores

    user = ranker.user_ids[3]
    liked = [ranker.item_ids[7]]
    kwargs = {"liked": liked, "popularity_weight": 0.3, "exclude": [ranker.item_ids[1]]}
    fresh = ranker.top_items(user, 10, **kwargs)
    kept = _catalogue_scores(ranker, user, None, liked, (), 0.3, ())
    again = _catalogue_scores(ranker, user, None, liked, (), 0.3, ())
    assert kept is again  # the second call reads the kept array
    assert ranker.top_items(user, 10, scores=kept, **kwargs) == fresh
    other = _catalogue_scores(ranker, user, None, (), (), 0.3, ())
    assert other is not kept  # another state (no like) is scored on its own


def test_small_universe_lookup_equals_the_pandas_one(ranker, monkeypatch):
    import causal.ranking.counterfactual_arrays as arrays

    ids = [ranker.item_ids[i] for i in (9, 2, 9, 30, 2, 0)] + ["no such item"]
    small = indices_of(ranker, ids)
    assert len(ids) <= SMALL_LOOKUP
    monkeypatch.setattr(arrays, "SMALL_LOOKUP", 0)
    assert np.array_equal(small, indices_of(ranker, ids))
    assert small.tolist() == [9, 2, 30, 0]


def test_ranked_components_equal_per_item_reads(ranker):
    user = ranker.user_ids[0]
    items = np.arange(ranker.n_items)
    ranked = ranker.score(user, [ranker.item_ids[i] for i in items], popularity_weight=0.4)
    state = ranker.state_for(user, None, (), ())
    score, pref, sim = ranker.scores(state, items, 0.4)
    for scored in ranked:
        i = ranker.item_index[scored.item_id]
        assert scored.score == round(float(score[i]), 6)
        assert scored.components["preference"] == round(float(pref[i]), 6)
        assert scored.components["similarity"] == round(float(sim[i]), 6)
        assert scored.components["popularity"] == round(float(ranker.popularity[i]), 6)
        boost = round(float(0.4 * ranker.popularity_z[i]), 6)
        assert scored.components["popularity_boost"] == boost


def _mmr_one_product_per_pick(vectors, scores, k, diversity):
    """The diversity step as it was: one similarity product per pick."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / norms
    span = scores.max() - scores.min()
    relevance = (1.0 - diversity) * (scores - scores.min()) / span
    chosen, max_sim = [], np.full(len(scores), -1.0)
    open_ = np.ones(len(scores), dtype=bool)
    while len(chosen) < min(k, len(scores)):
        redundancy = np.where(max_sim > -1.0, max_sim, 0.0)
        pick = int(np.argmax(np.where(open_, relevance - diversity * redundancy, -np.inf)))
        chosen.append(pick)
        open_[pick] = False
        max_sim = np.maximum(max_sim, vectors @ vectors[pick])
    return chosen


def test_diversity_picks_equal_one_product_per_pick():
    from types import SimpleNamespace

    from tools.recommending import _diversify

    rng = np.random.default_rng(11)
    for trial in range(5):
        vectors = rng.normal(size=(150, 32)).astype(np.float32)
        ids = [f"i{n}" for n in range(150)]
        table = dict(zip(ids, vectors, strict=True))
        catalog = SimpleNamespace(embeddings=lambda wanted, table=table: [table[i] for i in wanted])
        scores = rng.normal(size=150)
        scored = [(i, float(s), {}) for i, s in zip(ids, scores, strict=True)]
        got = _diversify(SimpleNamespace(catalog=catalog), scored, 30, 0.2 + 0.1 * trial)
        expected = _mmr_one_product_per_pick(vectors.astype(float), scores, 30, 0.2 + 0.1 * trial)
        assert [c for c, _, _ in got] == [ids[j] for j in expected]
