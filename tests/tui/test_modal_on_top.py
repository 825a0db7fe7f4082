"""A modal stays on top and holds the focus through a resize and a refresh of the screens under it.

After a bulk retry the result dialog once stayed invisible while holding the focus (keys went nowhere).
This opens the result dialog of a real bulk action over the real app, then resizes the terminal and reloads
the tree and the errors list underneath, and checks the dialog is the top screen, is what is drawn in the
middle of the terminal, owns the focus, and answers a key.
"""

from __future__ import annotations

from textual.pilot import Pilot

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_dialogs import BulkProgressDialog
from tests.helpers.browse_app import make_app, settle, tree_of
from tests.helpers.edit_host import until


def assert_on_top(app: ExplorerApp, dialog: BulkProgressDialog) -> None:
    assert app.screen is dialog and app.screen_stack[-1] is dialog
    width, height = app.size
    widget, _ = app.screen.get_widget_at(width // 2, height // 2)
    assert widget.screen is dialog, f"{type(widget).__name__} of {type(widget.screen).__name__} is drawn"
    assert app.focused is None or app.focused.screen is dialog


async def resize(pilot: Pilot[None], width: int, height: int) -> None:
    await pilot.resize_terminal(width, height)
    await settle(pilot)


async def test_the_result_dialog_stays_on_top_and_focused_through_a_resize_and_a_refresh() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert await tree_of(app).reveal(f"errors:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}")
        await pilot.press("enter")
        await settle(pilot)
        errors = app.screen
        assert isinstance(errors, ErrorsScreen)
        await pilot.press("a", "x", "y")  # mark all, resolve, confirm
        await until(pilot, lambda: isinstance(app.screen, BulkProgressDialog) and app.screen.finished)
        dialog = app.screen
        assert isinstance(dialog, BulkProgressDialog)
        await settle(pilot)
        assert_on_top(app, dialog)

        await resize(pilot, 80, 24)
        assert_on_top(app, dialog)
        main = app.main_screen
        assert main is not None
        main.resource_tree.action_reload_all()  # the tree under everything reloads
        errors.action_refresh()  # and so does the errors list right under the dialog
        await settle(pilot)
        assert_on_top(app, dialog)
        await resize(pilot, 140, 40)
        assert_on_top(app, dialog)

        await pilot.press("enter")  # the key reaches the dialog: it closes
        await settle(pilot)
        assert app.screen is errors and dialog not in app.screen_stack
        assert app.focused is not None and app.focused.screen is errors
