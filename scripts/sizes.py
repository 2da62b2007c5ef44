"""List first-party modules over ~300 lines and functions over ~60 (the size goal of STYLE.md).

Usage: .venv/bin/python scripts/sizes.py [--modules N] [--functions N] [--strict]
Prints one line per module or function over its limit, largest first; with --strict it exits 1
when it printed any.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "dispatch", "nlu", "desk", "shaosheng", "standin")


def modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def module_lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def function_sizes(path: Path) -> list[tuple[str, int, int]]:
    """(qualified name, first line, line count) of every function and method in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                start = min([d.lineno for d in child.decorator_list] + [child.lineno])
                found.append((name, start, (child.end_lineno or start) - start + 1))
                walk(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")

    walk(tree, "")
    return found


def report(module_limit: int, function_limit: int) -> list[str]:
    big_modules, big_functions = [], []
    for path in modules():
        where = path.relative_to(ROOT)
        lines = module_lines(path)
        if lines > module_limit:
            big_modules.append((lines, f"{lines:5d}  {where}"))
        for name, start, size in function_sizes(path):
            if size > function_limit:
                big_functions.append((size, f"{size:5d}  {where}:{start} {name}"))
    return [line for _, line in sorted(big_modules, reverse=True)] + [
        line for _, line in sorted(big_functions, reverse=True)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=300, help="module line limit")
    parser.add_argument("--functions", type=int, default=60, help="function line limit")
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything is over")
    args = parser.parse_args()
    lines = report(args.modules, args.functions)
    print("\n".join(lines) if lines else "nothing over the limits")
    return 1 if args.strict and lines else 0


if __name__ == "__main__":
    sys.exit(main())
