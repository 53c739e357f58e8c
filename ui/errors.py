"""HTTP errors with clear JSON bodies, and the handlers that keep bad input away from a 500.

Every error body has the OpenAI shape, so chatbot platforms and our own clients read one format:
`{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}`.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An error to answer with `status` and a message the caller can act on."""

    status: int = 400
    type: str = "invalid_request_error"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code

    def body(self) -> dict[str, Any]:
        """The JSON body for this error."""
        return error_body(self.message, self.type, param=self.param, code=self.code)


class BadRequest(ApiError):
    """Malformed or invalid input."""


class Unauthorized(ApiError):
    """A missing or wrong API key."""

    status = 401
    type = "authentication_error"


class NotFound(ApiError):
    """An unknown session, item or variable."""

    status = 404
    type = "not_found_error"


class Forbidden(ApiError):
    """A valid key that may not do this (an admin action)."""

    status = 403
    type = "permission_error"


class WrongMethod(ApiError):
    """A method the path does not serve (TRACE, or PUT where only GET exists)."""

    status = 405


class TooLarge(ApiError):
    """A message or body over the configured limit."""

    status = 413
    type = "invalid_request_error"


class Unprocessable(ApiError):
    """Well-formed input the agent cannot act on (e.g. an effect that is not identified)."""

    status = 422


class Unavailable(ApiError):
    """The server is not ready (still loading) or a dependency is missing."""

    status = 503
    type = "server_error"


class ErrorDetail(BaseModel):
    """What went wrong, in the OpenAI error shape."""

    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorBody(BaseModel):
    """Every error answer: `{"error": {...}}`."""

    error: ErrorDetail


def _documented(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# The error statuses every /api and /v1 route may answer with (documented in the OpenAPI schema).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("Malformed input: invalid JSON, not an object, invalid Unicode"),
    401: _documented("Missing or invalid API key (when keys are configured)"),
    403: _documented("An admin key is needed (user export and forget)"),
    404: _documented("Unknown (or someone else's) session, item, user or model"),
    405: _documented("Method not allowed"),
    413: _documented("Body or message over the configured limit"),
    422: _documented("A value out of range or of the wrong type"),
    500: _documented("An internal error; the log has it under the request id"),
    503: _documented("The server is not ready or lacks a component"),
}


def error_body(
    message: str, type_: str, *, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """`{"error": {...}}` in the OpenAI shape."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def error_response(error: ApiError, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSONResponse for an ApiError."""
    if isinstance(error, Unauthorized):
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def describe_validation(errors: list[dict[str, Any]]) -> tuple[str, str | None, str]:
    """A one-line message, the offending field and a code from pydantic's error list."""
    if not errors:
        return "invalid request", None, "invalid_request"
    first = errors[0]
    kind = str(first.get("type", ""))
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body",)]
    field = ".".join(loc) or None
    if kind == "json_invalid":
        ctx = first.get("ctx") or {}
        detail = ctx.get("error") or first.get("msg", "")
        return f"invalid JSON body: {detail}", None, "invalid_json"
    if kind == "string_unicode":
        return f"{field or 'body'}: not valid Unicode (a lone surrogate)", field, "invalid_unicode"
    if kind == "model_attributes_type" or (kind.endswith("_type") and not loc):
        return "the request body must be a JSON object", None, "invalid_body"
    parts = []
    for err in errors[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more, field, "invalid_value"


def install_error_handlers(app: FastAPI) -> None:
    """Answer ApiError, validation errors and HTTP errors with JSON; log unexpected errors."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, field, code = describe_validation(list(exc.errors()))
        status = 400 if code in ("invalid_json", "invalid_body", "invalid_unicode") else 422
        return JSONResponse(
            error_body(message, "invalid_request_error", param=field, code=code),
            status_code=status,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        type_ = "not_found_error" if exc.status_code == 404 else "invalid_request_error"
        return JSONResponse(
            error_body(detail, type_), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        request_id = uuid.uuid4().hex[:16]
        logger.error(
            "unexpected error (request id %s): %s", request_id, type(exc).__name__, exc_info=exc
        )
        return JSONResponse(
            error_body(
                f"internal error; the server log has the details under request id {request_id}",
                "server_error",
                code="internal_error",
            ),
            status_code=500,
            headers={"X-Request-Id": request_id},
        )
