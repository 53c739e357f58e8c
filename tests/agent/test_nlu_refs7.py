"""Titles, taste references, item references and verdicts (helper "refs7", 2026-12-07).

A title that opens with a number read where a title stands ("2001 ... fans"), never where a
year does; taste frames whose holder is someone else ("his go-to film is X", "a crowd that
worships X", "someone who found X hilarious") or whose likeness word is new ("X is our
yardstick", "in X's territory", "nearer X"); verdicts in new words ("put me to sleep", "did
nothing for me", "silly fun", a verdict closing the item's clause: "X seen, Y loved");
short and lowercase titles ("... or last crusade", "Secrets & Lies", "schindlers list");
shown coats named by one value in a pair ("trench or pea coat"); and no learned verdict in a
question. The sentences are written fresh, not copied from any data file; each rule has
cases where it must not fire."""

from __future__ import annotations

import pandas as pd
import pytest
from film_catalogs import film_vocab

from agent.nlu import understand
from agent.nlu_feedback import feedback_kind, postfix_verdict
from agent.nlu_verdict import Mention, asked_about
from agent.parse import FeedbackKind, Parse, TitleRole
from agent.vocab import Vocabulary

FILMS = [
    ("1", "2001: A Space Odyssey (1968)", 1968, "Drama|Mystery|Sci-Fi|Thriller"),
    ("2", "Fargo (1996)", 1996, "Crime|Drama|Thriller"),
    ("3", "Secrets & Lies (1996)", 1996, "Drama"),
    ("4", "Schindler's List (1993)", 1993, "Drama|War"),
    ("5", "Indiana Jones and the Last Crusade (1989)", 1989, "Action|Adventure"),
    ("6", "Raiders of the Lost Ark (1981)", 1981, "Action|Adventure"),
    ("7", "Batman (1989)", 1989, "Action|Adventure|Crime|Drama"),
    ("8", "Batman & Robin (1997)", 1997, "Action|Adventure|Crime"),
    ("9", "Unforgiven (1992)", 1992, "Western"),
    ("10", "Tombstone (1993)", 1993, "Western"),
    ("11", "Heathers (1989)", 1989, "Comedy"),
    ("12", "Chinatown (1974)", 1974, "Film-Noir|Mystery|Thriller"),
    ("13", "Blade Runner (1982)", 1982, "Film-Noir|Sci-Fi"),
    ("14", "Casablanca (1942)", 1942, "Drama|Romance|War"),
    ("15", "Groundhog Day (1993)", 1993, "Comedy|Romance"),
    ("16", "Evita (1996)", 1996, "Drama|Musical"),
    ("17", "Vertigo (1958)", 1958, "Mystery|Thriller"),
    ("18", "Annie Hall (1977)", 1977, "Comedy|Romance"),
]
SHOWN = ["2", "1", "12", "13", "14"]


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(FILMS)


@pytest.fixture(scope="module")
def coats() -> Vocabulary:
    items = pd.DataFrame(
        {
            "item_id": ["60", "61", "62", "63", "64", "65"],
            "title": [
                "Women's pink insulated jacket",
                "Women's gray trench coat",
                "Women's beige pea coat",
                "Women's gray fleece jacket",
                "Women's blue fleece jacket",
                "Men's black parka",
            ],
            "color": ["pink", "gray", "beige", "gray", "blue", "black"],
            "jacket_type": ["insulated", "trench", "pea", "fleece", "fleece", "parkas"],
            "item_gender": ["women", "women", "women", "women", "women", "men"],
        }
    )
    return Vocabulary.from_items(items)


def _read(
    text: str, vocab: Vocabulary, shown: list[str] | None = None, focus: str | None = None
) -> Parse:
    return understand(text, vocab, SHOWN if shown is None else shown, focus=focus)


def _taste(parse: Parse) -> set[str]:
    return {r.item_id for r in parse.refs if r.role is TitleRole.TASTE}


def _named(parse: Parse) -> set[str]:
    return {r.item_id for r in parse.refs}


# -- a title typed as its opening number -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "taste"),
    [
        ("what do 2001 fans usually go for next?", True),  # a cue after it: a taste reference
        ("honestly, 2001 bored me rigid", False),  # opening a clause before a verb
        ("anything like 2001 but shorter", True),
    ],
)
def test_a_number_in_a_titles_place_is_the_title(films, text, taste):
    parse = _read(text, films, shown=[])
    assert "1" in _named(parse)
    assert ("1" in _taste(parse)) is taste
    assert "year" not in parse.ranges


