"""The rule parser on turns that join a reaction and a fact, complain, compare with the list,
say numbers loosely, chat, or name a liked item without "like" (issue 11, outside user)."""

from __future__ import annotations

import pandas as pd
import pytest

from agent.nlu import Direction, FeedbackKind, TitleRole, understand
from agent.nlu_clauses import clause_starts, complaint_before, restore_apostrophes
from agent.vocab import Vocabulary, token_spans
from causal.datasets.movielens import MOVIELENS_SYNONYMS


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
            "title": [
                "Toy Story (1995)",
                "Heat (1995)",
                "Casablanca (1942)",
                "Fargo (1996)",
                "Alien (1979)",
                "Brazil (1985)",
                "Unforgiven (1992)",
                "Rear Window (1954)",
                "Patton (1970)",
                "Grease (1978)",
            ],
            "year": [
                1995.0,
                1995.0,
                1942.0,
                1996.0,
                1979.0,
                1985.0,
                1992.0,
                1954.0,
                1970.0,
                1978.0,
            ],
            "genres": [
                "Animation|Children's|Comedy",
                "Action|Crime|Thriller",
                "Drama|Romance",
                "Crime|Drama|Thriller",
                "Horror|Sci-Fi",
                "Comedy|Sci-Fi",
                "Western",
                "Mystery|Thriller",
                "War|Drama",
                "Musical|Romance",
            ],
        }
    )
    return Vocabulary.from_items(items, synonyms=MOVIELENS_SYNONYMS)


@pytest.fixture(scope="module")
def coats() -> Vocabulary:
    genders, kinds, colours = ["men", "women"], ["parka", "bomber", "rain", "field"], ["black", "red", "green"]  # fmt: skip
    rows = [(g, k, c) for g in genders for k in kinds for c in colours]
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(len(rows))],
            "title": [f"{g.capitalize()}'s {c} {k} jacket" for g, k, c in rows],
            "gender": [g for g, _, _ in rows],
            "kind": [k for _, k, _ in rows],
            "colour": [c for _, _, c in rows],
        }
    )
    said = {"gender": {"women": ("women's",), "men": ("men's",)}}
    return Vocabulary.from_items(items, synonyms=said)


def read(vocab, text, shown=("1", "2", "3")):
    return understand(text, vocab, list(shown))


def genres(p):
    return set(p.include.get("genres", ())), set(p.exclude.get("genres", ()))


# -- clauses and negation scope ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a hedge, then a wish typed without a full stop
        ("no idea what exactly yet I want a western", {"Western"}, set()),
        # a reaction to the list, then a new sentence without its stop
        ("nope not these Maybe a thriller then", {"Thriller"}, set()),
        # a dash ends the reaction
        ("not really - it's an animated one", {"Animation"}, set()),
        # the negated pointer ends the reaction
        ("that isn't it try a mystery", {"Mystery"}, set()),
        ("none of them - no war films", set(), {"War"}),
        # "nah" never governs what follows, unlike "no"
        ("nah a musical maybe", {"Musical"}, set()),
        ("no musicals", set(), {"Musical"}),
        # the negation still reaches its own clause
        ("I don't want a western", set(), {"Western"}),
        ("I don't think it's a western", set(), {"Western"}),
    ],
)
def test_a_negation_stays_in_its_clause(films, text, wanted, unwanted):
    assert genres(read(films, text)) == (wanted, unwanted)


def test_it_is_the_wanted_item_not_the_list(films):
    assert genres(read(films, "it was a spooky one")) == ({"Horror"}, set())
    assert genres(read(films, "and it's not a western")) == (set(), {"Western"})
    assert genres(read(films, "that's not a western")) == ({"Western"}, set())  # the list


def test_a_negation_typed_without_its_apostrophe_counts(films):
    assert restore_apostrophes(["it", "isnt", "a", "want", "cant"]) == [
        "it",
        "isn't",
        "a",
        "want",
        "can't",
    ]
    assert genres(read(films, "it didnt have any romance")) == (set(), {"Romance"})


@pytest.mark.parametrize(
    "text",
    [
        "less of the crime films",
        "cut the crime ones",
        "enough crime stuff",
        "far too many crime films",
        "stop showing crime films",
        "drop all the crime ones",
    ],
)
def test_complaint_verbs_exclude_what_they_govern(films, text):
    assert genres(read(films, text)) == (set(), {"Crime"})


