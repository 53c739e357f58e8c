"""The web UI (Gradio Blocks, mounted at /): streaming chat, item cards with explanations and
like/dislike buttons, a "why" panel with the causal graph (the path behind the answer in red)
and an effect chart with its CI, a new-session button and a banner naming the LLM backend.

Everything goes through the same AgentService as the HTTP API. Gradio names API endpoints after
the functions: `/respond` drives the chat panel, `/new_session` starts over, and `/ask` is the
endpoint for programs (gradio_client): one turn in, the answer with its items as JSON out.
When API keys are configured, the UI asks for one at login (any user name, the key as password).
"""

from __future__ import annotations

import html
import io
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from ui.causal_view import CausalView
from ui.errors import ApiError, BadRequest, TooLarge
from ui.payloads import field, item_payload, reply_payload
from ui.service import AgentService
from ui.why import answer_effect, answer_path, banner_markdown

logger = logging.getLogger(__name__)

UI_CSS = """
.whyrec-card { border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 10px 12px; margin: 0; background: var(--background-fill-secondary); }
.whyrec-card h4 { margin: 0 0 4px 0; font-size: 1.02em; }
.whyrec-card .attrs { font-size: 0.85em; opacity: 0.8; margin-bottom: 6px; }
.whyrec-card .why { font-size: 0.92em; }
.whyrec-card .score { float: right; font-size: 0.8em; opacity: 0.7; }
"""

MAX_CARDS = 10
STREAM_PUSH_S = 0.05  # at most ~20 chat updates a second while tokens stream
MAX_ATTRIBUTES = 4


def card_html(item: dict[str, Any], rank: int) -> str:
    """One item card: rank and title, a few key attributes, the explanation."""
    title = html.escape(str(item.get("title") or item.get("item_id")))
    attributes = item.get("attributes") or {}
    shown = []
    for key, value in list(attributes.items())[:MAX_ATTRIBUTES]:
        if value in (None, "", []):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        shown.append(f"<b>{html.escape(str(key))}</b>: {html.escape(text[:60])}")
    score = item.get("score")
    score_html = f'<span class="score">score {score:.2f}</span>' if isinstance(score, float) else ""
    explanation = html.escape(str(item.get("explanation") or ""))
    return (
        f'<div class="whyrec-card" data-item-id="{html.escape(str(item.get("item_id")))}">'
        f"{score_html}<h4>{rank}. {title}</h4>"
        f'<div class="attrs">{" · ".join(shown)}</div>'
        f'<div class="why">{explanation}</div></div>'
    )


def _png_to_image(data: bytes | None) -> Any:
    if not data:
        return None
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def why_pictures(causal: CausalView, reply: Any) -> tuple[Any, Any, str]:
    """(graph image, effect chart, caption) for an answer; best effort, never raises."""
    caption: list[str] = []
    try:
        graph = causal.graph()
    except ApiError as exc:
        return None, None, f"_No causal graph: {exc.message}_"
    except Exception as exc:  # a broken causal model must not break the chat
        logger.warning("causal graph unavailable: %s", type(exc).__name__)
        return None, None, "_The causal graph could not be loaded._"
    path = answer_path(reply, graph)
    graph_image = effect_image = None
    try:
        graph_image = _png_to_image(causal.graph_png(path))
    except Exception as exc:
        logger.warning("could not draw the graph: %s", type(exc).__name__)
    if path:
        caption.append("**Path behind this answer:** " + " → ".join(f"`{p}`" for p in path))
    effect = answer_effect(reply)
    if effect is None and path and len(path) >= 2:
        effect, note = _path_effect(causal, reply, path)
        if note:
            caption.append(note)
    if effect is not None:
        try:
            effect_image = _png_to_image(causal.effect_png(effect))
        except Exception as exc:
            logger.warning("could not draw the effect: %s", type(exc).__name__)
        summary = effect.get("summary")
        if summary:
            caption.append(str(summary))
    return graph_image, effect_image, "\n\n".join(caption)


def key_login(keys: tuple[str, ...]) -> Any:
    """Gradio's login check when API keys are set: the password must be one of the keys."""
    from ui.middleware import match_key

    def check(username: str, password: str) -> bool:
        return match_key(password or "", keys) is not None

    return check


def _path_effect(causal: CausalView, reply: Any, path: list[str]) -> tuple[Any, str]:
    """The effect along `path`: for the top item's own value of the cause when it has one
    (comedy, not a default level), else the build's stored estimate, else a fresh one."""
    treatment, outcome = path[0], path[-1]
    items = field(reply, "items", None) or []
    value = (field(items[0], "attributes", None) or {}).get(treatment) if items else None
    attempts: list[Any] = []
    if isinstance(value, str) and "|" in value:  # several values (Comedy|Romance): the first
        attempts = [value.split("|", 1)[0].strip()]
    elif isinstance(value, str | int | float):
        attempts = [value]
    stored = causal.stored_effect(treatment, outcome)
    note = ""
    for treatment_value in attempts:
        try:
            return causal.effect(treatment, outcome, treatment_value=treatment_value), ""
        except ApiError as exc:
            note = f"_Effect of `{treatment}` = {treatment_value} on `{outcome}`: {exc.message}_"
        except Exception as exc:  # an estimator bug must not break the chat
            logger.warning("effect estimate failed: %s", type(exc).__name__)
    if stored is not None:
        return stored, note
    try:
        return causal.effect(treatment, outcome), note
    except ApiError as exc:
        return None, f"_Effect of `{treatment}` on `{outcome}`: {exc.message}_"
    except Exception as exc:
        logger.warning("effect estimate failed: %s", type(exc).__name__)
        return None, note


