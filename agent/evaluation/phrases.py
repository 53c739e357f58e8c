"""The simulated user's phrasing: two disjoint banks, one to develop against, one held out.

Written for this simulator alone, from how people ask for things; nothing here comes from
the agent's parser or its word lists, and nothing in the agent may read this file. The
`dev` bank is for looking at transcripts and tuning; the `heldout` bank is for reported
figures only (tune nothing on it). The banks share no template, no decade form and no
lead-in, so a parser tuned on `dev` cannot have memorised `heldout`.

Slots: {value} an attribute value, {attr} the attribute's name, {era} a decade with its
article ("the eighties"), {era_bare} without it, {money} a price, {stars} a score,
{title} a film or item the user loved. Registers: terse and chatty templates are written
out; lowercase, dropped punctuation and typos are applied by the simulator (seeded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

# Fact kinds every bank covers with at least MIN_TEMPLATES templates.
FACT_KINDS = (
    "category",
    "exclude",
    "era",
    "price",
    "score",
    "taste",
    "popular",
    "less_known",
    "classic",
)
MIN_TEMPLATES = 10


class Bank(StrEnum):
    """Which phrasing bank a simulated user speaks from."""

    DEV = "dev"
    HELDOUT = "heldout"


@dataclass(frozen=True)
class PhraseBank:
    """Templates per fact kind, the wrappers around them, and how decades are said."""

    name: str
    templates: Mapping[str, tuple[str, ...]]
    openers: tuple[str, ...]
    rejections: tuple[str, ...]
    too_old: tuple[str, ...]
    too_new: tuple[str, ...]
    seen_too_much: tuple[str, ...]  # a reason for an exclusion: "{value}" is in the shown list
    more: tuple[str, ...]
    decade_forms: tuple[str, ...]  # "{nn}s", "{word}", "{yyyy}s" (bare, no article)
    half_forms: tuple[str, ...]  # "early {word}", "late {nn}s", ...
    money_forms: tuple[str, ...]  # "${x}", "{x} bucks"


DEV = PhraseBank(
    name="dev",
    templates={
        "category": (
            "{Value}, please.",
            "I'd like something {value}.",
            "In the mood for {value}.",
            "Something {value} would be great.",
            "Do you have anything {value}?",
            "{value}",
            "I'm after {value}.",
            "Can it be {value}?",
            "Preferably {value}.",
            "Looking for {value} stuff.",
            "my pick would be {value}",
            "{attr}: {value}",
        ),
        "exclude": (
            "No {value}, please.",
            "I don't want {value}.",
            "Not {value}.",
            "Anything but {value}.",
            "Please skip {value}.",
            "Nothing {value}.",
            "{Value} isn't for me.",
            "Leave out {value}.",
            "I'm not into {value}.",
            "no {value}",
        ),
        "era": (
            "Something from {era}, please.",
            "Ideally from {era}.",
            "From {era}.",
            "I'd like it to be from {era}.",
            "Made in {era} would be best.",
            "{era_bare}",
            "Preferably {era_bare}.",
            "Can it be from {era}?",
            "I'm looking for something from {era}.",
            "Released in {era}.",
        ),
        "price": (
            "Up to {money}, please.",
            "My budget is {money}.",
            "Under {money}.",
            "No more than {money}.",
            "I can spend about {money}.",
            "Max {money}.",
            "Something below {money}.",
            "Budget: {money}.",
            "Keep it under {money}.",
            "{money} at most.",
        ),
        "score": (
            "At least {stars} stars.",
            "Rated {stars} or higher.",
            "Only well rated ones, {stars}+.",
            "Quality of {stars} or more.",
            "Something rated at least {stars}.",
            "Minimum {stars} stars.",
            "{stars} stars or better, please.",
            "Good quality please, at least {stars}.",
            "I want a high rating, {stars} and up.",
            "nothing below {stars}",
        ),
        "taste": (
            "I loved {title}, something in that vein.",
            "Something like {title}.",
            "I really enjoyed {title}.",
            "More like {title}, please.",
            "{title} is a favourite of mine.",
            "Similar to {title}?",
            "I liked {title} a lot.",
            "In the spirit of {title}.",
            "If you know {title}, that's my taste.",
            "like {title}",
        ),
        "popular": (
            "Something popular.",
            "A well-known one, please.",
            "Something lots of people liked.",
            "Mainstream is fine.",
            "A crowd-pleaser.",
            "One of the big hits.",
            "Something most people know.",
            "popular stuff",
            "I'd like a popular pick.",
            "Something everyone's talking about.",
        ),
        "less_known": (
            "Something less known.",
            "A hidden gem, please.",
            "Nothing too mainstream.",
            "Something obscure.",
            "Off the beaten path.",
            "A lesser-known one.",
            "Not a big hit, please.",
            "Something few people know.",
            "underrated stuff",
            "An overlooked one.",
        ),
        "classic": (
            "A classic, please.",
            "Something classic.",
            "An old classic.",
            "One of the all-time greats.",
            "A timeless one.",
            "classic stuff",
            "Something that's stood the test of time.",
            "An old favourite.",
            "A golden oldie.",
            "A real classic.",
        ),
    },
    openers=(
        "",
        "Hi!",
        "Hello.",
        "Can you recommend something?",
        "Any suggestions?",
        "I need a recommendation.",
        "Help me pick something.",
        "Hey.",
        "What do you have?",
        "Looking for something.",
    ),
    rejections=(
        "Not quite.",
        "None of these.",
        "No, not these.",
        "Hmm, no.",
        "Not these.",
        "Nope.",
        "Those aren't it.",
        "Not really.",
        "Close, but no.",
        "None of those work.",
    ),
    too_old=("These are too old.", "Too old for me.", "Those feel dated.", "All a bit old."),
    too_new=("These are too recent.", "Too new for me.", "Those are too modern.", "Too fresh."),
    seen_too_much=("Too many {value} ones.", "Most of these are {value}."),
    more=("Something else, please.", "Show me more options.", "Other ideas?"),
    decade_forms=("{yyyy}s", "{nn}s"),
    half_forms=("early {yyyy}s", "late {nn}s", "late {yyyy}s", "early {nn}s"),
    money_forms=("${x}", "{x} dollars"),
)


HELDOUT = PhraseBank(
    name="heldout",
    templates={
        "category": (
            "ooh, {value} sounds good right now",
            "got any {value}?",
            "i'm craving some {value}",
            "{value} pls",
            "Thinking {value} today.",
            "Let's go with {value}.",
            "I could really go for something {value}.",
            "It should be {value}, if possible.",
            "Maybe a {value} one?",
            "{Value} would hit the spot.",
            "My {attr} of choice: {value}.",
            "Make it {value}.",
        ),
        "exclude": (
            "too much {value} in there, not my thing",
            "ugh, enough {value}",
            "I can't stand {value}.",
            "Please, no more {value}.",
            "{Value} is a hard pass for me.",
            "Can we avoid {value}?",
            "I'd rather not have {value}.",
            "Without {value} please.",
            "Definitely not {value}.",
            "Not a fan of {value}, honestly.",
            "none of that {value} stuff",
        ),
        "era": (
            "something from {era} maybe",
            "I'm feeling {era} today.",
            "{era_bare} stuff would be ideal",
            "Anything from {era}?",
            "Let's keep it to {era}.",
            "Think {era}.",
            "Ideally it came out in {era}.",
            "it should be from {era}",
            "Bonus points if it's from {era}.",
            "Something {era_bare}, please.",
        ),
        "price": (
            "can't go over {money}",
            "i've only got {money} to spend",
            "Nothing pricier than {money}, please.",
            "Cap it at {money}.",
            "{money} is my limit.",
            "I'd like to stay below {money}.",
            "My wallet says {money} tops.",
            "Ideally under {money}.",
            "not more than {money} pls",
            "Less than {money} would be good.",
        ),
        "score": (
            "needs to be really good, {stars} stars minimum",
            "Top quality only ({stars}+).",
            "Only the well reviewed stuff, {stars} and above.",
            "I'd want at least a {stars}.",
            "Nothing under {stars} stars.",
            "{stars}+ only please",
            "Has to score {stars} or more.",
            "High quality: {stars} at the very least.",
            "only things rated {stars} or better",
            "If it's below {stars}, skip it.",
        ),
        "taste": (
            "{title} was great, got anything along those lines?",
            "big fan of {title}",
            "i adored {title}",
            "Fans of {title} would get what I mean.",
            "Think {title}, but something else.",
            "{title} is exactly my kind of thing.",
            "Anything for someone who loved {title}?",
            "something that feels like {title}",
            "I can't get enough of {title}.",
            "Same vibe as {title}, please.",
        ),
        "popular": (
            "a real blockbuster",
            "gimme a fan favourite",
            "something everybody loves",
            "A big name, please.",
            "whatever's a hit",
            "Something really well-liked.",
            "Nothing obscure, please.",
            "The kind of thing everyone has seen.",
            "A safe, popular choice.",
            "Something with a big following.",
        ),
        "less_known": (
            "something under the radar",
            "a deep cut maybe",
            "i want something nobody's heard of",
            "Skip the blockbusters.",
            "Something niche.",
            "Not the famous stuff, please.",
            "A sleeper, not a hit.",
            "Something people missed.",
            "Not the usual popular picks.",
            "the more obscure the better",
        ),
        "classic": (
            "gimme a classic",
            "an old-school classic",
            "one of those legendary old ones",
            "Something vintage everyone knows.",
            "A proper classic, please.",
            "the classics",
            "A well-loved old one.",
            "Something from the canon.",
            "An evergreen pick.",
            "A true great from back in the day.",
        ),
    },
    openers=(
        "",
        "hey there",
        "yo",
        "Hi, could you help me find something?",
        "ok so",
        "Good evening!",
        "Quick one:",
        "I'm hunting for something new.",
        "Recommend me something?",
        "Hiya.",
    ),
    rejections=(
        "meh",
        "nah, not feeling these",
        "Not what I'm after.",
        "Hmm, none of these grab me.",
        "Try again?",
        "Nope, not these ones.",
        "No luck there.",
        "Not it.",
        "these don't do it for me",
        "Not quite there.",
    ),
    too_old=("way too old", "These are ancient.", "Older than I'd like.", "too old-fashioned"),
    too_new=("too modern for me", "These are too new.", "Newer than I'd like.", "too recent-ish"),
    seen_too_much=("That's a lot of {value}.", "So much {value} here."),
    more=("what else have you got", "more please", "Any others?"),
    decade_forms=("{word}", "'{nn}s"),
    half_forms=("early {word}", "late {word}", "early '{nn}s", "late '{nn}s"),
    money_forms=("{x} bucks", "{x} USD"),
)

BANKS: dict[Bank, PhraseBank] = {Bank.DEV: DEV, Bank.HELDOUT: HELDOUT}


def bank(name: str | Bank) -> PhraseBank:
    """The bank called `name` ('dev' or 'heldout'); ValueError otherwise."""
    try:
        return BANKS[Bank(name)]
    except ValueError:
        choices = ", ".join(b.value for b in Bank)
        raise ValueError(f"unknown phrasing bank '{name}' (choose {choices})") from None


__all__ = ["BANKS", "DEV", "FACT_KINDS", "HELDOUT", "MIN_TEMPLATES", "Bank", "PhraseBank", "bank"]
