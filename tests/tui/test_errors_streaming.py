"""The errors screen shows rows as soon as the first page arrives, and keys work while later pages load.

Why (issue 10): the panel once named its state ``loading``, which is Textual's own attribute: the table hid
behind a spinner until the last of 100,000 rows arrived. Here the simulator's second page is held by an
event, so the screen is looked at while loading is truly unfinished.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import ClassVar

import httpx
import pytest
from textual.widgets import LoadingIndicator

from explorer.simulator import Simulator, SimulatorTransport
from explorer.tui.screens.errors import ErrorsScreen
from tests.helpers.errors_app import AMAZON, ErrorsHost, step_screen, wait_for


class HoldingTransport(httpx.AsyncBaseTransport):
    """The simulator, except that every page of the step's open errors after the first waits for ``go``."""

    def __init__(self, sim: Simulator) -> None:
        self.inner = SimulatorTransport(sim)
        self.go = asyncio.Event()
        self.held = asyncio.Event()
        self.pages_asked = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith(f"/{AMAZON[1]}/errors"):
            self.pages_asked += 1
            if self.pages_asked > 1:
                self.held.set()
                await self.go.wait()
        return await self.inner.handle_async_request(request)


async def test_rows_show_after_the_first_page_while_the_next_is_held() -> None:
    transport = HoldingTransport(Simulator(seed=0))
    app = ErrorsHost(transport.inner.sim, step_screen(AMAZON), transport=transport)
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(transport.held.wait(), 10)  # page 2 asked for: one request in flight
        screen = app.screen
        assert isinstance(screen, ErrorsScreen)
        panel = screen.open_panel
        while len(panel.store.rows) < 1000:
            await pilot.pause(0.01)
        await pilot.pause()
        assert panel.fetching and not panel.store.complete
        assert not panel.loading and not list(app.screen.query(LoadingIndicator))
        first = panel.store.view[0]
        shown = app.export_screenshot()
        assert first.error_id in shown or (first.trace_key or "") in shown  # a row is on the screen
        status = str(panel.query_one("#status").render())
        assert "1,000/3,000 loaded…" in status

        await pilot.press("down", "down", "down")  # keys answer while the next page is pending
        assert panel.table.cursor_line == 3 and not panel.store.complete

        transport.go.set()
        while not panel.store.complete:
            await pilot.pause(0.01)
        assert len(panel.store.rows) == 3000 and not panel.fetching
        assert "3,000 loaded" in str(panel.query_one("#status").render())
        assert panel.table.cursor_line == 3  # arriving pages did not move the cursor


async def test_the_first_page_is_asked_for_before_the_screen_is_mounted() -> None:
    from explorer.model import ErrorRecord
    from explorer.tui.widgets.errors_panel import EarlyPages

    started: list[int] = []

    def source() -> AsyncIterator[list[ErrorRecord]]:
        async def pages() -> AsyncIterator[list[ErrorRecord]]:
            started.append(len(started))
            yield [ErrorRecord("f", "s", "e1")]
            yield [ErrorRecord("f", "s", "e2")]
        return pages()

    early = EarlyPages(source)
    await asyncio.sleep(0)
    assert started == [0]  # asked for at construction, not when the panel starts reading
    assert [[r.error_id for r in page] async for page in early()] == [["e1"], ["e2"]]
    assert [[r.error_id for r in page] async for page in early()] == [["e1"], ["e2"]]  # a reload: anew
    assert started == [0, 1]
    unused = EarlyPages(source)
    unused.cancel()
    await asyncio.sleep(0)
    assert [[r.error_id for r in page] async for page in unused()] == [["e1"], ["e2"]]


async def test_a_bound_key_is_answered_by_the_table_without_bubbling_up_to_the_app() -> None:
    """The table runs a key's binding itself (``ErrorsTable.on_key``): the key event is handled at the table
    instead of travelling through six more widgets' queues first, each of which could wait behind a page
    being merged (issue 10). Behaviour is the same: cursor keys, the panel's keys, the screen's keys."""
    from textual import events
    from textual.message import Message

    seen: list[events.Key] = []

    def hook(message: Message) -> None:
        if isinstance(message, events.Key):
            seen.append(message)

    transport = HoldingTransport(Simulator(seed=0))
    app = ErrorsHost(transport.inner.sim, step_screen(AMAZON), transport=transport)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await asyncio.wait_for(transport.held.wait(), 10)
        screen = app.screen
        assert isinstance(screen, ErrorsScreen)
        panel = screen.open_panel
        while len(panel.store.rows) < 1000:
            await pilot.pause(0.01)
        seen.clear()
        await pilot.press("down")
        assert panel.table.cursor_line == 1
        assert [key.key for key in seen] == ["down", "down"]  # the app (from the terminal), then the table
        seen.clear()
        await pilot.press("space")  # the panel's binding: mark, and the cursor moves on
        assert len(panel.store.selection) == 1 and panel.table.cursor_line == 2
        assert len(seen) == 2
        await pilot.press("2")  # the screen's binding: the Resolved tab
        assert screen.resolved_on_show
        transport.go.set()


