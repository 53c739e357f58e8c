"""Titles typed short, likeness frames, list ends and pronoun references (helper "taste6",
2026-12-07): `agent.nlu_short_titles` reads a run of one title's words, a rare word of one
title, two rare words joined by "and", or a title misspelt around its rare word; likeness
frames whatever their noun ("in the same ballpark as X"), a mood kept from a title ("keep
X's atmosphere"), a title that is "more what I had in mind"; "top and bottom of the list";
"it" beside a weighing ("how does it measure up against X") or in "what made it ...". The
sentences are written fresh, not copied from any data file; every rule has cases where it
must not fire (ordinary words that spell part of a title, actors' names, a measure compared,
a rank rather than a place on the list)."""

from __future__ import annotations

import time

import pytest
from film_catalogs import film_vocab

from agent.nlu import understand
from agent.nlu_short_titles import short_index
from agent.parse import Parse, TitleRole
from agent.vocab import Vocabulary

FILMS = [
    ("1", "Monty Python's Life of Brian (1979)", 1979, "Comedy"),
    ("2", "Monty Python and the Holy Grail (1974)", 1974, "Comedy"),
    ("3", "Citizen Kane (1941)", 1941, "Drama"),
    ("4", "Forrest Gump (1994)", 1994, "Comedy|Romance|War"),
    ("5", "Dead Poets Society (1989)", 1989, "Drama"),
    ("6", "Butch Cassidy and the Sundance Kid (1969)", 1969, "Action|Comedy|Western"),
    ("7", "Sleepless in Seattle (1993)", 1993, "Comedy|Romance"),
    ("8", "Shawshank Redemption, The (1994)", 1994, "Drama"),
    ("9", "Ghost (1990)", 1990, "Comedy|Romance|Thriller"),
    ("10", "Mother (1996)", 1996, "Comedy"),
    ("11", "Kids (1995)", 1995, "Drama"),
    ("12", "Truth About Cats & Dogs, The (1996)", 1996, "Comedy|Romance"),
    ("13", "Speed 2: Cruise Control (1997)", 1997, "Action|Romance|Thriller"),
    ("14", "Jackie Chan's First Strike (1996)", 1996, "Action"),
    ("15", "Chinatown (1974)", 1974, "Film-Noir|Mystery|Thriller"),
    ("16", "Fargo (1996)", 1996, "Crime|Drama|Thriller"),
    ("17", "Blade Runner (1982)", 1982, "Film-Noir|Sci-Fi"),
    ("18", "Groundhog Day (1993)", 1993, "Comedy|Romance"),
    ("19", "Annie Hall (1977)", 1977, "Comedy|Romance"),
    ("20", "Long Kiss Goodnight, The (1996)", 1996, "Action|Thriller"),
    ("21", "Four Weddings and a Funeral (1994)", 1994, "Comedy|Romance"),
    ("22", "Indiana Jones and the Last Crusade (1989)", 1989, "Action|Adventure"),
    ("23", "Ghost and the Darkness, The (1996)", 1996, "Action|Adventure"),
    ("24", "Great White Hype, The (1996)", 1996, "Comedy"),
    ("25", "Big Lebowski, The (1998)", 1998, "Comedy|Crime|Mystery|Thriller"),
    ("26", "Apocalypse Now (1979)", 1979, "Drama|War"),
    ("27", "Son in Law (1993)", 1993, "Comedy"),
]
SHOWN = ["16", "19", "15", "17", "18"]


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(FILMS)


def _read(text: str, vocab: Vocabulary, focus: str | None = None) -> Parse:
    return understand(text, vocab, SHOWN, focus=focus)


def _items(parse: Parse) -> set[str]:
    return {r.item_id for r in parse.refs}


def _taste(parse: Parse) -> set[str]:
    return {r.item_id for r in parse.refs if r.role is TitleRole.TASTE}


# -- titles typed short, in part, misspelt ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("the holy grail is still the funniest thing I've seen", "2"),  # a run with a rare word
        ("is Kane really that good?", "3"),  # a rare name, capitalised mid-sentence
        ("Kane bored me stiff", "3"),  # opening a sentence before a verb
        ("my sister has seen gump nine times", "4"),  # no English word, after a viewing
        ("Butch and Sundance was a bit long for me", "6"),  # two rare words joined by "and"
        ("sleepless in seatle is on tv tonight", "7"),  # misspelt around its rare word
        ("Four Weddings made me cry laughing", "21"),  # common words, typed as a title
        ("Sundance Kid or Groundhog Day tonight?", "6"),
        ("why Last Crusade and not something newer?", "22"),
        ("Chinatown or crusade tonight?", "22"),  # a rare word listed beside a title
    ],
)
def test_a_title_typed_short_names_its_item(films: Vocabulary, text: str, item: str) -> None:
    parse = _read(text, films)
    assert item in _items(parse)
    assert not parse.unknown_titles


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("anything in the vein of Life of Brian?", "1"),
        ("loved lebowski, more like that please", "25"),
        ("something like Dead Poets but set in a hospital", "5"),
    ],
)
def test_a_short_title_under_a_taste_frame_is_taste(
    films: Vocabulary, text: str, item: str
) -> None:
    assert _taste(_read(text, films)) == {item}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("my mother is turning 80, something gentle please", {"10"}),
        ("a ghost story the kids can watch", {"9", "11", "23"}),
        ("nothing with Tom Cruise please, he annoys me", {"13"}),
        ("something with Jackie Chan style fighting", {"14"}),
        ("a dead body in the first scene, a proper whodunnit", {"5"}),
        ("write me a poem about cats", {"12"}),
        ("Goodnight!", {"20"}),
        ("is the hype about sci-fi justified?", {"24"}),
        ("four weddings this summer, I need a light comedy", {"21"}),
        ("something about poets and painters", {"5"}),
        ("Chinatown and a ghost story, seen both", {"9", "23"}),
    ],
)
def test_ordinary_words_that_spell_part_of_a_title_name_nothing(
    films: Vocabulary, text: str, absent: set[str]
) -> None:
    assert not _items(_read(text, films)) & absent


