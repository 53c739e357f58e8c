"""Per-session memory: what the user liked, disliked and asked for, and what they were shown.

A `SessionState` is one conversation's memory; `SessionStore` keeps every session in SQLite
(one JSON row per session, WAL mode) so a restarted server keeps them all. The store is
thread-safe and hands out one lock per session, so concurrent turns of one session run one
after another while different sessions run side by side. The LLM loop's message history
lives beside it (checkpoints.sqlite, langgraph's SQLite checkpointer), keyed by session id.

Each session records its `owner` (the API key id or UI login that made it; None in single-user
mode) and an optional `ttl_s`; `expire` drops sessions idle for longer than their time to live.
State files are created readable by their owner only (0600). The store's interface (load, save,
delete, find, expire, compact) is what other backends would implement.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

SESSION_ID_RX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$")
MAX_HISTORY = 24  # turns kept verbatim; older ones are folded into `summary`
MAX_SHOWN = 2000


ENV_SESSION_TTL = "WHYREC_SESSION_TTL"
DEFAULT_SESSION_TTL_S = 7 * 24 * 3600.0
_TTL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_ttl(raw: str) -> float | None:
    """Seconds from '604800', '90m', '12h' or '7d'; None for '0' or 'never' (no expiry)."""
    text = raw.strip().lower()
    if text in ("0", "never", "none", "off"):
        return None
    unit = _TTL_UNITS.get(text[-1:])
    number = text[:-1] if unit else text
    try:
        value = float(number) * (unit or 1)
    except ValueError:
        raise ValueError(
            f"{ENV_SESSION_TTL} must be seconds or a number with s/m/h/d, got {raw!r}"
        ) from None
    if not value > 0 or value != value:
        raise ValueError(f"{ENV_SESSION_TTL} must be positive, got {raw!r}")
    return value


def session_ttl_from_env() -> float | None:
    """The idle time after which sessions expire: $WHYREC_SESSION_TTL, default 7 days."""
    raw = os.environ.get(ENV_SESSION_TTL, "")
    return parse_ttl(raw) if raw.strip() else DEFAULT_SESSION_TTL_S


class SessionIdError(ValueError):
    """A session id that is not 1-128 characters of letters, digits and _.:@-."""


class UnknownSessionError(KeyError):
    """A session id that was never used."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown session"


class UnknownItemError(KeyError):
    """An item id that is not in the workspace."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown item"


class UnknownUserError(KeyError):
    """A user id the workspace's dataset (and ranker) does not know."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown user"


def check_session_id(session_id: object) -> str:
    """Return the id if it has a safe shape, else raise SessionIdError."""
    if not isinstance(session_id, str) or not SESSION_ID_RX.match(session_id):
        raise SessionIdError(
            "session_id must be 1-128 characters: letters, digits and _.:@- "
            "(starting with a letter or digit)"
        )
    return session_id


def new_session_id() -> str:
    """A fresh random session id."""
    return "s-" + uuid.uuid4().hex


class NumericRange(BaseModel):
    """Bounds on a numeric attribute (either may be open)."""

    min: float | None = None
    max: float | None = None


class Constraints(BaseModel):
    """What the user asked for so far, accumulated over turns."""

    include: dict[str, list[str]] = Field(default_factory=dict)
    exclude: dict[str, list[str]] = Field(default_factory=dict)
    ranges: dict[str, NumericRange] = Field(default_factory=dict)
    like_items: list[str] = Field(default_factory=list)
    query: str = ""
    any_mode: list[str] = Field(default_factory=list)  # attributes where wanted values are "or"
    popularity: Literal["up", "down", "middle"] | None = None  # "obscure" / "a hit" / "known-ish"

    def is_empty(self) -> bool:
        """True when nothing has been asked for yet."""
        return not (
            self.include
            or self.exclude
            or self.ranges
            or self.like_items
            or self.query
            or self.popularity
        )

    def to_filters(self, multi: Collection[str] = ()) -> dict[str, object]:
        """Catalog filters: wanted values, unwanted values, numeric bounds.

        Wanted values of a several-per-item attribute (`multi`, like MovieLens genres) must all
        be present ("a romantic comedy"), unless the user said "or"; otherwise any one will do.
        """
        filters: dict[str, object] = {}
        for attr in sorted(set(self.include) | set(self.exclude)):
            cond: dict[str, list[str]] = {}
            if self.include.get(attr):
                key = "all" if attr in multi and attr not in self.any_mode else "in"
                cond[key] = list(self.include[attr])
            if self.exclude.get(attr):
                cond["not"] = list(self.exclude[attr])
            filters[attr] = cond
        for attr, rng in self.ranges.items():
            bounds = {k: v for k, v in (("min", rng.min), ("max", rng.max)) if v is not None}
            if bounds:
                filters[attr] = bounds
        return filters


