"""What a newcomer reads first: which catalog this server serves, what answers (the backend in
words), and example prompts drawn from the catalog's own attributes.

Everything is computed from the workspace's data, so it works for MovieLens, Coat, a synthetic
world or any folder that follows the CSV contract: the commonest value of the item attribute
that looks like a genre, the commonest decade when an attribute looks like a year, the most
interacted-with item for "something like X", and a what-if on an attribute the causal graph
links to an outcome.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.protocols import Workspace

logger = logging.getLogger(__name__)

# Display names and item nouns of the datasets the project ships loaders for; any other
# workspace shows its own name and "items".
KNOWN_CATALOGS = {
    "movielens-100k": ("MovieLens-100K", "films"),
    "coat": ("Coat", "jackets"),
}
MAX_CATEGORIES = 60  # a column with more distinct values is a name or a free text, not a genre
YEAR_RANGE = (1800, 2100)
VAGUE_VALUES = ("unknown", "other", "others", "none", "misc", "n/a", "na", "")
TITLE_YEAR = re.compile(r"\s*\(\d{4}\)\s*$")  # "Star Wars (1977)": the parser reads 1977 as a year


@dataclass(frozen=True)
class CatalogFacts:
    """The figures the header shows."""

    name: str
    noun: str
    n_items: int
    n_users: int
    n_interactions: int
    outcome: str | None


def catalog_facts(workspace: Workspace | None) -> CatalogFacts | None:
    """Name and size of the workspace's catalog, or None when there is no workspace."""
    if workspace is None:
        return None
    try:
        manifest = dict(getattr(workspace, "manifest", {}) or {})
        stats = dict(manifest.get("dataset") or {})
        raw = str(stats.get("name") or getattr(workspace, "name", "") or "catalog")
        name, noun = KNOWN_CATALOGS.get(raw.lower(), (raw, "items"))
        outcome = _first_outcome(workspace)
        return CatalogFacts(
            name=name,
            noun=noun,
            n_items=int(stats.get("n_items") or 0),
            n_users=int(stats.get("n_users") or 0),
            n_interactions=int(stats.get("n_interactions") or 0),
            outcome=outcome,
        )
    except Exception as exc:  # a damaged manifest must not take the page down
        logger.warning("catalog facts unavailable: %s", type(exc).__name__)
        return None


def backend_sentence(backend: str) -> str:
    """The LLM backend in words a newcomer understands (no credentials: `backend` is the
    already-redacted name)."""
    if backend in ("", "rule"):
        return (
            "No language model connected: a rule-based planner answers. "
            "Connect vLLM with `--llm openai:URL`."
        )
    if backend.startswith("openai:"):
        return (
            f"A language model answers through `{backend}` (the rule-based planner steps in "
            "if it fails)."
        )
    if backend.startswith("hf:"):
        return (
            f"A language model running in this process answers (`{backend[3:]}`); the "
            "rule-based planner steps in if it fails."
        )
    return f"Backend: `{backend}`."


def header_markdown(workspace: Workspace | None) -> str:
    """The header: what WhyRec is and what it is serving (who answers is the banner's)."""
    facts = catalog_facts(workspace)
    lines = ["# WhyRec: recommendations that say why"]
    if facts is not None:
        sizes = [f"{facts.n_items:,} {facts.noun}"]
        if facts.n_users:
            sizes.append(f"{facts.n_users:,} users")
        if facts.n_interactions:
            sizes.append(f"{facts.n_interactions:,} logged interactions")
        graph_note = (
            f" The graph shows what drives *{facts.outcome}* in these logs; the path behind an "
            "answer turns red."
            if facts.outcome
            else ""
        )
        lines.append(
            f"Ask in plain words for something from **{_md(facts.name)}** "
            f"({', '.join(sizes)}). Every pick comes with its reasons.{graph_note}"
        )
    return "\n\n".join(lines)


def example_prompts(workspace: Workspace | None) -> list[str]:
    """Up to five prompts that work on this catalog: a genre (with a decade when the items have
    a year), "something like" a well-known item, a why, and a what-if."""
    try:
        dataset = workspace.dataset
        items = dataset.items
    except Exception as exc:  # no data: no examples rather than no page
        logger.warning("example prompts unavailable: %s", type(exc).__name__)
        return []
    prompts: list[str] = []
    year = _year_column(items)
    category = _category(dataset, items, exclude={year} if year else set())
    decade = _commonest_decade(items[year]) if year else None
    if category is not None:
        value = category[1]
        noun = _noun_of(category[0])
        wish = f"{_article(value)} {value.lower()}" + (f" {noun}" if noun else "")
        prompts.append(f"{wish} from the {decade}s" if decade else wish)
    elif decade:
        prompts.append(f"Something from the {decade}s")
    well_known = _well_known_title(dataset)
    if well_known:
        prompts.append(f"Something like {well_known}")
    prompts.append("Why the first one?")
    what_if = _what_if(dataset, workspace, year)
    if what_if:
        prompts.append(what_if)
    return prompts


def _noun_of(column: str) -> str | None:
    """The thing a "<noun>_type" column classifies ("jacket_type" -> "jacket"), so a value that
    is an adjective ("insulated") reads as a wish ("An insulated jacket"); None otherwise."""
    head, _, tail = column.lower().rpartition("_")
    if tail in ("type", "kind", "category", "style") and head and head.replace("_", "").isalpha():
        return head.replace("_", " ")
    return None


