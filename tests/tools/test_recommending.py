"""recommend_for_user over a real workspace, feedback at once and after --update, fallbacks."""

from __future__ import annotations

import json

import pytest

from tools.feedback import append_feedback, feedback_log
from tools.recommending import Recommendation, recommend_for_user
from tools.workspace import Workspace
from tools.workspace_build import BuildOptions, build_workspace


@pytest.fixture(scope="module")
def world():
    from causal.datasets.synthetic import SyntheticConfig, make_world

    return make_world(SyntheticConfig(seed=11, n_users=120, n_items=90, n_interactions=4000))


@pytest.fixture(scope="module")
def ws(world, tmp_path_factory):
    out = tmp_path_factory.mktemp("rec") / "ws"
    return build_workspace(
        world.dataset, out, BuildOptions(progress=False, skip=frozenset({"causal"}))
    )


def _genres(world, recs):
    genre = dict(zip(world.dataset.items["item_id"], world.dataset.items["genre"], strict=True))
    return [genre[r.item_id] for r in recs]


def test_build_records_the_ranker(ws):
    step = ws.manifest["steps"]["ranker"]
    assert step["kind"] == "rating" and step["propensity"] == "random"
    assert step["similarity_source"] == "text"
    assert 0.5 < step["random_log_metrics"]["auc"] <= 1.0
    assert ws.manifest["feedback"] == {"merged": 0}


def test_known_user_gets_k_new_items_with_components(ws):
    user = "u00003"
    seen = {item for item, _ in ws.ranker.history(user)}
    recs = recommend_for_user(ws, user, k=7)
    assert len(recs) == 7 and all(isinstance(r, Recommendation) for r in recs)
    assert not seen & {r.item_id for r in recs}
    titles = dict(zip(ws.dataset.items["item_id"], ws.dataset.items["title"], strict=True))
    for rec in recs:
        assert rec.title == titles[rec.item_id]
        assert {"preference", "popularity", "similarity"} <= set(rec.components)
        assert set(rec.to_dict()) == {"item_id", "title", "score", "components", "counterfactual"}


def test_query_and_filters_shape_the_candidates(ws, world):
    recs = recommend_for_user(ws, "u00003", query="terrifying haunted horror", k=5)
    assert all("relevance" in r.components for r in recs)
    assert _genres(world, recs).count("horror") >= 3
    comedies = recommend_for_user(ws, "u00003", k=5, filters={"genre": "comedy"})
    assert comedies and set(_genres(world, comedies)) == {"comedy"}


def test_exclusions_and_no_diversity_keep_the_ranker_order(ws):
    first = recommend_for_user(ws, "u00004", k=6, diversity=0.0)
    scores = [r.score for r in first]
    assert scores == sorted(scores, reverse=True)
    dropped = {first[0].item_id, first[1].item_id}
    again = recommend_for_user(ws, "u00004", k=6, diversity=0.0, exclude=dropped)
    assert not dropped & {r.item_id for r in again}
    diverse = recommend_for_user(ws, "u00004", k=6, diversity=0.9)
    assert {r.item_id for r in diverse} != {r.item_id for r in first} or len(first) < 6


def test_cold_start_users(ws, world):
    by_attr = recommend_for_user(ws, "someone-new", k=5, user_attributes={"age_group": "18-24"})
    assert len(by_attr) == 5
    items = world.dataset.items
    horror = items.loc[items["genre"] == "horror", "item_id"].tolist()
    comedy = items.loc[items["genre"] == "comedy", "item_id"].tolist()
    by_likes = recommend_for_user(ws, None, k=5, liked=horror[:3], diversity=0.0)
    assert len(by_likes) == 5 and not set(horror[:3]) & {r.item_id for r in by_likes}
    # The similarity component (catalog text embeddings) sees what the likes have in common.
    scored = ws.ranker.score(None, horror[3:6] + comedy[:3], liked=horror[:3])
    sim = {s.item_id: s.components["similarity"] for s in scored}
    assert min(sim[i] for i in horror[3:6]) > max(sim[i] for i in comedy[:3])
    with pytest.raises(ValueError):
        recommend_for_user(ws, None, k=0)


