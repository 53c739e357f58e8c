"""A loopback server speaking the OpenAI chat-completions protocol, replaying scripted replies.

Each request consumes the next scripted step (the last one repeats when the script runs out):

- {"content": "text"}                               an assistant message
- {"tool_calls": [{"name": ..., "arguments": {...} | "raw string"}], "content": ""}
- {"status": 503}                                   an HTTP error
- {"delay": 1.5, ...}                               wait before answering (a slow endpoint)
- {"raw": "text"}                                   a non-JSON body
- a callable(request_json) -> step                  computed from the request

Streamed requests (`"stream": true`) get SSE chunks: content split into small pieces and
tool-call arguments split into fragments, as vLLM and OpenAI do.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Step = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up early (timeouts under test) are expected, not errors to print."""

    def handle_error(self, request: object, client_address: object) -> None:
        return


def _split(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class ScriptedOpenAIServer:
    """Serve scripted chat completions on 127.0.0.1; use as a context manager."""

    def __init__(
        self,
        script: list[Step] | None = None,
        *,
        model: str = "scripted-model",
        chunk_size: int = 4,
        chunk_delay_s: float = 0.0,
    ) -> None:
        self.script: list[Step] = list(script or [{"content": "ok"}])
        self.model = model
        self.chunk_size = chunk_size
        self.chunk_delay_s = chunk_delay_s
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._cursor = 0
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Base URL including /v1, as an OpenAI client wants it."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def set_script(self, script: list[Step]) -> None:
        """Replace the script and start again from its first step."""
        with self._lock:
            self.script = list(script)
            self._cursor = 0

    def next_step(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.requests.append(request)
            step = self.script[min(self._cursor, len(self.script) - 1)]
            self._cursor += 1
        return step(request) if callable(step) else dict(step)

    def __enter__(self) -> ScriptedOpenAIServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                return

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    body = {"object": "list", "data": [{"id": server.model, "object": "model"}]}
                    self._json(200, body)
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length) or b"{}")
                step = server.next_step(request)
                if step.get("delay"):
                    time.sleep(float(step["delay"]))
                if "status" in step:
                    self._json(int(step["status"]), {"error": {"message": "scripted failure"}})
                elif "raw" in step:
                    self._send(200, step["raw"].encode(), "application/json")
                elif request.get("stream"):
                    self._stream(step)
                else:
                    self._json(200, server.completion(step))

            def _json(self, status: int, body: dict[str, Any]) -> None:
                self._send(status, json.dumps(body).encode(), "application/json")

            def _send(self, status: int, data: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, step: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in server.stream_chunks(step):
                    payload = f"data: {json.dumps(chunk)}\n\n".encode()
                    self.wfile.write(f"{len(payload):X}\r\n".encode() + payload + b"\r\n")
                    self.wfile.flush()
                    if server.chunk_delay_s:
                        time.sleep(server.chunk_delay_s)
                done = b"data: [DONE]\n\n"
                self.wfile.write(f"{len(done):X}\r\n".encode() + done + b"\r\n0\r\n\r\n")
                self.wfile.flush()

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # -- payloads -------------------------------------------------------------------

    @staticmethod
    def _arguments(call: dict[str, Any]) -> str:
        args = call.get("arguments", {})
        return args if isinstance(args, str) else json.dumps(args)

    def completion(self, step: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": step.get("content", "")}
        calls = step.get("tool_calls") or []
        if calls:
            message["tool_calls"] = [
                {
                    "id": call.get("id", f"call_{uuid.uuid4().hex[:8]}"),
                    "type": "function",
                    "function": {"name": call["name"], "arguments": self._arguments(call)},
                }
                for call in calls
            ]
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:8]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if calls else "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def stream_chunks(self, step: dict[str, Any]) -> list[dict[str, Any]]:
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:8]}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        out = [chunk({"role": "assistant", "content": ""})]
        content = step.get("content", "")
        if content:
            out += [chunk({"content": piece}) for piece in _split(content, self.chunk_size)]
        calls = step.get("tool_calls") or []
        for index, call in enumerate(calls):
            call_id = call.get("id", f"call_{uuid.uuid4().hex[:8]}")
            head = {"index": index, "id": call_id, "type": "function"}
            out.append(
                chunk(
                    {"tool_calls": [{**head, "function": {"name": call["name"], "arguments": ""}}]}
                )
            )
            for piece in _split(self._arguments(call), self.chunk_size):
                out.append(
                    chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
                )
        out.append(chunk({}, "tool_calls" if calls else "stop"))
        return out
