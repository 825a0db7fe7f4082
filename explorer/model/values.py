"""Tolerant readers of the API's loosely typed JSON fields (strings, numbers, ids, timestamps).

Why one place: every ``from_json`` in the model reads fields the same forgiving way, and the client writes
timestamps in the API's own form with ``format_timestamp``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC-or-offset datetime from ISO-8601 (with/without millis, ``Z`` or offset) or epoch ms.

    Returns None for anything absent or unparseable, so one odd field never hides a whole document.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000.0, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def format_timestamp(value: datetime) -> str:
    """The API's own timestamp form (UTC, millis, ``Z``), used for query filters; naive means UTC."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{aware.microsecond // 1000:03d}Z"


def _str(value: Any) -> str | None:
    """A string field that may arrive as a number (``oIndex``, ``code``); None when absent or structured."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _int(value: Any) -> int:
    """A counter that may be a string, a float or missing: 0 when it cannot be read."""
    if isinstance(value, bool):
        return int(value)
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return 0


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _ids(value: Any) -> tuple[str, ...]:
    """A list of ids (or of ``{"_id": ...}`` objects) as a tuple of strings, ignoring anything else."""
    if not isinstance(value, list):
        return ()
    out: list[str] = []
    for item in value:
        if isinstance(item, Mapping):
            item = item.get("_id")
        if isinstance(item, str) and item:
            out.append(item)
    return tuple(out)


def _require_id(raw: Any, key: str = "_id") -> str:
    if not isinstance(raw, Mapping):
        raise ValueError(f"expected a JSON object, got {type(raw).__name__}")
    value = raw.get(key)
    if isinstance(value, int | str) and not isinstance(value, bool) and str(value):
        return str(value)
    raise ValueError(f"object without {key}")


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
