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
    """The checkpoint store at `path` (WAL, synchronous=NORMAL) and its connection."""
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    saver = LatestOnlySqliteSaver(conn)
    saver.setup()  # WAL journal
    # WAL + NORMAL survives a crash of this process; only an OS crash may lose the last turns.
    # FULL would fsync on every checkpoint, serialised under the saver's lock.
    conn.execute("PRAGMA synchronous=NORMAL")
    return saver, conn
