"""The ranker's build step: train the debiased ranker into a workspace being built.

`build_ranker_step` runs inside `whyrec build` after the catalog: it takes the catalog's text
embeddings (for the similarity component and cold-start items) and trains the debiased ranker
into `W/ranker/`, reusing the previous one when nothing it reads has changed.
Opening it (with the feedback recorded since the last build folded in) is Workspace.ranker.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tools.workspace_build import BuildContext

from tools.workspace import RANKER_STEP as STEP


def catalog_embeddings(ctx: BuildContext) -> np.ndarray | None:
    """Text embeddings of the dataset's items from the catalog this build wrote (None if absent)."""
    if "catalog" not in ctx.manifest.get("steps", {}):
        return None
    try:
        from tools.catalog import open_catalog

        catalog = open_catalog(ctx.out, ctx.manifest["catalog"])
        try:
            ids = [str(i) for i in ctx.dataset.items["item_id"]]
            return np.asarray(catalog.embeddings(ids), dtype=np.float32)
        finally:
            close = getattr(catalog, "close", None)
            if close is not None:
                close()
    except Exception as exc:  # the ranker still works without text: say so, carry on
        ctx.log(f"ranker: no catalog embeddings ({type(exc).__name__}: {exc}); using item vectors")
        return None


def data_digest(folder: Path) -> str | None:
    """A hash of the dataset files a build wrote (what the ranker trains on)."""
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_ranker_step(ctx: BuildContext) -> dict[str, Any]:
    """Build step: train (or reuse) the debiased ranker into W/ranker."""
    from causal.ranking.build import build_ranker

    embeddings = catalog_embeddings(ctx)
    summary = build_ranker(
        ctx.dataset,
        ctx.step_dir(STEP),
        seed=ctx.options.seed,
        progress=ctx.options.progress,
        item_embeddings=embeddings,
        previous_dir=ctx.previous_dir(STEP),
        data_digest=data_digest(ctx.out / "data"),
    )
    verb = "reused" if summary.get("reused") else "trained"
    ctx.log(
        f"ranker: {verb} {summary.get('method')} on {summary.get('n_rows')} {summary.get('kind')} "
        f"rows ({summary.get('propensity')} propensities) in {summary.get('train_seconds')} s"
    )
    return summary
