"""The rule planner's recommending turn: fitting items first, in an order for this session.

`RecommendingMixin._recommend` ranks the items that fit every wish in memory (the catalog
filters are hard; a text wish, taste references and the popularity wish are soft signals),
never shows an item twice, relaxes the wishes step by step when nothing fits, and writes the
reply from templates over the tool results. `RulePlanner` (agent.planner) mixes it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from agent.answer_text import rec_item
from agent.asking import splitting_question
from agent.memory_update import memory_lines, understood_line
from agent.models import RecItem
from agent.nlu import spoken_name
from agent.parse import Parse
from agent.toolkit import TurnContext, run_tool
from tools.recommending import MIDDLE_REACH, band_fits, long_tail_cuts
from tools.registry import get_tool
from tools.schemas import Explanation, Recommendations

if TYPE_CHECKING:
    from agent.vocab import Vocabulary
    from tools.protocols import Workspace

POOL_K = 30  # candidates ranked per turn; the first k are shown, all inform the next question
POPULARITY_POOL_K = 50  # with a popularity wish: a wider pool to pick the less/more known from
# the session's popularity wish (the parse's direction) -> the recommend tool's band
POPULARITY_BAND = {"down": "less_known", "middle": "middle_known", "up": "well_known"}
MAX_WIDEN = 4  # wishes left out one at a time (a recommend call each) when few items fit


@dataclass
class PlannerReply:
    """The rule planner's answer to one turn."""

    text: str
    items: list[RecItem] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    asked: str | None = None


def _title_key(title: str) -> str:
    """A title compared loosely (case and spacing), so duplicate catalog rows match."""
    return " ".join(title.lower().split())


def _gap(count: float, low: float, high: float) -> float:
    """How far an engagement count lies outside the band (low, high)."""
    return max(low - count, count - high, 0.0)


