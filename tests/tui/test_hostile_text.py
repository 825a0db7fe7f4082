"""Hostile server text through every path of the TUI, checked in the bytes the terminal would receive.

A transport rewrites every answer of the simulator so that integration, flow and step names, error
messages, the token's owner and job details all carry the same hostile string (Rich markup, an OSC 52
clipboard write, a CSI and a C1 CSI, every bidi control, a line separator, NUL, DEL). Each screen is then
exported (``export_screenshot``: the full compositor update the driver would write, every character kept)
and its text is searched.
"""

from __future__ import annotations

from textual.app import App
from textual.widgets._toast import Toast

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.errors_dialogs import ConfirmBulkDialog
from tests.helpers.browse_app import make_app, move_to, node, settle, tree_of
from tests.helpers.hostile import HOSTILE, RAW, HostileTransport


def terminal_bytes(app: App[None]) -> str:
    """The full screen as exported (``export_screenshot``): every character the compositor would send, in
    the same render as the driver's; only the driver's own cursor moves and colour codes are left out."""
    return app.export_screenshot()


def assert_inert(raw: str, where: str) -> None:
    found = [repr(bad) for bad in RAW if bad in raw]
    assert not found, f"{where}: raw {', '.join(found)} reached the terminal"


async def test_hostile_text_never_reaches_the_terminal_raw() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim, transport=HostileTransport(sim))
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        node(tree, f"integration:{d.INT_SHOPIFY}").expand()  # type: ignore[attr-defined]
        node(tree, f"integration:{d.INT_SALESFORCE}").expand()  # type: ignore[attr-defined]
        await settle(pilot)
        await move_to(pilot, tree, f"integration:{d.INT_SHOPIFY}")  # the JSON pane shows its document
        await settle(pilot)
        raw = terminal_bytes(app)
        assert "52;c;SGk=" in raw  # the hostile text is on screen (escaped): the check below means something
        assert "[bold]B[/bold]" in raw  # markup shown as typed
        assert_inert(raw, "tree, JSON pane, header")

        app.notify("Refresh failed: " + HOSTILE, severity="error", markup=False)
        app.notify("x" * 5000 + "\n" * 40 + HOSTILE, markup=False)
        await pilot.pause()
        await pilot.pause()
        raw = terminal_bytes(app)
        assert_inert(raw, "notifications")
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 2 and max(t.region.height for t in toasts) <= 10  # 5 KB: a few lines, not 37

        app.open_errors(d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
        await settle(pilot)
        raw = terminal_bytes(app)
        assert "52;c;SGk=" in raw
        assert_inert(raw, "errors table")

        await pilot.press("enter")  # the error's detail
        await settle(pilot)
        assert_inert(terminal_bytes(app), "error detail")

        app.push_screen(ConfirmBulkDialog("Retry " + HOSTILE, [HOSTILE, "line " + HOSTILE], "Retry"))
        await pilot.pause()
        assert_inert(terminal_bytes(app), "dialog")
        app.pop_screen()
        await pilot.pause()

        for key in ("t", "l"):  # the token panel and the HTTP log
            while len(app.screen_stack) > 2:
                app.pop_screen()
            await pilot.press(key)
            await settle(pilot)
            assert_inert(terminal_bytes(app), f"screen of {key!r}")


async def test_the_screen_title_keeps_a_hostile_profile_label_inert() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    app.profile_label = "prod " + HOSTILE
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert_inert(terminal_bytes(app), "header")
