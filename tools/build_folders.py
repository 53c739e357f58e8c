"""Temporary build folders beside a workspace: claimed with a lock while a build lives, removed
by the next build once their builder is gone (killed with SIGKILL, the machine lost power).

A build makes `.NAME.tmp-XXXX` next to the workspace `NAME` and holds an exclusive advisory
lock on `.build.lock` inside it for as long as it runs. The kernel drops the lock when the
process dies however it dies, so a folder whose lock can be taken belongs to nobody. A folder
without a lock file is left alone for STALE_UNLOCKED_S (its builder may be between making it
and locking it). `.NAME.old-XXXX` (the previous workspace, kept during the swap) is removed
once the workspace itself is in place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, only the age rule applies
    fcntl = None  # type: ignore[assignment]

BUILD_LOCK = ".build.lock"
STALE_UNLOCKED_S = 120.0


class BuildClaim:
    """A live build's hold on its temporary folder (`release` is safe to call twice)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fd: int | None = os.open(folder / BUILD_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is not None:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(self.fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        """Drop the lock file (before the folder becomes the workspace) and the lock."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            (self.folder / BUILD_LOCK).unlink()
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = None


def _abandoned(folder: Path, now: float) -> bool:
    lock = folder / BUILD_LOCK
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        try:
            return now - folder.stat().st_mtime > STALE_UNLOCKED_S
        except OSError:
            return False
    except OSError:
        return False
    try:
        if fcntl is None:
            return now - os.fstat(fd).st_mtime > STALE_UNLOCKED_S
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a live build holds it
        return True
    finally:
        os.close(fd)


def remove_stale(
    target: Path, is_workspace: Callable[[Path], bool], say: Callable[[str], None]
) -> list[Path]:
    """Remove abandoned `.NAME.tmp-*` folders beside `target` (and `.NAME.old-*` ones once
    `target` is a workspace); returns what was removed."""
    parent = target.parent
    if not parent.is_dir():
        return []
    now = time.time()
    removed: list[Path] = []
    for path in sorted(parent.glob(f".{target.name}.tmp-*")):
        if path.is_dir() and not path.is_symlink() and _abandoned(path, now):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    if is_workspace(target):
        for path in sorted(parent.glob(f".{target.name}.old-*")):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    for path in removed:
        say(f"removed {path.name}, left behind by an interrupted build")
    return removed
