"""The one Dataset schema every loader produces: validated, typed frames plus variable roles.

Loaders (CSV folder, MovieLens-100K, Coat, synthetic) all convert to this shape, so the
causal engine, the ranker and the catalog never care where the data came from.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

import pandas as pd


class DataError(ValueError):
    """Bad input data: names the file, line and column so the user can fix it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form for `--json` error output."""
        return {"error": self.message, "file": self.file, "line": self.line, "column": self.column}


class Role(StrEnum):
    """What a variable is in the recommender's causal story."""

    USER_ATTRIBUTE = "user_attribute"
    ITEM_ATTRIBUTE = "item_attribute"
    CONTEXT = "context"
    EXPOSURE = "exposure"
    TREATMENT = "treatment"
    OUTCOME = "outcome"


# Default temporal tiers by role: who we are comes before what we were shown,
# which comes before what we did.
DEFAULT_TIER_BY_ROLE: Mapping[Role, int] = MappingProxyType(
    {
        Role.USER_ATTRIBUTE: 0,
        Role.ITEM_ATTRIBUTE: 0,
        Role.CONTEXT: 1,
        Role.TREATMENT: 2,
        Role.EXPOSURE: 2,
        Role.OUTCOME: 3,
    }
)

# Interaction columns with a fixed meaning in the data contract.
ID_COLUMNS = ("user_id", "item_id")
INTERACTION_OPTIONAL = ("timestamp", "rating", "clicked", "exposed", "position")
BINARY_INTERACTION_COLUMNS = ("clicked", "exposed")


@dataclass(frozen=True)
class VariableInfo:
    """One variable's role, temporal tier (lower happens first) and description.

    `exogenous`: the user declares that nothing hidden sets this attribute (randomly
    assigned, or a demographic), so effects of it get no hidden-confounding widening.
    `unit`, `higher`, `lower` (numeric attributes): how people say its numbers ("400 pages",
    "3 stars of spice") and which words move it up or down ("longer", "shorter"), so the rule
    parser reads them without word lists of its own.
    """

    name: str
    role: Role | None = None
    tier: int | None = None
    description: str = ""
    exogenous: bool = False
    unit: tuple[str, ...] = ()
    higher: tuple[str, ...] = ()
    lower: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetSchema:
    """Roles, tiers, descriptions and causal hints for a dataset's variables (schema.toml)."""

    variables: Mapping[str, VariableInfo] = field(default_factory=dict)
    treatments: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    required_edges: tuple[tuple[str, str], ...] = ()
    forbidden_edges: tuple[tuple[str, str], ...] = ()
    # attribute -> value -> everyday phrases for it ("Sci-Fi": ("science fiction", "space"))
    synonyms: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def tiers(self) -> dict[str, int]:
        """Variable -> tier for every variable that has one."""
        return {n: v.tier for n, v in self.variables.items() if v.tier is not None}

    def roles(self) -> dict[str, Role]:
        """Variable -> role for every variable that has one."""
        return {n: v.role for n, v in self.variables.items() if v.role is not None}

    def exogenous(self) -> tuple[str, ...]:
        """The variables the user declared exogenous (set from outside, nothing hidden drives)."""
        return tuple(n for n, v in self.variables.items() if v.exogenous)

    def descriptions(self) -> dict[str, str]:
        """Variable -> plain-language description (empty string when none was given)."""
        return {n: v.description for n, v in self.variables.items()}

    def wording(self) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
        """Variable -> (unit, higher, lower) phrases, for variables that declare any."""
        return {
            n: (v.unit, v.higher, v.lower)
            for n, v in self.variables.items()
            if v.unit or v.higher or v.lower
        }

    def merged_with(self, defaults: DatasetSchema) -> DatasetSchema:
        """This schema with gaps (missing variables, roles, tiers, hints) filled from defaults."""
        merged: dict[str, VariableInfo] = dict(defaults.variables)
        for name, info in self.variables.items():
            base = merged.get(name, VariableInfo(name))
            merged[name] = VariableInfo(
                name=name,
                role=info.role if info.role is not None else base.role,
                tier=info.tier if info.tier is not None else base.tier,
                description=info.description or base.description,
                exogenous=info.exogenous or base.exogenous,
                unit=info.unit or base.unit,
                higher=info.higher or base.higher,
                lower=info.lower or base.lower,
            )
        return DatasetSchema(
            variables=merged,
            treatments=self.treatments or defaults.treatments,
            outcomes=self.outcomes or defaults.outcomes,
            required_edges=self.required_edges or defaults.required_edges,
            forbidden_edges=self.forbidden_edges or defaults.forbidden_edges,
            synonyms=self.synonyms or defaults.synonyms,
        )


