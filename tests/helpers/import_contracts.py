"""An import-linter contract type the built-in ones lack: "these modules import only the standard library".

Why: the model and the simulator promise to depend on nothing but Python (the simulator may use httpx, for
its transport); a forbidden contract can only list what is known to be bad, so a new dependency would slip
through. Used from ``[tool.importlinter]`` in pyproject.toml (``lint-imports`` runs from the repository root,
which it puts on ``sys.path``).
"""

from __future__ import annotations

import sys
from typing import Any, cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class StdlibOnlyContract(Contract):
    """Every module under ``source_modules`` imports only the stdlib, its own package and ``allowed``.

    Options: ``source_modules`` (packages), ``allowed_modules`` (top-level names also allowed, optional).
    Needs ``include_external_packages = true`` so that third-party imports are in the graph.
    """

    type_name = "stdlib_only"

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Collect every import from a source package to anything outside the stdlib and the allowances."""
        sources = cast(list[str], self.source_modules)  # a ListField holds the parsed list once configured
        allowed = set(sys.stdlib_module_names) | set(cast(list[str], self.allowed_modules))
        bad: list[dict[str, Any]] = []
        for source in sources:
            for module in sorted(graph.find_descendants(source) | {source}):
                for imported in sorted(graph.find_modules_directly_imported_by(module)):
                    top = imported.split(".")[0]
                    if imported == source or imported.startswith(source + ".") or top in allowed:
                        continue
                    details = graph.get_import_details(importer=module, imported=imported)
                    lines = sorted({detail["line_number"] for detail in details})
                    bad.append({"importer": module, "imported": imported, "lines": lines})
        return ContractCheck(kept=not bad, metadata={"bad": bad})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """One line per import that breaks the rule."""
        for item in check.metadata["bad"]:
            lines = ", ".join(f"l.{number}" for number in item["lines"])
            output.print_error(f"{item['importer']} imports {item['imported']} ({lines})", bold=False)
            output.new_line()
