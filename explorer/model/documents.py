"""Facts about the API's documents whatever the resource: the fields the server owns, masked secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from explorer.model.paths import PathPart, format_path

SERVER_OWNED: tuple[str, ...] = ("_id", "createdAt", "lastModified", "lastModifiedBy")
"""Top-level fields the server sets: left out of the diff shown before a PUT (the PUT still sends them)."""

MASKED_SECRET = "******"
"""What the API sends in place of a secret; sending it back on a connection PUT is a known cause of 422s."""


def masked_secret_paths(doc: Any) -> list[str]:
    """The path of every ``"******"`` value in a document, so the editor can warn before a PUT."""
    found: list[str] = []
    _find_masked(doc, (), found)
    return found


def _find_masked(doc: Any, parts: tuple[PathPart, ...], found: list[str]) -> None:
    if isinstance(doc, Mapping):
        for key, value in doc.items():
            _find_masked(value, (*parts, str(key)), found)
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            _find_masked(value, (*parts, index), found)
    elif doc == MASKED_SECRET:
        found.append(format_path(parts))
