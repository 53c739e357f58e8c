"""The explain tool: why an item suits this user, as evidence the other components supply.

Evidence, each a sentence plus the values behind it: the attributes that match what the user
asked for, how close the item is to the user's words and to items they liked (cosine
similarity of catalog embeddings), the debiased ranker's score and its components, the
item's observed popularity, and causal effects of the item's attributes for the user's
segment. Every number in a sentence is in `data`, so replies can be checked against it.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tools.item_table import item_table, norm_value, query_vector
from tools.schemas import (
    Counterfactual,
    EffectAnswer,
    Evidence,
    EvidenceKind,
    Explanation,
    ToolContext,
)

if TYPE_CHECKING:
    from tools.protocols import Workspace


@dataclass(frozen=True)
class ItemStats:
    """Observed popularity per item: how many interactions and ratings, and the mean rating."""

    n_interactions: pd.Series
    n_ratings: pd.Series
    mean_rating: pd.Series

    @classmethod
    def from_interactions(cls, interactions: pd.DataFrame) -> ItemStats:
        """Counts from the workspace's interaction log."""
        ids = interactions["item_id"].astype(str)
        counts = ids.value_counts()
        if "rating" in interactions.columns:
            rated = interactions[interactions["rating"].notna()]
            n_ratings = rated["item_id"].astype(str).value_counts()
            mean = rated.groupby(rated["item_id"].astype(str))["rating"].mean()
        else:
            n_ratings = pd.Series(dtype=int)
            mean = pd.Series(dtype=float)
        return cls(counts, n_ratings, mean)


_STATS: weakref.WeakKeyDictionary[Any, ItemStats] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def item_stats(workspace: Workspace) -> ItemStats:
    """The workspace's per-item counts, computed once per workspace object."""
    with _LOCK:
        stats = _STATS.get(workspace)
        if stats is None:
            stats = ItemStats.from_interactions(workspace.dataset.interactions)
            _STATS[workspace] = stats
        return stats


def _attribute_evidence(ctx: ToolContext, item_id: str) -> list[Evidence]:
    table = item_table(ctx.workspace)
    out: list[Evidence] = []
    for attr, wanted in ctx.user.wanted.items():
        if attr not in table.cells:
            continue
        keys = {norm_value(v) for v in wanted}
        hits = [v for v in table.values_of(item_id, attr) if norm_value(v) in keys]
        if hits:
            out.append(
                Evidence(
                    kind=EvidenceKind.ATTRIBUTE,
                    text=f"It is {' and '.join(hits)} ({attr}), as you asked.",
                    source="catalog",
                    data={"attribute": attr, "values": hits},
                )
            )
    for attr, (low, high) in ctx.user.ranges.items():
        value = table.value(item_id, attr) if attr in table.cells else None
        if not isinstance(value, int | float):
            continue
        shown = value
        if (low is None or value >= low) and (high is None or value <= high):
            text = f"Its {attr} is {shown}, within what you asked for."
            info = ctx.workspace.dataset.schema.variables.get(attr)
            if info is not None and info.unit:  # schema.toml's unit: "It has 232 pages"
                text = f"It has {shown:g} {info.unit[0]}, within what you asked for."
            if low == high and value in (0, 1):  # a yes/no column pinned: "Illustrated: yes"
                spoken = attr.replace("_", " ").strip().capitalize()
                text = f"{spoken}: {'yes' if value else 'no'}, as you asked."
            out.append(
                Evidence(
                    kind=EvidenceKind.ATTRIBUTE,
                    text=text,
                    source="catalog",
                    data={"attribute": attr, "value": shown},
                )
            )
    return out


