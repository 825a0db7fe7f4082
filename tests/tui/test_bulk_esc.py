"""esc in the bulk progress dialog while a batch waits out a 429: nothing more is sent, the report is exact.

Through the real dialog (``BulkProgressDialog`` over the errors screen, keys pressed with the pilot) and the
simulator's own rate limiter: its bucket is drained so that exactly one batch gets through and the next ones
are answered 429 with a long ``Retry-After``. Two lengths: 30 s is waited by the client itself (its retry
loop, below the bulk runner), 120 s is beyond the client's limit and waited by the bulk runner. Either wait
must end at esc, with no ``POST …/retry`` after it, and the dialog must count exactly what the server took.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from textual.widgets import Label

from explorer.services.bulk import BulkOptions
from explorer.simulator import Simulator
from explorer.tui.screens.errors_dialogs import BulkProgressDialog
from tests.helpers.errors_app import (
    AMAZON,
    SHOPIFY,
    ErrorsHost,
    RecordingTransport,
    confirm,
    loaded,
    screen_of,
    step_screen,
)
from tests.helpers.held import Held
from tests.helpers.sim_calls import call
from tests.helpers.waiting import until


@pytest.mark.parametrize("retry_after", [30, 120])
async def test_esc_during_a_long_retry_after_sends_nothing_more_and_reports_what_was_accepted(
        retry_after: int) -> None:
    now = [0.0]  # the rate limiter's clock: it moves only when the test says so
    sim = Simulator(seed=0, time_scale=0, rate_bucket=1000, rate_refill_per_s=1.0 / retry_after,
                    monotonic=lambda: now[0])
    transport = RecordingTransport(sim)
    options = BulkOptions(min_interval=0.0, poll_interval=0.02)
    host = ErrorsHost(sim, step_screen(AMAZON, bulk_options=options), transport=transport)
    async with host.run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        assert len(panel.store.rows) == 3000  # three batches of 1000
        while call(sim, "GET", "/v1/tokenInfo").status != 429:  # drain the bucket
            pass
        now[0] += retry_after  # one token back: one batch gets through, the next ones meet the empty bucket
        await pilot.press("a", "r")
        await confirm(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, BulkProgressDialog)

        def accepted() -> list[tuple[str, tuple[str, ...], int]]:
            return [c for c in transport.bulk_calls if c[2] < 300]

        def throttled() -> list[tuple[str, tuple[str, ...], int]]:
            return [c for c in transport.bulk_calls if c[2] == 429]

        await until(pilot, lambda: len(accepted()) == 1 and len(throttled()) >= 1, idle_first=False)
        await asyncio.sleep(0.3)  # the throttled batches are in their Retry-After wait now
        assert not dialog.finished
        sent_at_esc = list(transport.bulk_calls)
        pressed = time.monotonic()
        await pilot.press("escape")
        await until(pilot, lambda: dialog.finished, idle_first=False)
        assert time.monotonic() - pressed < 5.0  # not after the Retry-After
        await pilot.app.workers.wait_for_complete()
        await asyncio.sleep(0.3)
        assert transport.bulk_calls == sent_at_esc  # no POST .../retry left after the esc

        taken = {key for _, ids, _ in accepted() for key in ids}
        assert len(taken) == 1000 and len(sim.open_errors(*AMAZON)) == 3000 - len(taken)
        report = screen_of(pilot.app).runner.last_report
        assert report is not None and report.canceled
        assert {r.retry_data_key for r in report.sent} == taken and len(report.not_sent) == 2000
        shown = str(dialog.query_one("#bulk-report").render())
        assert f"{len(taken)} of 3000 retried" in shown and "canceled: 2000 not sent" in shown


async def test_esc_twice_stops_waiting_for_a_batch_the_server_never_answers() -> None:
    sim = Simulator(seed=0, time_scale=0)
    transport = Held.sim(sim, hold=lambda request: request.method == "POST")
    host = ErrorsHost(sim, step_screen(SHOPIFY), transport=transport)
    async with host.run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        count = len(panel.store.rows)
        await pilot.press("a", "r")
        await confirm(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, BulkProgressDialog)
        await until(pilot, transport.holding.is_set, idle_first=False)
        keys = dialog.query_one("#bulk-keys", Label)
        await pilot.press("escape")  # cancel: the batch on the wire may still complete
        await until(pilot, lambda: "esc again" in str(keys.render()), idle_first=False)
        assert not dialog.finished
        await pilot.press("escape")  # stop waiting for it
        await until(pilot, lambda: dialog.finished, idle_first=False)
        await pilot.app.workers.wait_for_complete()
        await asyncio.sleep(0.3)
        assert [s for s in transport.sent if s.startswith("POST")] == [
            f"POST /v1/flows/{SHOPIFY[0]}/{SHOPIFY[1]}/retry"]  # sent once, never again
        shown = str(dialog.query_one("#bulk-report").render())
        assert f"0 of {count} retried" in shown  # not counted as accepted: no answer came
        assert "stopped waiting" in shown and "the server may have processed this batch" in shown
