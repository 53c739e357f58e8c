"""ASGI middleware: API keys on /v1, /api and /mcp, a cap on request body size, and a guard
that answers odd methods and paths (TRACE, /API, ../) in the one `{"error": ...}` shape.

Pure ASGI (not BaseHTTPMiddleware) so streamed responses pass through untouched. Keys are
compared in constant time against every configured key and never logged. The caller's key id
(and whether it is an admin key) goes into the request scope for the ownership checks; MCP
transport sessions are bound to the key that opened them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ui.errors import ApiError, NotFound, TooLarge, Unauthorized, WrongMethod

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KEY_ID_SCOPE = "whyrec.key_id"
ADMIN_SCOPE = "whyrec.admin"
ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def key_id(key: str) -> str:
    """A short, non-reversible name for a key: namespaces sessions per caller."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def match_key(presented: str, keys: tuple[str, ...]) -> str | None:
    """The key id when `presented` equals one of `keys` (constant time per key), else None."""
    found: str | None = None
    candidate = presented.encode("utf-8")
    for key in keys:
        if hmac.compare_digest(candidate, key.encode("utf-8")):
            found = key
    return key_id(found) if found is not None else None


class UiLogins:
    """The web UI's login check with keys on: any user name, a key as the password. A name is
    bound to the first key it logs in with (so another key cannot log in as that name and
    reach its sessions); the UI's sessions belong to that key, as its API sessions do."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()

    def check(self, username: str, password: str) -> bool:
        """Gradio's `auth` callable."""
        kid = match_key(password or "", self.keys)
        if kid is None:
            return False
        with self._lock:
            return self._names.setdefault(str(username), kid) == kid

    def owner(self, username: str | None) -> str | None:
        """The key id a logged-in user name is bound to."""
        with self._lock:
            return self._names.get(str(username)) if username else None


def caller_id(scope: Scope) -> str | None:
    """The key id of the request's caller (None when keys are off)."""
    value = scope.get("state", {}).get(KEY_ID_SCOPE)
    return value if isinstance(value, str) and value else None


def caller_is_admin(scope: Scope) -> bool:
    """True when the request came with an admin key."""
    return bool(scope.get("state", {}).get(ADMIN_SCOPE))