def test_feedback_is_folded_in_at_once_and_survives_a_reload(world, tmp_path):
    out = tmp_path / "ws"
    built = build_workspace(
        world.dataset, out, BuildOptions(progress=False, skip=frozenset({"causal"}))
    )
    n_before = built.manifest["dataset"]["n_interactions"]
    ws = Workspace(out)
    user = "u00007"
    items = [i for i in world.dataset.items["item_id"] if i not in dict(ws.ranker.history(user))]
    target, other = items[0], items[1]
    before = {s.item_id: s.score for s in ws.ranker.score(user, [target, other])}
    append_feedback(ws, user_id=user, item_id=target, value="like", session_id="s")
    append_feedback(ws, user_id=user, item_id=other, value="dislike", session_id="s")
    after = {s.item_id: s.score for s in ws.ranker.score(user, [target, other])}
    assert after[target] - before[target] > after[other] - before[other]
    reopened = Workspace(out)  # e.g. a restarted server: the log is replayed
    replayed = {s.item_id: s.score for s in reopened.ranker.score(user, [target, other])}
    assert replayed == pytest.approx(after)
    assert len(feedback_log(reopened).read()) == 2

    updated = build_workspace(
        None, out, BuildOptions(update=True, progress=False, skip=frozenset({"causal"}))
    )
    state = updated.manifest["feedback"]
    assert state["merged"] == 2 and state["appended"] == 2
    assert updated.manifest["dataset"]["n_interactions"] == n_before + 2
    assert updated.manifest["steps"]["ranker"]["reused"] is False
    assert updated.manifest["steps"]["catalog"]["unchanged"] == len(world.dataset.items)
    history = dict(Workspace(out).ranker.history(user))
    assert history[target] == 5.0 and history[other] == 1.0

    again = build_workspace(
        None, out, BuildOptions(update=True, progress=False, skip=frozenset({"causal"}))
    )
    assert again.manifest["feedback"]["new_records"] == 0
    assert (
        again.manifest["dataset"]["n_interactions"] == updated.manifest["dataset"]["n_interactions"]
    )
    assert again.manifest["steps"]["ranker"]["reused"] is True
    manifest = json.loads((out / "workspace.json").read_text())
    assert manifest["feedback"]["merged"] == 2


def test_without_a_ranker_it_falls_back_to_retrieval(world, tmp_path):
    ws = build_workspace(
        world.dataset,
        tmp_path / "ws",
        BuildOptions(progress=False, skip=frozenset({"causal", "ranker"})),
    )
    recs = recommend_for_user(ws, "u00001", query="space adventure", k=4)
    assert len(recs) == 4 and all(set(r.components) == {"relevance"} for r in recs)


def _numbers(text):
    import re

    return {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}


def test_every_item_carries_a_checked_counterfactual(ws):
    user = "u00003"
    recs = recommend_for_user(ws, user, k=5, diversity=0.0)
    reasons = [r.counterfactual for r in recs]
    assert all(r is not None and r["text"] for r in reasons)
    found = [(rec, r) for rec, r in zip(recs, reasons, strict=True) if r["outcome"] == "found"]
    assert found, [r["text"] for r in reasons]
    history = dict(ws.ranker.history(user))
    for rec, reason in found:
        assert reason["verified"] and reason["rank"] <= 5 < reason["rank_without"]
        assert set(reason["without"]) <= set(history)
        # every number of the sentence is a field of the reason (ranks, k, the user's ratings)
        allowed = {reason["rank"], reason["rank_without"], 5.0}
        allowed |= {s["rating"] for s in reason["signals"]} | {
            s.get("rating_max") for s in reason["signals"]
        }
        titles = " ".join(s["title"] for s in reason["signals"])
        assert _numbers(reason["text"]) - _numbers(titles) <= allowed
        # anyone can check it: score again without those items and the item is gone
        again = recommend_for_user(ws, user, k=5, diversity=0.0, without=reason["without"])
        assert rec.item_id not in {r.item_id for r in again}
        assert again[0].counterfactual is not None


def test_without_rejects_unknown_items_and_the_tool_passes_it_on(ws):
    from tools.items import recommend
    from tools.schemas import ToolContext, ToolError, UserContext

    with pytest.raises(ValueError, match="unknown item"):
        recommend_for_user(ws, "u00003", k=3, without=["nope"])
    ctx = ToolContext(workspace=ws, user=UserContext(user_id="u00003"))
    first = recommend(ctx, k=4)
    assert all(i.counterfactual is not None for i in first.items)
    reason = next((i.counterfactual for i in first.items if i.counterfactual.verified), None)
    if reason is not None:
        checked = recommend(ctx, k=4, without=reason.without)
        cited = {s for i in checked.items for s in i.counterfactual.without}
        assert checked.items and not cited & set(reason.without)  # removed signals stay gone
    with pytest.raises(ToolError):
        recommend(ctx, k=3, without=["nope"])


def test_a_popularity_band_ranks_within_the_long_tail_or_the_head(ws, world):
    from tools.recommending import popularity_band

    ranker = ws.ranker
    tail, head = popularity_band(ranker, "less_known"), popularity_band(ranker, "well_known")
    assert tail and head and not tail & head
    counts = dict(zip(ranker.item_ids, ranker.item_counts, strict=True))
    assert max(counts[i] for i in tail) < min(counts[i] for i in head)
    hidden = recommend_for_user(ws, None, k=5, popularity="less_known", counterfactuals=False)
    assert hidden and {r.item_id for r in hidden} <= tail
    genre = dict(zip(world.dataset.items["item_id"], world.dataset.items["genre"], strict=True))
    popular = genre[next(i for i in ranker.item_ids if i in head)]
    known = recommend_for_user(
        ws, None, k=5, filters={"genre": popular}, popularity="well_known", counterfactuals=False
    )
    assert known and {r.item_id for r in known} <= head
    assert set(_genres(world, known)) == {popular}
    lonely = next(g for g in set(genre.values()) if not any(genre[i] == g for i in head))
    fallback = recommend_for_user(
        ws, None, k=3, filters={"genre": lonely}, popularity="well_known", counterfactuals=False
    )
    assert fallback and set(_genres(world, fallback)) == {lonely}  # none fit: ranked as usual
    with pytest.raises(ValueError, match="popularity must be one of"):
        recommend_for_user(ws, None, k=5, popularity="obscure")


