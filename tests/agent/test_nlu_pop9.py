"""Fame said in the user's own words (session 8, helper "pop9"): a quantifier of people with
an exposure verb ("that hardly anybody bought", "the ones most folks remember"), negation and
verbs of passing by flipping it, the passive ("seen by millions"), and the success and
obscurity word classes ("a monster action hit", "deeper cuts", "something rare"). Every
sentence is written fresh for these rules (none copied from a data file); each rule has cases
where it must not fire."""

from __future__ import annotations

import pytest
from film_catalogs import SIX_FILMS, film_vocab

from agent.nlu import understand
from agent.nlu_crowd import crowd_hits
from agent.nlu_fame import popularity_wish
from agent.parse import Direction
from agent.vocab import Vocabulary

UP, DOWN = Direction.UP, Direction.DOWN


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(SIX_FILMS)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # few-side quantifier x exposure verb: down
        ("a western that hardly anybody bought on dvd", DOWN),
        ("comedies very few viewers have rated", DOWN),
        ("a musical almost nobody remembers now", DOWN),
        ("a parka not many shoppers have picked", DOWN),
        ("something not every kid in my class has watched", DOWN),
        ("one that not all my colleagues already own", DOWN),
        ("a thriller nobody at my book club has heard of", DOWN),
        # many-side: up
        ("the comedies most viewers have seen", UP),
        ("a drama everybody in town talks about", UP),
        ("something lots of people remember fondly", UP),
        ("the coat everyone at work wears", UP),
        ("westerns half the world has watched", UP),
        ("songs? no, a musical all of my friends have seen", UP),
        # negation and verbs of passing by flip it
        ("a horror most people haven't seen", DOWN),
        ("an adventure everyone forgot about", DOWN),
        ("a romance few people skipped", UP),
        ("a mystery people have never heard of", DOWN),
        ("westerns but not the ones everybody quotes", DOWN),
        # a generic person stands for the many
        ("a comedy an average viewer would have seen", UP),
        # the list on screen as the object: a complaint, the other end
        ("most folks at work have already watched these", DOWN),
        ("barely anybody knows these", UP),
        # the passive
        ("a war film seen by millions", UP),
        ("a comedy known to few", DOWN),
        ("a drama not watched by many people", DOWN),
    ],
)
def test_crowd_grammar(text: str, want: Direction) -> None:
    assert popularity_wish(text)[0] is want


@pytest.mark.parametrize(
    "text",
    [
        "everyone in my house has seen it",  # a verb with its own object speaks of a known item
        "my kids have seen that one already",
        "most people say the ending is sad",  # not an exposure verb
        "something the whole family will enjoy",
        "quite a few people have recommended westerns to me",  # "a few" is not "few"
        "every time I watch a horror I get scared",
        "people watched  in cinemas",  # a blanked title after the verb
        "what do people think of musicals",
        "everybody has their own taste",
    ],
)
def test_crowd_grammar_negatives(text: str) -> None:
    assert crowd_hits(text) == []


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("a monster action hit from the eighties", UP),
        ("the biggest musical hits please", UP),
        ("a summer smash with lots of explosions", UP),
        ("something that did huge at the box office", UP),
        ("a drama that was massive at the box office", UP),
        ("a box office success from 1990", UP),
        ("household names only", UP),
        ("more common colours please", UP),
        ("lost gems from the fifties", DOWN),
        ("any deep cuts in horror", DOWN),
        ("the deepest cuts you have", DOWN),
        ("something rare from the forties", DOWN),
        ("a comedy that slipped under the radar", DOWN),
        ("an underwatched western", DOWN),
        ("a bit forgotten these days, a thriller", DOWN),
        ("small films from the seventies", DOWN),
        ("a box office flop I might like", DOWN),
        ("I have watched all the famous ones, surprise me", DOWN),
        ("tired of the usual picks, something else", DOWN),
        ("known titles only, horror", UP),
        ("lesser known titles only", DOWN),  # not the "known titles" above
        ("a coat that is not everywhere", DOWN),
    ],
)
def test_success_and_obscurity_words(text: str, want: Direction | None) -> None:
    assert popularity_wish(text)[0] is want


@pytest.mark.parametrize(
    "text",
    [
        "a comedy that hits the spot",  # "hits" as a verb
        "a big movie that hits hard",
        "the rare film that beats the book",  # "the rare X that": an exception, not obscurity
        "a rare treat for a date night",
        "a steak, medium rare, and a horror film",
        "what was its box office",
        "a small coat for my daughter",
        "an unknown actor in the lead",  # no "known ones"
    ],
)
def test_success_and_obscurity_negatives(text: str) -> None:
    assert popularity_wish(text)[0] is None


@pytest.mark.parametrize(
    ("text", "want", "leak"),
    [
        ("a mystery that hardly anybody rated", DOWN, ()),
        ("a biggest hits kind of night, comedy", UP, ("biggest",)),
        ("a proper box-office smash, any genre", UP, ("box office",)),
        ("something rare and weird in horror", DOWN, ("rare",)),
    ],
)
def test_whole_parse_reads_fame_and_leaks_no_word(
    films: Vocabulary, text: str, want: Direction, leak: tuple[str, ...]
) -> None:
    parse = understand(text, films)
    assert parse.popularity is want
    assert not any(w in u for u in parse.unplaced for w in leak)


def test_whole_parse_no_fame_in_a_plain_wish(films: Vocabulary) -> None:
    for text in ("a horror everyone in the family can enjoy", "a comedy my dad would like"):
        assert understand(text, films).popularity is None
