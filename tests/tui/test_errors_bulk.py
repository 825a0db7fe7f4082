"""Pilot tests of retry and resolve from the errors screen, against the in-process simulator.

They check what reached the server (the simulator's request log, or the recording transport), not only what
the screen shows: each batch accepted exactly once, none lost, nothing sent after a cancel.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Sequence
from pathlib import Path

import httpx

from explorer.model import ErrorRecord
from explorer.services.bulk import BulkOptions
from explorer.services.error_export import CSV_COLUMNS
from explorer.simulator import Simulator, retry_fails
from explorer.tui.screens.errors_dialogs import BulkProgressDialog
from tests.helpers.errors_app import (
    AMAZON,
    SHOPIFY,
    ErrorsHost,
    RecordingTransport,
    choose,
    confirm,
    finished,
    loaded,
    screen_of,
    step_screen,
    wait_for,
)


async def test_retry_sends_once_rows_leave_open_and_repeats_come_back_marked() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(AMAZON)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        await pilot.press("f")
        await choose(pilot, "code\tINVALID_KEY_OR_REF")
        chosen = list(panel.store.view)
        await pilot.press("a", "r")
        _, body = await confirm(pilot)
        assert f"{len(chosen)} of {len(chosen)} selected" in body
        report_dialog = await finished(pilot, sim)
        runner = screen_of(pilot.app).runner
        report = runner.last_report
        assert report is not None and len(report.sent) == len(chosen) and report.batches_sent == 1
        posts = [r for r in sim.requests if r[0] == "POST" and r[1].endswith("/retry")]
        assert len(posts) == 1 and posts[0][2] in (200, 201)
        assert [job.status for job in report.followed] == ["completed"]
        report_text = str(report_dialog.query_one("#bulk-report").render())
        assert "failed again" in report_text
        await pilot.press("escape")
        panel = await loaded(pilot)  # reloaded after the job ended
        failing = {r.trace_key for r in chosen if retry_fails(0, r.error_id)}
        assert failing  # some records fail deterministically
        ids_before = {r.error_id for r in chosen}
        repeats = [r for r in panel.store.rows if r.trace_key in failing and panel.store.is_refailed(r)]
        assert {r.trace_key for r in repeats} == failing
        assert not ids_before & {r.error_id for r in panel.store.rows}  # the retried ones left Open
        assert all(r.code == "INVALID_KEY_OR_REF" for r in repeats)
        assert f"{len(failing)} failed again" in report_text


async def test_resolve_moves_rows_to_the_resolved_tab() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(SHOPIFY)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        picked = [r.error_id for r in panel.store.view[:3]]
        await pilot.press("space", "space", "space", "x")
        title, _ = await confirm(pilot)
        assert title == "Resolve 3 errors?"
        await finished(pilot)
        await pilot.press("escape")
        assert not set(picked) & {r.error_id for r in panel.store.rows}
        assert {e["errorId"] for e in sim.resolved_errors(*SHOPIFY)} >= set(picked)
        await pilot.press("2")
        screen = screen_of(pilot.app)
        await wait_for(pilot, lambda: screen.resolved_panel.store.complete)
        resolved_ids = [r.error_id for r in screen.resolved_panel.store.rows]
        assert set(picked) <= set(resolved_ids) and len(resolved_ids) == 25 + 3
        assert screen.check_action("retry", ()) is False  # no retry/resolve from the Resolved tab


async def test_cancel_in_the_middle_of_a_3000_error_retry() -> None:
    sim = Simulator(seed=0, time_scale=0)
    # One batch at a time, and the pacing wait before the second batch never ends by itself: esc is
    # pressed between batches however slow the machine (a 0.5 s gap was missed on a loaded CI machine).
    async def endless(seconds: float) -> None:
        await asyncio.Event().wait()

    options = BulkOptions(min_interval=0.5, burst=1, poll_interval=0.02, sleep=endless)
    async with ErrorsHost(sim, step_screen(AMAZON, bulk_options=options)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        await pilot.press("a", "r")
        await confirm(pilot, key=False)

        def posts() -> list[tuple[str, str, int]]:
            return [r for r in sim.requests if r[0] == "POST" and r[1].endswith("/retry")]

        await wait_for(pilot, lambda: len(posts()) == 1)
        progress = pilot.app.screen
        assert isinstance(progress, BulkProgressDialog)
        progress.action_cancel_or_close()  # what esc does (pilot.press would first wait for idle)
        dialog = await finished(pilot)
        await pilot.app.workers.wait_for_complete()  # the bulk run has ended: nothing more can be sent
        await pilot.pause()
        assert len(posts()) == 1
        report = screen_of(pilot.app).runner.last_report
        assert report is not None and report.canceled
        assert len(report.sent) == 1000 and len(report.not_sent) == 2000
        assert "canceled: 2000 not sent" in str(dialog.query_one("#bulk-report").render())
        assert len(sim.open_errors(*AMAZON)) == 2000
        assert len(panel.store.rows) == 2000 and len(panel.store.selection) == 2000


async def test_a_429_storm_during_a_bulk_retry_neither_repeats_nor_loses_a_batch() -> None:
    # The rate limiter runs on a fake clock that only the waits move: loading takes the 4 tokens of the
    # bucket, so every batch meets 429s and each wait refills a quarter of a token (deterministic storm).
    now = [0.0]
    sim = Simulator(seed=0, time_scale=0, rate_bucket=4, rate_refill_per_s=1.0, monotonic=lambda: now[0])
    transport = RecordingTransport(sim)

    async def scaled_sleep(seconds: float) -> None:
        now[0] += seconds * 0.25
        await asyncio.sleep(0.001)

    options = BulkOptions(min_interval=0.0, follow=False, sleep=scaled_sleep)
    host = ErrorsHost(sim, step_screen(AMAZON, bulk_options=options), max_retries=1, sleep=scaled_sleep,
                      transport=transport)
    async with host.run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        keys = sorted(r.retry_data_key or "" for r in panel.store.rows)
        await pilot.press("a", "r")
        await confirm(pilot)
        await finished(pilot)
        calls = transport.bulk_calls
        limited = [c for c in calls if c[2] == 429]
        accepted = [c for c in calls if c[2] < 300]
        assert len(limited) >= 6, "the small bucket must have produced a storm of 429s"
        assert len(accepted) == 3  # three batches, each accepted exactly once
        assert len({ids for _, ids, _ in accepted}) == 3
        assert sorted(k for _, ids, _ in accepted for k in ids) == keys  # none lost, none twice
        report = screen_of(pilot.app).runner.last_report
        assert report is not None and len(report.sent) == 3000 and not report.failed and not report.not_sent
        assert sim.open_errors(*AMAZON) == []


async def test_ctrl_e_exports_the_filtered_list(tmp_path: Path) -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(SHOPIFY, export_dir=tmp_path)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        await pilot.press("slash", *"invalid_fld", "enter")
        await pilot.pause()
        shown = list(panel.store.view)
        assert 0 < len(shown) < 12
        await pilot.press("ctrl+e")
        await choose(pilot, "csv")
        assert panel.last_export is not None and panel.last_export.parent == tmp_path
        with panel.last_export.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == CSV_COLUMNS
        assert [row[2] for row in rows[1:]] == [r.error_id for r in shown]
        message = CSV_COLUMNS.index("message")
        assert [row[message] for row in rows[1:]] == [r.message for r in shown]
        assert str(panel.last_export) in str(panel.query_one("#status").render())


async def test_the_resolved_tab_is_built_and_asked_for_only_when_first_shown() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(SHOPIFY)).run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        screen = screen_of(pilot.app)
        assert not screen.query("#resolved-panel")  # not composed with the Open tab's first frame
        assert not [r for r in sim.requests if r[1].split("?")[0].endswith("/resolved")]
        assert screen.check_action("retry", ()) is True
        await pilot.press("2")
        # Loaded and focused are two moments (focus follows the first refresh of the new tab).
        await wait_for(pilot, lambda: screen.resolved_panel.store.complete
                       and screen.resolved_panel.table.has_focus)
        assert screen.active_panel is screen.resolved_panel
        assert screen.check_action("retry", ()) is False
        assert len([r for r in sim.requests if r[1].split("?")[0].endswith("/resolved")]) == 1
        await pilot.press("1", "2")  # shown again: the same panel, no second load
        await pilot.pause()
        assert len(screen.query("#resolved-panel")) == 1
        assert len([r for r in sim.requests if r[1].split("?")[0].endswith("/resolved")]) == 1


class HeldAnswers(RecordingTransport):
    """Holds every retry answer until ``count`` retry calls have arrived, then lets them all through."""

    def __init__(self, sim: Simulator, count: int) -> None:
        super().__init__(sim)
        self.count = count
        self.arrived = 0
        self.all_in = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/retry"):
            self.arrived += 1
            if self.arrived >= self.count:
                self.all_in.set()
            await self.all_in.wait()
        return await super().handle_async_request(request)


async def test_batches_answered_together_leave_the_table_in_one_walk() -> None:
    # A 3000-error retry goes out as one burst of 3 batches; their answers come back together. Dropping
    # each batch's rows walks every row of the table (100,000 on a large step): once for all, not thrice.
    sim = Simulator(seed=0, time_scale=0)
    transport = HeldAnswers(sim, 3)
    options = BulkOptions(min_interval=0.0, follow=False)
    host = ErrorsHost(sim, step_screen(AMAZON, bulk_options=options), transport=transport)
    async with host.run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        walks: list[int] = []
        forget = panel.forget

        def counted(records: Sequence[ErrorRecord]) -> None:
            walks.append(len(records))
            forget(records)

        panel.forget = counted  # type: ignore[method-assign]
        await pilot.press("a", "r")
        await confirm(pilot)
        await finished(pilot)
        assert [status for _, _, status in transport.bulk_calls] == [201, 201, 201]
        assert walks == [3000] and not panel.store.rows
        report = screen_of(pilot.app).runner.last_report
        assert report is not None and len(report.sent) == 3000
