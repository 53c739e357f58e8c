"""Two non-conversational baselines with the agent's exposure: 10 new items a turn.

- `PopularityBaseline` shows the next 10 most popular items it has not shown yet.
- `FilterBaseline` is handed the user's facts as structure (no words) and shows the 10 most
  popular unseen items that satisfy all of them, topped up with popular unseen items when
  fewer do. A taste reference constrains nothing (the filter knows attributes, not taste);
  the referenced item itself is never shown, as the user already knows it.
"""

from __future__ import annotations

from benchmarks.outside_user.catalog import OutsideCatalog
from benchmarks.outside_user.user import Fact, holds

PER_TURN = 10


class PopularityBaseline:
    """The most popular items, 10 new ones a turn."""

    name = "popularity"

    def __init__(self, catalog: OutsideCatalog, per_turn: int = PER_TURN) -> None:
        self.catalog = catalog
        self.per_turn = per_turn
        self.shown: set[str] = set()

    def turn(self, facts: list[Fact]) -> list[str]:
        """This turn's list; `facts` is ignored."""
        picks = [i for i in self.catalog.ids if i not in self.shown][: self.per_turn]
        self.shown.update(picks)
        return picks


class FilterBaseline:
    """Attribute filter over the revealed facts, ranked by popularity, 10 new items a turn."""

    name = "filter"

    def __init__(self, catalog: OutsideCatalog, per_turn: int = PER_TURN) -> None:
        self.catalog = catalog
        self.per_turn = per_turn
        self.shown: set[str] = set()

    def turn(self, facts: list[Fact]) -> list[str]:
        """This turn's list given every fact revealed so far."""
        refs = {f.ref for f in facts if f.kind == "like" and f.ref}
        unseen = [i for i in self.catalog.ids if i not in self.shown and i not in refs]
        rules = [f for f in facts if f.kind != "like"]
        matching = [i for i in unseen if all(holds(self.catalog, i, f) for f in rules)]
        picks = matching[: self.per_turn]
        if len(picks) < self.per_turn:
            chosen = set(picks)
            picks += [i for i in unseen if i not in chosen][: self.per_turn - len(picks)]
        self.shown.update(picks)
        return picks
