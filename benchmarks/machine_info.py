"""What every benchmark's results JSON records about the machine that produced the figures."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
from typing import Any


def machine() -> dict[str, Any]:
    """Cores, RAM, CPU model, platform, Python and the load averages at the time of the call."""
    ram = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        ram = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    cpu = platform.processor()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "ram_gib": ram,
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": load_average(),
    }


def load_average() -> list[float]:
    """1/5/15-minute load averages (the machine may be shared with other work)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def cpu_seconds() -> float:
    """CPU time this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
