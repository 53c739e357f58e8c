"""Recommend for a user: retrieve candidates, rank them with the debiased ranker, diversify.

1. Candidates: the catalog's closest items to the query (with the filters), or, without a
   query, the ranker's own best items (filtered when filters are given).
2. Ranking: `Ranker.score` with the user's history, attributes and this conversation's
   likes and dislikes; with a query, the standardised query relevance is added, so items
   both relevant and preferred come first.
3. Diversity: maximal marginal relevance over the items' text embeddings, so the list does
   not repeat one kind of item (diversity 0 keeps the ranker's order).

Each `Recommendation` carries the ranker's components (preference, choice on rating logs,
popularity, similarity, ...) plus "relevance" when there was a query, for explanations to
cite, and a verified counterfactual reason (tools.counterfactuals, causal.ranking.counterfactual):
the few of the user's own signals without which it would leave the top k. Without a
popularity weight the ranker's own (validated) weights apply. `without` scores as if those
items were absent from the user's history, so anyone can check such a reason.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tools.protocols import Workspace

DEFAULT_DIVERSITY = 0.2
RELEVANCE_WEIGHT = 1.0
FACTS_RELEVANCE_WEIGHT = 0.5  # a text wish beside stated facts re-orders what fits them
POOL_FACTOR = 5
MIN_POOL = 50
FILTER_SCAN_LIMIT = 20_000


@dataclass(frozen=True)
class Recommendation:
    """One recommended item with its final score and the parts explanations can cite."""

    item_id: str
    title: str
    score: float
    components: Mapping[str, float] = field(default_factory=dict)
    counterfactual: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The CLI contract's shape: item_id, title, score, components, counterfactual."""
        return {
            "item_id": self.item_id,
            "title": self.title,
            "score": round(float(self.score), 6),
            "components": {k: round(float(v), 6) for k, v in self.components.items()},
            "counterfactual": dict(self.counterfactual) if self.counterfactual else None,
        }


class RankedList(list):
    """Recommendations, plus the scope they were ranked in (to explain them again later)."""

    scope: Any = None


class UnknownUserError(ValueError):
    """A user id the workspace does not know, asked for without anything to go on."""


