"""schema.toml's `exogenous = true`: read, written back, refused when malformed, and honoured by
the workspace's effects on a learned graph (no hidden-trait widening for a declared attribute).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causal.datasets.csv_folder import load_csv_folder, write_dataset
from causal.datasets.schema import DataError, DatasetSchema, VariableInfo
from causal.datasets.schema_toml import parse_schema_toml, read_schema_toml, schema_to_toml

_TEXT = """
[variables.premium]
role = "user_attribute"
exogenous = true

[variables.age_group]
description = "age band"
"""


def test_exogenous_round_trips() -> None:
    schema = parse_schema_toml(_TEXT)
    assert schema.exogenous() == ("premium",)
    assert schema.variables["age_group"].exogenous is False
    text = schema_to_toml(schema)
    assert "exogenous = true" in text
    assert parse_schema_toml(text) == schema
    # A schema.toml's declaration survives filling gaps from the contract's defaults.
    defaults = DatasetSchema(variables={"premium": VariableInfo("premium", tier=0)})
    merged = schema.merged_with(defaults)
    assert merged.exogenous() == ("premium",) and merged.variables["premium"].tier == 0


@pytest.mark.parametrize("value", ['"yes"', "1", "[true]"])
def test_a_bad_exogenous_value_names_file_line_and_key(tmp_path: Path, value: str) -> None:
    path = tmp_path / "schema.toml"
    path.write_text(
        f"[variables.age_group]\ntier = 0\n\n[variables.premium]\nexogenous = {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        read_schema_toml(path)
    assert err.value.file == "schema.toml" and err.value.line == 5
    assert "exogenous of 'premium' must be true or false" in str(err.value)


@pytest.fixture(scope="module")
def funnel():
    from causal.datasets.worlds import FunnelConfig, make_funnel_world
    from causal.structure.graph import CausalGraph, EdgeInfo

    world = make_funnel_world(FunnelConfig(seed=2, n_users=600, n_items=300, n_interactions=12_000))
    edges = sorted(world.truth.edges)  # observed edges only: the hidden trait is not in it
    graph = CausalGraph(
        edges, world.truth.nodes, edge_info={e: EdgeInfo(oriented_by="data") for e in edges}
    )
    return world, graph


def _workspace(root: Path, world, graph, *, declare: bool):
    """A minimal workspace on disk: manifest, data folder (CSV + schema.toml), learned graph."""
    from dataclasses import replace

    from causal.build import GRAPH_FILE, STEP_NAME
    from tools.workspace import MANIFEST, Workspace

    schema = world.dataset.schema
    if declare:
        info = schema.variables.get("premium", VariableInfo("premium"))
        schema = replace(
            schema, variables={**schema.variables, "premium": replace(info, exogenous=True)}
        )
    write_dataset(world.dataset.with_schema(schema), root / "data")
    (root / STEP_NAME).mkdir(parents=True)
    graph.save(root / STEP_NAME / GRAPH_FILE)
    (root / MANIFEST).write_text(json.dumps({"dataset": {"name": "funnel"}}), encoding="utf-8")
    return Workspace.open(root)


def test_workspace_effect_honours_the_exogenous_declaration(tmp_path: Path, funnel) -> None:
    world, graph = funnel
    declared = _workspace(tmp_path / "declared", world, graph, declare=True)
    assert load_csv_folder(declared.root / "data").schema.exogenous() == ("premium",)
    undeclared = _workspace(tmp_path / "undeclared", world, graph, declare=False)
    assert undeclared.dataset.schema.exogenous() == ()
    ask = dict(n_boot=20, refutations=False)
    with_hint = declared.estimate_effect("premium", "clicked", 1, 0, **ask)
    without = undeclared.estimate_effect("premium", "clicked", 1, 0, **ask)
    # Declared: reported, and nothing in it speaks of a hidden trait.
    assert with_hint.identified
    assert not any("hidden trait" in n for n in with_hint.notes)
    # Undeclared: the hidden-trait allowance widens the interval or declines the effect.
    if without.identified:
        assert any("hidden trait" in n for n in without.notes)
        assert without.ci_high - without.ci_low > with_hint.ci_high - with_hint.ci_low
    else:
        assert "hidden trait" in without.reason