def _similarity_evidence(ctx: ToolContext, item_id: str) -> list[Evidence]:
    catalog = ctx.workspace.catalog
    table = item_table(ctx.workspace)
    anchors = [i for i in dict.fromkeys([*ctx.user.anchors, *ctx.user.liked]) if i != item_id]
    anchors = [i for i in anchors if table.has(i)][-10:]
    if not anchors and not ctx.user.query:
        return []
    vectors = catalog.embeddings([item_id, *anchors])
    item_vec = vectors[0]
    out: list[Evidence] = []
    if ctx.user.query:
        sim = float(query_vector(catalog, ctx.user.query) @ item_vec)
        out.append(
            Evidence(
                kind=EvidenceKind.QUERY,
                text=f"It matches your wish '{ctx.user.query}' (similarity {sim:.2f}).",
                source="catalog",
                data={"query": ctx.user.query, "similarity": round(sim, 4)},
            )
        )
    if anchors:
        sims = vectors[1:] @ item_vec
        best = int(np.argmax(sims))
        anchor = anchors[best]
        title = table.title(anchor)
        why = "which you liked" if anchor in ctx.user.liked else "which you mentioned"
        out.append(
            Evidence(
                kind=EvidenceKind.SIMILAR_LIKED,
                text=f"It is similar to {title}, {why} (similarity {float(sims[best]):.2f}).",
                source="catalog",
                data={"item_id": anchor, "title": title, "similarity": round(float(sims[best]), 4)},
            )
        )
    return out


def _popularity_evidence(ctx: ToolContext, item_id: str) -> list[Evidence]:
    stats = item_stats(ctx.workspace)
    n = int(stats.n_ratings.get(item_id, 0)) or int(stats.n_interactions.get(item_id, 0))
    if n == 0:
        return []
    mean = stats.mean_rating.get(item_id)
    if mean is not None and not pd.isna(mean) and int(stats.n_ratings.get(item_id, 0)):
        text = f"{n} {'user' if n == 1 else 'users'} rated it, {float(mean):.2f} on average."
        data: dict[str, Any] = {"n_ratings": n, "mean_rating": round(float(mean), 4)}
    else:
        text = f"It appears in {n} logged {'interaction' if n == 1 else 'interactions'}."
        data = {"n_interactions": n}
    return [Evidence(kind=EvidenceKind.POPULARITY, text=text, source="dataset", data=data)]


