"""Snapshots of the errors screens (simulator seed 0, frozen simulated time, no latency, no wall clock shown).

Review the SVGs (or their PNGs via rsvg-convert) before accepting changes with ``--snapshot-update``.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from explorer.client import IntegratorClient
from explorer.services.bulk import BulkOptions
from explorer.simulator import Simulator
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_cross import CrossStepErrorsScreen
from explorer.tui.screens.errors_detail import ErrorDetailScreen
from explorer.tui.screens.errors_dialogs import BulkProgressDialog
from explorer.tui.widgets.json_view import JsonView
from tests.helpers.errors_app import AMAZON, SHOPIFY, ErrorsHost, asking, screen_of, wait_for

SIZE = (130, 36)
FROZEN = BulkOptions(min_interval=0.0, poll_interval=0.02, clock=lambda: 0.0)
"""No wall clock in the report: elapsed time reads 0.0 s."""
STUCK_AFTER_FIRST_BATCH = BulkOptions(min_interval=3600.0, burst=1, follow=False, clock=lambda: 0.0)
"""No burst, and the pacer waits an hour before the second batch: the progress dialog holds still at one
batch of three."""


def host(step: tuple[str, str], options: BulkOptions = FROZEN) -> ErrorsHost:
    def make(client: IntegratorClient) -> ErrorsScreen:
        return ErrorsScreen(client, *step, step_name="NetSuite invoice import", flow_name="Amazon → NetSuite",
                            bulk_options=options)
    return ErrorsHost(Simulator(seed=0, time_scale=0), make)


async def open_loaded(pilot: Pilot[Any]) -> ErrorsScreen:
    screen = pilot.app.screen_stack[-1]
    assert isinstance(screen, ErrorsScreen)
    panel = screen.open_panel
    await wait_for(pilot, lambda: panel.store.complete and panel.store.total is not None)
    await pilot.pause()
    return screen


def test_open_tab_with_a_filter(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_loaded(pilot)
        await pilot.press("slash", *"acm-cb-sl", "enter")
        await pilot.pause()

    assert snap_compare(host(AMAZON), terminal_size=SIZE, run_before=run_before)


def test_selection_with_the_confirm_dialog(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_loaded(pilot)
        await pilot.press("space", "space", "down", "shift+down", "shift+down", "r")
        await wait_for(pilot, lambda: asking(pilot.app))
        await pilot.pause()

    assert snap_compare(host(SHOPIFY), terminal_size=SIZE, run_before=run_before)


def test_bulk_progress_between_batches(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_loaded(pilot)
        await pilot.press("a", "r")
        await wait_for(pilot, lambda: asking(pilot.app))
        dialog = pilot.app.screen
        assert isinstance(dialog, BulkProgressDialog)
        dialog.action_confirm()
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkProgressDialog)
                       and "sent 1000 " in str(pilot.app.screen.query_one("#bulk-status").render()))
        panel = screen_of(pilot.app).open_panel  # the accepted batch leaves the table within 0.5 s
        await wait_for(pilot, lambda: len(panel.store.rows) == 2000)
        await pilot.pause()

    assert snap_compare(host(AMAZON, STUCK_AFTER_FIRST_BATCH), terminal_size=SIZE, run_before=run_before)


def test_bulk_resolve_final_report(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_loaded(pilot)
        await pilot.press("space", "space", "space", "x")
        await wait_for(pilot, lambda: asking(pilot.app))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkProgressDialog)
                       and pilot.app.screen.finished)
        await pilot.pause()

    assert snap_compare(host(SHOPIFY), terminal_size=SIZE, run_before=run_before)


async def _detail(pilot: Pilot[Any], tab: str) -> None:
    await open_loaded(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorDetailScreen))
    detail = pilot.app.screen
    assert isinstance(detail, ErrorDetailScreen)
    for pane in ("#error-json", "#retry-json", "#request-json"):
        view = detail.query_one(pane, JsonView)
        await wait_for(pilot, lambda view=view: bool(view.lines))  # type: ignore[misc]
    await pilot.press(tab)
    await pilot.pause()


def test_error_detail_retry_data(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _detail(pilot, "2")

    assert snap_compare(host(SHOPIFY), terminal_size=SIZE, run_before=run_before)


def test_error_detail_request_and_response(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _detail(pilot, "3")

    assert snap_compare(host(SHOPIFY), terminal_size=SIZE, run_before=run_before)


def test_grouped_by_code(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_loaded(pilot)
        await pilot.press("g")
        await pilot.pause()

    assert snap_compare(host(AMAZON), terminal_size=SIZE, run_before=run_before)


def test_cross_step_grouped_view(snap_compare: Any) -> None:
    from explorer.simulator import demo_ids as d

    def make(client: IntegratorClient) -> CrossStepErrorsScreen:
        return CrossStepErrorsScreen(client, title="Amazon → NetSuite", integration_id=d.INT_AMAZON)

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen_stack[-1]
        assert isinstance(screen, CrossStepErrorsScreen)
        await wait_for(pilot, lambda: screen.panel.store.complete and bool(screen.panel.groups))
        await pilot.pause()

    app = ErrorsHost(Simulator(seed=0, time_scale=0), make)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
