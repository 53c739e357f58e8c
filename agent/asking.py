"""The one question the rule planner asks: about the attribute that best splits the list.

When a request is too vague to rank well (the candidate pool is several lists long) the
planner still shows picks and asks one question, about the categorical attribute whose
values (or the numeric one whose decades or price bands) divide the pool most evenly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from agent.toolkit import TurnContext
from agent.vocab import NumericKind, Vocabulary

ASK_WHEN_MORE_THAN = 2  # ask while the pool holds more than this many times k candidates


def splitting_question(
    ctx: TurnContext, vocab: Vocabulary, pool: Sequence[str], k: int, *, force: bool = False
) -> str | None:
    """One question about the attribute that best splits the candidate pool (None when the
    pool is small enough to show, unless `force`, or when nothing splits it)."""
    from tools.item_table import item_table

    if not force and len(pool) <= ASK_WHEN_MORE_THAN * k:
        return None
    table = item_table(ctx.workspace)
    ids = [i for i in pool if table.has(i)] or list(table.frame.index[:500])
    cons = ctx.state.constraints
    best: tuple[float, str] | None = None
    for name, attr in vocab.categorical.items():
        wanted = set(cons.include.get(name, ()))
        if wanted and not attr.multi:
            continue  # one value per item, and it is known
        # A multi-valued attribute (genres) still splits the pool after one value is known:
        # "drama" leaves crime dramas, romantic dramas, war dramas...
        said = wanted | set(cons.exclude.get(name, ()))
        counts: dict[str, int] = {}
        for item_id in ids:
            for value in table.values_of(item_id, name):
                if value in attr.counts and value.lower() != "unknown" and value not in said:
                    counts[value] = counts.get(value, 0) + 1
        if len(counts) < 2:
            continue
        entropy = _entropy(list(counts.values()))
        top = [v for v, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:5]]
        label = attr.name.removesuffix("s") if attr.multi else attr.name
        if wanted:
            question = (
                f"Any particular kind of {' and '.join(sorted(wanted)).lower()} — "
                f"{', '.join(top[:-1])} or {top[-1]}?"
            )
        else:
            question = (
                f"Which {label} are you in the mood for — {', '.join(top[:-1])} or {top[-1]}?"
            )
        if best is None or entropy > best[0]:
            best = (entropy, question)
    for name, info in vocab.numeric.items():
        if name in cons.ranges or info.kind not in (NumericKind.YEAR, NumericKind.PRICE):
            continue
        values = np.array(
            [v for v in (table.value(i, name) for i in ids) if isinstance(v, int | float)],
            dtype=float,
        )
        if values.size < 2 or float(np.std(values)) == 0:
            continue
        if info.kind is NumericKind.YEAR:
            _, counts_arr = np.unique(np.floor(values / 10) * 10, return_counts=True)
            entropy = _entropy(list(counts_arr))
            question = "Any preferred era — recent, the 1990s, the 1980s, or older classics?"
        else:
            low, high = np.quantile(values, [0.33, 0.66])
            entropy = math.log2(3)
            question = (
                f"What's your budget — under {info.fmt(low)}, "
                f"{info.fmt(low)} to {info.fmt(high)}, or more?"
            )
        if best is None or entropy > best[0]:
            best = (entropy, question)
    if best is None or best[0] < 0.5:
        return None
    return best[1]


def _entropy(counts: Sequence[int]) -> float:
    total = float(sum(counts))
    probs = np.array([c / total for c in counts if c > 0])
    return float(-(probs * np.log2(probs)).sum())