@pytest.mark.parametrize(
    "text",
    [
        "something released after 2001",
        "a 2001 comedy",
        "films from 2001 or later",
        "anything made in 2001?",
    ],
)
def test_a_number_in_a_years_place_stays_a_year(films, text):
    parse = _read(text, films, shown=[])
    assert "1" not in _named(parse)
    assert "year" in parse.ranges


def test_a_shown_numbered_title_said_alone_is_that_item(films):
    parse = _read("2001 put us both to sleep", films)
    assert ("1", FeedbackKind.DISLIKE) in parse.feedback
    assert "year" not in parse.ranges


# -- taste frames ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("what would you give someone whose go-to film is Chinatown", "12"),
        ("my uncle rewatches Blade Runner every winter, any ideas for him?", "13"),
        ("picks for a crowd that worships Casablanca", "14"),
        ("a gift for someone who found Heathers hilarious", "11"),
        ("a film for a friend into both Vertigo and Chinatown", "17"),
        ("if Groundhog Day is our yardstick, what else?", "15"),
        ("something in Chinatown's territory but newer", "12"),
        ("got anything nearer Annie Hall?", "18"),
        ("not these at all, think Vertigo", "17"),
        ("something comparable to Fargo from the same decade", "2"),
        ("Annie Hall is my all-time number one, find me its cousins", "18"),
    ],
)
def test_taste_frames_make_taste_references(films, text, item):
    parse = _read(text, films, shown=[])
    assert item in _taste(parse)
    assert not any(i == item for i, _ in parse.feedback)  # their taste, not my rating


def test_both_members_of_a_pair_under_a_trailing_cue_are_taste(films):
    parse = _read("Fargo and Chinatown are the vibe, more please", films, shown=[])
    assert {"2", "12"} <= _taste(parse)


@pytest.mark.parametrize(
    "text",
    [
        "my uncle thought Blade Runner was dreadful, anything better for him?",  # a dislike
        "I think Vertigo is overrated",  # my own opinion, no imperative "think"
        "is Fargo closer to a comedy or a thriller?",  # a question about the item
    ],
)
def test_no_taste_where_the_frame_does_not_hold(films, text):
    parse = _read(text, films, shown=[])
    assert not _taste(parse)


# -- verdicts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "kind"),
    [
        ("that one did nothing for me", FeedbackKind.DISLIKE),
        ("switched it off after half an hour", FeedbackKind.DISLIKE),
        ("it sent me to sleep", FeedbackKind.DISLIKE),
        ("fell asleep halfway, twice", FeedbackKind.DISLIKE),
        ("pretty daft but silly fun, count me in", FeedbackKind.LIKE),
        ("caught it on cable, unexpectedly good", FeedbackKind.LIKE),
        ("saw it as a teenager; marvellous picture", FeedbackKind.LIKE),
        ("it's a yes from me", FeedbackKind.LIKE),
        ("so my kind of movie", FeedbackKind.LIKE),
        ("we wore out our VHS copy of it", FeedbackKind.SEEN),
        ("not a huge fan of it", FeedbackKind.DISLIKE),
    ],
)
def test_verdict_phrases(clause, kind):
    assert feedback_kind(clause) is kind


@pytest.mark.parametrize(
    "clause",
    [
        "great, thanks for that",  # a thank-you, no verdict after an item
        "something dumb but quick",  # a wish
        "I never told you I liked musicals",  # a like denied
        "did it put you to sleep?",  # asks someone else
    ],
)
def test_no_verdict_where_none_is_given(clause):
    assert feedback_kind(clause) is None


def test_a_verdict_word_closing_an_items_clause(films):
    parse = _read("unforgiven seen, tombstone loved", films, shown=[])
    assert ("9", FeedbackKind.SEEN) in parse.feedback
    assert ("10", FeedbackKind.LIKE) in parse.feedback


def test_a_viewing_after_the_item_gives_way_to_its_verdict(films):
    parse = _read("Fargo, watched it, meh", films, shown=[])
    assert ("2", FeedbackKind.DISLIKE) in parse.feedback


