"""The agent as the HTTP surfaces see it: async calls on a thread pool, sessions, streaming.

The agent (`agent.api.RecAgent`) is synchronous. Every call runs on a bounded pool of worker
threads so the event loop stays free; a streamed turn runs the agent's generator in a worker and
hands its events to the loop through a queue. Turns on one session are serialised (one lock per
session); turns on different sessions run in parallel. Errors the caller caused (unknown session,
unknown item, bad value) become `ApiError`s with a 4xx status.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import secrets
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from anyio import CapacityLimiter

from ui.errors import ApiError, BadRequest, NotFound, Unavailable, Unprocessable

logger = logging.getLogger(__name__)
T = TypeVar("T")
KNOWN_SESSIONS_CACHE = 100_000


@dataclass(frozen=True)
class StreamEvent:
    """One event of a streamed turn, normalised from the agent's event objects."""

    kind: str  # token | tool_start | tool_end | items | done
    text: str = ""
    data: Any = None


class AgentService:
    """Wraps a RecAgent for async callers: a thread pool, session registry and error mapping."""

    def __init__(
        self,
        agent: Any,
        workspace: Any = None,
        *,
        workers: int = 64,
        max_message_chars: int = 4000,
        secret: bytes | None = None,
    ) -> None:
        self.agent = agent
        self.workspace = workspace
        self.max_message_chars = max_message_chars
        self.limiter = CapacityLimiter(workers)
        self._secret = secret or secrets.token_bytes(32)
        self._known: set[str] = set()  # sessions seen to exist (a cache; bounded)
        # one lock per session while someone holds it; unused locks are collected
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._registry_lock = threading.Lock()

    @property
    def backend_name(self) -> str:
        """The active LLM backend as people should see it (no credentials)."""
        return str(getattr(self.agent, "backend_name", "rule"))

    def tool_workspace(self) -> Any:
        """The Workspace the agent's tools run against (the agent's own when it has one)."""
        workspace = getattr(self.agent, "workspace", None) or self.workspace
        if workspace is None:
            raise Unavailable("no workspace is loaded", code="no_workspace")
        return workspace

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking agent call on the worker pool, mapping caller errors to ApiError."""
        bound = functools.partial(_translating(fn), *args, **kwargs)
        return await anyio.to_thread.run_sync(bound, limiter=self.limiter)

    # Sessions -------------------------------------------------------------------------------

    async def new_session(self, user_id: str | None = None) -> str:
        """Create a session (optionally for a known dataset user) and remember it."""
        session_id = await self.call(self.agent.new_session, user_id)
        self._remember(session_id)
        return session_id

    def _remember(self, session_id: str) -> None:
        with self._registry_lock:
            if len(self._known) >= KNOWN_SESSIONS_CACHE:
                self._known.clear()
            self._known.add(session_id)

    async def require_session(self, session_id: str) -> str:
        """`session_id` when the agent knows it; NotFound otherwise."""
        if not session_id or len(session_id) > 200:
            raise NotFound(f"unknown session '{session_id[:64]}'", code="session_not_found")
        if session_id in self._known:
            return session_id
        try:
            await self.call(self.agent.session_state, session_id)
        except NotFound:
            raise NotFound(
                f"unknown session '{session_id}': create one with POST /api/sessions",
                param="session_id",
                code="session_not_found",
            ) from None
        self._remember(session_id)
        return session_id

    async def session_for(
        self, namespace: str, header_session: str | None, user: str | None
    ) -> tuple[str, bool]:
        """The session a chat request belongs to, and whether it is new.

        An `X-Session-Id` header must name an existing session. Otherwise the OpenAI `user` field
        names a conversation: its session id is derived from the name with a server secret
        (stable across restarts, unguessable without the secret) and the agent creates the
        session on its first turn. With neither, every request starts a fresh session (its id
        comes back in the response). `namespace` (the caller's key id) keeps equal `user`
        values of different callers apart.
        """
        if header_session:
            return await self.require_session(header_session), False
        if user:
            return self.user_session_id(namespace, user), False
        return await self.new_session(None), True

    def user_session_id(self, namespace: str, user: str) -> str:
        """The session id of the conversation a caller names `user`."""
        digest = hmac.new(self._secret, f"{namespace}\0{user}".encode(), hashlib.sha256)
        return "u-" + digest.hexdigest()[:40]

    def session_lock(self, session_id: str) -> asyncio.Lock:
        """The lock that serialises turns on one session."""
        return self._lock_for(f"session:{session_id}")

    def _lock_for(self, key: str) -> asyncio.Lock:
        with self._registry_lock:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = asyncio.Lock()
            return lock

    # Turns ----------------------------------------------------------------------------------

    async def chat(self, session_id: str, text: str) -> Any:
        """One complete turn: the agent's Reply."""
        async with self.session_lock(session_id):
            return await self.call(self.agent.chat, session_id, text)

    async def stream(self, session_id: str, text: str) -> AsyncIterator[StreamEvent]:
        """One streamed turn: the agent's events as they happen, ending with `done`."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()

        def put(kind: str, payload: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, (kind, payload))
            except RuntimeError:  # the loop is gone (server shutting down)
                stop.set()

        def produce() -> None:
            try:
                for event in self.agent.stream(session_id, text):
                    if stop.is_set():
                        break
                    put("event", event)
            except BaseException as exc:
                put("error", exc)
            finally:
                put("end", None)

        async with self.session_lock(session_id):
            worker = asyncio.ensure_future(anyio.to_thread.run_sync(produce, limiter=self.limiter))
            try:
                while True:
                    kind, payload = await queue.get()
                    if kind == "end":
                        break
                    if kind == "error":
                        raise translate_error(payload)
                    event = normalise_event(payload)
                    if event is not None:
                        yield event
            finally:
                stop.set()
                await asyncio.shield(worker)


def normalise_event(event: Any) -> StreamEvent | None:
    """A StreamEvent from whatever shape the agent yields (object with kind/type, or dict)."""
    if isinstance(event, StreamEvent):
        return event
    get = event.get if isinstance(event, dict) else lambda name, d=None: getattr(event, name, d)
    kind = get("kind") or get("type")
    if kind is None:
        return None
    kind = str(getattr(kind, "value", kind))
    text = get("text") or get("delta") or get("content") or ""
    data = get("data")
    if data is None:
        data = get("reply") if kind == "done" else get("items") or get("tool") or get("name")
    return StreamEvent(kind=kind, text=str(text) if kind == "token" else "", data=data)


def _is_not_found(exc: BaseException) -> bool:
    name = type(exc).__name__.lower()
    return isinstance(exc, KeyError | LookupError) or "notfound" in name or "unknown" in name


def translate_error(exc: BaseException) -> BaseException:
    """Map an agent exception to an ApiError when the caller caused it; others pass unchanged."""
    if isinstance(exc, ApiError):
        return exc
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    if _is_not_found(exc):
        return NotFound(message or "not found")
    if "notidentified" in type(exc).__name__.lower():
        return Unprocessable(message)
    if isinstance(exc, ValueError):
        return BadRequest(message or type(exc).__name__)
    return exc


def _translating(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except ApiError:
            raise
        except Exception as exc:
            translated = translate_error(exc)
            if translated is exc:
                raise
            raise translated from exc

    return wrapper
