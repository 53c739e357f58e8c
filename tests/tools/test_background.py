"""Background tasks finish before the interpreter exits: a daemon thread left inside torch
while Python finalised crashed `whyrec chat -m hi --json` after it had printed its answer."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_process_waits_for_a_background_task_and_exits_cleanly(tmp_path: Path) -> None:
    marker = tmp_path / "done"
    script = textwrap.dedent(
        f"""
        import time
        import torch
        from tools.background import start_background

        def work():
            a = torch.randn(300, 300)
            end = time.monotonic() + 1.5
            while time.monotonic() < end:
                a = torch.tanh(a @ a.T / 300.0)
            open({str(marker)!r}, "w").write("ok")

        start_background(work, "test-task")
        print("main thread done")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "main thread done" in done.stdout
    assert marker.read_text() == "ok"  # the exit hook waited for the task


def test_a_bounded_wait_gives_up_on_a_task_that_does_not_end() -> None:
    import threading

    from tools.background import start_background, wait_for_background

    release = threading.Event()
    thread = start_background(release.wait, "test-hung-task")
    assert wait_for_background(timeout_s=0.2) is False
    release.set()
    thread.join(5)
    assert wait_for_background(timeout_s=1.0) is True
