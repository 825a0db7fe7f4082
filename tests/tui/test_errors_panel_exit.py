"""Closing a screen while its error pages still stream in ends quietly, without a worker error.

Why: when Textual removes a widget it closes the widget's children first and cancels its workers last; a
page that arrived in between made the panel's loader update a status line that was already gone
(``NoMatches: '#status'``), and the app ended with a worker error. Seen in CI as a flaky cross-step test
that quit while its reload after a retry was still loading (the same race, as the app closes its screens).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from textual.app import App, ComposeResult
from textual.screen import Screen

from explorer.model import ErrorRecord
from explorer.tui.widgets.errors_panel import ErrorsPanel
from tests.helpers.waiting import until


class EndlessPages:
    """A page source that never ends: one new error per page, a loop turn apart."""

    def __init__(self) -> None:
        self.pages = 0

    def __call__(self) -> AsyncIterator[list[ErrorRecord]]:
        async def pages() -> AsyncIterator[list[ErrorRecord]]:
            while True:
                self.pages += 1
                yield [ErrorRecord("f", "s", f"e{self.pages}")]
                await asyncio.sleep(0)
        return pages()


class PanelScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield ErrorsPanel(id="panel")


async def test_closing_the_screen_while_pages_stream_in_is_not_an_error() -> None:
    source = EndlessPages()
    app = App[None]()
    async with app.run_test(size=(100, 20)) as pilot:
        screen = PanelScreen()
        await app.push_screen(screen)
        panel = screen.query_one(ErrorsPanel)
        panel.load(source)
        await until(pilot, lambda: source.pages > 50, idle_first=False)
        app.pop_screen()
        await until(pilot, lambda: not screen.is_attached and all(w.is_finished for w in app.workers),
                    idle_first=False)
        streamed = source.pages
        await pilot.pause()
        assert source.pages == streamed  # the loader stopped with its screen
