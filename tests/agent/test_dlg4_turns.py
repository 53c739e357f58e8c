"""Two ways a turn wasted its ten places, found on the dialogue benchmarks' development
transcripts: a hello that also stated a wish dropped the wish, and a catalog listing one film
under two ids showed it twice."""

from __future__ import annotations

from types import SimpleNamespace

from agent.memory import SessionState
from agent.parse import Intent, Parse
from agent.planner import RulePlanner, _wish_over_greeting


class _Sure:
    """A classifier that is sure the turn is a plea for help."""

    def __init__(self, intent: Intent) -> None:
        self.intent = intent

    def classify_parse(self, parse: Parse) -> tuple[Intent, float]:
        return self.intent, 0.95


def test_a_greeting_or_plea_for_help_with_a_placed_wish_keeps_the_wish(rule_agent):
    planner = rule_agent.planner
    real = planner.classifier
    try:
        for intent, text in (
            (Intent.HELP, "Help me pick something. I'm after comedy"),
            (Intent.GREETING, "Hi! a comedy please"),
        ):
            planner.classifier = _Sure(intent)
            parse = planner.read(SessionState(session_id="g"), text)
            assert parse.intent is Intent.RECOMMEND, text
            assert parse.include == {"genre": ("comedy",)}, text
        planner.classifier = _Sure(Intent.GREETING)
        bare = planner.read(SessionState(session_id="g"), "hello there")
        assert bare.intent is Intent.GREETING and not bare.has_slots
    finally:
        planner.classifier = real


def test_the_first_list_after_a_hello_with_a_wish_fits_the_wish(rule_agent):
    items = rule_agent.workspace.dataset.items
    comedies = set(items.loc[items["genre"] == "comedy", "item_id"].astype(str))
    sid = rule_agent.new_session()
    reply = rule_agent.chat(sid, "Hi! Help me pick something, I'm after a comedy")
    assert reply.items
    assert {i.item_id for i in reply.items} <= comedies


def test_a_goodbye_with_a_value_in_it_stays_a_goodbye():
    parse = Parse(
        text="thanks, the comedy was great, bye", intents=(), include={"genre": ("comedy",)}
    )
    assert _wish_over_greeting([Intent.GREETING], parse) == [Intent.GREETING]
    wish = Parse(text="hi, a comedy", intents=(), include={"genre": ("comedy",)})
    assert _wish_over_greeting([Intent.GREETING, Intent.REFINE], wish)[0] is Intent.REFINE
    assert _wish_over_greeting([Intent.HELP], wish) == [Intent.RECOMMEND, Intent.HELP]


def test_one_film_listed_under_two_ids_takes_one_place_and_never_comes_back():
    titles = {
        "a": "Desperate Measures (1998)",
        "b": "Desperate  measures (1998)",  # the same film, a second catalog row
        "c": "Fargo (1996)",
        "d": "Fargo (1996)",
        "e": "Heat (1995)",
    }
    planner = SimpleNamespace(vocab=SimpleNamespace(title_of=lambda i: titles.get(i, "")))
    ranked = [SimpleNamespace(item_id=i, title=titles[i]) for i in ("a", "b", "d", "e")]
    kept = RulePlanner._distinct_titles(planner, ranked, shown=["c"])
    assert [i.item_id for i in kept] == ["a", "e"]
