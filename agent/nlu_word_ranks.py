"""How common an English word is: its place in the packaged MiniLM tokenizer's vocabulary.

A leaf module (it imports no parser module), so both the short-title reader and the
unknown-title reader can ask whether a one-word name is an ordinary word without an import
circle between them.
"""

from __future__ import annotations

from functools import cache


@cache
def english_rank() -> dict[str, int]:
    """Whole words of the packaged MiniLM tokenizer's vocabulary with their place in it
    (roughly by frequency: "the" comes before "mother", "mother" before "kane"); empty when
    the model is missing (then every word counts as rare, and only typing like a title or a
    run of words names a title)."""
    from tools.catalog.embedding import EmbedderUnavailable, model_path

    try:
        text = (model_path() / "vocab.txt").read_text(encoding="utf-8")
    except (EmbedderUnavailable, OSError, UnicodeDecodeError):
        return {}
    return {w: i for i, w in enumerate(text.split()) if w.isalpha()}
