"""Two ways a search turn went wrong on the dialogue benchmarks' development transcripts: a
rejection of a whole list ("not it", "meh") became a verdict on the list's first item, and a
taste reference heard as a comparison ("think X but different") got no list."""

from __future__ import annotations

from agent.memory import SessionState
from agent.parse import FeedbackKind, Intent, ItemRef, Parse, TitleRole
from agent.planner import _taste_over_compare, _unbound_from_list

LIKE, DISLIKE = FeedbackKind.LIKE, FeedbackKind.DISLIKE


def _parse(text: str, *, refs=(), feedback=(), intents=(Intent.FEEDBACK,), **more) -> Parse:
    refs = tuple(refs)
    return Parse(
        text=text,
        intents=tuple(intents),
        refs=refs,
        items=tuple(r.item_id for r in refs),
        feedback=tuple(feedback),
        **more,
    )


def test_a_list_of_several_items_leaves_its_first_only_a_default_focus():
    state = SessionState(session_id="s")
    state.remember_shown(["7", "8", "9"])
    assert state.focus == "7" and state.focus_listed
    state.remember_shown(["5"])  # one item on screen: "it" is that item
    assert state.focus == "5" and not state.focus_listed


def test_a_bare_pronoun_verdict_after_a_list_judges_none_of_its_items():
    for text, kind in (("nah, not it", DISLIKE), ("meh", DISLIKE), ("adored it", LIKE)):
        refs = [ItemRef("7", TitleRole.SHOWN, "it")] if "it" in text.split() else []
        out = _unbound_from_list(_parse(text, refs=refs, feedback=[("7", kind)]), "7")
        assert out.feedback == () and out.refs == () and out.items == (), text
        assert Intent.FEEDBACK not in out.intents and out.intents, text


def test_it_in_a_description_of_the_film_sought_is_not_the_first_item():
    said = _parse(
        "nah - it came out in the 80s I reckon",
        refs=[ItemRef("7", TitleRole.SHOWN, "it")],
        intents=(Intent.REFINE,),
    )
    out = _unbound_from_list(said, "7")
    assert out.items == () and out.refs == () and out.intents == (Intent.REFINE,)


def test_a_verdict_on_a_named_item_stays_even_when_it_heads_the_list():
    placed = _parse(
        "adored the first one",
        refs=[ItemRef("7", TitleRole.SHOWN, "the first one")],
        feedback=[("7", LIKE)],
    )
    assert _unbound_from_list(placed, "7") == placed
    other = _parse(
        "the third one bored me",
        refs=[ItemRef("9", TitleRole.SHOWN, "the third one")],
        feedback=[("9", DISLIKE)],
    )
    assert _unbound_from_list(other, "7") == other
    mixed = _parse(
        "not it, but I adored the third one",
        refs=[ItemRef("9", TitleRole.SHOWN, "the third one")],
        feedback=[("7", DISLIKE), ("9", LIKE)],
    )
    out = _unbound_from_list(mixed, "7")
    assert out.feedback == (("9", LIKE),) and Intent.FEEDBACK in out.intents


def test_a_turn_about_no_item_is_left_alone():
    wish = _parse("a western, please", intents=(Intent.REFINE,), include={"genre": ("western",)})
    assert _unbound_from_list(wish, "7") == wish


def test_a_taste_reference_heard_as_a_comparison_asks_for_picks():
    taste = _parse(
        "picture Heat but different",
        refs=[ItemRef("5", TitleRole.TASTE, "Heat")],
        intents=(Intent.COMPARE,),
        like_items=("5",),
    )
    assert _taste_over_compare([Intent.COMPARE], taste, False)[0] is Intent.RECOMMEND
    assert _taste_over_compare([Intent.COMPARE], taste, True)[0] is Intent.REFINE


def test_a_real_comparison_stays_a_comparison():
    two = _parse(
        "is Heat grimmer than Fargo?",
        refs=[ItemRef("5", TitleRole.SUBJECT, "Heat"), ItemRef("3", TitleRole.SUBJECT, "Fargo")],
        intents=(Intent.COMPARE,),
    )
    assert _taste_over_compare([Intent.COMPARE], two, True) == [Intent.COMPARE]
    one_shown = _parse(
        "is it grimmer than Heat?",
        refs=[ItemRef("5", TitleRole.SHOWN, "Heat")],
        intents=(Intent.COMPARE,),
    )
    assert _taste_over_compare([Intent.COMPARE], one_shown, True) == [Intent.COMPARE]
    wish = _parse("Heat, but funnier", refs=[ItemRef("5", TitleRole.TASTE, "Heat")])
    assert _taste_over_compare([Intent.RECOMMEND], wish, False) == [Intent.RECOMMEND]


def test_a_list_rejection_refines_and_a_verdict_after_a_why_still_counts(rule_agent):
    sid = rule_agent.new_session()
    first = rule_agent.chat(sid, "a comedy")
    assert len(first.items) > 1
    again = rule_agent.chat(sid, "nope, not it")
    state = rule_agent.session_state(sid)
    assert not state.disliked and not state.liked
    assert again.items and first.items[0].item_id not in {i.item_id for i in again.items}
    rule_agent.chat(sid, "why the second one?")
    rule_agent.chat(sid, "adored it")
    assert rule_agent.session_state(sid).liked == [again.items[1].item_id]