async def test_what_the_app_built_before_is_frozen_when_loading_starts_not_after_the_first_page() -> None:
    """A full collection walking everything the app built before this screen (35-100 ms in the real iox)
    used to fall between enter and the first row; the panel now freezes it when the load starts."""
    import gc

    transport = HoldingTransport(Simulator(seed=0))
    transport.pages_asked = 1  # hold the first page too: the load has started, no row has arrived
    app = ErrorsHost(transport.inner.sim, step_screen(AMAZON), transport=transport)
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(transport.held.wait(), 10)
        screen = app.screen
        assert isinstance(screen, ErrorsScreen)
        assert screen.open_panel.fetching and not screen.open_panel.store.rows
        assert gc.get_freeze_count() > 0
        transport.go.set()
        while not screen.open_panel.store.complete:
            await pilot.pause(0.01)
    assert gc.get_freeze_count() == 0  # the screen is gone: the objects are the collector's again


async def test_the_footer_is_built_while_the_first_page_is_on_its_way(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the footer's keys cost 50-80 ms of the loop on a busy machine. Built with the screen it
    delayed the screen's first frame; built once the first rows were shown, the first key pressed at the
    sight of them waited for it (50-68 ms in a pty). The screen builds it after its first frame, while the
    loop waits for the first page, once."""
    from textual.widgets._footer import FooterKey

    from explorer.tui.widgets import ranked_footer
    from explorer.tui.widgets.ranked_footer import RankedFooter

    monkeypatch.setattr(ranked_footer, "HOLD_LIMIT", 30.0)
    builds: list[int] = []
    original = RankedFooter.recompose

    async def counted(self: RankedFooter) -> None:
        builds.append(len(builds))
        await original(self)

    monkeypatch.setattr(RankedFooter, "recompose", counted)
    transport = HoldingTransport(Simulator(seed=0))
    transport.pages_asked = 1  # hold the first page
    app = ErrorsHost(transport.inner.sim, step_screen(AMAZON), transport=transport)
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(transport.held.wait(), 10)
        screen = app.screen
        assert isinstance(screen, ErrorsScreen)
        footer = screen.query_one(RankedFooter)
        await wait_for(pilot, lambda: "toggle_mark" in [key.action for key in footer.query(FooterKey)],
                       timeout=10)  # well before HOLD_LIMIT
        assert not screen.open_panel.store.rows  # the keys are there before any row
        transport.go.set()
        await wait_for(pilot, lambda: screen.open_panel.store.complete)
        await pilot.pause()
        assert builds == [0]  # rows and the end of loading did not build it again


async def test_a_held_footer_shows_its_keys_after_the_hold_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A screen that never releases its held footer still gets its keys, ``HOLD_LIMIT`` after mounting."""
    from textual.app import App, ComposeResult
    from textual.binding import Binding, BindingType
    from textual.widgets._footer import FooterKey

    from explorer.tui.widgets import ranked_footer
    from explorer.tui.widgets.ranked_footer import RankedFooter

    class HeldHost(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "bell", "Ring", id="held_host.ring")]

        def compose(self) -> ComposeResult:
            yield RankedFooter(held=True)

    monkeypatch.setattr(ranked_footer, "HOLD_LIMIT", 0.3)
    app = HeldHost()
    async with app.run_test(size=(80, 10)) as pilot:
        footer = app.query_one(RankedFooter)
        await pilot.pause(0.1)
        assert not list(footer.query(FooterKey))  # held: nothing built yet
        await wait_for(pilot, lambda: "bell" in [key.action for key in footer.query(FooterKey)])


async def test_leaving_the_screen_lets_its_rows_go_even_while_frozen() -> None:
    """The panel sits in Textual's reference cycles, which stay frozen while a big document is loaded
    (``explorer.gc_policy``): it empties its store and table on unmount, so the rows are freed by reference
    counting (``gcstall``: ~170 MB for 100,000 rows would otherwise wait)."""
    import gc
    import sys

    transport = HoldingTransport(Simulator(seed=0))
    app = ErrorsHost(transport.inner.sim, step_screen(AMAZON), transport=transport)
    async with app.run_test(size=(120, 40)) as pilot:
        transport.go.set()
        screen = app.screen
        assert isinstance(screen, ErrorsScreen)
        while not screen.open_panel.store.complete:
            await pilot.pause(0.01)
        # Rows of the middle page: the last page's list may still sit in a finished future of the loop (it
        # did now and then in CI), and the first row in what showed it first; neither is the panel.
        sample = screen.open_panel.store.rows[1000:2000:50]
        gc.freeze()  # as if a big document were still frozen: the closed screen's cycles stay
    try:
        held = [sys.getrefcount(row) for row in sample]
        assert held == [3] * len(sample)  # `sample`, the loop's `row` and the call's argument: no one else
    finally:
        gc.unfreeze()
