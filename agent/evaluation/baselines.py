"""Baselines without dialogue, scored on the same targets as the simulated conversations.

- popularity: the most-interacted items of the workspace's log, the same list for everyone;
- one-shot retrieval: the catalog's semantic search on the user's opening request alone.

Hit@k is the share of targets ranked within the first k. Hit@50 is reported too: it shows
as many items as five turns of ten, so dialogue and baselines can be compared on equal
exposure as well as on equal list length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

BASELINE_KS: tuple[int, ...] = (1, 5, 10, 50)


@dataclass(frozen=True)
class BaselineResult:
    """Hit rates of one baseline over the targets."""

    name: str
    n: int
    hits: dict[int, float]
    description: str = ""
    ranks: tuple[int | None, ...] = field(default=(), repr=False)

    def to_json(self) -> dict[str, Any]:
        """{"hit@1": .., "hit@5": .., ..., "n": .., "description": ..}."""
        out: dict[str, Any] = {f"hit@{k}": round(v, 4) for k, v in sorted(self.hits.items())}
        out["n"] = self.n
        out["description"] = self.description
        return out


def rank_of(item_id: str, ranked: Sequence[str]) -> int | None:
    """1-based position of `item_id` in `ranked`, or None."""
    for position, candidate in enumerate(ranked, 1):
        if candidate == item_id:
            return position
    return None


def hit_rates(ranks: Sequence[int | None], ks: Sequence[int] = BASELINE_KS) -> dict[int, float]:
    """Share of ranks within each k (None counts as a miss)."""
    if not ranks:
        return {k: 0.0 for k in ks}
    return {k: sum(1 for r in ranks if r is not None and r <= k) / len(ranks) for k in ks}


def popularity_ranking(interactions: pd.DataFrame, limit: int = max(BASELINE_KS)) -> list[str]:
    """Items by number of logged interactions, most first (ties by item id)."""
    counts = interactions["item_id"].astype(str).value_counts()
    frame = counts.rename("n").reset_index().sort_values(["n", "item_id"], ascending=[False, True])
    return frame["item_id"].head(limit).tolist()


def popularity_baseline(
    targets: Sequence[str], interactions: pd.DataFrame, ks: Sequence[int] = BASELINE_KS
) -> BaselineResult:
    """Hit@k of the most-popular list (no dialogue, no personalisation)."""
    ranking = popularity_ranking(interactions, max(ks))
    ranks = tuple(rank_of(t, ranking) for t in targets)
    return BaselineResult(
        "popularity",
        len(targets),
        hit_rates(ranks, ks),
        "the most-interacted items of the log, the same list for every user",
        ranks,
    )


def retrieval_baseline(
    targets: Sequence[str],
    openings: Sequence[str],
    catalog: Any,
    ks: Sequence[int] = BASELINE_KS,
) -> BaselineResult:
    """Hit@k of the catalog's semantic search on each opening request (one shot, no filters)."""
    if len(targets) != len(openings):
        raise ValueError("targets and openings must have the same length")
    depth = max(ks)
    ranks = []
    for target, text in zip(targets, openings, strict=True):
        hits = catalog.search(text, k=depth)
        ranks.append(rank_of(target, [str(h.item_id) for h in hits]))
    return BaselineResult(
        "one_shot_retrieval",
        len(targets),
        hit_rates(ranks, ks),
        "semantic search of the catalog on the opening request alone",
        tuple(ranks),
    )
