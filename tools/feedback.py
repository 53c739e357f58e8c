"""The workspace's feedback log: likes, dislikes and ratings given in conversations.

`W/feedback.jsonl` holds one JSON record per line (session_id, user_id, item_id, value,
timestamp). It is append-only and safe for concurrent writers: a process-wide lock plus an
advisory file lock around each append, one `write` per record, fsync'd. A record torn by a
crash is skipped on reading (and the next append starts on a fresh line), so the log never
stops being readable. `whyrec build --update` appends the records not merged yet to the
interaction log (a watermark in the manifest says how many were) and retrains from there.
The log is created readable by its owner only (0600); `remove_records` rewrites it without a
user's records (forget) and tells the caller how many of them the watermark had counted.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from causal.datasets.schema import Dataset
from tools.feedback_pg import FeedbackTable, feedback_table

if TYPE_CHECKING:
    from tools.protocols import Workspace

FEEDBACK_FILE = "feedback.jsonl"
VALUES = ("like", "dislike", "seen")
MAX_ID_LENGTH = 512
RATING_MIN = 1.0
RATING_MAX = 5.0

try:  # POSIX advisory locks; elsewhere the in-process lock still serialises threads
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class FeedbackError(ValueError):
    """A feedback record that cannot be stored (bad value, missing item id)."""


@dataclass(frozen=True)
class FeedbackRecord:
    """One piece of feedback: who, on what, what they said, and when (seconds since epoch)."""

    item_id: str
    value: str | float
    user_id: str | None = None
    session_id: str | None = None
    timestamp: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON form (one line of the log)."""
        return asdict(self)


def check_value(value: object) -> str | float:
    """A valid new feedback value: "like", "dislike", "seen", or a rating from 1 to 5.

    Booleans are refused (true is neither a like nor a rating of 1): the scale is explicit.
    """
    if isinstance(value, bool):
        raise FeedbackError(
            "a feedback value must be like, dislike, seen or a rating 1-5, not a boolean"
        )
    number = _read_value(value)
    if isinstance(number, float) and not RATING_MIN <= number <= RATING_MAX:
        raise FeedbackError(f"rating {number:g} is out of range: ratings go from 1 to 5")
    return number


def _read_value(value: object) -> str | float:
    """A stored value: a word of VALUES or a finite number (old logs may hold any scale)."""
    if isinstance(value, bool):
        raise FeedbackError("a boolean is not a feedback value")
    if isinstance(value, str):
        text = value.strip().lower()
        if text in VALUES:
            return text
        try:
            value = float(text)
        except ValueError:
            raise FeedbackError(
                f"unknown feedback value {value!r}: use like, dislike, seen or a rating"
            ) from None
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if not math.isfinite(number):
            raise FeedbackError("a rating must be a finite number")
        return number
    raise FeedbackError(f"unknown feedback value {value!r}: use like, dislike, seen or a rating")