def test_monty_python_alone_is_in_two_titles(films: Vocabulary) -> None:
    parse = _read("in the spirit of Monty Python", films)
    assert not _items(parse) & {"1", "2"}


def test_the_index_is_built_once_per_catalog(films: Vocabulary) -> None:
    first = short_index(films)
    assert short_index(films) is first
    assert first.runs.get("life of brian") == "monty python's life of brian"
    assert "brian" not in first.runs  # a common name names no title alone
    assert "ghost" not in first.runs  # itself a title, and a common word


# -- likeness frames whatever their noun -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("films in the same ballpark as Apocalypse Now", "26"),
        ("anything that hits the same notes as Annie Hall?", "19"),
        ("something in the manner of Chinatown, only in colour", "15"),
        ("more in the tradition of Blade Runner please", "17"),
        ("keep Fargo's atmosphere but make it funnier", "16"),
        ("the Chinatown sort, from the fifties", "15"),
        ("Groundhog Day is more what I had in mind, others like that?", "18"),
        ("more of the kind of thing the fourth one is", "17"),
    ],
)
def test_a_likeness_frame_makes_a_taste_reference(films: Vocabulary, text: str, item: str) -> None:
    assert item in _taste(_read(text, films))


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("what kind of film is Fargo?", "16"),
        ("is Chinatown the same length as Apocalypse Now?", "26"),
        ("Fargo's rating seems too high to me", "16"),
        ("it's not the same league as Annie Hall at all", "19"),
    ],
)
def test_no_likeness_without_a_frame(films: Vocabulary, text: str, item: str) -> None:
    parse = _read(text, films)
    assert item in _items(parse)
    assert item not in _taste(parse)


def test_the_first_two_as_a_base_are_both_taste(films: Vocabulary) -> None:
    parse = _read("the first two are close, more of that but older", films)
    assert _taste(parse) == {"16", "19"}


# -- places on the list and pronouns ---------------------------------------------------


def test_top_and_bottom_of_the_list(films: Vocabulary) -> None:
    parse = _read("top and bottom of the list: seen both", films)
    assert _items(parse) == {"16", "18"}


def test_the_bottom_of_the_list_alone(films: Vocabulary) -> None:
    assert _items(_read("the bottom of the list looks dull", films)) == {"18"}


@pytest.mark.parametrize(
    "text",
    [
        "does being at the top of the list get a film more clicks?",
        "what put Groundhog Day at the top of the list?",
        "top marks for variety, now something older",
    ],
)
def test_a_rank_is_no_place_on_the_list(films: Vocabulary, text: str) -> None:
    assert "16" not in _items(_read(text, films))


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("what made it a good pick for me?", {"17"}),
        ("what if I had never rated it?", {"17"}),
        ("how does it measure up against Fargo?", {"17", "16"}),
        ("does it hold up against Chinatown?", {"17", "15"}),
    ],
)
def test_it_is_the_item_in_focus(films: Vocabulary, text: str, items: set[str]) -> None:
    assert _items(_read(text, films, focus="17")) == items


@pytest.mark.parametrize(
    "text",
    [
        "it would be nice if it were a comedy",
        "I'm against anything gory",
    ],
)
def test_it_as_the_wished_item_names_no_focus(films: Vocabulary, text: str) -> None:
    assert "17" not in _items(_read(text, films, focus="17"))


def test_a_turn_costs_no_scan_of_the_titles(films: Vocabulary) -> None:
    """The index is read per word: a turn on a catalog 40 times larger is not slower by
    anything like 40 (a generous bound; the machine may be shared)."""
    big = film_vocab(
        [
            *FILMS,
            *(
                (str(100 + i), f"Quiet Harbour Story {i} (1990)", 1990, "Drama")
                for i in range(1000)
            ),
        ]
    )
    short_index(big)
    text = "something in the spirit of Life of Brian but newer, not Kane"
    started = time.perf_counter()
    for _ in range(20):
        parse = understand(text, big, SHOWN)
    per_turn = (time.perf_counter() - started) / 20
    assert {"1", "3"} <= _items(parse)
    assert per_turn < 0.25


# -- shown items as a base, said in other words ----------------------------------------


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("something closer to four and five", {"17", "18"}),  # spelt places under a cue
        ("three and one are the closest, keep going", {"15", "16"}),
        ("the second and third are the sort we want, more please", {"19", "15"}),
        ("Fargo is nice. more in that direction, but lighter", {"16"}),
    ],
)
def test_shown_items_as_a_base_are_taste(films: Vocabulary, text: str, items: set[str]) -> None:
    assert _taste(_read(text, films)) == items


@pytest.mark.parametrize(
    "text",
    [
        "two and three star films are fine too",
        "show me two and then three more",
        "my son in law wants an action film",
    ],
)
def test_quantities_and_relatives_name_no_item(films: Vocabulary, text: str) -> None:
    assert not _items(_read(text, films))