def recommend_for_user(
    workspace: Workspace,
    user_id: str | None,
    *,
    query: str | None = None,
    k: int = 10,
    filters: dict[str, Any] | None = None,
    exclude: Collection[str] = (),
    liked: Sequence[str] = (),
    disliked: Sequence[str] = (),
    user_attributes: Mapping[str, Any] | None = None,
    diversity: float = DEFAULT_DIVERSITY,
    popularity_weight: float | None = None,
    exclude_history: bool = True,
    without: Sequence[str] = (),
    counterfactuals: bool = True,
    popularity: str | None = None,
    anchors: Sequence[str] = (),
) -> RankedList:
    """The k best items for a user (known, or cold-start from attributes and likes).

    `exclude` (and the user's liked/disliked items, and with exclude_history their logged
    items) never come back. Filters use the catalog's filter language. Without a ranker in
    the workspace this falls back to catalog retrieval alone. `without`: items scored as if
    absent from the user's history and likes (they stay excluded). `counterfactuals`: attach
    each item's verified counterfactual reason (the returned list's `scope` allows it later).
    `popularity` ("less_known" / "middle_known" / "well_known"): candidates from the catalog's
    long tail, the band below the head (reaching into the top of the tail, see `band_fits`),
    or the head only (see `popularity_band`), when any fit; ranked as usual within them.
    `anchors`: taste references ("something like X"); items sharing their attribute values
    and era (tools.likeness) join the candidates and gain LIKENESS_WEIGHT times their
    standardised likeness, on top of what the ranker makes of them as likes.
    """
    if popularity is not None and popularity not in POPULARITY_BANDS:
        raise ValueError(f"popularity must be one of {', '.join(POPULARITY_BANDS)}")
    if k < 1:
        raise ValueError("k must be at least 1")
    if not 0.0 <= diversity <= 1.0:
        raise ValueError("diversity must be between 0 and 1")
    text = (query or "").strip()
    liked = [str(i) for i in liked]
    disliked = [str(i) for i in disliked]
    without = [str(i) for i in dict.fromkeys(without)]
    banned = {str(i) for i in exclude} | set(liked) | set(disliked) | set(without)
    ranker = _ranker_or_none(workspace)
    if ranker is not None:
        unknown = [i for i in without if not ranker.known_item(i)]
        if unknown:
            raise ValueError(f"unknown item id(s) in without: {', '.join(unknown[:5])}")
    if ranker is not None and exclude_history and ranker.known_user(user_id):
        banned.update(item for item, _ in ranker.history(str(user_id)))
    pool = max(POOL_FACTOR * k, MIN_POOL)
    band = popularity_band(ranker, popularity) if ranker is not None and popularity else None

    relevance: dict[str, float] = {}
    text_weight = RELEVANCE_WEIGHT
    banded: list[str] = []
    if band and not text:  # "a hidden gem": rank the band (within the filters), not the top
        banded = [i for i in band_order(ranker, popularity) if i not in banned]
        if filters and banded:
            fitting = set(workspace.catalog.filter_ids(FILTER_SCAN_LIMIT, where=filters))
            banded = [i for i in banded if i in fitting]
    if banded:
        candidates = banded
    elif text:
        hits = workspace.catalog.search(text, k=pool, where=filters or None, exclude=banned)
        candidates = [h.item_id for h in hits]
        relevance = {h.item_id: float(h.score) for h in hits}
        if ranker is not None and (filters or band):
            # Facts were stated: the text wish re-orders the items that fit them, it does not
            # replace them. The most engaged-with fitting items join the closest in meaning,
            # so a phrase the parser could not place ("close-ish", a misheard title) weighs
            # on the order instead of swapping the list for whatever matches its words.
            extra = _fitting_best(
                workspace, ranker, filters, popularity, banned.union(relevance), pool
            )
            text_weight = FACTS_RELEVANCE_WEIGHT
            if extra:
                vectors = np.asarray(workspace.catalog.embeddings(extra), dtype=float)
                query_vec = np.asarray(workspace.catalog.query_vector(text), dtype=float)
                relevance.update(zip(extra, (vectors @ query_vec).tolist(), strict=True))
                candidates += extra
    elif ranker is None:
        hits = workspace.catalog.browse(pool, where=filters or None, exclude=banned)
        candidates = [h.item_id for h in hits]
    elif filters:
        candidates = workspace.catalog.filter_ids(FILTER_SCAN_LIMIT, where=filters, exclude=banned)
    else:
        top = ranker.top_items(
            user_id,
            pool,
            exclude=sorted(banned),
            exclude_history=False,
            user_attributes=user_attributes,
            liked=liked,
            disliked=disliked,
            popularity_weight=popularity_weight,
            without=without,
            scores=_catalogue_scores(
                ranker, user_id, user_attributes, liked, disliked, popularity_weight, without
            ),
        )
        candidates = [s.item_id for s in top]
    anchors = [str(a) for a in dict.fromkeys(anchors)]
    if anchors and not text and not filters and not banded and ranker is not None:
        # "Like X" with nothing else to go on: X's look-alikes join the ranker's own picks.
        from tools.likeness import most_like

        seen = set(candidates)
        candidates += [i for i in most_like(workspace, anchors, pool, banned) if i not in seen]
    if band and text:
        candidates = [c for c in candidates if c in band] or candidates
    if not candidates:
        return RankedList()
    offsets: dict[str, float] = {}

    if ranker is None:
        if anchors:
            boosts = _likeness_boost(workspace, anchors, candidates, filters)
            offsets = {c: float(b) for c, b in zip(candidates, boosts, strict=True)}
        scored = [
            (c, relevance.get(c, 0.0) + offsets.get(c, 0.0), {"relevance": relevance.get(c, 0.0)})
            for c in candidates
        ]
        scored.sort(key=lambda t: -t[1])
    else:
        index = ranker.item_index  # a dict lookup, not a method call per filtered candidate
        known = [c for c in candidates if (c if type(c) is str else str(c)) in index]
        boost = _likeness_boost(workspace, anchors, known, filters) if anchors else None
        ranked = ranker.score(
            user_id,
            known,
            user_attributes=user_attributes,
            liked=[i for i in liked if ranker.known_item(i)],
            disliked=[i for i in disliked if ranker.known_item(i)],
            popularity_weight=popularity_weight,
            limit=None if relevance else pool,  # relevance re-orders, so keep every hit then
            without=without,
            boost=boost,
        )
        if boost is not None and boost.any():
            # The taste references rank the pool that survived the cut (as a query ranks its
            # hits): that pool is the scope a counterfactual reason is checked in.
            kept = {s.item_id for s in ranked}
            offsets = {c: float(b) for c, b in zip(known, boost, strict=True) if c in kept}
            candidates = [s.item_id for s in ranked]
        scored = _with_relevance(ranked, relevance, offsets, text_weight)
    # Diversity only re-orders the head: past a few times k, items can't make the cut anyway,
    # and MMR over every filtered candidate would cost a second per turn on a large catalog.
    chosen = _diversify(workspace, scored[:pool], k, diversity)
    # Diversity decides which items make the list; the list itself reads best-first.
    chosen.sort(key=lambda t: -t[1])
    titles = _titles(workspace, [c for c, _, _ in chosen])
    out = RankedList(
        Recommendation(item_id=c, title=titles.get(c, c), score=s, components=comp)
        for c, s, comp in chosen
    )
    if ranker is not None:
        from causal.ranking.counterfactual import Scope

        out.scope = Scope(
            user_id=str(user_id) if user_id is not None else None,
            attributes=user_attributes,
            liked=tuple(i for i in liked if ranker.known_item(i)),
            disliked=tuple(i for i in disliked if ranker.known_item(i)),
            popularity_weight=popularity_weight,
            universe=tuple(candidates) if (text or filters or band or offsets) else None,
            banned=frozenset(banned),
            offsets=_merged(
                _relevance_offsets([c for c, _, _ in scored], relevance, text_weight), offsets
            ),
            without=tuple(without),
            query=_wish_text(workspace, text, anchors if offsets else []),
        )
    if counterfactuals:
        from tools.counterfactuals import counterfactual_reasons

        reasons = counterfactual_reasons(workspace, out.scope, [r.item_id for r in out], k)
        out[:] = [replace(r, counterfactual=reasons.get(r.item_id)) for r in out]
    return out


