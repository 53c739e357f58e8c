"""Small MovieLens-shaped catalogs for parser tests: each test module picks its own films,
and this builds the vocabulary the same way for all of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from agent.vocab import Vocabulary
from causal.datasets.movielens import MOVIELENS_SYNONYMS

# Six films of different decades and genres that several parser test modules read against
# (the shown list is usually the first five).
SIX_FILMS: tuple[tuple[str, str, int, str], ...] = (
    ("1", "Harvey (1950)", 1950, "Comedy|Drama"),
    ("2", "Gaslight (1944)", 1944, "Mystery|Thriller"),
    ("3", "Jumanji (1995)", 1995, "Adventure|Children's|Fantasy"),
    ("4", "Oklahoma! (1955)", 1955, "Musical|Romance|Western"),
    ("5", "Candyman (1992)", 1992, "Horror"),
    ("6", "Glory (1989)", 1989, "Action|Drama|War"),
)


def film_vocab(
    rows: Sequence[tuple[str, str, int, str]],
    *,
    synonyms: bool = True,
    extra: Mapping[str, Sequence[float]] | None = None,
) -> Vocabulary:
    """A vocabulary over (item id, title, year, pipe-separated genres) rows, with MovieLens's
    synonyms unless `synonyms` is False (values then come from the data alone); `extra` adds
    numeric columns (a price), one value per row."""
    columns = {
        "item_id": [r[0] for r in rows],
        "title": [r[1] for r in rows],
        "year": [float(r[2]) for r in rows],
        "genres": [r[3] for r in rows],
    }
    for name, values in (extra or {}).items():
        if len(values) != len(rows):
            raise ValueError(f"column {name!r} has {len(values)} values for {len(rows)} rows")
        columns[name] = list(values)
    items = pd.DataFrame(columns)
    return Vocabulary.from_items(items, synonyms=MOVIELENS_SYNONYMS if synonyms else None)


# Ten one-word-title films, one or two genres each, 1953-1996 (two parser test modules use them).
TEN_FILMS = [
    ("1", "Fargo (1996)", 1996, "Crime|Drama"),
    ("2", "Heat (1995)", 1995, "Action|Crime"),
    ("3", "Vertigo (1958)", 1958, "Mystery|Thriller"),
    ("4", "Jumanji (1995)", 1995, "Adventure|Children's"),
    ("5", "Willow (1988)", 1988, "Fantasy|Adventure"),
    ("6", "Alien (1979)", 1979, "Horror|Sci-Fi"),
    ("7", "Grease (1978)", 1978, "Musical|Romance"),
    ("8", "Shane (1953)", 1953, "Western"),
    ("9", "Clue (1985)", 1985, "Comedy|Mystery"),
    ("10", "Patton (1970)", 1970, "War|Drama"),
]
