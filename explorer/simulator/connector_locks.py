"""Integration App resources keep their locked fields on PUT.

Why: a flow, export or import installed by an Integration App carries `_connectorId`, and Celigo's web app
lets the user change only a few of its fields (the connector's unlocked ones); every other field is disabled.
What the API does with a PUT that changes a locked field is not documented. The simulator takes the strict
reading: the PUT answers 200, the unlocked fields take the sent values, and every other field keeps its stored
value — so a client that trusts the 200 is wrong, and one that compares the answer with what it sent is
right. The lists below are our own short selection of the kinds of fields the web app leaves editable
(scheduling, paging and batch sizes, a few search and file settings), by dotted path.
"""

from __future__ import annotations

import copy
from typing import Any

UNLOCKED: dict[str, tuple[str, ...]] = {
    "flows": ("disabled", "schedule", "timezone", "_runNextFlowIds"),
    "exports": (
        "pageSize",
        "type",
        "schedule",
        "timezone",
        "sampleData",
        "netsuite.restlet.batchSize",
        "netsuite.restlet.searchId",
        "salesforce.soql.query",
        "ftp.directoryPath",
        "file.csv.columnDelimiter",
    ),
    "imports": ("batchSize", "lookups", "salesforce.upsert.externalIdField"),
}
"""Per kind, the dotted paths a PUT may change on a resource with `_connectorId`."""


def is_locked(kind: str, stored: dict[str, Any]) -> bool:
    """True for a flow, export or import that an Integration App installed."""
    return kind in UNLOCKED and bool(stored.get("_connectorId"))


def apply_locks(kind: str, stored: dict[str, Any], body: dict[str, Any], drop: set[str]) -> dict[str, Any]:
    """The body to store: the stored document (without the top-level `drop` keys), with only the unlocked
    paths taken from `body` (present: set; absent: removed)."""
    result = {k: copy.deepcopy(v) for k, v in stored.items() if k not in drop}
    for dotted in UNLOCKED[kind]:
        parts = dotted.split(".")
        found, value = _get(body, parts)
        if found:
            _set(result, parts, copy.deepcopy(value))
        else:
            _remove(result, parts)
    return result


def _get(doc: Any, parts: list[str]) -> tuple[bool, Any]:
    for part in parts:
        if not isinstance(doc, dict) or part not in doc:
            return False, None
        doc = doc[part]
    return True, doc


def _set(doc: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        child = doc.get(part)
        if not isinstance(child, dict):
            child = doc[part] = {}
        doc = child
    doc[parts[-1]] = value


def _remove(doc: dict[str, Any], parts: list[str]) -> None:
    for part in parts[:-1]:
        child = doc.get(part)
        if not isinstance(child, dict):
            return
        doc = child
    doc.pop(parts[-1], None)
