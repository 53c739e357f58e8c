"""The parse contract: one typed structure for what a user turn means.

Both readers fill it: the rule parser (`agent.nlu.understand`, catalog-driven) from the
user's words, and the LLM path (`agent.tool_memory`) from the model's own tool-call
arguments. The planner and the session memory consume only this structure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Intent(StrEnum):
    """What a user turn asks the agent to do."""

    RECOMMEND = "recommend"
    REFINE = "refine"
    WHY = "why"
    WHAT_IF = "what_if"
    CAUSAL = "causal"
    COMPARE = "compare"
    FEEDBACK = "feedback"
    RESET = "reset"
    PROFILE = "profile"
    HELP = "help"
    GREETING = "greeting"
    OFF_TOPIC = "off_topic"


class Direction(StrEnum):
    """Which way a relative refinement moves a numeric attribute (or popularity)."""

    UP = "up"
    DOWN = "down"
    MIDDLE = "middle"  # popularity only: neither less nor well known ("fairly popular")


class FeedbackKind(StrEnum):
    """Feedback a user can give on an item in words."""

    LIKE = "like"
    DISLIKE = "dislike"
    SEEN = "seen"


class TitleRole(StrEnum):
    """What a named item is doing in the sentence."""

    TASTE = "taste"  # "like Fargo", "fans of Fargo loved", "people like me loved Fargo"
    SHOWN = "shown"  # "the second one", "that one", a title from the list just shown
    EXCLUDE = "exclude"  # "not Fargo", "anything but Fargo"
    SUBJECT = "subject"  # "why Fargo?", "I loved Fargo": the item the turn is about


@dataclass(frozen=True)
class Range:
    """A closed numeric interval; either end may be open (None)."""

    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class WhatIf:
    """A counterfactual question: change `treatment` (to a value or in a direction)."""

    treatment: str | None
    outcome: str | None
    value: float | str | None = None
    direction: Direction | None = None


@dataclass(frozen=True)
class ItemRef:
    """One item the turn refers to, how (title, ordinal, pronoun) and in which role."""

    item_id: str
    role: TitleRole
    text: str = ""


@dataclass(frozen=True)
class Parse:
    """Everything one user turn means, as far as the reader could tell."""

    text: str
    intents: tuple[Intent, ...]
    include: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: Mapping[str, Range] = field(default_factory=dict)
    relative: tuple[tuple[str, Direction], ...] = ()
    replace: bool = False  # "actually", "instead": replace earlier wishes on these attributes
    items: tuple[str, ...] = ()  # item ids the turn refers to, in order
    like_items: tuple[str, ...] = ()  # taste references: anchors for similarity
    feedback: tuple[tuple[str, FeedbackKind], ...] = ()
    k: int | None = None
    query: str = ""  # words no slot could place: a soft relevance signal, never a filter
    what_if: WhatIf | None = None
    variables: tuple[str, ...] = ()  # causal variables named in the turn
    wants_more: bool = False  # "something else", "other options", "more"
    either: frozenset[str] = frozenset()  # attributes whose wanted values were joined by "or"
    unsupported: tuple[tuple[str, str], ...] = ()  # ("cheaper", "price"): a move on a missing kind
    cleared: tuple[str, ...] = ()  # "any color", "genre doesn't matter": drop that wish
    refs: tuple[ItemRef, ...] = ()  # every item reference with its role
    popularity: Direction | None = None  # "lesser-known" DOWN, "blockbuster" UP, "known-ish" MIDDLE
    unknown_titles: tuple[str, ...] = ()  # titles named that the catalog lacks ("The Matrix")
    unplaced: tuple[str, ...] = ()  # wish words the reader could not place ("darker")
    conflicts: tuple[tuple[str, str], ...] = ()  # (attribute, value) both wanted and not
    language: str = ""  # "French": the turn was written in it and `text` is its English gloss
    original: str = ""  # the turn as written, when `text` is a gloss

    @property
    def intent(self) -> Intent | None:
        """The primary intent (first found), or None when nothing was recognised."""
        return self.intents[0] if self.intents else None

    @property
    def has_slots(self) -> bool:
        """True when the turn states any preference the catalog can act on."""
        return bool(
            self.include
            or self.exclude
            or self.ranges
            or self.relative
            or self.like_items
            or self.popularity
        )
