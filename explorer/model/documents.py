"""Facts about the API's documents that hold whatever the resource: fields the server owns, masked secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SERVER_OWNED_FIELDS: frozenset[str] = frozenset({"_id", "createdAt", "lastModified", "lastModifiedBy"})
"""Fields the server sets itself: left out of the diff shown before a PUT (the PUT still sends them)."""

MASKED_SECRET = "******"
"""What the API sends in place of a secret; sending it back on a connection PUT is a known cause of 422s."""


def masked_secret_paths(doc: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every ``"******"`` value in a document, so the editor can warn before a PUT."""
    found: list[str] = []
    if isinstance(doc, Mapping):
        for key, value in doc.items():
            found += masked_secret_paths(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += masked_secret_paths(value, f"{prefix}[{index}]")
    elif doc == MASKED_SECRET:
        found.append(prefix)
    return found
