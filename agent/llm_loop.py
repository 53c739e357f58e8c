"""The LLM-driven turn: a langchain `create_agent` graph over the tools, with its guard rails.

One compiled graph serves every session: the session id is the checkpointer's thread, the
turn's `TurnContext` is the run context (tools read it), and the system prompt (from
`prompts/system.md`) is filled per call with the catalog's attributes, the causal variables
and the session's memory. Guard rails: a bound on model calls per turn, long histories
summarised, a malformed tool call re-asked once, and the reply's titles and numbers checked
against this turn's tool results (re-asked once when they are not). What still fails is
raised as `LLMTurnError`, and the caller completes the turn with the rule planner.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from agent.grounding import GroundingChecker, GroundingReport
from agent.toolkit import TurnContext, langchain_tools

logger = logging.getLogger(__name__)

MAX_MODEL_CALLS = 8  # per turn: tool rounds plus the answer
SUMMARISE_AFTER_MESSAGES = 40
KEEP_MESSAGES = 16


class LLMTurnError(RuntimeError):
    """The language model could not complete the turn (down, slow, malformed, looping)."""


@dataclass
class LLMTurn:
    """What the model produced: the final text and how it got there."""

    text: str
    grounding: GroundingReport
    first_pass_grounded: bool
    reasked_grounding: bool = False
    reask_grounded: bool | None = None  # the re-asked answer's check (None: no re-ask)
    reasked_malformed: bool = False
    model_calls: int = 0
    notes: list[str] = field(default_factory=list)


def load_system_template() -> str:
    """The system prompt template shipped with the package."""
    return resources.files("agent").joinpath("prompts/system.md").read_text(encoding="utf-8")


class LLMLoop:
    """Runs turns through a tool-calling chat model with a persistent checkpointer."""

    def __init__(
        self,
        model: Any,
        checkpointer: Any,
        *,
        render_prompt: Callable[[TurnContext], str],
        checker: GroundingChecker,
        max_model_calls: int = MAX_MODEL_CALLS,
        summarise: bool = True,
    ) -> None:
        from langchain.agents import create_agent
        from langchain.agents.middleware import (
            ModelCallLimitMiddleware,
            ModelRequest,
            SummarizationMiddleware,
            dynamic_prompt,
        )

        @dynamic_prompt
        def system_prompt(request: ModelRequest) -> str:
            return render_prompt(request.runtime.context)

        middleware: list[Any] = [
            system_prompt,
            ModelCallLimitMiddleware(run_limit=max_model_calls, exit_behavior="error"),
        ]
        if summarise:
            middleware.append(
                SummarizationMiddleware(
                    model,
                    trigger=("messages", SUMMARISE_AFTER_MESSAGES),
                    keep=("messages", KEEP_MESSAGES),
                )
            )
        self.model = model
        self.checker = checker
        self.max_model_calls = max_model_calls
        self.graph = create_agent(
            model,
            tools=langchain_tools(),
            middleware=middleware,
            context_schema=TurnContext,
            checkpointer=checkpointer,
        )

    def _config(self, session_id: str) -> dict[str, Any]:
        return {
            "configurable": {"thread_id": session_id},
            "recursion_limit": 2 * self.max_model_calls + 4,
        }

    def _run(
        self, ctx: TurnContext, messages: list[Any], on_token: Callable[[str], None] | None
    ) -> Any:
        """One graph run; streams the model's tokens when asked; returns the last AI message."""
        from langchain_core.messages import AIMessage, AIMessageChunk

        config = self._config(ctx.state.session_id)
        payload = {"messages": messages}
        if on_token is None:
            result = self.graph.invoke(payload, config=config, context=ctx, durability="exit")
            final = result["messages"][-1]
        else:
            for chunk, meta in self.graph.stream(
                payload, config=config, context=ctx, stream_mode="messages", durability="exit"
            ):
                if (
                    isinstance(chunk, AIMessageChunk)
                    and meta.get("langgraph_node") == "model"
                    and chunk.text
                ):
                    on_token(chunk.text)
            state = self.graph.get_state(config)
            final = state.values["messages"][-1]
        if not isinstance(final, AIMessage):
            raise LLMTurnError(f"the turn ended on a {type(final).__name__}, not an answer")
        return final

    def turn(
        self, ctx: TurnContext, text: str, on_token: Callable[[str], None] | None = None
    ) -> LLMTurn:
        """Run one user turn; LLMTurnError when the model cannot produce a usable answer."""
        from langchain_core.messages import HumanMessage

        notes: list[str] = []
        try:
            final = self._run(ctx, [HumanMessage(text)], on_token)
            reasked_malformed = False
            if final.invalid_tool_calls and not final.tool_calls:
                problems = "; ".join(
                    f"{c.get('name') or '?'}: {c.get('error') or 'unparseable'}"
                    for c in final.invalid_tool_calls
                )
                notes.append(f"malformed tool call re-asked ({problems})")
                reasked_malformed = True
                final = self._run(
                    ctx,
                    [
                        HumanMessage(
                            "Your last tool call could not be parsed "
                            f"({problems}). Call the tool again with valid JSON arguments."
                        )
                    ],
                    on_token,
                )
                if final.invalid_tool_calls and not final.tool_calls:
                    raise LLMTurnError(f"tool call malformed twice: {problems}")
            answer = final.text.strip()
            if not answer:
                raise LLMTurnError("the model returned an empty answer")
            sources = [text, *ctx.bus.sources()]
            report = self.checker.check(answer, sources)
            first_pass = report.ok
            reasked = False
            reask_grounded: bool | None = None
            if not report.ok:
                reasked = True
                notes.append("ungrounded answer re-asked: " + report.hint())
                if on_token:
                    on_token("\n\n(Correction) ")
                final = self._run(ctx, [HumanMessage(report.hint())], on_token)
                retry = final.text.strip()
                if retry:  # an empty re-ask leaves the first answer, still ungrounded
                    report = self.checker.check(retry, [text, *ctx.bus.sources()])
                    answer = retry
                else:
                    notes.append("the re-ask came back empty")
                reask_grounded = bool(retry) and report.ok
        except LLMTurnError:
            raise
        except Exception as exc:  # any model/transport failure: the caller falls back
            logger.warning("LLM turn failed: %s", type(exc).__name__)
            logger.debug("LLM turn failure", exc_info=True)
            raise LLMTurnError(_describe(exc)) from exc
        return LLMTurn(
            text=answer,
            grounding=report,
            first_pass_grounded=first_pass,
            reasked_grounding=reasked,
            reask_grounded=reask_grounded,
            reasked_malformed=reasked_malformed,
            notes=notes,
        )

    def forget(self, session_id: str) -> None:
        """Drop a session's message history from the checkpointer."""
        saver = self.graph.checkpointer
        if saver is not None and hasattr(saver, "delete_thread"):
            saver.delete_thread(session_id)


