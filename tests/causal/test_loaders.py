"""MovieLens-100K (GroupLens and RecBole layouts, wheel), Coat, and SOURCE strings."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from causal.datasets.coat import load_coat
from causal.datasets.movielens import extract_from_wheel, load_movielens
from causal.datasets.schema import DataError
from causal.datasets.sources import load_source

GENRE_FLAGS = ["0"] * 19


def _grouplens(folder: Path) -> Path:
    folder.mkdir()
    (folder / "u.data").write_text(
        "1\t10\t4\t881250949\n2\t20\t2\t881250950\n1\t20\t5\t881250951\n"
    )
    flags_a = GENRE_FLAGS.copy()
    flags_a[5] = "1"  # Comedy
    flags_a[3] = "1"  # Animation
    flags_b = GENRE_FLAGS.copy()
    flags_b[11] = "1"  # Horror
    (folder / "u.item").write_bytes(
        ("10|Toy Story (1995)|01-Jan-1995||http://x|" + "|".join(flags_a) + "\n").encode("latin-1")
        + ("20|Shining, The (1980)|01-Jan-1980||http://y|" + "|".join(flags_b) + "\n").encode(
            "latin-1"
        )
        + (
            "30|Misérables, Les (1995)|01-Jan-1995||http://z|" + "|".join(GENRE_FLAGS) + "\n"
        ).encode("latin-1")
    )
    (folder / "u.user").write_text("1|24|M|technician|85711\n2|53|F|other|94043\n")
    return folder


def _recbole(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "ml-100k.inter").write_text(
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t4\t881250949\n2\t20\t2\t881250950\n"
    )
    (folder / "ml-100k.item").write_text(
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
        "10\tToy Story\t1995\tAnimation Children's Comedy\n20\tShining, The\t1980\tHorror\n"
    )
    (folder / "ml-100k.user").write_text(
        "user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token\n"
        "1\t24\tM\ttechnician\t85711\n2\t53\tF\tother\t94043\n"
    )
    return folder


def test_grouplens_folder(tmp_path: Path) -> None:
    data = load_movielens(_grouplens(tmp_path / "ml-100k"))
    items = data.items.set_index("item_id")
    assert items.loc["10", "title"] == "Toy Story (1995)"
    assert items.loc["20", "title"] == "The Shining (1980)"
    assert items.loc["10", "genres"] == "Animation|Comedy"
    assert items.loc["20", "year"] == 1980.0
    assert items.loc["30", "title"] == "Les Misérables (1995)"
    assert list(data.users.columns) == ["user_id", "age", "gender", "occupation"]
    assert data.interactions["rating"].tolist() == [4.0, 2.0, 5.0]
    assert data.random_exposure is None


def test_recbole_atomic_and_wheel(tmp_path: Path) -> None:
    folder = _recbole(tmp_path / "atomic")
    data = load_movielens(folder)
    items = data.items.set_index("item_id")
    assert items.loc["10", "genres"] == "Animation|Children's|Comedy"
    assert items.loc["20", "title"] == "The Shining (1980)"
    wheel = tmp_path / "recbole-1.2.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"recbole/dataset_example/ml-100k/{path.name}")
        archive.writestr("recbole/dataset_example/ml-100k/../../evil.inter", "x")
    from_wheel = load_movielens(wheel)
    assert from_wheel.items["title"].tolist() == data.items["title"].tolist()
    out = tmp_path / "extracted"
    out.mkdir()
    names = sorted(p.name for p in extract_from_wheel(wheel, out))
    assert names == ["ml-100k.inter", "ml-100k.item", "ml-100k.user"]
    assert not (tmp_path / "evil.inter").exists()


def test_movielens_source_with_path_and_errors(tmp_path: Path) -> None:
    folder = _grouplens(tmp_path / "gl")
    assert load_source(f"movielens-100k:{folder}").name == "movielens-100k"
    with pytest.raises(DataError, match="neither GroupLens"):
        load_movielens(tmp_path)
    # Without a cached copy and with fetching disabled, the error says how to get one.
    with pytest.raises(DataError, match="whyrec data fetch"):
        load_source("movielens-100k", data_dir=tmp_path / "empty", allow_fetch=False)


def test_coat_from_shared(coat_dir: Path) -> None:
    data = load_coat(coat_dir)
    assert (len(data.users), len(data.items)) == (290, 300)
    assert len(data.interactions) == 6960
    assert len(data.random_exposure) == 4640
    assert set(data.interactions["rating"].unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert set(data.users["gender"]) == {"men", "women"}
    assert data.items["title"].is_unique
    assert data.items["title"].str.contains("jacket|coat|parka|vest").all()
    assert set(data.items["on_frontpage"]) == {0.0, 1.0}
    # The random log is uniform: 16 random items per user.
    assert data.random_exposure.groupby("user_id").size().eq(16).all()
    # The triples file and the matrix agree.
    triples = (coat_dir / "random.txt").read_text().split()
    assert len(triples) == 4640


def test_coat_missing_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing Coat file"):
        load_coat(tmp_path)


def test_source_strings(coat_dir: Path, tiny_dataset_dir: Path) -> None:
    assert load_source(f"coat:{coat_dir}").name == "coat"
    assert load_source(str(tiny_dataset_dir)).name == "tiny"
    for bad, message in [
        ("", "empty SOURCE"),
        ("nothing-here", "unknown SOURCE"),
        ("synthetic:abc", "integer seed"),
        ("synthetic:-1", "non-negative"),
        ("coat:", "coat needs a path"),
    ]:
        with pytest.raises(DataError, match=message):
            load_source(bad)
