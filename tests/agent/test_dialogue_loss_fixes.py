"""Causes of dialogues the agent lost to the attribute-filter baseline, each fixed generally:
taste references to titles made of attribute values, popularity words typed with a typo,
intent guesses that override a wish the parse placed."""

from __future__ import annotations

import pandas as pd
import pytest

from agent.nlu import FeedbackKind, TitleRole, understand
from agent.vocab import Vocabulary


@pytest.fixture(scope="module")
def coats() -> Vocabulary:
    """A catalog whose titles are made of its own attribute values (like Coat's)."""
    rows = []
    for n, (gender, color, kind) in enumerate(
        [
            (g, c, k)
            for g in ("men", "women")
            for c in ("black", "blue", "green")
            for k in ("rain", "parka")
        ]
    ):
        for style in (1, 2):
            kind_word = "rain jacket" if kind == "rain" else "parka"
            title = f"{gender.title()}'s {color} {kind_word} (style {style})"
            rows.append((f"c{n}-{style}", title, gender, color, kind))
    items = pd.DataFrame(rows, columns=["item_id", "title", "item_gender", "color", "jacket_type"])
    return Vocabulary.from_items(items)


def test_a_liked_title_made_of_values_is_a_taste_reference_not_three_wishes(coats):
    p = understand("Nope. I really enjoyed Women's black rain jacket (style 2).", coats, [])
    assert p.include == {} and p.exclude == {}
    assert len(p.feedback) == 1 and p.feedback[0][1] is FeedbackKind.LIKE
    assert coats.title_of(p.feedback[0][0]) == "Women's black rain jacket (style 2)"


@pytest.mark.parametrize(
    "text",
    ["similar to women's green parka (style 1)?", "In the spirit of Men's blue parka (style 2)."],
)
def test_a_taste_cue_before_a_title_made_of_values_makes_it_a_reference(coats, text):
    p = understand(text, coats, [])
    assert p.include == {}
    assert len(p.like_items) == 1
    ref = next(r for r in p.refs if r.item_id == p.like_items[0])
    assert ref.role is TitleRole.TASTE
    assert "style" in coats.title_of(p.like_items[0])


def test_the_bracket_after_a_title_picks_the_item_among_those_sharing_it(coats):
    first = understand("like Men's blue parka (style 1)", coats, []).like_items
    second = understand("like Men's blue parka (style 2)", coats, []).like_items
    assert first != second
    assert coats.title_of(first[0]).endswith("(style 1)")
    assert coats.title_of(second[0]).endswith("(style 2)")


def test_values_without_a_taste_cue_stay_wishes(coats):
    p = understand("a women's black rain jacket", coats, [])
    assert p.include["color"] == ("black",) and p.include["jacket_type"] == ("rain",)
    assert not p.like_items and not p.feedback


@pytest.mark.parametrize(
    ("typed", "direction"),
    [("Something obsucre.", "down"), ("an overlokoed one", "down"), ("mainstraem is fine", "up")],
)
def test_popularity_words_with_a_swapped_pair_of_letters_are_repaired(coats, typed, direction):
    p = understand(typed, coats, [])
    assert p.popularity is not None and p.popularity.value == direction


def test_an_unsure_intent_guess_that_no_cue_supports_yields_to_a_placed_wish(rule_agent):
    """'What do you have? Genre: comedy' once read as a causal question about genre."""
    from agent.memory import SessionState
    from agent.parse import Intent

    planner = rule_agent.planner

    class Unsure:
        def classify_parse(self, parse):
            return Intent.CAUSAL, 0.41

    class OffTopic:
        def classify_parse(self, parse):
            return Intent.OFF_TOPIC, 0.9

    real = planner.classifier
    try:
        planner.classifier = Unsure()
        state = SessionState(session_id="g")
        parse = planner.read(state, "What do you have? Genre: comedy")
        assert parse.intent is Intent.RECOMMEND and parse.include == {"genre": ("comedy",)}
        # an explicit causal cue still wins
        assert planner.read(state, "does genre affect rating?").intent is not Intent.RECOMMEND
        planner.classifier = OffTopic()
        # with a list on screen, a rejection with a recommending cue is about the list
        state.last_shown = ["1", "2"]
        assert planner.read(state, "Close, but no. Something zorblaxy.").intent is Intent.REFINE
        assert planner.read(state, "what's the capital of France?").intent is Intent.OFF_TOPIC
    finally:
        planner.classifier = real


