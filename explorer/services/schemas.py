"""What the editor and ``iox validate`` ask of Celigo's schemas: checks, field docs, allowed values.

Why one facade: the TUI and the CLI must say the same thing about the same document. :class:`SchemaLibrary`
reads nothing until first asked (start-up never pays for it), then builds a kind's tree and checker once.
Without installed schemas every question answers "nothing known" (:attr:`SchemaLibrary.available` is False)
and the callers say once how to get them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.model.paths import PathPart, format_path, path_label
from explorer.services.schema_files import (
    HOW_TO_GET,
    KINDS,
    InstalledSchemas,
    installed,
    read_kind,
    schema_dir,
)
from explorer.services.schema_tree import Schema, build_tree, subschemas

if TYPE_CHECKING:  # the checker is imported with the first check (the editor), not with the main screen
    from explorer.services.schema_check import SchemaChecker, SchemaProblem

NOT_PUBLISHED = "not in Celigo's published schema"
STRIP_VALUES = 6
"""Allowed values named on the one-line strip; the rest are counted (``f1`` lists them all)."""


@dataclass(frozen=True)
class FieldDoc:
    """What the schemas say about one key: shown in the doc strip (one line) and by ``f1`` (all of it)."""

    path: str
    known: bool
    types: tuple[str, ...] = ()
    allowed: tuple[Any, ...] = ()
    description: str = ""
    deprecated: bool = False
    read_only: bool = False
    value_notes: tuple[tuple[str, str], ...] = ()
    """What each allowed value means (Celigo's ``x-enumDescriptions``), for ``f1``."""

    @property
    def first_sentence(self) -> str:
        """The description up to its first full stop (or line break), for the one-line strip."""
        text = " ".join(self.description.split())
        for end in (". ", ".\n"):
            cut = text.find(end)
            if cut >= 0:
                return text[: cut + 1]
        return text

    def one_line(self) -> str:
        """``http.auth.type · string · one of custom, basic, … · Authentication method for …``."""
        if not self.known:
            return f"{self.path or path_label(())} · {NOT_PUBLISHED}"
        parts = [self.path or path_label(())]
        if self.types:
            parts.append(" or ".join(self.types))
        if self.allowed:
            shown = ", ".join(_show(v) for v in self.allowed[:STRIP_VALUES])
            more = len(self.allowed) - STRIP_VALUES
            parts.append(f"one of {shown}" + (f" (+{more} more: f1)" if more > 0 else ""))
        flags = [word for word, on in (("deprecated", self.deprecated), ("read-only", self.read_only)) if on]
        if flags:
            parts.append(", ".join(flags))
        if self.first_sentence:
            parts.append(self.first_sentence)
        return " · ".join(parts)


def _show(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def infer_kind(document: Any) -> str | None:
    """The resource kind a document looks like (``flows``, ``exports``, ``imports``, ``connections``)."""
    if not isinstance(document, dict):
        return None
    adaptor = str(document.get("adaptorType") or "")
    if adaptor.endswith("Export"):
        return "exports"
    if adaptor.endswith("Import"):
        return "imports"
    if any(key in document for key in ("pageGenerators", "pageProcessors", "routers")):
        return "flows"
    ctype = document.get("type")
    if isinstance(ctype, str) and isinstance(document.get(ctype), dict):
        return "connections"
    return None


class SchemaLibrary:
    """The installed schemas, loaded on first use; thread-safe (checks run in worker threads)."""

    def __init__(self, directory: Path | None = None, environ: Mapping[str, str] = os.environ) -> None:
        self.directory = directory if directory is not None else schema_dir(environ)
        self._lock = threading.Lock()
        self._trees: dict[str, Schema | None] = {}
        self._checkers: dict[str, SchemaChecker] = {}
        self._installed: InstalledSchemas | bool | None = False  # False: not looked yet

    @property
    def installed(self) -> InstalledSchemas | None:
        """What is installed (None: nothing); read once."""
        if self._installed is False:
            self._installed = installed(self.directory)
        return self._installed if isinstance(self._installed, InstalledSchemas) else None

    @property
    def available(self) -> bool:
        """Whether any schemas are installed."""
        return self.installed is not None

    @staticmethod
    def how_to_get() -> str:
        """The sentence every "no schemas" message ends with."""
        return f"Celigo's schemas are not installed: {HOW_TO_GET}."

    def covers(self, kind: str) -> bool:
        """Whether ``kind`` has a schema (installed or not)."""
        return kind in KINDS

    def tree(self, kind: str) -> Schema | None:
        """The kind's joined schema (built on first use), or None when not installed or not a schema kind."""
        if kind not in KINDS or not self.available:
            return None
        with self._lock:
            if kind not in self._trees:
                files = read_kind(self.directory, kind)
                self._trees[kind] = build_tree(kind, files) if files else None
            return self._trees[kind]

    def check(self, kind: str, document: Any) -> list[SchemaProblem]:
        """Every schema problem of ``document`` (empty when nothing is known about ``kind``)."""
        tree = self.tree(kind)
        if tree is None:
            return []
        from explorer.services.schema_check import SchemaChecker

        with self._lock:
            checker = self._checkers.get(kind)
            if checker is None:
                checker = self._checkers[kind] = SchemaChecker(tree)
        return checker.check(document)

    def field_doc(self, kind: str, parts: Sequence[PathPart]) -> FieldDoc | None:
        """What the schemas say about the key at ``parts``; None when nothing is installed for ``kind``."""
        tree = self.tree(kind)
        if tree is None:
            return None
        path = format_path(parts)
        found = schemas_at(tree, parts)
        if found is None:
            return FieldDoc(path, known=False)
        return _doc_from(path, found)

    def allowed_values(self, kind: str, parts: Sequence[PathPart]) -> tuple[Any, ...]:
        """The values the schema lists for the key at ``parts`` (empty: none listed or unknown)."""
        doc = self.field_doc(kind, parts)
        return doc.allowed if doc is not None and doc.known else ()


def schemas_at(tree: Schema, parts: Sequence[PathPart]) -> list[Schema] | None:
    """Every schema part that describes the value at ``parts`` (None: no published schema names it)."""
    current = subschemas(tree)
    for part in parts:
        found: list[Schema] = []
        for node in current:
            if isinstance(part, int) or (isinstance(part, str) and part.isdigit() and "items" in node):
                items = node.get("items")
                if isinstance(items, dict):
                    found.extend(subschemas(items))
            elif isinstance(node.get("properties"), dict) and part in node["properties"]:
                found.extend(subschemas(node["properties"][part]))
        if not found:
            return None
        current = found
    return current


def _doc_from(path: str, parts: list[Schema]) -> FieldDoc:
    types: tuple[str, ...] = ()
    allowed: tuple[Any, ...] = ()
    description = ""
    notes: tuple[tuple[str, str], ...] = ()
    for part in parts:
        if not notes and isinstance(part.get("x-enumDescriptions"), dict):
            notes = tuple((str(k), str(v)) for k, v in part["x-enumDescriptions"].items())
        if not types and "type" in part:
            declared = part["type"]
            types = (declared,) if isinstance(declared, str) else tuple(str(t) for t in declared)
        if not allowed and isinstance(part.get("enum"), list):
            allowed = tuple(part["enum"])
        if not description and isinstance(part.get("description"), str):
            description = part["description"].strip()
    return FieldDoc(path, known=True, types=types, allowed=allowed, description=description,
                    deprecated=any(p.get("deprecated") is True for p in parts),
                    read_only=any(p.get("readOnly") is True for p in parts), value_notes=notes)
