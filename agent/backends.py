"""LLM backends behind one selection string: `rule`, `openai:URL` or `hf:MODEL_OR_PATH`.

The string comes from `--llm` or the `WHYREC_LLM` environment variable; nothing configured
means `rule` (no LLM: the deterministic planner in `agent.planner` does the work).

- `openai:URL` talks to any OpenAI-compatible chat-completions server (vLLM in production)
  through langchain-openai's `ChatOpenAI`, with native tool calling, streaming (tool-call
  fragments are reassembled by langchain's chunk merging), a request timeout and retries
  with exponential backoff (the openai client's). The served model name comes from a
  `#MODEL` suffix (`openai:http://gpu:8000/v1#Qwen/Qwen2.5-7B-Instruct`), else
  `WHYREC_OPENAI_MODEL`, else the first id that `GET URL/models` lists.
  The API key comes from `WHYREC_OPENAI_API_KEY` or `OPENAI_API_KEY` (vLLM needs none); it
  is held as a secret and never logged or shown.
- `hf:MODEL_OR_PATH` runs a transformers chat model in-process (`agent.hf_chat`), tool
  calls going through the model's own chat template.

Heavy imports (langchain-openai, transformers) happen only when a model is built.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

logger = logging.getLogger(__name__)

ENV_SPEC = "WHYREC_LLM"
ENV_MODEL = "WHYREC_OPENAI_MODEL"
ENV_KEYS = ("WHYREC_OPENAI_API_KEY", "OPENAI_API_KEY")
ENV_TIMEOUT = "WHYREC_LLM_TIMEOUT"
ENV_RETRIES = "WHYREC_LLM_MAX_RETRIES"


class BackendKind(StrEnum):
    """Which kind of language model answers (or none, for `rule`)."""

    RULE = "rule"
    OPENAI = "openai"
    HF = "hf"


class BackendError(ValueError):
    """A backend selection string that cannot be used, with a hint how to fix it."""


@dataclass(frozen=True)
class BackendSpec:
    """A parsed backend selection: its kind, target (URL or model path) and model name."""

    kind: BackendKind
    target: str = ""
    model: str | None = None

    @property
    def is_llm(self) -> bool:
        """True for the backends that call a language model."""
        return self.kind is not BackendKind.RULE

    def display(self) -> str:
        """A name safe to show and log: no credentials, no query string."""
        if self.kind is BackendKind.RULE:
            return "rule"
        if self.kind is BackendKind.HF:
            return f"hf:{self.target}"
        return f"openai:{redact_url(self.target)}" + (f" ({self.model})" if self.model else "")


@dataclass(frozen=True)
class LLMSettings:
    """Knobs shared by the LLM backends (timeouts in seconds)."""

    timeout_s: float = 60.0
    max_retries: int = 2
    temperature: float = 0.2
    max_tokens: int = 768

    @classmethod
    def from_env(cls) -> LLMSettings:
        """Settings with `WHYREC_LLM_TIMEOUT` / `WHYREC_LLM_MAX_RETRIES` applied."""
        base = cls()
        try:
            timeout = float(os.environ.get(ENV_TIMEOUT, base.timeout_s))
            retries = int(os.environ.get(ENV_RETRIES, base.max_retries))
        except ValueError as exc:
            raise BackendError(f"{ENV_TIMEOUT}/{ENV_RETRIES} must be numbers: {exc}") from exc
        if timeout <= 0 or retries < 0:
            raise BackendError(f"{ENV_TIMEOUT} must be > 0 and {ENV_RETRIES} >= 0")
        return cls(timeout_s=timeout, max_retries=retries)


def redact_url(url: str) -> str:
    """The URL without user:password@ and without its query string (where keys hide)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def _normalise_openai_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendError(
            f"openai backend needs an http(s) URL, got {redact_url(url)!r}; "
            "e.g. openai:http://localhost:8000/v1"
        )
    path = parts.path.rstrip("/")
    if not path:
        path = "/v1"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def parse_backend_spec(spec: str | None = None) -> BackendSpec:
    """Parse `rule`, `openai:URL[#MODEL]` or `hf:MODEL_OR_PATH`; None reads `WHYREC_LLM`."""
    raw = spec if spec is not None else os.environ.get(ENV_SPEC, "")
    raw = raw.strip()
    if not raw or raw.lower() in ("rule", "none", "rules"):
        return BackendSpec(BackendKind.RULE)
    kind, sep, rest = raw.partition(":")
    kind = kind.lower()
    if not sep or not rest.strip():
        raise BackendError(
            f"unknown LLM backend {raw!r}: use 'rule', 'openai:URL' or 'hf:MODEL_OR_PATH'"
        )
    rest = rest.strip()
    if kind == BackendKind.OPENAI:
        url, _, model = rest.partition("#")
        return BackendSpec(
            BackendKind.OPENAI, _normalise_openai_url(url), model or os.environ.get(ENV_MODEL)
        )
    if kind == BackendKind.HF:
        return BackendSpec(BackendKind.HF, rest)
    raise BackendError(
        f"unknown LLM backend kind {kind!r} in {redact_url(raw)!r}: "
        "use 'rule', 'openai:URL' or 'hf:MODEL_OR_PATH'"
    )


