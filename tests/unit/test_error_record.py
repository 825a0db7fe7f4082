"""``ErrorRecord`` is compact (slots, no copy of its document) yet gives its document back exactly.

Why: a step can hold 100,000 errors, all kept in memory by the errors screen (issue 10: 1.6 KB a record
when each kept its raw dict); the detail view, ``iox errors --json`` and exports still need the document
as the server sent it.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import tracemalloc
from datetime import UTC, datetime
from typing import Any

from explorer.model import ErrorRecord
from explorer.model.errors import _ERROR_SLOTS
from explorer.simulator import DEMO_TOKENS, Simulator
from explorer.simulator import demo_ids as d

WIRE: dict[str, Any] = {
    "occurredAt": "2026-11-27T05:08:11.725Z", "source": "application", "code": "invalid_field",
    "message": "Record REC-1 rejected", "traceKey": "REC-1", "oIndex": "9",
    "retryDataKey": "712e25386fa537f12fa4acb12d7683c6", "errorId": "22e3ffeb",
    "_flowJobId": "659004f39249ee4e2107d30b", "classification": "value", "classifiedBy": "autopilot",
    "reqAndResKey": "1795756091725-6f31-422-POST",
}


def test_the_slot_table_matches_the_fields() -> None:
    names = [f.name for f in dataclasses.fields(ErrorRecord)]
    wire_names = {"errorId": "error_id", "occurredAt": "occurred_at", "oIndex": "o_index",
                  "traceKey": "trace_key", "retryDataKey": "retry_data_key",
                  "reqAndResKey": "req_and_res_key",
                  "_flowJobId": "flow_job_id", "resolvedAt": "resolved_at", "resolvedBy": "resolved_by",
                  "classifiedBy": "classified_by"}
    for key, slot in _ERROR_SLOTS.items():
        assert names[slot] == wire_names.get(key, key)
    assert not hasattr(ErrorRecord.from_json(WIRE, "f", "s"), "__dict__")


def test_a_plain_document_is_held_by_the_fields_alone() -> None:
    record = ErrorRecord.from_json(WIRE, "f", "s")
    assert record.wire is None
    assert record.raw == WIRE
    assert record.occurred_at == datetime(2026, 11, 27, 5, 8, 11, 725000, tzinfo=UTC)
    assert (record.code, record.o_index, record.retriable) == ("invalid_field", "9", True)


def test_what_the_fields_cannot_give_back_is_kept_and_returned_exactly() -> None:
    odd = {**WIRE, "oIndex": 9, "occurredAt": "2026-11-27T05:08:11Z", "source": None, "message": "",
           "extra": {"nested": [1, 2]}, "code": 422, "resolvedAt": 1764220091725}
    del odd["classifiedBy"]
    record = ErrorRecord.from_json(odd, "f", "s")
    assert record.raw == odd
    assert set(record.wire or {}) == {"oIndex", "occurredAt", "source", "message", "extra", "code",
                                      "resolvedAt"}
    assert (record.o_index, record.code, record.classified_by) == ("9", "422", None)
    assert record.resolved_at is not None and record.resolved_at.year == 2025


def test_records_compare_and_hash_by_value() -> None:
    one, two = ErrorRecord.from_json(WIRE, "f", "s"), ErrorRecord.from_json(dict(WIRE), "f", "s")
    assert one == two and hash(one) == hash(two) and len({one, two}) == 1
    assert dataclasses.replace(one, code="x").code == "x"


def _pages(count: int) -> list[list[dict[str, Any]]]:
    sim = Simulator(seed=0, scale="large")
    url: str | None = f"http://127.0.0.1/v1/flows/{d.LARGE_ERRORS_FLOW}/{d.LARGE_ERRORS_STEP}/errors"
    pages: list[list[dict[str, object]]] = []
    while url and len(pages) < count:
        body = json.loads(sim.handle("GET", url, {"Authorization": f"Bearer {DEMO_TOKENS['full']}"}, b"",
                                     region="na").body)
        pages.append(body["errors"])
        url = body.get("nextPageURL")
    return pages


def test_ten_thousand_records_stay_under_a_fixed_memory_bound() -> None:
    pages = _pages(10)
    assert sum(map(len, pages)) == 10_000
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [ErrorRecord.from_json(raw, d.LARGE_ERRORS_FLOW, d.LARGE_ERRORS_STEP)
                for page in pages for raw in page]
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert all(record.raw == raw for record, raw in zip(kept, (r for p in pages for r in p), strict=True))
    # 1,590 bytes a record with a copy of the raw dict; ~760 now (fields and their strings only)
    assert held / len(kept) < 900, f"{held / len(kept):.0f} bytes per record"
