"""Pilot tests of the error detail: JSON, retry data, request/response, gone retry data, edit then retry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Label, Static

from explorer.client import IntegratorClient
from explorer.journal import DraftStore, Journal
from explorer.model import ErrorRecord
from explorer.simulator import Simulator, retry_fails
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_detail import ErrorDetailScreen, retry_data_editor
from explorer.tui.screens.errors_dialogs import ConfirmBulkDialog
from explorer.tui.widgets.json_view import JsonView
from tests.helpers.edit_host import replace_in_area
from tests.helpers.errors_app import FAST_BULK, SHOPIFY, ErrorsHost, finished, loaded, screen_of, wait_for


async def open_detail(pilot: Pilot[Any], row: int) -> ErrorDetailScreen:
    panel = await loaded(pilot)
    panel.table.move_cursor(row)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorDetailScreen))
    detail = pilot.app.screen
    assert isinstance(detail, ErrorDetailScreen)
    request = detail.query_one("#request-json", JsonView)
    await wait_for(pilot, lambda: detail.retry_data is not None and bool(request.lines))
    return detail


async def test_detail_shows_error_json_retry_data_and_request_response() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, lambda c: ErrorsScreen(c, *SHOPIFY)).run_test(size=(140, 40)) as pilot:
        detail = await open_detail(pilot, 0)
        error = sim.open_errors(*SHOPIFY)[0]
        await detail.query_one("#error-json", JsonView).wait_loaded()
        assert json.loads(detail.query_one("#error-json", JsonView).text) == error
        retry_view = detail.query_one("#retry-json", JsonView)
        await retry_view.wait_loaded()
        assert detail.retry_data is not None
        assert json.loads(retry_view.text) == detail.retry_data.raw
        assert json.loads(retry_view.text)["data"]["name"] == detail.retry_data.data["name"]
        request_view = detail.query_one("#request-json", JsonView)
        await request_view.wait_loaded()
        exchange = json.loads(request_view.text)
        assert exchange["response"]["status"] == int(error["reqAndResKey"].split("-")[2])
        note = str(detail.query_one("#request-note", Static).render())
        assert f"response {exchange['response']['status']} from " in note and "netsuite.com" in note
        paths = [p for m, p, _ in sim.requests]
        assert any(p.endswith(f"/{error['retryDataKey']}/data") for p in paths)
        assert any(p.endswith(f"/requests/{error['reqAndResKey']}") for p in paths)
        await pilot.press("3")
        assert detail.query_one("#detail-tabs").active == "request"  # type: ignore[attr-defined]


async def test_gone_retry_data_marks_the_error_not_retryable() -> None:
    sim = Simulator(seed=0, time_scale=0)
    first = sim.open_errors(*SHOPIFY)[0]
    raw = {**first, "retryDataKey": "0" * 32}  # a key the service no longer has
    record = ErrorRecord.from_json(raw, *SHOPIFY)
    gone: list[ErrorRecord] = []

    def make(client: IntegratorClient) -> ErrorDetailScreen:
        return ErrorDetailScreen(client, record, on_gone=gone.append, retry_now=lambda r: None,
                                 editor=lambda r: ErrorDetailScreen(client, r))

    async with ErrorsHost(sim, make).run_test(size=(140, 40)) as pilot:
        detail = pilot.app.screen_stack[-1]
        assert isinstance(detail, ErrorDetailScreen)
        await wait_for(pilot, lambda: bool(gone))
        assert gone == [record] and not detail.retryable
        assert "Retry data gone (404)" in detail.retry_data_note
        assert detail.check_action("edit_retry_data", ()) is False
        assert detail.check_action("retry_now", ()) is False


async def test_edit_retry_data_then_retry_this_record_now(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    errors = sim.open_errors(*SHOPIFY)
    row = next(i for i, e in enumerate(errors) if retry_fails(0, e["errorId"]))  # would fail again unedited
    target = errors[row]
    drafts, journal = DraftStore(tmp_path / "drafts"), Journal(tmp_path / "journal.jsonl")

    def make(client: IntegratorClient) -> ErrorsScreen:
        editor = retry_data_editor(WriteContext(client, "demo", drafts, journal))
        return ErrorsScreen(client, *SHOPIFY, bulk_options=FAST_BULK, retry_data_editor=editor)

    async with ErrorsHost(sim, make).run_test(size=(140, 40)) as pilot:
        detail = await open_detail(pilot, row)
        assert detail.record.error_id == target["errorId"]
        await pilot.press("2", "e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, EditorScreen)
                       and pilot.app.screen.area is not None)
        editor = pilot.app.screen
        assert isinstance(editor, EditorScreen) and editor.area is not None
        replace_in_area(editor.area, '"UPS Ground"', '"FedEx Ground"')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DiffConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmBulkDialog))  # "retry now?"
        puts = [r for r in sim.requests if r[0] == "PUT" and r[1].endswith("/data")]
        assert len(puts) == 1 and puts[0][2] < 300
        assert [e.method for e in journal.entries()] == ["PUT"]
        await pilot.press("y")
        await finished(pilot, sim)
        posts = [r for r in sim.requests if r[0] == "POST" and r[1].endswith("/retry")]
        assert len(posts) == 1
        report = screen_of(pilot.app).runner.last_report
        assert report is not None and [r.error_id for r in report.sent] == [target["errorId"]]
        assert [(job.num_success, job.num_error) for job in report.followed] == [(1, 0)]
        await pilot.press("escape")
        open_traces = [e["traceKey"] for e in sim.open_errors(*SHOPIFY)]
        assert target["traceKey"] not in open_traces  # the edited record went through


async def test_retry_this_record_now_says_one_error_not_one_errors() -> None:
    sim = Simulator(seed=0, time_scale=0)

    def make(client: IntegratorClient) -> ErrorsScreen:
        return ErrorsScreen(client, *SHOPIFY, bulk_options=FAST_BULK)

    async with ErrorsHost(sim, make).run_test(size=(140, 40)) as pilot:
        await open_detail(pilot, 0)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmBulkDialog))
        await pilot.press("y")
        dialog = await finished(pilot, sim)
        assert dialog.query_one(".dialog-title", Label).render().plain == "Retrying 1 error"  # type: ignore[union-attr]
