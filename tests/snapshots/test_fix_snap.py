"""Snapshots of the bulk fix (simulator seed 0, frozen clocks, a fixed batch id, no wall clock on screen).

Review the SVGs (or their PNGs via rsvg-convert) before accepting changes with ``--snapshot-update``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from explorer.client import IntegratorClient
from explorer.journal import DraftStore, Journal
from explorer.services.bulk import BulkOptions
from explorer.services.fix_run import FixOptions
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_dialogs import ConfirmBulkDialog
from explorer.tui.screens.fix_dialogs import FixPreviewScreen, FixProgressDialog, PatchEditorScreen
from explorer.tui.screens.journal import JournalScreen
from tests.helpers.errors_app import AMAZON, ErrorsHost, wait_for

SIZE = (130, 36)
SALESFORCE = (d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
FROZEN_FIX = FixOptions(rate=10_000.0, clock=lambda: 0.0)
FROZEN_BULK = BulkOptions(min_interval=0.0, poll_interval=0.02, clock=lambda: 0.0)
WHEN = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fixed_batch_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("explorer.services.fix_apply.secrets.token_hex", lambda _n: "5eed00")


def write_context(client: IntegratorClient, tmp: Path) -> WriteContext:
    return WriteContext(api=client, profile="demo", drafts=DraftStore(tmp / "drafts"),
                        journal=Journal(tmp / "journal.jsonl"), clock=lambda: WHEN)


def host(step: tuple[str, str], tmp: Path) -> ErrorsHost:
    def make(client: IntegratorClient) -> ErrorsScreen:
        flow = "Amazon → NetSuite" if step == AMAZON else "Salesforce → NetSuite"
        return ErrorsScreen(client, *step, step_name="NetSuite import", flow_name=flow,
                            bulk_options=FROZEN_BULK, fix_context=write_context(client, tmp),
                            fix_options=FROZEN_FIX)
    return ErrorsHost(Simulator(seed=0, time_scale=0), make)


async def loaded(pilot: Pilot[Any]) -> ErrorsScreen:
    screen = pilot.app.screen_stack[-1]
    assert isinstance(screen, ErrorsScreen)
    panel = screen.open_panel
    await wait_for(pilot, lambda: panel.store.complete and panel.store.total is not None)
    await pilot.pause()
    return screen


async def patch_editor(pilot: Pilot[Any]) -> PatchEditorScreen:
    """Mark every Salesforce error, cursor on a 'Wholesale [EU]' one, and open the patch editor (``T``)."""
    screen = await loaded(pilot)
    panel = screen.open_panel
    wholesale = "Wholesale [EU]' for the following"
    cursor = next(i for i, r in enumerate(panel.store.view) if wholesale in r.message)
    panel.table.move_cursor(cursor)
    await pilot.press("a", "T")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PatchEditorScreen))
    editor = pilot.app.screen
    assert isinstance(editor, PatchEditorScreen)
    editor.area.cursor_blink = False
    await pilot.pause()
    return editor


async def preview(pilot: Pilot[Any]) -> FixPreviewScreen:
    editor = await patch_editor(pilot)
    ops = json.loads(editor.area.text)
    ops[1]["value"] = "Wholesale EU"
    editor.area.load_text(json.dumps(ops, indent=1))
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FixPreviewScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, FixPreviewScreen)
    return screen


def test_errors_grouped_by_template(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(host(AMAZON, tmp_path), terminal_size=SIZE, run_before=run_before)


def test_patch_editor_started_from_the_cursor_record(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await patch_editor(pilot)

    assert snap_compare(host(SALESFORCE, tmp_path), terminal_size=SIZE, run_before=run_before)


def test_preview_summary_and_diff_stepper(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await preview(pilot)
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(host(SALESFORCE, tmp_path), terminal_size=SIZE, run_before=run_before)


def test_batch_in_the_journal(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await preview(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmBulkDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FixProgressDialog))
        progress = pilot.app.screen
        assert isinstance(progress, FixProgressDialog)
        await wait_for(pilot, lambda: progress.finished)
        await pilot.press("escape")
        screen = pilot.app.screen_stack[1]
        assert isinstance(screen, ErrorsScreen)
        context = write_context(screen.client, tmp_path)
        await pilot.app.push_screen(JournalScreen(context, fix_client=screen.client))
        await pilot.pause()

    assert snap_compare(host(SALESFORCE, tmp_path), terminal_size=SIZE, run_before=run_before)
