"""The feedback log in PostgreSQL (`whyrec_feedback`), for replicas sharing a state URL.

Rows are the JSONL log's records in the order they were stored (a serial id). An insert made
during a session's turn joins the turn's transaction, so it is acknowledged only once committed
and a replica killed before the commit leaves no row (and no duplicate on a retry). Readers that
count positions (`whyrec build --update`'s watermark, forget) take a SHARE lock first: it waits
for transactions still inserting and keeps new inserts out while reading, so no row committed
late can slip in below a watermark already counted past it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.state_db import StateDB, state_db

COLUMNS = ("item_id", "value", "user_id", "session_id", "timestamp")


def _encode(value: object) -> str:
    """A value as text: the word, or the rating's repr (read back by the log's value parser)."""
    return value if isinstance(value, str) else repr(float(value))  # type: ignore[arg-type]


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(COLUMNS, values, strict=True))


class FeedbackTable:
    """Insert, read in order, and remove feedback rows (dicts shaped like the JSONL records)."""

    def __init__(self, db: StateDB) -> None:
        self.db = db

    def insert(self, record: dict[str, Any]) -> None:
        """Store one record (in the calling turn's transaction when there is one)."""
        with self.db.connection() as conn:
            conn.execute(
                # a turn's commit skips the WAL flush; one carrying feedback waits for it
                "INSERT INTO whyrec_feedback (item_id, value, user_id, session_id, timestamp) "
                "SELECT %s, %s, %s, %s, %s "
                "FROM (SELECT set_config('synchronous_commit', 'on', true)) AS durable",
                (
                    record["item_id"],
                    _encode(record["value"]),
                    record.get("user_id"),
                    record.get("session_id"),
                    float(record.get("timestamp", 0.0)),
                ),
            )

    def rows(self) -> list[dict[str, Any]]:
        """Every record, oldest first (after the inserts in flight have committed)."""
        with self.db.connection() as conn, conn.transaction():
            conn.execute("LOCK TABLE whyrec_feedback IN SHARE MODE")
            found = conn.execute(
                "SELECT item_id, value, user_id, session_id, timestamp FROM whyrec_feedback "
                "ORDER BY id"
            ).fetchall()
        return [_row(values) for values in found]

    def count(self) -> int:
        """How many records are stored."""
        with self.db.connection() as conn:
            row = conn.execute("SELECT count(*) FROM whyrec_feedback").fetchone()
        return int(row[0]) if row else 0

    def remove(self, drop: Callable[[dict[str, Any]], bool]) -> list[tuple[int, dict[str, Any]]]:
        """Delete the records `drop` selects; returns them with their positions (0-based) in
        the order as it stood, so a watermark can be lowered by those it had counted."""
        removed: list[tuple[int, dict[str, Any]]] = []
        with self.db.connection() as conn, conn.transaction():
            conn.execute("LOCK TABLE whyrec_feedback IN SHARE ROW EXCLUSIVE MODE")
            found = conn.execute(
                "SELECT id, item_id, value, user_id, session_id, timestamp FROM whyrec_feedback "
                "ORDER BY id"
            ).fetchall()
            doomed: list[int] = []
            for position, (row_id, *values) in enumerate(found):
                raw = _row(tuple(values))
                if drop(raw):
                    doomed.append(row_id)
                    removed.append((position, raw))
            if doomed:
                conn.execute("DELETE FROM whyrec_feedback WHERE id = ANY(%s)", (doomed,))
        if doomed:
            self.db.vacuum("whyrec_feedback")
        return removed


def feedback_table() -> FeedbackTable | None:
    """The shared feedback table when a state URL is set; None keeps the workspace's JSONL."""
    db = state_db()
    return FeedbackTable(db) if db is not None else None
