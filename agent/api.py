"""The Python API of the conversational agent: `RecAgent`, built from a workspace.

Contract (the HTTP/MCP/Gradio layers and `whyrec chat` call exactly this)::

    agent = RecAgent.from_workspace(path, llm=None, *, state_dir=None)
        # llm: "rule" | "openai:URL[#MODEL]" | "hf:MODEL_OR_PATH"; None -> $WHYREC_LLM or "rule".
        # Sessions persist in SQLite under state_dir (default <workspace>/state/), or in
        # PostgreSQL when $WHYREC_STATE_URL names one (agent.state_pg; shared by replicas).
    agent.backend_name: str                                   # shown in UI banners (no secrets)
    agent.new_session(user_id=None) -> str                    # user_id: a dataset user, or None
    agent.chat(session_id, text) -> Reply                     # one turn
    agent.stream(session_id, text) -> Iterator[AgentEvent]    # token/tool_start/tool_end/items/done
    agent.recommend(session_id, k=10, query=None, filters=None) -> list[RecItem]
    agent.explain(session_id, item_id) -> Explanation
    agent.feedback(session_id, item_id, "like" | "dislike" | "seen" | rating) -> FeedbackResult
    agent.session_state(session_id) -> SessionState           # liked, disliked, constraints, shown, turns
    agent.reset(session_id) -> None
    agent.new_session(user_id, owner=KEY_ID, session_id=ID, ttl_s=S)  # optional keywords
    agent.export_user(user) -> dict / agent.forget_user(user) -> dict  # see agent.retention
    agent.expire_sessions() -> int                            # drops idle sessions (TTL)
    agent.grounding_stats() -> dict                           # grounding rate of this process
    agent.close() -> None

`Reply`: text, items [RecItem: item_id, title, explanation, evidence, score, attributes],
trace [TraceStep], backend, fallback (+ fallback_reason), grounded. The last `AgentEvent` of a
stream is `done` with the Reply as `data`.

Errors: a malformed session id, empty or too long text, bad filters or feedback values raise
ValueError subclasses; an unknown session (for session_state/explain/feedback/recommend on a
session never used) raises `UnknownSessionError`, an unknown item `UnknownItemError` and a
user the dataset does not know `UnknownUserError` (all KeyError). `chat` and `stream` create a session on first use of a well-formed id. LLM
trouble never raises: the turn is completed by the rule planner and the reply says so.

Sessions are isolated (each has its own memory row and checkpointer thread), turns of one
session are serialised by a per-session lock, and everything is safe to call from many
threads. Secrets (API keys) are never logged or shown.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.backends import BackendSpec, make_chat_model, parse_backend_spec
from agent.grounding import GroundingChecker
from agent.llm_loop import LLMLoop, LLMTurn, LLMTurnError, load_system_template, stream_with_events
from agent.memory import (
    SessionState,
    UnknownItemError,
    UnknownSessionError,
    UnknownUserError,
    check_session_id,
    new_session_id,
    session_ttl_from_env,
)
from agent.models import (
    AgentEvent,
    EventKind,
    Evidence,
    Explanation,
    FeedbackResult,
    RecItem,
    Reply,
    TraceStep,
)
from agent.nlu import is_reset_command
from agent.planner import (
    IntentClassifier,
    RulePlanner,
    memory_lines,
    rec_item,
    templated_answer,
    update_memory,
)
from agent.retention import UserDataMixin
from agent.state_pg import open_checkpoints, open_session_store
from agent.text_vectors import TextVectorCache
from agent.toolkit import CandidateBus, TurnContext, run_tool, tool_context
from agent.vocab import Vocabulary, domain_of
from tools.registry import get_tool
from tools.schemas import FeedbackValue, Recommendations, ToolError

if TYPE_CHECKING:
    from tools.protocols import Workspace

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

__all__ = [
    "AgentEvent",
    "Evidence",
    "Explanation",
    "FeedbackResult",
    "RecAgent",
    "RecItem",
    "Reply",
    "SessionState",
    "TraceStep",
    "UnknownItemError",
    "UnknownSessionError",
    "UnknownUserError",
]


def clean_text(text: object) -> str:
    """User text made safe to process: a non-empty string without control characters."""
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text is not valid Unicode (it contains a lone surrogate)") from None
    cleaned = _CONTROL.sub(" ", text).strip()
    if not cleaned:
        raise ValueError("text is empty")
    if len(cleaned) > MAX_TEXT_CHARS:
        raise ValueError(
            f"text is too long ({len(cleaned)} characters; the limit is {MAX_TEXT_CHARS})"
        )
    return cleaned


def _workspace_graph(workspace: Workspace) -> Any:
    """The workspace's causal graph, or None when it has none (yet)."""
    try:
        return getattr(workspace, "graph", None)
    except Exception:  # a broken or missing artifact must not stop the agent
        logger.warning("could not load the causal graph; graph questions are unavailable")
        return None