def test_a_negated_complaint_asks_for_more(films):
    assert genres(read(films, "never enough crime films")) == ({"Crime"}, set())
    tokens = ["i", "can't", "get", "enough", "of", "crime"]
    assert complaint_before(tokens, 5) is False
    assert complaint_before(["cut", "the", "crime"], 2) is True
    assert complaint_before(["a", "crime"], 1) is None


def test_a_value_turned_down_by_the_next_clause_is_excluded(films):
    assert genres(read(films, "westerns? no, not those")) == (set(), {"Western"})
    assert genres(read(films, "those are all westerns, not what I want")) == (set(), {"Western"})
    assert genres(read(films, "those are all westerns")) == (set(), set())  # a remark only
    assert genres(read(films, "a western, not sure which")) == ({"Western"}, set())


def test_clause_starts_need_no_punctuation():
    text = "nothing good there I'd like a western"
    starts = clause_starts(text, token_spans(text))
    assert 3 in starts  # "I'd" opens the wish
    text = "I don't think I'd like a western"
    assert clause_starts(text, token_spans(text)) == []  # the thought verb ties it
    text = "Not A Western Please"
    assert clause_starts(text, token_spans(text)) == []  # title case: capitals mean nothing


# -- filler never becomes a wish -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ugh, so tired, just pick something good",
        "hmm, no joy with those... anyway a thriller",
        "I'm struggling to decide which film to watch, thoughts?",
        "nope, carry on",
        "ok I have one specific film in mind but forgot the name",
        "apologies, none of those",
    ],
)
def test_chatter_is_never_a_wish(films, text):
    p = read(films, text)
    assert p.unplaced == () and p.query == ""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a film about a lighthouse keeper", ("about a lighthouse keeper",)),
        ("something bleak and slow", ("bleak", "slow")),
        ("a comedy but not silly", ("not silly",)),  # the negation is part of the wish
        ("a bit gloomier please", ("gloomier",)),
        ("vampires", ("vampires",)),
        ("a moody crime film", ("moody",)),
        ("swamp monsters and horror", ("swamp monsters",)),
        ("way too bleak", ("way too bleak",)),  # degree kept (v6 "too violent", w11 "way too long")
    ],
)
def test_wishes_where_a_wish_can_stand_are_kept(films, text, words):
    assert read(films, text).unplaced == words


# -- numbers said loosely, comparisons with the list, fame in the middle --------------------


@pytest.mark.parametrize("text", ["roughly 1984", "made circa 1984", "1984-ish", "1984 or so"])
def test_a_loose_year_is_a_window(films, text):
    rng = read(films, text).ranges["year"]
    assert rng.low < 1984 < rng.high and rng.high - rng.low <= 8


def test_an_exact_year_stays_exact(films):
    rng = read(films, "released in 1984").ranges["year"]
    assert (rng.low, rng.high) == (1984, 1984)


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("those are more recent than the one I'm thinking of", Direction.DOWN),
        ("they're all older than I had in mind", Direction.UP),
        ("older than those", Direction.DOWN),
        ("somewhat later than these", Direction.UP),
        ("these are too old", Direction.UP),
    ],
)
def test_comparatives_are_read_against_the_list(films, text, direction):
    assert read(films, text).relative == (("year", direction),)


def test_hedged_or_mixed_fame_asks_for_the_middle(films):
    assert read(films, "reasonably well known").popularity is Direction.MIDDLE
    assert read(films, "popular-ish").popularity is Direction.MIDDLE
    assert read(films, "famous but not massive").popularity is Direction.MIDDLE
    assert read(films, "kind of known-ish, not a smash").popularity is Direction.MIDDLE
    assert read(films, "not a huge hit").popularity is Direction.DOWN
    assert read(films, "it was a runaway hit").popularity is Direction.UP


# -- taste references ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "compared"),
    [
        ("adored Brazil", False),
        ("my all-time favourite film is Brazil", False),
        ("Brazil, only a bit different", True),
        ("Brazil is superb, along those lines please", True),
    ],
)
def test_a_praised_title_is_a_like_and_a_compared_one_a_taste_reference(films, text, compared):
    p = read(films, text, shown=("6", "1"))  # shown or not, the frame decides
    assert ("6" in p.like_items) is compared
    if not compared:
        assert p.feedback == (("6", FeedbackKind.LIKE),)