def openai_api_key() -> str:
    """The API key for OpenAI-compatible servers; 'EMPTY' when none is set (vLLM's default)."""
    for name in ENV_KEYS:
        value = os.environ.get(name)
        if value:
            return value
    return "EMPTY"


def discover_openai_model(url: str, *, timeout_s: float = 5.0) -> str | None:
    """The first model id a server lists at `URL/models`, or None when it cannot say."""
    request = urllib.request.Request(
        url.rstrip("/") + "/models", headers={"Authorization": f"Bearer {openai_api_key()}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            data = json.loads(response.read().decode("utf-8"))
        models = data.get("data") or []
        return str(models[0]["id"]) if models else None
    except (OSError, urllib.error.URLError, ValueError, KeyError, TypeError, IndexError) as exc:
        logger.warning("could not list models at %s: %s", redact_url(url), type(exc).__name__)
        return None


def make_chat_model(
    spec: BackendSpec | str | None, settings: LLMSettings | None = None
) -> BaseChatModel | None:
    """Build the chat model a spec names; None for `rule`."""
    if not isinstance(spec, BackendSpec):
        spec = parse_backend_spec(spec)
    settings = settings or LLMSettings.from_env()
    if spec.kind is BackendKind.RULE:
        return None
    if spec.kind is BackendKind.OPENAI:
        return _make_openai(spec, settings)
    from agent.hf_chat import TransformersChatModel

    return TransformersChatModel.load(
        spec.target, max_new_tokens=settings.max_tokens, temperature=settings.temperature
    )


def _pass_through_chat_openai() -> type:
    """ChatOpenAI that hands the SDK its messages and tool schemas as a ready JSON body.

    The openai SDK walks every request's messages and tools against its TypedDicts
    (`maybe_transform`, ~1.5 ms a call here) and, for chat completions, returns them unchanged;
    with 50 busy sessions that walk was a fifth of the server's CPU. Sent through `extra_body`
    (which the SDK merges into the body as is), the JSON on the wire is the same.
    """
    global _PASS_THROUGH
    if _PASS_THROUGH is not None:
        return _PASS_THROUGH
    from langchain_openai import ChatOpenAI

    class PassThroughChatOpenAI(ChatOpenAI):
        def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
            """The same binding as ChatOpenAI's, made once per model, tool list and options.

            create_agent binds the tools before every model call, and converting seven
            pydantic schemas each time cost ~4% of the server's CPU under load.
            """
            tools = list(tools)
            try:
                key = (id(self), tuple(map(id, tools)), repr(sorted(kwargs.items())))
            except TypeError:  # unorderable option values: no caching
                return super().bind_tools(tools, **kwargs)
            with _BOUND_LOCK:
                hit = _BOUND.get(key)
                if (
                    hit is not None
                    and hit[0] is self
                    and all(a is b for a, b in zip(hit[1], tools, strict=True))
                ):
                    _BOUND.move_to_end(key)
                    return hit[2]
            bound = super().bind_tools(tools, **kwargs)
            with _BOUND_LOCK:
                _BOUND[key] = (self, tools, bound)  # strong refs: ids stay unique while cached
                while len(_BOUND) > 32:
                    _BOUND.popitem(last=False)
            return bound

        def _get_request_payload(self, input_: Any, *, stop: Any = None, **kwargs: Any) -> dict:
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            if "response_format" in payload or self._use_responses_api(payload):
                return payload
            body = dict(payload.get("extra_body") or {})
            for key in ("messages", "tools"):
                if key in payload:
                    body[key] = payload[key]
            payload.pop("tools", None)
            payload["messages"] = []  # the SDK requires the argument; extra_body replaces it
            payload["extra_body"] = body
            return payload

    _PASS_THROUGH = PassThroughChatOpenAI
    return _PASS_THROUGH


_PASS_THROUGH: type | None = None
_BOUND: OrderedDict[tuple, tuple[Any, list, Any]] = OrderedDict()
_BOUND_LOCK = threading.Lock()


def _make_openai(spec: BackendSpec, settings: LLMSettings) -> BaseChatModel:
    import socket

    chat_openai = _pass_through_chat_openai()
    model = spec.model or discover_openai_model(spec.target) or "default"
    # TCP_NODELAY: a request's headers and body leave in separate writes, and with Nagle on the
    # body waits for the server's delayed ACK (~40 ms a call on keep-alive connections).
    sockets = (
        (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
        (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),
    )
    return chat_openai(
        http_socket_options=sockets,
        model=model,
        base_url=spec.target,
        api_key=openai_api_key(),
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        stream_usage=False,
    )
