"""Feedback rules added in session 9 by helper "fb11": the README's marks rule (out of ten,
above five is like) and marks given with "give X a N"; strong praise or worthless-stuff nouns
standing alone as a segment ("..., incredible film", "pure muck"); first-person fandom ("big
fan of X", "we both adored it"); the family's own words for kin and a kin's devotion told later
in the sentence ("she loves it", "swears by it"); a bare call for more and a blend request as
asking for items; "every one except X"; an owned item told with "I've got ... already"; a
verdict-only turn naming its item as judged, not as a taste reference; and the learned
reader's clause cut before "not the rest" and its skipping of an excepted item. Every
sentence is written fresh for these rules; each rule has cases where it must not fire."""

from __future__ import annotations

import pytest

from agent.nlu_feedback import (
    ALL_SHOWN,
    ASKS_FOR_MORE,
    feedback_kind,
    household_like,
    implied_feedback,
    liked_as_taste,
    rating_kind,
)
from agent.nlu_verdict import PLACEHOLDER, Mention, clauses
from agent.nlu_verdict_grammar import predicate_kind
from agent.parse import FeedbackKind, Intent, ItemRef, Parse, TitleRole
from agent.planner import _taste_over_compare, _verdict_over_chat

LIKE, DISLIKE, SEEN = FeedbackKind.LIKE, FeedbackKind.DISLIKE, FeedbackKind.SEEN


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("6/10", LIKE),  # out of ten: above five is like
        ("5/10", DISLIKE),  # five or below is dislike
        ("3 out of 10", DISLIKE),
        ("9.5/10", LIKE),
        ("4/5", LIKE),  # out of five: four or more
        ("2 stars", DISLIKE),
        ("three stars", None),  # the middle of five says nothing
        ("I'd give the heist movie an 8", LIKE),
        ("we gave it a solid 9", LIKE),
        ("I'd rate that one a 3", DISLIKE),
        ("gave the sequel a 4 out of 5", LIKE),
        ("give me a 90s comedy", None),  # no mark: a year word, not a score
        ("give it a go", None),
        ("I'd give it a 10% chance", None),
    ],
)
def test_rating_kind(text: str, kind: FeedbackKind | None) -> None:
    assert rating_kind(text) is kind


@pytest.mark.parametrize(
    ("clause", "kind"),
    [
        ("watched the submarine film, incredible film", LIKE),
        ("Heat? Absolute masterpiece.", LIKE),
        ("saw it on a plane - flawless", LIKE),
        ("the parka, pure muck", DISLIKE),
        ("that jacket is utter tosh", DISLIKE),
        ("the second one's pure garbage", DISLIKE),
        ("that long one bore me die", DISLIKE),
        ("the sequel bored us to death", DISLIKE),
        # a segment verdict needs to stand alone: a wish or a description is none
        ("a gripping thriller, please", None),
        ("stunning scenery in a western", None),
        ("something that won't bore me to death", None),
        ("no more garbage trucks", None),
    ],
)
def test_segment_verdicts(clause: str, kind: FeedbackKind | None) -> None:
    assert feedback_kind(clause) is kind


@pytest.mark.parametrize(
    ("clause", "kind"),
    [
        ("big fan of The Birds", LIKE),
        ("I'm a huge fan of that one", LIKE),
        ("my husband and I saw it twice and we both adored it", LIKE),
        ("we all loved the third one", LIKE),
        ("for fans of The Birds", None),  # others' fandom
        ("people who are big fans of that one", None),
    ],
)
def test_first_person_fandom(clause: str, kind: FeedbackKind | None) -> None:
    assert feedback_kind(clause) is kind


@pytest.mark.parametrize(
    ("clause", "text", "loved"),
    [
        ("my nana adores the musical", "my nana adores the musical", True),
        ("my papa loves it", "my papa loves it", True),
        (
            "my brother bought the grey fleece",
            "my brother bought the grey fleece, he swears by it",
            True,
        ),
        (
            "my auntie has the green parka and swears by it",
            "my auntie has the green parka and swears by it",
            True,
        ),
        # a request makes it their taste; a stranger's devotion is no household verdict
        ("my mama loves it", "my mama loves it, anything similar?", False),
        ("the guy at work watched it", "the guy at work watched it, he loves it", False),
        ("my granny watched the first one", "my granny watched the first one", False),
    ],
)
def test_household_like(clause: str, text: str, loved: bool) -> None:
    assert household_like(clause, text) is loved


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Heat is ace. More please!", True),
        ("loved that one. more!", True),
        ("hit me with more, but older", True),
        ("more of whatever that is, please", True),
        ("anything with that same gentle humour?", True),
        ("I liked both, something in between?", True),
        ("Heat was great, more along those lines", True),
        ("anything on the same lines as the first?", True),
        ("read between the lines of the plot", False),
        ("along the coast, a road movie", False),
        ("no more musicals", False),
        ("more action and less talk", False),
        ("the same director as before", False),
    ],
)
def test_asks_for_more(text: str, asks: bool) -> None:
    assert (ASKS_FOR_MORE.search(text) is not None) is asks


def test_every_one_except_a_title() -> None:
    text = "I've seen every one except Alien"
    assert ALL_SHOWN.search(text)
    shown = ["1", "2", "3"]
    named = [(text.index("Alien"), "2", True)]
    clauses_ = [(0, len(text))]
    got = implied_feedback(text, [], named, clauses_, shown, None)
    assert got == [("1", SEEN), ("3", SEEN)]
    assert not ALL_SHOWN.search("every one of us loved it")


