"""The progress policy: a redrawn bar only on a terminal, one plain line per step elsewhere."""

from __future__ import annotations

import io

from causal.progress import LineProgress, progress_bar


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_file_gets_one_line_per_step_and_no_redraws():
    out = io.StringIO()
    for step in ("embedding items", "ranker"):
        bar = progress_bar(500, step, file=out, leave=False, unit="item")
        assert isinstance(bar, LineProgress)
        for _ in range(500):
            bar.update(1)
        bar.set_postfix(loss="0.5")
        bar.close()
        bar.close()  # closing twice writes nothing more
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("embedding items: 500/500 item in ")
    assert lines[1].endswith("(loss=0.5)")


def test_iterables_and_with_blocks_report_once():
    out = io.StringIO()
    seen = list(progress_bar(3, "dialogues", iterable=iter("abc"), file=out))
    assert seen == ["a", "b", "c"]
    with progress_bar(2, "fits", file=out) as bar:
        bar.update(2)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == ["dialogues", "fits"]


def test_switched_off_writes_nothing_and_a_terminal_gets_a_bar():
    quiet = io.StringIO()
    bar = progress_bar(10, "quiet", enabled=False, file=quiet)
    bar.update(10)
    bar.close()
    assert quiet.getvalue() == ""
    tty = _Tty()
    bar = progress_bar(10, "live", file=tty, mininterval=0)
    for _ in range(10):
        bar.update(1)
    bar.close()
    assert type(bar).__name__ == "tqdm" and "\r" in tty.getvalue()


def test_a_long_step_writes_heartbeat_lines():
    out = io.StringIO()
    bar = LineProgress(100, "discovery", file=out, heartbeat_s=0.0)
    bar.update(1)
    bar.update(1)
    bar.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and "so far" in lines[0] and lines[-1].startswith("discovery: 2/100")
