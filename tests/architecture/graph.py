"""The product's own import graph, read with `ast` (nothing is imported): which product module
imports which, at module level or inside a function."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "dialogs", "cards", "storage")
TOP_MODULES = ("app.py",)
EXCLUDED = ("storage/migrations",)


@dataclass(frozen=True)
class Import:
    module: str  # the imported name as written, absolute: "sqlalchemy.exc", "storage.models.Need"
    line: int


def product_files() -> list[Path]:
    """Every product .py file, relative to the repository root (migrations excluded)."""
    files = [Path(name) for name in TOP_MODULES if (ROOT / name).exists()]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if not any(rel.as_posix().startswith(prefix + "/") for prefix in EXCLUDED):
                files.append(rel)
    return files


def module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(rel: Path) -> list[Import]:
    """Every import in the product file, wherever it stands."""
    return imports_in((ROOT / rel).read_text(encoding="utf-8"), module_name(rel), rel.name == "__init__.py")


def imports_in(source: str, module: str, is_package: bool = False) -> list[Import]:
    """Every import in the source, at module level or inside a function; `from a import b` gives
    "a.b" (b may be a module or a name in a)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative (ruff bans these, but read them right anyway)
                parts = package.split(".")
                anchor = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.extend(Import(f"{base}.{alias.name}", node.lineno) for alias in node.names)
    return sorted(found, key=lambda i: (i.line, i.module))


@cache
def graph() -> dict[str, set[str]]:
    """Product module -> the product modules it imports."""
    modules = {module_name(rel): rel for rel in product_files()}
    return {name: targets(imports_of(rel), modules, name) for name, rel in modules.items()}


def targets(imports: list[Import], modules, importer: str) -> set[str]:
    """The product modules these imports load: the longest dotted prefix that is a module."""
    found = {_deepest_module(imp.module, modules) for imp in imports}
    return {name for name in found if name and name != importer}


def _deepest_module(dotted: str, modules) -> str | None:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def tangles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The groups of modules that import each other, directly or around a cycle (strongly
    connected components of more than one module)."""
    return sorted((c for c in _components(edges) if len(c) > 1), key=min)


def cycle_in(tangle: set[str], edges: dict[str, set[str]]) -> list[str]:
    """One shortest cycle through the tangle's first module, as a path that ends where it starts."""
    return _shortest_cycle(min(tangle), edges, tangle)


def _components(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[set[str]] = []
    counter = 0
    for root in sorted(edges):
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
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                result.append(component)
    return result


def _shortest_cycle(start: str, edges, component: set[str]) -> list[str]:
    previous: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges[node]):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child in component and child not in seen:
                    seen.add(child)
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{start} is on no cycle")
