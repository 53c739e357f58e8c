"""Load Coat (Schnabel et al., ICML 2016): 290 users, 300 coats, a biased and a random log.

`train.ascii` is the biased log (users chose what to rate), `test.ascii` the ratings of
items assigned uniformly at random (the unbiased test set, our `random_exposure`). The one-hot
user and item features are decoded into named columns, and each coat gets a readable title
such as "Women's navy waterproof jacket".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from causal.datasets.schema import DataError, Dataset, DatasetSchema, Role, VariableInfo

N_USERS = 290
N_ITEMS = 300

_JACKET_NAMES = {
    "bomber": "bomber jacket",
    "cropped": "cropped jacket",
    "field": "field jacket",
    "fleece": "fleece jacket",
    "insulated": "insulated jacket",
    "motorcycle": "motorcycle jacket",
    "other": "jacket",
    "packable": "packable jacket",
    "parkas": "parka",
    "pea": "pea coat",
    "rain": "rain jacket",
    "shells": "shell jacket",
    "track": "track jacket",
    "trench": "trench coat",
    "vests": "vest",
    "waterproof": "waterproof jacket",
}
_JACKET_USES = {
    "bomber": "a casual bomber with a short, gathered waist",
    "cropped": "a short cropped cut that sits above the hips",
    "field": "a utility field jacket with roomy pockets",
    "fleece": "soft, warm fleece for cool days and layering",
    "insulated": "an insulated, padded jacket for cold winter weather",
    "motorcycle": "a leather-look biker style motorcycle jacket",
    "other": "a versatile everyday jacket",
    "packable": "a lightweight jacket that packs into its own pocket for travel",
    "parkas": "a long, warm hooded parka for snow and freezing weather",
    "pea": "a classic double-breasted wool pea coat",
    "rain": "a rain jacket that keeps you dry in showers",
    "shells": "a windproof outer shell for hiking and layering",
    "track": "a sporty zip-up track jacket for training",
    "trench": "a smart belted trench coat for the office and drizzle",
    "vests": "a sleeveless vest for layering",
    "waterproof": "a fully waterproof, breathable jacket for hiking in the rain",
}


def load_coat(folder: str | Path) -> Dataset:
    """Load the Coat files in `folder` (the layout of shared/data/coat) into a Dataset."""
    root = Path(folder)
    features = root / "user_item_features"
    needed = [
        root / "train.ascii",
        root / "test.ascii",
        features / "user_features.ascii",
        features / "user_features_map.txt",
        features / "item_features.ascii",
        features / "item_features_map.txt",
    ]
    for path in needed:
        if not path.is_file():
            raise DataError(f"missing Coat file {path.relative_to(root)} in {root}", file=path.name)

    train = _read_matrix(root / "train.ascii", (N_USERS, N_ITEMS))
    test = _read_matrix(root / "test.ascii", (N_USERS, N_ITEMS))
    users = _decode_features(
        features / "user_features.ascii", features / "user_features_map.txt", N_USERS
    )
    items = _decode_features(
        features / "item_features.ascii", features / "item_features_map.txt", N_ITEMS
    )

    users_frame = pd.DataFrame(
        {
            "user_id": [str(u) for u in range(N_USERS)],
            "gender": users["gender"],
            "age": users["age"],
            "location": users["location"],
            "fashion_interest": users["fashioninterest"],
        }
    )
    titles, descriptions = _item_texts(items)
    items_frame = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(N_ITEMS)],
            "title": titles,
            "description": descriptions,
            "item_gender": items["gender"],
            "jacket_type": items["jackettype"],
            "color": items["color"],
            "on_frontpage": [1.0 if v == "yes" else 0.0 for v in items["onfrontpage"]],
        }
    )
    return Dataset(
        name="coat",
        items=items_frame,
        users=users_frame,
        interactions=_ratings_frame(train),
        schema=coat_schema(),
        random_exposure=_ratings_frame(test),
    )


def coat_schema() -> DatasetSchema:
    """Roles and descriptions of Coat's variables."""
    v = VariableInfo
    variables = {
        "gender": v("gender", Role.USER_ATTRIBUTE, 0, "the shopper's gender"),
        "age": v("age", Role.USER_ATTRIBUTE, 0, "the shopper's age band"),
        "location": v(
            "location", Role.USER_ATTRIBUTE, 0, "where the shopper lives: urban, suburban or rural"
        ),
        "fashion_interest": v(
            "fashion_interest", Role.USER_ATTRIBUTE, 0, "how interested the shopper is in fashion"
        ),
        "item_gender": v(
            "item_gender", Role.ITEM_ATTRIBUTE, 0, "whether the coat is cut for men or women"
        ),
        "jacket_type": v(
            "jacket_type", Role.ITEM_ATTRIBUTE, 0, "the kind of coat (parka, rain jacket, ...)"
        ),
        "color": v("color", Role.ITEM_ATTRIBUTE, 0, "the coat's colour"),
        "on_frontpage": v(
            "on_frontpage", Role.TREATMENT, 1, "1 if the coat was shown on the shop's front page"
        ),
        "rating": v("rating", Role.OUTCOME, 3, "the shopper's rating of the coat, 1 to 5"),
    }
    return DatasetSchema(
        variables=variables,
        treatments=("on_frontpage",),
        outcomes=("rating",),
        synonyms=COAT_SYNONYMS,
    )


