"""The web UI (Gradio Blocks, mounted at /).

A newcomer sees, before typing anything: what WhyRec is and which catalog it serves, who
answers (a language model or the rule planner, in words), example prompts drawn from the
catalog's own attributes, and the whole causal graph. Each answer is short in the chat (a lead
line and one reason per item); the item cards carry the details behind "Why exactly?"; the
graph highlights the path behind the answer and the effect chart appears when an effect is
part of the answer. Like/dislike re-rank the picks and say so in the chat.

User text is shown as text: the chat renders markdown, so every message is escaped first
(no remote images, no live links; ui.cards.safe_markdown).

Everything goes through the same AgentService as the HTTP API. Gradio names API endpoints after
the functions: `/respond` drives the chat panel, `/new_session` starts over, and `/ask` is the
endpoint for programs (gradio_client): one turn in, the answer with its items as JSON out.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from ui.cards import CARD_CSS, card_html, main_reason, safe_markdown, short_reply, streaming_reply
from ui.causal_view import CausalView
from ui.errors import ApiError, BadRequest, NotFound, TooLarge
from ui.intro import example_prompts, header_markdown
from ui.payloads import field, item_payload, reply_payload, to_jsonable
from ui.service import AgentService
from ui.why import answer_path, banner_markdown, cited_effect

logger = logging.getLogger(__name__)

UI_CSS = (
    CARD_CSS
    + """
