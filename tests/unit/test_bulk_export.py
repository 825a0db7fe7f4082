"""CSV/JSONL export of error lists and the cross-step loader."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from explorer.client import Forbidden
from explorer.model import ErrorRecord, Export, Flow, Import, StepErrorCount
from explorer.services.cross_step import StepFailure, iter_step_pages, name_steps, steps_with_errors
from explorer.services.error_export import CSV_COLUMNS, csv_cell, export_errors, export_name

NOW = datetime(2026, 11, 27, 9, 30, 5, tzinfo=UTC)


def record(n: int, message: str) -> ErrorRecord:
    raw = {"errorId": f"e{n}", "message": message, "code": "422", "traceKey": f"SO-{n}",
           "occurredAt": "2026-11-20T10:00:00.000Z", "nested": {"a": [1, 2]}}
    return ErrorRecord.from_json(raw, "f1", "s1")


def test_csv_export_has_header_rows_and_neutralised_formulas(tmp_path: Path) -> None:
    rows = [record(1, "plain, with comma"), record(2, "=HYPERLINK(\"http://x\")"), record(3, "line1\nline2")]
    path, count = export_errors(rows, "csv", directory=tmp_path, label="Step: Upsert/NS", now=NOW)
    assert count == 3 and path == tmp_path / "iox-errors-Step-Upsert-NS-20261127-093005.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == CSV_COLUMNS
    assert table[1][:4] == ["f1", "s1", "e1", "2026-11-20T10:00:00.000Z"]
    assert [row[CSV_COLUMNS.index("message")] for row in table[1:]] == [
        "plain, with comma", "'=HYPERLINK(\"http://x\")", "line1\nline2"]
    assert csv_cell("-1+2") == "'-1+2" and csv_cell(None) == "" and csv_cell("ok") == "ok"


def test_jsonl_export_keeps_the_server_json_and_never_overwrites(tmp_path: Path) -> None:
    rows = [record(1, "a"), record(2, "b")]
    first, _ = export_errors(rows, "jsonl", directory=tmp_path, now=NOW)
    second, count = export_errors(rows[:1], "jsonl", directory=tmp_path, now=NOW)
    assert first != second and second.name.endswith("-1.jsonl") and count == 1
    lines = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"_flowId": "f1", "_stepId": "s1", **rows[0].raw}
    assert lines[1]["nested"] == {"a": [1, 2]}


def test_export_name_is_safe() -> None:
    assert export_name("../../etc/passwd", "csv", NOW) == "iox-errors-etc-passwd-20261127-093005.csv"
    assert export_name("", "jsonl", NOW).startswith("iox-errors-errors-")


class FakeClient:
    def __init__(self) -> None:
        self.summaries: dict[str, list[StepErrorCount] | Exception] = {
            "fa": [StepErrorCount("imp", 3), StepErrorCount("exp", 0), StepErrorCount("lookup", 1)],
            "fb": Forbidden(403, "forbidden", "no"),
        }

    async def flow_error_summary(self, flow_id: str) -> list[StepErrorCount]:
        answer = self.summaries[flow_id]
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def get_export(self, export_id: str) -> Export:
        if export_id == "lookup":
            raise Forbidden(403, "forbidden", "no")
        return Export(id=export_id, name=f"export {export_id}")

    async def get_import(self, import_id: str) -> Import:
        return Import(id=import_id, name="Upsert sales orders")

    async def iter_errors(self, flow_id: str, step_id: str) -> AsyncIterator[list[ErrorRecord]]:
        if step_id == "lookup":
            raise Forbidden(403, "forbidden", "not yours")
        yield [ErrorRecord(flow_id, step_id, "e1")]
        yield [ErrorRecord(flow_id, step_id, "e2")]


async def test_cross_step_lists_steps_with_errors_in_flow_order_and_streams_pages() -> None:
    flow_a = Flow.from_json({"_id": "fa", "name": "Orders", "pageGenerators": [{"_exportId": "exp"}],
                             "pageProcessors": [{"type": "export", "_exportId": "lookup"},
                                                {"type": "import", "_importId": "imp"}]})
    flow_b = Flow.from_json({"_id": "fb", "name": "Locked"})
    steps, failures = await steps_with_errors(FakeClient(), [flow_a, flow_b], step_names={"imp": "Upsert"})
    assert [(s.step_id, s.open_errors, s.label) for s in steps] == [
        ("lookup", 1, "lookup (Orders)"), ("imp", 3, "Upsert (Orders)")]
    assert [(f.flow_id, f.step_id) for f in failures] == [("fb", None)]
    pages = [(step.step_id, page) async for step, page in iter_step_pages(FakeClient(), steps)]
    assert isinstance(pages[0][1], StepFailure) and pages[0][0] == "lookup"
    assert [[r.error_id for r in page] for _, page in pages[1:] if isinstance(page, list)] == [["e1"], ["e2"]]


async def test_name_steps_fetches_names_only_for_unnamed_steps_and_keeps_ids_on_failure() -> None:
    flow = Flow.from_json({"_id": "fa", "name": "Orders", "pageProcessors": [
        {"type": "export", "_exportId": "lookup"}, {"type": "import", "_importId": "imp"},
        {"type": "import", "_importId": "named"}]})
    client = FakeClient()
    client.summaries["fa"] = [StepErrorCount("imp", 3), StepErrorCount("lookup", 1),
                              StepErrorCount("named", 2)]
    steps, _ = await steps_with_errors(client, [flow], step_names={"named": "Known name"})
    named = await name_steps(client, [flow], steps)
    assert [s.step_name for s in named] == ["lookup", "Upsert sales orders", "Known name"]
