"""The LLM loop's checkpoint store: SQLite, keeping only each session's newest checkpoint.

langgraph's SqliteSaver keeps every checkpoint of every turn, each holding the whole message
list, so the file grows without bound (213 MB after a few thousand turns) and its periodic
WAL checkpoints stall every session at once. A session needs its conversation, not the
history of its graph states.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from agent.memory import compact_sqlite, private_sqlite


class LatestOnlySqliteSaver(SqliteSaver):
    """A SqliteSaver that deletes a thread's older checkpoints and writes on every save."""

    def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        """Save the checkpoint, then drop the same thread's older ones."""
        saved = super().put(config, checkpoint, metadata, new_versions)
        conf = saved["configurable"]
        key = (conf["thread_id"], conf.get("checkpoint_ns", ""), conf["checkpoint_id"])
        with self.cursor() as cur:
            cur.execute(
                "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? "
                "AND checkpoint_id < ?",
                key,
            )
            cur.execute(
                "DELETE FROM writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?",
                key,
            )
        return saved


def open_checkpointer(path: Path) -> tuple[LatestOnlySqliteSaver, sqlite3.Connection]:
    """The checkpoint store at `path` (WAL, synchronous=NORMAL, 0600) and its connection."""
    private_sqlite(path)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    conn.execute("PRAGMA secure_delete=ON")
    saver = LatestOnlySqliteSaver(conn)
    saver.setup()  # WAL journal
    # WAL + NORMAL survives a crash of this process; only an OS crash may lose the last turns.
    # FULL would fsync on every checkpoint, serialised under the saver's lock.
    conn.execute("PRAGMA synchronous=NORMAL")
    private_sqlite(path)
    return saver, conn


CHECKPOINT_TABLES = ("checkpoints", "writes")


def delete_threads(conn: sqlite3.Connection, thread_ids: list[str], compact: bool = False) -> int:
    """Delete every checkpoint and pending write of `thread_ids` (session ids); with `compact`,
    fold the WAL in and VACUUM so no deleted message stays in the file. Returns rows deleted."""
    removed = 0
    tables = {
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    }
    for table in CHECKPOINT_TABLES:
        if table not in tables:
            continue
        for start in range(0, len(thread_ids), 500):
            chunk = thread_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cur = conn.execute(f"DELETE FROM {table} WHERE thread_id IN ({marks})", chunk)
            removed += max(cur.rowcount, 0)
    conn.commit()
    if compact:
        compact_sqlite(conn)
    return removed
