"""agent.asking: the one question the rule planner asks beside a list."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from agent.asking import splitting_question
from agent.memory import Constraints, NumericRange, SessionState
from agent.toolkit import TurnContext
from agent.vocab import Vocabulary

# Films: every one a drama, most of them also a crime, romance or war film; the years
# cluster in one decade, so once the decade is known only the second genre still splits.
_GENRES = ["Drama|Crime", "Drama|Romance", "Drama|War", "Drama", "Drama|Crime|Thriller"] * 8
_ITEMS = pd.DataFrame(
    {
        "item_id": [f"m{i}" for i in range(len(_GENRES))],
        "title": [f"Film {i}" for i in range(len(_GENRES))],
        "genres": _GENRES,
        "year": [1990 + i % 10 for i in range(len(_GENRES))],
    }
)


class _Workspace:
    """Just the item table (weak-referenceable, as the table cache needs)."""

    dataset = SimpleNamespace(items=_ITEMS)


def _ask(constraints: Constraints) -> str | None:
    workspace = _Workspace()
    state = SessionState(session_id="s-ask", constraints=constraints)
    ctx = TurnContext(state=state, workspace=workspace)  # type: ignore[arg-type]
    vocab = Vocabulary.from_items(_ITEMS)
    return splitting_question(ctx, vocab, list(_ITEMS["item_id"]), k=10)


def test_a_known_genre_still_leaves_a_question_about_the_others():
    """'Drama' and 'the 1990s' known: the question asks which kind of drama (crime, romance,
    war...), never offering the genre already wished for or one turned down."""
    known = Constraints(
        include={"genres": ["Drama"]},
        exclude={"genres": ["War"]},
        ranges={"year": NumericRange(min=1990, max=1999)},
    )
    question = _ask(known)
    assert question is not None and question.endswith("?")
    assert "drama" in question.lower()
    offered = question.split("—", 1)[1]
    assert "Crime" in offered and "Romance" in offered
    assert "Drama" not in offered and "War" not in offered


def test_nothing_left_to_split_asks_nothing():
    """Every value of the multi-valued attribute is already wished for or refused, and the
    year is known: no question."""
    known = Constraints(
        include={"genres": ["Drama", "Crime"]},
        exclude={"genres": ["Romance", "War", "Thriller"]},
        ranges={"year": NumericRange(min=1990, max=1999)},
    )
    assert _ask(known) is None
