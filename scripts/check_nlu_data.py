"""Check a labelled NLU sentence file (JSONL) for format errors and labels the catalog cannot hold.

Written for the held-out sets under tests/data/nlu/ so a wrong id, a misspelt genre or a
half-open range is caught before anyone scores against the file. It shares no code or
word lists with the parser: the rules come from tests/data/nlu/README.md and the values
from the workspace's own item table (`data/items.csv`, `workspace.json`).

    python scripts/check_nlu_data.py tests/data/nlu/heldout_v2.jsonl \
        --workspace movielens=/work/ws/ml --workspace coat=/work/ws/coat

    python scripts/check_nlu_data.py tests/data/nlu/heldout_v3.jsonl --id-prefix v3- --strict \
        --workspace movielens=/work/ws/ml-a1 --workspace coat=/work/ws/coat-a1 --summary

`--strict` adds the README's context conventions (a refine turn has a shown list; the focus
item is one of the shown items). `--disjoint-from OTHER` reports lines whose text also
occurs in OTHER by this file's line number only, never printing OTHER's text, so a set can
be checked against a training or older held-out file without anyone reading that file.
`--summary` prints the intent table per dataset and the number of lines using each slot.

Exit status 0 when clean, 1 with one message a problem ("FILE:LINE: ..."), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INTENTS = frozenset(
    {
        "recommend",
        "refine",
        "why",
        "what_if",
        "causal",
        "compare",
        "feedback",
        "reset",
        "profile",
        "help",
        "greeting",
        "off_topic",
    }
)
REQUIRED_KEYS = ("id", "dataset", "text", "intent", "context", "slots")
CONTEXT_KEYS = frozenset({"shown", "focus"})
SLOT_KEYS = frozenset(
    {
        "include",
        "exclude",
        "ranges",
        "relative",
        "popularity",
        "taste",
        "refs",
        "feedback",
        "unknown_titles",
        "unplaced",
    }
)
# A what-if or causal question states no wishes (README convention).
WISH_SLOTS = frozenset({"include", "exclude", "ranges", "relative", "popularity", "taste"})
DIRECTIONS = frozenset({"up", "down"})
FAME = frozenset({"up", "down", "middle"})  # popularity: also the middle ("fairly popular")
FEEDBACK_KINDS = frozenset({"like", "dislike", "seen"})
MULTI_VALUE_SEP = "|"


@dataclass(frozen=True)
class Catalog:
    """What one workspace's item table allows: ids, titles, and the values of each attribute."""

    ids: frozenset[str]
    titles: frozenset[str]
    values: dict[str, frozenset[str]]
    numeric: frozenset[str]


@dataclass
class Report:
    """Problems found, each tied to a file line (0 for the whole file)."""

    path: str
    problems: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def lines(self) -> list[str]:
        return [f"{self.path}:{n}: {m}" for n, m in sorted(self.problems)]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _title_base(title: str) -> str:
    """'Fargo (1996)' -> 'fargo': the name a user types, for the unknown-title check."""
    text = title.strip()
    if text.endswith(")") and "(" in text:
        head, _, tail = text.rpartition("(")
        if tail[:-1].isdigit():
            text = head.strip()
    return text.lower()


def load_catalog(workspace: Path) -> Catalog:
    """Read the item table of a workspace built by `whyrec build` (data/items.csv)."""
    items_path = workspace / "data" / "items.csv"
    meta_path = workspace / "workspace.json"
    if not items_path.is_file():
        raise FileNotFoundError(f"{items_path}: no item table (is {workspace} a workspace?)")
    attributes: list[str] | None = None
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        attributes = list(meta.get("dataset", {}).get("item_attributes") or []) or None
    with items_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        if "item_id" not in columns or "title" not in columns:
            raise ValueError(f"{items_path}: needs the columns item_id and title")
        if attributes is None:
            attributes = [c for c in columns if c not in {"item_id", "title", "description"}]
        values: dict[str, set[str]] = {a: set() for a in attributes if a in columns}
        numeric = {a: True for a in values}
        ids: set[str] = set()
        titles: set[str] = set()
        for row in reader:
            ids.add(row["item_id"])
            titles.add(_title_base(row["title"] or ""))
            for attr in values:
                cell = (row.get(attr) or "").strip()
                if not cell:
                    continue
                for part in cell.split(MULTI_VALUE_SEP):
                    values[attr].add(part.strip())
                    try:
                        float(part)
                    except ValueError:
                        numeric[attr] = False
    return Catalog(
        ids=frozenset(ids),
        titles=frozenset(titles),
        values={a: frozenset(v) for a, v in values.items()},
        numeric=frozenset(a for a, ok in numeric.items() if ok and values[a]),
    )


