"""An adversarial grounding set from real tool results, and the checker's recall on it.

For a few MovieLens-100K users the real tools run (recommend, explain, estimate_effect) and
their outputs become the sources a reply is checked against, exactly as the agent passes
them (the user's message, each call's arguments, the compact view the model reads and the
full result). Replies are then written from those facts by templates of this module (no
code or word lists shared with agent/grounding.py):

- correct: a title with its score, its genre and decade, its rating count and mean, its
  counterfactual reason verbatim, a list of three items with their scores, an effect with
  its sign, a bolded title with its predicted rating, a rank claim;
- invented: a made-up title with a year and rating appended, a made-up **bold** name, a
  made-up quoted name, a made-up list item, a real title with the wrong year, a wrong score,
  another item's score or mean rating attached to this item, an effect with its sign
  flipped, a genre or decade the item does not have.

`evaluate_grounding` reports recall (invented replies flagged) and the false-alarm rate
(correct replies flagged), overall and by kind; with `save_to` it writes the set (contexts,
cases and the item table) as JSON, which tests/agent/test_grounding_set.py replays.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

ADJECTIVES = ("Silent", "Crimson", "Hollow", "Midnight", "Velvet", "Distant", "Paper", "Iron")
NOUNS = ("Harbor", "Orchard", "Ledger", "Lantern", "Meridian", "Causeway", "Signal", "Tide")
SAMPLE_USERS = 8


def _fake_titles(catalogue: list[str], n: int, seed: int) -> list[str]:
    """Made-up titles that no catalogue title contains."""
    rng = np.random.default_rng(seed)
    lowered = " ".join(t.lower() for t in catalogue)
    out: list[str] = []
    while len(out) < n:
        name = f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
        if name.lower() not in lowered and name not in out:
            out.append(name)
    return out


def _numbers_in(texts: list[str]) -> list[float]:

    found: list[float] = []
    for text in texts:
        found += [abs(float(x)) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return found


def _absent(value: float, decimals: int, texts: list[str]) -> bool:
    """True when no number in the texts rounds to `value` at this precision."""
    tol = 0.5 * 10 ** (-decimals) + 1e-9
    return all(abs(abs(value) - x) > tol for x in _numbers_in(texts))


def _context(ws: Any, user: str) -> tuple[list[str], dict[str, Any]]:
    """The sources of one turn (as the agent builds them) and the facts to write from."""
    from agent.toolkit import compact_result
    from tools.registry import get_tool
    from tools.schemas import ToolContext, UserContext

    ctx = ToolContext(workspace=ws, user=UserContext(user_id=user))
    message = "recommend me a few movies and tell me why"
    sources = [message]
    calls: list[tuple[str, dict[str, Any]]] = [("recommend", {"k": 5})]
    recs = get_tool("recommend").call(ctx, calls[0][1])
    results: list[tuple[str, dict[str, Any], Any]] = [("recommend", calls[0][1], recs)]
    explanations = []
    for item in recs.items[:3]:
        args = {"item_id": item.item_id}
        explanation = get_tool("explain").call(ctx, args)
        explanations.append(explanation)
        results.append(("explain", args, explanation))
    stored = next((e for e in ws.causal.effects if e.get("identified") and e.get("estimate")), None)
    effect = None
    if stored is not None:
        args = {"treatment": stored["treatment"], "outcome": stored["outcome"]}
        effect = get_tool("estimate_effect").call(ctx, args)
        results.append(("estimate_effect", args, effect))
    for name, args, result in results:
        sources.append(json.dumps(args))
        sources.append(compact_result(name, result))
        sources.append(result.model_dump_json())
    return sources, {"recs": recs, "explanations": explanations, "effect": effect}


def _item_facts(ws: Any, item: Any, explanation: Any | None) -> dict[str, Any]:
    row = ws.dataset.items.set_index(ws.dataset.items["item_id"].astype(str)).loc[item.item_id]
    facts: dict[str, Any] = {
        "title": item.title,
        "score": item.score,
        "year": int(row["year"]) if row.get("year") == row.get("year") else None,
        "genres": [g for g in str(row.get("genres", "")).split("|") if g],
        "cf": item.counterfactual,
    }
    if explanation is not None:
        for ev in explanation.evidence:
            if ev.kind == "popularity" and "mean_rating" in ev.data:
                facts["n_ratings"] = ev.data["n_ratings"]
                facts["mean_rating"] = ev.data["mean_rating"]
            if ev.kind == "ranker":
                facts["preference"] = ev.data.get("preference")
    return facts


def _cases(ws: Any, sources: list[str], found: dict[str, Any], fakes: list[str]) -> list[dict]:
    all_genres = sorted({g for t in ws.dataset.items["genres"].astype(str) for g in t.split("|")})
    recs = found["recs"].items
    exps = {e.item_id: e for e in found["explanations"]}
    items = [_item_facts(ws, r, exps.get(r.item_id)) for r in recs]
    a, b, c = items[0], items[1], items[2]
    out: list[dict[str, Any]] = []

    def add(label: str, kind: str, reply: str) -> None:
        out.append({"label": label, "kind": kind, "reply": reply})

    # -- correct ---------------------------------------------------------------------------
    add("correct", "score", f"I'd suggest {a['title']}. It scores {a['score']:.2f} for you.")
    if a["genres"] and a["year"]:
        decade = a["year"] // 10 * 10
        add(
            "correct",
            "genre_decade",
            f"{a['title']} is a {a['genres'][0].lower()} film from the {decade}s.",
        )
    if "mean_rating" in b:
        add(
            "correct",
            "popularity",
            f"{b['n_ratings']} people rated {b['title']}, {b['mean_rating']:.2f} on average.",
        )
    if a["cf"] is not None and a["cf"].text:
        add("correct", "counterfactual", f"Why {a['title']}? {a['cf'].text}")
    add(
        "correct",
        "list",
        "\n".join(
            f"{n}. {x['title']} — score {x['score']:.2f}" for n, x in enumerate((a, b, c), 1)
        ),
    )
    effect = found["effect"]
    if effect is not None and effect.estimate is not None:
        verb = "raises" if effect.estimate > 0 else "lowers"
        add(
            "correct",
            "effect",
            f"Across users, {effect.change_phrase()} {verb} {effect.outcome} by "
            f"{abs(effect.estimate):.3f}.",
        )
    if c.get("preference") is not None:
        add("correct", "bold_title", f"**{c['title']}** fits: we predict {c['preference']:.1f}.")
    if b["cf"] is not None and b["cf"].rank:
        add("correct", "rank", f"{b['title']} is #{b['cf'].rank} for you by score.")

    first_genre = a["genres"][0].lower() if a["genres"] else "film"
    add(
        "correct",
        "markdown_list",
        "Here are my picks:\n\n"
        + "\n".join(
            f"{n}. **{x['title']}** — scores {x['score']:.2f} for you"
            for n, x in enumerate((a, b), 1)
        )
        + f"\n\nThe first is a {first_genre} pick. Want more like these?",
    )
    choice = recs[0].components.get("choice")
    if choice is not None:
        add("correct", "percent", f"{a['title']} has a {choice:.0%} chance of being your pick.")
    exp = exps.get(recs[0].item_id)
    if exp is not None and exp.evidence:
        add("correct", "evidence_verbatim", f"Why {a['title']}: {exp.evidence[-1].text}")

    # -- invented --------------------------------------------------------------------------
    plain = list(sources)
    add(
        "invented",
        "title_with_year",
        f"I'd suggest {a['title']}. It scores {a['score']:.2f} for you. You may also enjoy "
        f"{fakes[0]} (1987), which users rate 4.9 stars.",
    )
    add("invented", "bold_name", f"{a['title']} is great, and so is **{fakes[1]}**.")
    add("invented", "quoted_name", f'Another option for tonight: "{fakes[2]}".')
    add(
        "invented",
        "list_item",
        f"1. {a['title']} — score {a['score']:.2f}\n2. {b['title']} — score {b['score']:.2f}\n"
        f"3. {fakes[3]} — a quiet {all_genres[0].lower()} favourite",
    )
    if a["year"]:
        base = a["title"].rsplit(" (", 1)[0]
        add("invented", "wrong_year", f"Try {base} ({a['year'] + 3}), a sure bet.")
    wrong = round(a["score"] + 0.73, 2)
    if _absent(wrong, 2, plain):
        add("invented", "wrong_number", f"{a['title']} scores {wrong:.2f} for you.")
    if abs(a["score"] - b["score"]) >= 0.01 and _absent(b["score"], 2, _own(a, exps, recs)):
        add("invented", "number_on_wrong_item", f"{a['title']} scores {b['score']:.2f} for you.")
    mean_b, mean_c = b.get("mean_rating"), c.get("mean_rating")
    if mean_b is not None and mean_c is not None and abs(mean_b - mean_c) >= 0.01:
        add(
            "invented",
            "number_on_wrong_item",
            f"{c['title']} has an average rating of {b['mean_rating']:.2f}.",
        )
    if effect is not None and effect.estimate is not None:
        verb = "lowers" if effect.estimate > 0 else "raises"
        add(
            "invented",
            "flipped_sign",
            f"Across users, {effect.change_phrase()} {verb} {effect.outcome} by "
            f"{abs(effect.estimate):.3f}.",
        )
    lacks = [g for g in all_genres if g not in a["genres"] and g.isalpha()]
    if lacks:
        other = lacks[len(out) % len(lacks)].lower()
        add("invented", "wrong_genre", f"{a['title']} is a {other} film.")
    add("invented", "bold_list_lead", f"- **{fakes[0]}** — a hidden gem for you\n- {a['title']}")
    if abs(a["score"] - b["score"]) >= 0.01:
        add(
            "invented",
            "swapped_list_numbers",
            f"1. {a['title']} — score {b['score']:.2f}\n2. {b['title']} — score {a['score']:.2f}",
        )
    if b["year"]:
        decade = (b["year"] // 10 * 10) - 30
        add("invented", "wrong_decade", f"{b['title']} is a {decade}s classic.")
    return out


def _own(item: dict[str, Any], exps: dict[str, Any], recs: list[Any]) -> list[str]:
    """Every text about one item (its summary and explanation), for label checks."""
    rec = next(r for r in recs if r.title == item["title"])
    texts = [rec.model_dump_json()]
    if rec.item_id in exps:
        texts.append(exps[rec.item_id].model_dump_json())
    return texts


def build_set(workspace: Path, seed: int = 0) -> dict[str, Any]:
    """Contexts (sources per user turn) and cases (label, kind, reply, context id)."""
    from tools.workspace import Workspace

    ws = Workspace(workspace)
    ranker = ws.ranker
    rng = np.random.default_rng(seed)
    users = [u for u in ranker.user_ids if len(ranker.history(u)) >= 20]
    users = sorted(rng.choice(users, size=SAMPLE_USERS, replace=False).tolist(), key=int)
    titles = ws.dataset.items["title"].astype(str).tolist()
    fakes = _fake_titles(titles, 4 * len(users), seed)
    contexts: dict[str, list[str]] = {}
    cases: list[dict[str, Any]] = []
    for n, user in enumerate(users):
        sources, found = _context(ws, user)
        contexts[user] = sources
        for case in _cases(ws, sources, found, fakes[4 * n : 4 * n + 4]):
            cases.append({**case, "context": user})
    columns = [c for c in ("item_id", "title", "year", "genres") if c in ws.dataset.items]
    items = ws.dataset.items[columns].astype({"item_id": str}).to_dict(orient="records")
    return {"source": str(workspace), "items": items, "contexts": contexts, "cases": cases}


# -- real rule-planner replies -----------------------------------------------------------
# The agent's own templated replies, captured with the sources it checks them against: they
# must all pass (the "correct" side), and edited copies with one invention each must not. The
# conversations name titles with "&", a bracketed alternative title ("Independence Day (ID4)")
# and a liked item the reply cites as the reason (the counterfactual's signal); with a known
# user, the reasons cite their rated items ("Dr. Strangelove or: How I Learned ...", two
# "Sabrina"s of different years).

RULE_CONVERSATIONS: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    (None, ("a comedy from the 90s",)),
    (None, ("a horror film from the 70s",)),
    (None, ("lesser-known dramas", "something else")),
    (None, ("more like the second one", "something else")),
    (None, ("documentaries",)),
    (None, ("children's films from the 80s",)),
    (None, ("I loved Fargo, what else?",)),
    (None, ("I loved Secrets & Lies, what else?",)),
    (None, ("I liked Independence Day (ID4), more like it",)),
    (None, ("something like Blood For Dracula",)),
    (None, ("a family comedy like Oliver & Company",)),
    (None, ("more like In & Out",)),
    ("1", ("a comedy from the 90s", "something else")),
    ("1", ("romantic comedies",)),
    ("405", ("I loved Fargo, what else?", "not that one, something older")),
)
_RULE_LINE = re.compile(r"^(\d{1,2})\. (.+?) \u2014 (.*)$", re.MULTILINE)
_PREDICTED = re.compile(r"predicted rating is (\d+\.\d\d)")
_ARTICLE_LAST = re.compile(r"^(.*), (The|A|An) (\(\d{4}\))$")
_YEAR_END = re.compile(r"\((\d{4})\)$")


class _Recorder:
    """Stands in for the agent's checker: keeps each reply and its sources, then checks."""

    def __init__(self, checker: Any) -> None:
        self.checker = checker
        self.turns: list[dict[str, Any]] = []

    def check(self, text: str, sources: list[str]) -> Any:
        self.turns.append({"reply": text, "sources": list(sources)})
        return self.checker.check(text, sources)


