"""Sessions and LLM checkpoints in PostgreSQL, for replicas that share a state URL.

`PgSessionStore` has `SessionStore`'s interface (load, save, delete, find, expire, compact,
session_lock); its `session_lock` is a database lock (`tools.state_db`), so two processes never
run turns of one session at once, and the session row written during a turn commits with the
turn. `LatestOnlyPostgresSaver` is langgraph's PostgresSaver keeping only each session's newest
checkpoint, as the SQLite one does. `open_session_store` and `open_checkpoints` choose the
embedded (workspace) or the shared store from $WHYREC_STATE_URL.
"""

from __future__ import annotations

import atexit
import contextlib
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from agent.memory import SessionLocks, SessionState, SessionStore, check_session_id
from tools.state_db import StateDB, state_db

SESSIONS_FILE = "sessions.sqlite"
CHECKPOINTS_FILE = "checkpoints.sqlite"
CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
CHECKPOINT_POOL_SIZE = 8
SELECT_STATE = "SELECT state FROM whyrec_sessions WHERE session_id = %s"
UPSERT_STATE = (
    "INSERT INTO whyrec_sessions (session_id, user_id, state, updated_at, ttl_s) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (session_id) DO UPDATE SET "
    "user_id = excluded.user_id, state = excluded.state, "
    "updated_at = excluded.updated_at, ttl_s = excluded.ttl_s"
)


class PgSessionStore:
    """Every session's memory in the shared database; one lock per session across processes."""

    def __init__(self, db: StateDB, default_ttl_s: float | None = None) -> None:
        self.db = db
        self.default_ttl_s = default_ttl_s
        # threads of this process queue here first, so a waiting turn holds no connection
        self._locks = SessionLocks()
        self._local = threading.local()  # rows read with the lock, per thread and session

    @contextlib.contextmanager
    def session_lock(self, session_id: str) -> Iterator[None]:
        """Hold the session's lock in this process and in the database until the block ends.

        The session's row comes back with the lock (one round trip) and its save is written
        with the commit (another), so a turn costs two round trips for its state."""
        check_session_id(session_id)
        lock = self._locks.lock_for(session_id)
        rows: dict[str, Any] = self._local.__dict__.setdefault("rows", {})
        key = f"whyrec-session:{session_id}"
        if session_id in rows:  # re-entered: the row is already here
            with lock, self.db.session_lock(key):
                yield
            return
        with lock, self.db.session_lock(key, (SELECT_STATE, (session_id,))) as row:
            rows[session_id] = row[0] if row else None
            try:
                yield
            finally:
                rows.pop(session_id, None)

    def lock_count(self) -> int:
        """How many per-session locks are alive in this process."""
        return len(self._locks)

    def load(self, session_id: str) -> SessionState | None:
        """The stored state, or None for an unknown (or expired) session."""
        check_session_id(session_id)
        pending = self.db.deferred(f"session:{session_id}")
        rows: dict[str, Any] = self._local.__dict__.setdefault("rows", {})
        if pending is not None:  # saved earlier in this turn, not committed yet
            text: str | None = pending[1][2]
        elif session_id in rows:
            text = rows[session_id]
        else:
            with self.db.connection() as conn:
                row = conn.execute(SELECT_STATE, (session_id,)).fetchone()
            text = row[0] if row else None
        if text is None:
            return None
        state = SessionState.model_validate_json(text)
        return None if state.expired(time.time(), self.default_ttl_s) else state

    def get(self, session_id: str, user_id: str | None = None) -> SessionState:
        """The stored state, or a fresh one (not yet saved) for a new session."""
        state = self.load(session_id)
        return state if state is not None else SessionState(session_id=session_id, user_id=user_id)

    def save(self, state: SessionState) -> None:
        """Write a session's state (committed with the turn when called inside one)."""
        check_session_id(state.session_id)
        state.updated_at = time.time()
        params = (
            state.session_id,
            state.user_id,
            state.model_dump_json(),
            state.updated_at,
            state.ttl_s,
        )
        if self.db.defer(f"session:{state.session_id}", (UPSERT_STATE, params)):
            return  # written with the turn's commit
        with self.db.connection() as conn:
            conn.execute(UPSERT_STATE, params)

    def delete(self, session_id: str) -> None:
        """Forget a session."""
        self.delete_many([check_session_id(session_id)])

    def delete_many(self, session_ids: Collection[str]) -> int:
        """Forget several sessions; returns how many rows went."""
        ids = list(session_ids)
        if not ids:
            return 0
        for session_id in ids:  # a save waiting for this turn's commit must not bring it back
            self.db.undefer(f"session:{session_id}")
        with self.db.connection() as conn:
            cur = conn.execute("DELETE FROM whyrec_sessions WHERE session_id = ANY(%s)", (ids,))
            return max(cur.rowcount, 0)

    def find(self, user_id: str) -> list[SessionState]:
        """Every stored session of a user (by user id, or an anonymous one by its session id)."""
        with self.db.connection() as conn:
            rows = conn.execute(
                "SELECT state FROM whyrec_sessions WHERE session_id = %s OR user_id = %s "
                "ORDER BY updated_at",
                (user_id, user_id),
            ).fetchall()
        return [SessionState.model_validate_json(r[0]) for r in rows]

    def expire(self, now: float | None = None) -> list[str]:
        """Delete sessions idle past their time to live; returns their ids."""
        now = time.time() if now is None else now
        with self.db.connection() as conn:
            rows = conn.execute(
                "DELETE FROM whyrec_sessions "
                "WHERE updated_at + COALESCE(ttl_s, %s::double precision) < %s "
                "RETURNING session_id",
                (self.default_ttl_s, now),
            ).fetchall()
        return [r[0] for r in rows]

    def compact(self) -> None:
        """VACUUM the sessions table after deletions."""
        self.db.vacuum("whyrec_sessions")

    def session_ids(self) -> list[str]:
        """Every stored session id, most recent first."""
        with self.db.connection() as conn:
            rows = conn.execute(
                "SELECT session_id FROM whyrec_sessions ORDER BY updated_at DESC"
            ).fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        """Nothing to close: the pool belongs to the process (other agents may share it)."""


