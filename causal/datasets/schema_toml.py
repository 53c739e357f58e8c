"""Read and write `schema.toml`: variable roles, tiers, descriptions and causal hints.

The format, all keys optional::

    treatments = ["position"]
    outcomes = ["clicked", "rating"]
    required_edges = [["position", "clicked"]]
    forbidden_edges = [["rating", "position"]]

    [variables.position]
    role = "exposure"          # user_attribute | item_attribute | context | exposure | treatment | outcome
    tier = 2                   # temporal order: no edge from a later tier to an earlier one
    description = "rank at which the item was shown (1 = top)"

    [variables.premium]
    exogenous = true           # set from outside (randomly assigned, a demographic): effects
                               # of it get no widening for a hidden trait that may drive it

    [variables.pages]          # how people say a numeric attribute (the rule parser reads them)
    unit = ["pages", "pp"]     # "between 200 and 400 pages", "under 300 pp"
    higher = ["longer"]        # words that ask for more of it ...
    lower = ["shorter"]        # ... and for less

    [synonyms.genres]          # everyday phrases for an attribute's values (the rule parser reads them)
    "Sci-Fi" = ["science fiction", "space"]
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from causal.datasets.schema import DataError, DatasetSchema, Role, VariableInfo

_TOP_KEYS = {
    "treatments",
    "outcomes",
    "required_edges",
    "forbidden_edges",
    "variables",
    "synonyms",
}
_VAR_KEYS = {"role", "tier", "description", "exogenous", "unit", "higher", "lower"}
_PHRASE_KEYS = ("unit", "higher", "lower")


def parse_schema_toml(text: str, file: str = "schema.toml") -> DatasetSchema:
    """Parse schema.toml text, raising DataError that names the file, line and key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise DataError(f"not valid TOML: {exc}", file=file, line=line) from None
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise DataError(
            f"unknown key '{key}' (expected one of {sorted(_TOP_KEYS)})",
            file=file,
            line=_line_of(text, key),
        )
    variables: dict[str, VariableInfo] = {}
    for name, spec in (raw.get("variables") or {}).items():
        if not isinstance(spec, dict):
            raise DataError(
                f"[variables.{name}] must be a table", file=file, line=_line_of(text, name)
            )
        bad = set(spec) - _VAR_KEYS
        if bad:
            raise DataError(
                f"unknown key '{sorted(bad)[0]}' in [variables.{name}] (expected {sorted(_VAR_KEYS)})",
                file=file,
                line=_line_of(text, sorted(bad)[0]),
            )
        role = spec.get("role")
        if role is not None and role not in {r.value for r in Role}:
            raise DataError(
                f"unknown role '{role}' for variable '{name}' (expected one of {[r.value for r in Role]})",
                file=file,
                line=_line_of(text, str(role)),
            )
        tier = spec.get("tier")
        if tier is not None and (not isinstance(tier, int) or isinstance(tier, bool) or tier < 0):
            raise DataError(
                f"tier of '{name}' must be a non-negative integer, got {tier!r}",
                file=file,
                line=_line_of(text, "tier"),
            )
        description = spec.get("description", "")
        if not isinstance(description, str):
            raise DataError(f"description of '{name}' must be a string", file=file)
        exogenous = spec.get("exogenous", False)
        if not isinstance(exogenous, bool):
            raise DataError(
                f"exogenous of '{name}' must be true or false, got {exogenous!r}",
                file=file,
                line=_line_of_key(text, name, "exogenous"),
            )
        phrases = {key: _phrases(spec, name, key, text, file) for key in _PHRASE_KEYS}
        variables[name] = VariableInfo(
            name=name,
            role=Role(role) if role else None,
            tier=tier,
            description=description,
            exogenous=exogenous,
            **phrases,
        )
    return DatasetSchema(
        variables=variables,
        treatments=_names(raw, "treatments", text, file),
        outcomes=_names(raw, "outcomes", text, file),
        required_edges=_edges(raw, "required_edges", text, file),
        forbidden_edges=_edges(raw, "forbidden_edges", text, file),
        synonyms=_synonyms(raw, text, file),
    )


