"""Baselines that hold the same dialogues as the agent, with the same exposure and facts.

Each baseline is told, turn by turn, the facts the simulated user told the agent (as
structure, not words: `Fact` objects; see `dialogue_eval.run_baseline`), and shows exactly
k new items a turn (never one it showed before), so five turns of ten mean fifty distinct
items, as for the agent at best.

- popularity: the most engaged-with items of the log, next k each turn; it ignores facts.
- filter_popularity: the items that satisfy every fact stated so far (values wanted and
  refused, decade, budget, score, how well known), most popular first; when fewer than k
  new ones fit, the rest of the turn is filled with the most popular others. A taste
  reference only removes the named item (an attribute filter has no notion of "like X").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from agent.evaluation.catalog_view import CatalogView
from agent.evaluation.simulator import Fact, FactKind

POPULARITY = "popularity"
FILTER_POPULARITY = "filter_popularity"
BASELINE_NAMES = (POPULARITY, FILTER_POPULARITY)
DESCRIPTIONS = {
    POPULARITY: "the most engaged-with items of the log, k new ones a turn; facts ignored",
    FILTER_POPULARITY: "items fitting every stated fact (given as structure), most popular "
    "first, k new ones a turn, topped up with popular others",
}


@dataclass
class BaselineState:
    """One baseline conversation: the facts heard so far and every item shown."""

    facts: list[Fact] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)


class PopularityRanker:
    """The catalog in popularity order, with masks for the filter baseline."""

    def __init__(self, view: CatalogView) -> None:
        self.view = view
        self.ids = sorted(view.titles, key=lambda i: (-view.popularity.get(i, 0), i))
        self._masks: dict[tuple, np.ndarray] = {}

    def mask(self, facts: Sequence[Fact]) -> np.ndarray:
        """Items (in popularity order) that satisfy every fact."""
        keep = np.ones(len(self.ids), dtype=bool)
        for fact in facts:
            key = (fact.key(), fact.low, fact.high)
            if key not in self._masks:
                self._masks[key] = self._fits(fact)
            keep &= self._masks[key]
        return keep

    def _fits(self, fact: Fact) -> np.ndarray:
        view, ids = self.view, self.ids
        if fact.kind is FactKind.CATEGORY:
            wanted = set(fact.values)
            return np.array([wanted <= set(view.values(i, fact.attribute)) for i in ids])
        if fact.kind is FactKind.EXCLUDE:
            return np.array([fact.values[0] not in view.values(i, fact.attribute) for i in ids])
        if fact.kind is FactKind.TASTE:
            return np.array([i != fact.item_id for i in ids])
        if fact.kind is FactKind.POPULARITY:
            wanted = "tail" if fact.values[0] == "less_known" else "head"
            fits = np.array([view.stratum.get(i) == wanted for i in ids])
            if fact.values[0] == "classic" and fact.high is not None:
                years = [view.number(i, fact.attribute) for i in ids]
                fits &= np.array([y is not None and y <= fact.high for y in years])
            return fits
        numbers = [view.number(i, fact.attribute) for i in ids]
        low = -np.inf if fact.low is None else fact.low
        high = np.inf if fact.high is None else fact.high
        return np.array([n is not None and low <= n <= high for n in numbers])


class PopularityBaseline:
    """Shows the next k most popular items each turn, whatever the user says."""

    name = POPULARITY

    def __init__(self, ranker: PopularityRanker, k: int = 10) -> None:
        self.ranker = ranker
        self.k = k

    def start(self) -> BaselineState:
        """A new conversation."""
        return BaselineState()

    def show(self, state: BaselineState, revealed: Sequence[Fact]) -> tuple[str, ...]:
        """The next k items not shown in this conversation."""
        state.facts.extend(revealed)
        return self._take(state, np.zeros(len(self.ranker.ids), dtype=bool))

    def _take(self, state: BaselineState, preferred: np.ndarray) -> tuple[str, ...]:
        ids = self.ranker.ids
        chosen: list[str] = []
        for pool in (np.flatnonzero(preferred), np.flatnonzero(~preferred)):
            for index in pool:
                item_id = ids[index]
                if item_id not in state.shown:
                    chosen.append(item_id)
                    if len(chosen) == self.k:
                        break
            if len(chosen) == self.k:
                break
        state.shown.update(chosen)
        return tuple(chosen)


class FilterPopularityBaseline(PopularityBaseline):
    """Filters by every fact heard so far, most popular first (see the module docstring)."""

    name = FILTER_POPULARITY

    def show(self, state: BaselineState, revealed: Sequence[Fact]) -> tuple[str, ...]:
        """The k most popular unseen items fitting the facts, topped up with popular others."""
        state.facts.extend(revealed)
        return self._take(state, self.ranker.mask(state.facts))


def make_baselines(view: CatalogView, k: int = 10) -> list[PopularityBaseline]:
    """Both baselines over one catalog, sharing one popularity order."""
    ranker = PopularityRanker(view)
    return [PopularityBaseline(ranker, k), FilterPopularityBaseline(ranker, k)]


def hit_rates(ranks: Sequence[int | None], ks: Sequence[int]) -> dict[int, float]:
    """Share of ranks within each k (None counts as a miss)."""
    if not ranks:
        return {k: 0.0 for k in ks}
    return {k: sum(1 for r in ranks if r is not None and r <= k) / len(ranks) for k in ks}


__all__ = [
    "BASELINE_NAMES",
    "DESCRIPTIONS",
    "FILTER_POPULARITY",
    "POPULARITY",
    "BaselineState",
    "FilterPopularityBaseline",
    "PopularityBaseline",
    "PopularityRanker",
    "hit_rates",
    "make_baselines",
]