def test_praise_is_a_like_but_a_question_about_an_item_is_not(films):
    assert read(films, "adored Brazil", shown=()).feedback == (("6", FeedbackKind.LIKE),)
    p = read(films, "why Brazil?", shown=())
    assert not p.like_items and [r.role for r in p.refs] == [TitleRole.SUBJECT]


def test_a_title_made_of_values_under_a_taste_frame_names_one_item(coats):
    p = read(coats, "Women's red bomber jacket was lovely, more in that vein", shown=())
    assert not p.include
    assert [coats.title_of(i) for i in p.like_items] == ["Women's red bomber jacket"]
    p = read(coats, "something in the style of Men's green rain jacket", shown=())
    assert not p.include and len(p.like_items) == 1


def test_a_title_made_of_values_without_a_frame_stays_a_wish(coats):
    p = read(coats, "I'd like a women's red bomber jacket", shown=())
    assert p.include == {"gender": ("women",), "colour": ("red",), "kind": ("bomber",)}
    assert not p.like_items


# -- derived word forms of the catalog's values --------------------------------------------


def test_derived_forms_follow_suffix_rules():
    from agent.nlu_forms import derived_forms

    assert "dramatic" in derived_forms("drama")
    assert "comedic" in derived_forms("comedy")
    assert "romantic" in derived_forms("romance")
    assert "animated" in derived_forms("animation")
    assert "music" in derived_forms("musical")
    assert "insulation" in derived_forms("insulated")
    assert derived_forms("war") == set()  # too short to derive safely


def test_values_are_read_in_their_derived_forms_without_synonyms():
    plain = Vocabulary.from_items(
        pd.DataFrame(
            {
                "item_id": ["1", "2", "3"],
                "title": ["A", "B", "C"],
                "genres": ["Drama|Romance", "Animation", "Musical"],
            }
        )
    )
    assert understand("it was a dramatic one", plain).include == {"genres": ("Drama",)}
    assert understand("nothing romantic", plain).exclude == {"genres": ("Romance",)}
    assert understand("an animated film", plain).include == {"genres": ("Animation",)}
    assert understand("something with music", plain).include == {"genres": ("Musical",)}
    assert understand("a drama", plain).include == {"genres": ("Drama",)}  # own spelling first


def test_joined_sentences_found_by_their_subject_or_article(films):
    # "it" with its verb opens a clause; "no" governs its own noun, not a later phrase
    assert genres(read(films, "I don't want westerns it was a war one")) == ({"War"}, {"Western"})
    assert genres(read(films, "no joy there a western maybe")) == ({"Western"}, set())
    assert genres(read(films, "no film with a western feel")) == (set(), {"Western"})
    # a remark on the list only when the value is its predicate
    assert genres(read(films, "that's nearer, hunting for a western")) == ({"Western"}, set())
    p = read(films, "they are more modern than the one I mean no war films though")
    assert genres(p) == (set(), {"War"})
    assert p.relative == (("year", Direction.DOWN),)


def test_a_rejection_with_a_new_negated_clause_joined_on(films):
    p = read(films, "all these westerns, not what I'm after didn't have any war either")
    assert genres(p) == (set(), {"Western", "War"})


def test_praise_after_a_no_is_not_an_exclusion(films):
    p = read(films, "hmm, no Brazil was superb, more in that vein", shown=())
    assert "6" in p.like_items and all(r.role is not TitleRole.EXCLUDE for r in p.refs)
    assert not p.feedback  # praise in a "more in that vein" request is taste only


def test_nothing_governs_its_own_object_only(films):
    assert genres(read(films, "saw nothing useful, searching for westerns")) == ({"Western"}, set())
    assert genres(read(films, "got nothing back looking for westerns")) == ({"Western"}, set())
    assert genres(read(films, "nothing too western please")) == (set(), {"Western"})


@pytest.mark.parametrize(
    "text",
    [
        "no more Casablanca stuff, please",
        "enough of Casablanca",
        "stop suggesting Casablanca",
        "less of the Casablanca kind",
    ],
)
def test_a_title_after_a_complaint_is_excluded_never_a_taste(films, text):
    p = read(films, text, shown=("3", "1"))
    assert "3" not in p.like_items
    assert [(r.item_id, r.role) for r in p.refs] == [("3", TitleRole.EXCLUDE)]
