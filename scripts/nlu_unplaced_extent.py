"""Relabel training lines so each `unplaced` phrase carries its preposition or negation as typed.

One-off relabelling for issue 11 (2026-12-07, helper "unplaced3"): the held-out sets and the
w5-w9 writers label an unplaced wish with the word that introduces it ("about chess", "with a
twist ending", "in colour", "nothing scary"), the older lines without it ("chess"). This script
extends a label leftwards over an introducing preposition (with the article or quantifier
between them) or a negation (with its hedge), exactly as the text spells it, and changes nothing
else in the line. Frames whose preposition belongs to the verb ("looking for a", "in the mood
for a") are left alone.

    python scripts/nlu_unplaced_extent.py agent/data/nlu_train.jsonl [--write]

Without --write it only prints the changes (id, old label -> new label, text).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

_PREPOSITIONS = (
    r"about|abt|with|w/|w/o|without|for|in|set in|set at|set on|on|from|featuring|starring"
    r"|involving"
)
_FILL = r"(?:(?:a|an|the|some|lots of|a lot of|many|plenty of)\s+)?"
_NEGATIONS = r"not|no|nothing|none|isn't|aren't|wasn't|weren't|isnt|arent|never|nothing with"
_HEDGE = r"(?:(?:too|so|very|that|overly|really)\s+)?"
_BEFORE = re.compile(
    rf"(?:(?<=\s)|^)(?P<intro>(?:{_PREPOSITIONS})\s+{_FILL}|(?:{_NEGATIONS})\s+{_HEDGE})$",
    re.IGNORECASE,
)
# A preposition that belongs to the verb or frame before it, not to the wish.
_FRAMES = re.compile(r"\b(?:looking|look|mood|searching|search|hunting|out|go)\s*$", re.IGNORECASE)


def extend(text: str, label: str) -> str:
    """The label with its introducing preposition or negation as typed, or the label itself."""
    m = re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text, re.IGNORECASE)
    if m is None or label.lower().split(" ", 1)[0] in _NEGATIONS.split("|"):
        return label
    head = text[: m.start()]
    intro = _BEFORE.search(head)
    if intro is None or _FRAMES.search(head[: intro.start()]):
        return label
    if re.match(rf"(?:{_PREPOSITIONS})\s", label, re.IGNORECASE):
        return label  # already introduced ("with a hood")
    return text[intro.start() : m.end()]


def main() -> None:
    """Print (and with --write, apply) the extended labels."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    lines = args.path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    changed = 0
    for line in lines:
        row = json.loads(line)
        labels = (row.get("slots") or {}).get("unplaced") or []
        new = [extend(row["text"], label) for label in labels]
        if new != labels:
            changed += 1
            for old, now in zip(labels, new, strict=True):
                if old != now:
                    print(f"{row['id']}: {old!r} -> {now!r}   | {row['text']}")
            # Replace only the unplaced list inside the raw line, so nothing else moves.
            old_json = json.dumps(labels, ensure_ascii=False)
            new_json = json.dumps(new, ensure_ascii=False)
            if line.count(f'"unplaced": {old_json}') != 1:
                sys.exit(f"{row['id']}: unplaced list not found verbatim")
            line = line.replace(f'"unplaced": {old_json}', f'"unplaced": {new_json}')
        out.append(line)
    print(f"{changed} lines changed", file=sys.stderr)
    if args.write:
        args.path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