def test_the_middle_band_lies_below_the_head_and_reaches_into_the_tail(ws):
    import numpy as np

    from tools.recommending import MIDDLE_REACH, long_tail_cuts, popularity_band

    ranker = ws.ranker
    tail, head = popularity_band(ranker, "less_known"), popularity_band(ranker, "well_known")
    middle = popularity_band(ranker, "middle_known")
    assert middle and not middle & head and not tail & head
    counts = dict(zip(ranker.item_ids, ranker.item_counts, strict=True))
    low, _high = long_tail_cuts(np.asarray(ranker.item_counts, dtype=float))
    assert max(counts[i] for i in middle) < min(counts[i] for i in head)
    # the vague middle overlaps the top of the long tail, down to MIDDLE_REACH of its cut
    assert all(counts[i] > low * MIDDLE_REACH for i in middle)
    assert {i for i in tail if counts[i] > low * MIDDLE_REACH} <= middle
    assert all(counts[i] <= low for i in middle & tail)
    assert len(middle - tail) > 0
    picks = recommend_for_user(ws, None, k=5, popularity="middle_known", counterfactuals=False)
    assert picks and {r.item_id for r in picks} <= middle


def test_taste_anchors_bring_the_anchors_look_alikes_first(ws, world):
    from tools.items import recommend
    from tools.likeness import likeness_scores
    from tools.schemas import ToolContext, UserContext

    genre = dict(zip(world.dataset.items["item_id"], world.dataset.items["genre"], strict=True))
    anchor = ws.ranker.item_ids[0]
    by_anchor = recommend(ToolContext(workspace=ws, user=UserContext(anchors=(anchor,))), k=8)
    by_like = recommend(ToolContext(workspace=ws, user=UserContext(liked=(anchor,))), k=8)
    anchored = [i.item_id for i in by_anchor.items]
    assert anchor not in anchored and len(anchored) == 8
    assert all("likeness" in i.components for i in by_anchor.items)
    assert not any("likeness" in i.components for i in by_like.items)
    # "like X" means X's genre and nearby numbers, more than a plain like does
    same = sum(genre[i] == genre[anchor] for i in anchored)
    assert same > sum(genre[i.item_id] == genre[anchor] for i in by_like.items)
    assert same >= 5
    mean_like = likeness_scores(ws, [anchor], anchored).mean()
    assert mean_like > likeness_scores(ws, [anchor], [i.item_id for i in by_like.items]).mean()


def test_a_counterfactual_names_the_taste_reference_as_the_wish(ws):
    from causal.ranking.counterfactual import rank_without

    anchor = ws.ranker.item_ids[3]
    recs = recommend_for_user(ws, "u00003", k=5, anchors=[anchor], diversity=0.0)
    scope = recs.scope
    assert scope is not None and scope.offsets and scope.universe is not None
    assert {r.item_id for r in recs} <= set(scope.universe) and anchor not in scope.universe
    title = dict(zip(ws.dataset.items["item_id"], ws.dataset.items["title"], strict=True))[anchor]
    assert scope.query == f"something like {title}"
    reasons = [r.counterfactual for r in recs]
    assert all(r is not None and r["text"] for r in reasons)
    assert any(r["outcome"] == "found" for r in reasons)
    for rec, reason in zip(recs, reasons, strict=True):
        if reason["outcome"] != "found":
            continue
        if reason.get("wish"):
            assert reason["text"].startswith(f"Because you asked for 'something like {title}'")
        else:  # anyone can check it: ranked again in the same scope without those signals
            again = rank_without(ws.ranker, scope, rec.item_id, reason["without"])
            assert again == reason["rank_without"] > 5


def test_a_text_wish_beside_stated_facts_reorders_what_fits_them(ws, world):
    """Words the parser could not place ("close ish") beside a stated fact weigh on the order
    of the fitting items; they do not swap the list for whatever matches their words. A
    real wish in words still brings its items up."""
    price = dict(zip(world.dataset.items["item_id"], world.dataset.items["price"], strict=True))
    facts = {"price": {"max": 30}}
    opts = {"k": 10, "filters": facts, "diversity": 0.0, "counterfactuals": False}
    plain = {r.item_id for r in recommend_for_user(ws, None, **opts)}
    filler = recommend_for_user(ws, None, query="close ish", **opts)
    assert all(price[r.item_id] <= 30 for r in filler)
    assert all("relevance" in r.components for r in filler)
    assert len(plain & {r.item_id for r in filler}) >= 5  # was 3 when hits alone competed
    horror = recommend_for_user(ws, None, query="terrifying haunted horror", **opts)
    genres = _genres(world, horror)
    assert genres[0] == "horror"
    assert (
        genres.count("horror")
        >= _genres(world, recommend_for_user(ws, None, **opts)).count("horror") + 3
    )