def _describe(exc: BaseException) -> str:
    """A short, secret-free description of why the model failed."""
    name = type(exc).__name__
    lowered = name.lower()
    if "timeout" in lowered:
        return "the language model timed out"
    if "connection" in lowered or "connect" in str(exc).lower()[:200]:
        return "the language model endpoint is unreachable"
    if "limit" in lowered or "recursion" in lowered:
        return "the language model kept calling tools without answering"
    if "status" in lowered or "api" in lowered:
        return f"the language model endpoint returned an error ({name})"
    return f"the language model failed ({name})"


def stream_with_events(
    run: Callable[[Callable[[str], None], Callable[[str, dict[str, Any]], None]], Any],
) -> Iterator[tuple[str, Any]]:
    """Run `run(on_token, on_event)` in a thread and yield ('token'|'event'|'result'|'error', x)."""
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def work() -> None:
        try:
            result = run(
                lambda t: events.put(("token", t)),
                lambda kind, data: events.put(("event", (kind, data))),
            )
            events.put(("result", result))
        except BaseException as exc:
            events.put(("error", exc))

    thread = threading.Thread(target=work, daemon=True, name="whyrec-turn")
    thread.start()
    while True:
        kind, payload = events.get()
        yield kind, payload
        if kind in ("result", "error"):
            break
    thread.join()