def _segment(workspace: Workspace, user_id: str | None, graph: Any, outcome: str) -> dict[str, Any]:
    """The user's attributes that influence the outcome, as an effect subgroup (numbers binned)."""
    from tools.profile import user_segment

    segment = user_segment(workspace, user_id)
    if not segment:
        return {}
    ancestors = set(graph.ancestors(outcome)) if outcome in graph else set()
    out: dict[str, Any] = {}
    for name, value in segment.items():
        if name not in ancestors:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            low = int(value // 10 * 10)
            out[name] = f"{low}-{low + 9}"
        else:
            out[name] = value
        break  # one attribute keeps the segment large enough to estimate
    return out


def _effect_text(effect: EffectAnswer, item_value: Any, who: str) -> str:
    """The effect with both arms named, its direction, interval and the item's own value."""
    ci = f" (95% interval {effect.ci_low:.3f} to {effect.ci_high:.3f})"
    return (
        f"{who}, {effect.change_phrase()} raises {effect.outcome} by "
        f"{abs(effect.estimate or 0):.3f}{ci}; this item's {effect.treatment} is {item_value}."
    )


def _flipped(effect: EffectAnswer) -> EffectAnswer:
    """The same contrast with the arms swapped (an average effect and its interval negate)."""
    return effect.model_copy(
        update={
            "treatment_value": effect.control_value,
            "control_value": effect.treatment_value,
            "estimate": None if effect.estimate is None else -effect.estimate,
            "ci_low": None if effect.ci_high is None else -effect.ci_high,
            "ci_high": None if effect.ci_low is None else -effect.ci_low,
        }
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def on_item_side(
    effect: EffectAnswer, item_values: list[str], item_number: float | None
) -> EffectAnswer | None:
    """The effect told with the item's own arm as the treatment, or None when it has neither.

    Categorical: the item must have the treatment value (and not the control one), or the
    control value (then the arms swap). Numeric: the item's value must be nearer one arm.
    """
    a, b = effect.treatment_value, effect.control_value
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        if item_number is None or na == nb:
            return None
        nearer_a = abs(item_number - na) < abs(item_number - nb)
        nearer_b = abs(item_number - nb) < abs(item_number - na)
        return effect if nearer_a else _flipped(effect) if nearer_b else None
    has = {str(v) for v in item_values}
    if a is not None and str(a) in has and (b is None or str(b) not in has):
        return effect
    if b is not None and str(b) in has and a is not None and str(a) not in has:
        return _flipped(effect)
    return None


def supports(effect: EffectAnswer | None) -> bool:
    """True when the (item-side) effect favours the outcome: its whole interval is above zero."""
    return (
        effect is not None
        and effect.identified
        and effect.estimate is not None
        and effect.ci_low is not None
        and effect.ci_high is not None
        and effect.estimate > 0
        and effect.ci_low > 0
    )


MAX_EFFECTS = 2  # supporting effects cited per item


def _causal_evidence(ctx: ToolContext, item_id: str) -> list[Evidence]:
    """The build's effects that argue *for* this item: the item holds the treatment arm, the
    interval lies above zero, and the estimate is for the whole population or the user's own
    segment (which, when estimated, must agree). Anything else is left out."""
    from tools.causal_tools import effect_soon, stored_effect

    workspace = ctx.workspace
    graph = getattr(workspace, "graph", None)
    artifacts = getattr(workspace, "causal", None)
    if graph is None or artifacts is None:
        return []
    table = item_table(workspace)
    attrs = table.attributes_of(item_id)
    out: list[Evidence] = []
    for data in artifacts.effects:
        treatment, outcome = data.get("treatment"), data.get("outcome")
        if treatment not in attrs or attrs[treatment] is None or "skipped" in data:
            continue
        values = table.values_of(item_id, treatment)
        number = _number(attrs[treatment])
        effect = on_item_side(stored_effect(workspace, treatment, outcome) or _NONE, values, number)
        if not supports(effect):
            continue
        who = "Across all users"
        segment = _segment(workspace, ctx.user.user_id, graph, outcome)
        if segment:
            local = effect_soon(workspace, treatment, outcome, segment)
            local = on_item_side(local, values, number) if local is not None else None
            if local is not None and local.identified and local.estimate is not None:
                if not supports(local):
                    continue  # for users like this one the data do not back it
                effect = local
                who = (
                    "For users like you (" + ", ".join(f"{k} {v}" for k, v in segment.items()) + ")"
                )
        paths = graph.directed_paths(treatment, outcome, limit=1) if treatment in graph else []
        out.append(
            Evidence(
                kind=EvidenceKind.CAUSAL,
                text=_effect_text(effect, attrs[treatment], who),
                source="estimate_effect",
                data={
                    "treatment": treatment,
                    "outcome": outcome,
                    "treatment_value": effect.treatment_value,
                    "control_value": effect.control_value,
                    "estimate": effect.estimate,
                    "ci_low": effect.ci_low,
                    "ci_high": effect.ci_high,
                    "method": effect.method,
                    "segment": dict(effect.subgroup),
                    "path": paths[0] if paths else [treatment, outcome],
                    "item_value": attrs[treatment],
                    "supports": True,
                },
            )
        )
        if len(out) >= MAX_EFFECTS:
            break
    return out


_NONE = EffectAnswer(treatment="", outcome="", identified=False)


def _ranker_evidence(ctx: ToolContext, item_id: str) -> list[Evidence]:
    """The debiased ranker's prediction for this user and item, with its components."""
    from causal.ranking.data import FeedbackKind

    workspace = ctx.workspace
    has_step = getattr(workspace, "has_step", None)
    if has_step is None or not has_step("ranker"):
        return []
    ranker = workspace.ranker
    if not ranker.known_item(item_id):
        return []
    user = ctx.user.user_id if ranker.known_user(ctx.user.user_id) else None
    scored = ranker.score(
        user,
        [item_id],
        liked=[i for i in ctx.user.liked if ranker.known_item(i) and i != item_id],
        disliked=[i for i in ctx.user.disliked if ranker.known_item(i) and i != item_id],
    )[0]
    comp = dict(scored.components)
    preference = float(comp.get("preference", scored.score))
    if ranker.kind is FeedbackKind.RATING:
        predicted = f"a rating of {preference:.2f} (of {ranker.rating_max:g})"
    else:
        predicted = f"a {preference:.0%} chance you would pick it"
    method = str(ranker.config.method)
    how = (
        "the ranker"
        if method == "naive"
        else f"the ranker (trained with {method.upper()} against exposure bias)"
    )
    choice = comp.get("choice")
    if choice is not None and ranker.weights.choice:
        # The choice model drives the order, so say that first (a lower predicted rating can
        # rank higher when people like you pick the item more often).
        text = (
            f"For you, {how} gives it a {float(choice):.0%} chance of being picked over an "
            "average item (popularity aside)"
        )
        if ranker.kind is FeedbackKind.RATING:
            text += f"; its predicted rating is {preference:.2f} (of {ranker.rating_max:g})"
        text += "."
    else:
        text = f"For you, {how} predicts {predicted}."
    similarity = comp.get("similarity")
    if similarity is not None and (ctx.user.liked or user is not None):
        text += f" Taste similarity to what you liked: {float(similarity):.2f}."
    return [
        Evidence(
            kind=EvidenceKind.RANKER,
            text=text,
            source="ranker",
            data={
                "score": round(float(scored.score), 6),
                **{k: round(float(v), 6) for k, v in comp.items()},
            },
        )
    ]


EXPLAIN_K = 10  # an explained item's counterfactual is about the user's top 10


def _counterfactual(ctx: ToolContext, item_id: str) -> Counterfactual | None:
    """The user's signals without which this item would leave their top 10 (None: no such set,
    or the item is not in their top 10 to begin with)."""
    from causal.ranking.counterfactual import Scope
    from tools.counterfactuals import counterfactual_reasons

    workspace = ctx.workspace
    has_step = getattr(workspace, "has_step", None)
    if has_step is None or not has_step("ranker"):
        return None
    ranker = workspace.ranker
    if not ranker.known_item(item_id):
        return None
    user = ctx.user.user_id if ranker.known_user(ctx.user.user_id) else None
    liked = tuple(i for i in ctx.user.liked if ranker.known_item(i) and i != item_id)
    disliked = tuple(i for i in ctx.user.disliked if ranker.known_item(i) and i != item_id)
    if user is None and not liked:
        return None
    banned = {i for i, _ in ranker.history(user)} if user is not None else set()
    banned |= set(ctx.user.excluded) | set(liked) | set(disliked)
    banned.discard(item_id)
    scope = Scope(user_id=user, liked=liked, disliked=disliked, banned=frozenset(banned))
    reason = counterfactual_reasons(workspace, scope, [item_id], EXPLAIN_K).get(item_id)
    if reason is None or reason["outcome"] != "found":
        return None
    return Counterfactual(**reason)


def _plain_reason(evidence: list[Evidence], counterfactual: Counterfactual | None) -> str:
    """The main reason in plain words: the user's own signals first, then their wishes, then
    taste and popularity; no model names (the evidence keeps those)."""
    if counterfactual is not None:
        return counterfactual.text
    by_kind = {e.kind: e for e in reversed(evidence)}
    if EvidenceKind.ATTRIBUTE in by_kind:
        return by_kind[EvidenceKind.ATTRIBUTE].text
    if EvidenceKind.QUERY in by_kind:
        return f"It matches your wish '{by_kind[EvidenceKind.QUERY].data['query']}'."
    if EvidenceKind.SIMILAR_LIKED in by_kind:
        return f"It is much like {by_kind[EvidenceKind.SIMILAR_LIKED].data['title']}."
    ranker = by_kind.get(EvidenceKind.RANKER)
    if ranker is not None and "choice" in ranker.data:
        return "People with tastes like yours often pick it."
    if ranker is not None:
        return "It fits what you have liked before."
    if EvidenceKind.POPULARITY in by_kind:
        return by_kind[EvidenceKind.POPULARITY].text
    return ""


def explain(ctx: ToolContext, item_id: str) -> Explanation:
    """Explain why an item suits this user: which of their ratings or likes keep it in their
    top 10 (checked by re-scoring), matching attributes, similarity to their wishes and liked
    items, the debiased ranker's score and components, and causal effects that favour it.

    Args:
        item_id: the item to explain (an item_id from a recommend or search_items result).
    """
    table = item_table(ctx.workspace)
    item_id = table.require(item_id)
    evidence = [
        *_attribute_evidence(ctx, item_id),
        *_similarity_evidence(ctx, item_id),
        *_ranker_evidence(ctx, item_id),
        *_popularity_evidence(ctx, item_id),
        *_causal_evidence(ctx, item_id),
    ]
    title = table.title(item_id)
    counterfactual = _counterfactual(ctx, item_id)
    summary = evidence[0].text if evidence else f"{title} ranks well for you."
    reason = _plain_reason(evidence, counterfactual) or f"{title} ranks well for you."
    return Explanation(
        item_id=item_id,
        title=title,
        summary=summary,
        evidence=evidence,
        reason=reason,
        counterfactual=counterfactual,
    )
