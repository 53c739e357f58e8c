"""The project's scoreboard: every figure, the command that produced it, in Markdown, JSON and PNG.

A `Scoreboard` is a list of `Section`s (dialogue, ranking, causal, latency, ...). Each section
has a status — ok, missing (the component is not there yet), failed (it ran and broke),
skipped — and `Figure`s: dataset, system, metric, value, and the exact command. Nothing is
filled in for a missing or failed section: the board says so instead. `write` puts
scoreboard.md, scoreboard.json and scoreboard.png (bar charts of the dialogue and ranking
tables, drawn with matplotlib's Agg backend) into one folder.
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any


class Status(StrEnum):
    """How a section of the board turned out."""

    OK = "ok"
    MISSING = "missing"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Figure:
    """One number on the board and where it came from."""

    metric: str
    value: float | int | str | None
    command: str
    dataset: str = ""
    system: str = ""

    def shown(self) -> str:
        """The value as the table prints it."""
        value = self.value
        if value is None:
            return "-"
        if isinstance(value, float):
            if math.isnan(value):
                return "-"
            return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"
        return str(value)


@dataclass
class Section:
    """A part of the board: one kind of evaluation."""

    name: str
    title: str
    status: Status = Status.OK
    figures: list[Figure] = field(default_factory=list)
    note: str = ""
    seconds: float | None = None
    commands: list[str] = field(default_factory=list)

    def add(self, figures: Iterable[Figure]) -> None:
        """Append figures."""
        self.figures.extend(figures)


def machine_info() -> dict[str, Any]:
    """Cores, memory and platform of this machine (for every results file)."""
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        info["ram_gib"] = round(pages * size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        info["ram_gib"] = None
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        info["load_average"] = None
    return info


def now_iso() -> str:
    """The current UTC time, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Scoreboard:
    """All sections plus when, where and how the board was made."""

    sections: list[Section] = field(default_factory=list)
    created: str = field(default_factory=now_iso)
    machine: dict[str, Any] = field(default_factory=machine_info)
    command: str = ""
    seconds: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Section | None:
        """The section called `name`, if present."""
        return next((s for s in self.sections if s.name == name), None)

    def to_json(self) -> dict[str, Any]:
        """The whole board as plain JSON."""
        return {
            "created": self.created,
            "machine": self.machine,
            "command": self.command,
            "seconds": None if self.seconds is None else round(self.seconds, 1),
            "settings": self.settings,
            "sections": [
                {
                    **{k: v for k, v in asdict(s).items() if k != "figures"},
                    "status": s.status.value,
                    "figures": [asdict(f) for f in s.figures],
                }
                for s in self.sections
            ],
        }

    def markdown(self) -> str:
        """The board as a Markdown page: a status line per section, then its figures."""
        minutes = "" if self.seconds is None else f" in {self.seconds / 60:.1f} min"
        cores = self.machine.get("cores")
        ram = self.machine.get("ram_gib")
        lines = [
            "# WhyRec scoreboard",
            "",
            f"Made {self.created}{minutes} on {cores} cores, {ram} GiB RAM "
            f"({self.machine.get('platform', '')}) by `{self.command}`.",
            "",
            "| section | status | time | note |",
            "| --- | --- | --- | --- |",
        ]
        for s in self.sections:
            took = "" if s.seconds is None else f"{s.seconds:.0f} s"
            lines.append(f"| {s.title} | {s.status.value} | {took} | {_cell(_headline(s.note))} |")
        for s in self.sections:
            lines += ["", f"## {s.title}", ""]
            if s.status is not Status.OK:
                lines.append(f"**{s.status.value}**: {s.note or 'no figures'}")
                if not s.figures:
                    continue
                lines.append("")
            elif s.note:
                lines += [s.note, ""]
            lines += section_table(s)
        if self.settings:
            lines += ["", "## Settings", ""]
            lines += [f"- {k}: {v}" for k, v in self.settings.items()]
        return "\n".join(lines) + "\n"

    def write(self, folder: str | Path) -> list[Path]:
        """Write scoreboard.md, scoreboard.json and scoreboard.png into `folder`."""
        import json

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        md = out / "scoreboard.md"
        md.write_text(self.markdown(), encoding="utf-8")
        js = out / "scoreboard.json"
        js.write_text(json.dumps(self.to_json(), indent=2, default=str) + "\n", encoding="utf-8")
        paths = [md, js]
        png = out / "scoreboard.png"
        if plot(self, png):
            paths.append(png)
        return paths


