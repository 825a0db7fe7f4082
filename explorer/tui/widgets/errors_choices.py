"""What the errors panel's pickers offer and what a pick means: quick filters, sort columns, export formats.

Why apart from the panel: these are pure functions of the loaded rows and the current query (no widget
state), so the panel keeps only the wiring — open a dialog, apply what came back — and tests can check the
offers without a running app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rich.text import Text

from explorer.model import ErrorRecord
from explorer.services.error_export import ExportFormat
from explorer.services.error_list import (
    ColumnName,
    ErrorQuery,
    GroupField,
    describe_range,
    distinct_values,
    parse_date_range,
)
from explorer.tui.literal import one_line
from explorer.tui.widgets.errors_table import Column

Choice = tuple[str, str | Text] | None
"""One line of a ChoiceDialog: (id, label), or None for a separator."""

SORT_LABELS: dict[str, str] = {
    "occurredAt": "occurred at", "source": "source", "code": "code", "classification": "classification",
    "message": "message", "traceKey": "traceKey", "retryable": "retryable", "resolvedAt": "resolved at",
    "resolvedBy": "resolved by", "step": "step",
}
"""Columns one may sort by, and their names in the sort picker."""

QUICK_FIELDS: tuple[GroupField, ...] = ("source", "classification", "code")
QUICK_VALUES = 40
"""Values offered per quick-filter field (the most frequent first)."""
CLEAR = "clear"

EXPORT_CHOICES: list[Choice] = [("csv", "CSV (spreadsheet)"), ("jsonl", "JSON lines (exact server JSON)")]


def quick_filter_choices(rows: Sequence[ErrorRecord]) -> list[Choice]:
    """Every source, classification and code among the loaded rows, with counts, and a way to clear."""
    choices: list[Choice] = [(CLEAR, "(clear quick filters and dates)")]
    for field_name in QUICK_FIELDS:
        choices.append(None)
        for value, count in distinct_values(rows, field_name)[:QUICK_VALUES]:
            label = Text(f"{field_name}: ") + Text(one_line(value or "(none)")) + Text(f"  ({count})")
            choices.append((f"{field_name}\t{value}", label))
    return choices


def quick_filtered(query: ErrorQuery, choice: str) -> ErrorQuery:
    """The query after picking ``choice`` from ``quick_filter_choices``."""
    if choice == CLEAR:
        return replace(query, sources=frozenset(), classifications=frozenset(), codes=frozenset(),
                       occurred_from=None, occurred_to=None, template=None)
    field_name, value = choice.split("\t", 1)
    return query.with_quick_filter(field_name, value)  # type: ignore[arg-type]


def sort_choices(columns: Sequence[Column], grouped: bool) -> list[Choice]:
    """The columns on screen one may sort by (in group mode: the fields every group has)."""
    choices: list[Choice] = [("", "arrival order (as the server lists them)")]
    if grouped:
        return choices + [(name, SORT_LABELS[name]) for name in ("occurredAt", "code", "classification")]
    return choices + [(str(c.name), SORT_LABELS[str(c.name)]) for c in columns if str(c.name) in SORT_LABELS]


def sorted_query(query: ErrorQuery, choice: str) -> ErrorQuery:
    """The query after picking ``choice`` from ``sort_choices`` (the same column again flips direction)."""
    if not choice:
        return replace(query, sort_by=None, descending=False)
    column: ColumnName = choice  # type: ignore[assignment]
    return query.sorted_by(column)


def date_range_prompt(query: ErrorQuery) -> tuple[str, str, str, str]:
    """Title, current value, placeholder and hint of the date-range prompt (``d``)."""
    current = describe_range(query.occurred_from, query.occurred_to) if (
        query.occurred_from or query.occurred_to) else ""
    return ("Occurred between (UTC)", current, "2026-11-01..2026-11-20 · 2026-11-20 · 24h · 7d",
            "enter: apply (empty: any date)    esc: cancel")


def dated_query(query: ErrorQuery, text: str) -> ErrorQuery:
    """The query limited to the typed range (empty: any date); ValueError says what is wrong with ``text``."""
    start, end = parse_date_range(text)
    return replace(query, occurred_from=start, occurred_to=end)


def export_format(choice: str | None) -> ExportFormat | None:
    """The format picked from ``EXPORT_CHOICES`` (None: cancelled)."""
    if choice == "csv":
        return "csv"
    if choice == "jsonl":
        return "jsonl"
    return None
