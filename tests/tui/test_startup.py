"""Start-up of the main screen (issue 10): work Textual would repeat before the first frame is skipped, and
what it was for still happens when it matters."""

from __future__ import annotations

import pytest
from textual import events

from explorer.simulator import Simulator
from explorer.tui.screens.main import MainScreen
from tests.helpers.browse_app import make_app, settle


async def test_the_main_screen_skips_the_restyle_when_first_shown_and_follows_a_theme_change() -> None:
    """Start-up (issue 10): the first resume skips Textual's whole-screen restyle (every widget was just
    styled); a theme changed while the help screen was on top still shows once the main screen is back."""
    seen: list[bool] = []
    original = MainScreen.on_screen_resume

    def noted(self: MainScreen, event: events.ScreenResume) -> None:
        original(self, event)
        seen.append(event.refresh_styles)

    app = make_app(Simulator(seed=0, time_scale=0))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MainScreen, "on_screen_resume", noted)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            tree = app.screen.query_one("#tree")
            before = tree.styles.background
            await pilot.press("question_mark")
            await settle(pilot)
            app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert seen[0] is False
            assert app.screen.query_one("#tree").styles.background != before
