"""The first-party import graph, read from the source with `ast` (nothing is imported)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "dispatch", "nlu", "shaosheng", "standin", "desk")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the first-party module it names
    line: int
    local: bool  # inside a function or class body, not at module level


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> Iterator[Path]:
    for package in PACKAGES:
        folder = ROOT / package
        if folder.is_dir():
            yield from (p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def known_modules() -> set[str]:
    return {module_name(path) for path in source_files()}


def imports_of(path: Path, modules: set[str]) -> Iterator[Import]:
    name = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node, local in _walk(tree, local=False):
        for target in _targets(node, name, path, modules):
            yield Import(name, target, node.lineno, local)


def _walk(node: ast.AST, local: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, local
        inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            continue  # imports for type checkers only never run
        yield from _walk(child, inner)


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _targets(node: ast.Import | ast.ImportFrom, name: str, path: Path,
             modules: set[str]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in modules:
                yield alias.name
        return
    base = node.module or ""
    if node.level:  # relative import
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    for alias in node.names:
        full = f"{base}.{alias.name}"
        if full in modules:
            yield full
        elif base in modules:
            yield base


def graph() -> dict[str, set[str]]:
    """Module → the first-party modules it imports at load time (module level)."""
    modules = known_modules()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for path in source_files():
        for imp in imports_of(path, modules):
            if not imp.local and imp.target != imp.module:
                edges[imp.module].add(imp.target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found
