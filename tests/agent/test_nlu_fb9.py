"""Verdicts told as a story of the viewing (session 8, helper "fb9"): what an item did to the
user or their household ("kept us gripped", "gave me nightmares"), a repeat ruled out ("never
again"), an assent ("big yes to X"), praise or blame after a copula or "found it" ("the
bomber is sharp", "found it tedious", "too dated"), a household's delight when nothing is
asked, a score that opens its item's clause ("3/10 for the second"), one feedback entry per
item, and places told by where an item sits ("the one in the middle"). Every sentence is
written fresh for these rules (none copied from a data file); each rule has cases where it
must not fire."""

from __future__ import annotations

import pytest
from film_catalogs import SIX_FILMS, film_vocab

from agent.nlu import understand
from agent.nlu_feedback import feedback_kind, one_per_item, prefix_mark
from agent.nlu_verdict_grammar import predicate_kind
from agent.parse import FeedbackKind, TitleRole
from agent.vocab import Vocabulary

LIKE, DISLIKE, SEEN = FeedbackKind.LIKE, FeedbackKind.DISLIKE, FeedbackKind.SEEN
SHOWN = ["1", "2", "3", "4", "5"]


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(SIX_FILMS)


@pytest.mark.parametrize(
    ("clause", "kind"),
    [
        ("it kept us gripped from the first minute", LIKE),
        ("had the whole family in stitches", LIKE),
        ("we giggled non-stop", LIKE),
        ("a firm yes to that western", LIKE),
        ("yes for Harvey", LIKE),
        ("it is one of our all-time faves", LIKE),
        ("the coat looks really classy", LIKE),
        ("creepy in the best way", LIKE),
        ("it gave my son the creeps", DISLIKE),
        ("bored us to tears", DISLIKE),
        ("once was enough", DISLIKE),
        ("these really don't do it for us", DISLIKE),
        ("I found it a bit dated", DISLIKE),
        ("the parka is way too boxy", DISLIKE),
        ("been there, done that", SEEN),
        # wishes and questions state no verdict
        ("I want something that's gripping", None),
        ("a film which is too long won't work", None),
        ("if it's too scary we'll skip it", None),
        ("yes to a comedy tonight", None),
        ("it was too good to miss", None),
        ("we laughed", None),
    ],
)
def test_predicate_kind(clause: str, kind: FeedbackKind | None) -> None:
    assert predicate_kind(clause) is kind


def test_told_dislike_beats_a_seen_viewing() -> None:
    assert feedback_kind("watched it with my partner and found it rather dull") is DISLIKE


@pytest.mark.parametrize(
    ("text", "pos", "kind"),
    [
        ("9/10 for the first, 1/10 for the third", 13, LIKE),
        ("9/10 for the first, 1/10 for the third", 33, DISLIKE),
        ("two stars to Gaslight", 13, DISLIKE),
        ("Gaslight was 9/10 for me", 0, None),  # a score after the item is not a prefix
    ],
)
def test_prefix_mark(text: str, pos: int, kind: FeedbackKind | None) -> None:
    assert prefix_mark(text, pos) is kind


def test_one_entry_per_item_verdict_over_seen() -> None:
    got = one_per_item([("1", SEEN), ("1", LIKE), ("2", SEEN)])
    assert got == [("1", LIKE), ("2", SEEN)]


def _feedback(films: Vocabulary, text: str, focus: str | None = None) -> set:
    return set(understand(text, films, SHOWN, focus=focus).feedback)


def test_scores_go_to_the_items_they_open(films: Vocabulary) -> None:
    got = _feedback(films, "9/10 for the second, 3/10 for the fourth")
    assert got == {("2", LIKE), ("4", DISLIKE)}


def test_story_verdicts_on_titles(films: Vocabulary) -> None:
    assert _feedback(films, "Candyman gave me nightmares for a month, never again") == {
        ("5", DISLIKE)
    }
    assert _feedback(films, "my sister and I laughed all the way through Harvey") == {("1", LIKE)}
    assert _feedback(films, "big yes to Gaslight") == {("2", LIKE)}


def test_household_delight_is_a_verdict_only_when_nothing_is_asked(films: Vocabulary) -> None:
    parse = understand("we put Jumanji on at the weekend, the kids adored it", films, SHOWN)
    assert set(parse.feedback) == {("3", LIKE)}
    parse = understand("my daughter adores Jumanji", films, SHOWN)
    assert set(parse.feedback) == {("3", LIKE)}
    # asking for more: their taste, no verdict
    parse = understand("my daughter adores Jumanji, what else would she like?", films, SHOWN)
    assert not parse.feedback
    assert any(r.item_id == "3" and r.role is TitleRole.TASTE for r in parse.refs)
    # people outside the household stay taste
    parse = understand("critics adored Jumanji", films, SHOWN)
    assert ("3", LIKE) not in parse.feedback


def test_verdict_words_are_no_wishes(films: Vocabulary) -> None:
    parse = understand("Harvey is hilarious", films, SHOWN)
    assert set(parse.feedback) == {("1", LIKE)} and not parse.include
    # the wish after the verdict stays a wish
    parse = understand("Candyman was too grim for me, now I'd rather a comedy", films, SHOWN)
    assert ("5", DISLIKE) in parse.feedback
    assert parse.include.get("genres") == ("Comedy",)


def test_liked_titles_in_a_request_for_more_are_taste(films: Vocabulary) -> None:
    for text in ("I liked Harvey, got anything in that line?", "I liked Harvey. Similar films?"):
        parse = understand(text, films, SHOWN)
        assert not parse.feedback
        assert [r.role for r in parse.refs if r.item_id == "1"] == [TitleRole.TASTE]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("the one in the middle, why that?", "3"),
        ("why is the film at the bottom there", "5"),
        ("the one on top, how come?", "1"),
    ],
)
def test_places_told_by_position(films: Vocabulary, text: str, item: str) -> None:
    parse = understand(text, films, SHOWN)
    assert [r.item_id for r in parse.refs] == [item]


def test_middle_of_an_even_list_is_no_item(films: Vocabulary) -> None:
    parse = understand("the one in the middle, why that?", films, SHOWN[:4])
    assert not parse.refs


def test_pair_as_subject(films: Vocabulary) -> None:
    parse = understand("1 and 3 are good, find me their siblings", films, SHOWN)
    assert {r.item_id for r in parse.refs if r.role is TitleRole.TASTE} == {"1", "3"}
    assert not parse.feedback
    # numbers that are no places
    parse = understand("1 and 3 are good, find me their siblings", films, SHOWN[:2])
    assert not parse.refs
