"""Progress reporting with one policy for every long loop: a live bar on a terminal, one plain
line per step anywhere else (a log file, CI, `make run > log`), nothing when switched off.

tqdm redraws its bar with carriage returns; written to a file that makes one "line" of hundreds
of redraws (a MovieLens build once wrote 1,219 of them, 123 KB, into its log). `progress_bar`
returns a tqdm only when the stream is a terminal; otherwise a `LineProgress` that writes a
single line when the step ends (and a heartbeat line at most every `HEARTBEAT_S` seconds on a
long step, so a log still shows the build is alive).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, Any

HEARTBEAT_S = 60.0


class LineProgress:
    """A tqdm-shaped counter that reports by whole lines: `update`, `set_postfix`, `close`,
    iteration and `with` work as on tqdm; nothing is ever redrawn."""

    def __init__(
        self,
        total: int | None,
        desc: str,
        *,
        unit: str = "it",
        file: IO[str] | None = None,
        iterable: Iterable[Any] | None = None,
        enabled: bool = True,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.total = total
        self.desc = desc
        self.unit = unit
        self.n = 0
        self._file = file
        self._iterable = iterable
        self._enabled = enabled
        self._heartbeat_s = heartbeat_s
        self._postfix = ""
        self._started = self._last_line = time.monotonic()
        self._closed = False

    def update(self, n: int = 1) -> None:
        """Count `n` more units; write a heartbeat line when the step has run long."""
        self.n += n
        now = time.monotonic()
        if self._enabled and now - self._last_line >= self._heartbeat_s:
            self._write(f"{self._counts()} so far, {now - self._started:.0f} s{self._postfix}")

    def set_postfix(self, **values: Any) -> None:
        """Remember values (a loss) to print with the next line, as tqdm shows them."""
        self._postfix = " (" + ", ".join(f"{k}={v}" for k, v in values.items()) + ")"

    def close(self) -> None:
        """End the step: one line with the count and the time it took (once)."""
        if self._closed:
            return
        self._closed = True
        if self._enabled:
            seconds = time.monotonic() - self._started
            self._write(f"{self._counts()} in {seconds:.1f} s{self._postfix}")

    def _counts(self) -> str:
        total = f"/{self.total}" if self.total is not None else ""
        return f"{self.n}{total} {self.unit}"

    def _write(self, text: str) -> None:
        stream = self._file if self._file is not None else sys.stderr
        stream.write(f"{self.desc}: {text}\n")
        stream.flush()
        self._last_line = time.monotonic()

    def __iter__(self) -> Iterator[Any]:
        if self._iterable is None:
            raise TypeError("this progress counter was made without an iterable")
        try:
            for value in self._iterable:
                yield value
                self.update(1)
        finally:
            self.close()

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_terminal(stream: Any) -> bool:
    """True when `stream` is an interactive terminal (where a redrawn bar belongs)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):  # a closed or detached stream
        return False


def progress_bar(
    total: int | None = None,
    desc: str = "",
    *,
    enabled: bool = True,
    unit: str = "it",
    file: IO[str] | None = None,
    iterable: Iterable[Any] | None = None,
    **tqdm_options: Any,
) -> Any:
    """A progress reporter for one step: a tqdm bar on a terminal, a `LineProgress` elsewhere,
    a silent counter when `enabled` is false. `tqdm_options` (leave, dynamic_ncols, ...) only
    reach the terminal bar."""
    stream = file if file is not None else sys.stderr
    if enabled and is_terminal(stream):
        from tqdm import tqdm

        return tqdm(iterable, total=total, desc=desc, unit=unit, file=stream, **tqdm_options)
    return LineProgress(total, desc, unit=unit, file=stream, iterable=iterable, enabled=enabled)
