"""A scripted stand-in for RecAgent, only for protocol-level unit tests (SSE framing, error
mapping, session routing). The acceptance tests use the real agent on a real workspace."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


class FakeItem(BaseModel):
    item_id: str
    title: str
    explanation: str
    evidence: list[dict[str, Any]] = []
    score: float = 0.0
    attributes: dict[str, Any] = {}


class FakeReply(BaseModel):
    text: str
    items: list[FakeItem] = []
    trace: list[dict[str, Any]] = []
    backend: str = "fake"
    fallback: bool = False
    fallback_reason: str | None = None
    grounded: bool = True


@dataclass
class FakeEvent:
    kind: str
    text: str = ""
    data: Any = None


class UnknownSessionError(KeyError):
    """Raised for a session id the fake never issued."""


@dataclass
class FakeAgent:
    """Answers 'you said: TEXT' in word tokens, with one item per turn; records calls."""

    backend_name: str = "fake"
    sessions: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    feedback_log: list[tuple[str, str, Any]] = field(default_factory=list)
    fail_stream_after: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    owners: dict[str, str | None] = field(default_factory=dict)

    def new_session(
        self,
        user_id: str | None = None,
        *,
        owner: str | None = None,
        session_id: str | None = None,
        ttl_s: float | None = None,
    ) -> str:
        session_id = session_id or uuid.uuid4().hex
        with self.lock:
            self.sessions.setdefault(session_id, [])
            self.owners.setdefault(session_id, owner)
        return session_id

    def _history(self, session_id: str) -> list[dict[str, str]]:
        if session_id not in self.sessions:
            raise UnknownSessionError(f"unknown session '{session_id}'")
        return self.sessions[session_id]

    def _reply(self, session_id: str, text: str) -> FakeReply:
        history = self._history(session_id)
        answer = f"you said: {text} (turn {len(history) // 2 + 1})"
        history += [{"role": "user", "content": text}, {"role": "assistant", "content": answer}]
        item = FakeItem(item_id="i1", title="Item One", explanation=f"because {text}", score=1.0)
        return FakeReply(text=answer, items=[item], trace=[{"tool": "echo"}])

    def chat(self, session_id: str, text: str) -> FakeReply:
        self.sessions.setdefault(session_id, [])  # like RecAgent: created on first use
        return self._reply(session_id, text)

    def stream(self, session_id: str, text: str) -> Iterator[FakeEvent]:
        self.sessions.setdefault(session_id, [])
        reply = self._reply(session_id, text)
        yield FakeEvent("tool_start", data={"tool": "echo"})
        for n, word in enumerate(reply.text.split(" ")):
            if self.fail_stream_after is not None and n >= self.fail_stream_after:
                raise RuntimeError("backend exploded")
            yield FakeEvent("token", text=word if n == 0 else " " + word)
        yield FakeEvent("items", data=reply.items)
        yield FakeEvent("done", data=reply)

    def recommend(self, session_id, k=10, query=None, filters=None) -> list[FakeItem]:
        self._history(session_id)
        return [
            FakeItem(item_id=f"i{n}", title=f"Item {n}", explanation="fake", score=1.0 / n)
            for n in range(1, k + 1)
        ]

    def explain(self, session_id: str, item_id: str) -> dict[str, Any]:
        self._history(session_id)
        if item_id.startswith("missing"):
            raise KeyError(f"unknown item '{item_id}'")
        return {"item_id": item_id, "text": f"{item_id} is fine"}

    def feedback(self, session_id: str, item_id: str, value: Any) -> dict[str, Any]:
        self._history(session_id)
        self.feedback_log.append((session_id, item_id, value))
        return {"recorded": True, "item_id": item_id, "value": value}

    def session_state(self, session_id: str) -> dict[str, Any]:
        history = list(self._history(session_id))
        return {"messages": history, "owner": self.owners.get(session_id)}

    def reset(self, session_id: str) -> None:
        self._history(session_id).clear()

    def close(self) -> None:
        pass
