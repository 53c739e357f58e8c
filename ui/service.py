"""The agent as the HTTP surfaces see it: async calls on a thread pool, sessions, streaming.

The agent (`agent.api.RecAgent`) is synchronous. Every call runs on a bounded pool of worker
threads so the event loop stays free; a streamed turn runs the agent's generator in a worker and
hands its events to the loop through a queue. Turns on one session are serialised (one lock per
session); turns on different sessions run in parallel. Errors the caller caused (unknown session,
unknown item, bad value) become `ApiError`s with a 4xx status; anything else stays an error the
app answers with 500 (never a 404).

Ownership: with API keys on (`auth=True`), every session records the key id (or UI login) that
created it, and any other caller gets the same 404 as for a session that does not exist.
The registry of sessions seen is a bounded LRU; per-session locks are weak (freed when unused).
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
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from anyio import CapacityLimiter

from ui.errors import ApiError, BadRequest, NotFound, Unavailable, Unprocessable

if TYPE_CHECKING:
    from tools.protocols import Workspace

logger = logging.getLogger(__name__)
T = TypeVar("T")
KNOWN_SESSIONS_CACHE = 10_000
EPHEMERAL_TTL_S = 3600.0  # a chat request without a session id: its session lives an hour idle


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
        workspace: Workspace | None = None,
        *,
        workers: int = 64,
        max_message_chars: int = 4000,
        secret: bytes | None = None,
        auth: bool = False,
    ) -> None:
        self.agent = agent
        self.workspace = workspace
        self.max_message_chars = max_message_chars
        self.limiter = CapacityLimiter(workers)
        self.auth = auth
        self.ui_logins: Any = None  # ui.middleware.UiLogins when keys are on (set by the server)
        self._secret = secret or secrets.token_bytes(32)
        # sessions seen to exist -> their owner (an LRU cache of bounded size)
        self._known: OrderedDict[str, str | None] = OrderedDict()
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

    async def new_session(
        self,
        user_id: str | None = None,
        owner: str | None = None,
        *,
        ttl_s: float | None = None,
        session_id: str | None = None,
    ) -> str:
        """Create a session (optionally for a known dataset user) owned by `owner`."""
        extra: dict[str, Any] = {}
        if owner is not None:
            extra["owner"] = owner
        if ttl_s is not None:
            extra["ttl_s"] = ttl_s
        if session_id is not None:
            extra["session_id"] = session_id
        session_id = await self.call(self.agent.new_session, user_id, **extra)
        self._remember(session_id, owner)
        return session_id

    def ui_owner(self, request: Any) -> str | None:
        """The owner of the web UI's sessions for a Gradio request: the key its login is bound
        to (None with keys off). With keys on, a request without a login owns nothing."""
        if not self.auth:
            return None
        logins = self.ui_logins
        owner = logins.owner(getattr(request, "username", None)) if logins else None
        if owner is None:
            raise NotFound("log in first", code="login_required")
        return owner

    def _remember(self, session_id: str, owner: str | None) -> None:
        with self._registry_lock:
            self._known[session_id] = owner
            self._known.move_to_end(session_id)
            while len(self._known) > KNOWN_SESSIONS_CACHE:
                self._known.popitem(last=False)

    def forget_known(self, session_ids: list[str] | None = None) -> None:
        """Drop sessions from the registry (all of them when None): after forget or expiry."""
        with self._registry_lock:
            if session_ids is None:
                self._known.clear()
            for session_id in session_ids or ():
                self._known.pop(session_id, None)

    def known_count(self) -> int:
        """Sessions in the in-memory registry (bounded by KNOWN_SESSIONS_CACHE)."""
        with self._registry_lock:
            return len(self._known)

    def _cached_owner(self, session_id: str) -> tuple[bool, str | None]:
        with self._registry_lock:
            if session_id not in self._known:
                return False, None
            self._known.move_to_end(session_id)
            return True, self._known[session_id]

    async def require_session(self, session_id: str, owner: str | None = None) -> str:
        """`session_id` when it exists and (with keys on) belongs to `owner`; NotFound otherwise
        (the same answer for both, so ids of other callers' sessions reveal nothing)."""
        unknown = NotFound(
            f"unknown session '{str(session_id)[:64]}': create one with POST /api/sessions",
            param="session_id",
            code="session_not_found",
        )
        if not isinstance(session_id, str) or not session_id or len(session_id) > 200:
            raise unknown
        cached, stored_owner = self._cached_owner(session_id)
        if not cached:
            try:
                state = await self.call(self.agent.session_state, session_id)
            except (NotFound, BadRequest):
                raise unknown from None
            stored_owner = _owner_of(state)
            self._remember(session_id, stored_owner)
        if self.auth and (owner is None or stored_owner != owner):  # fail closed
            raise unknown
        return session_id

    async def session_for(
        self, namespace: str | None, header_session: str | None, user: str | None
    ) -> tuple[str, bool]:
        """The session a chat request belongs to, and whether it is new.

        An `X-Session-Id` header must name an existing session of this caller. Otherwise the
        OpenAI `user` field names a conversation: its session id is derived from the name with a
        server secret (stable across restarts, unguessable without the secret) and created on
        first sight. With neither, the request gets a short-lived session (it expires after
        EPHEMERAL_TTL_S idle; its id comes back in the response). `namespace` (the caller's key
        id) owns the session and keeps equal `user` values of different callers apart.
        """
        if header_session:
            return await self.require_session(header_session, namespace), False
        if user:
            try:
                user.encode("utf-8")
            except UnicodeEncodeError:
                raise BadRequest(
                    "user is not valid Unicode (it contains a lone surrogate)",
                    param="user",
                    code="invalid_unicode",
                ) from None
            session_id = self.user_session_id(namespace or "", user)
            cached, _ = self._cached_owner(session_id)
            if not cached:
                await self.new_session(None, namespace, session_id=session_id)
            return session_id, False
        return await self.new_session(None, namespace, ttl_s=EPHEMERAL_TTL_S), True

    # Retention ------------------------------------------------------------------------------

    async def export_user(self, user: str) -> dict[str, Any]:
        """The user's sessions, messages and feedback."""
        return await self.call(self.agent.export_user, user)

    async def forget_user(self, user: str) -> dict[str, Any]:
        """Remove the user's data everywhere and from the registry."""
        result = await self.call(self.agent.forget_user, user)
        self.forget_known(list(result.get("session_ids", [])))
        return result

    async def expire_sessions(self) -> int:
        """Delete idle sessions past their time to live; the registry forgets everything (a
        cheap way to drop expired entries: it refills on the next request)."""
        expire = getattr(self.agent, "expire_sessions", None)
        if expire is None:
            return 0
        gone = await self.call(expire)
        if gone:
            self.forget_known()
        return int(gone)

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


def _owner_of(state: Any) -> str | None:
    owner = state.get("owner") if isinstance(state, dict) else getattr(state, "owner", None)
    return owner if isinstance(owner, str) else None


NOT_FOUND_CODES = {
    "unknownsessionerror": "session_not_found",
    "unknownitemerror": "item_not_found",
    "unknownusererror": "user_not_found",
}


def _not_found_code(exc: BaseException) -> str | None:
    """A code when the exception's class says something was not found (UnknownSessionError,
    ...NotFoundError); a bare KeyError or IndexError is a bug, not a 404."""
    if isinstance(exc, OSError):  # FileNotFoundError is a broken install, not a caller's miss
        return None
    for cls in type(exc).__mro__:
        if cls.__module__ == "builtins":
            continue
        name = cls.__name__.lower()
        if name in NOT_FOUND_CODES:
            return NOT_FOUND_CODES[name]
        if name.startswith("unknown") or "notfound" in name:
            return "not_found"
    return None


def translate_error(exc: BaseException) -> BaseException:
    """Map an agent exception to an ApiError when the caller caused it; others pass unchanged."""
    if isinstance(exc, ApiError):
        return exc
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    code = _not_found_code(exc)
    if code is not None:
        return NotFound(message or "not found", code=code)
    if "notidentified" in type(exc).__name__.lower():
        return Unprocessable(message)
    if isinstance(exc, UnicodeError):
        return BadRequest(
            "the input is not valid Unicode (lone surrogates are not allowed)",
            code="invalid_unicode",
        )
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