def _optional_id(value: object, name: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > MAX_ID_LENGTH or "\n" in text:
        raise FeedbackError(f"{name} is too long or spans lines")
    return text


class FeedbackLog:
    """An append-only JSONL feedback log; `append` is safe across threads and processes.
    With `table` (a state URL is set) the records live in PostgreSQL instead of `path`."""

    def __init__(self, path: str | Path, table: FeedbackTable | None = None) -> None:
        self.path = Path(path)
        self.table = table
        key = str(self.path.resolve()) if self.path.parent.exists() else str(self.path)
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(key, threading.Lock())

    def append(
        self,
        *,
        item_id: str,
        value: object,
        user_id: str | None = None,
        session_id: str | None = None,
        timestamp: float | None = None,
    ) -> FeedbackRecord:
        """Validate and durably append one record; returns it."""
        item = _optional_id(item_id, "item_id")
        if item is None:
            raise FeedbackError("feedback needs an item_id")
        record = FeedbackRecord(
            item_id=item,
            value=check_value(value),
            user_id=_optional_id(user_id, "user_id"),
            session_id=_optional_id(session_id, "session_id"),
            timestamp=round(time.time() if timestamp is None else float(timestamp), 3),
        )
        if self.table is not None:
            self.table.insert(record.to_dict())
            return record
        line = json.dumps(record.to_dict(), ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            while True:
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
                with contextlib.suppress(OSError):
                    os.fchmod(fd, 0o600)  # a log made by an older version was 0644
                try:
                    if fcntl is not None:
                        fcntl.flock(fd, fcntl.LOCK_EX)
                    try:
                        if not _same_file(fd, self.path):
                            continue  # `remove_records` swapped the file in: append to the new one
                        data = line.encode("utf-8")
                        if not _ends_with_newline(fd):
                            data = b"\n" + data  # a crash left a torn line: keep it on its own
                        os.write(fd, data)
                        os.fsync(fd)
                        break
                    finally:
                        if fcntl is not None:
                            fcntl.flock(fd, fcntl.LOCK_UN)
                finally:
                    os.close(fd)
        return record

    def remove_records(
        self, drop: Callable[[FeedbackRecord], bool]
    ) -> list[tuple[int, FeedbackRecord]]:
        """Rewrite the log without the records `drop` selects (torn lines go too); returns the
        removed ones with their positions (0-based, among readable records). The new file replaces
        the old atomically under the same locks `append` takes, so no acknowledged record of
        anybody else is lost."""
        if self.table is not None:
            return [
                (position, record)
                for position, raw in self.table.remove(lambda raw: _drops(raw, drop))
                if (record := _from_raw(raw)) is not None
            ]
        if not self.path.is_file():
            return []
        removed: list[tuple[int, FeedbackRecord]] = []
        with self._lock:
            fd = os.open(self.path, os.O_RDWR)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                with open(self.path, encoding="utf-8", errors="replace") as handle:
                    lines = handle.readlines()
                kept: list[str] = []
                position = 0
                for line in lines:
                    record = _parse(line)
                    if record is None:
                        continue
                    if drop(record):
                        removed.append((position, record))
                    else:
                        kept.append(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
                    position += 1
                tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
                out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    os.write(out, "".join(kept).encode("utf-8"))
                    os.fsync(out)
                finally:
                    os.close(out)
                os.replace(tmp, self.path)
                _fsync_dir(self.path.parent)
            finally:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
        return removed

    def read(self) -> list[FeedbackRecord]:
        """Every readable record, oldest first (torn or malformed lines are skipped)."""
        if self.table is not None:
            return [r for raw in self.table.rows() if (r := _from_raw(raw)) is not None]
        if not self.path.is_file():
            return []
        records: list[FeedbackRecord] = []
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                record = _parse(line)
                if record is not None:
                    records.append(record)
        return records

    def __len__(self) -> int:
        return self.table.count() if self.table is not None else len(self.read())


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _ends_with_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    if size == 0:
        return True
    return os.pread(fd, 1, size - 1) == b"\n"


def _parse(line: str) -> FeedbackRecord | None:
    text = line.strip()
    if not text:
        return None
    try:
        return _from_raw(json.loads(text))
    except ValueError:
        return None


def _from_raw(raw: Any) -> FeedbackRecord | None:
    """A record from its JSON form (a log line or a database row); None when malformed."""
    try:
        return FeedbackRecord(
            item_id=str(raw["item_id"]),
            value=_read_value(raw["value"]),
            user_id=_optional_id(raw.get("user_id"), "user_id"),
            session_id=_optional_id(raw.get("session_id"), "session_id"),
            timestamp=float(raw.get("timestamp", 0.0)),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _drops(raw: dict[str, Any], drop: Callable[[FeedbackRecord], bool]) -> bool:
    record = _from_raw(raw)
    return record is not None and drop(record)


def feedback_log(workspace: Workspace | str | Path) -> FeedbackLog:
    """The feedback log of a workspace (an object with `.root`, or a folder path): its JSONL
    file, or the shared PostgreSQL table when $WHYREC_STATE_URL names one."""
    root = Path(workspace) if isinstance(workspace, str | Path) else Path(workspace.root)
    return FeedbackLog(root / FEEDBACK_FILE, feedback_table())


def append_feedback(
    workspace: Workspace | str | Path,
    *,
    user_id: str | None,
    item_id: str,
    value: object,
    session_id: str | None = None,
) -> FeedbackRecord:
    """Record feedback in the workspace's log and fold it into its loaded ranker at once."""
    record = feedback_log(workspace).append(
        item_id=item_id, value=value, user_id=user_id, session_id=session_id
    )
    if record.user_id is not None:
        ranker = _loaded_ranker(workspace)
        if ranker is not None and ranker.known_item(record.item_id):
            ranker.fold_in(record.user_id, [(record.item_id, record.value)])
    return record


def _loaded_ranker(workspace: object) -> Any:
    """The workspace's ranker if it was already loaded (feedback is folded into it directly);
    None for a folder path or a workspace whose ranker nobody has asked for yet."""
    return getattr(workspace, "__dict__", {}).get("ranker")


# -- merging into the interaction log (whyrec build --update) -------------------------------


def feedback_rows(
    dataset: Dataset, records: list[FeedbackRecord]
) -> tuple[pd.DataFrame, list[str], dict[str, int]]:
    """Interaction rows for feedback records, shaped like the dataset's log.

    Ratings logs get the rating (like = the scale's top, dislike = its bottom); click logs an
    exposure with clicked = 1 or 0; implicit logs a row per like (a dislike has no implicit
    form). Returns the rows, the new user ids they need, and counts of what was skipped.
    """
    inter = dataset.interactions
    has_rating = "rating" in inter.columns and inter["rating"].notna().any()
    has_click = "clicked" in inter.columns
    ratings = pd.to_numeric(inter["rating"], errors="coerce") if has_rating else None
    low = float(ratings.min()) if ratings is not None else 1.0
    high = float(ratings.max()) if ratings is not None else 5.0
    known_items = set(dataset.items["item_id"].astype(str))
    known_users = set(dataset.users["user_id"].astype(str))
    rows: list[dict[str, Any]] = []
    new_users: list[str] = []
    skipped = {"unknown_item": 0, "no_user": 0, "no_signal": 0}
    for record in records:
        if record.item_id not in known_items:
            skipped["unknown_item"] += 1
            continue
        user = record.user_id or (f"session:{record.session_id}" if record.session_id else None)
        if user is None:
            skipped["no_user"] += 1
            continue
        liked = _liked(record.value, high)
        if liked is None:
            skipped["no_signal"] += 1
            continue
        row: dict[str, Any] = {"user_id": user, "item_id": record.item_id}
        if has_rating:
            if isinstance(record.value, float):
                row["rating"] = float(min(max(record.value, low), high))
            else:
                row["rating"] = high if liked else low
            if has_click:  # a rated item was shown and opened
                row["clicked"] = 1
        elif has_click:
            row["clicked"] = int(liked)
        elif not liked:  # implicit logs hold positives only
            skipped["no_signal"] += 1
            continue
        if "exposed" in inter.columns:
            row["exposed"] = 1
        if "timestamp" in inter.columns:
            row["timestamp"] = int(record.timestamp)
        rows.append(row)
        if user not in known_users:
            known_users.add(user)
            new_users.append(user)
    return pd.DataFrame(rows), new_users, skipped


def _liked(value: str | float, high: float) -> bool | None:
    if value == "like":
        return True
    if value == "dislike":
        return False
    if value == "seen":
        return None
    threshold = 4.0 if high <= 5.0 else 0.6 * high
    return float(value) >= threshold


def merge_feedback(
    dataset: Dataset,
    records: list[FeedbackRecord],
    log: Callable[[str], None] | None = None,
) -> tuple[Dataset, dict[str, Any]]:
    """The dataset with feedback records appended to its interactions (and new users added)."""
    from dataclasses import replace

    rows, new_users, skipped = feedback_rows(dataset, records)
    summary: dict[str, Any] = {"appended": len(rows), "new_users": len(new_users), **skipped}
    if rows.empty:
        return dataset, summary
    inter = dataset.interactions
    rows = rows.reindex(columns=inter.columns)
    for column in inter.columns:
        if column in ("user_id", "item_id"):
            rows[column] = rows[column].astype(str)
        elif pd.api.types.is_integer_dtype(inter[column].dtype) and rows[column].isna().any():
            rows[column] = rows[column].astype("Int64")  # unknown context stays missing
        else:
            with contextlib.suppress(TypeError, ValueError):
                rows[column] = rows[column].astype(inter[column].dtype)
    merged = pd.concat([inter, rows], ignore_index=True)
    users = dataset.users
    if new_users:
        extra = pd.DataFrame({"user_id": new_users}).reindex(columns=users.columns)
        users = pd.concat([users, extra], ignore_index=True)
    if log is not None:
        log(f"feedback: appended {len(rows)} rows ({len(new_users)} new users) to the log")
    return replace(dataset, interactions=merged, users=users), summary


def merge_new_feedback(
    dataset: Dataset,
    workspace_dir: str | Path,
    manifest: Mapping[str, Any],
    log: Callable[[str], None] | None = None,
) -> tuple[Dataset, dict[str, Any]]:
    """Append the workspace's feedback records after the manifest's watermark.

    Returns the dataset and the new feedback state for the manifest: {"merged": n} (how many
    records of the log are now in the interactions) plus what this merge did.
    """
    records = feedback_log(workspace_dir).read()
    done = int((manifest.get("feedback") or {}).get("merged", 0))
    fresh = records[done:]
    merged, summary = merge_feedback(dataset, fresh, log)
    return merged, {"merged": len(records), "new_records": len(fresh), **summary}
