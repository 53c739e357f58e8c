"""Friendly catalog filters: forgiving spellings, strict on nonsense, exact chroma translation."""

from __future__ import annotations

import pytest

from tools.catalog.filters import (
    CategoryCondition,
    FieldInfo,
    FieldKind,
    FilterError,
    NumericCondition,
    normalize_value,
    parse_filters,
    split_values,
)

FIELDS = {
    "genres": FieldInfo(
        "genres", FieldKind.CATEGORICAL, multi_valued=True, n_values=4,
        values=("Comedy", "Drama", "Sci-Fi", "Children's"),
    ),
    "rating_band": FieldInfo("rating_band", FieldKind.CATEGORICAL, n_values=2, values=("PG", "R")),
    "director": FieldInfo("director", FieldKind.CATEGORICAL, n_values=5000, values=("A. Smith",)),
    "year": FieldInfo("year", FieldKind.NUMERIC, min=1920.0, max=1998.0),
}  # fmt: skip


def test_values_normalise_case_spacing_and_punctuation() -> None:
    assert normalize_value(" Sci-Fi ") == normalize_value("scifi") == "scifi"
    assert normalize_value("Children's") == "childrens"
    assert normalize_value("---") == "---"  # nothing alphanumeric: keep the text
    assert split_values("Animation| Children's |Comedy|comedy|") == [
        "Animation",
        "Children's",
        "Comedy",
    ]


def test_categorical_forms() -> None:
    parsed = parse_filters(
        {
            "Genres": ["sci-fi", "COMEDY"],
            "Rating Band": {"$nin": ["r"]},
            "director": "Nobody Known",
        },
        FIELDS,
    )
    assert parsed.conditions == (
        CategoryCondition("genres", any_of=("scifi", "comedy")),
        CategoryCondition("rating_band", none_of=("r",)),
        CategoryCondition("director", any_of=("nobodyknown",)),  # too many values to check
    )
    assert parse_filters({"genres": "Comedy|Drama"}, FIELDS).conditions[0].any_of == (
        "comedy",
        "drama",
    )
    assert parse_filters({"genres": None}, FIELDS).conditions == ()  # "no constraint"
    assert not parse_filters(None, FIELDS)


def test_numeric_forms() -> None:
    cond = parse_filters({"year": {"min": "1980", "lt": 1990}}, FIELDS).conditions[0]
    assert cond == NumericCondition("year", low=1980.0, high=1990.0, high_strict=True)
    assert parse_filters({"year": 1995}, FIELDS).conditions[0].one_of == (1995.0,)
    assert parse_filters({"year": {"$gte": 1990, "$lte": 1995}}, FIELDS).conditions[0].low == 1990.0
    assert parse_filters({"year": {"min": None, "max": None}}, FIELDS).conditions == ()


def test_chroma_where_translation() -> None:
    where = parse_filters(
        {
            "genres": {"any": ["comedy", "drama"], "not": "sci-fi"},
            "year": {"min": 1990, "max": 1995},
        },
        FIELDS,
    ).to_chroma_where()
    assert where == {
        "$and": [
            {
                "$or": [
                    {"_v_genres": {"$contains": "comedy"}},
                    {"_v_genres": {"$contains": "drama"}},
                ]
            },
            {"_v_genres": {"$not_contains": "scifi"}},
            {"year": {"$gte": 1990.0}},
            {"year": {"$lte": 1995.0}},
        ]
    }
    assert parse_filters({"year": [1990, 1991]}, FIELDS).to_chroma_where() == {
        "year": {"$in": [1990.0, 1991.0]}
    }
    assert parse_filters({}, FIELDS).to_chroma_where() is None


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (
            {"genre": "comedy"},
            r"unknown filter field 'genre' \(did you mean 'genres'\?\); filterable fields: genres, rating_band, director, year",
        ),
        ({"genres": "comdy"}, r"'genres' has no value 'comdy' \(did you mean 'Comedy'\?\)"),
        ({"genres": []}, r"needs at least one value"),
        ({"genres": {"regex": "^C"}}, r"unknown operator 'regex'"),
        ({"genres": {"any": [["nested"]]}}, r"expects text values"),
        ({"rating_band": {"all": ["PG", "R"]}}, r"one value per item"),
        ({"year": "recent"}, r"'year' needs a number"),
        ({"year": {"min": 2000, "max": 1990}}, r"empty range"),
        ({"year": True}, r"numeric field 'year'"),
        ({"year": float("nan")}, r"finite number"),
        ({"year": {"around": 1990}}, r"unknown operator 'around'"),
        ({"": 1}, r"non-empty strings"),
        ("genres=comedy", r"must be an object"),
    ],
)
def test_nonsense_is_a_filter_error(filters: object, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        parse_filters(filters, FIELDS)  # type: ignore[arg-type]


def test_field_info_round_trips_and_describes() -> None:
    for info in FIELDS.values():
        assert FieldInfo.from_dict(info.to_dict()) == info
    assert FIELDS["year"].describe() == "year (numeric, 1920 to 1998)"
    assert FIELDS["genres"].describe(max_values=2) == (
        "genres (categorical, several per item: Comedy, Drama, ... (4 values))"
    )
    assert FIELDS["genres"].values_tracked and not FIELDS["director"].values_tracked
