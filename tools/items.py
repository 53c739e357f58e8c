"""Item tools: search the catalog, recommend for the user (retrieval -> ranker -> diversity).

The item table they read is tools.item_table; the recommender is tools.recommending.

Filters arrive as `AttributeFilter`s; names and values are checked against the workspace's
item table first (case and spelling are forgiven: "comedy" becomes "Comedy", "sci-fi"
"Sci-Fi"), so a model's slip comes back as a `ToolError` with the closest names instead of
an empty list. Wanted values are "any of" (an item matching more of them ranks first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from tools.catalog.filters import FilterError
from tools.item_table import ItemTable, item_table, query_vector
from tools.schemas import (
    AttributeFilter,
    Counterfactual,
    Filters,
    ItemSummary,
    Recommendations,
    SearchResult,
    ToolContext,
    ToolError,
)

if TYPE_CHECKING:
    from tools.protocols import Workspace

K = Annotated[int, Field(ge=1, le=50, description="how many items to return")]
KEY_ATTRIBUTES = 4
MAX_WITHOUT = 200  # items a counterfactual check may remove from the history at once
# The ranker's popularity weight under a stated popularity wish: the wish replaces the
# popularity prior (no push towards the best known items of the tail or the middle).
WISH_WEIGHTS = {"less_known": 0.0, "middle_known": 0.0}
STRANGER_PRIOR = 2.0  # a stranger's popularity weight, as a multiple of the ranker's own


def to_catalog_where(filters: Sequence[AttributeFilter]) -> dict[str, Any] | None:
    """Filters in the catalog's dict form: {"genres": {"in": [...], "not": [...]}, "year": {"min": ..}}."""
    where: dict[str, Any] = {}
    for f in filters:
        cond: dict[str, Any] = {}
        if f.any_of:
            cond["in"] = list(f.any_of)
        if f.all_of:
            cond["all"] = list(f.all_of)
        if f.none_of:
            cond["not"] = list(f.none_of)
        if f.min is not None:
            cond["min"] = f.min
        if f.max is not None:
            cond["max"] = f.max
        where[f.attribute] = cond
    return where or None


def checked_where(
    workspace: Workspace, filters: Sequence[AttributeFilter]
) -> dict[str, Any] | None:
    """Filters in the catalog's form, validated by the catalog (a ToolError when invalid)."""
    where = to_catalog_where(filters)
    try:
        workspace.catalog.parse_filters(where)
    except FilterError as exc:
        raise ToolError(str(exc), "fix the filter and call the tool again") from None
    return where


def summarise(
    table: ItemTable,
    item_id: str,
    filters: Sequence[AttributeFilter] = (),
    score: float | None = None,
    components: Mapping[str, float] | None = None,
) -> ItemSummary:
    """An ItemSummary with key attributes and which wishes it meets."""
    attrs = table.attributes_of(item_id)
    key = dict(list(attrs.items())[:KEY_ATTRIBUTES])
    return ItemSummary(
        item_id=item_id,
        title=table.title(item_id),
        attributes=key,
        score=None if score is None else float(score),
        components={k: float(v) for k, v in (components or {}).items()},
        matched=table.matched(item_id, filters),
    )


def _by_matches(items: list[ItemSummary]) -> list[ItemSummary]:
    """Stable re-order: items meeting more of the wanted values first."""
    return sorted(items, key=lambda i: -sum(1 for m in i.matched if "=" in m))


def search_items(ctx: ToolContext, query: str, filters: Filters = None, k: K = 10) -> SearchResult:
    """Search the catalog by the meaning of a text query, optionally filtered by attributes.

    Args:
        query: what to look for, in words (e.g. "space adventure with robots").
        filters: conditions on item attributes (see the attribute list in your instructions).
        k: how many items to return (1-50).
    """
    if not query.strip():
        raise ToolError("query is empty", "describe what to look for, or call recommend")
    table = item_table(ctx.workspace)
    checked = list(filters or [])
    where = checked_where(ctx.workspace, checked)
    catalog = ctx.workspace.catalog
    vector = query_vector(catalog, query)
    hits = catalog.search_vector(vector, k=k, where=where, exclude=list(ctx.user.excluded))
    items = [
        summarise(table, str(h.item_id), checked, score=h.score)
        for h in hits
        if table.has(str(h.item_id))
    ]
    return SearchResult(query=query, filters=checked, items=_by_matches(items)[:k])


