"""Pilot tests of the bulk fix from the errors screen and of batch undo from the journal (simulator seed 0).

They check what reached the server (its request log, its retry data) and what the journal holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen

from explorer.client import IntegratorClient
from explorer.journal import DraftStore, Journal
from explorer.services.fix_run import FixOptions
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_cross import CrossStepErrorsScreen
from explorer.tui.screens.errors_dialogs import BulkProgressDialog, ConfirmBulkDialog
from explorer.tui.screens.fix_dialogs import FixPreviewScreen, FixProgressDialog, PatchEditorScreen
from explorer.tui.screens.journal import JournalScreen
from tests.helpers.errors_app import AMAZON, FAST_BULK, ErrorsHost, dialog_title, loaded, screen_of, wait_for

SALESFORCE = (d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)  # 7 open errors, hostile messages among them

FAST_FIX = FixOptions(rate=10_000.0)


def context(client: IntegratorClient, tmp_path: Path, *, read_only: bool = False) -> WriteContext:
    return WriteContext(api=client, profile="demo", drafts=DraftStore(tmp_path / "drafts"),
                        journal=Journal(tmp_path / "journal.jsonl"), read_only=read_only)


def fix_screen(step: tuple[str, str], tmp_path: Path, **kwargs: Any) -> Any:
    def make(client: IntegratorClient) -> ErrorsScreen:
        return ErrorsScreen(client, *step, step_name="Invoice import", flow_name="Amazon invoices",
                            bulk_options=FAST_BULK, fix_context=context(client, tmp_path),
                            fix_options=kwargs.pop("fix_options", FAST_FIX), **kwargs)
    return make


async def on_top(pilot: Pilot[Any], kind: type[Screen[Any]]) -> Any:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind))
    await pilot.pause()
    return pilot.app.screen


async def test_template_group_enter_filters_and_a_marks_all(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, fix_screen(AMAZON, tmp_path)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: panel.table.grouped)
        first = panel.groups[0]
        assert first.field == "template" and first.value.startswith("Insufficient inventory for item <*>")
        assert sum(g.count for g in panel.groups) == 3000
        await pilot.press("enter", "a")
        await pilot.pause()
        assert not panel.table.grouped and len(panel.store.view) == first.count
        assert len(panel.store.selection) == first.count


async def test_fix_from_patch_to_retry(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, fix_screen(SALESFORCE, tmp_path)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        records = list(panel.store.view)
        cursor = next(i for i, r in enumerate(records) if "Wholesale [EU]' for the following" in r.message)
        panel.table.move_cursor(cursor)
        await pilot.press("a", "T")
        editor = await on_top(pilot, PatchEditorScreen)
        started = json.loads(editor.area.text)
        assert started == [{"op": "test", "path": "/Customer_Category__c", "value": "Wholesale [EU]"},
                           {"op": "replace", "path": "/Customer_Category__c", "value": "Wholesale [EU]"}]
        started[1]["value"] = "Wholesale EU"
        editor.area.load_text(json.dumps(started))
        await pilot.press("ctrl+s")
        preview = await on_top(pilot, FixPreviewScreen)
        counts = preview.preview.counts()
        wholesale = counts["change"]
        assert wholesale >= 1 and counts["change"] + counts["failed"] == len(records)
        await pilot.press("n")
        assert preview.position == (1 % wholesale)
        await pilot.press("a")
        confirm = await on_top(pilot, ConfirmBulkDialog)
        assert dialog_title(confirm) == f"Write {wholesale:,} records' retry data?"
        await pilot.press("y")
        progress = await on_top(pilot, FixProgressDialog)
        await wait_for(pilot, lambda: progress.finished)
        assert progress.offer_retry
        puts = [r for r in sim.requests if r[0] == "PUT" and r[1].endswith("/data")]
        assert len(puts) == wholesale
        await pilot.press("r")
        retry = await on_top(pilot, BulkProgressDialog)
        await wait_for(pilot, lambda: retry.finished, tick=lambda: sim.advance(1.0))
        report = screen_of(pilot.app).fixer.last_retry
        assert report is not None and len(report.bulk.sent) == wholesale and report.failed_again == []
        assert "did not fail again" in str(retry.query_one("#bulk-report").render())
        entries = Journal(tmp_path / "journal.jsonl").entries()
        assert sum(1 for e in entries if e.status == 200 and e.batch) == wholesale


async def test_read_only_offers_no_fix_and_sends_nothing(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    make = fix_screen(SALESFORCE, tmp_path, read_only=True)
    async with ErrorsHost(sim, make, read_only=True).run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        screen = screen_of(pilot.app)
        assert screen.check_action("fix", ()) is False
        count = len(sim.requests)
        await pilot.press("a", "T")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, PatchEditorScreen) and len(sim.requests) == count


async def test_journal_lists_a_batch_as_one_row_and_u_restores_it(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, fix_screen(SALESFORCE, tmp_path)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        keys = [r.retry_data_key or "" for r in panel.store.view]
        client = screen_of(pilot.app).client
        before = {k: json.dumps((await client.get_retry_data(*SALESFORCE, k)).raw) for k in keys}
        await pilot.press("a", "T")
        editor = await on_top(pilot, PatchEditorScreen)
        editor.area.load_text('[{"op": "add", "path": "/fixedBy", "value": "iox"}]')
        await pilot.press("ctrl+s")
        await on_top(pilot, FixPreviewScreen)
        await pilot.press("a")
        await on_top(pilot, ConfirmBulkDialog)
        await pilot.press("y")
        progress = await on_top(pilot, FixProgressDialog)
        await wait_for(pilot, lambda: progress.finished)
        await pilot.press("escape")
        journal_screen = JournalScreen(context(client, tmp_path), fix_client=client, fix_options=FAST_FIX)
        await pilot.app.push_screen(journal_screen)
        await pilot.pause()
        assert len(journal_screen.entries) == 1 and 0 in journal_screen.batches  # one row for the batch
        assert journal_screen.batches[0].written == len(keys)
        await pilot.press("u")
        undo = await on_top(pilot, FixPreviewScreen)
        assert undo.preview.counts()["change"] == len(keys)
        await pilot.press("a")
        await on_top(pilot, ConfirmBulkDialog)
        await pilot.press("y")
        progress = await on_top(pilot, FixProgressDialog)
        await wait_for(pilot, lambda: progress.finished)
        for key in keys:
            assert json.dumps((await client.get_retry_data(*SALESFORCE, key)).raw) == before[key]


async def test_the_patch_typed_survives_esc_and_a_restart_as_a_draft(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    typed = '[{"op": "add", "path": "/note", "value": "typed before the crash"}]'
    async with ErrorsHost(sim, fix_screen(SALESFORCE, tmp_path)).run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("a", "T")
        editor = await on_top(pilot, PatchEditorScreen)
        editor.area.load_text(typed)
        await pilot.press("escape")
        await pilot.pause()
    assert DraftStore(tmp_path / "drafts").load("demo", "fixpatch", ".".join(SALESFORCE)) is not None
    async with ErrorsHost(sim, fix_screen(SALESFORCE, tmp_path)).run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("a", "T")
        editor = await on_top(pilot, PatchEditorScreen)
        assert editor.area.text == typed  # offered back in a new session


async def test_esc_during_the_writes_stops_the_rest_and_the_journal_says_which(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    slow = FixOptions(concurrency=1, rate=4.0)
    make = fix_screen(SALESFORCE, tmp_path, fix_options=slow)
    async with ErrorsHost(sim, make).run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("a", "T")
        editor = await on_top(pilot, PatchEditorScreen)
        editor.area.load_text('[{"op": "add", "path": "/fixedBy", "value": "iox"}]')
        await pilot.press("ctrl+s")
        await on_top(pilot, FixPreviewScreen)
        await pilot.press("a")
        await on_top(pilot, ConfirmBulkDialog)
        await pilot.press("y")

        def puts() -> list[tuple[str, str, int]]:
            return [(m, p, c) for m, p, c in sim.requests if m == "PUT" and p.endswith("/data")]

        await wait_for(pilot, lambda: len(puts()) >= 2)
        progress = pilot.app.screen
        assert isinstance(progress, FixProgressDialog)
        progress.action_cancel_or_close()
        await wait_for(pilot, lambda: progress.finished)
        report = screen_of(pilot.app).fixer.last_apply
        assert report is not None and report.canceled
        assert 2 <= len(report.written) < 7 and len(puts()) == len(report.written)
        assert len(report.written) + len(report.not_sent) == 7
        entries = Journal(tmp_path / "journal.jsonl").entries()
        assert {e.resource_id for e in entries if e.status == 200} == {
            i.record.resource_id for i in report.written}


async def test_cross_step_view_groups_by_template_and_fixes_across_steps(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)

    def make(client: IntegratorClient) -> CrossStepErrorsScreen:
        return CrossStepErrorsScreen(client, title="Amazon", integration_id=d.INT_AMAZON,
                                     bulk_options=FAST_BULK, fix_context=context(client, tmp_path),
                                     fix_options=FAST_FIX)

    async with ErrorsHost(sim, make).run_test(size=(140, 40)) as pilot:
        screen = pilot.app.screen_stack[-1]
        assert isinstance(screen, CrossStepErrorsScreen)
        panel = screen.panel
        await wait_for(pilot, lambda: panel.store.complete and bool(panel.groups))
        await pilot.press("t")
        await wait_for(pilot, lambda: bool(panel.groups) and panel.groups[0].field == "template")
        steps = {(r.flow_id, r.step_id) for r in panel.store.rows}
        assert len(steps) > 1 and sum(g.count for g in panel.groups) == len(panel.store.rows)
        await pilot.press("a", "T")  # every error of every step
        editor = await on_top(pilot, PatchEditorScreen)
        editor.area.load_text('[{"op": "add", "path": "/fixedBy", "value": "iox"}]')
        await pilot.press("ctrl+s")
        preview = await on_top(pilot, FixPreviewScreen)
        counts = preview.preview.counts()
        assert counts["change"] > 3000 and counts["not_retriable"] == sum(1 for r in panel.store.rows
                                                                           if not r.retry_data_key)
        assert len({(i.record.flow_id, i.record.step_id) for i in preview.changed}) > 1
