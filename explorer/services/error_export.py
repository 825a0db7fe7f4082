"""Export a (filtered) error list to CSV or JSON lines (``ctrl+e`` in the errors screen; the CLI too).

Why a file in the working directory: people triage in a spreadsheet or with ``jq`` next to the explorer, and
the path is shown so they can find it. JSON lines keep each error exactly as the server sent it (plus the
flow and step it belongs to, which the API leaves implicit); CSV flattens the columns the screen shows.
CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) get a leading
``'``: error messages come from remote systems and must not execute on the user's machine. Files are never
overwritten: a numbered suffix is added instead.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from explorer.model import ErrorRecord, format_timestamp

ExportFormat = Literal["csv", "jsonl"]

CSV_COLUMNS: tuple[str, ...] = (
    "flowId", "stepId", "errorId", "occurredAt", "source", "code", "classification", "message", "traceKey",
    "retryDataKey", "reqAndResKey", "flowJobId", "resolvedAt", "resolvedBy",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def csv_cell(value: str | None) -> str:
    """A cell value a spreadsheet shows as text (formula-looking values get a leading quote)."""
    text = "" if value is None else value
    return "'" + text if text.startswith(_FORMULA_START) else text


def _when(moment: datetime | None) -> str:
    return "" if moment is None else format_timestamp(moment)


def csv_row(record: ErrorRecord) -> list[str]:
    """One error as the CSV columns, in ``CSV_COLUMNS`` order."""
    values = (
        record.flow_id, record.step_id, record.error_id, _when(record.occurred_at), record.source,
        record.code, record.classification, record.message, record.trace_key, record.retry_data_key,
        record.req_and_res_key, record.flow_job_id, _when(record.resolved_at), record.resolved_by,
    )
    return [csv_cell(value) for value in values]


def jsonl_line(record: ErrorRecord) -> str:
    """One error as received, with ``_flowId``/``_stepId`` added so the line stands on its own."""
    doc = {"_flowId": record.flow_id, "_stepId": record.step_id, **record.raw}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def export_name(label: str, fmt: ExportFormat, now: datetime | None = None) -> str:
    """``iox-errors-<label>-<UTC time>.<fmt>`` with the label made safe for any file system."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    safe = _UNSAFE_NAME.sub("-", label).strip("-.")[:60] or "errors"
    return f"iox-errors-{safe}-{moment.strftime('%Y%m%d-%H%M%S')}.{fmt}"


def _free_path(directory: Path, name: str) -> Path:
    path = directory / name
    stem, suffix = path.stem, path.suffix
    number = 1
    while path.exists():
        path = directory / f"{stem}-{number}{suffix}"
        number += 1
    return path


def write_export(records: Iterable[ErrorRecord], fmt: ExportFormat, path: Path) -> int:
    """Write the records to ``path`` (created exclusively: never overwrites); returns how many."""
    count = 0
    with path.open("x", encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for record in records:
                writer.writerow(csv_row(record))
                count += 1
        else:
            for record in records:
                handle.write(jsonl_line(record) + "\n")
                count += 1
    return count


def export_errors(records: Sequence[ErrorRecord], fmt: ExportFormat, *, directory: Path | None = None,
                  label: str = "errors", now: datetime | None = None) -> tuple[Path, int]:
    """Export to a new file in ``directory`` (default: the working directory); returns (path, count)."""
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r} (csv or jsonl)")
    folder = (directory or Path.cwd()).resolve()
    path = _free_path(folder, export_name(label, fmt, now))
    return path, write_export(records, fmt, path)