class Turn(BaseModel):
    """One message of the conversation, with the items shown in it."""

    role: Literal["user", "assistant"]
    text: str
    items: list[str] = Field(default_factory=list)


class SessionState(BaseModel):
    """One conversation's memory (the API's `session_state` returns it)."""

    session_id: str
    user_id: str | None = None
    liked: list[str] = Field(default_factory=list)
    disliked: list[str] = Field(default_factory=list)
    seen: list[str] = Field(default_factory=list)
    constraints: Constraints = Field(default_factory=Constraints)
    shown: list[str] = Field(default_factory=list)
    last_shown: list[str] = Field(default_factory=list)
    focus: str | None = None
    # the focus is only the head of the last list of several items: nobody talked about it, so
    # "why is it there?" may mean it, but a bare "not it" or "loved it" judges none of them
    focus_listed: bool = False
    turns: int = 0
    history: list[Turn] = Field(default_factory=list)
    summary: str = ""
    created_at: float = Field(default_factory=time.time)
    updated_at: float = Field(default_factory=time.time)
    owner: str | None = None  # the key id / UI login that created it (None: single-user mode)
    ttl_s: float | None = None  # idle time to live; None: the store's default

    def excluded_items(self) -> list[str]:
        """Items never to recommend again: disliked, already seen."""
        return list(dict.fromkeys(self.disliked + self.seen))

    def remember_shown(self, item_ids: list[str]) -> None:
        """Record a list the user was shown."""
        self.last_shown = list(item_ids)
        self.shown = list(dict.fromkeys(self.shown + list(item_ids)))[-MAX_SHOWN:]
        if item_ids:
            self.focus = item_ids[0]
            self.focus_listed = len(item_ids) > 1

    def add_turn(self, role: Literal["user", "assistant"], text: str, items: list[str]) -> None:
        """Append a message; fold the oldest into the summary past MAX_HISTORY."""
        self.history.append(Turn(role=role, text=text[:2000], items=list(items)))
        if role == "user":
            self.turns += 1
        while len(self.history) > MAX_HISTORY:
            old = self.history.pop(0)
            if old.role == "user":
                line = f"user asked: {old.text[:160]}"
                self.summary = (self.summary + "\n" + line).strip()[-4000:]

    def expired(self, now: float, default_ttl_s: float | None) -> bool:
        """Past its own TTL, or the store's default when the session set none."""
        ttl = self.ttl_s if self.ttl_s is not None else default_ttl_s
        return ttl is not None and self.updated_at + ttl < now

    def set_feedback(self, item_id: str, value: Literal["like", "dislike", "seen"]) -> None:
        """Move an item into liked, disliked or seen (and out of the others)."""
        for bucket in (self.liked, self.disliked, self.seen):
            if item_id in bucket:
                bucket.remove(item_id)
        {"like": self.liked, "dislike": self.disliked, "seen": self.seen}[value].append(item_id)


def private_file(path: Path) -> None:
    """Create `path` (empty) readable by its owner only, or tighten an existing file to 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
    except OSError:  # a read-only or foreign file: sqlite will report real trouble
        pass


def private_sqlite(path: Path) -> None:
    """Make an SQLite file and its -wal/-shm companions 0600 (SQLite copies the main file's
    mode onto the companions it creates, so the main file goes first)."""
    private_file(path)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            private_file(companion)


def compact_sqlite(conn: sqlite3.Connection) -> None:
    """Fold the WAL into the database, truncate it and VACUUM, so deleted rows leave no bytes."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class SessionLocks:
    """One re-entrant lock per session while someone holds it; a lock nobody holds is collected.

    Shared by the SQLite and PostgreSQL session stores (threads of one process queue here)."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, threading.RLock] = (  # type: ignore[type-var]
            weakref.WeakValueDictionary()
        )
        self._guard = threading.Lock()

    def lock_for(self, session_id: str) -> threading.RLock:
        """The session's lock; hold the returned object while using it (it is weakly kept)."""
        with self._guard:
            lock = self._locks.get(session_id)
            if lock is None:
                lock = threading.RLock()
                self._locks[session_id] = lock
            return lock

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


