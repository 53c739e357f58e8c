"""Server settings: where to listen, which keys to accept, how large a message may be.

Everything has a default so `whyrec serve` works with no configuration; environment variables
(`WHYREC_API_KEYS`, `WHYREC_MAX_MESSAGE_CHARS`, ...) and the CLI's options override them.
The environment is read by pydantic-settings (`ServerEnvironment`): one field per variable,
each bad value reported as a SettingsError that names the variable.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_API_KEYS = "WHYREC_API_KEYS"
ENV_ADMIN_KEYS = "WHYREC_ADMIN_KEYS"
ENV_MAX_MESSAGE_CHARS = "WHYREC_MAX_MESSAGE_CHARS"
ENV_MAX_BODY_BYTES = "WHYREC_MAX_BODY_BYTES"
ENV_WORKERS = "WHYREC_SERVER_WORKERS"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
MODEL_NAME = "whyrec"
# Paths that need an API key when keys are configured (the web UI at / does not).
PROTECTED_PREFIXES: tuple[str, ...] = ("/v1", "/api", "/mcp")


class SettingsError(ValueError):
    """A setting that cannot be used, with a hint how to fix it."""


@dataclass(frozen=True)
class ServerSettings:
    """How the HTTP server behaves; built from the environment, then overridden by the CLI."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    # keys that may also export and forget users (/api/users); each is an API key as well
    admin_keys: tuple[str, ...] = field(default=(), repr=False)
    max_message_chars: int = 4000
    max_body_bytes: int = 1_000_000
    workers: int | None = None  # None: chosen from the backend (see worker_threads)
    enable_ui: bool = True
    enable_mcp: bool = True

    @classmethod
    def from_env(cls, **overrides: object) -> ServerSettings:
        """Settings from WHYREC_* variables, then `overrides` (None values are ignored)."""
        env = ServerEnvironment.read()
        base = cls(**env.model_dump(exclude_none=True))
        settings = replace(base, **{k: v for k, v in overrides.items() if v is not None})
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise SettingsError when a value is out of range."""
        if not 0 < self.port < 65536:
            raise SettingsError(f"port must be in 1..65535, got {self.port}")
        if self.max_message_chars < 1:
            raise SettingsError(f"{ENV_MAX_MESSAGE_CHARS} must be at least 1")
        if self.max_body_bytes < 1024:
            raise SettingsError(f"{ENV_MAX_BODY_BYTES} must be at least 1024")
        if self.workers is not None and self.workers < 1:
            raise SettingsError(f"{ENV_WORKERS} must be at least 1")
        from agent.memory import session_ttl_from_env
        from ui.reload import reload_interval

        try:  # variables other layers read themselves: a bad one stops the start, here
            session_ttl_from_env()
            reload_interval()
        except ValueError as exc:
            raise SettingsError(str(exc)) from None

    @property
    def auth_enabled(self) -> bool:
        """True when /v1, /api and /mcp require a key (admin keys alone turn keys on too)."""
        return bool(self.api_keys or self.admin_keys)

    @property
    def all_keys(self) -> tuple[str, ...]:
        """Every accepted key: the API keys and the admin keys."""
        return tuple(dict.fromkeys(self.api_keys + self.admin_keys))

    def base_url(self) -> str:
        """The URL people open (0.0.0.0 shown as 127.0.0.1)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"


def parse_api_keys(raw: str, name: str = ENV_API_KEYS) -> tuple[str, ...]:
    """Keys from a comma- or whitespace-separated list; a key file is named with @PATH."""
    raw = raw.strip()
    if raw.startswith("@"):
        path = Path(raw[1:]).expanduser()
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SettingsError(f"cannot read API key file {path}: {exc.strerror}") from None
    keys = tuple(dict.fromkeys(k for k in raw.replace(",", " ").split() if k))
    short = [k for k in keys if len(k) < 8]
    if short:
        raise SettingsError(f"{name}: every key needs at least 8 characters")
    return keys


def _env_int(name: str) -> BeforeValidator:
    """A validator for an integer variable: blank means unset, anything else must parse."""

    def parse(value: object) -> int | None:
        if value is None or isinstance(value, int):
            return value
        text = str(value)
        if not text.strip():
            return None
        try:
            return int(text)
        except ValueError:
            raise SettingsError(f"{name} must be an integer, got {text!r}") from None

    return BeforeValidator(parse)


def _env_keys(name: str) -> BeforeValidator:
    """A validator for a key list variable (see parse_api_keys)."""
    return BeforeValidator(lambda raw: parse_api_keys(raw, name) if isinstance(raw, str) else raw)


class ServerEnvironment(BaseSettings):
    """The WHYREC_* variables the server reads; an unset or blank variable keeps the default.

    Only the variables named here are read (case-sensitive, no prefix guessing, no .env file),
    so a stray HOST or PORT in the environment changes nothing.
    """

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    api_keys: Annotated[
        tuple[str, ...],
        NoDecode,
        _env_keys(ENV_API_KEYS),
        Field(validation_alias=ENV_API_KEYS, repr=False),
    ] = ()
    admin_keys: Annotated[
        tuple[str, ...],
        NoDecode,
        _env_keys(ENV_ADMIN_KEYS),
        Field(validation_alias=ENV_ADMIN_KEYS, repr=False),
    ] = ()
    max_message_chars: Annotated[
        int | None, _env_int(ENV_MAX_MESSAGE_CHARS), Field(validation_alias=ENV_MAX_MESSAGE_CHARS)
    ] = None
    max_body_bytes: Annotated[
        int | None, _env_int(ENV_MAX_BODY_BYTES), Field(validation_alias=ENV_MAX_BODY_BYTES)
    ] = None
    workers: Annotated[int | None, _env_int(ENV_WORKERS), Field(validation_alias=ENV_WORKERS)] = (
        None
    )

    @classmethod
    def read(cls) -> ServerEnvironment:
        """The variables as they are now; a bad one raises the SettingsError that names it."""
        try:
            return cls()
        except ValidationError as exc:
            for error in exc.errors():
                cause = (error.get("ctx") or {}).get("error")
                if isinstance(cause, SettingsError):
                    raise cause from None
            first = exc.errors()[0]
            name = first["loc"][0] if first["loc"] else "environment"
            raise SettingsError(f"{name}: {first['msg']}") from None


LLM_WORKERS = 64
RULE_WORKERS = 4


def worker_threads(settings: ServerSettings, agent: object) -> int:
    """Threads running agent calls: many for an LLM backend, a few for the rule planner.

    LLM turns spend most of their time waiting on the model server, so each concurrent turn
    needs a thread. Rule turns are pure Python: beyond a few threads they only fight over the
    GIL (measured with 50 sessions: 4 threads gave 2x the throughput and a 6x lower p99 than
    64).
    """
    if settings.workers is not None:
        return settings.workers
    spec = getattr(agent, "spec", None)
    return LLM_WORKERS if getattr(spec, "is_llm", False) else RULE_WORKERS
