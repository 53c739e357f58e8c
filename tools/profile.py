"""Profile tools: what the system knows about the user, and recording their feedback.

The profile joins the user's dataset attributes (their segment, when the session belongs to a
known user) with what the conversation gathered. Feedback goes to the workspace's feedback
log (so `whyrec build --update` can learn from it; a known user's ranker vector takes it at
once) and to the session, which the agent keeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import pandas as pd

from tools.item_table import item_table
from tools.schemas import (
    AttributeValue,
    FeedbackAck,
    FeedbackValue,
    ItemRef,
    Profile,
    ToolContext,
    ToolError,
)

if TYPE_CHECKING:
    from tools.protocols import Workspace

LIKE_THRESHOLD = 4.0  # a rating at least this high counts as a like (on a 1-5 scale)
DISLIKE_THRESHOLD = 2.0


def user_segment(workspace: Workspace, user_id: str | None) -> dict[str, AttributeValue]:
    """The user's attributes in the dataset ({} for anonymous or unknown users)."""
    if user_id is None:
        return {}
    users = workspace.dataset.users
    rows = users[users["user_id"].astype(str) == str(user_id)]
    if rows.empty:
        return {}
    row = rows.iloc[0]
    out: dict[str, AttributeValue] = {}
    for col in users.columns:
        if col == "user_id":
            continue
        value = row[col]
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[col] = value if isinstance(value, str | int | float | bool) else str(value)
    return out


def get_profile(ctx: ToolContext) -> Profile:
    """Show what is known about the user: their segment, stated wishes, likes, dislikes and seen items."""
    table = item_table(ctx.workspace)

    def refs(ids: tuple[str, ...]) -> list[ItemRef]:
        return [ItemRef(item_id=i, title=table.title(i)) for i in ids if table.has(i)]

    segment = user_segment(ctx.workspace, ctx.user.user_id)
    return Profile(
        user_id=ctx.user.user_id,
        known_user=bool(segment),
        segment=segment,
        liked=refs(ctx.user.liked),
        disliked=refs(ctx.user.disliked),
        seen=refs(ctx.user.seen),
        wanted={k: list(v) for k, v in ctx.user.wanted.items()},
        unwanted={k: list(v) for k, v in ctx.user.unwanted.items()},
        ranges={k: (low, high) for k, (low, high) in ctx.user.ranges.items()},
        history_size=len(ctx.user.shown),
    )


def feedback_kind(value: FeedbackValue) -> Literal["like", "dislike", "seen"]:
    """A like/dislike/seen from a value or a 1-5 rating (middling ratings count as seen)."""
    if isinstance(value, str):
        if value not in ("like", "dislike", "seen"):
            raise ToolError(
                f"unknown feedback {value!r}", "use like, dislike, seen or a rating 1-5"
            )
        return value  # type: ignore[return-value]
    rating = float(value)
    if not 0.0 <= rating <= 5.0:
        raise ToolError(f"rating {rating} is out of range", "ratings go from 1 to 5")
    if rating >= LIKE_THRESHOLD:
        return "like"
    if rating <= DISLIKE_THRESHOLD:
        return "dislike"
    return "seen"


def record_feedback(ctx: ToolContext, item_id: str, value: FeedbackValue) -> FeedbackAck:
    """Record the user's feedback on an item: like, dislike, seen, or a rating from 1 to 5.

    Args:
        item_id: the item the feedback is about.
        value: "like", "dislike", "seen" (already watched/read), or a number 1-5.
    """
    table = item_table(ctx.workspace)
    item_id = table.require(item_id)
    kind = feedback_kind(value)
    recorded = _log_feedback(ctx, item_id, value)
    title = table.title(item_id)
    where = "in the workspace's feedback log" if recorded else "for this conversation"
    return FeedbackAck(
        item_id=item_id,
        title=title,
        value=value,
        kind=kind,
        recorded=recorded,
        message=f"Recorded {kind} for {title} {where}.",
    )


def _log_feedback(ctx: ToolContext, item_id: str, value: FeedbackValue) -> bool:
    """Append to the workspace's feedback log (which also folds it into a loaded ranker)."""
    from tools.feedback import FeedbackError, append_feedback

    try:
        append_feedback(
            ctx.workspace,
            user_id=ctx.user.user_id,
            item_id=item_id,
            value=value,
            session_id=ctx.user.session_id,
        )
    except FeedbackError as exc:
        raise ToolError(str(exc), "use like, dislike, seen or a rating 1-5") from None
    return True