# Everyday phrases for Coat's item attributes (written to schema.toml; the rule parser reads them).
COAT_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "item_gender": {
        # people a shopper buys for fix the cut as well ("for my brother", "I'm a bloke")
        "men": ("men's", "mens", "male", "for men", "guys", "man's", "gentlemen", "menswear",
                "husband", "boyfriend", "gentleman", "bloke", "blokes", "fella", "brother",
                "brothers", "dad", "father", "son", "sons", "grandad", "grandpa", "grandfather",
                "grandson", "uncle", "nephew", "lad", "bf", "husband's",
                "boyfriend's", "brother's", "dad's", "father's", "son's"),
        "women": ("women's", "womens", "female", "ladies", "for women", "woman's", "womenswear",
                  "wife", "girlfriend", "lady", "mum", "mom", "mother", "sister", "sisters",
                  "daughter", "daughters", "gran", "granny", "grandma", "grandmother", "aunt",
                  "auntie", "niece", "granddaughter", "gf", "wife's",
                  "girlfriend's", "sister's", "mum's", "mom's", "mother's", "daughter's"),
    },
    "jacket_type": {
        "vests": ("gilet", "gilets", "sleeveless"),
        "rain": ("raincoat", "raincoats", "rain jacket", "rain coat", "rainy"),
        "shells": ("hardshell", "shell jacket"),
        "waterproof": ("water resistant", "water proof"),
        "bomber": ("bomber jacket", "flight jacket"),
        "field": ("field jacket", "utility jacket"),
        "packable": ("lightweight", "packs small"),
        "trench": ("trench coat", "trenchcoat", "trenchcoats"),
        "track": ("track jacket", "tracksuit top"),
        "cropped": ("crop", "short jacket"),
        "pea": ("peacoat", "pea coat", "peacoats"),
        "motorcycle": ("biker", "moto", "biker jacket"),
        "insulated": ("padded", "puffer", "puffers", "quilted", "down jacket", "winter coat",
                      "warm", "winter jacket"),
    },
    "color": {
        "gray": ("grey", "greys", "charcoal"),
        "multi": ("multicolour", "multicolor", "multicoloured", "multicolored", "colourful",
                  "colorful"),
        "navy": ("navy blue", "dark blue"),
        "beige": ("tan", "khaki", "sand", "camel"),
        "olive": ("olive green",),
        "purple": ("violet", "lilac"),
        "pink": ("rose",),
    },
}  # fmt: skip


def _read_matrix(path: Path, shape: tuple[int, int]) -> np.ndarray:
    lines = [
        ln for ln in path.read_text(encoding="ascii", errors="strict").splitlines() if ln.strip()
    ]
    if len(lines) != shape[0]:
        raise DataError(f"expected {shape[0]} rows, found {len(lines)}", file=path.name)
    rows = []
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) != shape[1]:
            raise DataError(
                f"expected {shape[1]} values, found {len(parts)}", file=path.name, line=number
            )
        try:
            rows.append([int(float(p)) for p in parts])
        except ValueError:
            raise DataError("non-numeric rating", file=path.name, line=number) from None
    matrix = np.asarray(rows, dtype=int)
    if matrix.min() < 0 or matrix.max() > 5:
        raise DataError("ratings must be 0 (missing) or 1-5", file=path.name)
    return matrix


def _decode_features(matrix_path: Path, map_path: Path, n_rows: int) -> dict[str, list[str]]:
    names = [ln.strip() for ln in map_path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    groups: dict[str, list[int]] = {}
    for column, name in enumerate(names):
        group, _, _value = name.partition(":")
        groups.setdefault(group, []).append(column)
    matrix = _read_binary(matrix_path, len(names))
    if len(matrix) != n_rows:
        raise DataError(f"expected {n_rows} rows, found {len(matrix)}", file=matrix_path.name)
    decoded: dict[str, list[str]] = {}
    for group, columns in groups.items():
        values = []
        for row_number, row in enumerate(matrix, start=1):
            hot = [c for c in columns if row[c] == 1]
            if len(hot) != 1:
                raise DataError(
                    f"expected exactly one '{group}' flag, found {len(hot)}",
                    file=matrix_path.name,
                    line=row_number,
                )
            values.append(names[hot[0]].partition(":")[2])
        decoded[group] = values
    return decoded


def _read_binary(path: Path, width: int) -> np.ndarray:
    lines = [ln for ln in path.read_text(encoding="ascii").splitlines() if ln.strip()]
    out = np.zeros((len(lines), width), dtype=int)
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) != width:
            raise DataError(
                f"expected {width} values, found {len(parts)}", file=path.name, line=number
            )
        out[number - 1] = [int(float(p)) for p in parts]
    return out


def _ratings_frame(matrix: np.ndarray) -> pd.DataFrame:
    users, items = np.nonzero(matrix)
    return pd.DataFrame(
        {
            "user_id": users.astype(str),
            "item_id": items.astype(str),
            "rating": matrix[users, items].astype(float),
        }
    )


def _item_texts(items: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    titles: list[str] = []
    descriptions: list[str] = []
    seen: dict[str, int] = {}
    for gender, kind, color, front in zip(
        items["gender"], items["jackettype"], items["color"], items["onfrontpage"], strict=True
    ):
        who = "Women's" if gender == "women" else "Men's"
        shade = {"multi": "multicolour", "other": ""}.get(color, color)
        noun = _JACKET_NAMES.get(kind, f"{kind} jacket")
        base = " ".join(part for part in (who, shade, noun) if part)
        seen[base] = seen.get(base, 0) + 1
        titles.append(base if seen[base] == 1 else f"{base} (style {seen[base]})")
        colour_text = f"in {shade}" if shade else "in an unusual colour"
        featured = " Featured on the front page." if front == "yes" else ""
        descriptions.append(
            f"{_JACKET_USES.get(kind, 'a jacket').capitalize()}, {colour_text}, cut for {gender}.{featured}"
        )
    return titles, descriptions
