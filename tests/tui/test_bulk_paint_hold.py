"""The bulk dialog repaints its bar at most every ``PAINT_HOLD_S`` while answers are due, and at once for
the answer that completes the run.

Why (issue 10): the ten answers of a 10,000-error retry come within ~10 ms; a repaint per answer held the
reading of the next answers, and the last batch showed 4-6 ms later on screen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from explorer.services.bulk import BulkProgress
from explorer.tui.screens import errors_dialogs
from explorer.tui.screens.errors_dialogs import BulkProgressDialog


def _status(dialog: BulkProgressDialog) -> str:
    return str(dialog.query_one("#bulk-status", Static).render())


def _progress(sent: int, batches_done: int) -> BulkProgress:
    return BulkProgress("retry", total=3000, batches_total=3, batches_done=batches_done, sent=sent)


@asynccontextmanager
async def _shown() -> AsyncIterator[tuple[Pilot[Any], BulkProgressDialog]]:
    """A progress dialog (no question) on screen in a bare app."""
    dialog = BulkProgressDialog("Retrying 3,000 errors", 3000, lambda: None)
    app: App[Any] = App()
    async with app.run_test(size=(120, 30)) as pilot:
        app.push_screen(dialog)
        await pilot.pause()
        yield pilot, dialog


async def test_answers_before_the_last_are_painted_within_the_hold_and_the_last_at_once() -> None:
    async with _shown() as (pilot, dialog):
        assert "starting" in _status(dialog)

        dialog.show_progress(_progress(1000, 1))
        dialog.show_progress(_progress(2000, 2))
        assert "starting" in _status(dialog)  # held: more answers are due
        await pilot.pause(errors_dialogs.PAINT_HOLD_S * 3)
        assert "batches 2/3 · sent 2000" in _status(dialog)  # the latest of the held ones, in time

        dialog.show_progress(_progress(2000, 2))  # a note, say: held again...
        dialog.show_progress(_progress(3000, 3))  # ...until the run is complete: painted at once
        assert "batches 3/3 · sent 3000" in _status(dialog)


async def test_the_report_paints_a_held_bar_with_it() -> None:
    async with _shown() as (_, dialog):
        dialog.show_progress(_progress(1000, 1))  # then cancelled: no completing answer comes
        dialog.show_report(["1000 of 3000 retried (canceled)"])
        assert "batches 1/3 · sent 1000" in _status(dialog)
        assert "1000 of 3000 retried" in str(dialog.query_one("#bulk-report", Static).render())
