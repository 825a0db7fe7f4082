"""Keys typed right after ``q`` must not act on an app that is already quitting."""

from __future__ import annotations

from textual import events

from explorer.simulator import Simulator
from tests.helpers.browse_app import make_app, settle


async def test_a_key_queued_behind_quit_opens_nothing() -> None:
    # ``qt`` typed quickly: before the fix, 't' mounted the token screen into the closing app and the
    # process printed a NoMatches traceback on its way out.
    app = make_app(Simulator())
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.post_message(events.Key("q", "q"))
        app.post_message(events.Key("t", "t"))
        await pilot.pause()
        await pilot.pause()
    assert app.return_code == 0
    assert all(type(screen).__name__ != "TokenScreen" for screen in app.screen_stack)