def _phrases(spec: dict, name: str, key: str, text: str, file: str) -> tuple[str, ...]:
    """`unit` / `higher` / `lower`: a phrase or a list of phrases."""
    value = spec.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataError(
            f"{key} of '{name}' must be a phrase or a list of phrases, got {value!r}",
            file=file,
            line=_line_of_key(text, name, key),
        )
    return tuple(v.strip() for v in value)


def _synonyms(raw: dict, text: str, file: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """`[synonyms.ATTRIBUTE]` tables: value = ["phrase", ...]."""
    table = raw.get("synonyms") or {}
    if not isinstance(table, dict):
        raise DataError("'synonyms' must be a table", file=file, line=_line_of(text, "synonyms"))
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for attr, values in table.items():
        ok = isinstance(values, dict) and all(
            isinstance(v, list) and all(isinstance(p, str) for p in v) for v in values.values()
        )
        if not ok:
            raise DataError(
                f"[synonyms.{attr}] must map each value to a list of phrases",
                file=file,
                line=_line_of(text, attr),
            )
        out[attr] = {value: tuple(phrases) for value, phrases in values.items()}
    return out


def read_schema_toml(path: Path) -> DatasetSchema:
    """Read and parse a schema.toml file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            "not UTF-8 text", file=path.name, line=_byte_line(path, exc.start)
        ) from None
    return parse_schema_toml(text, file=path.name)


def schema_to_toml(schema: DatasetSchema) -> str:
    """Serialise a schema to schema.toml text that `parse_schema_toml` reads back unchanged."""
    lines: list[str] = []
    if schema.treatments:
        lines.append(f"treatments = {_toml_list(schema.treatments)}")
    if schema.outcomes:
        lines.append(f"outcomes = {_toml_list(schema.outcomes)}")
    if schema.required_edges:
        lines.append(
            f"required_edges = [{', '.join(_toml_list(e) for e in schema.required_edges)}]"
        )
    if schema.forbidden_edges:
        lines.append(
            f"forbidden_edges = [{', '.join(_toml_list(e) for e in schema.forbidden_edges)}]"
        )
    for name, info in schema.variables.items():
        lines.append("")
        lines.append(f"[variables.{_toml_key(name)}]")
        if info.role is not None:
            lines.append(f"role = {_toml_str(info.role.value)}")
        if info.tier is not None:
            lines.append(f"tier = {info.tier}")
        if info.description:
            lines.append(f"description = {_toml_str(info.description)}")
        if info.exogenous:
            lines.append("exogenous = true")
        for key in _PHRASE_KEYS:
            if getattr(info, key):
                lines.append(f"{key} = {_toml_list(getattr(info, key))}")
    for attr, values in schema.synonyms.items():
        lines.append("")
        lines.append(f"[synonyms.{_toml_key(attr)}]")
        for value, phrases in values.items():
            lines.append(f"{_toml_str(value)} = {_toml_list(phrases)}")
    return "\n".join(lines).lstrip("\n") + "\n"


def _names(raw: dict, key: str, text: str, file: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataError(
            f"'{key}' must be a list of variable names", file=file, line=_line_of(text, key)
        )
    return tuple(value)


def _edges(raw: dict, key: str, text: str, file: str) -> tuple[tuple[str, str], ...]:
    value = raw.get(key, [])
    ok = isinstance(value, list) and all(
        isinstance(e, list) and len(e) == 2 and all(isinstance(v, str) for v in e) for e in value
    )
    if not ok:
        raise DataError(
            f"'{key}' must be a list of [from, to] pairs of variable names",
            file=file,
            line=_line_of(text, key),
        )
    return tuple((a, b) for a, b in value)


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _line_of_key(text: str, table: str, key: str) -> int | None:
    """The line of `key = ...` inside `[variables.TABLE]` (else the first line naming key)."""
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.strip("[] ").split(".", 1)[-1].strip('"') == table
        elif inside and stripped.split("=", 1)[0].strip() == key:
            return number
    return _line_of(text, key)


def _byte_line(path: Path, offset: int) -> int:
    return path.read_bytes()[:offset].count(b"\n") + 1


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml_str(name)


def _toml_list(values) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"
