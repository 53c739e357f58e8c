"""Background tasks that finish before the interpreter tears itself down.

Why: a daemon thread still inside torch or BLAS while Python finalises crashes the process
after its output was printed (exit status 139 or 134: `whyrec chat -m hi --json` did so in
three runs of three while the agent's warm-up was still loading). Every background task
starts here, and an exit hook waits for the ones still running, up to EXIT_WAIT_S.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable

logger = logging.getLogger(__name__)

EXIT_WAIT_S = 120.0  # a warm-up loads models in seconds; a hung one must not hang the exit

_RUNNING: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
_LOCK = threading.Lock()


def start_background(target: Callable[[], object], name: str) -> threading.Thread:
    """Run `target` on a daemon thread that the process waits for at exit."""
    thread = threading.Thread(target=target, daemon=True, name=name)
    with _LOCK:
        _RUNNING.add(thread)
    thread.start()
    return thread


def wait_for_background(timeout_s: float = EXIT_WAIT_S) -> bool:
    """Wait for running background tasks (at most `timeout_s` in all); True when none is left."""
    deadline = time.monotonic() + timeout_s
    with _LOCK:
        running = [t for t in _RUNNING if t.is_alive() and t is not threading.current_thread()]
    for thread in running:
        thread.join(max(0.0, deadline - time.monotonic()))
    left = [t.name for t in running if t.is_alive()]
    if left:
        logger.warning("background tasks still running at exit: %s", ", ".join(left))
    return not left


atexit.register(wait_for_background)

__all__ = ["EXIT_WAIT_S", "start_background", "wait_for_background"]