def _check_str_list(report: Report, n: int, name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        report.add(n, f"{name} must be a list of non-empty strings, got {value!r}")
        return []
    return value


def _check_values(report: Report, n: int, name: str, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not value:
        report.add(n, f"slots.{name} must be a non-empty object attribute -> [values]")
        return {}
    good: dict[str, list[str]] = {}
    for attr, vals in value.items():
        good[attr] = _check_str_list(report, n, f"slots.{name}.{attr}", vals)
    return good


def check_row(row: Any, n: int, report: Report, catalog: Catalog | None) -> None:
    """Check one parsed line; with a catalog also check ids, attributes and values."""
    if not isinstance(row, dict):
        report.add(n, "a line must be one JSON object")
        return
    for key in REQUIRED_KEYS:
        if key not in row:
            report.add(n, f"missing key {key!r}")
    for key in row:
        if key not in REQUIRED_KEYS:
            report.add(n, f"unknown key {key!r}")
    for key in ("id", "dataset", "text"):
        if key in row and (not isinstance(row[key], str) or not row[key].strip()):
            report.add(n, f"{key} must be a non-empty string")
    if "intent" in row and row["intent"] not in INTENTS:
        report.add(n, f"unknown intent {row['intent']!r}")

    item_refs: list[tuple[str, str]] = []
    context = row.get("context", {})
    if not isinstance(context, dict):
        report.add(n, "context must be an object")
        context = {}
    for key in context:
        if key not in CONTEXT_KEYS:
            report.add(n, f"unknown context key {key!r}")
    shown = context.get("shown", [])
    if shown:
        item_refs += [
            ("context.shown", i) for i in _check_str_list(report, n, "context.shown", shown)
        ]
    elif shown is not None and shown != []:
        report.add(n, "context.shown must be a list of item ids")
    focus = context.get("focus")
    if focus is not None:
        if isinstance(focus, str) and focus:
            item_refs.append(("context.focus", focus))
        else:
            report.add(n, "context.focus must be an item id or null")

    slots = row.get("slots", {})
    if not isinstance(slots, dict):
        report.add(n, "slots must be an object")
        slots = {}
    for key in slots:
        if key not in SLOT_KEYS:
            report.add(n, f"unknown slot {key!r}")
    if row.get("intent") in {"what_if", "causal"}:
        wishes = sorted(k for k in slots if k in WISH_SLOTS and slots[k])
        if wishes:
            report.add(n, f"a {row['intent']} question states no wish slots, found {wishes}")

    attrs_used: list[tuple[str, str]] = []
    for name in ("include", "exclude"):
        if name in slots:
            for attr, vals in _check_values(report, n, name, slots[name]).items():
                attrs_used.append((f"slots.{name}", attr))
                if catalog is not None and attr in catalog.values:
                    for v in vals:
                        if v not in catalog.values[attr]:
                            report.add(n, f"slots.{name}.{attr}: {v!r} is not a value of {attr}")
    if "ranges" in slots:
        ranges = slots["ranges"]
        if not isinstance(ranges, dict) or not ranges:
            report.add(n, "slots.ranges must be a non-empty object attribute -> [low, high]")
            ranges = {}
        for attr, bounds in ranges.items():
            attrs_used.append(("slots.ranges", attr))
            if (
                not isinstance(bounds, list)
                or len(bounds) != 2
                or not all(b is None or _is_number(b) for b in bounds)
                or bounds == [None, None]
            ):
                report.add(
                    n,
                    f"slots.ranges.{attr} must be [low, high] (numbers, null open), got {bounds!r}",
                )
            elif None not in bounds and bounds[0] > bounds[1]:
                report.add(n, f"slots.ranges.{attr}: low {bounds[0]} is above high {bounds[1]}")
            if catalog is not None and attr in catalog.values and attr not in catalog.numeric:
                report.add(n, f"slots.ranges.{attr}: {attr} is not a numeric attribute")
    if "relative" in slots:
        rel = slots["relative"]
        if not isinstance(rel, list) or not rel:
            report.add(n, "slots.relative must be a non-empty list of [attribute, up|down]")
            rel = []
        for move in rel:
            if not (isinstance(move, list) and len(move) == 2 and move[1] in DIRECTIONS):
                report.add(n, f"slots.relative: {move!r} is not [attribute, up|down]")
                continue
            attrs_used.append(("slots.relative", move[0]))
            if catalog is not None and move[0] in catalog.values and move[0] not in catalog.numeric:
                report.add(n, f"slots.relative: {move[0]} is not a numeric attribute")
    if "popularity" in slots and slots["popularity"] not in FAME:
        report.add(n, f"slots.popularity must be up, down or middle, got {slots['popularity']!r}")
    for name in ("taste", "refs"):
        if name in slots:
            item_refs += [
                (f"slots.{name}", i)
                for i in _check_str_list(report, n, f"slots.{name}", slots[name])
            ]
    if "feedback" in slots:
        fb = slots["feedback"]
        if not isinstance(fb, list) or not fb:
            report.add(n, "slots.feedback must be a non-empty list of [item id, like|dislike|seen]")
            fb = []
        for entry in fb:
            if not (
                isinstance(entry, list)
                and len(entry) == 2
                and isinstance(entry[0], str)
                and entry[1] in FEEDBACK_KINDS
            ):
                report.add(n, f"slots.feedback: {entry!r} is not [item id, like|dislike|seen]")
                continue
            item_refs.append(("slots.feedback", entry[0]))
    text = row.get("text") if isinstance(row.get("text"), str) else ""
    for name in ("unknown_titles", "unplaced"):
        if name in slots:
            for phrase in _check_str_list(report, n, f"slots.{name}", slots[name]):
                if phrase.lower() not in text.lower():
                    report.add(n, f"slots.{name}: {phrase!r} does not occur in the text")
                if (
                    name == "unknown_titles"
                    and catalog is not None
                    and _title_base(phrase) in catalog.titles
                ):
                    report.add(n, f"slots.unknown_titles: {phrase!r} is in the catalog")

    if catalog is None:
        return
    for where, attr in attrs_used:
        if attr not in catalog.values:
            report.add(n, f"{where}: {attr!r} is no item attribute of this workspace")
    for where, item in item_refs:
        if item not in catalog.ids:
            report.add(n, f"{where}: item id {item!r} is not in the catalog")


def check_context(row: dict[str, Any], n: int, report: Report) -> None:
    """The README's context conventions (`--strict`): refine needs a list, focus is on it."""
    context = row.get("context")
    if not isinstance(context, dict):
        return
    shown = context.get("shown") or []
    focus = context.get("focus")
    if row.get("intent") == "refine" and not shown:
        report.add(n, "a refine turn only makes sense against a shown list; context.shown is empty")
    if shown and focus is not None and isinstance(shown, list) and focus not in shown:
        report.add(n, f"context.focus {focus!r} is not one of the shown items")


def normalise_text(text: str) -> str:
    """Case- and space-insensitive form of a sentence, for duplicate checks."""
    return " ".join(text.lower().split())


def load_texts(path: Path) -> set[str]:
    """Normalised texts of another JSONL file (lines without a text are skipped)."""
    texts: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and isinstance(row.get("text"), str):
            texts.add(normalise_text(row["text"]))
    return texts


def summarise(path: Path) -> str:
    """Intent table (per dataset and all) and slot-use counts of a JSONL file, as Markdown."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    datasets = sorted({str(r.get("dataset")) for r in rows})
    counts = Counter((str(r.get("dataset")), str(r.get("intent"))) for r in rows)
    out = [
        "| intent | " + " | ".join(datasets) + " | all |",
        "| --- |" + " ---: |" * (len(datasets) + 1),
    ]
    for intent in sorted(INTENTS, key=lambda i: -sum(counts[(d, i)] for d in datasets)):
        cells = [counts[(d, intent)] for d in datasets]
        out.append(f"| {intent} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    totals = [sum(counts[(d, i)] for i in INTENTS) for d in datasets]
    out.append("| all | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    slot_use = Counter(
        k for r in rows if isinstance(r.get("slots"), dict) for k, v in r["slots"].items() if v
    )
    out.append("")
    out.append("slots: " + ", ".join(f"{k} {v}" for k, v in slot_use.most_common()))
    with_shown = sum(
        1 for r in rows if isinstance(r.get("context"), dict) and r["context"].get("shown")
    )
    with_focus = sum(
        1 for r in rows if isinstance(r.get("context"), dict) and r["context"].get("focus")
    )
    out.append(f"lines with a shown list: {with_shown}; with a focus: {with_focus}")
    return "\n".join(out)


def check_file(
    path: Path,
    catalogs: dict[str, Catalog],
    id_prefix: str = "",
    *,
    strict: bool = False,
    disjoint_from: dict[str, set[str]] | None = None,
) -> Report:
    """Check every line of a JSONL file; datasets without a catalog get the format checks only."""
    report = Report(str(path))
    ids: Counter[str] = Counter()
    texts: dict[str, int] = {}
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.add(0, f"cannot read: {exc}")
        return report
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            report.add(n, "empty line")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            report.add(n, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        catalog = catalogs.get(row.get("dataset")) if isinstance(row, dict) else None
        check_row(row, n, report, catalog)
        if not isinstance(row, dict):
            continue
        if strict:
            check_context(row, n, report)
        row_id = row.get("id")
        if isinstance(row_id, str):
            ids[row_id] += 1
            if ids[row_id] == 2:
                report.add(n, f"duplicate id {row_id!r}")
            if id_prefix and not row_id.startswith(id_prefix):
                report.add(n, f"id {row_id!r} does not start with {id_prefix!r}")
        text = row.get("text")
        if isinstance(text, str):
            key = normalise_text(text)
            if key in texts:
                report.add(n, f"same text as line {texts[key]}")
            else:
                texts[key] = n
            for other, other_texts in (disjoint_from or {}).items():
                if key in other_texts:
                    report.add(n, f"text also occurs in {other}")
    return report


def _parse_workspace(spec: str) -> tuple[str, Path]:
    name, sep, folder = spec.partition("=")
    if not sep or not name or not folder:
        raise argparse.ArgumentTypeError(f"--workspace wants DATASET=FOLDER, got {spec!r}")
    return name, Path(folder)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print the problems and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="JSONL files to check")
    parser.add_argument(
        "--workspace",
        action="append",
        default=[],
        type=_parse_workspace,
        metavar="DATASET=FOLDER",
        help="check lines of DATASET against this workspace (repeatable)",
    )
    parser.add_argument("--id-prefix", default="", help="every id must start with this")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also check the context conventions (refine has a shown list, focus is shown)",
    )
    parser.add_argument(
        "--disjoint-from",
        action="append",
        default=[],
        type=Path,
        metavar="OTHER",
        help="report lines whose text also occurs in OTHER (line numbers only; repeatable)",
    )
    parser.add_argument(
        "--summary", action="store_true", help="print the intent table and slot-use counts"
    )
    args = parser.parse_args(argv)
    others: dict[str, set[str]] = {}
    for other in args.disjoint_from:
        try:
            others[str(other)] = load_texts(other)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: cannot read {other}: {exc}", file=sys.stderr)
            return 2
    catalogs: dict[str, Catalog] = {}
    for name, folder in args.workspace:
        try:
            catalogs[name] = load_catalog(folder)
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    status = 0
    for path in args.files:
        report = check_file(
            path, catalogs, args.id_prefix, strict=args.strict, disjoint_from=others
        )
        for message in report.lines():
            print(message)
        if report.problems:
            status = 1
        else:
            print(f"{path}: ok ({len(path.read_text(encoding='utf-8').splitlines())} lines)")
        if args.summary and path.is_file():
            print(summarise(path))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
