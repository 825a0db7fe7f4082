"""The dependency direction is a design rule (cli → tui → client → model), so a test keeps it true."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "explorer"


def _imports_of(path: Path) -> set[str]:
    """Every absolute module name a file imports (relative imports are resolved against the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if module_parts[-1] == "__init__":
        module_parts = module_parts[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                keep = len(module_parts) - node.level + (1 if path.name == "__init__.py" else 0)
                base = module_parts[:keep]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
    return found


def _files(sub: str) -> list[Path]:
    target = PACKAGE / sub
    return [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))


FORBIDDEN: dict[str, tuple[str, ...]] = {
    "model": ("explorer.client", "explorer.services", "explorer.commands", "explorer.tui", "explorer.cli",
              "explorer.config", "explorer.journal", "explorer.simulator", "textual", "httpx", "rich"),
    "client": ("explorer.simulator", "explorer.tui", "explorer.cli", "explorer.config", "textual", "rich"),
    "simulator": ("explorer.client", "explorer.model", "explorer.tui", "explorer.cli", "textual", "rich"),
    "config.py": ("explorer.client", "explorer.simulator", "explorer.tui", "textual", "httpx"),
    "journal.py": ("explorer.client", "explorer.simulator", "explorer.tui", "textual", "httpx"),
    "tui": ("explorer.simulator", "explorer.cli"),
}


@pytest.mark.parametrize("sub", sorted(FORBIDDEN))
def test_forbidden_imports(sub: str) -> None:
    offenders = []
    for path in _files(sub):
        if not path.exists():
            continue
        for name in _imports_of(path):
            if any(name == bad.rstrip(".") or name.startswith(bad if bad.endswith(".") else bad + ".")
                   or name == bad for bad in FORBIDDEN[sub]):
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offenders == []


def test_only_cli_imports_tui() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "tui" or rel.name == "cli.py":
            continue
        if any(n == "explorer.tui" or n.startswith("explorer.tui.") for n in _imports_of(path)):
            offenders.append(str(rel))
    assert offenders == []


def test_headless_modules_do_not_import_textual() -> None:
    code = (
        "import sys, explorer.client, explorer.simulator, explorer.config, explorer.model, explorer.journal;"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
