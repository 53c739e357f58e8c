"""Relabel training lines to the settled "more like it" convention (issue 11, helper slots5).

A title the user says they liked in a turn that asks for more like it is a `taste` reference
only, not also a `like` feedback: 10 of the 12 such lines of the independent writers (w5-w11,
held-out v4) label it so. This drops the `like` of every item that a line also lists under
`taste`, and, for the lines named in `MOVE_TO_TASTE` (checked by eye: a liked title plus "more
of those"), moves the like to `taste`. Only the `slots` object of a changed line is rewritten;
a second run changes nothing.

    python scripts/nlu_taste_only.py agent/data/nlu_train.jsonl [--write]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

MOVE_TO_TASTE = ("w9-ml-0204",)  # "The Thin Man is a delight, more of those would be grand"


def relabel(row: dict) -> dict | None:
    """The row's new slots, or None when the line already follows the convention."""
    slots = dict(row.get("slots") or {})
    taste = list(slots.get("taste") or [])
    feedback = [list(f) for f in slots.get("feedback") or []]
    liked = [item for item, kind in feedback if kind == "like"]
    if row.get("id") in MOVE_TO_TASTE:
        taste += [item for item in liked if item not in taste]
    kept = [f for f in feedback if not (f[1] == "like" and f[0] in taste)]
    if kept == feedback and taste == list(slots.get("taste") or []):
        return None
    slots["taste"] = taste
    if kept:
        slots["feedback"] = kept
    else:
        slots.pop("feedback", None)
    return slots


def main() -> None:
    """Print the lines that change; with --write, rewrite the file in place."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    out = []
    changed = 0
    for line in args.path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else None
        slots = relabel(row) if isinstance(row, dict) else None
        if slots is None:
            out.append(line)
            continue
        changed += 1
        print(f"{row['id']}: {row.get('slots')} -> {slots}  | {row['text']}")
        out.append(json.dumps({**row, "slots": slots}, ensure_ascii=False))
    print(f"{changed} line(s) changed")
    if args.write and changed:
        args.path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
