"""Counterfactual reasons from the ranker itself: which of the user's own signals put an item
in their top k, verified by scoring again without them.

For a recommended item this finds a small set of the user's signals (logged picks or ratings,
items liked in the conversation) whose removal moves the item out of the top k, in the spirit
of PRINCE (Ghazimatin et al., WSDM 2020) and ACCENT (Tran et al., SIGIR 2021): "without
Fargo and Pulp Fiction it would be #37, not #2". Removal is re-scoring, not an estimate:

- the choice model's user vector is a sum over the history (FISM-style), so dropping items
  from it is exact;
- the similarity profile is a mean over liked items: exact again;
- the rating model's user vector is re-solved without those rows by one Newton step on the
  ridge objective the ranker's fold-in uses (`causal.ranking.user_state.downdate`; exact for
  that quadratic).

The search is greedy: a first-order estimate of each signal's pull on the item and on its
nearest competitors picks the next signal, every step is re-scored exactly on those items,
and redundant signals are pruned afterwards, so the set is minimal (no member can go) though
not always the smallest possible. The final claim is checked over every candidate item: a
reason is returned only when the item's rank without the set exceeds k (`verified`).

Ranks here are places in the ranker's score order among the candidates the list was drawn
from (before any diversity re-ordering). An item shown only for variety (its score rank is
already past k) gets no counterfactual reason: there is nothing its signals keep it in.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from causal.ranking.counterfactual_arrays import Positions, dot_rows, indices_of, item_norms
from causal.ranking.counterfactual_pulls import choice_pulls, preference_pulls, similarity_pulls
from causal.ranking.user_state import FEEDBACK_DISLIKE, FEEDBACK_LIKE, UserState

if TYPE_CHECKING:
    from causal.ranking.model import Ranker

MAX_SIZE = 20  # give up past this many signals (pruning keeps found sets far smaller)
POOL_FACTOR = 3  # competitors considered in the search: the best POOL_FACTOR * k items
LOOKAHEAD = 2  # when the plain greedy fails: check this many candidate signals exactly per step
SEARCH_CACHE = 6  # per ranker: the searches of the last few scopes (a turn explains k items)
RESULT_CACHE = 64  # per search: finished lists (a "why" or "compare" turn asks again)
FULL_CACHE = 3  # per ranker: catalogue-wide scores of the last few user states


class Outcome(StrEnum):
    """How the search for an item ended."""

    FOUND = "found"  # a verified set moves the item out of the top k
    NOT_IN_TOP_K = "not_in_top_k"  # by score it is already past k (shown for variety)
    TOO_LARGE = "too_large"  # no set of at most max_size signals does it
    NO_SIGNALS = "no_signals"  # the user has no history or likes to remove
    UNKNOWN_ITEM = "unknown_item"  # the ranker cannot score the item


@dataclass(frozen=True)
class Scope:
    """What a list was ranked over, so it can be ranked again without some signals.

    universe: the candidate ids (a query's hits, a filter's matches), or None for the whole
    catalogue; banned: ids never ranked (history, exclusions, the session's feedback);
    offsets: a constant added to an item's score (the standardised query relevance);
    without: signals already removed (`recommend --without`), kept out of the search.
    """

    user_id: str | None
    attributes: Mapping[str, Any] | None = None
    liked: tuple[str, ...] = ()
    disliked: tuple[str, ...] = ()
    popularity_weight: float | None = None
    universe: tuple[str, ...] | None = None
    banned: frozenset[str] = frozenset()
    offsets: Mapping[str, float] = field(default_factory=dict)
    without: tuple[str, ...] = ()
    query: str = ""  # the stated wish behind `offsets`


@dataclass(frozen=True)
class Counterfactual:
    """A verified counterfactual reason for one item (or why there is none)."""

    item_id: str
    without: tuple[str, ...]
    rank: int | None  # place by score among the candidates, 1 = best
    rank_without: int | None  # the same without the signals in `without` (None: no set)
    k: int
    verified: bool  # re-scored over every candidate: rank_without > k
    outcome: Outcome
    wish: bool = False  # the reason is the stated wish (the query's relevance), not items


class _Search:
    """One list's search state: the candidates' scores and each signal's first-order pull."""

    def __init__(
        self, ranker: Ranker, scope: Scope, state_key: tuple[Any, ...] | None = None
    ) -> None:
        self.ranker = ranker
        self.scope = scope
        self.state = ranker.state_for(
            scope.user_id, scope.attributes, scope.liked, scope.disliked, scope.without
        )
        index = ranker.item_index
        if scope.universe is None:  # the whole catalogue: no Python loop over 100k ids
            candidates = np.arange(ranker.n_items, dtype=np.int64)
        else:
            candidates = indices_of(ranker, scope.universe)
        allowed = np.ones(ranker.n_items, dtype=bool)
        allowed[[index[i] for i in scope.banned if i in index]] = False
        self.universe = candidates[allowed[candidates]]
        self.position = Positions(self.universe, ranker.n_items)
        self.offsets = np.zeros(len(self.universe))
        for item_id, offset in scope.offsets.items():
            at = self.position.get(index.get(str(item_id), -1))
            if at >= 0:
                self.offsets[at] = float(offset)
        self.signals = self._signals()
        self._scope_removed = frozenset(ranker.item_indices(scope.without))
        self._base: UserState | None = None
        self._feedback: dict[int, float] = {}
        self._sums: tuple[np.ndarray, np.ndarray] | None = None
        self._rows: tuple[np.ndarray, np.ndarray] | None = None
        self.scores = self._initial_scores(state_key) + self.offsets
        self.lock = threading.Lock()  # the lazy parts below are filled by one caller at a time
        self._best: dict[int, np.ndarray] = {}
        self._pulls: dict[bytes, np.ndarray] = {}
        self.results: OrderedDict[tuple[Any, ...], list[Counterfactual]] = OrderedDict()

    # -- scoring --------------------------------------------------------------------------

    def _score(
        self,
        state: UserState,
        items: np.ndarray,
        removed: Collection[int] | None = None,
        sim_rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """The ranker's score; with `removed`, the similarity profile comes from sums kept for
        the list (the liked set is the list's minus `removed`) instead of a fresh mean."""
        ranker = self.ranker
        if removed is None:
            return ranker.scores(state, items, self.scope.popularity_weight)[0]
        raw = ranker.preference_raw(state, items)
        profile = self._unit_profile(removed)
        if not profile.any():  # no likes: every similarity is 0 (skip a catalogue-wide product)
            similarity = np.zeros(len(items))
        elif sim_rows is not None:
            similarity = sim_rows @ profile
        else:
            similarity = dot_rows(ranker.similarity_vectors, items, profile)
        parts = {"preference_z": (raw - ranker.centre) / ranker.scale, "similarity": similarity}
        choice = ranker.choice_raw(state, items) if ranker.weights.choice else None
        if choice is not None:
            parts["choice_z"] = (choice - ranker.choice_centre) / ranker.choice_scale
        weight = ranker.resolve_popularity_weight(self.scope.popularity_weight)
        return ranker.combine(parts, items, weight)

    def _initial_scores(self, state_key: tuple[Any, ...] | None) -> np.ndarray:
        """The candidates' scores in the list's state; over most of the catalogue they are
        read from the state's catalogue-wide scores, kept while the state lasts (a session's
        turns differ in shown items and wishes far more often than in the user's likes)."""
        n = self.ranker.n_items
        if state_key is None or 4 * len(self.universe) < n:
            return self._score(self.state, self.universe, ())
        with _SEARCHES_LOCK:
            full = _FULL_SCORES.setdefault(self.ranker, OrderedDict()).get(state_key)
        if full is None:
            full = self._score(self.state, np.arange(n, dtype=np.int64), ())
            full.setflags(write=False)
            with _SEARCHES_LOCK:
                kept = _FULL_SCORES.setdefault(self.ranker, OrderedDict())
                kept[state_key] = full
                while len(kept) > FULL_CACHE:
                    kept.popitem(last=False)
        return full[self.universe]

    def _unit_profile(self, removed: Collection[int]) -> np.ndarray:
        """The similarity profile of the list's state with `removed` taken out of its likes."""
        if self._sums is None:
            sims = self.ranker.similarity_vectors
            liked = np.array(self.state.liked, dtype=np.int64)
            disliked = np.array(self.state.disliked, dtype=np.int64)
            self._sums = (
                sims[liked].sum(axis=0) if len(liked) else np.zeros(sims.shape[1]),
                sims[disliked].sum(axis=0) if len(disliked) else np.zeros(sims.shape[1]),
            )
        sims = self.ranker.similarity_vectors
        like_sum, dislike_sum = self._sums
        profile = np.zeros(sims.shape[1])
        gone = set(removed)
        out_l = [i for i in self.state.liked if i in gone]
        out_d = [i for i in self.state.disliked if i in gone]
        n_l = len(self.state.liked) - len(out_l)
        n_d = len(self.state.disliked) - len(out_d)
        if n_l > 0:
            profile += (like_sum - sims[out_l].sum(axis=0)) / n_l
        if n_d > 0:
            profile -= 0.5 * (dislike_sum - sims[out_d].sum(axis=0)) / n_d
        norm = float(np.linalg.norm(profile))
        return profile / norm if norm > 0 else profile

    def state_without(self, signals: Collection[int]) -> UserState:
        """The user's state with these item indices removed from history and feedback (what
        `Ranker.state_for(..., without)` computes, from a base state made once per list)."""
        ranker = self.ranker
        removed = frozenset(int(i) for i in signals) | self._scope_removed
        if self._base is None:
            s = self.scope
            key = None if s.user_id is None else str(s.user_id)
            self._base = ranker.base_state(key, s.attributes)
            stored = ranker.feedback_of(key) if key is not None else {}
            extra = {ranker.item_index[i]: t for i, t in stored.items()}
            for ids, value in ((s.liked, FEEDBACK_LIKE), (s.disliked, FEEDBACK_DISLIKE)):
                for item_id in ids:
                    target = ranker.feedback_target(value)
                    if target is not None:
                        extra[ranker.item_index[item_id]] = target
            self._feedback = extra
        key = None if self.scope.user_id is None else str(self.scope.user_id)
        base = ranker.state_without(self._base, key, removed, search=True)
        feedback = {i: t for i, t in self._feedback.items() if i not in removed}
        return ranker.with_feedback(base, feedback)

    def exact(self, signals: Collection[int], positions: np.ndarray) -> np.ndarray:
        """Exact scores of universe positions with `signals` removed."""
        state = self.state_without(signals)
        rows = self._rows
        if rows is None or rows[0] is not positions:  # the pool's rows, kept
            rows = (positions, self.ranker.similarity_vectors[self.universe[positions]])
            self._rows = rows
        items = self.universe[positions]
        return self._score(state, items, signals, rows[1]) + self.offsets[positions]

    def rank_without(self, signals: Collection[int], item: int) -> int:
        """The item's rank among every candidate with `signals` removed.

        Exact, without re-scoring the whole catalogue: a candidate's score moves by at most
        |q_x| |dp| (choice) + |z_x| |dtheta| (rating model) + |du| (similarity profile), so
        only candidates within that bound of the item's new score are scored again.
        """
        p = self.position[item]
        if not signals:
            return 1 + int(np.count_nonzero(self.scores > self.scores[p]))
        state = self.state_without(signals)
        mine = float(self._score(state, self.universe[[p]], signals)[0] + self.offsets[p])
        bound = self._bound(state)
        sure = self.scores - bound > mine
        maybe = ~sure & (self.scores + bound > mine)
        sure[p] = maybe[p] = False
        count = int(np.count_nonzero(sure))
        unsure = np.flatnonzero(maybe)
        if len(unsure):
            exact = self._score(state, self.universe[unsure], signals) + self.offsets[unsure]
            count += int(np.count_nonzero(exact > mine))
        return 1 + count

    def _bound(self, state: UserState) -> np.ndarray:
        """Per candidate, the most its score can move from the list's state to `state`."""
        ranker = self.ranker
        w = ranker.weights
        q_norm, z_norm = item_norms(ranker)
        bound = np.full(len(self.universe), 1e-9)
        old, new = self.state, state
        if w.choice and old.choice_vec is not None and new.choice_vec is not None:
            step = float(np.linalg.norm(new.choice_vec - old.choice_vec))
            bound += abs(w.choice) / ranker.choice_scale * step * q_norm[self.universe]
        if w.preference:
            step = float(np.linalg.norm(np.r_[new.vec - old.vec, new.bias - old.bias]))
            bound += abs(w.preference) / ranker.scale * step * z_norm[self.universe]
        if w.similarity:
            step = float(np.linalg.norm(ranker.taste_profile(new) - ranker.taste_profile(old)))
            bound += abs(w.similarity) * step
        return bound * (1 + 1e-9)

    def rank(self, item: int) -> int:
        """The item's rank among the candidates as the list was scored."""
        return 1 + int(np.count_nonzero(self.scores > self.scores[self.position[item]]))

    # -- signals --------------------------------------------------------------------------

    def _signals(self) -> np.ndarray:
        """The user's removable signals: logged picks and rated items, and session likes."""
        ranker = self.ranker
        s = self.scope
        found: list[int] = []
        if ranker.known_user(s.user_id):
            found.extend(i for i, _ in ranker.history_rows(str(s.user_id)))
        stored = ranker.feedback_of(str(s.user_id)) if s.user_id is not None else {}
        for item, target in stored.items():
            if ranker.positive_feedback(target):
                found.append(ranker.item_index[item])
        found.extend(ranker.item_index[i] for i in s.liked if i in ranker.item_index)
        gone = {ranker.item_index[i] for i in s.without if i in ranker.item_index}
        return np.array([i for i in dict.fromkeys(found) if i not in gone], dtype=np.int64)

    def pulls(self, positions: np.ndarray) -> np.ndarray:
        """(signals x positions): the estimated score change when one signal is removed.

        Exact for one removal in the choice and similarity parts; the rating part uses the
        full-history curvature (a first-order estimate). The search re-scores every step.
        """
        ranker = self.ranker
        state = self.state
        w = ranker.weights
        items = self.universe[positions]
        sig = self.signals
        delta = np.zeros((len(sig), len(items)))
        if len(sig) == 0:
            return delta
        if ranker.choice is not None and state.choice_vec is not None and w.choice:
            delta += w.choice / ranker.choice_scale * choice_pulls(ranker, state, sig, items)
        if w.preference:
            delta += (
                w.preference
                / ranker.scale
                * preference_pulls(ranker, state, self.scope.user_id, sig, items)
            )
        if w.similarity and state.liked:
            delta += w.similarity * similarity_pulls(ranker, state, sig, items)
        return delta


def explain_ranks(
    ranker: Ranker,
    scope: Scope,
    item_ids: Sequence[str],
    k: int,
    *,
    max_size: int = MAX_SIZE,
) -> list[Counterfactual]:
    """A verified counterfactual reason for each item of a list ranked in `scope`."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if max_size < 1:
        raise ValueError("max_size must be at least 1")
    search = _search_for(ranker, scope)
    key = (tuple(str(i) for i in item_ids), k, max_size)
    with search.lock:
        cached = search.results.get(key)
        if cached is not None:
            search.results.move_to_end(key)
            return list(cached)
        pool = _pool(search, item_ids, k)
        pulls = None
        if len(search.signals):
            pulls = search._pulls.get(pool.tobytes())
            if pulls is None:
                pulls = search.pulls(pool)
                search._pulls = {pool.tobytes(): pulls}  # the last pool's only
        out = [_one(search, pool, pulls, str(item_id), k, max_size) for item_id in item_ids]
        search.results[key] = out
        while len(search.results) > RESULT_CACHE:
            search.results.popitem(last=False)
    return list(out)


_SEARCHES: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], _Search]] = (
    weakref.WeakKeyDictionary()
)
_SEARCHES_LOCK = threading.Lock()


_FULL_SCORES: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


def scope_state_key(ranker: Ranker, scope: Scope) -> tuple[Any, ...]:
    """Everything the user's scored state depends on besides the (immutable) trained models:
    who, the session's likes, removed signals, and the feedback folded in so far."""
    feedback = ranker.feedback_of(str(scope.user_id)) if scope.user_id is not None else {}
    attributes = sorted((str(k), repr(v)) for k, v in (scope.attributes or {}).items())
    return (
        scope.user_id,
        tuple(attributes),
        tuple(scope.liked),
        tuple(scope.disliked),
        scope.popularity_weight,
        tuple(scope.without),
        tuple(sorted(feedback.items())),
        repr(ranker.weights),
    )


def _search_for(ranker: Ranker, scope: Scope) -> _Search:
    """The search of this scope, shared by the calls that explain one list item by item (the
    base state and the candidates' scores are made once, not once per item)."""
    state_key = scope_state_key(ranker, scope)
    offsets = tuple(sorted((str(k), float(v)) for k, v in scope.offsets.items()))
    key = (state_key, scope.universe, scope.banned, offsets, scope.query)
    with _SEARCHES_LOCK:
        searches = _SEARCHES.setdefault(ranker, OrderedDict())
        search = searches.get(key)
        if search is not None:
            searches.move_to_end(key)
            return search
    search = _Search(ranker, scope, state_key)
    with _SEARCHES_LOCK:
        searches = _SEARCHES.setdefault(ranker, OrderedDict())
        searches[key] = search
        while len(searches) > SEARCH_CACHE:
            searches.popitem(last=False)
    return search


def _pool(search: _Search, item_ids: Sequence[str], k: int) -> np.ndarray:
    """Universe positions of the best POOL_FACTOR * k items plus the listed ones."""
    n = min(len(search.scores), POOL_FACTOR * k + len(item_ids))
    best = search._best.get(n)
    if best is None:
        best = np.argpartition(-search.scores, n - 1)[:n] if n else np.array([], dtype=np.int64)
        search._best[n] = best
    listed = [
        search.position[search.ranker.item_index[i]]
        for i in map(str, item_ids)
        if i in search.ranker.item_index and search.ranker.item_index[i] in search.position
    ]
    return np.array(sorted(set(best.tolist()) | set(listed)), dtype=np.int64)


def _beaten_by(scores: np.ndarray, col: int) -> int:
    """How many other entries score strictly above entry `col`."""
    return int(np.count_nonzero(scores > scores[col]))


def _one(
    search: _Search,
    pool: np.ndarray,
    pulls: np.ndarray | None,
    item_id: str,
    k: int,
    max_size: int,
) -> Counterfactual:
    index = search.ranker.item_index.get(item_id)
    if index is None or index not in search.position:
        return Counterfactual(item_id, (), None, None, k, False, Outcome.UNKNOWN_ITEM)
    rank = search.rank(index)
    if rank > k:
        return Counterfactual(item_id, (), rank, None, k, False, Outcome.NOT_IN_TOP_K)
    if pulls is None or len(search.signals) == 0:
        return Counterfactual(item_id, (), rank, None, k, False, Outcome.NO_SIGNALS)
    col = int(np.searchsorted(pool, search.position[index]))
    others = np.arange(len(pool)) != col
    if others.sum() < k:  # fewer candidates than k: nothing can push it out
        return Counterfactual(item_id, (), rank, None, k, False, Outcome.TOO_LARGE)
    chosen = _greedy(search, pool, pulls, col, k, max_size, 1)
    if chosen is None:  # a second, slower try: check the few best-looking signals exactly
        chosen = _greedy(search, pool, pulls, col, k, max_size, LOOKAHEAD)
    if chosen is None:
        return _wish(search, index, rank, k)
    for j in list(chosen):  # prune: drop any signal the rest do without
        if len(chosen) == 1:
            break
        rest = [c for c in chosen if c != j]
        if _beaten_by(search.exact(search.signals[rest], pool), col) >= k:
            chosen = rest
    removed = search.signals[chosen]
    rank_without = search.rank_without(removed.tolist(), index)
    ids = tuple(search.ranker.item_ids[int(i)] for i in removed)
    verified = rank_without > k
    outcome = Outcome.FOUND if verified else Outcome.TOO_LARGE
    return Counterfactual(
        item_id,
        ids if verified else (),
        rank,
        rank_without if verified else None,
        k,
        verified,
        outcome,
    )


def _greedy(
    search: _Search,
    pool: np.ndarray,
    pulls: np.ndarray,
    col: int,
    k: int,
    max_size: int,
    lookahead: int,
) -> list[int] | None:
    """Signals (rows of `pulls`) added one at a time until k rivals beat the item (exact
    re-scores of the pool each step); the best of `lookahead` first-order picks is checked
    exactly. None when max_size signals do not do it."""
    others = np.arange(len(pool)) != col
    chosen: list[int] = []
    current = search.scores[pool]
    for _ in range(max_size):
        remaining = np.array([j for j in range(len(search.signals)) if j not in chosen])
        if not len(remaining):
            return None
        trial = current[None, :] + pulls[remaining]
        kth = np.partition(trial[:, others], -k, axis=1)[:, -k]
        margin = trial[:, col] - kth
        best_margin = np.inf
        for j in remaining[np.argsort(margin, kind="stable")[:lookahead]]:
            scores = search.exact(search.signals[[*chosen, int(j)]], pool)
            exact_margin = float(scores[col] - np.partition(scores[others], -k)[-k])
            if exact_margin < best_margin:
                best_margin, pick, current_pick = exact_margin, int(j), scores
        chosen.append(pick)
        current = current_pick
        if _beaten_by(current, col) >= k:
            return chosen
    return None


def _wish(search: _Search, index: int, rank: int, k: int) -> Counterfactual:
    """When no few items do it: does the stated wish (the query's relevance) keep it in?"""
    item_id = search.ranker.item_ids[index]
    if not np.any(search.offsets):
        return Counterfactual(item_id, (), rank, None, k, False, Outcome.TOO_LARGE)
    plain = search.scores - search.offsets
    new_rank = 1 + int(np.count_nonzero(plain > plain[search.position[index]]))
    if new_rank <= k:
        return Counterfactual(item_id, (), rank, None, k, False, Outcome.TOO_LARGE)
    return Counterfactual(item_id, (), rank, new_rank, k, True, Outcome.FOUND, wish=True)


def rank_without(ranker: Ranker, scope: Scope, item_id: str, without: Sequence[str]) -> int:
    """The item's rank among the scope's candidates with `without` removed (for checks)."""
    search = _search_for(ranker, scope)
    index = ranker.item_index.get(str(item_id))
    if index is None or index not in search.position:
        raise ValueError(f"item {item_id!r} is not among the candidates")
    removed = [ranker.item_index[str(i)] for i in without if str(i) in ranker.item_index]
    with search.lock:
        return search.rank_without(removed, index)


def user_signals(ranker: Ranker, scope: Scope) -> list[str]:
    """The user's removable signals in this scope (history rows, feedback and session likes)."""
    search = _search_for(ranker, scope)
    return [ranker.item_ids[int(i)] for i in search.signals]