def presented_key(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The key from `Authorization: Bearer KEY` or `X-API-Key: KEY`."""
    for name, value in headers:
        lname = name.lower()
        if lname == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
        elif lname == b"x-api-key" and value.strip():
            return value.decode("latin-1").strip()
    return None


async def send_error(
    send: Send, error: ApiError, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer an HTTP request with an ApiError's JSON body."""
    body = json.dumps(error.body()).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    if isinstance(error, Unauthorized):
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ApiKeyMiddleware:
    """Require one of `keys` on paths under `prefixes`; put the caller's key id in the scope."""

    def __init__(
        self,
        app: ASGIApp,
        keys: tuple[str, ...],
        prefixes: tuple[str, ...],
        admin_keys: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.keys = tuple(dict.fromkeys(keys + admin_keys))
        self.admin_ids = {key_id(k) for k in admin_keys}
        self.prefixes = prefixes

    def _protected(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.keys or not self._protected(scope["path"]):
            await self.app(scope, receive, send)
            return
        if scope.get("method") == "OPTIONS":  # CORS preflight carries no credentials
            await self.app(scope, receive, send)
            return
        presented = presented_key(scope.get("headers", []))
        if presented is None:
            await send_error(
                send,
                Unauthorized(
                    "an API key is required: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'",
                    code="missing_api_key",
                ),
            )
            return
        kid = match_key(presented, self.keys)
        if kid is None:
            await send_error(send, Unauthorized("invalid API key", code="invalid_api_key"))
            return
        state = scope.setdefault("state", {})
        state[KEY_ID_SCOPE] = kid
        state[ADMIN_SCOPE] = kid in self.admin_ids
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Answer 413 when a request body exceeds `limit` bytes (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.limit = limit
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not any(path.startswith(p) for p in self.prefixes):
            await self.app(scope, receive, send)
            return
        too_large = TooLarge(
            f"request body is larger than {self.limit} bytes (WHYREC_MAX_BODY_BYTES)",
            code="body_too_large",
        )
        for name, value in scope.get("headers", []):
            if name.lower() == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.limit:
                    await send_error(send, too_large)
                    return
        # Read the whole body first (it is small: at most `limit`), so a chunked upload without
        # a Content-Length is measured before any handler parses it.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body = message.get("body", b"")
            received += len(body)
            if received > self.limit:
                await send_error(send, too_large)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _odd_path(path: str, prefixes: tuple[str, ...]) -> bool:
    """A path with '.' or '..' segments, or an API prefix in the wrong case (/API, /V1)."""
    segments = path.split("/")
    if any(seg in (".", "..") for seg in segments) or "\\" in path:
        return True
    lowered = path.lower()
    for prefix in prefixes:
        if (lowered == prefix or lowered.startswith(prefix + "/")) and not (
            path == prefix or path.startswith(prefix + "/")
        ):
            return True
    return False


class RequestGuardMiddleware:
    """405 for methods no route serves (TRACE, CONNECT, ...), 404 for odd paths, and any
    `{"detail": ...}` 404/405 from the mounted UI rewritten into the `{"error": ...}` shape."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "")).upper()
        path = str(scope.get("path", ""))
        if method not in ALLOWED_METHODS:
            error = WrongMethod(f"method {method[:16]} is not allowed", code="method_not_allowed")
            await send_error(send, error, [(b"allow", ", ".join(ALLOWED_METHODS).encode())])
            return
        if _odd_path(path, self.prefixes):
            await send_error(send, NotFound("no such path; see /docs", code="no_route"))
            return
        if path.startswith("/gradio_api/"):  # the UI's own protocol stays as Gradio answers it
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, _ReshapingSend(send))


class _ReshapingSend:
    """Buffer a 404/405 JSON response of the form {"detail": ...} and resend it reshaped."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.held: Message | None = None
        self.body = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = dict((k.lower(), v) for k, v in message.get("headers", []))
            is_json = headers.get(b"content-type", b"").startswith(b"application/json")
            if message.get("status") in (404, 405) and is_json:
                self.held = message
                return
            await self.send(message)
            return
        if self.held is None or message["type"] != "http.response.body":
            await self.send(message)
            return
        self.body += message.get("body", b"")
        if message.get("more_body", False):
            return
        start, self.held = self.held, None
        body = self.body
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict) and set(data) == {"detail"}:
            status = int(start["status"])
            error: ApiError = (
                NotFound(str(data["detail"])[:200], code="no_route")
                if status == 404
                else WrongMethod(str(data["detail"])[:200], code="method_not_allowed")
            )
            body = json.dumps(error.body()).encode("utf-8")
            kept = [
                (k, v)
                for k, v in start.get("headers", [])
                if k.lower() not in (b"content-length", b"content-type")
            ]
            start = {
                **start,
                "headers": [
                    *kept,
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        await self.send(start)
        await self.send({"type": "http.response.body", "body": body, "more_body": False})


MCP_SESSION_HEADER = b"mcp-session-id"
MAX_MCP_BINDINGS = 10_000


class McpOwnerMiddleware:
    """Bind each MCP transport session to the key that opened it: another key presenting its
    `Mcp-Session-Id` gets 404, as for a session that does not exist (keys on only)."""

    def __init__(self, app: ASGIApp, path: str = "/mcp") -> None:
        self.app = app
        self.path = path
        self.owners: OrderedDict[bytes, str] = OrderedDict()
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kid = caller_id(scope) if scope["type"] == "http" else None
        path = str(scope.get("path", ""))
        if kid is None or not (path == self.path or path.startswith(self.path + "/")):
            await self.app(scope, receive, send)
            return
        presented = next(
            (v for k, v in scope.get("headers", []) if k.lower() == MCP_SESSION_HEADER), None
        )
        if presented is not None:
            with self.lock:
                owner = self.owners.get(presented)
            if owner is not None and owner != kid:
                await send_error(send, NotFound("session not found", code="session_not_found"))
                return

        async def binding_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                for name, value in message.get("headers", []):
                    if name.lower() == MCP_SESSION_HEADER:
                        with self.lock:
                            self.owners.setdefault(value, kid)
                            self.owners.move_to_end(value)
                            while len(self.owners) > MAX_MCP_BINDINGS:
                                self.owners.popitem(last=False)
            await send(message)

        await self.app(scope, receive, binding_send)