def test_postfix_verdict_needs_the_clause_to_end():
    text = "Fargo no longer appeals"
    assert postfix_verdict(text, len("Fargo")) is None
    assert postfix_verdict("Fargo no, Heat yes", len("Fargo")) is FeedbackKind.DISLIKE


def test_evita_lowercase_with_a_failed_viewing(films):
    parse = _read("evita did nothing for me", films, shown=["16", "2"])
    assert ("16", FeedbackKind.DISLIKE) in parse.feedback


def test_praise_as_a_gem_is_no_obscurity_wish(films):
    parse = _read("Vertigo is a real gem", films, shown=[])
    assert ("17", FeedbackKind.LIKE) in parse.feedback
    assert parse.popularity is None


def test_a_denied_like_is_no_feedback(films):
    parse = _read("I never said I liked noir, what's Chinatown doing here?", films)
    assert not parse.feedback
    assert "12" in _named(parse) and "12" not in _taste(parse)


# -- titles typed short or lowercase ----------------------------------------------------------


def test_last_opens_a_title_not_a_place(films):
    parse = _read("raiders or last crusade tonight?", films, shown=["2", "1", "12", "13", "14"])
    assert {"5", "6"} <= _named(parse)
    assert "14" not in _named(parse)  # not "the last one" of the list


def test_a_rank_word_is_no_place_on_the_list(films):
    parse = _read("why is Vertigo being ranked first?", films, shown=["2", "17"])
    assert _named(parse) == {"17"}


def test_ampersand_and_bare_possessive_titles(films):
    assert "3" in _named(_read("Secrets & Lies or Fargo, which is gentler?", films, shown=[]))
    assert "8" in _named(_read("Batman & Robin was awful", films, shown=[]))
    assert "7" not in _named(_read("Batman & Robin was awful", films, shown=[]))
    parse = _read("schindlers list wrecked me, too bleak for me", films, shown=[])
    assert ("4", FeedbackKind.DISLIKE) in parse.feedback


def test_shown_lowercase_title_in_a_why_question(films):
    parse = _read("y is tombstone up there", films, shown=["10", "2"])
    assert "10" in _named(parse)
    parse = _read("reasons for tombstone please", films, shown=["10", "2"])
    assert "10" in _named(parse)


def test_unknown_titles_after_new_cues(films):
    parse = _read("haven't seen Memento yet, anything like it here?", films, shown=[])
    assert "memento" in [t.lower() for t in parse.unknown_titles]
    parse = _read("my niece keeps rewatching Frozen, more for her", films, shown=[])
    assert "frozen" in [t.lower() for t in parse.unknown_titles]


# -- shown coats named by one value ------------------------------------------------------------


COATS_SHOWN = ["60", "61", "62", "63", "64"]


def test_one_value_each_side_of_or_names_shown_coats(coats):
    parse = understand("trench or pea coat, which is warmer?", coats, COATS_SHOWN)
    assert {"61", "62"} <= _named(parse)
    assert "jacket_type" not in parse.include


def test_value_one_in_a_why_question(coats):
    assert "60" in _named(understand("pink one, why?", coats, COATS_SHOWN))


def test_shared_ones_after_a_pair(coats):
    parse = understand("the pink and the blue ones are lovely", coats, COATS_SHOWN)
    assert {("60", FeedbackKind.LIKE), ("64", FeedbackKind.LIKE)} <= set(parse.feedback)


@pytest.mark.parametrize(
    "text",
    [
        "black or navy?",  # no shown coat is black: a wish
        "but only in pink or gray",  # a wish after a preposition
        "a pink one please",  # indefinite: a wish
        "without the gray ones",  # a kind of coat, removed
    ],
)
def test_values_stay_wishes(coats, text):
    parse = understand(text, coats, COATS_SHOWN)
    assert not _named(parse)


# -- the learned verdict reader asks nothing of a question ------------------------------------


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("is it creepier than Vertigo?", True),
        ("what drew you to Vertigo for me", True),
        ("what a film Vertigo is", False),
        ("Vertigo bored me. anything else?", False),
    ],
)
def test_questions_get_no_learned_verdict(text, asked):
    at = text.index("Vertigo")
    mention = Mention("17", at, at + len("Vertigo"), TitleRole.SUBJECT)
    assert asked_about(text, mention) is asked