class RecommendingMixin:
    """The recommending turn of `agent.planner.RulePlanner` (see the module docstring)."""

    workspace: Workspace
    vocab: Vocabulary
    k: int
    multi: frozenset[str]

    def _explain(self, ctx: TurnContext, item_id: str) -> Explanation | None:
        result = run_tool(ctx, get_tool("explain"), {"item_id": item_id}).result
        return result if isinstance(result, Explanation) else None

    def _recommend(self, ctx: TurnContext, parse: Parse) -> PlannerReply:
        k = parse.k or self.k
        cons = ctx.state.constraints
        filters = cons.to_filters(self.multi)
        query = self._query(ctx)
        pool_k = max(k, POPULARITY_POOL_K if cons.popularity else POOL_K)
        band = POPULARITY_BAND.get(cons.popularity or "")
        result, relaxed = self._recommend_relaxing(ctx, pool_k, query, filters, band)
        # "More like X" never offers X itself.
        candidates = [
            i for i in (result.items if result else []) if i.item_id not in cons.like_items
        ]
        candidates = self._distinct_titles(candidates, ctx.state.shown)
        near: list[Any] = []
        widened: list[str] = []
        if not candidates and not relaxed:  # every fitting item was shown: close ones
            near, widened = self._near_misses(ctx, k, query, band, set(cons.like_items))
        if not candidates and not near:
            return PlannerReply(text=self._nothing_new(ctx, filters))
        if not (query or cons.like_items or ctx.state.liked or ctx.state.disliked):
            candidates = self._cold_order(candidates)
        if cons.popularity:  # a soft wish: any fitting items first, the rest after
            candidates = self._by_popularity(candidates, cons.popularity, k)
        pool = [i.item_id for i in candidates]
        shown = [*candidates[:k], *near][:k]
        items = [rec_item(s, self._explain(ctx, s.item_id)) for s in shown]
        ctx.state.remember_shown([i.item_id for i in shown])
        wishes = memory_lines(ctx.state, self.vocab)
        wishes = [w for w in wishes if not w.startswith(("liked", "disliked", "seen"))]
        lead = "Here is 1 pick" if len(items) == 1 else f"Here are {len(items)} picks"
        lead += f" ({'; '.join(wishes)})" if wishes else ""
        lead += "."
        if relaxed:
            lead += f" Nothing matched everything, so I dropped: {', '.join(relaxed)}."
        if 0 < len(candidates) < k and not relaxed:  # a short list is all that fits: say so
            n = len(candidates)
            fit = "1 item not shown yet fits" if n == 1 else f"{n} items not shown yet fit"
            lead += (
                f" Only {fit} everything you said; ask for more to see picks that miss one wish."
            )
        if near:
            lead = (
                f"{self._nothing_new(ctx, filters)} Meanwhile, {len(near)} picks that each "
                f"miss one wish ({', '.join(widened)}):"
            )
        understood = understood_line(parse, self.vocab)
        if understood:
            lead = f"{understood}\n{lead}"
        lines = [f"{n}. {item.title} — {item.explanation}" for n, item in enumerate(items, 1)]
        question = splitting_question(ctx, self.vocab, pool, self.k, force=cons.is_empty())
        text = lead + "\n" + "\n".join(lines) + (f"\n{question}" if question else "")
        return PlannerReply(text=text, items=items, asked=question)

    def _near_misses(
        self,
        ctx: TurnContext,
        need: int,
        query: str | None,
        band: str | None,
        taken: set[str],
    ) -> tuple[list[Any], list[str]]:
        """Up to `need` new items that miss exactly one wish: each wish left out in turn (the
        least certain first: numeric bounds, refusals, then wanted values, the latest last),
        the lists interleaved in the ranker's order. Returns the items and the wishes left out
        for them."""
        cons = ctx.state.constraints
        options: list[tuple[str, Any]] = []
        for attr in cons.ranges:
            relaxed = cons.model_copy(deep=True)
            del relaxed.ranges[attr]
            options.append((f"the {spoken_name(attr)} bound", relaxed))
        for kind, say in (("exclude", "not {}"), ("include", "{}")):
            for attr, values in getattr(cons, kind).items():
                for value in values:
                    relaxed = cons.model_copy(deep=True)
                    table = getattr(relaxed, kind)
                    table[attr] = [v for v in values if v != value]
                    if not table[attr]:
                        del table[attr]
                    options.append((say.format(value), relaxed))
        lists: list[tuple[str, list[Any]]] = []
        for label, relaxed in options[:MAX_WIDEN]:
            args: dict[str, Any] = {
                "k": need + len(taken),
                "filters": relaxed.to_filters(self.multi) or None,
            }
            if query:
                args["query"] = query
            if band:
                args["popularity"] = band
            result = run_tool(ctx, get_tool("recommend"), args).result
            if isinstance(result, Recommendations) and result.items:
                lists.append((label, [i for i in result.items if i.item_id not in taken]))
        out: list[Any] = []
        used: list[str] = []
        for depth in range(need):
            for label, items in lists:
                if depth < len(items) and items[depth].item_id not in taken:
                    taken.add(items[depth].item_id)
                    out.append(items[depth])
                    used.append(label)
                    if len(out) >= need:
                        return out, list(dict.fromkeys(used))
        return out, list(dict.fromkeys(used))

    def _distinct_titles(self, candidates: list[Any], shown: list[str]) -> list[Any]:
        """One entry per title: a catalog that lists the same film twice (two ids, one title
        and year) would spend two of the k places, or a later turn's place, on it. The first
        in ranked order stays; a title already shown in this session does not come back."""
        seen = {_title_key(self.vocab.title_of(i)) for i in shown} - {""}
        out = []
        for item in candidates:
            key = _title_key(getattr(item, "title", "") or self.vocab.title_of(item.item_id))
            if key and key in seen:
                continue
            seen.add(key)
            out.append(item)
        return out

    def _item_counts(self) -> dict[str, float]:
        """How often each item was chosen in the logs (the ranker's counts), cached."""
        counts = getattr(self, "_counts", None)
        if counts is None:
            counts = {}
            try:
                ranker = self.workspace.ranker
                counts = {
                    str(i): float(c)
                    for i, c in zip(ranker.item_ids, ranker.item_counts, strict=False)
                }
            except Exception:  # no ranker (retrieval-only workspace): no popularity signal
                counts = {}
            self._counts = counts
        return counts

    def _cold_order(self, candidates: list[Any]) -> list[Any]:
        """No likes, no text wish: the debiased ranker's order plus the best prior for a
        stranger (how many chose an item), by the sum of both ranks (ties: the ranker's)."""
        counts = self._item_counts()
        if not counts or len(candidates) < 2:
            return candidates
        by_count = sorted(
            range(len(candidates)), key=lambda i: -counts.get(candidates[i].item_id, 0.0)
        )
        pop_rank = {index: r for r, index in enumerate(by_count)}
        order = sorted(range(len(candidates)), key=lambda i: (i + pop_rank[i], i))
        return [candidates[i] for i in order]

    def _by_popularity(self, candidates: list[Any], direction: str, k: int) -> list[Any]:
        """A popularity wish as a soft re-ranking: the less (or better) known half of the
        catalog first, in the ranker's order; the rest after, so the list never empties."""
        counts = self._item_counts()
        if not counts:
            return candidates
        band = POPULARITY_BAND.get(direction)
        if band is None:  # a wish this planner does not know: leave the order alone
            return candidates
        low_cut, high_cut = long_tail_cuts(np.array(list(counts.values()), dtype=float))
        mine = np.array([counts.get(c.item_id, 0.0) for c in candidates], dtype=float)
        inside = band_fits(mine, low_cut, high_cut, band)
        fits = [c for c, ok in zip(candidates, inside, strict=True) if ok]
        rest = [c for c, ok in zip(candidates, inside, strict=True) if not ok]
        if band == "middle_known":  # nearest the band's edges first
            low_edge = low_cut * MIDDLE_REACH
            rest.sort(key=lambda c: _gap(counts.get(c.item_id, 0.0), low_edge, high_cut))
        else:
            rest.sort(key=lambda c: counts.get(c.item_id, 0.0), reverse=band == "well_known")
        return fits + rest

    def _nothing_new(self, ctx: TurnContext, filters: dict[str, Any]) -> str:
        """Why no list came back: every fitting item was shown already, or none fits at all."""
        wishes = [
            w
            for w in memory_lines(ctx.state, self.vocab)
            if not w.startswith(("liked", "disliked", "seen", "more like", "looking for"))
        ]
        said = f" ({'; '.join(wishes)})" if wishes else ""
        try:
            fitting = len(ctx.workspace.catalog.filter_ids(1000, where=filters or None))
        except Exception:  # a catalog that cannot count: say the general thing
            fitting = -1
        if fitting > 0:
            count = "the one item" if fitting == 1 else f"all {fitting} items"
            count = "over 1000 items" if fitting >= 1000 else count
            examples = [f'"any {spoken_name(a)}"' for a in ctx.state.constraints.include][:2]
            hint = f" ({', '.join(examples)})" if examples else ""
            return (
                f"I've already shown {count} that fit your wishes{said}. Loosen a wish{hint} "
                "or say 'start over'."
            )
        if fitting == 0:
            return f"Nothing in the catalog fits all your wishes{said}. Loosen one or say 'start over'."
        return "I couldn't find anything new that fits. Try 'start over' or loosen a wish."

    def _query(self, ctx: TurnContext) -> str | None:
        cons = ctx.state.constraints
        parts = [cons.query] if cons.query else []
        if not self._item_counts():  # no ranker: a taste reference's title is the only hint
            parts += [self.vocab.title_of(i) for i in cons.like_items[:2]]
        return " ".join(p for p in parts if p) or None

    def _recommend_relaxing(
        self,
        ctx: TurnContext,
        k: int,
        query: str | None,
        filters: dict[str, Any],
        band: str | None = None,
    ) -> tuple[Recommendations | None, list[str]]:
        """Recommend; when nothing fits, relax step by step: the text wish, "all of" wishes
        (to "any of"), then numeric bounds. A popularity band ("less_known") ranks within the
        long tail (or head), topped up from outside it. Returns the result and what was
        dropped."""
        steps: list[tuple[str | None, dict[str, Any], list[str]]] = [(query, filters, [])]
        current_q, current_f, dropped = query, filters, []
        if current_q:
            current_q, dropped = None, [*dropped, "the text wish"]
            steps.append((current_q, current_f, dropped))
        all_attrs = [a for a, c in current_f.items() if isinstance(c, dict) and "all" in c]
        if all_attrs:
            current_f = {
                a: (
                    {**{k2: v for k2, v in c.items() if k2 != "all"}, "in": c["all"]}
                    if a in all_attrs
                    else c
                )
                for a, c in current_f.items()
            }
            dropped = [*dropped, *(f"having every {a} you named" for a in all_attrs)]
            steps.append((current_q, current_f, dropped))
        ranges = [
            a for a, c in current_f.items() if isinstance(c, dict) and ("min" in c or "max" in c)
        ]
        if ranges:
            current_f = {a: c for a, c in current_f.items() if a not in ranges}
            dropped = [*dropped, *(f"the {a} bound" for a in ranges)]
            steps.append((current_q, current_f, dropped))
        last: Recommendations | None = None
        for q, f, what in steps:
            args: dict[str, Any] = {"k": k, "filters": f or None}
            if q:
                args["query"] = q
            wish = {"popularity": band} if band else {}
            banded = run_tool(ctx, get_tool("recommend"), {**args, **wish}).result
            result = banded
            if band and isinstance(banded, Recommendations) and len(banded.items) < self.k:
                result = run_tool(ctx, get_tool("recommend"), args).result
                if isinstance(result, Recommendations):
                    ids = {i.item_id for i in banded.items}
                    rest = [i for i in result.items if i.item_id not in ids]
                    result = result.model_copy(update={"items": [*banded.items, *rest]})
            if isinstance(result, Recommendations):
                last = result
                if result.items:
                    return result, what
            if not what and self._all_shown(ctx, filters):
                return last, []  # items fit, all shown already: close ones follow, not a drop
        return last, []

    def _all_shown(self, ctx: TurnContext, filters: dict[str, Any]) -> bool:
        """True when items fit the filters but every one of them was shown (or refused)."""
        if not filters:
            return False
        catalog = ctx.workspace.catalog
        gone = [*ctx.state.shown, *ctx.state.excluded_items()]
        try:
            if not catalog.filter_ids(1, where=filters):
                return False
            return not catalog.filter_ids(1, where=filters, exclude=gone)
        except Exception:  # a catalog that cannot count: relax as before
            return False
