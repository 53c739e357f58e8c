"""The shared state database: a PostgreSQL URL, its connection pool, and the per-session lock.

Unset, every store that changes at serve time stays embedded in the workspace (SQLite files and
the JSONL feedback log). With `WHYREC_STATE_URL=postgresql://...` (or `whyrec serve --state`),
sessions, the LLM loop's checkpoints and the feedback log live in one PostgreSQL database that
any number of `whyrec serve` processes, on one machine or several, share.

A session's turn runs in one transaction on one pooled connection that first takes the
session's advisory lock (`pg_advisory_xact_lock`): turns of one session never interleave across
processes, the session row and the feedback the turn records commit together (or not at all if
the process dies), and the lock goes with the connection when a process is killed. Work done by
the same thread while it holds a session lock reuses that connection (`connection()`), so it
joins the turn's transaction instead of taking a second connection from the pool.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

ENV_STATE_URL = "WHYREC_STATE_URL"
ENV_STATE_POOL = "WHYREC_STATE_POOL"
DEFAULT_POOL_SIZE = 32
POOL_TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 10
SETUP_TIMEOUT_S = 300.0
SCHEMES = ("postgresql", "postgres")
SETUP_LOCK_KEY = 0x57_48_59_52_45_43  # "WHYREC": serialises schema set-up across replicas

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS whyrec_sessions ("
    " session_id TEXT PRIMARY KEY, user_id TEXT, state TEXT NOT NULL,"
    " updated_at DOUBLE PRECISION NOT NULL, ttl_s DOUBLE PRECISION)",
    "CREATE INDEX IF NOT EXISTS whyrec_sessions_user_idx ON whyrec_sessions (user_id)",
    "CREATE TABLE IF NOT EXISTS whyrec_feedback ("
    " id BIGSERIAL PRIMARY KEY, item_id TEXT NOT NULL, value TEXT NOT NULL, user_id TEXT,"
    " session_id TEXT, timestamp DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS whyrec_meta (name TEXT PRIMARY KEY, value BYTEA NOT NULL)",
)


LOCK_SQL = (
    "SELECT set_config('synchronous_commit', 'off', true), "
    "pg_advisory_xact_lock(hashtextextended(%s, 0))"
)


def _try_lock(conn: Any, key: int) -> bool:
    """Take a session-level advisory lock if it is free (never waits)."""
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
    return bool(row and row[0])


def _rollback(conn: Any) -> None:
    """Roll back whatever the connection has open (a broken one is discarded by the pool)."""
    with contextlib.suppress(Exception):
        conn.execute("ROLLBACK")


class StateUrlError(ValueError):
    """A state URL that is not a PostgreSQL URL, or a database that cannot be reached."""


def redact(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def check_state_url(url: str) -> str:
    """`url` when it is a postgresql:// (or postgres://) URL; StateUrlError otherwise."""
    text = url.strip()
    scheme = urlsplit(text).scheme.lower()
    if scheme not in SCHEMES:
        raise StateUrlError(
            f"{ENV_STATE_URL} must be a postgresql:// URL, got {redact(text)[:80]!r} "
            "(leave it unset to keep state in the workspace)"
        )
    return text


def state_url() -> str | None:
    """The configured state URL ($WHYREC_STATE_URL), or None: state stays in the workspace."""
    raw = os.environ.get(ENV_STATE_URL, "").strip()
    return check_state_url(raw) if raw else None


def pool_size() -> int:
    """Connections per process ($WHYREC_STATE_POOL, default 32): one per turn in flight."""
    raw = os.environ.get(ENV_STATE_POOL, "").strip()
    if not raw:
        return DEFAULT_POOL_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise StateUrlError(f"{ENV_STATE_POOL} must be an integer, got {raw!r}") from None
    if size < 2:
        raise StateUrlError(f"{ENV_STATE_POOL} must be at least 2")
    return size


