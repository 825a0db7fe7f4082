"""Snapshots of the editor's screens: a JSON error, the diff/confirm screen, the 422 panel, the stale choice.

Deterministic: simulator seed 0 with its clock frozen (``time_scale=0``), no wall clock on screen, cursor
blink off, fixed terminal size. Review the SVGs (or PNGs made with rsvg-convert) before ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from explorer.client import IntegratorClient
from explorer.journal import DraftStore, Journal
from explorer.services import write_targets
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen, StaleChoiceScreen
from explorer.tui.widgets.edit_problems import EditProblems
from tests.helpers.edit_host import EditHost, replace_in_area, static_text, until

SIZE = (120, 36)
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


class SnapHost(EditHost):
    """Builds the client inside the app's own event loop (``snap_compare`` runs the app with ``run``)."""

    def __init__(self, sim: Simulator, tmp: Path, kind: str, resource_id: str) -> None:
        super().__init__(self._make)
        self.sim = sim
        self.tmp = tmp
        self.target = write_targets.resource_target(kind, resource_id)
        self.api: IntegratorClient | None = None

    def _make(self) -> EditorScreen:
        transport = SimulatorTransport(self.sim)
        self.api = IntegratorClient(DEMO_TOKENS["full"], transport=transport, max_retries=0)
        stores = DraftStore(self.tmp / "drafts"), Journal(self.tmp / "journal.jsonl")
        context = WriteContext(self.api, "demo", *stores)
        return EditorScreen(context, self.target, draft_delay_s=0.05)

    async def on_unmount(self) -> None:
        if self.api is not None:
            await self.api.aclose()


def host(tmp_path: Path, kind: str = "flows", resource_id: str = d.FLOW_SHOPIFY_ORDERS) -> SnapHost:
    return SnapHost(Simulator(seed=0, time_scale=0), tmp_path, kind, resource_id)


async def loaded(pilot: Pilot[Any]) -> EditorScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.screen.area is not None)
    screen = app.screen
    assert isinstance(screen, EditorScreen) and screen.area is not None
    screen.area.cursor_blink = False
    return screen


def test_editor_with_a_json_error(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await loaded(pilot)
        assert screen.area is not None
        screen.area.move_cursor((3, len(screen.area.document.get_line(3))))  # end of the _integrationId line
        await pilot.press("backspace")
        status = screen.query_one("#edit-status", Static)
        await until(pilot, lambda: "JSON error" in static_text(status))

    assert snap_compare(host(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_diff_confirm_screen_with_warnings(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await loaded(pilot)
        assert screen.area is not None
        replace_in_area(screen.area, '"Shopify - Acme Store"', '"Shopify - Acme Store (EU)"')
        replace_in_area(screen.area, '  "sandbox": false,\n', "")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, DiffConfirmScreen))
        await pilot.pause(0.1)

    app = host(tmp_path, "connections", d.CONN_SHOPIFY)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_422_panel_with_the_cursor_on_the_field(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await loaded(pilot)
        assert screen.area is not None
        replace_in_area(screen.area, d.IMP_NS_SALES_ORDER, "ffffffffffffffffffffffff")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, DiffConfirmScreen))
        await pilot.press("y")
        panel = screen.query_one(EditProblems)
        await until(pilot, lambda: bool(panel.problems) and pilot.app.screen is screen)
        await pilot.pause(0.1)

    assert snap_compare(host(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_stale_write_choice(snap_compare: Any, tmp_path: Path) -> None:
    app = host(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await loaded(pilot)
        assert screen.area is not None
        replace_in_area(screen.area, '"disabled": false', '"disabled": true')
        doc = app.sim.doc("flows", d.FLOW_SHOPIFY_ORDERS)
        app.sim.replace_doc("flows", d.FLOW_SHOPIFY_ORDERS, {**doc, "description": "Paused for the audit."})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, DiffConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(pilot.app.screen, StaleChoiceScreen))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
