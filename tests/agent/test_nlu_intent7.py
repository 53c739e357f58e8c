"""Intent shapes of session 7 (helper "intent7"): no `refine` without a list on screen, a
topic-change marker that frees a fresh request from list pointers, adjusted comparisons
(causal), imagined own ratings (what-if), items weighed against a named one (compare), why
without "why", how-to-steer questions (help), a new conversation (reset), advice on a chore
(off topic). Every sentence here is written fresh for these rules (none is copied from a data
file); each rule has cases where it must not fire."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from film_catalogs import SIX_FILMS, film_vocab

from agent.intents import IntentClassifier, parse_features
from agent.nlu import understand
from agent.nlu_intent_shape import (
    ADJUSTED,
    COMPARE_AGAINST,
    OWN_RATING_WHAT_IF,
    STEER_HELP,
    TOPIC_CHANGE,
    WHY_WITHOUT_WHY,
    because_question,
    leaves_the_list,
    settle_rule_intents,
    shape_flags,
    without_topic_change,
)
from agent.parse import Intent
from agent.vocab import Vocabulary


@pytest.fixture(scope="module")
def films() -> Vocabulary:
    return film_vocab(SIX_FILMS)


SHOWN = ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("okay, change of topic: any horror from the seventies?", True),
        ("totally unrelated question, got any war films", True),
        ("on another note, a musical would be lovely", True),
        ("forget all of those, a western please", True),
        ("never mind these, something with Gaslight's mood", True),
        ("switching tack, mysteries from the forties", True),
        ("more like these but older", False),
        ("a different kind of western", False),  # "different" qualifies the wish
        ("these are all unrelated to what I asked", True),  # marker; the wish test gates it
        ("keep those and add a comedy", False),
    ],
)
def test_topic_change_marker(text, fires):
    assert (TOPIC_CHANGE.search(text.lower()) is not None) is fires


def test_a_topic_change_marker_carries_no_list_pointer():
    assert "those" not in without_topic_change("forget those, a western from the fifties")
    assert "these" in without_topic_change("westerns like these")


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("holding release year constant, do men rate thrillers higher?", True),
        ("once you adjust for age, is there still a gender gap in ratings?", True),
        ("with all else equal, would a musical be rated lower?", True),
        ("if everything else was the same, would older films score higher?", True),
        ("keep the same decade but make it a comedy", False),  # a wish, not an adjustment
        ("a constant stream of jokes please", False),
        ("what accounts for the drop in ratings?", False),
    ],
)
def test_adjusted_comparison_cue(text, fires):
    assert (ADJUSTED.search(text.lower()) is not None) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("if i had hated Harvey, what would you show me?", True),
        ("say we loved the third one, would the list move?", True),
        ("pretend I never rated Glory - what changes", True),
        ("if we'd disliked Jumanji would Candyman still come up?", True),
        ("if it were a comedy, would people rate it higher?", False),
        ("i liked Harvey, anything similar?", False),
        ("I'd say a western", False),
    ],
)
def test_own_rating_what_if_cue(text, fires):
    assert (OWN_RATING_WHAT_IF.search(text.lower()) is not None) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("is it creepier than Candyman?", True),
        ("was that one any longer than Glory", True),
        ("is the third one as funny as Harvey?", True),
        ("how does Gaslight measure up to Harvey", True),
        ("does it hold up against Glory?", True),
        ("is there anything creepier than Candyman?", False),  # a request for something else
        ("something funnier than these please", False),
        ("a film older than Harvey", False),
    ],
)
def test_item_weighed_against_another_cue(text, fires):
    assert (COMPARE_AGAINST.search(text.lower()) is not None) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("what led you to Jumanji?", True),
        ("what drew you to Glory for me", True),
        ("is there a link between my taste and Harvey", True),
        ("which bit of my history points to Candyman?", True),
        ("what is Oklahoma! doing in there?", True),
        ("is there a link between age and rating?", False),  # a causal question
        ("what does my profile say", False),
        ("what are you doing tonight", False),
    ],
)
def test_why_without_why_cue(text, fires):
    assert (WHY_WITHOUT_WHY.search(text.lower()) is not None) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("is there a way to make the list skip musicals?", True),
        ("how can I get you to show only older films", True),
        ("is it possible to set a decade for every pick?", True),
        ("can i have older ones", False),  # a request, not a question about method
        ("is there a western from the fifties?", False),
    ],
)
def test_how_to_steer_cue(text, fires):
    assert (STEER_HELP.search(text.lower()) is not None) is fires


@pytest.mark.parametrize(
    ("text", "want", "not_want"),
    [
        ("controlling for age, do older films get rated higher?", Intent.CAUSAL, Intent.WHAT_IF),
        (
            "would women rate westerns lower than men if all else were equal?",
            Intent.CAUSAL,
            Intent.WHAT_IF,
        ),
        ("say I disliked Harvey, would the others change?", Intent.WHAT_IF, Intent.CAUSAL),
        ("is it scarier than Candyman?", Intent.COMPARE, None),
        ("what drew you to Glory?", Intent.WHY, None),
        ("how do i tell you what i like most", Intent.HELP, Intent.PROFILE),
        ("START A NEW CONVERSATION", Intent.RESET, None),
        ("let's wipe the slate and go again", Intent.RESET, None),
    ],
)
def test_rule_intents_follow_the_frame(films, text, want, not_want):
    intents = understand(text, films, SHOWN, focus="1").intents
    assert intents and intents[0] is want, intents
    assert not_want not in intents


def test_the_frame_leaves_plain_turns_alone():
    assert settle_rule_intents([Intent.WHAT_IF], "what if it were a comedy?") == [Intent.WHAT_IF]
    assert settle_rule_intents([Intent.CAUSAL], "does price affect clicks?") == [Intent.CAUSAL]
    assert settle_rule_intents([Intent.RECOMMEND], "a comedy from 1990") == [Intent.RECOMMEND]


def test_shape_flags_gate_on_the_parse(films):
    fresh = understand("ok, unrelated to these, a western from 1955", films, SHOWN)
    bare = understand("ok, unrelated to these", films, SHOWN)
    assert shape_flags(fresh, fresh.text.lower())[0]  # marker + wish
    assert not shape_flags(bare, bare.text.lower())[0]  # marker alone: no fresh request
    advice = understand("any tips for ironing a shirt?", films, SHOWN)
    assert shape_flags(advice, advice.text.lower())[5]
    named = understand("any tips for finding a good western?", films, SHOWN)
    assert not shape_flags(named, named.text.lower())[5]
    # the feature vector keeps one length whatever the turn
    assert len(parse_features(fresh)) == len(parse_features(bare)) == len(parse_features(advice))


def test_a_topic_change_frees_the_request_from_the_list_pointer(films):
    """The self-contained-request flag (values, nothing leaning on the list) fires once the
    marker's own pointer is set aside, and stays off for a real change of the list."""
    fresh = understand("forget those, got any westerns from 1955?", films, SHOWN)
    leaning = understand("make those westerns from 1955", films, SHOWN)
    f_fresh, f_leaning = parse_features(fresh), parse_features(leaning)
    assert not np.array_equal(f_fresh, f_leaning)