def rule_turns(
    workspace: Path,
    conversations: tuple[tuple[str | None, tuple[str, ...]], ...] = RULE_CONVERSATIONS,
) -> list[dict[str, Any]]:
    """The rule planner's replies (run on a copy of the workspace: a like is logged there) with
    the sources the agent checked each one against."""
    import shutil
    import tempfile

    from agent.api import RecAgent

    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="whyrec-grounding-set-") as tmp:
        copy = Path(tmp) / "ws"
        shutil.copytree(workspace, copy)
        agent = RecAgent.from_workspace(copy, llm="rule", state_dir=Path(tmp) / "state")
        recorder = _Recorder(agent.checker)
        agent.checker = recorder
        try:
            for user, conversation in conversations:
                session = agent.new_session(user_id=user)
                for message in conversation:
                    agent.chat(session, message)
                    turn = recorder.turns[-1]
                    out.append({"user": user, "message": message, **turn})
        finally:
            agent.close()
    return out


def _display(title: str) -> str:
    """A catalogue title as replies write it ("Shining, The (1980)" -> "The Shining (1980)")."""
    m = _ARTICLE_LAST.match(title)
    return f"{m.group(2)} {m.group(1)} {m.group(3)}" if m else title


def _plain(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))) + " "


def _own_texts(sources: list[str], title: str) -> list[str]:
    """Every JSON object in the sources about one title (its numbers are its own)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("title") == title:
                found.append(json.dumps(node))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for text in sources:
        try:
            walk(json.loads(text))
        except ValueError:
            continue
    return found


def _replace(reply: str, start: int, end: int, new: str) -> str:
    return reply[:start] + new + reply[end:]


def _rule_cases(
    turn: dict[str, Any], catalogue: list[str], fake: str, rng: np.random.Generator
) -> list[dict[str, Any]]:
    """The captured reply (correct) and copies with one invention each."""
    reply, sources = turn["reply"], turn["sources"]
    out = [{"label": "correct", "kind": "rule_reply", "reply": reply}]
    lines = list(_RULE_LINE.finditer(reply))
    if len(lines) < 2:
        return out

    def add(kind: str, text: str) -> None:
        out.append({"label": "invented", "kind": kind, "reply": text})

    said = _plain(" ".join(sources))
    last = lines[-1]
    year = _YEAR_END.search(last.group(2))
    made_up = f"{fake} ({year.group(1)})" if year else fake
    add("rule_made_up_title", _replace(reply, last.start(2), last.end(2), made_up))
    unseen = [
        _display(t)
        for t in catalogue
        if ("&" in t or t.count("(") > 1) and _plain(_YEAR_END.sub("", _display(t))) not in said
    ]
    if unseen:
        other = unseen[int(rng.integers(len(unseen)))]
        first = lines[0]
        add("rule_unreturned_title", _replace(reply, first.start(2), first.end(2), other))
    shaped = [m for m in lines if "&" in m.group(2) or m.group(2).count("(") > 1] or lines
    target = shaped[0]
    year = _YEAR_END.search(target.group(2))
    displayed = {_display(t) for t in catalogue}
    if year:
        moved = _YEAR_END.sub(f"({int(year.group(1)) + 3})", target.group(2))
        if moved not in displayed:
            add("rule_wrong_year", _replace(reply, target.start(2), target.end(2), moved))
    a, b = lines[0], lines[1]
    ra, rb = _PREDICTED.search(a.group(3)), _PREDICTED.search(b.group(3))
    if ra and rb and ra.group(1) != rb.group(1):
        own_a, own_b = _own_texts(sources, a.group(2)), _own_texts(sources, b.group(2))
        if (
            own_a
            and own_b
            and _absent(float(rb.group(1)), 2, own_a)
            and _absent(float(ra.group(1)), 2, own_b)
        ):
            swapped = _replace(reply, b.start(3) + rb.start(1), b.start(3) + rb.end(1), ra.group(1))
            swapped = _replace(
                swapped, a.start(3) + ra.start(1), a.start(3) + ra.end(1), rb.group(1)
            )
            add("rule_swapped_numbers", swapped)
    if ra:
        wrong = float(ra.group(1)) + 0.37
        if _absent(wrong, 2, sources):
            at = a.start(3) + ra.start(1)
            add("rule_wrong_number", _replace(reply, at, at + len(ra.group(1)), f"{wrong:.2f}"))
    return out


def add_rule_turns(data: dict[str, Any], workspace: Path, seed: int = 0) -> dict[str, Any]:
    """The set with its rule-planner part (contexts "rule-N") captured anew on a workspace."""
    from tools.workspace import Workspace

    catalogue = Workspace(workspace).dataset.items["title"].astype(str).tolist()
    turns = rule_turns(workspace)
    fakes = _fake_titles(catalogue, len(turns), seed + 1)
    rng = np.random.default_rng(seed)
    contexts = {k: v for k, v in data["contexts"].items() if not k.startswith("rule-")}
    cases = [c for c in data["cases"] if not str(c["context"]).startswith("rule-")]
    for n, turn in enumerate(turns):
        context = f"rule-{n}"
        contexts[context] = turn["sources"]
        for case in _rule_cases(turn, catalogue, fakes[n], rng):
            cases.append({**case, "context": context, "message": turn["message"]})
    return {**data, "contexts": contexts, "cases": cases}


def score_set(data: dict[str, Any], checker: Any) -> dict[str, Any]:
    """Recall on invented replies and false alarms on correct ones, overall and by kind."""
    by_kind: dict[str, dict[str, int]] = {}
    flagged = {"invented": 0, "correct": 0}
    total = {"invented": 0, "correct": 0}
    misses: list[str] = []
    alarms: list[str] = []
    for case in data["cases"]:
        report = checker.check(case["reply"], data["contexts"][case["context"]])
        bad = not report.ok
        total[case["label"]] += 1
        flagged[case["label"]] += int(bad)
        entry = by_kind.setdefault(f"{case['label']}:{case['kind']}", {"n": 0, "flagged": 0})
        entry["n"] += 1
        entry["flagged"] += int(bad)
        if case["label"] == "invented" and not bad:
            misses.append(case["reply"])
        if case["label"] == "correct" and bad:
            alarms.append(f"{case['reply']} -> {report.hint()}")
    return {
        "n_invented": total["invented"],
        "n_correct": total["correct"],
        "recall": round(flagged["invented"] / max(total["invented"], 1), 4),
        "false_alarm_rate": round(flagged["correct"] / max(total["correct"], 1), 4),
        "by_kind": by_kind,
        "misses": misses[:10],
        "false_alarms": alarms[:10],
    }


def evaluate_grounding(workspace: Path, save_to: Path | None = None) -> dict[str, Any]:
    """Build the set on a workspace, score the agent's checker on it, optionally save it."""
    from agent.grounding import GroundingChecker
    from agent.vocab import Vocabulary
    from tools.workspace import Workspace

    data = add_rule_turns(build_set(workspace), workspace)
    ws = Workspace(workspace)
    source = str(getattr(ws, "manifest", {}).get("source", "") or ws.dataset.name)
    checker = GroundingChecker(Vocabulary.from_dataset(ws.dataset, source))
    result = score_set(data, checker)
    if save_to is not None:
        save_to.parent.mkdir(parents=True, exist_ok=True)
        save_to.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        result["saved_to"] = str(save_to)
    return result