class StateDB:
    """One PostgreSQL database shared by every replica: a connection pool, the schema, the
    per-session transaction lock, and small shared values (secrets)."""

    def __init__(self, url: str, max_size: int | None = None) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = check_state_url(url)
        try:  # fail fast with a clear message (the pool would retry until its timeout)
            psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S).close()
        except psycopg.Error as exc:
            raise StateUrlError(
                f"cannot reach the state database {redact(self.url)}: {type(exc).__name__}"
            ) from None
        self.max_size = max_size or pool_size()
        self._local = threading.local()
        self.pool = ConnectionPool(
            self.url,
            min_size=1,
            max_size=self.max_size,
            kwargs={"autocommit": True},
            timeout=POOL_TIMEOUT_S,
            open=False,
            name="whyrec-state",
        )
        try:
            self.pool.open(wait=True, timeout=15)
        except Exception as exc:
            self.pool.close()
            raise StateUrlError(
                f"cannot reach the state database {redact(self.url)}: {type(exc).__name__}"
            ) from None
        self.setup()

    def setup(self) -> None:
        """Create WhyRec's tables (idempotent; replicas starting together take turns)."""
        with self.setup_lock() as conn:
            for statement in SCHEMA:
                conn.execute(statement)

    @contextlib.contextmanager
    def setup_lock(self) -> Iterator[Any]:
        """A connection holding the schema set-up lock (a session-level advisory lock, so
        statements that refuse a transaction block, like CREATE INDEX CONCURRENTLY, can run)."""
        with self.pool.connection() as conn:
            # Poll rather than wait inside a statement: a waiting statement is an open
            # transaction, and CREATE INDEX CONCURRENTLY (langgraph's migrations) run by the
            # holder would wait for it to end, while it waits for the holder: a deadlock that
            # PostgreSQL does not detect (seen with 4 workers starting at once).
            deadline = time.monotonic() + SETUP_TIMEOUT_S
            while not _try_lock(conn, SETUP_LOCK_KEY):
                if time.monotonic() > deadline:
                    raise StateUrlError("timed out waiting for another replica's schema set-up")
                time.sleep(0.05)
            try:
                yield conn
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        """The calling thread's turn connection when it holds a session lock (so the work joins
        the turn's transaction), else a pooled autocommit connection."""
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self.pool.connection() as conn:
            yield conn

    def in_turn(self) -> bool:
        """True when the calling thread holds a session lock (its work joins that transaction)."""
        return getattr(self._local, "conn", None) is not None

    @contextlib.contextmanager
    def session_lock(
        self, key: str, first: tuple[str, tuple[Any, ...]] | None = None
    ) -> Iterator[Any]:
        """Hold `key`'s advisory lock in a transaction until the block ends, then commit (roll
        back on an exception). Yields the row `first` (a query run once the lock is held)
        returns, or None. Re-entrant within a thread; a second key joins the transaction.

        Round trips are what a turn pays for (each one a wake-up of the server process): BEGIN,
        the lock and `first` go out in one pipeline, and the writes `defer`red during the block
        go out with the COMMIT in another. The turn's commit does not wait for the WAL flush
        (synchronous_commit off, as the SQLite store's synchronous=NORMAL): a crash of the
        database may lose the newest turns, never a committed feedback record (`durable`).
        """
        held: list[str] = self._local.__dict__.setdefault("held", [])
        current = getattr(self._local, "conn", None)
        if key in held or current is not None:
            if key not in held:  # another session's turn: its transaction holds both locks
                current.execute(LOCK_SQL, (key,))
            row = current.execute(*first).fetchone() if first and current is not None else None
            held.append(key)
            try:
                yield row
            finally:
                held.remove(key)
            return
        with self.pool.connection() as conn:
            try:
                with conn.pipeline():
                    conn.execute("BEGIN")
                    conn.execute(LOCK_SQL, (key,))
                    cursor = conn.execute(*first) if first else None
                row = cursor.fetchone() if cursor is not None else None
            except BaseException:
                _rollback(conn)
                raise
            pending: dict[str, tuple[str, tuple[Any, ...]]] = {}
            self._local.conn = conn
            self._local.deferred = pending
            held.append(key)
            try:
                yield row
            except GeneratorExit:  # a stream whose reader left: keep what the turn saved
                self._commit(conn, list(pending.values()))
                raise
            except BaseException:
                _rollback(conn)
                raise
            finally:
                held.remove(key)
                self._local.conn = None
                self._local.deferred = {}
            self._commit(conn, list(pending.values()))

    @staticmethod
    def _commit(conn: Any, deferred: list[tuple[str, tuple[Any, ...]]]) -> None:
        """Run the deferred writes and COMMIT in one round trip (roll back if that fails)."""
        try:
            with conn.pipeline():
                for statement in deferred:
                    conn.execute(*statement)
                conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise

    def defer(self, name: str, statement: tuple[str, tuple[Any, ...]]) -> bool:
        """Queue a write for the calling thread's turn commit (a later one of the same `name`
        replaces it); False when the thread holds no session lock (run it yourself)."""
        if getattr(self._local, "conn", None) is None:
            return False
        self._local.deferred[name] = statement
        return True

    def undefer(self, name: str) -> None:
        """Drop the write queued under `name` in the calling thread's turn (if any)."""
        if getattr(self._local, "conn", None) is not None:
            self._local.deferred.pop(name, None)

    def deferred(self, name: str) -> tuple[str, tuple[Any, ...]] | None:
        """The write queued under `name` in the calling thread's turn, if any."""
        if getattr(self._local, "conn", None) is None:
            return None
        return self._local.deferred.get(name)

    def shared_secret(self, name: str, size: int = 32) -> bytes:
        """A random value every replica agrees on, made by whichever asks first."""
        with self.connection() as conn:
            conn.execute(
                "INSERT INTO whyrec_meta (name, value) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (name, secrets.token_bytes(size)),
            )
            row = conn.execute("SELECT value FROM whyrec_meta WHERE name = %s", (name,)).fetchone()
        return bytes(row[0])

    def vacuum(self, *tables: str) -> None:
        """VACUUM tables after a deletion (outside any transaction; names are ours, not input)."""
        with self.pool.connection() as conn:
            for table in tables:
                exists = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
                if exists and exists[0] is not None:
                    conn.execute(f"VACUUM {table}")

    def close(self) -> None:
        """Close the pool."""
        self.pool.close()


_DBS: dict[str, StateDB] = {}
_DBS_GUARD = threading.Lock()


def state_db() -> StateDB | None:
    """This process's StateDB for $WHYREC_STATE_URL (one pool per URL), or None when unset."""
    url = state_url()
    if url is None:
        return None
    with _DBS_GUARD:
        db = _DBS.get(url)
        if db is None:
            db = _DBS[url] = StateDB(url)
        return db


@atexit.register
def close_all() -> None:
    """Close every pool this process opened (at exit, and in tests between clusters)."""
    with _DBS_GUARD:
        dbs = list(_DBS.values())
        _DBS.clear()
    for db in dbs:
        with contextlib.suppress(Exception):
            db.close()