#whyrec-header h1 { margin: 0 0 4px 0; font-size: 1.6em; }
#whyrec-header p { margin: 2px 0; }
#whyrec-banner p { margin: 0; font-size: 0.92em; }
#whyrec-examples { align-items: center; gap: 6px; flex-wrap: wrap; justify-content: flex-start; }
#whyrec-examples > * { flex: 0 0 auto !important; width: auto !important; min-width: 0 !important; }
#whyrec-try p { margin: 0; }
#whyrec-graph img { object-fit: contain; }
@media (max-width: 640px) {
  #whyrec-header h1 { font-size: 1.25em; }
  #whyrec-chat { height: 300px !important; max-height: 300px; }
}
.whyrec-item .whyrec-like, .whyrec-item .whyrec-dislike { max-width: 140px; }
"""
)

MAX_CARDS = 10
STREAM_PUSH_S = 0.05  # at most ~20 chat updates a second while tokens stream
REFRESH_K = 10


def _png_to_image(data: bytes | None) -> Any:
    if not data:
        return None
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def graph_picture(causal: CausalView, path: list[str] | None = None) -> Any:
    """The causal graph as an image, `path` in red; None (logged) when there is none."""
    try:
        return _png_to_image(causal.graph_png(path))
    except ApiError as exc:
        logger.info("no causal graph: %s", exc.message)
    except Exception as exc:  # a broken causal model must not break the page
        logger.warning("could not draw the graph: %s", type(exc).__name__)
    return None


def why_pictures(causal: CausalView, reply: Any) -> tuple[Any, Any, str]:
    """(graph image with the answer's path, effect chart or None, caption) for an answer;
    best effort, never raises. The chart appears only when an effect is part of the answer."""
    try:
        graph = causal.graph()
    except ApiError as exc:
        return None, None, f"_No causal graph: {safe_markdown(exc.message)}_"
    except Exception as exc:
        logger.warning("causal graph unavailable: %s", type(exc).__name__)
        return None, None, "_The causal graph could not be loaded._"
    path = answer_path(reply, graph)
    caption: list[str] = []
    if path:
        caption.append("**Path behind this answer:** " + " → ".join(map(safe_markdown, path)))
    effect, pair = cited_effect(reply)
    if effect is None and pair is not None:
        effect = _pair_effect(causal, *pair)
    effect_image = None
    if effect is not None:
        try:
            effect_image = _png_to_image(causal.effect_png(effect))
        except Exception as exc:
            logger.warning("could not draw the effect: %s", type(exc).__name__)
        if effect.get("summary"):
            caption.append(safe_markdown(str(effect["summary"])))
    return graph_picture(causal, path), effect_image, "\n\n".join(caption)


def _pair_effect(causal: CausalView, treatment: str, outcome: str) -> dict[str, Any] | None:
    """The effect of `treatment` on `outcome` as the build stored it, else a fresh estimate."""
    stored = causal.stored_effect(treatment, outcome)
    if stored is not None:
        return stored
    try:
        return causal.effect(treatment, outcome)
    except ApiError:
        return None
    except Exception as exc:  # an estimator bug must not break the chat
        logger.warning("effect estimate failed: %s", type(exc).__name__)
        return None


def merge_items(
    shown: list[dict[str, Any]], reply_items: list[dict[str, Any]], recommended: bool
) -> list[dict[str, Any]]:
    """The cards after a turn: a new list when the turn recommended; when it only talked about
    items already on screen ("why the first one?"), the same cards with those items' fuller
    evidence and their details open."""
    if not reply_items and not recommended:  # a what-if or a question: the cards stay
        return shown
    if recommended or not shown:
        return reply_items[:MAX_CARDS]
    by_id = {str(i.get("item_id")): i for i in reply_items}
    if not set(by_id) <= {str(i.get("item_id")) for i in shown}:  # about other items: open them
        return [{**i, "_focus": True} for i in reply_items[:MAX_CARDS]]
    merged = []
    for item in shown:
        fresh = by_id.get(str(item.get("item_id")))
        if fresh is None:
            merged.append({**item, "_focus": False})
            continue
        kept = {k: v for k, v in fresh.items() if v not in (None, "", [], {})}
        merged.append({**item, **kept, "_focus": True})
    return merged


def _tool_steps(reply: Any, name: str) -> list[dict[str, Any]]:
    steps = to_jsonable(field(reply, "trace", None)) or []
    return [s for s in steps if isinstance(s, dict) and s.get("name") == name]


def recommend_args(reply: Any) -> dict[str, Any] | None:
    """The arguments of the turn's recommend call (query, filters), to re-rank after a like."""
    steps = _tool_steps(reply, "recommend")
    if not steps:
        return None
    args = steps[-1].get("args") or {}
    return {"query": args.get("query"), "filters": args.get("filters")}


def with_request(gr: Any, *handlers: Any) -> None:
    """Have Gradio pass each handler its `request` (the login behind session ownership); the
    annotation is set here because gradio is imported lazily."""
    for handler in handlers:
        handler.__annotations__["request"] = gr.Request


def feedback_note(verb: str, title: str, fresh: list[dict[str, Any]]) -> str:
    """What a like/dislike did, in words: recorded, and what the re-ranked list now starts with."""
    note = f"Noted: you {verb} {safe_markdown(title)}."
    if not fresh:
        return note + " Nothing new fits your wishes now; the next answer will use it."
    lead = fresh[0]
    reason = main_reason(lead).rstrip(".")
    because = f": {safe_markdown(reason)}" if reason else ""
    return (
        f"{note} I re-ranked with it: {len(fresh)} new picks in the cards, led by "
        f"{safe_markdown(str(lead.get('title')))}{because}."
    )


def build_ui(service: AgentService, causal: CausalView) -> Any:
    """The Gradio Blocks app bound to one agent service."""
    import gradio as gr

    workspace = getattr(service.agent, "workspace", None) or service.workspace
    examples = example_prompts(workspace) if workspace is not None else []
    first_graph = graph_picture(causal)
    skip = gr.skip()

    async def respond(
        message: str,
        history: list[dict[str, Any]],
        session_id: str | None,
        shown: list[dict[str, Any]] | None,
        request: Any = None,
    ) -> AsyncIterator[tuple[Any, ...]]:
        """Answer one message: stream a short reply, then the cards and the why panel."""
        text = (message or "").strip()
        if not text:
            raise gr.Error("Type a message first.")
        if len(text) > service.max_message_chars:
            raise gr.Error(
                f"That message is too long ({len(text)} characters; the limit is "
                f"{service.max_message_chars})."
            )
        history = [dict(m) for m in history or []]
        raw = ""
        try:
            owner = service.ui_owner(request)
            try:
                if session_id:
                    await service.require_session(session_id, owner)
            except NotFound:  # expired (or not this login's): carry on in a fresh session
                session_id = None
            if not session_id:
                session_id = await service.new_session(None, owner)
            history += [
                {"role": "user", "content": safe_markdown(text)},
                {"role": "assistant", "content": ""},
            ]
            yield history, "", session_id, skip, skip, skip, skip, skip, skip, skip
            reply = None
            last_push = 0.0
            async for event in service.stream(session_id, text):
                if event.kind == "token" and event.text:
                    raw += event.text
                    now = time.monotonic()
                    if now - last_push >= STREAM_PUSH_S:  # each push resends the history
                        last_push = now
                        history[-1]["content"] = streaming_reply(raw)
                        yield history, skip, skip, skip, skip, skip, skip, skip, skip, skip
                elif event.kind == "done":
                    reply = event.data
        except ApiError as exc:
            raise gr.Error(exc.message) from None
        if reply is None:
            raise gr.Error("The agent ended the turn without an answer.")
        reply_items = [item_payload(i) for i in field(reply, "items", None) or []]
        final = str(field(reply, "text", "") or "") or raw
        history[-1]["content"] = short_reply(final, reply_items) or "…"
        args = recommend_args(reply)
        cards = merge_items(list(shown or []), reply_items, recommended=args is not None)
        graph_image, effect_image, caption = await service.call(why_pictures, causal, reply)
        yield (
            history,
            skip,
            session_id,
            cards,
            banner_markdown(service.backend_name, reply),
            graph_image if graph_image is not None else skip,
            gr.update(value=effect_image, visible=effect_image is not None),
            caption,
            args if args is not None else skip,
            "",
        )

    async def ask(message: str, session_id: str = "", request: Any = None) -> dict[str, Any]:
        """One turn for programs: returns {session_id, text, items, backend, fallback, ...};
        pass the session_id back to continue the conversation."""
        text = (message or "").strip()
        try:
            if not text:
                raise BadRequest("message is empty")
            if len(text) > service.max_message_chars:
                raise TooLarge(
                    f"the message has {len(text)} characters; the limit is "
                    f"{service.max_message_chars}"
                )
            owner = service.ui_owner(request)
            sid = (
                await service.require_session(session_id, owner)
                if session_id
                else await service.new_session(None, owner)
            )
            reply = await service.chat(sid, text)
        except ApiError as exc:
            raise gr.Error(exc.message) from None
        return {"text": str(field(reply, "text", "") or ""), **reply_payload(reply, sid)}

    async def new_session(request: Any = None) -> tuple[Any, ...]:
        """Forget the conversation shown and start a fresh session."""
        session_id = await service.new_session(None, service.ui_owner(request))
        return (
            [],
            "",
            session_id,
            [],
            banner_markdown(service.backend_name),
            first_graph,
            gr.update(value=None, visible=False),
            "",
            None,
            "",
        )

    with_request(gr, respond, ask, new_session)

    async def send_feedback(
        session_id: str | None,
        item_id: str,
        value: str,
        history: list[dict[str, Any]],
        last_args: dict[str, Any] | None,
        request: Any = None,
    ) -> tuple[Any, ...]:
        """Record a like/dislike, re-rank with it, and say so in the chat and the note."""
        if not session_id:
            raise gr.Error("Start a conversation first.")
        try:
            await service.require_session(session_id, service.ui_owner(request))
            ack = await service.call(service.agent.feedback, session_id, item_id, value)
            args = dict(last_args or {})
            fresh_items = await service.call(
                service.agent.recommend,
                session_id,
                REFRESH_K,
                args.get("query"),
                args.get("filters"),
            )
        except ApiError as exc:
            raise gr.Error(exc.message) from None
        fresh = [item_payload(i) for i in fresh_items or []][:MAX_CARDS]
        verb = "liked" if value == "like" else "disliked"
        title = str(field(ack, "title", "") or item_id)
        note = feedback_note(verb, title, fresh)
        history = [*(dict(m) for m in history or []), {"role": "assistant", "content": note}]
        return note, history, fresh if fresh else skip

    def feedback_handler(item_id: str, value: str) -> Any:
        """A card button's click handler: this item, this verdict."""

        async def handler(
            sid: str | None,
            history: list[dict[str, Any]],
            args: dict[str, Any] | None,
            request: Any = None,
        ) -> tuple[Any, ...]:
            return await send_feedback(sid, item_id, value, history, args, request)

        with_request(gr, handler)
        return handler

    with gr.Blocks(title="WhyRec") as blocks:
        gr.Markdown(header_markdown(workspace), elem_id="whyrec-header")
        banner = gr.Markdown(banner_markdown(service.backend_name), elem_id="whyrec-banner")
        session = gr.State(None)
        items_state = gr.State([])
        last_args = gr.State(None)
        example_buttons = []
        if examples:
            with gr.Row(elem_id="whyrec-examples"):
                gr.Markdown("**Try:**", elem_id="whyrec-try")
                for prompt in examples:
                    example_buttons.append(
                        gr.Button(prompt, size="sm", elem_classes=["whyrec-example"])
                    )
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    elem_id="whyrec-chat",
                    height=380,
                    sanitize_html=True,
                    buttons=["copy"],
                    placeholder="Ask for something, or click an example above.",
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="e.g. " + (examples[0] if examples else "something to watch"),
                        show_label=False,
                        scale=5,
                        elem_id="whyrec-input",
                        submit_btn=False,
                    )
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="whyrec-send")
                    reset = gr.Button("New session", scale=1, elem_id="whyrec-new")
                feedback_md = gr.Markdown(elem_id="whyrec-feedback")

                @gr.render(inputs=[items_state], triggers=[items_state.change])
                def cards(items: list[dict[str, Any]]) -> None:
                    if not items:
                        return
                    gr.Markdown(
                        "### Picks\nThe main reason comes first; open Why exactly? for the "
                        "evidence. Like and Dislike re-rank the picks."
                    )
                    for rank, item in enumerate(items, start=1):
                        item_id = str(item.get("item_id"))
                        with gr.Group(elem_classes=["whyrec-item"]):
                            gr.HTML(card_html(item, rank, open_details=bool(item.get("_focus"))))
                            with gr.Row():
                                like = gr.Button(
                                    "Like", size="sm", elem_classes=["whyrec-like"], min_width=80
                                )
                                dislike = gr.Button(
                                    "Dislike",
                                    size="sm",
                                    elem_classes=["whyrec-dislike"],
                                    min_width=80,
                                )

                        feedback_out = [feedback_md, chatbot, items_state]
                        feedback_in = [session, chatbot, last_args]
                        for button, value in ((like, "like"), (dislike, "dislike")):
                            button.click(
                                feedback_handler(item_id, value),
                                feedback_in,
                                feedback_out,
                                api_visibility="private",
                            )

            with gr.Column(scale=2):
                gr.Markdown(
                    "### Why: the causal graph\nLearned from the logs: arrows run from cause to "
                    "effect, thicker where the data agree more. The path behind an answer "
                    "turns red; the button at the picture's top right enlarges it.",
                    elem_id="whyrec-graph-title",
                )
                why_md = gr.Markdown(elem_id="whyrec-why")
                effect_image = gr.Image(
                    label="Effect estimate with its 95% interval",
                    show_label=False,
                    type="pil",
                    interactive=False,
                    elem_id="whyrec-effect",
                    format="png",
                    visible=False,
                    buttons=["fullscreen", "download"],
                )
                graph_image = gr.Image(
                    value=first_graph,
                    label="Causal graph",
                    show_label=False,
                    type="pil",
                    interactive=False,
                    elem_id="whyrec-graph",
                    format="png",
                    buttons=["fullscreen", "download"],
                )

        outputs = [
            chatbot,
            box,
            session,
            items_state,
            banner,
            graph_image,
            effect_image,
            why_md,
            last_args,
            feedback_md,
        ]
        inputs = [box, chatbot, session, items_state]
        send.click(respond, inputs, outputs)
        box.submit(respond, inputs, outputs, api_visibility="private")
        for button in example_buttons:
            button.click(
                respond, [button, chatbot, session, items_state], outputs, api_visibility="private"
            )
        reset.click(new_session, None, outputs)
        gr.api(ask, api_name="ask")
    blocks.queue(default_concurrency_limit=32)
    return blocks