def _fitting_best(
    workspace: Workspace,
    ranker: Any,
    filters: dict[str, Any] | None,
    popularity: str | None,
    gone: Collection[str],
    n: int,
) -> list[str]:
    """The `n` most engaged-with items that fit the filters (and the popularity band), none
    of `gone`: the stated facts' own best guesses, for the ranker to order beside a text
    wish's hits. Walks the engagement order only until `n` fit (a few hundred steps unless
    the facts are very narrow; then the fitting items are few and sorted directly)."""
    fitting = None
    if filters:
        fitting = set(workspace.catalog.filter_ids(FILTER_SCAN_LIMIT, where=filters, exclude=gone))
    band = popularity_band(ranker, popularity) if popularity else None
    order = _engagement_ids(ranker)
    if fitting is not None and len(fitting) <= 4 * n:  # narrow facts: sort the few directly
        rank = _engagement_rank(ranker)
        few = [i for i in fitting if i in rank and (band is None or i in band)]
        return sorted(few, key=rank.__getitem__)[:n]
    out: list[str] = []
    for item_id in order:
        if (
            (fitting is None or item_id in fitting)
            and (band is None or item_id in band)
            and item_id not in gone
        ):
            out.append(item_id)
            if len(out) >= n:
                break
    return out


_ORDERS: weakref.WeakKeyDictionary[Any, tuple[tuple[str, ...], dict[str, int]]] = (
    weakref.WeakKeyDictionary()
)


