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

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen, StaleChoiceScreen
from explorer.tui.widgets.edit_problems import EditProblems
from tests.helpers.edit_host import replace_in_area, static_text, until
from tests.helpers.schema_editor import SchemaEditorHost

SIZE = (120, 36)
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


class SnapHost(SchemaEditorHost):
    """The editor without Celigo's schemas; builds the client inside the app's own event loop
    (``snap_compare`` runs the app with ``run``). Its class name is the title of the snapshots."""

    def __init__(self, sim: Simulator, tmp: Path, kind: str, resource_id: str) -> None:
        super().__init__(tmp, None, kind, resource_id, sim)


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