def recommend(
    ctx: ToolContext,
    k: K = 10,
    query: str | None = None,
    filters: Filters = None,
    without: list[str] | None = None,
    popularity: Literal["less_known", "middle_known", "well_known"] | None = None,
) -> Recommendations:
    """Recommend items for this user: candidate retrieval, the debiased ranker, then diversity.
    Each item carries a counterfactual reason checked by re-scoring (which of the user's
    ratings or likes keep it in the list).

    Args:
        k: how many items to return (1-50).
        query: optional free-text wish (e.g. "a heist with a twist").
        filters: conditions on item attributes (see the attribute list in your instructions).
        without: item ids to score as if the user had never rated or liked them (to check a
            counterfactual reason).
        popularity: "less_known" for hidden gems (the long tail of the logs), "well_known"
            for crowd-pleasers (the head), "middle_known" for "known but not a smash hit"
            (below the head, reaching into the top of the tail); leave it out otherwise.
    """
    table = item_table(ctx.workspace)
    checked = list(filters or [])
    where = checked_where(ctx.workspace, checked)
    exclude = list(dict.fromkeys([*ctx.user.excluded, *ctx.user.shown]))
    if without is not None and len(without) > MAX_WITHOUT:
        raise ToolError(f"without lists {len(without)} items", f"give at most {MAX_WITHOUT}")
    gone = [table.require(str(i)) for i in without or []]
    ranked, scope = _ranked(ctx, k, query, where, exclude, gone, popularity)
    items = [
        summarise(table, item_id, checked, score=score, components=components)
        for item_id, score, components in ranked
        if table.has(item_id)
    ]
    items = _by_matches(items)[:k]
    if items:
        from tools.counterfactuals import counterfactual_reasons

        reasons = counterfactual_reasons(ctx.workspace, scope, [i.item_id for i in items], k)
        for item in items:
            reason = reasons.get(item.item_id)
            item.counterfactual = Counterfactual(**reason) if reason else None
    note = "" if items else "nothing matches all filters; relax one"
    has_step = getattr(ctx.workspace, "has_step", None)
    method = "ranker" if has_step is not None and has_step("ranker") else "retrieval"
    return Recommendations(
        items=items,
        query=query,
        filters=checked,
        method=method,
        note=note,
    )


def stranger_popularity_weight(ctx: ToolContext) -> float | None:
    """The popularity weight for a stranger: a session user with no logged history counts
    the popularity prior STRANGER_PRIOR times the ranker's validated weight (zero stays
    zero: where validation found popularity uninformative, it stays out). A taste reference
    or a like in the conversation does not end that: "like Groundhog Day" says what kind of
    film, not that the one meant is obscure, and without the prior the reference's
    look-alikes ranked the fitting items everyone knows below the ones nobody saw. None:
    rank with the ranker's own (a user the logs know)."""
    user = ctx.user
    has_step = getattr(ctx.workspace, "has_step", None)
    if has_step is not None and not has_step("ranker"):
        return None
    try:
        ranker = ctx.workspace.ranker
        if user.user_id is not None and ranker.known_user(user.user_id):
            return None
        own = float(ranker.weights.popularity)
    except Exception:  # no ranker, or one without weights: its own defaults apply
        return None
    return STRANGER_PRIOR * own if own > 0 else None


def _ranked(
    ctx: ToolContext,
    k: int,
    query: str | None,
    where: dict[str, Any] | None,
    exclude: list[str],
    without: list[str],
    popularity: str | None = None,
) -> tuple[list[tuple[str, float | None, dict[str, float]]], Any]:
    """(item_id, score, components) best first: retrieval -> debiased ranker -> diversity;
    and the scope it was ranked in (for the counterfactual reasons)."""

    from tools.recommending import UnknownUserError, recommend_for_user

    kwargs: dict[str, Any] = {
        "query": query,
        "k": max(3 * k, 30),
        "filters": where,
        "exclude": exclude,
        # Taste references ("more like X", "I loved X") are likes to the ranker: its
        # collaborative part finds what people who liked X also liked.
        "liked": list(dict.fromkeys([*ctx.user.liked, *ctx.user.anchors])),
        "disliked": list(ctx.user.disliked),
        "without": without,
        "counterfactuals": False,
        "popularity": popularity,
        "anchors": list(ctx.user.anchors),  # "like X": X's look-alikes on the catalog's attributes
    }
    stranger = stranger_popularity_weight(ctx)
    if popularity in WISH_WEIGHTS:
        # A stated popularity wish replaces the popularity prior: "less known" must not
        # rank the band by how well known its items are.
        kwargs["popularity_weight"] = WISH_WEIGHTS[popularity]
    elif stranger is not None:
        kwargs["popularity_weight"] = stranger
    try:
        ranked = recommend_for_user(ctx.workspace, ctx.user.user_id, **kwargs)
    except UnknownUserError:  # a session user the data does not know: start cold
        ranked = recommend_for_user(ctx.workspace, None, **kwargs)
    except ValueError as exc:
        raise ToolError(str(exc), "use item ids from the user's history") from None
    return [(r.item_id, float(r.score), dict(r.components)) for r in ranked], ranked.scope
