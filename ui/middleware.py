"""ASGI middleware: API keys on /v1, /api and /mcp, and a cap on request body size.

Pure ASGI (not BaseHTTPMiddleware) so streamed responses pass through untouched. Keys are
compared in constant time against every configured key and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ui.errors import ApiError, TooLarge, Unauthorized

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KEY_ID_SCOPE = "whyrec.key_id"


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


async def send_error(send: Send, error: ApiError) -> None:
    """Answer an HTTP request with an ApiError's JSON body."""
    body = json.dumps(error.body()).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if isinstance(error, Unauthorized):
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ApiKeyMiddleware:
    """Require one of `keys` on paths under `prefixes`; put the caller's key id in the scope."""

    def __init__(self, app: ASGIApp, keys: tuple[str, ...], prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.keys = keys
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
        scope.setdefault("state", {})[KEY_ID_SCOPE] = kid
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
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await send_error(send, too_large)


class _BodyTooLarge(Exception):
    pass
