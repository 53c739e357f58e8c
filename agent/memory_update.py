"""Folding a turn's parse into the session memory, and saying the memory in words.

`update_memory` applies one `Parse` (from the rule parser) to the session: wishes accumulate
across turns, "actually" replaces, "cheaper" and "older" move a bound relative to what was
just shown, a popularity wish and the words nothing could place are kept as soft signals,
feedback goes through the `record_feedback` tool. `memory_lines` and `understood_line` say
what the agent holds and what it understood this turn.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from agent.memory import NumericRange, SessionState
from agent.parse import Direction, FeedbackKind, Intent, Parse, Range
from agent.toolkit import TurnContext, run_tool
from agent.vocab import NumericAttribute, NumericKind, Vocabulary
from tools.registry import get_tool

MAX_QUERY_WORDS = 12
_FAME_WORDS = {"down": "less known", "up": "well known", "middle": "moderately known"}


def _shown_values(ctx: TurnContext, attribute: str) -> list[float]:
    from tools.item_table import item_table

    table = item_table(ctx.workspace)
    values = []
    for item_id in ctx.state.last_shown:
        if table.has(item_id):
            value = table.value(item_id, attribute)
            if isinstance(value, int | float):
                values.append(float(value))
    return values


def _resolve_relative(
    ctx: TurnContext, vocab: Vocabulary, attribute: str, direction: Direction
) -> NumericRange:
    """'cheaper' / 'older': a bound just past what the user saw (or the catalog's middle)."""
    info = vocab.numeric[attribute]
    current = ctx.state.constraints.ranges.get(attribute, NumericRange())
    seen = _shown_values(ctx, attribute)
    centre = float(np.median(seen)) if seen else info.median
    if info.integer and info.high - info.low <= SMALL_SCALE and info.kind is not NumericKind.FLAG:
        return _step_on_scale(info, current, seen, direction)
    if info.kind is NumericKind.YEAR:
        step = 1.0
    elif info.kind is NumericKind.PRICE:
        step = 0.2 * centre
    else:
        step = 0.1 * max(info.high - info.low, 1e-9)
    if direction is Direction.DOWN:
        bound = centre - step
        if current.max is not None:
            bound = min(bound, current.max - step)
        low = current.min if current.min is not None and current.min < bound else None
        return NumericRange(min=low, max=max(bound, info.low))
    bound = centre + step
    if current.min is not None:
        bound = max(bound, current.min + step)
    high = current.max if current.max is not None and current.max > bound else None
    return NumericRange(min=min(bound, info.high), max=high)


def _narrowed(current: NumericRange, said: NumericRange) -> NumericRange:
    """A new bound on an attribute that already has one: both hold when they overlap ("the
    late 90s", then "from 1990 or later" keeps the late 90s; "the 90s", then "around 1996"
    narrows to it), so the tighter of each end is kept; a bound that contradicts the earlier
    one is a correction and replaces it ("the 80s", then "no, the 90s")."""
    low = max((b for b in (current.min, said.min) if b is not None), default=None)
    high = min((b for b in (current.max, said.max) if b is not None), default=None)
    if low is not None and high is not None and low > high:
        return said
    return NumericRange(min=low, max=high)


SMALL_SCALE = 10  # an integer column spanning this few steps moves a whole step ("milder")


def _step_on_scale(
    info: NumericAttribute, current: NumericRange, seen: list[float], direction: Direction
) -> NumericRange:
    """'milder' on a 0-5 spice scale: a whole step below the middle of what was shown (above
    it for 'spicier'); a bound said before that the move contradicts is dropped."""
    centre = float(np.median(seen)) if seen else info.median
    if direction is Direction.DOWN:
        bound = max(info.low, math.floor(centre) - 1)
        low = current.min if current.min is not None and current.min <= bound else None
        return NumericRange(min=low, max=bound)
    bound = min(info.high, math.ceil(centre) + 1)
    high = current.max if current.max is not None and current.max >= bound else None
    return NumericRange(min=bound, max=high)


def places_something(parse: Parse) -> bool:
    """True when the turn stated something the parser could place (a wish, feedback, a wish
    cleared, or a catalog title, about which the other words are)."""
    return bool(parse.has_slots or parse.feedback or parse.cleared or parse.items)


def update_memory(ctx: TurnContext, parse: Parse, vocab: Vocabulary) -> list[str]:
    """Fold one turn's slots and feedback into the session; returns notes to tell the user."""
    state = ctx.state
    notes: list[str] = []
    cons = state.constraints
    if Intent.RESET in parse.intents:
        state.constraints = type(cons)()
        state.last_shown = []
        state.shown = []
        state.focus = None
        state.focus_listed = False
        return ["Starting over."]
    for item_id, kind in parse.feedback:
        ack = run_tool(ctx, get_tool("record_feedback"), {"item_id": item_id, "value": kind.value})
        if ack.ok:
            title = vocab.title_of(item_id)
            word = {"like": "liked", "dislike": "didn't like", "seen": "have seen"}[kind.value]
            notes.append(f"Noted: you {word} {title}.")
        if kind is FeedbackKind.LIKE and item_id not in cons.like_items:
            cons.like_items = [*cons.like_items, item_id][-3:]
    for attr in parse.cleared:
        cons.include.pop(attr, None)
        cons.ranges.pop(attr, None)  # "any price", "the price doesn't matter"
        if attr in cons.any_mode:
            cons.any_mode.remove(attr)
    asks_graph = parse.intent in (Intent.WHAT_IF, Intent.CAUSAL)
    for phrase, kind in [] if asks_graph else parse.unsupported:  # a what-if asks the graph
        notes.append(f"This catalog has no {kind} information, so I can't make it {phrase}.")
    for _attr, value in parse.conflicts:
        notes.append(f"You asked both for and against {value}, so I left that wish out.")
    for title in parse.unknown_titles:
        notes.append(f"I don't have '{title}' in this catalog, so I went by your other wishes.")
    hypothetical = parse.intent in (Intent.WHAT_IF, Intent.CAUSAL)
    if hypothetical:  # "what if it were a comedy?" asks; it does not wish
        parse = replace(
            parse, include={}, exclude={}, ranges={}, relative=(), query="", popularity=None
        )
    for attr, values in parse.include.items():
        current = [] if parse.replace else cons.include.get(attr, [])
        cons.include[attr] = list(dict.fromkeys([*current, *values]))
        if attr in parse.either and attr not in cons.any_mode:
            cons.any_mode.append(attr)
        elif parse.replace and attr in cons.any_mode:
            cons.any_mode.remove(attr)
        if attr in cons.exclude:
            cons.exclude[attr] = [v for v in cons.exclude[attr] if v not in values]
    for attr, values in parse.exclude.items():
        cons.exclude[attr] = list(dict.fromkeys([*cons.exclude.get(attr, []), *values]))
        if attr in cons.include:
            cons.include[attr] = [v for v in cons.include[attr] if v not in values]
    for attr in [a for a, v in cons.include.items() if not v]:
        del cons.include[attr]
    for attr in [a for a, v in cons.exclude.items() if not v]:
        del cons.exclude[attr]
    for attr, rng in parse.ranges.items():
        said = NumericRange(min=rng.low, max=rng.high)
        current = None if parse.replace else cons.ranges.get(attr)
        cons.ranges[attr] = _narrowed(current, said) if current is not None else said
    for attr, direction in parse.relative:
        if attr in vocab.numeric:
            cons.ranges[attr] = _resolve_relative(ctx, vocab, attr, direction)
    if parse.popularity is not None:
        column = vocab.numeric_of_kind(NumericKind.POPULARITY)
        # A popularity column takes "more/less known" as a move on it; the middle is no move,
        # so it falls to the logged-engagement band like a catalog without such a column.
        hedged = parse.popularity is Direction.MIDDLE
        if column is None or (hedged and column.name not in parse.ranges):
            cons.popularity = parse.popularity.value
    if parse.like_items:
        cons.like_items = list(dict.fromkeys([*parse.like_items, *cons.like_items]))[:3]
    wants_items = {Intent.RECOMMEND, Intent.REFINE} & set(parse.intents)
    # Words left over beside wishes the parser did place ("I'm *after* action", a typo, "close,
    # but no") are filler far more often than a wish: only a turn that placed nothing else
    # makes its leftover words the soft relevance hint (so they never pile up over turns).
    if parse.query and wants_items and not places_something(parse):
        words = (
            parse.query.split() if parse.replace else [*cons.query.split(), *parse.query.split()]
        )
        cons.query = " ".join(list(dict.fromkeys(words))[-MAX_QUERY_WORDS:])
    if parse.items:
        state.focus = parse.items[0]
        state.focus_listed = False
    return notes


def memory_lines(state: SessionState, vocab: Vocabulary) -> list[str]:
    """The session memory in words (for prompts and the profile answer)."""
    cons = state.constraints
    lines = []
    for attr, values in cons.include.items():
        lines.append(f"wants {attr}: {', '.join(values)}")
    for attr, values in cons.exclude.items():
        lines.append(f"does not want {attr}: {', '.join(values)}")
    for attr, rng in cons.ranges.items():
        info = vocab.numeric.get(attr)
        fmt = info.fmt if info else str
        if info is not None and info.kind is NumericKind.FLAG and rng.min == rng.max is not None:
            lines.append(f"wants {info.flag_words(rng.min)}")
        elif rng.min is not None and rng.max is not None:
            lines.append(f"{attr} between {fmt(rng.min)} and {fmt(rng.max)}")
        elif rng.min is not None:
            lines.append(f"{attr} at least {fmt(rng.min)}")
        elif rng.max is not None:
            lines.append(f"{attr} at most {fmt(rng.max)}")
    if cons.popularity:
        lines.append("popularity: " + _FAME_WORDS.get(cons.popularity, cons.popularity))
    if cons.like_items:
        lines.append("more like: " + ", ".join(vocab.title_of(i) for i in cons.like_items))
    if cons.query:
        lines.append(f"looking for: {cons.query}")
    for label, ids in (("liked", state.liked), ("disliked", state.disliked), ("seen", state.seen)):
        if ids:
            lines.append(f"{label}: " + ", ".join(vocab.title_of(i) for i in ids[-5:]))
    return lines


def _range_words(attr: str, rng: Range, vocab: Vocabulary) -> str:
    info = vocab.numeric.get(attr)
    fmt = info.fmt if info else str
    year = info is not None and info.kind is NumericKind.YEAR
    low, high = rng.low, rng.high
    if info is not None and info.kind is NumericKind.FLAG and low == high is not None:
        return info.flag_words(low)  # "illustrated", "not illustrated"
    if year and low is not None and high is not None and low % 10 == 0 and high == low + 9:
        return f"{fmt(low)}s"
    if low is not None and high is not None:
        return fmt(low) if low == high else f"{attr} {fmt(low)}-{fmt(high)}"
    if low is not None:
        return f"{attr} from {fmt(low)}"
    return f"{attr} up to {fmt(high)}" if high is not None else attr


def _said(value: str) -> str:
    """A value in a sentence: "comedy", but a name keeps its capitals ("Ada Okafor")."""
    return value if len(value.split()) >= 2 and value.istitle() else value.lower()


def understood_line(parse: Parse, vocab: Vocabulary) -> str | None:
    """One line saying what this turn was understood to ask, and what could not be placed
    ("Understood: comedy, 1990s, less known; I could not place 'darker'.")."""
    parts: list[str] = []
    for values in parse.include.values():
        parts += [_said(v) for v in values]
    for values in parse.exclude.values():
        parts += [f"no {_said(v)}" for v in values]
    parts += [_range_words(a, r, vocab) for a, r in parse.ranges.items()]
    words = {Direction.UP: "newer", Direction.DOWN: "older"}
    for attr, direction in parse.relative:
        info = vocab.numeric.get(attr)
        if info is not None and info.kind is NumericKind.YEAR:
            parts.append(words[direction])
        elif info is not None and info.kind is NumericKind.PRICE:
            parts.append("cheaper" if direction is Direction.DOWN else "pricier")
        elif info is not None and (info.higher if direction is Direction.UP else info.lower):
            parts.append((info.higher if direction is Direction.UP else info.lower)[0])
        else:
            parts.append(f"{'higher' if direction is Direction.UP else 'lower'} {attr}")
    if parse.popularity is not None:
        parts.append(_FAME_WORDS.get(parse.popularity.value, parse.popularity.value))
    parts += [f"like {vocab.title_of(i)}" for i in parse.like_items]
    if not parts and not parse.unplaced:
        return None
    line = "Understood: " + (", ".join(dict.fromkeys(parts)) or "nothing I can filter on")
    if parse.unplaced:
        shown = "', '".join(parse.unplaced[:6])  # "about chess', 'nothing scary": one each
        hint = "" if places_something(parse) else " (used only as a hint)"
        line += f"; I could not place '{shown}'{hint}"
    return line + "."
