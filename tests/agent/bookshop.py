"""A bookshop as a CSV folder in the data contract: a domain the parser was not written on.

Items carry every attribute kind the contract has: categorical (`author`, `language`,
`format`), multi-valued (`subjects`, joined with "|", spelt as a shop would: "Science-Fiction",
"Self-Help"), numeric (`pages`, `year`, `price`, `reading_level` on a 1-5 scale) and yes/no flags (`illustrated`,
`signed_copy` as 0/1, `in_stock` as yes/no). Users have a favourite subject and a budget; the log is exposure -> click ->
rating, driven by subject match, price against budget and a per-book appeal, so popularity is
skewed like a real shop's. `schema.toml` declares units, comparative words and synonyms the
way a dataset owner would. Used by the new-domain tests and for probing by hand:

    python tests/agent/bookshop.py /tmp/newdata/books
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SUBJECTS = (
    "Science-Fiction",
    "Fantasy",
    "Thriller",
    "Mystery",
    "Romance",
    "History",
    "Biography",
    "Self-Help",
    "Poetry",
    "Cookbook",
    "Graphic Novel",
    "Young Adult",
    "Travel",
)
LANGUAGES = ("English", "French", "Spanish", "German", "Japanese")
FORMATS = ("Hardcover", "Paperback", "E-book", "Audiobook")
_FIRST = (
    "Ada Okafor", "Bruno Lindqvist", "Chiara Bellini", "Dmitri Volkov", "Elena Ruiz",
    "Farah Haddad", "Gustav Brandt", "Hana Sato", "Imre Kovacs", "Jonas Meyer",
    "Keiko Tanaka", "Luc Moreau", "Maya Patel", "Nils Berg", "Olga Petrova",
    "Pablo Ortega", "Quinn Walsh", "Rosa Delgado", "Sven Holm", "Tomas Novak",
    "Ulla Nyberg", "Victor Hugo Lemaire", "Wen Li", "Yara Costa", "Zoe Hartmann",
)  # fmt: skip
_TITLE_A = (
    "The Silent", "A Memory of", "Beyond the", "The Last", "Letters from", "Under the",
    "The Glass", "Songs of", "The Hollow", "Winter in", "The Clockwork", "Salt and",
    "The Lantern", "Echoes of", "The Paper", "North of", "The Iron", "Bread and",
)  # fmt: skip
_TITLE_B = (
    "Harbour", "Orchard", "Meridian", "Cartographer", "Tide", "Library", "Garden", "Comet",
    "Kingdom", "Lighthouse", "Archive", "Station", "Mountain", "Kitchen", "Engine", "River",
    "Observatory", "Market", "Atlas", "Frontier",
)  # fmt: skip

SCHEMA_TOML = """\
outcomes = ["clicked", "rating"]
treatments = ["position"]

[variables.pages]
description = "number of printed pages"
unit = ["pages", "page", "pp"]
higher = ["longer", "thicker", "long", "doorstopper"]
lower = ["shorter", "short", "quick read", "thinner"]

[variables.reading_level]
description = "how demanding the prose is, 1 (easy) to 5 (hard)"
unit = ["reading level"]
higher = ["harder", "more challenging"]
lower = ["easier", "lighter"]

[variables.price]
description = "list price in US dollars"

[variables.year]
description = "year of first publication"

[variables.illustrated]
description = "has illustrations"

[variables.signed_copy]
description = "copy signed by the author"

[synonyms.subjects]
"Science-Fiction" = ["sf", "space opera"]
"Cookbook" = ["recipes", "cooking"]
"Biography" = ["memoir", "memoirs", "life story"]
"Graphic Novel" = ["comics", "comic book"]

[synonyms.illustrated]
"1" = ["with pictures", "picture book"]

[synonyms.signed_copy]
"1" = ["signed", "autographed"]

