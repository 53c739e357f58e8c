"""What a user says across turns about their taste: bounds that narrow, references that rank."""

from __future__ import annotations


def test_a_second_bound_that_overlaps_narrows_and_one_that_contradicts_replaces(rule_agent):
    sid = rule_agent.new_session()
    rule_agent.chat(sid, "a comedy under $20")
    assert rule_agent.session_state(sid).constraints.ranges["price"].max == 20
    rule_agent.chat(sid, "under $30")  # still true of what they want: the tighter bound stays
    rng = rule_agent.session_state(sid).constraints.ranges["price"]
    assert rng.max == 20 and rng.min is None
    rule_agent.chat(sid, "over $10")  # both hold: between 10 and 20
    rng = rule_agent.session_state(sid).constraints.ranges["price"]
    assert (rng.min, rng.max) == (10, 20)
    reply = rule_agent.chat(sid, "over $40")  # contradicts the bound: a correction
    rng = rule_agent.session_state(sid).constraints.ranges["price"]
    assert (rng.min, rng.max) == (40, None)
    assert "price at least $40" in reply.text and "at most $20" not in reply.text


def test_a_taste_reference_brings_its_look_alikes(rule_agent):
    """'Something like X' shows X's genre first (the catalog's own attributes), and every
    reason shown about it can be checked."""
    items = rule_agent.workspace.dataset.items.set_index("item_id")
    genre_of = items["genre"].to_dict()
    counts = items["genre"].value_counts()
    rare = counts[counts >= 12].index[-1]  # a genre too small to fill a list by chance
    anchor = items.index[items["genre"] == rare][0]
    sid = rule_agent.new_session()
    reply = rule_agent.chat(sid, f"something like {items.loc[anchor, 'title']}")
    assert anchor in rule_agent.session_state(sid).constraints.like_items
    ids = [i.item_id for i in reply.items]
    assert anchor not in ids and len(ids) == 10
    share = sum(genre_of[i] == rare for i in ids) / len(ids)
    assert share >= 0.6 > counts[rare] / len(items)
    assert reply.grounded
