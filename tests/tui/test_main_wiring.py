"""The main screen opens the issue-4 and issue-5 screens with the right arguments, end to end.

Each test starts from the tree, as a user does, and checks what reached the simulator or the screen shown.
"""

from __future__ import annotations

import json
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from explorer.journal import Journal
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_cross import CrossStepErrorsScreen
from explorer.tui.screens.jobs import JobsScreen
from explorer.tui.screens.journal import JournalScreen
from explorer.tui.screens.main import MainScreen
from explorer.tui.widgets.resource_tree import ResourceTree
from tests.helpers.browse_app import make_app, settle
from tests.helpers.edit_host import replace_in_area, static_text, until
from tests.helpers.toasts import toast_titles

SIZE = (120, 36)


def tree_of(app: ExplorerApp) -> ResourceTree:
    main = app.main_screen
    assert main is not None
    return main.resource_tree


async def at(pilot: Pilot[Any], app: ExplorerApp, key: str) -> None:
    assert await tree_of(app).reveal(key)
    await settle(pilot)


async def test_e_edits_the_flow_under_the_cursor_and_the_tree_shows_the_saved_name() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await at(pilot, app, f"flow:{d.FLOW_SHOPIFY_ORDERS}")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        area = app.screen.query_one(TextArea)
        await until(pilot, lambda: '"name"' in area.text)
        assert json.loads(area.text)["_id"] == d.FLOW_SHOPIFY_ORDERS
        replace_in_area(area, '"Shopify Orders to NetSuite Sales Orders"', '"Orders (fixed at 3am)"')
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        target = static_text(app.screen.query_one("#confirm-target", Static))
        assert target == f"PUT /v1/flows/{d.FLOW_SHOPIFY_ORDERS}"
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        await settle(pilot)
        assert sim.doc("flows", d.FLOW_SHOPIFY_ORDERS)["name"] == "Orders (fixed at 3am)"
        item = tree_of(app).item(f"flow:{d.FLOW_SHOPIFY_ORDERS}")
        assert item is not None and item.name == "Orders (fixed at 3am)"
        entries = Journal.default().entries()
        assert [(e.method, e.status) for e in entries] == [("PUT", 200)]


async def test_read_only_hides_edit_run_and_undo() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await at(pilot, app, f"flow:{d.FLOW_SHOPIFY_ORDERS}")
        main = app.main_screen
        assert main is not None
        for action in ("edit", "external_edit", "undo", "run_flow"):
            assert main.check_action(action, ()) is False
        await pilot.press("e", "R", "u")
        await pilot.pause()
        assert app.screen is main
        assert [r for r in sim.requests if r[0] != "GET"] == []
        assert toast_titles(app).count("Read-only") == 3  # each key says why it does nothing


async def test_enter_on_an_errors_node_opens_the_triage_screen_with_the_badge_total() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await at(pilot, app, f"errors:{d.SALESFORCE_FLOW}:{d.SALESFORCE_IMPORT_STEP}")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ErrorsScreen)
        assert (screen.flow_id, screen.step_id) == (d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)


async def test_palette_offers_errors_of_a_step_by_its_name() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await at(pilot, app, f"flow:{d.SALESFORCE_FLOW}")
        await until(pilot, lambda: app.account.catalog_loaded is not None)  # the palette's step names
        app.open_errors(d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
        await settle(pilot)
        assert isinstance(app.screen, ErrorsScreen)
        from explorer.tui.commands import ExplorerCommands

        provider = ExplorerCommands(app.screen, None)
        hits = [hit async for hit in provider.search("Errors: NetSuite customer")]
        assert any(str(hit.text).startswith("Errors: ") for hit in hits)


async def test_capital_e_on_an_integration_lists_errors_across_its_steps() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await at(pilot, app, f"integration:{d.INT_AMAZON}")
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, CrossStepErrorsScreen)


async def test_j_shows_jobs_and_w_the_journal() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await at(pilot, app, f"flow:{d.FLOW_SHOPIFY_ORDERS}")
        await pilot.press("J")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen) and screen.flow_id == d.FLOW_SHOPIFY_ORDERS
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)


async def test_a_flows_jobs_node_opens_its_jobs() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await at(pilot, app, f"jobs:{d.FLOW_SHOPIFY_ORDERS}")
        item = tree_of(app).cursor_item
        assert item is not None and item.kind == "jobs"
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen) and screen.flow_id == d.FLOW_SHOPIFY_ORDERS
        assert screen.jobs, "the simulator's demo flow has a job history"
