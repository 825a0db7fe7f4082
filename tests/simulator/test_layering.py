"""The simulator documents every endpoint and stays small (its imports are import-linter contracts)."""

from __future__ import annotations

import ast
from pathlib import Path

import explorer.simulator as simulator_pkg
from explorer.simulator import route_table

PKG = Path(simulator_pkg.__file__).parent


def test_readme_lists_every_endpoint() -> None:
    readme = (PKG / "README.md").read_text()
    for method, path in route_table():
        assert f"`{method} {path}`" in readme, (method, path)


def test_modules_are_small_and_documented() -> None:
    for path in PKG.glob("*.py"):
        text = path.read_text()
        assert len(text.splitlines()) < 500, path.name
        assert ast.get_docstring(ast.parse(text)), path.name
