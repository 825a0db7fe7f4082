"""The bulk fix engine against the in-process simulator: preview counts, guards, apply, cancel, undo, retry.

Assertions are on what reached the server (its request log and its retry data) and on the journal, not only on
the reports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from explorer.client import IntegratorClient
from explorer.journal import Journal
from explorer.model import ErrorRecord
from explorer.services.bulk import BulkOptions, CancelToken
from explorer.services.fix_apply import BatchJournal, apply_fix
from explorer.services.fix_patch import FixRecord, PatchProblem, apply_patch, parse_patch, starting_patch
from explorer.services.fix_retry import retry_fixed
from explorer.services.fix_run import (
    RETRY_DATA_GONE,
    FixOptions,
    FixProgress,
    preview_fix,
)
from explorer.services.fix_undo import preview_undo, summarize_batch
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport, retry_fails
from explorer.simulator import demo_ids as d

AMAZON = (d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
FAST = FixOptions(rate=10_000.0)
LOCATION_PATCH = [{"op": "test", "path": "/netsuite/location", "value": "Reno DC"},
                  {"op": "replace", "path": "/netsuite/location", "value": "Columbus DC"}]


def records(sim: Simulator, step: tuple[str, str], count: int | None = None) -> list[ErrorRecord]:
    raw = sim.open_errors(*step)
    return [ErrorRecord.from_json(e, *step) for e in (raw if count is None else raw[:count])]


def client_for(sim: Simulator, *, read_only: bool = False,
               transport: httpx.AsyncBaseTransport | None = None) -> IntegratorClient:
    return IntegratorClient(DEMO_TOKENS["full"], transport=transport or SimulatorTransport(sim),
                            read_only=read_only)


def writes(sim: Simulator) -> list[tuple[str, str, int]]:
    return [(m, p, s) for m, p, s in sim.requests if m == "PUT" and p.endswith("/data")]


async def data_of(client: IntegratorClient, record: ErrorRecord) -> Any:
    return (await client.get_retry_data(record.flow_id, record.step_id, record.retry_data_key or "")).raw


# --------------------------------------------------------------------------------------------- pure
def test_patch_parsing_reports_what_is_wrong() -> None:
    assert parse_patch('[{"op": "remove", "path": "/a"}]') == [{"op": "remove", "path": "/a"}]
    for text, words in [("{", "line 1"), ("{}", "array of operations"), ("[]", "no operations"),
                        ('[{"op": "delete", "path": "/a"}]', "must be one of"),
                        ('[{"op": "add", "path": "a", "value": 1}]', "JSON Pointer"),
                        ('[{"op": "replace", "path": "/a"}]', '"value" is missing'),
                        ('[{"op": "copy", "path": "/a"}]', '"from"')]:
        with pytest.raises(PatchProblem, match=words):
            parse_patch(text)


def test_apply_classifies_change_unchanged_and_failed_guards() -> None:
    data = {"status": "X", "n": 1}
    replaced = apply_patch(data, [{"op": "replace", "path": "/status", "value": "Y"}])
    assert replaced.data == {"status": "Y", "n": 1}
    assert data == {"status": "X", "n": 1}  # never modified in place
    assert apply_patch(data, [{"op": "replace", "path": "/status", "value": "X"}]).outcome == "unchanged"
    guarded = apply_patch(data, [{"op": "test", "path": "/status", "value": "Z"},
                                 {"op": "replace", "path": "/status", "value": "Y"}])
    assert guarded.outcome == "failed" and guarded.reason.startswith("test failed")
    missing = apply_patch(data, [{"op": "remove", "path": "/nope"}])
    assert missing.outcome == "failed" and "does not apply" in missing.reason
    assert apply_patch(data, [{"op": "replace", "path": "/n", "value": True}]).outcome == "change"


def test_starting_patch_targets_the_field_the_message_names() -> None:
    record = FixRecord("f", "s", "e", "k", "You have entered an Invalid Field Value 'Wholesale [EU]' for the "
                       "following field: category")
    data = {"Name": "Acme", "Customer_Category__c": "Wholesale [EU]", "Phone": "1"}
    assert starting_patch(record, data) == [
        {"op": "test", "path": "/Customer_Category__c", "value": "Wholesale [EU]"},
        {"op": "replace", "path": "/Customer_Category__c", "value": "Wholesale [EU]"}]
    by_name = FixRecord("f", "s", "e", "k", "Record 1 rejected: invalid value for field 'status'.")
    assert starting_patch(by_name, {"a": {"status": "bad/~x"}})[0]["path"] == "/a/status"
    assert starting_patch(by_name, {"weird/key": 1})[0]["path"] == "/weird~1key"


# --------------------------------------------------------------------------------------------- simulator
async def test_preview_counts_guards_and_records_without_retry_data() -> None:
    sim = Simulator(seed=0, time_scale=0)
    rows = records(sim, AMAZON, 300)
    no_data = records(sim, (d.AMAZON_FLOW, d.AMAZON_EXPORT_STEP))  # a step whose errors have no retry data
    gone = FixRecord(*AMAZON, "deadbeef", "0" * 32, "gone")
    async with client_for(sim) as client:
        locations = [(await data_of(client, r))["data"]["netsuite"]["location"] for r in rows]
        reno = locations.count("Reno DC")
        before = len(sim.requests)
        seen: list[FixProgress] = []
        preview = await preview_fix(client, [*rows, *no_data, gone], LOCATION_PATCH, options=FAST,
                                    on_progress=seen.append)
    gets = [r for r in sim.requests[before:] if r[0] == "GET"]
    assert len(gets) == 300 + 1  # each retriable record fetched once; none for errors without a key
    assert preview.counts() == {"change": reno, "unchanged": 0, "failed": 300 - reno,
                                "not_retriable": len(no_data) + 1}
    assert all(i.reason.startswith("test failed") for i in preview.items if i.outcome == "failed")
    assert preview.items[-1].reason == RETRY_DATA_GONE
    assert seen[-1].done == len(preview.items)
    change = preview.changed[0]
    diff = change.diff()
    assert '-    "location": "Reno DC",' in diff and '+    "location": "Columbus DC",' in diff
    doc = preview.as_json(diffs=1)
    assert (doc["change"], doc["failed"], doc["not_retriable"]) == (reno, 300 - reno, len(no_data) + 1)
    assert sum("diff" in r for r in doc["records"]) == 1 and doc["records"][-1]["outcome"] == "not_retriable"
    assert not writes(sim)  # a preview writes nothing


async def test_apply_journals_a_batch_and_undo_restores_byte_equal_data(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    rows = records(sim, AMAZON, 60)
    journal = BatchJournal(Journal(tmp_path / "journal.jsonl"), "demo", secrets=[DEMO_TOKENS["full"]])
    async with client_for(sim) as client:
        originals = {r.error_id: json.dumps(await data_of(client, r)) for r in rows}
        preview = await preview_fix(client, rows, LOCATION_PATCH, options=FAST)
        report = await apply_fix(client, preview.items, journal=journal, label="location", ops=LOCATION_PATCH,
                                 options=FAST)
        assert len(report.written) == preview.count("change") == len(writes(sim)) > 0
        for item in report.written:
            now = await data_of(client, ErrorRecord(*AMAZON, item.record.error_id,
                                                    retry_data_key=item.record.retry_data_key))
            assert now["data"]["netsuite"]["location"] == "Columbus DC"
            assert now["stage"] == "page_processor_import"
        entries = journal.journal.batch(report.batch_id)
        assert entries[0].method == "FIX" and entries[0].before == LOCATION_PATCH
        summary = summarize_batch(entries[0], entries)
        written = len(report.written)
        assert (summary.planned, summary.written, summary.failed) == (written, written, 0)
        assert DEMO_TOKENS["full"] not in journal.journal.path.read_text()

        undo = await preview_undo(client, journal.journal, report.batch_id, options=FAST)
        assert undo.counts()["change"] == len(report.written)
        undone = await apply_fix(client, undo.items, journal=journal, label="undo", undo_of=report.batch_id,
                                 options=FAST)
        assert len(undone.written) == len(report.written)
        for r in rows:
            assert json.dumps(await data_of(client, r)) == originals[r.error_id]  # byte-equal
        again = await preview_undo(client, journal.journal, report.batch_id, options=FAST)
        assert again.counts()["unchanged"] == len(report.written)  # nothing left to undo


async def test_cancel_in_the_middle_of_apply_journals_exactly_what_was_written(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    rows = records(sim, AMAZON, 40)
    patch = [{"op": "add", "path": "/fixed", "value": True}]
    journal = BatchJournal(Journal(tmp_path / "journal.jsonl"), "demo")
    cancel = CancelToken()

    def stop_after_five(progress: FixProgress) -> None:
        if progress.phase == "apply" and progress.done >= 5:
            cancel.cancel()

    async with client_for(sim) as client:
        preview = await preview_fix(client, rows, patch, options=FAST)
        assert preview.count("change") == 40
        report = await apply_fix(client, preview.items, journal=journal, label="add", ops=patch,
                                 options=FixOptions(concurrency=2, rate=200.0), cancel=cancel,
                                 on_progress=stop_after_five)
        assert report.canceled and 5 <= len(report.written) <= 7
        assert len(writes(sim)) == len(report.written)  # nothing sent after the cancel
        assert len(report.written) + len(report.not_sent) == 40
        written = {i.record.resource_id for i in report.written}
        entries = journal.journal.batch(report.batch_id)
        outcomes = {e.resource_id for e in entries if e.status == 200}
        assert outcomes == written
        sending = [e for e in entries if e.note and e.note.endswith("sending")]
        assert {e.resource_id for e in sending} >= written  # each write's intent came before it
        for item in preview.items:
            now = await data_of(client, ErrorRecord(*AMAZON, item.record.error_id,
                                                    retry_data_key=item.record.retry_data_key))
            assert ("fixed" in now["data"]) == (item.record.resource_id in written)


async def test_retry_after_patch_only_the_unfixed_failures_come_back(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    rows = [r for r in records(sim, AMAZON, 200)][:40]
    journal = BatchJournal(Journal(tmp_path / "journal.jsonl"), "demo")
    async with client_for(sim) as client:
        preview = await preview_fix(client, rows, LOCATION_PATCH, options=FAST)
        report = await apply_fix(client, preview.items, journal=journal, label="loc", options=FAST)
        fixed = {i.record.error_id for i in report.written}
        options = BulkOptions(min_interval=0.0, poll_interval=0.01, sleep=_advancing(sim))
        retried = await retry_fixed(client, [i for i in preview.items if i.outcome != "not_retriable"],
                                    options=options)
    assert len(retried.bulk.sent) == 40
    came_back = {e.trace_key for e in retried.failed_again}
    expected = {r.trace_key for r in rows if r.error_id not in fixed and retry_fails(0, r.error_id)}
    assert expected and came_back == expected  # the deterministic failures, and no fixed record
    assert sum(g.count for g in retried.groups) == len(retried.failed_again)
    assert any("failed again" in line for line in retried.lines())


def _advancing(sim: Simulator) -> Any:
    async def sleep(seconds: float) -> None:
        sim.advance(max(seconds, 1.0))
    return sleep


async def test_read_only_refuses_before_any_request_and_403_on_one_record_is_reported(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    rows = records(sim, AMAZON, 10)
    patch = [{"op": "add", "path": "/fixed", "value": 1}]
    journal = BatchJournal(Journal(tmp_path / "journal.jsonl"), "demo")
    async with client_for(sim) as client:
        preview = await preview_fix(client, rows, patch, options=FAST)
    async with client_for(sim, read_only=True) as client:
        count = len(sim.requests)
        report = await apply_fix(client, preview.items, journal=journal, label="x", options=FAST)
        assert report.stopped and "read-only" in report.stopped and len(sim.requests) == count
        assert not journal.journal.path.exists()
    locked = rows[3].retry_data_key or ""

    class ForbidOne(httpx.AsyncBaseTransport):
        inner = SimulatorTransport(sim)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "PUT" and locked in request.url.path:
                body = {"errors": [{"code": "forbidden", "message": "not in scope"}]}
                return httpx.Response(403, json=body)
            return await self.inner.handle_async_request(request)

    async with client_for(sim, transport=ForbidOne()) as client:
        report = await apply_fix(client, preview.items, journal=journal, label="x", options=FAST)
    assert len(report.written) == 9 and len(report.failed) == 1
    item, reason = report.failed[0]
    assert item.record.retry_data_key == locked
    assert reason.startswith("HTTP 403: ") and "not in scope" in reason
    assert f"failed 1: {reason}" in report.lines()


def test_starting_patch_for_a_field_named_in_words() -> None:
    record = FixRecord("f", "s", "e", "k", "Please enter value(s) for: Company Name")
    data = {"attributes": {"type": "Account"}, "Name": "Maple Row", "Phone": "1"}
    assert starting_patch(record, data)[1] == {"op": "replace", "path": "/Name", "value": "Maple Row"}


async def test_a_crash_mid_apply_leaves_a_journal_naming_the_records_written(tmp_path: Path) -> None:
    """The process dies while the third record's PUT is in flight: its intent is on disk, its outcome not."""
    sim = Simulator(seed=0, time_scale=0)
    rows = records(sim, AMAZON, 5)
    journal = BatchJournal(Journal(tmp_path / "journal.jsonl"), "demo")

    class Crash(BaseException):
        """Stands for kill -9: nothing after it runs."""

    class DiesOnThirdPut(httpx.AsyncBaseTransport):
        inner = SimulatorTransport(sim)
        puts = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "PUT":
                self.puts += 1
                if self.puts == 3:
                    raise Crash
            return await self.inner.handle_async_request(request)

    async with client_for(sim, transport=DiesOnThirdPut()) as client:
        preview = await preview_fix(client, rows, [{"op": "add", "path": "/x", "value": 1}], options=FAST)
        with pytest.raises(Crash):
            await apply_fix(client, preview.items, journal=journal, label="x",
                            options=FixOptions(concurrency=1, rate=10_000.0))
    entries = list(reversed(journal.journal.entries()))
    summary = summarize_batch(entries[0], entries[1:])
    assert (summary.planned, summary.written, summary.unknown) == (5, 2, 1)  # 2 written, 1 sent unanswered
    sent = [e.resource_id for e in entries if e.note and e.note.endswith("sending")]
    assert sent == [item.record.resource_id for item in preview.items[:3]]  # never sent: the last two
