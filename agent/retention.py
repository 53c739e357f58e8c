"""A user's data: export it as JSON, or forget it everywhere (right of access / erasure).

A user is named by their dataset user id (the sessions started for them, the feedback they
gave) or, for an anonymous conversation, by its session id. Their data lives in four places:
the session rows (`state/sessions.sqlite`), the LLM loop's checkpoints
(`state/checkpoints.sqlite`), the feedback log (`feedback.jsonl`) and, once `whyrec build
--update` has merged that feedback, rows of the interaction log (`data/interactions.csv`).
`forget_user` removes all of them, folds each SQLite WAL in and VACUUMs (secure_delete is on),
and lowers the manifest's feedback watermark so the next `build --update` neither skips other
people's new feedback nor learns from the forgotten records.

Both functions work on open stores (`UserStores`), so the server (its live connections) and the
CLI (fresh ones) share them. With $WHYREC_STATE_URL set, the sessions, checkpoints and feedback
are the shared PostgreSQL tables (agent.state_pg, tools.feedback_pg) behind the same methods.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.checkpoints import delete_threads
from agent.memory import SessionState, SessionStore, private_sqlite
from agent.state_pg import PgCheckpoints, PgSessionStore, open_session_store, shared_checkpoints
from tools.feedback import FeedbackLog, FeedbackRecord, feedback_log

if TYPE_CHECKING:
    from tools.protocols import Workspace

SESSIONS_FILE = "sessions.sqlite"
CHECKPOINTS_FILE = "checkpoints.sqlite"
MANIFEST_FILE = "workspace.json"
INTERACTIONS_FILE = Path("data") / "interactions.csv"
USERS_FILE = Path("data") / "users.csv"


@dataclass
class UserStores:
    """Where a workspace keeps per-user data: the session store, the checkpoint database (if
    any, with the lock its writer holds), the feedback log and the workspace folder."""

    sessions: SessionStore | PgSessionStore
    feedback: FeedbackLog
    root: Path
    checkpoints: sqlite3.Connection | None = None
    checkpoint_lock: Any = None
    checkpoint_path: Path | None = None  # opened on demand when `checkpoints` is None
    shared: PgCheckpoints | None = None  # the state database's checkpoints (replaces the file)

    def delete_checkpoints(self, thread_ids: list[str], compact: bool = False) -> int:
        """Delete sessions' checkpoints wherever they are kept; returns rows deleted."""
        if self.shared is not None:
            return self.shared.delete_threads(thread_ids, compact=compact)
        with self.checkpoint_db() as conn, self.checkpoint_lock or contextlib.nullcontext():
            return delete_threads(conn, thread_ids, compact=compact) if conn is not None else 0

    @contextlib.contextmanager
    def checkpoint_db(self) -> Iterator[sqlite3.Connection | None]:
        """The checkpoint database: the live connection, or the file opened for this call."""
        if self.checkpoints is not None:
            yield self.checkpoints
            return
        if self.checkpoint_path is None or not self.checkpoint_path.exists():
            yield None
            return
        private_sqlite(self.checkpoint_path)
        conn = sqlite3.connect(str(self.checkpoint_path), timeout=30)
        try:
            conn.execute("PRAGMA secure_delete=ON")
            yield conn
        finally:
            conn.close()

    @classmethod
    @contextlib.contextmanager
    def open(cls, root: str | Path, state_dir: str | Path | None = None) -> Iterator[UserStores]:
        """Open a workspace's stores from disk (the CLI's way); closed on exit."""
        root = Path(root)
        folder = Path(state_dir) if state_dir is not None else root / "state"
        folder.mkdir(parents=True, exist_ok=True)
        store = open_session_store(folder, None)
        try:
            yield cls(
                store,
                feedback_log(root),
                root,
                None,
                threading.Lock(),
                folder / CHECKPOINTS_FILE,
                shared_checkpoints(),
            )
        finally:
            store.close()


def agent_stores(agent: Any) -> UserStores:
    """The live stores of a RecAgent (its connections, and the lock its checkpointer holds)."""
    saver = getattr(getattr(agent.llm, "graph", None), "checkpointer", None)
    return UserStores(
        agent.store,
        feedback_log(agent.workspace),
        Path(agent.workspace.root),
        agent._checkpoint_conn,
        getattr(saver, "lock", None),
        Path(agent.state_dir) / CHECKPOINTS_FILE,
        shared_checkpoints(),
    )


def expire_sessions(stores: UserStores) -> int:
    """Delete sessions idle past their time to live, with their checkpoints; returns how many."""
    gone = stores.sessions.expire()
    if gone:
        stores.delete_checkpoints(gone)
    return len(gone)


def _belongs(record: FeedbackRecord, user: str, session_ids: set[str]) -> bool:
    return record.user_id == user or record.session_id == user or record.session_id in session_ids


def _session_json(state: SessionState) -> dict[str, Any]:
    data = state.model_dump(mode="json")
    data.pop("owner", None)  # a key id says nothing about the user
    return data


def export_user(stores: UserStores, user: str) -> dict[str, Any]:
    """The user's sessions (with their messages) and feedback, as JSON-ready data."""
    sessions = stores.sessions.find(user)
    ids = {s.session_id for s in sessions}
    feedback = [r.to_dict() for r in stores.feedback.read() if _belongs(r, user, ids)]
    return {
        "user_id": user,
        "sessions": [_session_json(s) for s in sessions],
        "messages": [
            {"session_id": s.session_id, "role": t.role, "text": t.text, "items": t.items}
            for s in sessions
            for t in s.history
        ],
        "feedback": feedback,
    }


