"""Small, shared ways of showing model values in tables: times, yes/no, counts.

Why separate from ``output``: ``output`` knows terminals and JSON; this knows the model's values, so every
table shows a timestamp or an empty value the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

NONE = "-"
"""What a table cell shows for a missing value."""


def when(value: datetime | None) -> str:
    """A timestamp as ``2026-11-20 10:00:00Z`` (UTC), or ``-``."""
    if value is None:
        return NONE
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def text(value: object) -> str:
    """A possibly missing value as cell text."""
    return NONE if value is None or value == "" else str(value)


def yes_no(value: bool | None) -> str:
    """``yes``/``no``, or ``-`` when unknown."""
    return NONE if value is None else ("yes" if value else "no")