def _checker_ms(data: dict[str, Any], checker: Any, label_prefix: str = "rule-") -> float | None:
    """Median milliseconds of one check on the rule-planner replies (the per-turn cost)."""
    import time

    times = []
    for case in data["cases"]:
        if str(case["context"]).startswith(label_prefix) and case["label"] == "correct":
            started = time.perf_counter()
            checker.check(case["reply"], data["contexts"][case["context"]])
            times.append((time.perf_counter() - started) * 1000)
    return round(float(np.median(times)), 2) if times else None


def main() -> None:
    """Rebuild the set (or only its rule-planner part), score the checker, write the JSON."""
    import argparse
    import shlex
    import sys
    from datetime import UTC, datetime

    root = Path(__file__).resolve().parents[1]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from agent.grounding import GroundingChecker
    from agent.vocab import Vocabulary
    from benchmarks.machine_info import machine
    from tools.workspace import Workspace

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "--ml", type=Path, default=Path.home() / ".cache/whyrec/workspaces/movielens-100k"
    )
    parser.add_argument("--set", type=Path, default=root / "tests/data/grounding/adversarial.json")
    parser.add_argument(
        "--rule-turns-only",
        action="store_true",
        help="keep the set's other cases; capture its rule-planner replies anew",
    )
    parser.add_argument("--out", type=Path, default=root / "benchmarks/results/grounding_set.json")
    args = parser.parse_args()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    if args.rule_turns_only:
        data = add_rule_turns(json.loads(args.set.read_text(encoding="utf-8")), args.ml)
    else:
        data = add_rule_turns(build_set(args.ml), args.ml)
    args.set.parent.mkdir(parents=True, exist_ok=True)
    args.set.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ws = Workspace(args.ml)
    source = str(getattr(ws, "manifest", {}).get("source", "") or ws.dataset.name)
    checker = GroundingChecker(Vocabulary.from_dataset(ws.dataset, source))
    result = score_set(data, checker)
    rule = score_set(
        {**data, "cases": [c for c in data["cases"] if str(c["context"]).startswith("rule-")]},
        checker,
    )
    out = {
        "date": started,
        "command": "python " + shlex.join(sys.argv),
        "machine": machine(),
        "set": str(args.set),
        "all": result,
        "rule_planner_part": {k: rule[k] for k in rule if k != "by_kind"},
        "check_ms_median_rule_reply": _checker_ms(data, checker),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"{'part':18} {'invented':>9} {'recall':>7} {'correct':>8} {'false alarms':>13}")
    for name, r in (("all", result), ("rule planner", rule)):
        print(
            f"{name:18} {r['n_invented']:>9} {r['recall']:>7} {r['n_correct']:>8} "
            f"{r['false_alarm_rate']:>13}"
        )
    for kind, figures in result["by_kind"].items():
        print(f"  {kind:32} {figures}")
    print(f"check: median {out['check_ms_median_rule_reply']} ms per rule reply")
    print(f"wrote {args.set} and {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