class PgCheckpoints:
    """Deletes sessions' LLM checkpoints from the shared database (forget, expiry)."""

    def __init__(self, db: StateDB) -> None:
        self.db = db

    def delete_threads(self, thread_ids: list[str], compact: bool = False) -> int:
        """Delete every checkpoint, blob and write of `thread_ids`; returns rows deleted."""
        if not thread_ids:
            return 0
        removed = 0
        with self.db.connection() as conn:
            for table in CHECKPOINT_TABLES:
                exists = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
                if not exists or exists[0] is None:
                    continue
                cur = conn.execute(
                    f"DELETE FROM {table} WHERE thread_id = ANY(%s)", (list(thread_ids),)
                )
                removed += max(cur.rowcount, 0)
        if compact and removed:
            self.db.vacuum(*CHECKPOINT_TABLES)
        return removed


def _saver_class() -> type:
    """LatestOnlyPostgresSaver, defined on first use (langgraph-checkpoint-postgres imports
    psycopg, which embedded mode never needs)."""
    global _SAVER
    if _SAVER is not None:
        return _SAVER
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    class LatestOnlyPostgresSaver(PostgresSaver):
        """A PostgresSaver that keeps only a thread's newest checkpoint, on a connection pool
        used without the saver's process-wide lock (each call borrows its own connection)."""

        def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            """Save the checkpoint, then drop the thread's older checkpoints, writes and blobs."""
            saved = super().put(config, checkpoint, metadata, new_versions)
            conf = saved["configurable"]
            key = (conf["thread_id"], conf.get("checkpoint_ns", ""), conf["checkpoint_id"])
            with self._cursor(pipeline=True) as cur:
                cur.execute(
                    "DELETE FROM checkpoints WHERE thread_id = %s AND checkpoint_ns = %s "
                    "AND checkpoint_id < %s",
                    key,
                )
                cur.execute(
                    "DELETE FROM checkpoint_writes WHERE thread_id = %s AND checkpoint_ns = %s "
                    "AND checkpoint_id < %s",
                    key,
                )
                cur.execute(
                    "DELETE FROM checkpoint_blobs b WHERE b.thread_id = %s "
                    "AND b.checkpoint_ns = %s AND NOT EXISTS (SELECT 1 FROM checkpoints c "
                    "WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns "
                    "AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version)",
                    key[:2],
                )
            return saved

        @contextlib.contextmanager
        def _cursor(self, *, pipeline: bool = False) -> Iterator[Any]:
            with self.conn.connection() as conn:
                if pipeline and self.supports_pipeline:
                    with conn.pipeline(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                        yield cur
                elif pipeline:
                    with (
                        conn.transaction(),
                        conn.cursor(binary=True, row_factory=dict_row) as cur,
                    ):
                        yield cur
                else:
                    with conn.cursor(binary=True, row_factory=dict_row) as cur:
                        yield cur

    _SAVER = LatestOnlyPostgresSaver
    return _SAVER


_SAVER: type | None = None
_SAVERS: dict[str, Any] = {}
_SAVERS_GUARD = threading.Lock()


def postgres_checkpointer(db: StateDB) -> Any:
    """This process's checkpointer on `db`: its own small pool (a turn holding a session's
    connection must never wait for one its own checkpoints need), set up once."""
    with _SAVERS_GUARD:
        saver = _SAVERS.get(db.url)
        if saver is not None:
            return saver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            db.url,
            min_size=1,
            max_size=CHECKPOINT_POOL_SIZE,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            # checkpoints are as durable as the SQLite store's (synchronous=NORMAL)
            configure=lambda conn: conn.execute("SET synchronous_commit = off"),
            open=True,
            name="whyrec-checkpoints",
        )
        saver = _saver_class()(pool)
        with db.setup_lock():
            saver.setup()
        _SAVERS[db.url] = saver
        return saver


@atexit.register
def close_checkpointers() -> None:
    """Close the checkpointers' pools (at exit)."""
    with _SAVERS_GUARD:
        savers = list(_SAVERS.values())
        _SAVERS.clear()
    for saver in savers:
        with contextlib.suppress(Exception):
            saver.conn.close()


def open_session_store(
    state_dir: Path, default_ttl_s: float | None
) -> SessionStore | PgSessionStore:
    """The session store: the shared database when $WHYREC_STATE_URL is set, else SQLite."""
    db = state_db()
    if db is None:
        return SessionStore(state_dir / SESSIONS_FILE, default_ttl_s)
    return PgSessionStore(db, default_ttl_s)


def open_checkpoints(state_dir: Path) -> tuple[Any, sqlite3.Connection | None]:
    """The LLM loop's checkpointer and, when embedded, its SQLite connection (else None)."""
    db = state_db()
    if db is None:
        from agent.checkpoints import open_checkpointer

        return open_checkpointer(state_dir / CHECKPOINTS_FILE)
    return postgres_checkpointer(db), None


def shared_checkpoints() -> PgCheckpoints | None:
    """The shared checkpoint tables when $WHYREC_STATE_URL is set (for forget and expiry)."""
    db = state_db()
    return PgCheckpoints(db) if db is not None else None
