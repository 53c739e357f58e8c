"""Replicas follow a rebuilt workspace: notice the new manifest, load it, swap it in.

Catalog, graph and ranker are read-only at serve time; `whyrec build` replaces the workspace
folder whole (a rename). With a state URL set, sessions and feedback live in the database, so a
replica can drop its loaded artefacts and serve the new ones without losing anybody's
conversation: every WHYREC_RELOAD_S seconds (default 5; 0 turns it off) each replica compares
the manifest's identity (inode, size, mtime) with the one it loaded, and on a change builds a
new agent in a worker thread and makes it the service's agent. Turns already running finish on
the old one. Without a state URL the server behaves as before (no watching).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ENV_RELOAD_S = "WHYREC_RELOAD_S"
DEFAULT_RELOAD_S = 5.0
MANIFEST = "workspace.json"
OLD_AGENT_GRACE_S = 120.0  # the old agent is closed after this (turns on it have ended)


def reload_interval() -> float | None:
    """Seconds between checks ($WHYREC_RELOAD_S; default 5 with a state URL, else off)."""
    from tools.state_db import state_url

    raw = os.environ.get(ENV_RELOAD_S, "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{ENV_RELOAD_S} must be a number of seconds, got {raw!r}") from None
        return value if value > 0 else None
    return DEFAULT_RELOAD_S if state_url() is not None else None


def fingerprint(root: Path) -> tuple[int, int, int] | None:
    """The manifest's identity (inode, size, mtime in ns); None while it is missing."""
    try:
        info = os.stat(Path(root) / MANIFEST)
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def load_like(agent: Any) -> Any:
    """A new agent like `agent` (backend, state folder, model) over its workspace as it is now."""
    from tools.workspace import Workspace

    workspace = Workspace.open(agent.workspace.root)
    model = getattr(getattr(agent, "llm", None), "model", None)
    fresh = type(agent)(workspace, agent.spec, state_dir=agent.state_dir, chat_model=model)
    fresh.warm_up()
    return fresh


class WorkspaceWatcher:
    """Swaps a freshly loaded agent into `service` (and `causal`) when the workspace changes."""

    def __init__(self, service: Any, causal: Any, interval_s: float) -> None:
        self.service = service
        self.causal = causal
        self.interval_s = interval_s
        self.root = Path(service.agent.workspace.root)
        self.seen = fingerprint(self.root)
        self.reloads = 0

    async def check(self) -> bool:
        """Reload when the manifest changed since the last load; True when it did."""
        now = fingerprint(self.root)
        if now is None or now == self.seen:
            return False
        old = self.service.agent
        try:
            fresh = await asyncio.to_thread(load_like, old)
        except Exception as exc:  # a half-written or broken build: keep serving the old one
            logger.warning("workspace changed but could not be loaded: %s", exc)
            return False
        self.seen = now
        self.service.agent = fresh
        self.service.workspace = fresh.workspace
        self.causal.reset(fresh.workspace)
        self.reloads += 1
        logger.warning("workspace %s rebuilt: reloaded", self.root)
        close = getattr(old, "close", None)
        if callable(close):
            asyncio.get_running_loop().call_later(OLD_AGENT_GRACE_S, close)
        return True

    async def run(self) -> None:
        """Check forever (cancelled when the server stops)."""
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.check()
            except Exception as exc:  # watching must never take the server down
                logger.warning("workspace watch failed: %s", type(exc).__name__)


async def watch_workspace(service: Any, causal: Any) -> None:
    """Run a WorkspaceWatcher when reloading is on (a state URL, or WHYREC_RELOAD_S > 0)."""
    interval = reload_interval()
    workspace = getattr(service.agent, "workspace", None)
    if interval is None or getattr(workspace, "root", None) is None:
        return
    watcher = WorkspaceWatcher(service, causal, interval)
    service.watcher = watcher
    await watcher.run()
