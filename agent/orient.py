"""LLM-backed edge orientation for causal discovery: which way does an undecided edge point?

`llm_orient(spec)` returns an `orient(x, y, descriptions) -> (cause, effect) | None` for
`causal.structure.discover(orient_fn=...)`: it asks the chat model (any backend of
`agent.backends`) whether x causes y or y causes x, given the variables' descriptions, and
returns None when the model is unsure, answers nonsense, or fails in any way — discovery then
leaves the edge to its other rules. Answers are cached per pair.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from agent.backends import BackendSpec, LLMSettings, make_chat_model, parse_backend_spec

logger = logging.getLogger(__name__)

OrientFn = Callable[[str, str, Mapping[str, str]], tuple[str, str] | None]

SYSTEM = (
    "You are an expert in causal inference for recommender systems. You decide the direction "
    "of a causal link between two variables recorded in a recommender's interaction log."
)
QUESTION = (
    "Variable A: {x} — {dx}\nVariable B: {y} — {dy}\n\n"
    "The data show that A and B are directly linked. Which is more plausible?\n"
    "A) {x} causes {y}\nB) {y} causes {x}\nC) unsure\n"
    "Answer with the single letter A, B or C."
)
_ANSWER = re.compile(r"\b([ABC])\b")


def parse_choice(text: str) -> str | None:
    """The A/B/C choice in a model's answer, or None when there is none or several."""
    found = set(_ANSWER.findall(text.strip().upper()[:200]))
    return found.pop() if len(found) == 1 else None


def llm_orient(
    backend: str | BackendSpec | None = None,
    *,
    model: Any = None,
    settings: LLMSettings | None = None,
) -> OrientFn:
    """An orientation function backed by the LLM a backend spec names (or a given chat model)."""
    if model is None:
        spec = backend if isinstance(backend, BackendSpec) else parse_backend_spec(backend)
        if not spec.is_llm:
            raise ValueError("llm_orient needs an LLM backend (openai:URL or hf:MODEL), not 'rule'")
        model = make_chat_model(spec, settings or LLMSettings(temperature=0.0, max_tokens=8))
    cache: dict[tuple[str, str], tuple[str, str] | None] = {}
    lock = threading.Lock()

    def orient(x: str, y: str, descriptions: Mapping[str, str]) -> tuple[str, str] | None:
        key = (x, y) if x <= y else (y, x)
        with lock:
            if key in cache:
                return cache[key]
        from langchain_core.messages import HumanMessage, SystemMessage

        prompt = QUESTION.format(
            x=x,
            y=y,
            dx=descriptions.get(x) or "no description",
            dy=descriptions.get(y) or "no description",
        )
        try:
            answer = model.invoke([SystemMessage(SYSTEM), HumanMessage(prompt)]).text
        except Exception as exc:  # any model failure means "no opinion", never a crash
            logger.warning("LLM orientation of %s-%s failed: %s", x, y, type(exc).__name__)
            return None
        choice = parse_choice(answer)
        result = (x, y) if choice == "A" else (y, x) if choice == "B" else None
        with lock:
            cache[key] = None if result is None else result
        return result

    return orient