class RecAgent(UserDataMixin):
    """A conversational recommender over one workspace (see the module docstring)."""

    def __init__(
        self,
        workspace: Workspace,
        spec: BackendSpec,
        *,
        state_dir: Path,
        chat_model: Any = None,
        max_model_calls: int | None = None,
    ) -> None:
        self.workspace = workspace
        self.spec = spec
        dataset = workspace.dataset
        source = str(getattr(workspace, "manifest", {}).get("source", "") or dataset.name)
        self.vocab = Vocabulary.from_dataset(dataset, source)
        self.checker = GroundingChecker(self.vocab)
        self._vectors = TextVectorCache(self._encode)  # repeated turns skip the encoder
        graph = _workspace_graph(workspace)
        variables = list(graph.nodes) if graph is not None else self._dataset_variables()
        outcomes = [o for o in dataset.schema.outcomes if o in variables] or [
            v for v in ("rating", "clicked") if v in variables
        ]
        self.variables = variables
        self.planner = RulePlanner(
            workspace,
            self.vocab,
            variables=variables,
            outcomes=outcomes,
            classifier=IntentClassifier(self._embed),
            domain=domain_of(source),
        )
        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # conversations: owner only
        self.state_dir = state_dir
        self.store = open_session_store(state_dir, session_ttl_from_env())
        self._checkpoint_conn: sqlite3.Connection | None = None
        self.llm: LLMLoop | None = None
        self._template = load_system_template()
        self._stats_lock = threading.Lock()
        self._stats = {
            "llm_turns": 0,
            "llm_first_pass_grounded": 0,
            "llm_grounded_after_reask": 0,
            "llm_templated": 0,
            "fallback_turns": 0,
            "rule_turns": 0,
            "rule_grounded": 0,
        }
        if spec.is_llm:
            model = chat_model if chat_model is not None else make_chat_model(spec)
            saver, self._checkpoint_conn = open_checkpoints(state_dir)
            kwargs = {} if max_model_calls is None else {"max_model_calls": max_model_calls}
            self.llm = LLMLoop(
                model, saver, render_prompt=self._render_prompt, checker=self.checker, **kwargs
            )

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_workspace(
        cls,
        path: str | Path,
        llm: str | None = None,
        *,
        state_dir: Path | None = None,
        chat_model: Any = None,
    ) -> RecAgent:
        """Open a workspace and build the agent; `chat_model` overrides the backend's model."""
        from tools.workspace import Workspace

        workspace = Workspace.open(path)
        spec = parse_backend_spec(llm)
        if chat_model is not None and not spec.is_llm:
            raise ValueError("chat_model needs an LLM backend spec (openai:... or hf:...)")
        folder = Path(state_dir) if state_dir is not None else workspace.state_dir
        agent = cls(workspace, spec, state_dir=folder, chat_model=chat_model)
        from tools.background import start_background

        start_background(agent.warm_up, "whyrec-warm-up")
        return agent

    def warm_up(self) -> None:
        """Load the embedding model, the catalog snapshot, the ranker and the causal artefacts
        now (in the background from `from_workspace`) rather than on the first turn."""
        ws = self.workspace
        try:
            ws.catalog.warm_up()
            has_step = getattr(ws, "has_step", None)
            if has_step is not None and has_step("ranker"):
                ws.ranker.top_items(None, 1)  # also its catalogue-wide means, made once
            _ = getattr(ws, "causal", None)
            if self.planner.classifier is not None:  # the intent classifier's fit (seconds)
                self.planner.classifier.warm_up()
            if getattr(self.planner, "verdicts", None) is not None:  # the verdict model's fit
                self.planner.verdicts.warm_up()
            from tools.explain import item_stats
            from tools.item_table import item_table
            from tools.likeness import likeness

            item_table(ws)  # the item table and counts: ~2 s on a 100k-item catalogue
            item_stats(ws)
            likeness(ws)  # "like X" over the catalog's attributes: ~0.2 s on 100k items
        except Exception:  # warming is an optimisation; the first turn will report real errors
            logger.debug("warm-up failed", exc_info=True)

    @property
    def backend_name(self) -> str:
        """The active backend as people should see it (no credentials)."""
        return self.spec.display()

    def _dataset_variables(self) -> list[str]:
        data = self.workspace.dataset
        names = [*data.item_attributes, *data.user_attributes, *data.interactions.columns]
        return [c for c in dict.fromkeys(names) if c not in ("user_id", "item_id")]

    def _embed(self, texts: list[str]) -> Any:
        return self._vectors(texts)

    def _encode(self, texts: list[str]) -> Any:
        return self.workspace.catalog.embedder.encode(texts)

    def _render_prompt(self, ctx: TurnContext) -> str:
        catalog = self.workspace.catalog
        try:
            attributes = catalog.describe_schema(max_values=25)
        except Exception:  # an old catalog without a schema: list the dataset's columns
            attributes = "\n".join(f"- {a}" for a in self.workspace.dataset.item_attributes)
        lines = memory_lines(ctx.state, self.vocab)
        if ctx.state.last_shown:
            shown = ", ".join(
                f"{n}. {self.vocab.title_of(i)} ({i})"
                for n, i in enumerate(ctx.state.last_shown[:10], 1)
            )
            lines.append(f"last shown: {shown}")
        if ctx.state.summary:
            lines.append("earlier in this conversation:\n" + ctx.state.summary[-1500:])
        return self._template.format(
            catalog=self.workspace.name,
            item_noun="items",
            attributes=attributes,
            variables=", ".join(self.variables) or "(none)",
            memory="\n".join(f"- {line}" for line in lines) or "- nothing yet",
        )

    # -- sessions --------------------------------------------------------------------------

    def new_session(
        self,
        user_id: str | None = None,
        *,
        owner: str | None = None,
        session_id: str | None = None,
        ttl_s: float | None = None,
    ) -> str:
        """Start a session, optionally for a known dataset user (personalised ranking).

        `owner` (an API key id or UI login) is stored with it for the HTTP layers' access check;
        `session_id` names it (a conversation derived from an OpenAI `user`), and an existing
        one is kept; `ttl_s` overrides the store's idle time to live.
        """
        if user_id is not None:
            self.require_user(user_id)
        session_id = check_session_id(session_id) if session_id else new_session_id()
        with self.store.session_lock(session_id):
            if self.store.load(session_id) is None:
                state = SessionState(session_id=session_id, user_id=user_id, owner=owner)
                state.ttl_s = ttl_s
                self.store.save(state)
        return session_id

    def _existing(self, session_id: str) -> SessionState:
        state = self.store.load(check_session_id(session_id))
        if state is None:
            raise UnknownSessionError(
                f"unknown session '{session_id}': create one with new_session() or chat()"
            )
        return state

    def session_state(self, session_id: str) -> SessionState:
        """A session's memory: liked, disliked, constraints, shown, turns."""
        return self._existing(session_id)

    def reset(self, session_id: str) -> None:
        """Forget a session's memory and history (its user stays)."""
        with self.store.session_lock(check_session_id(session_id)):
            state = self._existing(session_id)
            self.store.save(SessionState(session_id=session_id, user_id=state.user_id))
            if self.llm is not None:
                self.llm.forget(session_id)

    def close(self) -> None:
        """Release the session database and the checkpointer."""
        self.store.close()
        if self._checkpoint_conn is not None:
            self._checkpoint_conn.close()

    def grounding_stats(self) -> dict[str, float | int]:
        """How often answers were grounded: LLM first pass, after one re-ask, and the rule path."""
        with self._stats_lock:
            stats: dict[str, float | int] = dict(self._stats)
        llm = stats["llm_turns"]
        rule = stats["rule_turns"]
        if llm:
            stats["llm_grounding_rate"] = (
                stats["llm_first_pass_grounded"] + stats["llm_grounded_after_reask"]
            ) / llm
        if rule:
            stats["rule_grounding_rate"] = stats["rule_grounded"] / rule
        return stats

    def _count(self, **deltas: int) -> None:
        with self._stats_lock:
            for key, value in deltas.items():
                self._stats[key] += value

    # -- turns -----------------------------------------------------------------------------

    def chat(self, session_id: str, text: str) -> Reply:
        """Answer one user turn."""
        text = clean_text(text)
        with self.store.session_lock(check_session_id(session_id)):
            state = self.store.get(session_id)
            reply = self._turn(state, text)
            self.store.save(state)
        return reply

    def stream(self, session_id: str, text: str) -> Iterator[AgentEvent]:
        """Answer one turn as events: tokens and tool calls as they happen, then items and done."""
        text = clean_text(text)
        check_session_id(session_id)
        return self._stream(session_id, text)

    def _stream(self, session_id: str, text: str) -> Iterator[AgentEvent]:
        with self.store.session_lock(session_id):
            state = self.store.get(session_id)
            if self.llm is None:
                events: list[tuple[str, dict[str, Any]]] = []
                reply = self._turn(state, text, on_event=lambda k, d: events.append((k, d)))
                self.store.save(state)
                for kind, data in events:
                    yield AgentEvent(kind=EventKind(kind), data=data)
                # The planner's reply is whole at once: stream it a line at a time (word-sized
                # events cost the server more than the turn itself: an SSE event each).
                for piece in re.findall(r"[^\n]*\n+|[^\n]+", reply.text):
                    yield AgentEvent(kind=EventKind.TOKEN, text=piece)
            else:
                reply = None
                for kind, payload in stream_with_events(
                    lambda on_token, on_event: self._turn(state, text, on_token, on_event)
                ):
                    if kind == "token":
                        yield AgentEvent(kind=EventKind.TOKEN, text=payload)
                    elif kind == "event":
                        yield AgentEvent(kind=EventKind(payload[0]), data=payload[1])
                    elif kind == "result":
                        reply = payload
                    else:
                        raise payload
                self.store.save(state)
            if reply.items:
                yield AgentEvent(kind=EventKind.ITEMS, data=reply.items)
            yield AgentEvent(kind=EventKind.DONE, data=reply)

    def _turn(
        self,
        state: SessionState,
        text: str,
        on_token: Callable[[str], None] | None = None,
        on_event: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> Reply:
        started = time.perf_counter()
        ctx = TurnContext(state=state, workspace=self.workspace, on_event=on_event)
        fallback_reason: str | None = None
        if self.llm is not None and not is_reset_command(text):
            # The LLM path: memory comes from the model's own tool calls (agent.tool_memory),
            # never from re-reading the user's words.
            try:
                llm_turn = self.llm.turn(ctx, text, on_token)
            except LLMTurnError as exc:
                fallback_reason = str(exc)
                self._count(fallback_turns=1)
            else:
                trace = [TraceStep(kind="intent", name="llm")]
                reply = self._llm_reply(ctx, llm_turn, text, trace)
                return self._finish(state, text, reply, started)
        parse = self.planner.read(state, text)  # the rule path (no LLM, a reset, a fallback)
        notes = update_memory(ctx, parse, self.vocab)
        trace = [TraceStep(kind="intent", name=",".join(i.value for i in parse.intents) or "none")]
        planned = self.planner.respond(ctx, parse, notes)
        reply_text = planned.text
        if fallback_reason:
            reply_text = f"({fallback_reason}; the rule planner answered.) {reply_text}"
            if on_token:
                on_token("\n\n" + reply_text)
        report = self.checker.check(planned.text, [text, *ctx.bus.sources()])
        self._count(rule_turns=1, rule_grounded=int(report.ok))
        trace += self._tool_trace(ctx.bus)
        if fallback_reason:
            trace.append(TraceStep(kind="fallback", name="rule", ok=False, detail=fallback_reason))
        trace.append(self._grounding_step(report))
        reply = Reply(
            text=reply_text,
            items=planned.items,
            trace=trace,
            backend=self.backend_name,
            fallback=fallback_reason is not None,
            fallback_reason=fallback_reason,
            grounded=report.ok,
        )
        return self._finish(state, text, reply, started)

    def _finish(self, state: SessionState, text: str, reply: Reply, started: float) -> Reply:
        state.add_turn("user", text, [])
        state.add_turn("assistant", reply.text, [i.item_id for i in reply.items])
        reply.session_id = state.session_id
        reply.trace.append(
            TraceStep(
                kind="turn", name="total", ms=round((time.perf_counter() - started) * 1000, 2)
            )
        )
        return reply

    @staticmethod
    def _tool_trace(bus: CandidateBus) -> list[TraceStep]:
        return [
            TraceStep(
                kind="tool",
                name=r.name,
                args=r.args,
                ok=r.ok,
                ms=round(r.ms, 2),
                detail=r.error or "",
            )
            for r in bus.records
        ]

    @staticmethod
    def _grounding_step(report: Any) -> TraceStep:
        detail = "" if report.ok else report.hint()
        return TraceStep(kind="grounding", name="check", ok=report.ok, detail=detail)

    def _llm_reply(
        self, ctx: TurnContext, turn: LLMTurn, user_text: str, trace: list[TraceStep]
    ) -> Reply:
        """Reply from the model's answer; a still-ungrounded answer becomes the templated one."""
        items = self._items_for(ctx, turn.text)
        text = turn.text
        grounded = turn.grounding.ok
        self._count(
            llm_turns=1,
            llm_first_pass_grounded=int(turn.first_pass_grounded),
            llm_grounded_after_reask=int(turn.reasked_grounding and grounded),
        )
        trace += self._tool_trace(ctx.bus)
        for note in turn.notes:
            trace.append(TraceStep(kind="llm", name="repair", detail=note))
        if not grounded:
            self._count(llm_templated=1)
            text = templated_answer(ctx.bus, items)
            report = self.checker.check(text, [user_text, *ctx.bus.sources()])
            grounded = report.ok
            trace.append(
                TraceStep(
                    kind="grounding", name="templated", ok=grounded, detail=turn.grounding.hint()
                )
            )
        else:
            trace.append(self._grounding_step(turn.grounding))
        if items:
            ctx.state.remember_shown([i.item_id for i in items])
        return Reply(
            text=text,
            items=items,
            trace=trace,
            backend=self.backend_name,
            grounded=grounded,
            grounded_first_pass=turn.first_pass_grounded,
            grounded_after_reask=turn.first_pass_grounded or bool(turn.reask_grounded),
        )

    def _items_for(self, ctx: TurnContext, answer: str) -> list[RecItem]:
        """The items a model's answer is about: those it names, else the last list it fetched."""
        bus = ctx.bus
        if not bus.last_list:
            return []
        lowered = answer.lower()
        named = [i for i in bus.last_list if bus.items[i].title.lower() in lowered]
        chosen = named or bus.last_list[: self.planner.k]
        out = []
        for item_id in chosen:
            explanation = bus.explanations.get(item_id)
            if explanation is None:
                result = run_tool(ctx, get_tool("explain"), {"item_id": item_id}).result
                explanation = result if isinstance(result, Explanation) else None
            out.append(rec_item(bus.items[item_id], explanation))
        return out

    # -- direct calls ------------------------------------------------------------------------

    def _call(self, state: SessionState, name: str, args: dict[str, Any]) -> Any:
        """Run a tool directly for an API caller; its ToolError becomes a caller error."""
        spec = get_tool(name)
        try:
            return spec.call(tool_context(self.workspace, state), args)
        except ToolError as exc:
            if "unknown item" in exc.message:
                raise UnknownItemError(exc.message) from None
            raise ValueError(str(exc)) from None

    def recommend(
        self,
        session_id: str,
        k: int = 10,
        query: str | None = None,
        filters: dict[str, Any] | None = None,
        without: list[str] | None = None,
    ) -> list[RecItem]:
        """A ranked list for the session (its exclusions apply), with explanations.

        `without`: item ids scored as if absent from the user's history (a counterfactual
        check; such a call leaves the session's shown items alone).
        """
        if not isinstance(k, int) or not 1 <= k <= 50:
            raise ValueError("k must be an integer from 1 to 50")
        if query is not None:
            query = clean_text(query)
        with self.store.session_lock(check_session_id(session_id)):
            state = self.store.get(session_id)
            args: dict[str, Any] = {"k": k, "query": query, "filters": filters}
            if without:
                args["without"] = [str(i) for i in without]
            result = self._call(state, "recommend", args)
            if not isinstance(result, Recommendations):
                return []
            items = [
                rec_item(s, self._call(state, "explain", {"item_id": s.item_id}))
                for s in result.items
            ]
            if not without:
                state.remember_shown([i.item_id for i in items])
                self.store.save(state)
        return items

    def explain(self, session_id: str, item_id: str) -> Explanation:
        """Why an item suits this session's user."""
        state = self._existing(session_id)
        return self._call(state, "explain", {"item_id": str(item_id)})

    def feedback(self, session_id: str, item_id: str, value: FeedbackValue) -> FeedbackResult:
        """Record like / dislike / seen / a 1-5 rating for an item."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError("value must be 'like', 'dislike', 'seen' or a rating 1-5")
        with self.store.session_lock(check_session_id(session_id)):
            state = self.store.get(session_id)
            ack = self._call(state, "record_feedback", {"item_id": str(item_id), "value": value})
            state.set_feedback(ack.item_id, ack.kind)
            self.store.save(state)
        return FeedbackResult(**ack.model_dump())
