"""The agent's tools in one list, each with the schema a language model (or MCP client) sees.

A tool is a function `fn(ctx, **args) -> pydantic model`. Its name, its docstring (summary
plus the `Args:` section) and its signature after `ctx` make the schema: `ToolSpec.args_model`
is a pydantic model built from them, so the docstring *is* the documentation the model reads,
and `ToolSpec.call` validates a model's arguments before the function runs.
"""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from tools.schemas import ToolContext

# name -> "module:function"; the order is the order a model sees them in.
TOOL_TARGETS: Mapping[str, str] = {
    "search_items": "tools.items:search_items",
    "recommend": "tools.items:recommend",
    "explain": "tools.explain:explain",
    "causal_graph_query": "tools.causal_tools:causal_graph_query",
    "estimate_effect": "tools.causal_tools:estimate_effect",
    "get_profile": "tools.profile:get_profile",
    "record_feedback": "tools.profile:record_feedback",
}

_ARG_LINE = re.compile(r"^\s{4,}(\w+):\s*(.*)$")


def _doc_parts(fn: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """The docstring without its Args section, and each argument's description."""
    doc = inspect.getdoc(fn) or ""
    head, _, args_block = doc.partition("\nArgs:\n")
    descriptions: dict[str, str] = {}
    current: str | None = None
    for line in args_block.splitlines():
        m = _ARG_LINE.match(line)
        if m and not line.startswith(" " * 8):
            current = m.group(1)
            descriptions[current] = m.group(2).strip()
        elif current and line.strip():
            descriptions[current] += " " + line.strip()
    return head.strip(), descriptions


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name, description, argument model and function."""

    name: str
    description: str
    args_model: type[BaseModel]
    fn: Callable[..., BaseModel]

    def call(self, ctx: ToolContext, args: Mapping[str, Any] | None = None) -> BaseModel:
        """Validate `args` (pydantic.ValidationError on a bad call) and run the tool."""
        parsed = self.args_model.model_validate(dict(args or {}))
        kwargs = {name: getattr(parsed, name) for name in type(parsed).model_fields}
        return self.fn(ctx, **kwargs)

    def json_schema(self) -> dict[str, Any]:
        """The OpenAI-style function schema (name, description, parameters)."""
        return {
            "name": self.name,
            "description": self.description,
            "parameters": self.args_model.model_json_schema(),
        }


def make_spec(name: str, fn: Callable[..., BaseModel]) -> ToolSpec:
    """Build a ToolSpec from a tool function's signature and docstring."""
    summary, arg_docs = _doc_parts(fn)
    hints = typing.get_type_hints(fn, include_extras=True)
    fields: dict[str, Any] = {}
    for param in list(inspect.signature(fn).parameters.values())[1:]:  # skip ctx
        annotation = hints.get(param.name, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (annotation, Field(default, description=arg_docs.get(param.name)))
    model = create_model(  # type: ignore[call-overload]
        "".join(part.title() for part in name.split("_")) + "Args",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )
    return ToolSpec(name=name, description=summary, args_model=model, fn=fn)


@cache
def tool_specs() -> tuple[ToolSpec, ...]:
    """Every tool, in order (imported on first use)."""
    specs = []
    for name, target in TOOL_TARGETS.items():
        module, _, attr = target.partition(":")
        specs.append(make_spec(name, getattr(importlib.import_module(module), attr)))
    return tuple(specs)


def get_tool(name: str) -> ToolSpec:
    """The tool called `name` (KeyError naming the known tools otherwise)."""
    for spec in tool_specs():
        if spec.name == name:
            return spec
    raise KeyError(f"unknown tool {name!r}; tools: {', '.join(TOOL_TARGETS)}")