def _engagement(ranker: Any) -> tuple[tuple[str, ...], dict[str, int]]:
    """The ranker's item ids, most logged engagement first, and each id's place in that
    order (cached per ranker)."""
    try:
        cached = _ORDERS.get(ranker)
    except TypeError:
        cached = None
    if cached is None:
        ids = [str(i) for i in ranker.item_ids]
        counts = np.asarray(getattr(ranker, "item_counts", ()), dtype=float)
        if len(counts) != len(ids):
            counts = np.zeros(len(ids))
        order = tuple(ids[i] for i in np.argsort(-counts, kind="stable"))
        cached = (order, {item_id: place for place, item_id in enumerate(order)})
        with contextlib.suppress(TypeError):  # not weak-referenceable: computed each time
            _ORDERS[ranker] = cached
    return cached


def _engagement_ids(ranker: Any) -> tuple[str, ...]:
    return _engagement(ranker)[0]


def _engagement_rank(ranker: Any) -> dict[str, int]:
    return _engagement(ranker)[1]


_TOP_SCORES: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], np.ndarray]] = (
    weakref.WeakKeyDictionary()
)
_TOP_SCORES_LOCK = threading.Lock()
TOP_SCORES_KEPT = 4  # per ranker: the catalogue-wide scores of the last few user states


def _catalogue_scores(
    ranker: Any,
    user_id: str | None,
    attributes: Mapping[str, Any] | None,
    liked: Sequence[str],
    disliked: Sequence[str],
    popularity_weight: float | None,
    without: Sequence[str],
) -> np.ndarray | None:
    """Every item's score for this user state, kept per ranker by the state's key (the one
    counterfactual searches use: who, likes, removed signals, feedback folded in, weights):
    a list with no wish and no filter ranks the whole catalogue, and a session's "something
    else" or a new session's first turn asks again in the same state. None: not kept (the
    ranker scores as usual)."""
    from causal.ranking.counterfactual import Scope, scope_state_key

    try:
        scope = Scope(
            user_id=str(user_id) if user_id is not None else None,
            attributes=attributes,
            liked=tuple(liked),
            disliked=tuple(disliked),
            popularity_weight=popularity_weight,
            without=tuple(without),
        )
        key = scope_state_key(ranker, scope)
        with _TOP_SCORES_LOCK:
            kept = _TOP_SCORES.setdefault(ranker, OrderedDict())
            scores = kept.get(key)
            if scores is not None:
                kept.move_to_end(key)
                return scores
        state = ranker.state_for(user_id, attributes, liked, disliked, without)
        scores = ranker.catalogue_scores(state, popularity_weight)
    except (AttributeError, TypeError):  # a ranker of another kind: it scores by itself
        return None
    scores.setflags(write=False)
    with _TOP_SCORES_LOCK:
        kept = _TOP_SCORES.setdefault(ranker, OrderedDict())
        kept[key] = scores
        while len(kept) > TOP_SCORES_KEPT:
            kept.popitem(last=False)
    return scores


