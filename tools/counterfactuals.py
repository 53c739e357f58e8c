"""Counterfactual reasons in words: "Because you rated Fargo (5) and liked Heat: without them it
would be #37, not #2."

The search and its verification live in causal.ranking.counterfactual (the ranker re-scored without
the user's signals); this module names the signals (titles, the user's own ratings or
likes) and says what happens without them. Every number in the text is a field of the
reason (`rank`, `rank_without`, `k`, the ratings in `signals`), so a reply can be checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from causal.ranking.counterfactual import MAX_SIZE

if TYPE_CHECKING:
    from tools.protocols import Workspace

MAX_NAMED = 4  # name at most this many signals in the sentence ("and 3 more")


def counterfactual_reasons(
    workspace: Workspace, scope: Any, item_ids: Sequence[str], k: int
) -> dict[str, dict[str, Any]]:
    """item_id -> {"without", "rank", "rank_without", "text", "verified", ...} for a list.

    `scope` is the ranked list's `causal.ranking.counterfactual.Scope` (None: no ranker, so every
    item gets a reason-less entry saying so).
    """
    ids = [str(i) for i in item_ids]
    if scope is None:
        text = "Found by text search alone: no ranker scored it, so no signal of yours decides it."
        return {i: _entry((), None, None, k, False, "no_ranker", text, []) for i in ids}
    from causal.ranking.counterfactual import explain_ranks

    ranker = workspace.ranker
    found = explain_ranks(ranker, scope, ids, k)
    out: dict[str, dict[str, Any]] = {}
    for cf in found:
        signals = _signals(workspace, ranker, scope, cf.without)
        out[cf.item_id] = _entry(
            cf.without,
            cf.rank,
            cf.rank_without,
            k,
            cf.verified,
            str(cf.outcome),
            _text(cf, signals, k, scope),
            signals,
        )
        out[cf.item_id]["wish"] = scope.query if cf.wish else None
    return out


def _entry(
    without: Sequence[str],
    rank: int | None,
    rank_without: int | None,
    k: int,
    verified: bool,
    outcome: str,
    text: str,
    signals: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "without": list(without),
        "rank": rank,
        "rank_without": rank_without,
        "k": k,
        "verified": verified,
        "outcome": outcome,
        "text": text,
        "signals": signals,
    }


def _signals(
    workspace: Workspace, ranker: Any, scope: Any, ids: Sequence[str]
) -> list[dict[str, Any]]:
    """Each removed signal: id, title, and what the user did (rated N, liked, clicked, ...)."""
    from causal.ranking.data import FeedbackKind
    from tools.item_table import item_table

    if not ids:
        return []
    table = item_table(workspace)
    history = dict(ranker.history(scope.user_id)) if scope.user_id else {}
    session = set(scope.liked) | set(ranker.feedback_of(scope.user_id) if scope.user_id else {})
    out = []
    for item in ids:
        title = table.title(item) if table.has(item) else item
        entry: dict[str, Any] = {"item_id": item, "title": title}
        if item in session:
            entry["action"] = "liked"
        elif item in history and ranker.kind is FeedbackKind.RATING:
            entry["action"] = "rated"
            entry["rating"] = round(float(history[item]), 2)
            entry["rating_max"] = ranker.rating_max
        elif item in history and ranker.kind is FeedbackKind.CLICK:
            entry["action"] = "clicked" if history[item] >= 0.5 else "skipped"
        else:
            entry["action"] = "picked"
        out.append(entry)
    return out


def _named(signal: dict[str, Any]) -> str:
    rating = signal.get("rating")
    if not isinstance(rating, float):
        return str(signal["title"])
    return f"{signal['title']} ({rating:g}/{signal.get('rating_max', 5):g})"


def _phrase(signals: list[dict[str, Any]]) -> str:
    """ "you rated A (5) and B (4) and liked C" (verbs grouped, at most MAX_NAMED names)."""
    groups: dict[str, list[str]] = {}
    for s in signals[:MAX_NAMED]:
        groups.setdefault(s["action"], []).append(_named(s))
    parts = [f"{action} {_join(names)}" for action, names in groups.items()]
    more = len(signals) - MAX_NAMED
    tail = f" (and {more} more)" if more > 0 else ""
    return "you " + " and ".join(parts) + tail


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _text(cf: Any, signals: list[dict[str, Any]], k: int, scope: Any) -> str:
    outcome = str(cf.outcome)
    if outcome == "found" and cf.wish:
        return (
            f"Because you asked for '{scope.query}': without that wish, it would be "
            f"#{cf.rank_without}, not #{cf.rank}, out of your top {k}."
        )
    if outcome == "found":
        them = "it" if len(signals) == 1 else "them"
        return (
            f"Because {_phrase(signals)}: without {them}, it would be #{cf.rank_without}, "
            f"not #{cf.rank}, out of your top {k}."
        )
    if outcome == "not_in_top_k":
        return f"Shown for variety: by score alone it ranks #{cf.rank}, past your top {k}."
    if outcome == "no_signals":
        return (
            f"It ranks #{cf.rank} on its general appeal: you have no ratings or likes yet that "
            "decide its place."
        )
    if outcome == "too_large":
        return (
            f"It ranks #{cf.rank} on broad appeal: no set of up to {MAX_SIZE} of your ratings "
            f"or likes that the search tried moves it out of your top {k}."
        )
    return "The ranker cannot score this item, so no signal of yours decides it."
