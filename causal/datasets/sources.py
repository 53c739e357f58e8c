"""Turn a SOURCE string from the CLI contract into a Dataset.

SOURCE is one of: a CSV folder (the data contract), `movielens-100k` or
`movielens-100k:PATH`, `coat:PATH`, `synthetic` or `synthetic:SEED`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from causal.datasets.schema import DataError, Dataset

SOURCE_FORMS = (
    "a CSV folder (items.csv, users.csv, interactions.csv)",
    "movielens-100k",
    "movielens-100k:PATH",
    "coat:PATH",
    "synthetic",
    "synthetic:SEED",
)


def load_source(
    source: str,
    *,
    data_dir: Path | None = None,
    allow_fetch: bool = True,
    log: Callable[[str], None] | None = None,
) -> Dataset:
    """Load the dataset a SOURCE string names; DataError on anything malformed or missing."""
    text = source.strip()
    if not text:
        raise DataError("empty SOURCE; expected one of: " + "; ".join(SOURCE_FORMS))
    kind, sep, arg = text.partition(":")
    if kind == "movielens-100k":
        from causal.datasets.movielens import (
            cached_movielens_dir,
            fetch_movielens,
            load_movielens,
        )

        if sep:
            return load_movielens(Path(arg).expanduser())
        cached = cached_movielens_dir(data_dir)
        if not (cached / "ml-100k.inter").is_file():
            if not allow_fetch:
                raise DataError(
                    f"MovieLens-100K is not cached in {cached}; run `whyrec data fetch movielens-100k`"
                )
            if log:
                log(f"fetching MovieLens-100K into {cached} ...")
            fetch_movielens(data_dir, quiet=True)
        return load_movielens(cached)
    if kind == "coat":
        from causal.datasets.coat import load_coat

        if not sep or not arg:
            raise DataError(
                "coat needs a path: coat:PATH (the folder with train.ascii and test.ascii)"
            )
        return load_coat(Path(arg).expanduser())
    if kind == "synthetic":
        from causal.datasets.synthetic import SyntheticConfig, make_world

        seed = 0
        if sep:
            try:
                seed = int(arg)
            except ValueError:
                raise DataError(f"synthetic:SEED needs an integer seed, got '{arg}'") from None
            if seed < 0:
                raise DataError(f"synthetic:SEED needs a non-negative seed, got {seed}")
        return make_world(SyntheticConfig(seed=seed)).dataset
    path = Path(text).expanduser()
    if path.is_dir():
        from causal.datasets.csv_folder import load_csv_folder

        return load_csv_folder(path)
    raise DataError(
        f"unknown SOURCE '{source}': not a folder, and not one of: " + "; ".join(SOURCE_FORMS)
    )