@pytest.mark.parametrize(
    ("clause", "kind"),
    [
        ("I've got #2 already", SEEN),
        ("we've got the navy one already", SEEN),
        ("I've got a question already", None),
    ],
)
def test_owned_already(clause: str, kind: FeedbackKind | None) -> None:
    assert feedback_kind(clause) is kind


def _ref(item: str, role: TitleRole, text: str) -> tuple[float, ItemRef]:
    return (0.0, ItemRef(item, role, text))


def test_verdict_only_turn_names_the_judged_item() -> None:
    refs = [_ref("7", TitleRole.TASTE, "Vertigo")]
    fed = [("7", LIKE)]
    got, feedback = liked_as_taste("big fan of Vertigo", refs, fed)
    assert got[0][1].role is TitleRole.SUBJECT and feedback == fed
    # a request keeps the taste reference and drops the like (README convention 2)
    got, feedback = liked_as_taste("loved Vertigo. More please!", refs, fed)
    assert got[0][1].role is TitleRole.TASTE and feedback == []
    # a question keeps the taste reference as it was
    got, feedback = liked_as_taste("loved Vertigo, but is it dated?", refs, fed)
    assert got[0][1].role is TitleRole.TASTE


def test_clause_cut_before_the_rest() -> None:
    text = "watched the first two, not the rest"
    at = text.index("the first two")
    found = [Mention("5", at, at + len("the first two"), TitleRole.SHOWN)]
    ((_, words),) = clauses(text, found)
    assert words == f"watched {PLACEHOLDER}"
    text = "watched the first two, not bad"
    ((_, words),) = clauses(text, [Mention("5", at, at + len("the first two"), TitleRole.SHOWN)])
    assert "not bad" in words


def _parse(text: str, refs: tuple[ItemRef, ...], feedback=()) -> Parse:
    return Parse(text=text, intents=(Intent.FEEDBACK,), refs=refs, feedback=tuple(feedback))


def test_taste_turn_heard_as_feedback_or_comparison() -> None:
    taste = (ItemRef("1", TitleRole.TASTE, "Heat"), ItemRef("2", TitleRole.TASTE, "Ronin"))
    parse = _parse("liked Heat and Ronin, something in between?", taste)
    assert _taste_over_compare([Intent.COMPARE], parse, False)[0] is Intent.RECOMMEND
    assert _taste_over_compare([Intent.FEEDBACK], parse, True)[0] is Intent.REFINE
    # two named items weighed against each other stay a comparison
    both = (ItemRef("1", TitleRole.SUBJECT, "Heat"), ItemRef("2", TitleRole.TASTE, "Ronin"))
    parse = _parse("is Heat much like Ronin?", both)
    assert _taste_over_compare([Intent.COMPARE], parse, False)[0] is Intent.COMPARE
    # a feedback turn whose verdict was kept stays feedback
    parse = _parse("Heat 8/10", taste[:1], [("1", LIKE)])
    assert _taste_over_compare([Intent.FEEDBACK], parse, False)[0] is Intent.FEEDBACK


def test_verdict_over_chat() -> None:
    said = [("3", DISLIKE)]
    assert _verdict_over_chat([Intent.GREETING], said, "Heat, 3/10, sorry")[0] is Intent.FEEDBACK
    assert _verdict_over_chat([Intent.HELP], said, "pure muck, sorry")[0] is Intent.FEEDBACK
    assert _verdict_over_chat([Intent.GREETING], [], "sorry!")[0] is Intent.GREETING
    assert _verdict_over_chat([Intent.WHY], said, "why this?")[0] is Intent.WHY


def test_predicates_stay_quiet_in_wishes() -> None:
    assert predicate_kind("something that's a masterpiece") is None
    assert predicate_kind("if it's utter tosh, skip it") is None


@pytest.mark.parametrize(
    ("text", "gloss"),
    [
        ("maine ye dekhi hai, bakwas thi", "I have watched this, it was rubbish"),
        ("thodi purani dikhao yaar", "a bit older show me"),
        ("koi darawni film batao", "a scary film suggest"),
        ("mujhe neeli jacket chahiye", "I blue jacket I want"),
    ],
)
def test_romanised_hindi_gloss(text: str, gloss: str) -> None:
    from agent.nlu_foreign import gloss_turn

    got = gloss_turn(text)
    assert got is not None and got.language == "hi" and got.text == gloss


@pytest.mark.parametrize(
    "text",
    ["hai guys, any comedies?", "ye olde costume drama", "a comedy, thoda purana", "Kala Patthar"],
)
def test_english_or_a_title_is_not_hindi(text: str) -> None:
    from agent.nlu_foreign import gloss_turn

    got = gloss_turn(text)
    assert got is None or got.language != "hi"


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("big fan of Heat. Where do I go from here?", True),
        ("loved all three. Next?", True),
        ("liked it, now what?", True),
        ("where do I go to rate films?", False),
        ("the next one was dull", False),
    ],
)
def test_where_next_asks_for_more(text: str, asks: bool) -> None:
    assert (ASKS_FOR_MORE.search(text) is not None) is asks


def test_imagined_verdict_is_not_feedback() -> None:
    said = [("3", DISLIKE)]
    rules = [Intent.OFF_TOPIC, Intent.WHAT_IF]
    assert _verdict_over_chat(rules, said, "suppose I had hated it")[0] is Intent.OFF_TOPIC
