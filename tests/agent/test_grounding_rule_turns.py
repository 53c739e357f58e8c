"""Every reply the rule planner writes passes the grounding check, on a small MovieLens-like
workspace whose titles have "&" ("Secrets & Lies"), a bracketed alternative title
("Independence Day (ID4) (1996)") and an article moved to the end ("Shining, The"), with a
liked item the user names and the replies cite as the reason. The same checker still flags
one invention edited into those replies."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from causal.datasets.movielens import GROUPLENS_GENRES

GENRES = list(GROUPLENS_GENRES)
SHAPED = [
    ("Secrets & Lies", 1996, ["Drama"]),
    ("In & Out", 1997, ["Comedy"]),
    ("Truth About Cats & Dogs, The", 1996, ["Comedy", "Romance"]),
    ("Oliver & Company", 1988, ["Animation", "Children's", "Comedy"]),
    ("Fast, Cheap & Out of Control", 1997, ["Documentary"]),
    ("Blood For Dracula (Andy Warhol's Dracula)", 1974, ["Horror"]),
    ("Independence Day (ID4)", 1996, ["Action", "Sci-Fi", "War"]),
    ("Fargo", 1996, ["Crime", "Drama", "Thriller"]),
    ("Shining, The", 1980, ["Horror"]),
    ("Dead Ringers", 1988, ["Drama", "Thriller"]),
    ("Manon of the Spring (Manon des sources)", 1986, ["Drama"]),
    ("Seven (Se7en)", 1995, ["Crime", "Thriller"]),
]
WORDS = ["Harbor", "Lights", "Winter", "Garden", "River", "Stone", "Night", "Summer", "Crown"]
CONVERSATIONS = [
    ("a comedy from the 90s", "something else", "why the first one?"),
    ("I loved Fargo, what else?", "something else", "why the second one?"),
    ("I loved Secrets & Lies, what else?", "what if it were older?"),
    ("something like Independence Day (ID4)", "something else"),
    ("something like Blood For Dracula", "a horror film from the 70s"),
    ("documentaries", "lesser-known dramas"),
    ("more like In & Out", "something else"),
    ("a family comedy like Oliver & Company", "thrillers"),
]


def _grouplens(folder: Path, seed: int = 0, n_items: int = 110, n_users: int = 70) -> Path:
    """u.item / u.data / u.user in the GroupLens layout (genres drive the ratings)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    items = list(SHAPED)
    while len(items) < n_items:
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {len(items)}"
        genres = list(rng.choice(GENRES[1:], size=int(rng.integers(1, 3)), replace=False))
        items.append((name, int(rng.integers(1950, 1998)), genres))
    lines = []
    for n, (name, year, genres) in enumerate(items, 1):
        flags = "|".join("1" if g in genres else "0" for g in GENRES)
        lines.append(f"{n}|{name} ({year})|01-Jan-{year}||http://x|{flags}")
    (folder / "u.item").write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    rows = []
    for user in range(1, n_users + 1):
        likes = set(rng.choice(GENRES[1:], size=3, replace=False))
        for i in rng.choice(n_items, size=30, replace=False):
            fit = len(likes & set(items[i][2]))
            rating = int(np.clip(round(2.5 + 1.2 * fit + rng.normal(0, 0.8)), 1, 5))
            rows.append(f"{user}\t{i + 1}\t{rating}\t{881250949 + len(rows)}")
    (folder / "u.data").write_text("\n".join(rows) + "\n")
    users = "".join(
        f"{u}|{20 + u % 40}|{'MF'[u % 2]}|other|{10000 + u}\n" for u in range(1, n_users + 1)
    )
    (folder / "u.user").write_text(users)
    return folder


class _Recorder:
    """The agent's checker, keeping each checked reply with its sources and report."""

    def __init__(self, checker) -> None:
        self.checker = checker
        self.turns: list[tuple[str, list[str], object]] = []

    def check(self, text, sources):
        report = self.checker.check(text, sources)
        self.turns.append((text, list(sources), report))
        return report


@pytest.fixture(scope="module")
def rule_turns(tmp_path_factory):
    """Every conversation's turns: (message, reply, sources, report)."""
    from agent.api import RecAgent
    from causal.datasets.movielens import load_movielens
    from tools.workspace_build import BuildOptions, build_workspace

    root = tmp_path_factory.mktemp("ml-like")
    dataset = load_movielens(_grouplens(root / "ml-100k"))
    ws = build_workspace(dataset, root / "ws", BuildOptions(progress=False, time_budget_s=10))
    agent = RecAgent.from_workspace(ws.root, llm="rule", state_dir=root / "state")
    recorder = _Recorder(agent.checker)
    agent.checker = recorder
    out = []
    try:
        for conversation in CONVERSATIONS:
            session = agent.new_session()
            for message in conversation:
                reply = agent.chat(session, message)
                text, sources, report = recorder.turns[-1]
                assert text in reply.text
                out.append((message, reply, sources, report))
    finally:
        agent.close()
    return recorder.checker, out


def test_every_rule_reply_is_grounded(rule_turns):
    _, turns = rule_turns
    bad = [f"{m!r}: {r.hint()}\n{reply.text}" for m, reply, _, r in turns if not r.ok]
    assert not bad, "\n\n".join(bad)
    assert all(reply.grounded for _, reply, _, _ in turns)
    text = "\n".join(reply.text for _, reply, _, _ in turns)
    # the replies really name the shapes that used to be misread
    assert re.search(r"\w & \w[^\n]*\(\d{4}\)", text)
    assert re.search(r"\([^()\n]+\) \(\d{4}\)", text)
    assert "Fargo (1996)" in text and "The Truth About Cats & Dogs" in text
    assert sum(len(reply.items) > 1 for _, reply, _, _ in turns) >= 8


def test_inventions_edited_into_rule_replies_are_flagged(rule_turns):
    checker, turns = rule_turns
    line = re.compile(r"^\d{1,2}\. (.+?) \u2014 ", re.MULTILINE)
    edited = 0
    for _, reply, sources, _ in turns:
        text = reply.text
        leads = line.findall(text)
        if len(leads) < 2:
            continue
        made_up = text.replace(leads[-1], "The Velvet Orchard (1993)", 1)
        assert not checker.check(made_up, sources).ok
        shaped = [t for t in leads if "&" in t or t.count("(") > 1] or leads
        year = re.search(r"\((\d{4})\)$", shaped[0])
        if year:
            moved = shaped[0][: year.start()] + f"({int(year.group(1)) + 2})"
            assert not checker.check(text.replace(shaped[0], moved), sources).ok, moved
        wrong = re.search(r"predicted rating is (\d\.\d\d)", text)
        if wrong and "4.99" not in " ".join(sources):
            bumped = text[: wrong.start(1)] + "4.99" + text[wrong.end(1) :]
            assert not checker.check(bumped, sources).ok
        edited += 1
    assert edited >= 8