POPULARITY_BANDS = ("less_known", "middle_known", "well_known")
# "Moderately known" is vaguer than either end: people say it of items on both sides of the
# tail cut. The middle band reaches down to half the tail's engagement cut, so an item just
# inside the long tail still fits it (it stays in "less known" too: the bands overlap there).
MIDDLE_REACH = 0.5
_BANDS: weakref.WeakKeyDictionary[Any, dict[str, tuple[str, ...]]] = weakref.WeakKeyDictionary()
_BAND_SETS: weakref.WeakKeyDictionary[Any, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def long_tail_cuts(counts: np.ndarray) -> tuple[float, float]:
    """Engagement counts that bound the long tail and the head, the usual way: the most
    engaged items that together draw the first third of all engagement are the head (well
    known); the items past the first two thirds are the long tail (less known)."""
    ordered = np.sort(counts[counts > 0])[::-1]
    if not len(ordered):
        return 0.0, 0.0
    share = np.cumsum(ordered) / ordered.sum()
    head = ordered[min(int(np.searchsorted(share, 1 / 3)), len(ordered) - 1)]
    tail = ordered[min(int(np.searchsorted(share, 2 / 3)) + 1, len(ordered) - 1)]
    return float(tail), float(head)


def band_fits(counts: np.ndarray, low: float, high: float, popularity: str) -> np.ndarray:
    """Which engagement counts lie in a popularity band: the long tail (at most `low`), the
    head (at least `high`) or the middle below the head, from `MIDDLE_REACH` times the tail
    cut up ("known, but not a smash")."""
    if popularity == "less_known":
        return counts <= low
    if popularity == "well_known":
        return counts >= high
    return (counts > low * MIDDLE_REACH) & (counts < high)


def band_order(ranker: Any, popularity: str) -> tuple[str, ...]:
    """The ranker's items in the long tail ("less_known"), the middle ("middle_known") or the
    head ("well_known") of its logged engagement, in the ranker's item order (cached per ranker); empty without counts."""
    try:
        cached = _BANDS.setdefault(ranker, {})
    except TypeError:  # not weak-referenceable: compute each time
        cached = {}
    if popularity not in cached:
        counts = np.asarray(getattr(ranker, "item_counts", ()), dtype=float)
        ids = list(getattr(ranker, "item_ids", ()))
        band: tuple[str, ...] = ()
        if len(counts) == len(ids) and counts.size and counts.max() > 0:
            low, high = long_tail_cuts(counts)
            fits = band_fits(counts, low, high, popularity)
            band = tuple(str(i) for i, f in zip(ids, fits, strict=True) if f)
        cached[popularity] = band
    return cached[popularity]


def popularity_band(ranker: Any, popularity: str) -> frozenset[str]:
    """`band_order` as a set (cached too)."""
    try:
        cached = _BAND_SETS.setdefault(ranker, {})
    except TypeError:
        cached = {}
    if popularity not in cached:
        cached[popularity] = frozenset(band_order(ranker, popularity))
    return cached[popularity]


def _relevance_offsets(
    ids: Sequence[str], relevance: Mapping[str, float], weight: float = RELEVANCE_WEIGHT
) -> dict[str, float]:
    """What the query's relevance adds to each ranked item's score: standardised over them,
    times `weight`."""
    if not relevance:
        return {}
    values = np.array([relevance.get(i, 0.0) for i in ids], dtype=float)
    spread = float(values.std()) if len(values) > 1 else 0.0
    if spread <= 0:
        return {}
    centre = float(values.mean())
    return {i: weight * (float(v) - centre) / spread for i, v in zip(ids, values, strict=True)}


LIKENESS_WEIGHT = 2.0


def _likeness_boost(
    workspace: Workspace,
    anchors: Sequence[str],
    candidates: Sequence[str],
    filters: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """What being like the taste references adds to each candidate's score: the likeness
    (tools.likeness) standardised over the candidates, times LIKENESS_WEIGHT (zeros when
    every candidate is equally like them). A reference with a value the filters refuse
    ("like Toy Story", then "no animation") no longer steers."""
    from tools.likeness import likeness_scores

    refused = {
        attr: list(cond["not"])
        for attr, cond in (filters or {}).items()
        if isinstance(cond, Mapping) and cond.get("not")
    }
    values = likeness_scores(workspace, anchors, candidates, refused)
    spread = float(values.std()) if len(values) > 1 else 0.0
    if spread <= 0:
        return np.zeros(len(values))
    return LIKENESS_WEIGHT * (values - float(values.mean())) / spread


def _merged(a: Mapping[str, float], b: Mapping[str, float]) -> dict[str, float]:
    """Two offset tables added item by item."""
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0.0) + value
    return out


def _wish_text(workspace: Workspace, text: str, anchors: Sequence[str]) -> str:
    """The stated wish behind a list's offsets, in words: the text wish and/or "something
    like X" for the taste references (what a counterfactual reason names)."""
    if not anchors:
        return text
    titles = _titles(workspace, list(anchors))
    like = "something like " + " or ".join(titles.get(a, a) for a in anchors[:3])
    return f"{text}, {like}" if text else like


def _ranker_or_none(workspace: Workspace) -> Any:
    """The workspace's ranker, or None when the build had no ranker step."""
    has_step = getattr(workspace, "has_step", None)
    if has_step is not None and not has_step("ranker"):
        return None
    try:
        return workspace.ranker
    except (AttributeError, FileNotFoundError):
        return None


def _with_relevance(
    ranked: list[Any],
    relevance: Mapping[str, float],
    likeness: Mapping[str, float] | None = None,
    weight: float = RELEVANCE_WEIGHT,
) -> list[tuple[str, float, dict[str, float]]]:
    """Ranker scores plus the standardised query relevance (when there was a query) and the
    taste references' likeness offsets (when there were any)."""
    out = []
    offsets = _relevance_offsets([s.item_id for s in ranked], relevance, weight)
    for s in ranked:
        comp = dict(s.components)
        score = float(s.score)
        if relevance:
            comp["relevance"] = round(float(relevance.get(s.item_id, 0.0)), 6)
            score += offsets.get(s.item_id, 0.0)
        if likeness:
            comp["likeness"] = round(float(likeness.get(s.item_id, 0.0)), 6)
            score += likeness.get(s.item_id, 0.0)
        out.append((s.item_id, score, comp))
    out.sort(key=lambda t: -t[1])
    return out


def _diversify(
    workspace: Workspace,
    scored: list[tuple[str, float, dict[str, float]]],
    k: int,
    diversity: float,
) -> list[tuple[str, float, dict[str, float]]]:
    """Maximal marginal relevance: trade score against similarity to items already chosen."""
    if diversity <= 0.0 or len(scored) <= 1:
        return scored[:k]
    try:
        vectors = np.asarray(workspace.catalog.embeddings([c for c, _, _ in scored]), dtype=float)
    except Exception:  # no embeddings: keep the ranker's order
        return scored[:k]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    scores = np.array([s for _, s, _ in scored], dtype=float)
    span = scores.max() - scores.min()
    norm_scores = (scores - scores.min()) / span if span > 0 else np.ones_like(scores)
    chosen: list[int] = []
    relevance = (1.0 - diversity) * norm_scores
    max_sim = np.full(len(scored), -1.0)  # highest similarity to a chosen item
    open_ = np.ones(len(scored), dtype=bool)  # a mask, not a list: no per-pick list surgery
    # Every pair's similarity in one product, not one product per pick: on a busy machine
    # each small BLAS call can wait for a descheduled thread (~10 ms a list measured).
    similarity = vectors @ vectors.T
    while len(chosen) < min(k, len(scored)):
        redundancy = np.where(max_sim > -1.0, max_sim, 0.0)
        values = np.where(open_, relevance - diversity * redundancy, -np.inf)
        pick = int(np.argmax(values))  # the first best among the open ones, as before
        chosen.append(pick)
        open_[pick] = False
        max_sim = np.maximum(max_sim, similarity[pick])
    return [scored[i] for i in chosen]


def _titles(workspace: Workspace, item_ids: list[str]) -> dict[str, str]:
    try:
        from tools.item_table import item_table

        table = item_table(workspace)
        return {i: table.title(i) for i in item_ids if table.has(i)}
    except Exception:
        items = workspace.dataset.items
        frame = items[items["item_id"].astype(str).isin(item_ids)]
        return dict(zip(frame["item_id"].astype(str), frame["title"].astype(str), strict=True))
