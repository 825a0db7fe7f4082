"""The simulator stays independent: stdlib + httpx only, never the client, the model or Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import explorer.simulator as simulator_pkg
from explorer.simulator import route_table

PKG = Path(simulator_pkg.__file__).parent


def test_importing_the_simulator_pulls_in_no_client_model_or_textual() -> None:
    code = (
        "import sys, explorer.simulator\n"
        "bad = [m for m in sys.modules if m.startswith(('explorer.client', 'explorer.model', 'explorer.tui',"
        " 'textual', 'rich'))]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_only_stdlib_and_httpx_are_imported() -> None:
    allowed = set(sys.stdlib_module_names) | {"httpx", "__future__"}
    for path in PKG.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
    transport_users = [p.name for p in PKG.glob("*.py") if "import httpx" in p.read_text()]
    assert transport_users == ["transport.py"]


def test_readme_lists_every_endpoint() -> None:
    readme = (PKG / "README.md").read_text()
    for method, path in route_table():
        assert f"`{method} {path}`" in readme, (method, path)


def test_modules_are_small_and_documented() -> None:
    for path in PKG.glob("*.py"):
        text = path.read_text()
        assert len(text.splitlines()) < 500, path.name
        assert ast.get_docstring(ast.parse(text)), path.name
