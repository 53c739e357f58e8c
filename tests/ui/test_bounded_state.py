"""Bounded state: sessions expire after WHYREC_SESSION_TTL idle, per-session locks are freed,
the registry of known sessions is an LRU, and a /v1 request without a session id gets a
session that expires within the hour. A build killed with SIGKILL leaves its temporary folder,
which the next build removes (never a live build's)."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from fake_agent import FakeAgent

from agent.memory import SessionState, SessionStore, parse_ttl
from ui.server import ServerThread, create_app
from ui.service import EPHEMERAL_TTL_S, KNOWN_SESSIONS_CACHE, AgentService
from ui.settings import ServerSettings


def test_ttl_parsing():
    assert parse_ttl("7d") == 7 * 86400
    assert parse_ttl("90m") == 5400
    assert parse_ttl("3600") == 3600
    assert parse_ttl("never") is None
    for bad in ("soon", "-5", "0.0h"):
        with pytest.raises(ValueError):
            parse_ttl(bad)


def test_sessions_expire_after_their_idle_time(tmp_path):
    store = SessionStore(tmp_path / "sessions.sqlite", default_ttl_s=100)
    for name, ttl in (("s-old", None), ("s-fresh", None), ("s-short", 10.0)):
        state = SessionState(session_id=name, ttl_s=ttl)
        store.save(state)
    now = time.time()
    assert store.load("s-short") is not None
    assert sorted(store.expire(now + 50)) == ["s-short"]
    assert store.load("s-old") is not None
    assert sorted(store.expire(now + 150)) == ["s-fresh", "s-old"]
    assert store.session_ids() == []
    store.close()


def test_per_session_locks_are_freed(tmp_path):
    store = SessionStore(tmp_path / "sessions.sqlite")
    for n in range(500):
        with store.session_lock(f"s-{n}"):
            pass
    gc.collect()
    assert store.lock_count() == 0
    store.close()


def test_known_session_registry_is_bounded():
    service = AgentService(FakeAgent())
    for n in range(KNOWN_SESSIONS_CACHE + 50):
        service._remember(f"s-{n}", None)
    assert service.known_count() == KNOWN_SESSIONS_CACHE
    hit, _ = service._cached_owner("s-0")
    assert not hit  # the oldest went first


def test_v1_without_a_session_id_gets_a_short_lived_session(ui_workspace, tmp_path):
    from agent.api import RecAgent

    agent = RecAgent.from_workspace(ui_workspace.root, llm="rule", state_dir=tmp_path)
    settings = ServerSettings(enable_ui=False, enable_mcp=False)
    with ServerThread(create_app(agent, agent.workspace, settings)) as server:
        body = {"model": "whyrec", "messages": [{"role": "user", "content": "hello"}]}
        # a cold first turn fits the intent model on the training file (slow on a loaded CI box)
        r = httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=180)
        sid = r.headers.get("x-session-id")
        assert sid, r.text
        state = agent.store.load(sid)
        assert state is not None and state.ttl_s == EPHEMERAL_TTL_S
        assert agent.store.expire(time.time() + EPHEMERAL_TTL_S + 1) == [sid]


def test_a_killed_builds_folder_is_removed_by_the_next_build(tmp_path):
    from tools.build_folders import BuildClaim, remove_stale
    from tools.workspace import is_workspace

    target = tmp_path / "ws"
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from tools.build_folders import BuildClaim
        folder = Path({str(tmp_path)!r}) / ".ws.tmp-killed"
        folder.mkdir()
        BuildClaim(folder)
        (folder / "ready").write_text("1")
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[2])
    killed = tmp_path / ".ws.tmp-killed"
    deadline = time.monotonic() + 30
    while not (killed / "ready").exists():
        assert time.monotonic() < deadline, "the builder did not start"
        time.sleep(0.05)
    live = tmp_path / ".ws.tmp-live"
    live.mkdir()
    claim = BuildClaim(live)  # a build still running (this process holds its lock)
    young = tmp_path / ".ws.tmp-young"  # made a moment ago, not locked yet: left alone
    young.mkdir()
    orphan = tmp_path / ".ws.tmp-orphan"  # an old folder without a lock (older versions)
    orphan.mkdir()
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    assert remove_stale(target, is_workspace, print) == [orphan]  # the killed one still lives
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    removed = remove_stale(target, is_workspace, print)
    assert removed == [killed]
    assert live.exists() and young.exists()
    claim.release()
