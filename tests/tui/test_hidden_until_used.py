"""The widgets the main screen's first frame does not show are mounted after it, and still work before.

Why: building, styling and mounting the tree's filter field, the problem panel and the JSON pane's search bar
came before ``iox --demo``'s tree reached the screen (issue 10: start-up against posting). These tests keep
them out of the first frame and check that each works when it is needed before they would have come: ``/``
typed at once, a 401 at start, ``/`` in a JSON pane.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from explorer.simulator import Simulator
from explorer.tui.screens.main import MainScreen
from explorer.tui.widgets.json_view import JsonView
from explorer.tui.widgets.problem_panel import ProblemPanel
from tests.helpers.browse_app import labels, make_app, settle, tree_of

SIZE = (120, 40)
HIDDEN = ("tree-filter", "problem")


def _ids(screen: MainScreen) -> set[str]:
    return {widget.id for widget in screen.walk_children() if widget.id}


async def test_the_first_frame_is_built_without_them_and_they_come_after_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """At the first frame (``_warm_up``) neither is in the DOM; just after, both are (hidden)."""
    at_first_frame: list[set[str]] = []
    warm_up = MainScreen._warm_up

    def spy(screen: MainScreen) -> None:
        at_first_frame.append(_ids(screen))
        warm_up(screen)

    monkeypatch.setattr(MainScreen, "_warm_up", spy)
    app = make_app(Simulator(seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert at_first_frame and not at_first_frame[0] & set(HIDDEN)
        assert "tree" in at_first_frame[0]
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for hidden in HIDDEN:
            assert not screen.query_one(f"#{hidden}").display
        assert app.screen.focused is tree_of(app)


async def test_slash_before_they_were_mounted_opens_the_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MainScreen, "_warm_up", lambda screen: None)  # as if typed before the first frame
    app = make_app(Simulator(seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "tree-filter" not in _ids(app.screen)  # type: ignore[arg-type]
        await pilot.press("slash")
        await pilot.press(*"invoices")
        await pilot.pause()
        field = app.screen.query_one("#tree-filter", Input)
        assert field.display and field.value == "invoices" and app.screen.focused is field
        assert [line.strip().split("  ")[0] for line in labels(tree_of(app))] == [
            "Amazon - NetSuite", "Amazon Orders to NetSuite Invoices"]
        await pilot.press("escape")
        await pilot.pause()
        assert not field.display and field.value == ""


async def test_a_401_before_they_were_mounted_shows_the_problem_panel(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MainScreen, "_warm_up", lambda screen: None)
    app = make_app(Simulator(seed=0), "revoked")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(ProblemPanel)
        assert app.screen.has_class("-problem") and panel.display and app.screen.focused is panel
        assert "refused the API token (HTTP 401)" in str(panel.render())


def test_the_json_pane_composes_its_lines_only() -> None:
    """The search bar is mounted after the first frame (``JsonView._search_bar``), not composed."""
    assert [widget.id for widget in JsonView().compose()] == ["json-body"]
