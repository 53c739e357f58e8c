"""Where the agent's small fitted models (intent classifier, verdict reader) keep their
weights, keyed so that a code change never meets weights fit by older code.

One place for the cache folder, the source fingerprint and the atomic, pickle-free write,
so both models treat the shared folder the same way.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)


def cache_dir() -> Path:
    """`WHYREC_CACHE_DIR`, else `$XDG_CACHE_HOME/whyrec`, else `~/.cache/whyrec`."""
    if os.environ.get("WHYREC_CACHE_DIR"):
        return Path(os.environ["WHYREC_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "whyrec"


@functools.cache
def code_fingerprint() -> str:
    """The agent package's own source and the fitting library's version: a parser or feature
    change must never meet weights fit on the old features."""
    import sklearn

    digest = hashlib.sha1(sklearn.__version__.encode("utf-8"))
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()


def save_arrays(path: Path, what: str, **arrays: Any) -> None:
    """Write plain arrays (no pickle: the cache folder is a file anyone with the account could
    replace) through a temporary file and a rename; a failed write only costs the next start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(path)
    except OSError:
        logger.debug("%s cache not writable", what, exc_info=True)
