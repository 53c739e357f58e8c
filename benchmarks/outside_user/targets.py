"""Which items the simulated users look for: seeded draws over the outside catalog.

Strata (see `catalog.py`): items ranked by interaction count, ties by id; the top 10% of the
catalog is the *head*, the next 30% the *torso*, the other 60% the *tail*. A stratified draw
takes a third of the targets from each stratum (the remainder goes to head, then torso).

Within a stratum (or over the whole catalog with `stratify=False`) a draw is either
*popularity*-weighted (chance proportional to interactions + 1, so a never-seen item can
still come up) or *uniform*. Draws never repeat an item.
"""

from __future__ import annotations

import numpy as np

from benchmarks.outside_user.catalog import STRATA, OutsideCatalog

DRAWS = ("popularity", "uniform")


def _pick(
    pool: list[str], weights: np.ndarray | None, k: int, rng: np.random.Generator
) -> list[str]:
    k = min(k, len(pool))
    if k <= 0:
        return []
    p = None if weights is None else weights / weights.sum()
    return [str(x) for x in rng.choice(np.array(pool, dtype=object), size=k, replace=False, p=p)]


def draw_targets(
    catalog: OutsideCatalog,
    n: int,
    draw: str = "popularity",
    seed: int = 0,
    stratify: bool = True,
) -> list[str]:
    """`n` distinct target item ids, a third per stratum unless `stratify` is off."""
    if draw not in DRAWS:
        raise ValueError(f"unknown draw {draw!r}; use one of {', '.join(DRAWS)}")
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = np.random.default_rng([seed, DRAWS.index(draw)])

    def weights(pool: list[str]) -> np.ndarray | None:
        if draw == "uniform":
            return None
        return catalog.counts.loc[pool].to_numpy(dtype=float) + 1.0

    if not stratify:
        pool = catalog.ids
        return _pick(pool, weights(pool), n, rng)
    base, extra = divmod(n, len(STRATA))
    targets: list[str] = []
    for i, stratum in enumerate(STRATA):
        pool = [i_ for i_ in catalog.ids if catalog.stratum[i_] == stratum]
        targets += _pick(pool, weights(pool), base + (1 if i < extra else 0), rng)
    return targets
