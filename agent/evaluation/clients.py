"""Ways for the simulated user to reach an agent: in process (Python API) or over HTTP (OpenAI).

Both give the same `AgentTurn` (answer text, recommended item ids in order, grounded flag,
latency measured around the call), so a dialogue run does not care how the agent is reached.

    client = PythonAgentClient.open(workspace_path, llm="rule")
    client = OpenAIAgentClient("http://127.0.0.1:7860", api_key=None)
    conversation = client.start()
    turn = client.send(conversation, "Can you recommend something? I'd like drama.")
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class AgentTurn:
    """The agent's answer to one user message, as the evaluation sees it."""

    text: str
    item_ids: tuple[str, ...]
    grounded: bool | None
    latency_ms: float
    fallback: bool = False


class AgentClient(Protocol):
    """Something that holds conversations with the agent."""

    name: str

    def start(self) -> str:
        """Begin a conversation; returns its id."""
        ...

    def send(self, conversation: str, text: str) -> AgentTurn:
        """One user message in a conversation; the agent's answer."""
        ...

    def close(self) -> None:
        """Release what the client holds."""
        ...


class AgentUnavailableError(RuntimeError):
    """The agent could not be reached or answered with an error."""


class PythonAgentClient:
    """Talks to a `RecAgent` in this process; sessions live in a private temporary folder."""

    def __init__(self, agent: Any, *, owned_dir: Path | None = None) -> None:
        self.agent = agent
        self.name = f"python ({agent.backend_name})"
        self._owned_dir = owned_dir

    @classmethod
    def open(cls, workspace: str | Path, llm: str | None = "rule") -> PythonAgentClient:
        """Build an agent over a workspace, keeping its sessions out of the workspace's state."""
        from agent.api import RecAgent

        folder = Path(tempfile.mkdtemp(prefix="whyrec-sim-"))
        try:
            agent = RecAgent.from_workspace(workspace, llm=llm, state_dir=folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return cls(agent, owned_dir=folder)

    def start(self) -> str:
        """A fresh anonymous session."""
        return self.agent.new_session()

    def send(self, conversation: str, text: str) -> AgentTurn:
        """One `chat` call, timed."""
        started = time.perf_counter()
        reply = self.agent.chat(conversation, text)
        ms = (time.perf_counter() - started) * 1000
        return AgentTurn(
            text=reply.text,
            item_ids=tuple(i.item_id for i in reply.items),
            grounded=reply.grounded,
            latency_ms=ms,
            fallback=reply.fallback,
        )

    def close(self) -> None:
        """Close the agent and remove the session folder this client made."""
        if self._owned_dir is not None:
            self.agent.close()
            shutil.rmtree(self._owned_dir, ignore_errors=True)
            self._owned_dir = None


class OpenAIAgentClient:
    """Talks to `whyrec serve` through POST /v1/chat/completions, one `user` per dialogue.

    The server keeps the memory of the session the `user` field names (creating it on first
    sight), so only the new user message is sent; items come back in the `whyrec` extension
    field of the completion.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 120.0,
        model: str = "whyrec",
        http: Any = None,
    ) -> None:
        import httpx

        root = base_url.rstrip("/")
        self.url = (root if root.endswith("/v1") else root + "/v1") + "/chat/completions"
        self.model = model
        self.name = f"openai ({root})"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = http if http is not None else httpx.Client(timeout=timeout_s, headers=headers)
        self._owns_http = http is None

    def start(self) -> str:
        """A new conversation name (the server makes a session for it on first use)."""
        return "sim-" + uuid.uuid4().hex

    def send(self, conversation: str, text: str) -> AgentTurn:
        """One non-streamed completion, timed."""
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": text}],
            "user": conversation,
        }
        started = time.perf_counter()
        try:
            response = self._http.post(self.url, json=body)
        except Exception as exc:  # connection refused, timeout: say where, not a stack trace
            raise AgentUnavailableError(f"could not reach {self.url}: {exc}") from exc
        ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise AgentUnavailableError(
                f"{self.url} answered {response.status_code}: {response.text[:300]}"
            )
        payload = response.json()
        message = payload["choices"][0]["message"].get("content") or ""
        extension = payload.get("whyrec") or {}
        items = tuple(str(i.get("item_id")) for i in extension.get("items") or [])
        return AgentTurn(
            text=message,
            item_ids=items,
            grounded=extension.get("grounded"),
            latency_ms=ms,
            fallback=bool(extension.get("fallback", False)),
        )

    def close(self) -> None:
        """Close the HTTP client when this object made it."""
        if self._owns_http:
            self._http.close()
