"""The analysis table: one row per logged interaction, joined with user and item attributes.

Discovery and effect estimation both read this table, never the raw Dataset, so the choices
below are made once and documented here:

* Rows: every logged user-item interaction (`rows`), and separately every row of the
  random-exposure log when the dataset has one (`random_rows`). Both carry the user's and the
  item's attributes. `users` and `items` hold one row per user and per item, so links between
  attributes can be tested at the level they live on (attributes repeat on every row of their
  user or item; testing them row by row would over-count the evidence).
* Variables are named after the data's columns. Derived variables get their own names:
  `item_popularity` (how often the item appears in the logged interactions, in quantile
  buckets 1 = least .. 5 = most) and `user_activity` (the same for users). A derived name
  that clashes with a real column is skipped: the column wins.
* Kinds: 0/1 columns are binary; numeric columns with at most `max_ordinal` distinct values
  are ordinal (their values are the levels); other numeric columns are continuous and are
  cut into `n_bins` quantile bins wherever a method needs discrete data (bin edges computed on
  the variable's own level: users, items or logged rows). Text columns are categorical, their
  rarest levels lumped into "other" beyond `max_levels`; a text column whose values are
  '|'-joined lists (MovieLens genres) is multi-label: its discrete form is the first label,
  and effects and subgroups read "A" as "contains A". Identifier-like text columns (nearly
  one value per entity), constant columns and the timestamp are kept for filtering but left
  out of discovery.
* Selection: an interaction outcome that is missing exactly where a binary interaction
  variable is 0 (a rating exists only after a click) is marked `selected_by` that variable.
* Roles and tiers come from the dataset's schema, filled in from the data contract's
  defaults; derived variables are user/item attributes in tier 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import pandas as pd

from causal.datasets.schema import (
    DEFAULT_TIER_BY_ROLE,
    Dataset,
    Role,
    UnknownVariableError,
    default_schema,
)
from causal.datasets.variables import Kind, Level, VariableSpec, describe_variable, encode


class Frame(StrEnum):
    """The four frames of an analysis table."""

    ROWS = "rows"
    RANDOM = "random"
    USERS = "users"
    ITEMS = "items"


@dataclass(frozen=True)
class AnalysisTable:
    """Logged rows, random-exposure rows, users and items, with variable specs and codes."""

    name: str
    rows: pd.DataFrame
    users: pd.DataFrame
    items: pd.DataFrame
    variables: Mapping[str, VariableSpec]
    random_rows: pd.DataFrame | None = None
    required_edges: tuple[tuple[str, str], ...] = ()
    forbidden_edges: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    treatments: tuple[str, ...] = ()  # the schema's hints
    outcomes: tuple[str, ...] = ()
    _codes: dict[Frame, pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    # -------------------------------------------------------------- access
    def spec(self, name: str) -> VariableSpec:
        """The spec of a variable; UnknownVariableError (with close names) when absent."""
        if name not in self.variables:
            raise UnknownVariableError(name, self.variables)
        return self.variables[name]

    def frame(self, which: Frame | str) -> pd.DataFrame:
        """The raw frame: rows, random, users or items."""
        which = Frame(which)
        if which is Frame.ROWS:
            return self.rows
        if which is Frame.USERS:
            return self.users
        if which is Frame.ITEMS:
            return self.items
        if self.random_rows is None:
            raise ValueError("this dataset has no random-exposure log")
        return self.random_rows

    def has(self, which: Frame | str, names: Iterable[str]) -> bool:
        """True when the frame has a column for every name."""
        which = Frame(which)
        if which is Frame.RANDOM and self.random_rows is None:
            return False
        cols = set(self.frame(which).columns)
        return all(n in cols for n in names)

    def codes(self, which: Frame | str) -> pd.DataFrame:
        """Integer codes (0..k-1, -1 when missing) of every variable the frame has."""
        which = Frame(which)
        if which not in self._codes:
            frame = self.frame(which)
            data = {
                n: encode(spec, frame[n])
                for n, spec in self.variables.items()
                if n in frame.columns
            }
            self._codes[which] = pd.DataFrame(data, index=frame.index)
        return self._codes[which]

    def discovery_variables(self) -> list[str]:
        """Variables that take part in discovery by default."""
        return [n for n, s in self.variables.items() if s.discoverable]

    def tiers(self) -> dict[str, int]:
        """Variable -> tier for variables that have one."""
        return {n: s.tier for n, s in self.variables.items() if s.tier is not None}

    def descriptions(self) -> dict[str, str]:
        """Variable -> description."""
        return {n: s.description for n, s in self.variables.items()}

    def selected(self) -> dict[str, str]:
        """Selected outcome -> the binary variable it is observed through."""
        return {n: s.selected_by for n, s in self.variables.items() if s.selected_by}

    def summary(self) -> dict[str, object]:
        """JSON-friendly description of the table (for the workspace and `load_causal`)."""
        return {
            "name": self.name,
            "n_rows": len(self.rows),
            "n_random_rows": 0 if self.random_rows is None else len(self.random_rows),
            "n_users": len(self.users),
            "n_items": len(self.items),
            "variables": {
                n: {
                    "level": s.level.value,
                    "kind": s.kind.value,
                    "role": s.role,
                    "tier": s.tier,
                    "derived": s.derived,
                    "levels": list(s.labels),
                    "selected_by": s.selected_by,
                    "discoverable": s.discoverable,
                    "note": s.note,
                }
                for n, s in self.variables.items()
            },
            "notes": list(self.notes),
        }

    def resample(self, rng: np.random.Generator, fraction: float | None = 0.8) -> AnalysisTable:
        """A resampled copy for stability estimates: rows, random rows, users and items each.

        By default each frame keeps a random `fraction` of its rows without replacement (a
        subsample: the bootstrap's duplicated rows make independence tests see dependence
        that is not there, and searches slow down on the denser graphs); `fraction=None`
        draws a classic bootstrap sample with replacement. Integer codes travel with the rows
        (never re-encoded), so a replicate costs little more than the index draw.
        """
        frames = {Frame.ROWS: self.rows, Frame.USERS: self.users, Frame.ITEMS: self.items}
        if self.random_rows is not None:
            frames[Frame.RANDOM] = self.random_rows
        drawn: dict[Frame, pd.DataFrame] = {}
        codes: dict[Frame, pd.DataFrame] = {}
        for which, frame in frames.items():
            if fraction is None:
                idx = rng.integers(0, len(frame), size=len(frame))
            else:
                size = max(2, round(fraction * len(frame)))
                idx = np.sort(rng.choice(len(frame), size=min(size, len(frame)), replace=False))
            drawn[which] = frame.iloc[idx].reset_index(drop=True)
            codes[which] = self.codes(which).iloc[idx].reset_index(drop=True)
        return replace(
            self,
            rows=drawn[Frame.ROWS],
            users=drawn[Frame.USERS],
            items=drawn[Frame.ITEMS],
            random_rows=drawn.get(Frame.RANDOM),
            _codes=codes,
        )

    def restrict(self, variables: Iterable[str]) -> AnalysisTable:
        """The same table with only some variables marked discoverable."""
        keep = set(variables)
        for name in keep:
            self.spec(name)
        specs = {n: replace(s, discoverable=n in keep) for n, s in self.variables.items()}
        return replace(self, variables=MappingProxyType(specs), _codes=dict(self._codes))


# ---------------------------------------------------------------------- building
def build_analysis_table(
    dataset: Dataset,
    *,
    n_bins: int = 5,
    max_levels: int = 12,
    max_ordinal: int = 10,
) -> AnalysisTable:
    """Join a Dataset into an AnalysisTable (see the module docstring for every choice)."""
    if n_bins < 2 or max_levels < 2:
        raise ValueError("n_bins and max_levels must be at least 2")
    schema = dataset.schema.merged_with(
        default_schema(dataset.items, dataset.users, dataset.interactions)
    )
    notes: list[str] = []
    users = dataset.users.copy()
    items = dataset.items.drop(
        columns=[c for c in ("title", "description") if c in dataset.items.columns]
    ).copy()
    inter = dataset.interactions
    derived: dict[str, tuple[Level, str]] = {}
    counts_item = inter["item_id"].value_counts()
    counts_user = inter["user_id"].value_counts()
    if "item_popularity" not in items.columns and "item_popularity" not in inter.columns:
        items["item_popularity"] = _rank_buckets(
            items["item_id"].map(counts_item).fillna(0).to_numpy(dtype=float), n_bins
        )
        derived["item_popularity"] = (
            Level.ITEM,
            "how often the item appears in the logged interactions (1 = least, "
            f"{n_bins} = most; quantile buckets)",
        )
    if "user_activity" not in users.columns and "user_activity" not in inter.columns:
        users["user_activity"] = _rank_buckets(
            users["user_id"].map(counts_user).fillna(0).to_numpy(dtype=float), n_bins
        )
        derived["user_activity"] = (
            Level.USER,
            f"how many logged interactions the user has (1 = fewest, {n_bins} = most; quantile buckets)",
        )

    level_of: dict[str, Level] = {}
    for col in users.columns:
        if col != "user_id":
            level_of[col] = Level.USER
    for col in items.columns:
        if col != "item_id" and col not in level_of:
            level_of[col] = Level.ITEM
    for col in inter.columns:
        if col not in ("user_id", "item_id") and col not in level_of:
            level_of[col] = Level.INTERACTION

    home = {Level.USER: users, Level.ITEM: items, Level.INTERACTION: inter}
    specs: dict[str, VariableSpec] = {}
    infos = schema.variables
    for name, level in level_of.items():
        series = home[level][name]
        info = infos.get(name)
        if name in derived:
            role = Role.USER_ATTRIBUTE.value if level is Level.USER else Role.ITEM_ATTRIBUTE.value
            tier, description, is_derived = 1, derived[name][1], True
        else:
            role = info.role.value if info and info.role else None
            tier = info.tier if info and info.tier is not None else None
            if tier is None and info and info.role is not None:
                tier = DEFAULT_TIER_BY_ROLE.get(info.role)
            description = (info.description if info else "") or name.replace("_", " ")
            is_derived = False
        spec = describe_variable(
            name,
            series,
            level,
            role,
            tier,
            description,
            is_derived,
            n_bins,
            max_levels,
            max_ordinal,
        )
        specs[name] = spec

    # Selection: an outcome observed only where a binary interaction variable is 1.
    for name, spec in list(specs.items()):
        if spec.level is not Level.INTERACTION or not spec.numeric:
            continue
        values = inter[name]
        observed = values.notna().to_numpy()
        if observed.all() or not observed.any():
            continue
        # In a funnel (exposed -> clicked -> rating) every earlier step also holds where the
        # outcome is observed: the selecting step is the narrowest one (fewest rows at 1).
        best: tuple[int, str] | None = None
        for other, ospec in specs.items():
            if (
                other == name
                or ospec.level is not Level.INTERACTION
                or ospec.kind is not Kind.BINARY
            ):
                continue
            flag = pd.to_numeric(inter[other], errors="coerce").to_numpy(dtype=float)
            if np.all(flag[observed] == 1) and np.any(flag == 0):
                ones = int(np.sum(flag == 1))
                if best is None or ones < best[0]:
                    best = (ones, other)
        if best is not None:
            specs[name] = replace(spec, selected_by=best[1])
            notes.append(f"'{name}' is observed only when '{best[1]}' = 1 (selection)")

    for name, spec in specs.items():
        if not spec.discoverable and spec.note:
            notes.append(f"'{name}' left out of discovery: {spec.note}")

    user_cols = ["user_id", *[n for n, lv in level_of.items() if lv is Level.USER]]
    item_cols = ["item_id", *[n for n, lv in level_of.items() if lv is Level.ITEM]]
    users = users[user_cols].reset_index(drop=True)
    items = items[item_cols].reset_index(drop=True)
    rows = _join(inter, users, items)
    random_rows = None
    if dataset.random_exposure is not None and len(dataset.random_exposure):
        random_rows = _join(dataset.random_exposure, users, items)
        notes.append(
            f"random-exposure log with {len(random_rows)} rows is the unbiased source for "
            "selected outcomes"
        )
    known = set(specs)
    required = tuple(e for e in schema.required_edges if set(e) <= known)
    forbidden = tuple(e for e in schema.forbidden_edges if set(e) <= known)
    return AnalysisTable(
        name=dataset.name,
        rows=rows,
        users=users,
        items=items,
        variables=MappingProxyType(specs),
        random_rows=random_rows,
        required_edges=required,
        forbidden_edges=forbidden,
        notes=tuple(notes),
        treatments=tuple(t for t in schema.treatments if t in known),
        outcomes=tuple(o for o in schema.outcomes if o in known),
    )


def table_from_frame(
    frame: pd.DataFrame,
    *,
    tiers: Mapping[str, int] | None = None,
    descriptions: Mapping[str, str] | None = None,
    name: str = "frame",
    n_bins: int = 5,
    max_levels: int = 12,
) -> AnalysisTable:
    """An AnalysisTable over a plain frame of i.i.d. rows (no users or items), e.g. samples
    from a Bayesian network; every column is an interaction-level variable."""
    if frame.empty or frame.shape[1] == 0:
        raise ValueError("the frame has no rows or no columns")
    rows = frame.reset_index(drop=True).copy()
    ids = pd.Series([f"r{k}" for k in range(len(rows))], dtype=object)
    specs: dict[str, VariableSpec] = {}
    for col in frame.columns:
        col = str(col)
        specs[col] = describe_variable(
            col,
            rows[col],
            Level.INTERACTION,
            None,
            (tiers or {}).get(col),
            (descriptions or {}).get(col, col),
            False,
            n_bins,
            max_levels,
            10,
        )
    rows.insert(0, "item_id", ids)
    rows.insert(0, "user_id", ids)
    return AnalysisTable(
        name=name,
        rows=rows,
        users=pd.DataFrame({"user_id": ids}),
        items=pd.DataFrame({"item_id": ids}),
        variables=MappingProxyType(specs),
    )


def _join(inter: pd.DataFrame, users: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    base = inter.reset_index(drop=True)
    user_map = users.set_index("user_id")
    item_map = items.set_index("item_id")
    out = base.copy()
    ui = pd.Index(user_map.index).get_indexer(base["user_id"])
    ii = pd.Index(item_map.index).get_indexer(base["item_id"])
    for col in user_map.columns:
        if col not in out.columns:
            out[col] = _take(user_map[col], ui)
    for col in item_map.columns:
        if col not in out.columns:
            out[col] = _take(item_map[col], ii)
    return out


def _take(series: pd.Series, idx: np.ndarray) -> pd.Series:
    values = series.to_numpy()
    taken = values[np.clip(idx, 0, None)] if len(values) else np.full(len(idx), None)
    result = pd.Series(taken, dtype=series.dtype if len(values) else object)
    if (idx < 0).any():
        result[idx < 0] = None
    return result


def _rank_buckets(counts: np.ndarray, n_bins: int) -> np.ndarray:
    """Quantile buckets 1..n_bins of a count (ties share a bucket)."""
    if len(counts) == 0:
        return counts
    ranks = pd.Series(counts).rank(method="average", pct=True).to_numpy()
    return np.clip(np.ceil(ranks * n_bins), 1, n_bins).astype(float)


__all__ = [
    "AnalysisTable",
    "Frame",
    "build_analysis_table",
    "table_from_frame",
]