def _fake_embed(texts):
    """A stable bag-of-words vector (no model download): enough for the classifier to fit."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            out[row, zlib.crc32(word.encode()) % 64] += 1.0
        out[row] /= max(1.0, float(np.linalg.norm(out[row])))
    return out


def test_no_refine_without_a_list_on_screen(rule_agent):
    """A classifier that says refine is overruled when nothing is on screen to refine."""
    from agent.memory import SessionState

    class SaysRefine:
        def classify_parse(self, parse):
            return Intent.REFINE, 0.9

    planner = rule_agent.planner
    real = planner.classifier
    shown = list(rule_agent.vocab.item_titles)[:5]
    try:
        planner.classifier = SaysRefine()
        bare = planner.read(SessionState(session_id="i7-a"), "and older this time")
        assert bare.intent is Intent.RECOMMEND
        listed = planner.read(SessionState(session_id="i7-b", last_shown=shown), "older")
        assert listed.intent is Intent.REFINE
    finally:
        planner.classifier = real


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("hmm these are way too long, something shorter?", True),
        ("too grown-up for my nephew, he'd want cartoons", True),
        ("they all look a bit dated", True),
        ("turn them into comedies", True),
        ("just the ones with a happy ending please", True),
        ("a comedy that isn't too silly", False),
        ("these remind me of Harvey, lovely", False),
        ("is Glory too violent for a ten year old?", False),
        ("forget those, just a western please", False),  # a topic change, not a reshape
    ],
)
def test_verdict_on_the_list_or_reshape_flag(films, text, fires):
    parse = understand(text, films, SHOWN)
    assert shape_flags(parse, text.lower())[-2] is fires


def test_the_marker_takes_its_own_pointer_with_it():
    assert "these" not in without_topic_change("unrelated to these, a war film from 1989")
    assert "those" not in without_topic_change("never mind those, any musicals?")


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("forget those, a western please", True),
        ("ok never mind that - any horror?", True),
        ("forget those westerns, give me comedies", False),  # a swap on the list: refine
        ("one other thing: make them older", False),
    ],
)
def test_a_dismissal_is_a_marker_only_when_it_ends_its_clause(text, fires):
    assert (TOPIC_CHANGE.search(text.lower()) is not None) is fires


def test_a_fresh_request_after_a_topic_change_is_never_refine(films):
    examples = [
        {"text": t, "intent": "refine"}
        for t in ("westerns from 1955", "mysteries now", "more musicals", "others like them")
    ] + [
        {"text": t, "intent": "recommend"}
        for t in ("a comedy please", "any thrillers", "a horror film", "recommend a musical")
    ]
    clf = IntentClassifier(_fake_embed, examples=examples)
    clf.set_reader(lambda text: understand(text, films, SHOWN), None)
    plain = understand("westerns from 1955", films, SHOWN)
    assert clf.classify_parse(plain)[0] is Intent.REFINE
    fresh = understand("different idea. westerns from 1955", films, SHOWN)
    assert leaves_the_list(fresh)
    assert clf.classify_parse(fresh)[0] is Intent.RECOMMEND
    bare = understand("different idea", films, SHOWN)
    assert not leaves_the_list(bare)  # the marker alone asks for nothing


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("what sets Harvey apart from Glory?", True),
        ("put Gaslight and Candyman side by side for me", True),
        ("what separates the first one from the third", True),
        ("what sets the mood for a rainy night", False),
        ("a film from the side of the bad guys", False),
    ],
)
def test_distinguishing_question_is_a_comparison_cue(text, fires):
    assert (COMPARE_AGAINST.search(text.lower()) is not None) is fires


@pytest.mark.parametrize(
    ("text", "reset"),
    [
        ("meh, that led nowhere. from the top.", True),
        ("let's go from the top", True),
        ("the one from the top of the list", False),
        ("from the top three, which is oldest?", False),
    ],
)
def test_from_the_top_restarts(films, text, reset):
    intents = understand(text, films, SHOWN).intents
    assert (Intent.RESET in intents) is reset


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("less famous ones please", True),
        ("something a bit more obscure", True),
        ("a famous western", False),
        ("the famous ones from 1955", False),
    ],
)
def test_fame_said_as_a_comparative_flag(films, text, fires):
    parse = understand(text, films, SHOWN)
    assert shape_flags(parse, text.lower())[-1] is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("is the navy trench popular only because it's promoted?", True),
        ("are westerns rated low because older people watch them, or are they just weak", True),
        ("is Glory on my list because I liked Harvey?", False),  # about the user: why
        ("did you pick it because it's popular?", False),  # about the agent's pick: why
        ("a comedy because I need cheering up", False),  # no yes/no question
    ],
)
def test_because_question_about_the_data(text, fires):
    assert because_question(text.lower()) is fires
