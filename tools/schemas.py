"""Typed arguments and results of the agent's tools, and what every tool call receives.

Tools are thin functions `tool(ctx, **args) -> Result`: `ctx` (a `ToolContext`) brings the
workspace and what the conversation knows about the user; the other arguments are what a
language model fills in, validated by pydantic. A mistake the model made (an unknown item,
attribute or variable) raises `ToolError` with a hint, which the agent returns to the model
as a tool message; anything else that raises is a bug.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from tools.protocols import Workspace

AttributeValue = str | float | int | bool | None


class ToolError(ValueError):
    """A tool call the model got wrong: the message says what, the hint how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(message + (f" Hint: {hint}" if hint else ""))


@dataclass(frozen=True)
class UserContext:
    """What the conversation knows about the user, as the tools see it."""

    user_id: str | None = None
    session_id: str | None = None
    liked: tuple[str, ...] = ()
    disliked: tuple[str, ...] = ()
    seen: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()
    wanted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unwanted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)
    anchors: tuple[str, ...] = ()  # items the user asked for "more like"
    query: str = ""

    @property
    def excluded(self) -> tuple[str, ...]:
        """Items never to recommend: disliked or already seen."""
        return tuple(dict.fromkeys(self.disliked + self.seen))


@dataclass(frozen=True)
class ToolContext:
    """Everything a tool call may use: the workspace and the user's conversation state."""

    workspace: Workspace
    user: UserContext = field(default_factory=UserContext)


# -- arguments ------------------------------------------------------------------------


class AttributeFilter(BaseModel):
    """A condition on one item attribute: allowed values, excluded values, or numeric bounds."""

    model_config = ConfigDict(extra="forbid")

    attribute: str = Field(description="item attribute name, e.g. 'genres', 'year', 'price'")
    any_of: list[str] | None = Field(None, description="keep items with any of these values")
    all_of: list[str] | None = Field(
        None, description="keep items with all of these values (several-per-item attributes)"
    )
    none_of: list[str] | None = Field(None, description="drop items with any of these values")
    min: float | None = Field(None, description="lowest allowed value (numeric attributes)")
    max: float | None = Field(None, description="highest allowed value (numeric attributes)")

    @model_validator(mode="after")
    def _not_empty(self) -> AttributeFilter:
        if not (
            self.any_of
            or self.all_of
            or self.none_of
            or self.min is not None
            or self.max is not None
        ):
            raise ValueError(
                f"filter on {self.attribute!r} needs any_of, all_of, none_of, min or max"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"filter on {self.attribute!r}: min {self.min} > max {self.max}")
        return self


def _as_list(value: object) -> list[str] | None:
    if value is None:
        return None
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def coerce_filters(value: object) -> list[AttributeFilter] | None:
    """Accept filters as a list of AttributeFilter, or the dict shorthand.

    Shorthand: {"genres": ["Comedy"], "price": {"max": 20}, "year": {"min": 1990},
    "genres": {"in": [...], "all": [...], "not": [...]}}.
    """
    if value is None or value == {} or value == []:
        return None
    if isinstance(value, dict):
        out: list[AttributeFilter] = []
        for attr, cond in value.items():
            if isinstance(cond, list | tuple | str):
                values = [cond] if isinstance(cond, str) else [str(v) for v in cond]
                out.append(AttributeFilter(attribute=attr, any_of=values))
            elif isinstance(cond, dict):
                known = {"in", "any", "any_of", "all", "all_of", "not", "nin", "none_of"}
                known |= {"min", "gte", "max", "lte"}
                unknown = set(cond) - known
                if unknown:
                    raise ValueError(
                        f"filter on {attr!r} has unknown keys {sorted(unknown)}; use any_of, "
                        "all_of, none_of, min, max"
                    )

                def pick(*keys: str, c: dict = cond) -> Any:
                    return next((c[k] for k in keys if c.get(k) is not None), None)

                out.append(
                    AttributeFilter(
                        attribute=attr,
                        any_of=_as_list(pick("in", "any", "any_of")),
                        all_of=_as_list(pick("all", "all_of")),
                        none_of=_as_list(pick("not", "nin", "none_of")),
                        min=pick("min", "gte"),
                        max=pick("max", "lte"),
                    )
                )
            else:
                raise ValueError(f"filter on {attr!r} must be a list of values or a dict")
        return out
    if isinstance(value, list):
        return [v if isinstance(v, AttributeFilter) else AttributeFilter(**v) for v in value]
    raise ValueError("filters must be a list of {attribute, any_of, all_of, none_of, min, max}")


Filters = Annotated[
    list[AttributeFilter] | None,
    BeforeValidator(coerce_filters),
    Field(
        description="conditions on item attributes, e.g. "
        '[{"attribute": "genres", "any_of": ["Comedy"]}, {"attribute": "year", "min": 1990}]'
    ),
]


# -- results --------------------------------------------------------------------------


