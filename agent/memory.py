"""Per-session memory: what the user liked, disliked and asked for, and what they were shown.

A `SessionState` is one conversation's memory; `SessionStore` keeps every session in SQLite
(one JSON row per session, WAL mode) so a restarted server keeps them all. The store is
thread-safe and hands out one lock per session, so concurrent turns of one session run one
after another while different sessions run side by side. The LLM loop's message history
lives beside it (checkpoints.sqlite, langgraph's SQLite checkpointer), keyed by session id.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

SESSION_ID_RX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$")
MAX_HISTORY = 24  # turns kept verbatim; older ones are folded into `summary`
MAX_SHOWN = 2000


class SessionIdError(ValueError):
    """A session id that is not 1-128 characters of letters, digits and _.:@-."""


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

    def is_empty(self) -> bool:
        """True when nothing has been asked for yet."""
        return not (self.include or self.exclude or self.ranges or self.like_items or self.query)

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
    turns: int = 0
    history: list[Turn] = Field(default_factory=list)
    summary: str = ""
    created_at: float = Field(default_factory=time.time)
    updated_at: float = Field(default_factory=time.time)

    def excluded_items(self) -> list[str]:
        """Items never to recommend again: disliked, already seen."""
        return list(dict.fromkeys(self.disliked + self.seen))

    def remember_shown(self, item_ids: list[str]) -> None:
        """Record a list the user was shown."""
        self.last_shown = list(item_ids)
        self.shown = list(dict.fromkeys(self.shown + list(item_ids)))[-MAX_SHOWN:]
        if item_ids:
            self.focus = item_ids[0]

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

    def set_feedback(self, item_id: str, value: Literal["like", "dislike", "seen"]) -> None:
        """Move an item into liked, disliked or seen (and out of the others)."""
        for bucket in (self.liked, self.disliked, self.seen):
            if item_id in bucket:
                bucket.remove(item_id)
        {"like": self.liked, "dislike": self.disliked, "seen": self.seen}[value].append(item_id)


class SessionStore:
    """Every session's memory in one SQLite file; thread-safe, one lock per session."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS whyrec_sessions ("
            " session_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at REAL NOT NULL)"
        )
        self._conn.commit()
        self._db_lock = threading.Lock()
        self._locks: dict[str, threading.RLock] = {}
        self._locks_guard = threading.Lock()

    @contextmanager
    def session_lock(self, session_id: str) -> Iterator[None]:
        """Hold the session's lock (turns of one session never interleave)."""
        with self._locks_guard:
            lock = self._locks.setdefault(session_id, threading.RLock())
        with lock:
            yield

    def load(self, session_id: str) -> SessionState | None:
        """The stored state, or None for an unknown session."""
        check_session_id(session_id)
        with self._db_lock:
            row = self._conn.execute(
                "SELECT state FROM whyrec_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
        return SessionState.model_validate_json(row[0]) if row else None

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
        with self._db_lock:
            self._conn.execute("DELETE FROM whyrec_sessions WHERE session_id = ?", (session_id,))
            self._conn.commit()

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
