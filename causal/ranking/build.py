"""The ranker's step of a workspace build: train into a folder, or reuse the previous build's
ranker when nothing it reads has changed (`build_ranker`, called by `whyrec build`).

The manifest summary it returns carries the unbiased metrics on the random-exposure log when
the dataset has one (causal.ranking.evaluation).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.schema import DataError, Dataset
from causal.ranking.config import RankerConfig
from causal.ranking.evaluation import evaluate_on_random_log
from causal.ranking.model import Ranker
from causal.ranking.training import train_ranker

FINGERPRINT_FILE = "fingerprint.txt"


def dataset_fingerprint(
    dataset: Dataset,
    config: RankerConfig,
    item_embeddings: np.ndarray | None,
    data_digest: str | None = None,
) -> str:
    """A hash of everything training reads: data (or its digest), config and embeddings."""
    digest = hashlib.sha256()
    if data_digest is not None:
        digest.update(data_digest.encode())
    else:
        frames = [dataset.interactions, dataset.items, dataset.users]
        if dataset.random_exposure is not None:
            frames.append(dataset.random_exposure)
        for frame in frames:
            digest.update(str(list(frame.columns)).encode())
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(json.dumps(config.to_dict(), sort_keys=True).encode())
    if item_embeddings is not None:
        digest.update(np.ascontiguousarray(item_embeddings, dtype=np.float32).tobytes())
    return digest.hexdigest()


def build_ranker(
    dataset: Dataset,
    out_dir: str | Path,
    *,
    seed: int = 0,
    progress: bool = True,
    item_embeddings: np.ndarray | None = None,
    previous_dir: str | Path | None = None,
    config: RankerConfig | None = None,
    data_digest: str | None = None,
) -> dict[str, Any]:
    """Train (or reuse, when nothing changed) the ranker into `out_dir`; returns a manifest summary.

    `data_digest` (e.g. a hash of the dataset files as written) stands in for hashing the
    frames, so a dataset that went through CSV and back still counts as unchanged.
    """
    cfg = replace(config or RankerConfig(), seed=seed)
    out = Path(out_dir)
    fingerprint = dataset_fingerprint(dataset, cfg, item_embeddings, data_digest)
    if previous_dir is not None:
        prev = Path(previous_dir)
        marker = prev / FINGERPRINT_FILE
        if (
            marker.is_file()
            and marker.read_text().strip() == fingerprint
            and (prev / "ranker.json").is_file()
        ):
            if prev.resolve() != out.resolve():
                shutil.copytree(prev, out, dirs_exist_ok=True)
            ranker = Ranker.load(out)
            return _summary(ranker, dataset, reused=True)
    try:
        ranker = train_ranker(dataset, cfg, item_embeddings=item_embeddings, progress=progress)
    except DataError:
        raise
    ranker.save(out)
    (out / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")
    return _summary(ranker, dataset, reused=False)


def _summary(ranker: Ranker, dataset: Dataset, *, reused: bool) -> dict[str, Any]:
    info: Mapping[str, Any] = ranker.info
    summary: dict[str, Any] = {
        "kind": info.get("kind"),
        "method": info.get("method"),
        "propensity": info.get("propensity"),
        "reg": info.get("reg"),
        "n_rows": info.get("n_rows"),
        "n_users": info.get("n_users"),
        "n_items": info.get("n_items"),
        "train_seconds": info.get("train_seconds"),
        "similarity_source": info.get("similarity_source"),
        "reused": reused,
    }
    if dataset.random_exposure is not None and len(dataset.random_exposure):
        summary["random_log_metrics"] = evaluate_on_random_log(ranker, dataset)
    return summary
