"""The house rules DESIGN.md states, checked on the source: no import circles, layers point one way
(ui -> agent -> tools -> causal), no module over 600 lines, private names stay in their module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("causal", "tools", "agent", "ui")  # lowest layer first
LAYER = {name: rank for rank, name in enumerate(PACKAGES)}
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    """Every module of the four packages, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import, top-level or in a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, list[str], int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.append((base, [alias.name for alias in node.names], node.lineno))
    return found


def _edges() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports (a `from pkg import mod` counts as importing mod)."""
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for base, names, _ in _imports(name, path):
            targets = [base, *(f"{base}.{n}" for n in names)]
            edges[name].update(t for t in targets if t in MODULES and t != name)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_the_checker_sees_a_circle() -> None:
    """The cycle finder itself must find a planted circle, or a pass below means nothing."""
    planted = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(planted) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_checker_reads_the_real_code() -> None:
    assert len(MODULES) > 50
    assert sum(len(targets) for targets in _edges().values()) > 100


def test_no_import_circles() -> None:
    circles = _cycles(_edges())
    assert circles == [], f"import circles (function-level imports count too): {circles}"


def test_layers_point_one_way() -> None:
    upward = [
        f"{name} imports {target}"
        for name, targets in _edges().items()
        for target in targets
        if LAYER[target.split(".")[0]] > LAYER[name.split(".")[0]]
    ]
    assert upward == [], "a lower layer imports a higher one:\n" + "\n".join(sorted(upward))


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_at_most_600_lines(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines"


def test_private_names_stay_in_their_module() -> None:
    leaks = [
        f"{MODULES[name].relative_to(ROOT)}:{line} takes {taken} from {base}"
        for name, path in MODULES.items()
        for base, names, line in _imports(name, path)
        if base in MODULES
        for taken in names
        if taken.startswith("_") and not taken.startswith("__")
    ]
    assert leaks == [], "\n".join(leaks)