def forget_user(stores: UserStores, user: str) -> dict[str, Any]:
    """Remove every trace of the user; returns what was removed (counts and session ids)."""
    sessions = stores.sessions.find(user)
    ids = sorted({s.session_id for s in sessions})
    removed_sessions = stores.sessions.delete_many(ids)
    stores.sessions.compact()
    checkpoint_rows = stores.delete_checkpoints(ids, compact=True)
    id_set = set(ids)
    removed = stores.feedback.remove_records(lambda r: _belongs(r, user, id_set))
    merged_removed, rows_removed = _unmerge(stores.root, removed, id_set)
    return {
        "user_id": user,
        "sessions": removed_sessions,
        "session_ids": ids,
        "checkpoint_rows": checkpoint_rows,
        "feedback_records": len(removed),
        "merged_records": merged_removed,
        "interaction_rows": rows_removed,
    }


def _unmerge(
    root: Path,
    removed: list[tuple[int, FeedbackRecord]],
    session_ids: set[str],
) -> tuple[int, int]:
    """Lower the manifest's feedback watermark by the removed records it had counted, and drop
    the interaction rows `build --update` made from them. Returns (records, rows) removed."""
    manifest_path = root / MANIFEST_FILE
    if not manifest_path.is_file():
        return 0, 0
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    state = manifest.get("feedback") or {}
    merged = int(state.get("merged", 0))
    counted = [r for p, r in removed if p < merged]
    doomed = [r for _, r in removed]
    session_users = {f"session:{sid}" for sid in session_ids}
    session_users |= {f"session:{r.session_id}" for r in doomed if r.session_id and not r.user_id}
    if not counted and not session_users:
        return 0, 0
    if counted:
        state["merged"] = merged - len(counted)
        manifest["feedback"] = state
        _atomic_write(manifest_path, json.dumps(manifest, indent=2, default=str))
    wanted = [(r.user_id or "", r.item_id, int(r.timestamp)) for r in counted if r.user_id]
    rows = _drop_rows(root / INTERACTIONS_FILE, session_users, wanted)
    _drop_rows(root / USERS_FILE, session_users, [])
    return len(counted), rows


def _drop_rows(path: Path, users: set[str], wanted: list[tuple[str, str, int]]) -> int:
    """Remove rows of `users`, and one row per (user, item, timestamp) in `wanted`, from a CSV
    (other lines are kept byte for byte)."""
    if not path.is_file() or (not users and not wanted):
        return 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if not lines:
        return 0
    header = next(csv.reader([lines[0]]))
    col = {name: i for i, name in enumerate(header)}
    if "user_id" not in col:
        return 0
    if "timestamp" not in col:
        wanted = [(u, i, 0) for u, i, _ in wanted]
    pending: dict[tuple[str, str, int], int] = {}
    for key in wanted:
        pending[key] = pending.get(key, 0) + 1
    kept = [lines[0]]
    dropped = 0
    for line in reversed(lines[1:]):  # merged rows were appended: match from the end
        fields = next(csv.reader(io.StringIO(line)), [])
        user = fields[col["user_id"]] if len(fields) > col["user_id"] else ""
        if user in users:
            dropped += 1
            continue
        if pending and "item_id" in col and len(fields) == len(header):
            stamp = fields[col["timestamp"]] if "timestamp" in col else ""
            try:
                ts = int(float(stamp)) if stamp else 0
            except ValueError:
                ts = 0
            key = (user, fields[col["item_id"]], ts if "timestamp" in col else 0)
            if pending.get(key):
                pending[key] -= 1
                dropped += 1
                continue
        kept.append(line)
    if dropped:
        _atomic_write(path, lines[0] + "".join(reversed(kept[1:])))
    return dropped


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


class UserDataMixin:
    """RecAgent's user-data methods: which users exist, export, forget, expiry. Needs
    `workspace`, `store`, `llm`, `_checkpoint_conn` and `state_dir` on the agent."""

    workspace: Workspace
    _known_users: frozenset[str] | None = None

    def require_user(self, user_id: object) -> str:
        """`user_id` when the dataset (or the ranker) knows it; UnknownUserError otherwise."""
        from agent.memory import UnknownUserError

        if not isinstance(user_id, str) or not 0 < len(user_id) <= 128:
            raise ValueError("user_id must be a string of 1-128 characters")
        if self._known_users is None:
            users = set(self.workspace.dataset.users["user_id"].astype(str))
            has_step = getattr(self.workspace, "has_step", None)
            if has_step is not None and has_step("ranker"):
                users |= {str(u) for u in getattr(self.workspace.ranker, "user_ids", ())}
            self._known_users = frozenset(users)
        if user_id not in self._known_users:
            raise UnknownUserError(f"unknown user '{user_id[:64]}': not a user of this dataset")
        return user_id

    def export_user(self, user: str) -> dict[str, Any]:
        """The user's sessions, messages and feedback."""
        return export_user(agent_stores(self), user)

    def forget_user(self, user: str) -> dict[str, Any]:
        """Remove the user's sessions, checkpoints and feedback everywhere."""
        return forget_user(agent_stores(self), user)

    def expire_sessions(self) -> int:
        """Delete sessions idle past their time to live (and their checkpoints)."""
        return expire_sessions(agent_stores(self))