class Counterfactual(BaseModel):
    """Why this item, checked by re-scoring: the user's signals without which it leaves the top k.

    rank / rank_without: its place by the ranker's score with and without `without` (item
    ids of the user's ratings, picks or likes); verified: re-scored, rank_without > k; wish:
    the stated wish that keeps it in, when no few items do; text: the reason in words.
    """

    without: list[str] = Field(default_factory=list)
    rank: int | None = None
    rank_without: int | None = None
    k: int | None = None
    verified: bool = False
    outcome: str = ""
    text: str = ""
    signals: list[dict[str, Any]] = Field(default_factory=list)
    wish: str | None = None


class ItemSummary(BaseModel):
    """One item as a tool returns it: id, title, key attributes, and scores when ranked."""

    item_id: str
    title: str
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    score: float | None = None
    components: dict[str, float] = Field(default_factory=dict)
    matched: list[str] = Field(
        default_factory=list
    )  # the wishes it satisfies, e.g. "genres=Comedy"
    counterfactual: Counterfactual | None = None


class SearchResult(BaseModel):
    """Items matching a text query and filters, best first."""

    query: str
    filters: list[AttributeFilter] = Field(default_factory=list)
    items: list[ItemSummary]


class Recommendations(BaseModel):
    """A ranked list for the user: retrieval, then the debiased ranker, then diversity."""

    items: list[ItemSummary]
    query: str | None = None
    filters: list[AttributeFilter] = Field(default_factory=list)
    method: str = "ranker"
    note: str = ""


class EvidenceKind(StrEnum):
    """Where a piece of an explanation comes from."""

    ATTRIBUTE = "attribute"
    QUERY = "query"
    SIMILAR_LIKED = "similar_liked"
    RANKER = "ranker"
    CAUSAL = "causal"
    POPULARITY = "popularity"


class Evidence(BaseModel):
    """One grounded reason: a sentence, the tool it came from, and the values behind it."""

    kind: EvidenceKind
    text: str
    source: str
    data: dict[str, Any] = Field(default_factory=dict)


class Explanation(BaseModel):
    """Why an item suits this user, as evidence from the catalog, the ranker and the graph.

    reason: the main reason in plain words (no model internals), to show first; counterfactual:
    the user's signals without which it would leave their top 10 (checked by re-scoring);
    evidence: every grounded reason with the values behind it (ranker components, supporting
    effects with their intervals).
    """

    item_id: str
    title: str
    summary: str
    evidence: list[Evidence] = Field(default_factory=list)
    reason: str = ""
    counterfactual: Counterfactual | None = None


class GraphQueryKind(StrEnum):
    """Questions the causal graph answers."""

    PARENTS = "parents"
    CHILDREN = "children"
    ANCESTORS = "ancestors"
    DESCENDANTS = "descendants"
    PATHS = "paths"
    ADJUSTMENT_SET = "adjustment_set"
    WHY = "why"
    D_SEPARATED = "d_separated"
    MARKOV_BLANKET = "markov_blanket"
    OVERVIEW = "overview"


class GraphAnswer(BaseModel):
    """The graph's answer: a sentence plus the variables, paths or sets behind it."""

    kind: GraphQueryKind
    variables: list[str]
    answer: str
    nodes: list[str] = Field(default_factory=list)
    paths: list[list[str]] = Field(default_factory=list)
    adjustment_set: list[str] | None = None
    edges: list[tuple[str, str]] = Field(default_factory=list)


class EffectAnswer(BaseModel):
    """A causal effect estimate (identify -> estimate -> refute), or why there is none."""

    treatment: str
    outcome: str
    treatment_value: Any = None
    control_value: Any = None
    subgroup: dict[str, Any] = Field(default_factory=dict)
    identified: bool
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    method: str | None = None
    adjustment_set: list[str] = Field(default_factory=list)
    n: int | None = None
    refutations: list[dict[str, Any]] = Field(default_factory=list)
    summary: str = ""
    reason: str | None = None

    def change_phrase(self) -> str:
        """The intervention in words: "price = 10 instead of 20", "genres = Comedy (rather ...)"."""
        if self.treatment_value is None:
            return self.treatment
        if self.control_value is None:
            return f"{self.treatment} = {self.treatment_value} (rather than other values)"
        return f"{self.treatment} = {self.treatment_value} instead of {self.control_value}"


class ItemRef(BaseModel):
    """An item by id and title."""

    item_id: str
    title: str


class Profile(BaseModel):
    """What the system knows about the user: stated wishes, feedback and segment."""

    user_id: str | None
    known_user: bool
    segment: dict[str, AttributeValue] = Field(default_factory=dict)
    liked: list[ItemRef] = Field(default_factory=list)
    disliked: list[ItemRef] = Field(default_factory=list)
    seen: list[ItemRef] = Field(default_factory=list)
    wanted: dict[str, list[str]] = Field(default_factory=dict)
    unwanted: dict[str, list[str]] = Field(default_factory=dict)
    ranges: dict[str, tuple[float | None, float | None]] = Field(default_factory=dict)
    history_size: int = 0


FeedbackValue = Literal["like", "dislike", "seen"] | float


class FeedbackAck(BaseModel):
    """Feedback stored: which item, what value, and whether the workspace log recorded it."""

    item_id: str
    title: str
    value: FeedbackValue
    kind: Literal["like", "dislike", "seen"]
    recorded: bool
    message: str