def with_request(gr: Any, *handlers: Any) -> None:
    """Have Gradio pass each handler its `request` (the login behind session ownership); the
    annotation is set here because gradio is imported lazily."""
    for handler in handlers:
        handler.__annotations__["request"] = gr.Request


def build_ui(service: AgentService, causal: CausalView) -> Any:
    """The Gradio Blocks app bound to one agent service."""
    import gradio as gr

    async def respond(
        message: str, history: list[dict[str, Any]], session_id: str | None, request: Any = None
    ) -> AsyncIterator[tuple[Any, ...]]:
        """Answer one message, streaming the text, then show items and the why panel."""
        text = (message or "").strip()
        if not text:
            raise gr.Error("Type a message first.")
        if len(text) > service.max_message_chars:
            raise gr.Error(
                f"That message is too long ({len(text)} characters; the limit is "
                f"{service.max_message_chars})."
            )
        history = [dict(m) for m in history or []]
        try:
            owner = service.ui_owner(request)
            if not session_id:
                session_id = await service.new_session(None, owner)
            else:
                await service.require_session(session_id, owner)
            history += [{"role": "user", "content": text}, {"role": "assistant", "content": ""}]
            skip = gr.skip()
            yield history, "", session_id, skip, skip, skip, skip, skip
            reply = None
            last_push = 0.0
            async for event in service.stream(session_id, text):
                if event.kind == "token" and event.text:
                    history[-1]["content"] += event.text
                    now = time.monotonic()
                    if now - last_push >= STREAM_PUSH_S:  # each push resends the history
                        last_push = now
                        yield history, skip, skip, skip, skip, skip, skip, skip
                elif event.kind == "done":
                    reply = event.data
        except ApiError as exc:
            raise gr.Error(exc.message) from None
        if reply is None:
            raise gr.Error("The agent ended the turn without an answer.")
        final = str(field(reply, "text", "") or "")
        if final and not history[-1]["content"]:
            history[-1]["content"] = final
        items = [item_payload(i) for i in field(reply, "items", None) or []][:MAX_CARDS]
        graph_image, effect_image, caption = await service.call(why_pictures, causal, reply)
        yield (
            history,
            skip,
            session_id,
            items,
            banner_markdown(service.backend_name, reply),
            graph_image,
            effect_image,
            caption,
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
        return [], "", session_id, [], banner_markdown(service.backend_name), None, None, "", ""

    with_request(gr, respond, ask, new_session)

    async def send_feedback(
        session_id: str | None, item_id: str, value: str, request: Any = None
    ) -> str:
        if not session_id:
            raise gr.Error("Start a conversation first.")
        try:
            await service.require_session(session_id, service.ui_owner(request))
            ack = await service.call(service.agent.feedback, session_id, item_id, value)
        except ApiError as exc:
            raise gr.Error(exc.message) from None
        verb = "liked" if value == "like" else "disliked"
        title = re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", str(field(ack, "title", "") or item_id))
        return f"✔ Recorded: you {verb} **{title}**. It will shape the next recommendations."

    with gr.Blocks(title="WhyRec") as blocks:
        banner = gr.Markdown(banner_markdown(service.backend_name), elem_id="whyrec-banner")
        session = gr.State(None)
        items_state = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="WhyRec", elem_id="whyrec-chat", height=460)
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="e.g. something like Alien, but less gory",
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
                    gr.Markdown("### Recommendations")
                    for rank, item in enumerate(items, start=1):
                        item_id = str(item.get("item_id"))
                        with gr.Group(elem_classes=["whyrec-item"]):
                            gr.HTML(card_html(item, rank))
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

                        async def on_like(
                            sid: str | None, request: Any = None, _id: str = item_id
                        ) -> str:
                            return await send_feedback(sid, _id, "like", request)

                        async def on_dislike(
                            sid: str | None, request: Any = None, _id: str = item_id
                        ) -> str:
                            return await send_feedback(sid, _id, "dislike", request)

                        with_request(gr, on_like, on_dislike)

                        like.click(on_like, [session], [feedback_md], api_visibility="private")
                        dislike.click(
                            on_dislike, [session], [feedback_md], api_visibility="private"
                        )

            with gr.Column(scale=2):
                gr.Markdown("### Why")
                gr.Markdown("**Causal graph**: the path behind the answer in red")
                graph_image = gr.Image(
                    label="Causal graph",
                    show_label=False,
                    type="pil",
                    interactive=False,
                    elem_id="whyrec-graph",
                    format="png",
                )
                gr.Markdown("**Effect estimate** with its 95% confidence interval")
                effect_image = gr.Image(
                    label="Effect estimate",
                    show_label=False,
                    type="pil",
                    interactive=False,
                    elem_id="whyrec-effect",
                    format="png",
                )
                why_md = gr.Markdown(elem_id="whyrec-why")

        outputs = [chatbot, box, session, items_state, banner, graph_image, effect_image, why_md]
        send.click(respond, [box, chatbot, session], outputs)
        box.submit(respond, [box, chatbot, session], outputs, api_visibility="private")
        reset.click(new_session, None, [*outputs, feedback_md])
        gr.api(ask, api_name="ask")
    blocks.queue(default_concurrency_limit=32)
    return blocks