def _article(word: str) -> str:
    return "An" if word[:1].lower() in "aeiou" else "A"


def _md(text: str) -> str:
    """Text shown literally inside markdown (no links, images or emphasis from data)."""
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~:$])", r"\\\1", text)


def _first_outcome(workspace: Workspace) -> str | None:
    try:
        graph = workspace.graph
    except Exception:  # a workspace without a readable graph has no outcome to name
        return None
    if graph is None:
        return None
    outcomes = [n for n in graph.nodes if graph.role(n) == "outcome"]
    for preferred in ("rating", "clicked"):
        if preferred in outcomes:
            return preferred
    return outcomes[0] if outcomes else None


def _year_column(items: Any) -> str | None:
    """An item column that holds calendar years ("year", or whole numbers 1800-2100)."""
    import pandas as pd

    for column in items.columns:
        if column in ("item_id", "title", "description"):
            continue
        values = pd.to_numeric(items[column], errors="coerce").dropna()
        if len(values) < max(1, len(items) // 2):
            continue
        lo, hi = YEAR_RANGE
        whole = bool(((values % 1) == 0).all())
        if (
            ("year" in column.lower() or whole)
            and values.between(lo, hi).all()
            and values.nunique() > 3
        ):
            return str(column)
    return None


def _commonest_decade(values: Any) -> int | None:
    import pandas as pd

    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty:
        return None
    decades = (numbers // 10 * 10).astype(int)
    return int(decades.value_counts().idxmax())


def _category(dataset: Any, items: Any, exclude: set[str]) -> tuple[str, str] | None:
    """(column, commonest value) of the item attribute most like a genre: text values (split
    on "|"), at most MAX_CATEGORIES of them, the one with the most distinct values winning;
    a column named like genre/type/category first."""
    import pandas as pd

    roles = _roles(dataset)
    best: tuple[tuple[int, int], str, str] | None = None
    for column in items.columns:
        if column in ("item_id", "title", "description") or column in exclude:
            continue
        if roles.get(column) not in (None, "item_attribute"):
            continue
        series = items[column].dropna()
        if series.empty or pd.api.types.is_numeric_dtype(series):
            continue
        counts: Counter[str] = Counter()
        for value in series.astype(str):
            counts.update(v.strip() for v in value.split("|") if v.strip())
        for vague in VAGUE_VALUES:
            counts.pop(vague, None)
        if not 2 <= len(counts) <= MAX_CATEGORIES:
            continue
        named = any(w in column.lower() for w in ("genre", "type", "category", "kind"))
        rank = (int(named), len(counts))
        if best is None or rank > best[0]:
            best = (rank, str(column), counts.most_common(1)[0][0])
    return (best[1], best[2]) if best else None


def _roles(dataset: Any) -> dict[str, str]:
    try:
        return {k: str(getattr(v, "value", v)) for k, v in dataset.schema.roles().items()}
    except Exception:  # a dataset without a schema: every column is just an attribute
        return {}


def _well_known_title(dataset: Any) -> str | None:
    """The title of the item with the most interactions (its "(1977)" year dropped: the
    parser would read it as a wish for that year)."""
    try:
        counts = dataset.interactions["item_id"].astype(str).value_counts()
        items = dataset.items.set_index(dataset.items["item_id"].astype(str))
        for item_id in counts.index[:5]:
            if item_id in items.index:
                title = TITLE_YEAR.sub("", str(items.at[item_id, "title"])).strip()
                if 0 < len(title) <= 60:
                    return title
    except Exception as exc:  # odd logs: skip this example
        logger.warning("no well-known item: %s", type(exc).__name__)
    return None


def _what_if(dataset: Any, workspace: Workspace, year: str | None) -> str | None:
    """A what-if the causal side can answer: "older" for a year, "cheaper" for a price, else
    the effect of a treatment (or an item attribute) on an outcome the graph connects."""
    try:
        graph = workspace.graph
    except Exception:  # no graph: no what-if to offer
        return None
    if graph is None:
        return None
    outcomes = [n for n in graph.nodes if graph.role(n) == "outcome"]
    if not outcomes:
        return None

    def reaches(name: str) -> str | None:
        if name not in graph:
            return None
        return next((o for o in outcomes if o != name and graph.has_path(name, o)), None)

    if year and reaches(year):
        return "What if it were older?"
    price = next((c for c in dataset.items.columns if "price" in c.lower()), None)
    if price and reaches(price):
        return "What if it were cheaper?"
    roles = _roles(dataset)
    declared = list(getattr(dataset.schema, "treatments", ()) or ())
    declared += [n for n, r in roles.items() if r == "treatment"]
    preferred = _first_outcome(workspace) or outcomes[0]
    for name in dict.fromkeys(declared):  # what the data's author marked as a treatment
        if name in graph and name not in outcomes:
            return f"What is the effect of {name} on {reaches(name) or preferred}?"
    for name in (n for n, r in roles.items() if r == "item_attribute"):
        outcome = reaches(name)
        if outcome:
            return f"What is the effect of {name} on {outcome}?"
    return None
