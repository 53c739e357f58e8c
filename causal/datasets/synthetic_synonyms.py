"""Everyday phrases for the synthetic worlds' genres (what their schema.toml would carry).

Kept beside `synthetic.py` rather than in the parser: the rule parser reads synonyms per
dataset, never from word lists of its own.
"""

from __future__ import annotations

SYNTHETIC_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "genre": {
        "comedy": ("funny", "comedic", "humorous", "hilarious", "laughs", "comic", "lighthearted"),
        "horror": ("scary", "spooky", "creepy", "frightening", "slasher", "scare me"),
        "romance": ("romantic", "love story", "love stories", "romcom"),
        "drama": ("dramatic", "serious"),
        "action": ("action packed", "explosions", "fight scenes"),
        "animation": ("animated", "cartoon", "cartoons", "anime"),
        "documentary": ("documentaries", "docs", "doc", "non fiction", "nonfiction", "factual"),
        "scifi": ("science fiction", "sci fi", "sf", "space", "futuristic", "aliens"),
    }
}  # fmt: skip