@dataclass(frozen=True)
class Dataset:
    """Validated users, items and interaction logs, with their variable schema.

    Frames use string ids; `interactions` (and `random_exposure`, logged under uniformly
    random exposure and meant only for unbiased evaluation) carry the contract's optional
    columns with fixed dtypes: timestamp int64 seconds, rating float (NaN when absent),
    clicked/exposed int 0/1, position nullable int.
    """

    name: str
    items: pd.DataFrame
    users: pd.DataFrame
    interactions: pd.DataFrame
    schema: DatasetSchema = field(default_factory=DatasetSchema)
    random_exposure: pd.DataFrame | None = None

    @property
    def item_attributes(self) -> list[str]:
        """Item columns other than the id, title and description."""
        return [c for c in self.items.columns if c not in ("item_id", "title", "description")]

    @property
    def user_attributes(self) -> list[str]:
        """User columns other than the id."""
        return [c for c in self.users.columns if c != "user_id"]

    @property
    def context_columns(self) -> list[str]:
        """Interaction columns beyond the contract's fixed ones."""
        fixed = set(ID_COLUMNS) | set(INTERACTION_OPTIONAL)
        return [c for c in self.interactions.columns if c not in fixed]

    def with_schema(self, schema: DatasetSchema) -> Dataset:
        """A copy with another schema (frames are shared, not copied)."""
        return replace(self, schema=schema)

    def summary(self) -> dict[str, object]:
        """Counts and columns, for `whyrec data info` and workspace manifests."""
        inter = self.interactions
        out: dict[str, object] = {
            "name": self.name,
            "n_users": len(self.users),
            "n_items": len(self.items),
            "n_interactions": len(inter),
            "n_random_exposure": 0 if self.random_exposure is None else len(self.random_exposure),
            "item_attributes": self.item_attributes,
            "user_attributes": self.user_attributes,
            "interaction_columns": list(inter.columns),
        }
        if "rating" in inter.columns:
            out["n_ratings"] = int(inter["rating"].notna().sum())
        if "clicked" in inter.columns:
            out["n_clicks"] = int(inter["clicked"].sum())
        return out


def closest_names(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates that look most like `name`, for 'did you mean' messages."""
    cands = list(candidates)
    close = difflib.get_close_matches(name, cands, n=n, cutoff=0.4)
    if not close:
        lowered = name.lower()
        close = [c for c in cands if lowered in c.lower() or c.lower() in lowered][:n]
    return close


class UnknownVariableError(ValueError):
    """A variable name that is not in the graph (or data); lists the closest names."""

    def __init__(self, name: str, candidates: Iterable[str], what: str = "variable") -> None:
        self.name = name
        self.candidates = sorted(str(c) for c in candidates)
        self.suggestions = closest_names(str(name), self.candidates)
        hint = (
            f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?"
            if self.suggestions
            else ""
        )
        known = ", ".join(self.candidates[:30]) + (" ..." if len(self.candidates) > 30 else "")
        super().__init__(f"unknown {what} {name!r}{hint} (known: {known})")


def default_schema(
    items: pd.DataFrame, users: pd.DataFrame, interactions: pd.DataFrame
) -> DatasetSchema:
    """Roles and tiers implied by the data contract alone (used where schema.toml is silent)."""
    variables: dict[str, VariableInfo] = {}
    for col in users.columns:
        if col != "user_id":
            variables[col] = VariableInfo(col, Role.USER_ATTRIBUTE, 0, f"user attribute '{col}'")
    for col in items.columns:
        if col not in ("item_id", "title", "description"):
            variables[col] = VariableInfo(col, Role.ITEM_ATTRIBUTE, 0, f"item attribute '{col}'")
    fixed = {
        "timestamp": VariableInfo("timestamp", Role.CONTEXT, 1, "when the interaction happened"),
        "exposed": VariableInfo("exposed", Role.EXPOSURE, 2, "whether the item was shown"),
        "position": VariableInfo(
            "position", Role.EXPOSURE, 2, "rank at which the item was shown (1 = top)"
        ),
        "clicked": VariableInfo("clicked", Role.OUTCOME, 3, "whether the user clicked the item"),
        "rating": VariableInfo("rating", Role.OUTCOME, 4, "the rating the user gave"),
    }
    for col in interactions.columns:
        if col in ID_COLUMNS:
            continue
        variables[col] = fixed.get(col, VariableInfo(col, Role.CONTEXT, 1, f"context '{col}'"))
    outcomes = tuple(c for c in ("clicked", "rating") if c in interactions.columns)
    treatments = tuple(c for c in ("position", "exposed") if c in interactions.columns)
    return DatasetSchema(variables=variables, treatments=treatments, outcomes=outcomes)
