"""Running the evaluations' commands: paths as the board prints them, subprocesses offline and
with a time limit, and the results files every section writes.

Every figure on the scoreboard carries the exact command behind it; this module is how
those commands are spelled (`display_command`, `whyrec_argv`) and run (`run_command`).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.evaluation.scoreboard import machine_info, now_iso

ROOT = Path(__file__).resolve().parents[2]

Log = Callable[[str], None]


def quiet(message: str) -> None:
    """A log that says nothing."""
    return None


def shown_path(path: Path | str) -> str:
    """A path as the board prints it: relative to the repository root when inside it."""
    absolute = Path(path).expanduser().resolve()
    try:
        return str(absolute.relative_to(ROOT))
    except ValueError:
        return str(absolute)


@dataclass(frozen=True)
class Ran:
    """A finished subprocess."""

    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        """True on exit code 0."""
        return self.returncode == 0 and not self.timed_out

    def error(self) -> str:
        """The last lines of stderr, or the timeout."""
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        tail = [line for line in self.stderr.strip().splitlines() if line.strip()][-3:]
        return f"exit {self.returncode}: " + " / ".join(tail)[-400:]


def display_command(*argv: str) -> str:
    """A command line as the board prints it (absolute paths inside the repository shortened)."""
    return shlex.join([shown_path(a) if a.startswith("/") else a for a in argv])


def run_command(argv: list[str], timeout_s: float, log: Log = quiet, cwd: Path = ROOT) -> Ran:
    """Run a command from `cwd` (the repository root), offline, with a time limit."""
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("ANONYMIZED_TELEMETRY", "False")
    # No PYTHONPATH: a script in benchmarks/ puts the repository first itself, and an entry
    # after the script's own folder would let benchmarks/causal.py shadow the causal package.
    started = time.perf_counter()
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return Ran(None, _text(exc.stdout), _text(exc.stderr), time.perf_counter() - started, True)
    return Ran(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def whyrec_argv(*args: str) -> list[str]:
    """argv that runs the whyrec CLI with this interpreter."""
    return [sys.executable, "-c", "from ui.cli import main; main()", *args]


def script_flags(script: Path) -> set[str]:
    """The long options a benchmark script accepts (from its --help)."""
    ran = run_command([sys.executable, str(script), "--help"], 60)
    return {word.strip(",[]") for word in ran.stdout.split() if word.startswith("--")}


def write_result(path: Path, name: str, command: str, payload: Mapping[str, Any]) -> None:
    """A section's results file: the payload with the date, the machine and the command."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "date": now_iso(),
        "machine": machine_info(),
        "command": command,
        "results": payload,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