class SessionStore:
    """Every session's memory in one SQLite file; thread-safe, one lock per session."""

    def __init__(self, path: str | Path, default_ttl_s: float | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.default_ttl_s = default_ttl_s
        private_sqlite(self.path)
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed, not left behind
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS whyrec_sessions ("
            " session_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at REAL NOT NULL)"
        )
        self._conn.commit()
        private_sqlite(self.path)
        self._db_lock = threading.Lock()
        self._locks = SessionLocks()

    @contextmanager
    def session_lock(self, session_id: str) -> Iterator[None]:
        """Hold the session's lock (turns of one session never interleave)."""
        with self._locks.lock_for(session_id):
            yield

    def lock_count(self) -> int:
        """How many per-session locks are alive (bounded by sessions in use)."""
        return len(self._locks)

    def load(self, session_id: str) -> SessionState | None:
        """The stored state, or None for an unknown (or expired) session."""
        check_session_id(session_id)
        with self._db_lock:
            row = self._conn.execute(
                "SELECT state FROM whyrec_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
        if not row:
            return None
        state = SessionState.model_validate_json(row[0])
        return None if state.expired(time.time(), self.default_ttl_s) else state

    def get(self, session_id: str, user_id: str | None = None) -> SessionState:
        """The stored state, or a fresh one (not yet saved) for a new session."""
        state = self.load(session_id)
        return state if state is not None else SessionState(session_id=session_id, user_id=user_id)

    def save(self, state: SessionState) -> None:
        """Write a session's state."""
        check_session_id(state.session_id)
        state.updated_at = time.time()
        payload = state.model_dump_json()
        with self._db_lock:
            self._conn.execute(
                "INSERT INTO whyrec_sessions (session_id, state, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(session_id) DO UPDATE SET state = excluded.state, "
                "updated_at = excluded.updated_at",
                (state.session_id, payload, state.updated_at),
            )
            self._conn.commit()

    def delete(self, session_id: str) -> None:
        """Forget a session."""
        check_session_id(session_id)
        self.delete_many([session_id])

    def delete_many(self, session_ids: Collection[str]) -> int:
        """Forget several sessions; returns how many rows went."""
        ids = list(session_ids)
        removed = 0
        with self._db_lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                cur = self._conn.execute(
                    f"DELETE FROM whyrec_sessions WHERE session_id IN ({marks})", chunk
                )
                removed += cur.rowcount
            self._conn.commit()
        return removed

    def find(self, user_id: str) -> list[SessionState]:
        """Every stored session of a user: those whose user_id is `user_id`, or whose session
        id is `user_id` (an anonymous conversation is named by its session id)."""
        with self._db_lock:
            rows = self._conn.execute(
                "SELECT state FROM whyrec_sessions WHERE session_id = ? "
                "OR json_extract(state, '$.user_id') = ? ORDER BY updated_at",
                (user_id, user_id),
            ).fetchall()
        return [SessionState.model_validate_json(r[0]) for r in rows]

    def expire(self, now: float | None = None) -> list[str]:
        """Delete sessions idle past their time to live; returns their ids."""
        now = time.time() if now is None else now
        with self._db_lock:
            rows = self._conn.execute(
                "SELECT session_id, updated_at, json_extract(state, '$.ttl_s') FROM whyrec_sessions"
            ).fetchall()
        gone = []
        for session_id, updated_at, ttl in rows:
            ttl = ttl if ttl is not None else self.default_ttl_s
            if ttl is not None and updated_at + float(ttl) < now:
                gone.append(session_id)
        if gone:
            self.delete_many(gone)
        return gone

    def compact(self) -> None:
        """Checkpoint the WAL and VACUUM: no deleted text stays in the files."""
        with self._db_lock:
            compact_sqlite(self._conn)

    def session_ids(self) -> list[str]:
        """Every stored session id, most recent first."""
        with self._db_lock:
            rows = self._conn.execute(
                "SELECT session_id FROM whyrec_sessions ORDER BY updated_at DESC"
            ).fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        """Close the database connection."""
        with self._db_lock:
            self._conn.close()