def section_table(section: Section) -> list[str]:
    """A section's figures as one row per (dataset, system, command) and one column per metric,
    then the commands, numbered, that the rows refer to."""
    if not section.figures:
        return []
    commands = list(dict.fromkeys(f.command for f in section.figures))
    number = {c: i for i, c in enumerate(commands, 1)}
    metrics = list(dict.fromkeys(f.metric for f in section.figures))
    rows: dict[tuple[str, str, str], dict[str, Figure]] = {}
    for f in section.figures:
        rows.setdefault((f.dataset, f.system, f.command), {})[f.metric] = f
    if len(section.figures) < 2 * len(rows):  # mostly one figure a row: a plain list reads better
        lines = [
            "| dataset | system | metric | value | command |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {_cell(f.dataset)} | {_cell(f.system)} | {_cell(f.metric)} | {f.shown()} | "
            f"[{number[f.command]}] |"
            for f in section.figures
        ]
        lines.append("")
        return lines + [f"[{number[c]}] `{c}`  " for c in commands]
    lines = [
        "| dataset | system | " + " | ".join(_cell(m) for m in metrics) + " | command |",
        "| --- | --- | " + " | ".join("---" for _ in metrics) + " | --- |",
    ]
    for (dataset, system, command), cells in rows.items():
        values = " | ".join(cells[m].shown() if m in cells else "" for m in metrics)
        lines.append(f"| {_cell(dataset)} | {_cell(system)} | {values} | [{number[command]}] |")
    lines.append("")
    lines += [f"[{number[c]}] `{c}`  " for c in commands]
    return lines


def _headline(note: str, limit: int = 160) -> str:
    """A note's first sentence, shortened for the overview table."""
    first = note.split(". ")[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _numeric(figures: Iterable[Figure]) -> list[Figure]:
    return [
        f
        for f in figures
        if isinstance(f.value, int | float)
        and not isinstance(f.value, bool)
        and math.isfinite(float(f.value))
    ]


def _panels(board: Scoreboard) -> list[tuple[str, list[Figure]]]:
    """(title, figures) for each chart: dialogue hit rates, then ranking per dataset."""
    panels: list[tuple[str, list[Figure]]] = []
    dialogue = board.section("dialogue")
    if dialogue is not None and dialogue.status is Status.OK:
        by_dataset: dict[str, list[Figure]] = {}
        for f in _numeric(dialogue.figures):
            if f.metric in ("hit@1", "hit@5", "hit@10"):
                by_dataset.setdefault(f.dataset, []).append(f)
        for dataset, hits in by_dataset.items():
            panels.append((f"Dialogue, {dataset}: target in the top k", hits))
    ranking = board.section("ranking")
    if ranking is not None and ranking.status in (Status.OK, Status.FAILED):
        shown = {"auc", "ndcg@5", "recall@5", "ndcg@10", "recall@10"}
        per_dataset: dict[str, list[Figure]] = {}
        for f in _numeric(ranking.figures):
            if f.metric in shown:
                per_dataset.setdefault(f.dataset, []).append(f)
        for dataset, figures in per_dataset.items():
            panels.append((f"Ranking ({dataset})", figures))
    return panels


def plot(board: Scoreboard, path: Path) -> bool:
    """Bar charts of the dialogue and ranking tables; False when there is nothing to draw."""
    panels = _panels(board)
    if not panels:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = min(2, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 4.2 * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax, (title, figures) in zip(flat, panels, strict=False):
        _bars(ax, figures)
        ax.set_title(title, fontsize=10)
    for ax in flat[len(panels) :]:
        ax.axis("off")
    fig.suptitle(f"WhyRec scoreboard — {board.created}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _bars(ax: Any, figures: list[Figure]) -> None:
    metrics = list(dict.fromkeys(f.metric for f in figures))
    systems = list(dict.fromkeys(f.system or "value" for f in figures))
    values: Mapping[tuple[str, str], float] = {
        (f.metric, f.system or "value"): float(f.value)  # type: ignore[arg-type]
        for f in figures
    }
    width = 0.8 / max(len(systems), 1)
    for index, system in enumerate(systems):
        xs = [m + (index - (len(systems) - 1) / 2) * width for m in range(len(metrics))]
        ys = [values.get((metric, system), 0.0) for metric in metrics]
        bars = ax.bar(xs, ys, width=width, label=system)
        for bar, y in zip(bars, ys, strict=True):
            ax.annotate(
                f"{y:.2f}",
                (bar.get_x() + bar.get_width() / 2, y),
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ax.set_xticks(range(len(metrics)))
    ax.set_xticklabels(metrics)
    ax.legend(fontsize=7)
    highest = max(values.values(), default=1.0)
    # Shares on a 0-1 scale, unless every bar is small (then zoom in so they can be read).
    ax.set_ylim(0, highest * 1.25 if 0 < highest < 0.5 else max(1.0, highest * 1.15))


__all__ = ["Figure", "Scoreboard", "Section", "Status", "machine_info", "now_iso", "plot"]
