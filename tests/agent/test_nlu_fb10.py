"""Verdict word classes and frames added in session 8 by helper "fb10": more praise and blame
adjectives after a copula ("was a slog", "looks cheap", "such a letdown"), degree adverbs
("dreadfully slow"), a lasting pleasure ("never gets old"), a refusal mirroring the assent
("a hard no"), and a likeness marked unwelcome ("not in a good way"). Every sentence is written
fresh for these rules; each rule has cases where it must not fire."""

from __future__ import annotations

import pytest

from agent.nlu_feedback import feedback_kind, own_clause
from agent.nlu_verdict_grammar import predicate_kind
from agent.parse import FeedbackKind

LIKE, DISLIKE = FeedbackKind.LIKE, FeedbackKind.DISLIKE


@pytest.mark.parametrize(
    ("clause", "kind"),
    [
        # praise adjectives after a copula
        ("the heist film was great fun", None),  # "great fun" is the phrase lists' business
        ("honestly it was fun", LIKE),
        ("the quilted one looks sooo cute", LIKE),
        ("that anorak is really cosy", LIKE),
        ("the detective one was clever", LIKE),
        ("the war film is timeless", LIKE),
        ("the trainers are fire", LIKE),
        ("that sequel is a proper banger", LIKE),
        ("this one never gets old", LIKE),
        # blame adjectives, with degree adverbs in between
        ("the musical was dreadfully slow", DISLIKE),
        ("the sequel was such a letdown", DISLIKE),
        ("the courtroom one was a bit much for me", DISLIKE),
        ("the lead was irritating", DISLIKE),
        ("the cardigan looks cheap", DISLIKE),
        ("the ending is predictable", DISLIKE),
        ("that one was soppy nonsense", DISLIKE),
        # refusals
        ("the mustard one is a hard no", DISLIKE),
        ("a firm no from my husband", DISLIKE),
        ("it looks like a tent, and not in a good way", DISLIKE),
        # descriptions, redemptions and wishes state no blame
        ("it is a slow burn", None),
        ("it was silly fun", None),  # no blame: the fun redeems it
        ("the sequel was much better", None),
        ("something that is fun for the kids", None),
        ("if it's slow we'll switch off", None),
        ("a hard no brainer", None),
        ("creepy in a good way", LIKE),
        ("it is on fire", None),
        ("will it never get old?", None),
    ],
)
def test_predicate_kind(clause: str, kind: FeedbackKind | None) -> None:
    assert predicate_kind(clause) is kind


@pytest.mark.parametrize(
    ("clause", "kind"),
    [
        ("watched the boxing film, it was dreadfully slow", DISLIKE),
        ("the fleece is cosy as anything", LIKE),
        ("I want something cosy", None),
        ("is it cheap?", None),
    ],
)
def test_feedback_kind(clause: str, kind: FeedbackKind | None) -> None:
    assert feedback_kind(clause) is kind


def _own(text: str, item: str, *others: str) -> str:
    start = text.index(item)
    spans = [(text.index(o), text.index(o) + len(o)) for o in others]
    return own_clause(text, (0, len(text)), (start, start + len(item)), spans)


def test_own_clause_cuts_before_a_neighbour_with_its_own_verdict() -> None:
    text = "Heat was gripping, Fargo not so much"
    assert _own(text, "Heat", "Fargo") == "Heat was gripping"
    assert _own(text, "Fargo", "Heat") == " Fargo not so much"
    assert _own("loved Emma, hated Alien", "Alien", "Emma") == " hated Alien"


def test_own_clause_keeps_a_group_whole() -> None:
    text = "Heat, Fargo and Alien were all great"
    assert _own(text, "Fargo", "Heat", "Alien") == text
    assert _own("Heat and Fargo: both dull", "Heat", "Fargo") == "Heat and Fargo: both dull"