def test_a_short_list_says_so_and_then_close_items_missing_one_wish_follow(rule_agent):
    """A narrow wish: only fitting items, and the reply says how few fit; asked for more, the
    agent shows items that each miss exactly one wish (never an empty turn, never a repeat)."""
    from tools.item_table import item_table

    table = item_table(rule_agent.workspace)
    items = rule_agent.workspace.dataset.items
    narrow = set(items.loc[(items["genre"] == "documentary") & (items["price"] <= 8), "item_id"])
    assert 0 < len(narrow) < 10, "the synthetic world changed: pick another narrow wish"
    sid = rule_agent.new_session()
    reply = rule_agent.chat(sid, "a documentary under $8")
    assert {i.item_id for i in reply.items} == narrow
    assert f"Only {len(narrow)} items not shown yet fit everything" in reply.text
    assert reply.grounded
    more = rule_agent.chat(sid, "something else")
    ids = [i.item_id for i in more.items]
    assert len(ids) == 10 and not set(ids) & narrow and len(set(ids)) == 10
    for item_id in ids:
        attrs = table.attributes_of(item_id)
        misses = (attrs["genre"] != "documentary") + (attrs["price"] > 8)
        assert misses == 1, "a close item misses exactly one wish"
    assert "each miss one wish" in more.text
    assert f"I've already shown all {len(narrow)} items that fit" in more.text
    assert more.grounded  # the grounding checker accepts the counts beside the items


def test_a_stranger_leans_on_the_popularity_prior_only_where_validation_found_it_useful():
    """No logged history: the popularity weight is a multiple of the ranker's validated
    one (zero stays zero), with or without likes and taste references in the session; a
    user the logs know keeps the ranker's own weight."""
    from types import SimpleNamespace

    from tools.items import STRANGER_PRIOR, stranger_popularity_weight
    from tools.schemas import ToolContext, UserContext

    def ctx(weight, **user):
        ranker = SimpleNamespace(
            weights=SimpleNamespace(popularity=weight), known_user=lambda u: u == "u1"
        )
        workspace = SimpleNamespace(ranker=ranker, has_step=lambda step: True)
        return ToolContext(workspace=workspace, user=UserContext(**user))

    assert stranger_popularity_weight(ctx(0.25)) == pytest.approx(STRANGER_PRIOR * 0.25)
    assert STRANGER_PRIOR > 1
    assert stranger_popularity_weight(ctx(0.0)) is None  # Coat-like: popularity stays out
    # a taste reference or a like in the conversation leaves a stranger a stranger
    assert stranger_popularity_weight(ctx(0.25, anchors=("7",))) == pytest.approx(
        STRANGER_PRIOR * 0.25
    )
    assert stranger_popularity_weight(ctx(0.25, liked=("7",), disliked=("8",))) == pytest.approx(
        STRANGER_PRIOR * 0.25
    )
    assert stranger_popularity_weight(ctx(0.25, user_id="u1")) is None  # a known user
    assert stranger_popularity_weight(ctx(0.25, user_id="new")) == pytest.approx(
        STRANGER_PRIOR * 0.25
    )


def test_the_grounding_facts_keep_items_apart_that_differ_only_by_their_bracket():
    """ "Men's gray jacket (style 2)" and "Men's gray jacket" are two items: one item's rating
    is not the other's (a taste reference to one of them made replies look ungrounded)."""
    from agent.grounding_facts import Facts

    facts = Facts()
    styled = facts.item("Men's gray jacket (style 2)")
    plain = facts.item("Men's gray jacket")
    assert styled is not plain
    assert facts.item("Men's gray jacket (style 2)") is styled
    assert facts.item("Sabrina (1954)") is not facts.item("Sabrina (1995)")


@pytest.mark.parametrize(
    ("popularity", "expected"),
    [(None, "stranger"), ("less_known", 0.0), ("middle_known", 0.0), ("well_known", "stranger")],
)
def test_a_stated_popularity_wish_replaces_the_strangers_popularity_prior(
    monkeypatch, popularity, expected
):
    """ "A hidden gem": the ranker must not order the long tail by how well known its items
    are (the stranger's popularity prior would put the tail's best known first); a wish for
    well-known items keeps the prior, which agrees with it."""
    from types import SimpleNamespace

    import pandas as pd

    import tools.recommending as recommending
    from tools.items import STRANGER_PRIOR, recommend
    from tools.recommending import RankedList
    from tools.schemas import ToolContext, UserContext

    class Shop:  # weak-referenceable, as the item-table cache needs
        dataset = SimpleNamespace(
            items=pd.DataFrame({"item_id": ["a", "b"], "title": ["A", "B"], "genre": ["x", "y"]})
        )
        ranker = SimpleNamespace(
            weights=SimpleNamespace(popularity=0.25), known_user=lambda user: False
        )
        catalog = SimpleNamespace(parse_filters=lambda where: where)

        def has_step(self, step: str) -> bool:
            return True

    seen: dict = {}

    def fake(workspace, user_id, **kwargs):
        seen.update(kwargs)
        return RankedList()

    monkeypatch.setattr(recommending, "recommend_for_user", fake)
    recommend(ToolContext(workspace=Shop(), user=UserContext()), k=5, popularity=popularity)
    want = STRANGER_PRIOR * 0.25 if expected == "stranger" else expected
    assert seen["popularity_weight"] == pytest.approx(want)
    assert seen["popularity"] == popularity