[synonyms.in_stock]
"no" = ["out of stock", "sold out"]
"""


def make_bookshop(
    seed: int = 11, n_items: int = 300, n_users: int = 160, n_interactions: int = 5000
) -> dict[str, pd.DataFrame]:
    """Items, users, interactions and a random-exposure log for a small bookshop."""
    rng = np.random.default_rng(seed)
    titles: list[str] = []
    seen: set[str] = set()
    while len(titles) < n_items:
        title = f"{rng.choice(_TITLE_A)} {rng.choice(_TITLE_B)}"
        if title in seen:
            title = f"{title} {len([t for t in titles if t.startswith(title)]) + 2}"
        seen.add(title)
        titles.append(title)
    subjects = []
    for _ in range(n_items):
        k = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
        subjects.append("|".join(rng.choice(SUBJECTS, size=k, replace=False)))
    pages = np.clip(rng.lognormal(np.log(320), 0.45, n_items), 60, 1400).round()
    year = rng.integers(1950, 2025, n_items)
    price = np.round(np.clip(4 + pages / 30 + rng.normal(0, 5, n_items), 4.99, 79.99), 2)
    items = pd.DataFrame(
        {
            "item_id": [f"b{i:04d}" for i in range(n_items)],
            "title": titles,
            "description": [f"A {s.replace('|', ' and ').lower()} book." for s in subjects],
            "author": rng.choice(_FIRST, n_items),
            "language": rng.choice(LANGUAGES, n_items, p=[0.6, 0.12, 0.12, 0.08, 0.08]),
            "format": rng.choice(FORMATS, n_items),
            "subjects": subjects,
            "pages": pages.astype(int),
            "year": year,
            "price": price,
            "illustrated": (rng.random(n_items) < 0.3).astype(int),
            "signed_copy": (rng.random(n_items) < 0.1).astype(int),
            "in_stock": np.where(rng.random(n_items) < 0.8, "yes", "no"),
            "reading_level": np.random.default_rng(seed + 1).integers(1, 6, n_items),
        }
    )
    users = pd.DataFrame(
        {
            "user_id": [f"u{i:03d}" for i in range(n_users)],
            "favourite": rng.choice(SUBJECTS, n_users),
            "budget": rng.choice(["low", "mid", "high"], n_users),
        }
    )
    appeal = rng.normal(0, 1, n_items) + np.where(rng.random(n_items) < 0.1, 2.0, 0.0)
    budget_cap = users["budget"].map({"low": 15.0, "mid": 30.0, "high": 80.0}).to_numpy()
    fav = users["favourite"].to_numpy()

    def log(n: int, random_exposure: bool) -> pd.DataFrame:
        u = rng.integers(0, n_users, n)
        if random_exposure:
            i = rng.integers(0, n_items, n)
        else:
            weight = np.exp(appeal) / np.exp(appeal).sum()
            i = rng.choice(n_items, n, p=weight)
        match = np.array([fav[a] in subjects[b].split("|") for a, b in zip(u, i, strict=True)])
        afford = price[i] <= budget_cap[u]
        position = rng.integers(1, 11, n)
        logit = -1.0 + 1.6 * match + 0.8 * afford + 0.5 * appeal[i] - 0.12 * position
        clicked = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
        stars = np.clip(np.round(3 + 0.9 * match + 0.4 * appeal[i] + rng.normal(0, 0.8, n)), 1, 5)
        return pd.DataFrame(
            {
                "user_id": users["user_id"].to_numpy()[u],
                "item_id": items["item_id"].to_numpy()[i],
                "timestamp": 1_600_000_000 + rng.integers(0, 3e7, n),
                "position": position,
                "exposed": 1,
                "clicked": clicked,
                "rating": np.where(clicked == 1, stars, np.nan),
            }
        )

    return {
        "items": items,
        "users": users,
        "interactions": log(n_interactions, False),
        "random_exposure": log(n_interactions // 5, True),
    }


def write_bookshop(folder: str | Path, **sizes: int) -> Path:
    """Write the bookshop as a contract folder (items/users/interactions/random_exposure CSVs
    plus schema.toml) and return the folder."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in make_bookshop(**sizes).items():
        frame.to_csv(out / f"{name}.csv", index=False)
    (out / "schema.toml").write_text(SCHEMA_TOML, encoding="utf-8")
    return out


if __name__ == "__main__":
    print(write_bookshop(sys.argv[1] if len(sys.argv) > 1 else "/tmp/newdata/books"))
