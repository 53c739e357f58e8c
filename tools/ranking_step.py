"""The ranker in a workspace: its build step, and loading it with recorded feedback folded in.

`build_ranker_step` runs inside `whyrec build` after the catalog: it takes the catalog's text
embeddings (for the similarity component and cold-start items) and trains the debiased ranker
into `W/ranker/`, reusing the previous one when nothing it reads has changed.
`load_workspace_ranker` opens it and replays the feedback recorded since the last build, so
a restarted server still reflects what users said.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from causal.ranking.model import Ranker
    from tools.workspace import BuildContext

STEP = "ranker"
log = logging.getLogger(__name__)


def catalog_embeddings(ctx: BuildContext) -> np.ndarray | None:
    """Text embeddings of the dataset's items from the catalog this build wrote (None if absent)."""
    if "catalog" not in ctx.manifest.get("steps", {}):
        return None
    try:
        from tools.catalog import Catalog

        location = ctx.manifest["catalog"]
        if location.get("mode") == "remote":
            catalog = Catalog.open(chroma_url=location["url"], collection=location["collection"])
        else:
            catalog = Catalog.open(
                ctx.out / "catalog", collection=location.get("collection", "items")
            )
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


def ranker_dir(workspace: Any) -> Path:
    """Where a workspace keeps its ranker."""
    return Path(workspace.root) / STEP


def load_workspace_ranker(workspace: Any) -> Ranker:
    """Load W/ranker and fold in feedback recorded after the last build's merge."""
    from causal.ranking.model import Ranker
    from tools.feedback import feedback_log

    folder = ranker_dir(workspace)
    if not (folder / "ranker.json").is_file():
        from tools.workspace import WorkspaceError

        raise WorkspaceError(
            f"{workspace.root} has no ranker; rebuild it with `whyrec build SOURCE --out "
            f"{workspace.root}` (without --skip ranker)"
        )
    ranker = Ranker.load(folder)
    merged = int((workspace.manifest.get("feedback") or {}).get("merged", 0))
    by_user: dict[str, list[tuple[str, object]]] = {}
    for record in feedback_log(workspace).read()[merged:]:
        if record.user_id is not None and ranker.known_item(record.item_id):
            by_user.setdefault(record.user_id, []).append((record.item_id, record.value))
    for user, feedback in by_user.items():
        try:
            ranker.fold_in(user, feedback)
        except ValueError as exc:  # a bad record must not stop the workspace from opening
            log.warning("skipping feedback of %s: %s", user, exc)
    return ranker


def loaded_ranker(workspace: Any) -> Ranker | None:
    """The workspace's ranker if it was already loaded (feedback is folded into it directly)."""
    cached = getattr(workspace, "__dict__", {}).get("ranker")
    return cached
