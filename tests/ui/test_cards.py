"""How answers read in the web UI: short chat replies, cards with the main reason first and the
evidence behind a disclosure, literal user text, and the first screen's header and examples."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd

from causal.structure import CausalGraph, NodeInfo
from ui.cards import (
    card_html,
    main_reason,
    rank_bar,
    safe_markdown,
    safe_reply_markdown,
    short_reply,
)
from ui.intro import backend_sentence, example_prompts, header_markdown
from ui.web import feedback_note, merge_items, recommend_args

RANKER = {
    "kind": "ranker",
    "text": "For you, the ranker (trained with SNIPS against exposure bias) gives it a 72% "
    "chance of being picked over an average item (popularity aside).",
    "data": {"preference": 3.8, "choice": 0.72, "similarity": 0.1},
}
GENRE = {"kind": "attribute", "text": "It is Comedy (genres), as you asked.", "data": {}}
POPULAR = {"kind": "popularity", "text": "180 users rated it, 3.91 on average.", "data": {}}
EFFECT = {
    "kind": "causal",
    "text": "Across all users, genres = Comedy instead of Drama lowers rating by 0.1.",
    "data": {"estimate": -0.1, "ci_low": -0.15, "ci_high": -0.05, "treatment": "genres"},
}


def _item(item_id, title, evidence, **extra):
    text = " ".join(e["text"] for e in evidence)
    return {"item_id": item_id, "title": title, "explanation": text, "evidence": evidence, **extra}


def test_the_main_reason_is_specific_and_plain_before_model_internals():
    item = _item("1", "Liar Liar (1997)", [GENRE, RANKER, POPULAR])
    assert main_reason(item) == "180 users rated it, 3.91 on average."
    only_ranker = _item("2", "X", [RANKER])
    assert main_reason(only_ranker) == "It suits your taste: predicted rating 3.8."
    assert "SNIPS" not in main_reason(only_ranker)
    cf = {"without": ["9"], "rank": 2, "rank_without": 37, "text": "Because you liked Heat."}
    assert main_reason(_item("3", "Y", [GENRE, POPULAR], counterfactual=cf)) == cf["text"]
    general = {"without": [], "rank": 1, "rank_without": None, "text": "No signal decides it."}
    assert main_reason(_item("3", "Y", [POPULAR], counterfactual=general)) == POPULAR["text"]
    echoed = _item("3", "Y", [POPULAR], counterfactual=general, reason=general["text"])
    assert main_reason(echoed) == POPULAR["text"]
    assert "rankbar" not in card_html(_item("3", "Y", [POPULAR], counterfactual=general), 1)
    assert main_reason(_item("4", "Z", [GENRE], reason="Plain words.")) == "Plain words."


def test_chat_reply_is_a_lead_line_and_one_reason_per_item():
    items = [
        _item("1", "Liar Liar (1997)", [GENRE, RANKER, POPULAR]),
        _item("2", "Toy Story (1995)", [GENRE, RANKER]),
    ]
    text = "Here are 2 picks (wants genres: Comedy).\n" + "\n".join(
        f"{n}. {i['title']} — {i['explanation']}" for n, i in enumerate(items, 1)
    )
    short = short_reply(text, items)
    lines = short.splitlines()
    assert len(lines) == 3 and len(short) < len(text) / 2
    assert lines[1].startswith("1. Liar Liar \\(1997\\) — 180 users")
    assert "SNIPS" not in short and "It is Comedy" in lines[2]
    asked = short_reply(text + "\nWhich decade?", items).splitlines()
    assert asked[-2:] == ["", "Which decade?"]  # not folded into the last item
    why = "Why Liar Liar (1997):\n" + "\n".join(f"- {e['text']}" for e in items[0]["evidence"])
    why += "\n- one more\n- and another"
    cut = short_reply(why, items[:1]).splitlines()
    assert len(cut) == 5 and "2 more reasons" in cut[-1]
    assert "SNIPS" not in "\n".join(cut)  # the ranker's internals are the ones left out


def test_cards_lead_with_the_reason_and_hide_the_evidence_behind_a_disclosure():
    cf = {"without": ["9"], "rank": 2, "rank_without": 37, "text": "Because you liked Heat."}
    item = _item(
        "1", "<b>Alien</b>", [GENRE, RANKER, EFFECT], counterfactual=cf, attributes={"year": 1979.0}
    )
    page = card_html(item, 1)
    reason_at = page.index("Because you liked Heat.")
    details_at = page.index("<details>")
    assert reason_at < details_at and "Why exactly?" in page
    assert "&lt;b&gt;Alien&lt;/b&gt;" in page and "<b>Alien</b>" not in page
    assert "1979" in page and "1979.0" not in page
    assert "on frontpage 0" in card_html({**item, "attributes": {"on_frontpage": 0.0}}, 1)
    assert "Ranker components" in page and "72%" in page
    assert "95% interval -0.150 to -0.050" in page
    assert "rankbar" in page and "#37" in page
    assert "<details open>" in card_html(item, 1, open_details=True)
    bare = card_html({"item_id": "7", "title": "T", "explanation": "Because."}, 2)
    assert "Because." in bare and "rankbar" not in bare


def test_rank_bar_places_with_and_without():
    bar = rank_bar(2, 37, 10)
    positions = [float(x) for x in re.findall(r"left:([\d.]+)%", bar)]
    assert positions[0] < positions[1]
    assert "beyond the list" in rank_bar(3, None, 10)
    assert rank_bar(None, 5) == ""


def test_user_text_is_shown_literally():
    hostile = "![x](http://198.51.100.7/leak.png) [click](http://198.51.100.7/) <img src=x> www.a.b"
    shown = safe_markdown(hostile)
    assert re.search(r"(?<!\\)[\[\]()<>!:.]", shown) is None  # every syntax character escaped
    assert re.sub(r"\\(.)", r"\1", shown) == hostile  # only escapes were added
    reply = safe_reply_markdown("Looking for: ![x](http://h/i.png)\n- one\n2. two")
    assert reply.splitlines()[1] == "- one" and reply.splitlines()[2].startswith("2. ")
    assert re.search(r"(?<!\\)[\[\]()<>!:]", reply) is None


def test_merge_keeps_cards_for_questions_and_opens_the_asked_one():
    shown = [{"item_id": "1", "title": "A"}, {"item_id": "2", "title": "B", "attributes": {"y": 1}}]
    why = [{"item_id": "2", "title": "B", "evidence": [GENRE], "attributes": {}}]
    merged = merge_items(shown, why, recommended=False)
    assert [i["item_id"] for i in merged] == ["1", "2"]
    assert merged[1]["_focus"] and not merged[0]["_focus"] and merged[1]["evidence"]
    assert merged[1]["attributes"] == {"y": 1}  # an empty field does not wipe the card's
    assert merge_items(shown, [], recommended=False) == shown
    assert merge_items(shown, why, recommended=True) == why
    trace = [{"kind": "tool", "name": "recommend", "args": {"k": 30, "query": "q", "filters": {}}}]
    assert recommend_args({"trace": trace}) == {"query": "q", "filters": {}}
    assert recommend_args({"trace": []}) is None


def test_feedback_note_says_what_changed():
    fresh = [_item("5", "Heat", [POPULAR])]
    note = feedback_note("liked", "Alien [1979]", fresh)
    assert "re-ranked" in note and "Heat" in note and "Alien \\[1979\\]" in note
    assert "Nothing new" in feedback_note("disliked", "Alien", [])


def _workspace():
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(8)],
            "title": [f"Film {i} (199{i})" for i in range(8)],
            "genres": ["Comedy|Drama", "Comedy", "Horror", "Comedy", "Drama", "Other", "X", "Y"],
            "year": [1991, 1992, 1985, 1994, 1995, 1996, 1997, 1971],
        }
    )
    interactions = pd.DataFrame({"user_id": ["u"] * 5, "item_id": ["3", "3", "3", "1", "2"]})
    schema = SimpleNamespace(roles=lambda: {"genres": "item_attribute"}, treatments=())
    dataset = SimpleNamespace(items=items, interactions=interactions, schema=schema)
    graph = CausalGraph(
        [("year", "rating"), ("genres", "rating")],
        info={"rating": NodeInfo("rating", role="outcome")},
    )
    manifest = {"dataset": {"name": "tiny", "n_items": 8, "n_users": 1, "n_interactions": 5}}
    return SimpleNamespace(dataset=dataset, graph=graph, manifest=manifest, name="tiny")


def test_examples_come_from_the_catalogs_own_attributes():
    prompts = example_prompts(_workspace())
    assert prompts[0] == "A comedy from the 1990s"
    assert prompts[1] == "Something like Film 3"  # the most rated item, its "(1993)" dropped
    assert any(p.startswith("Why") for p in prompts)
    assert prompts[-1] == "What if it were older?"
    header = header_markdown(_workspace())
    assert "**tiny**" in header and "8 items" in header and "rating" in header


def test_the_backend_is_said_in_words():
    assert "rule-based planner answers" in backend_sentence("rule")
    assert "--llm" in backend_sentence("rule")
    assert "openai:http://x/v1" in backend_sentence("openai:http://x/v1")


def test_without_a_year_or_price_the_what_if_names_a_declared_treatment():
    ws = _workspace()
    ws.dataset.items = ws.dataset.items.drop(columns=["year"])
    ws.dataset.schema = SimpleNamespace(roles=lambda: {"promoted": "treatment"}, treatments=())
    ws.graph = CausalGraph(
        [("promoted", "clicked"), ("clicked", "rating")],
        info={"rating": NodeInfo("rating", role="outcome")},
    )
    prompts = example_prompts(ws)
    assert prompts[0] == "A comedy"  # no decade without a year column
    assert prompts[-1] == "What is the effect of promoted on rating?"


def test_a_type_column_names_its_noun_so_an_adjective_value_reads_as_a_wish():
    ws = _workspace()
    items = ws.dataset.items.drop(columns=["year"])
    ws.dataset.items = items.rename(columns={"genres": "jacket_type"}).assign(
        jacket_type=["insulated"] * 5 + ["rain"] * (len(items) - 5)
    )
    assert example_prompts(ws)[0] == "An insulated jacket"
