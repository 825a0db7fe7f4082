"""Opening and closing screens leaves nothing of them reachable: ``iox`` stays open for hours.

Why: every full collection walks every reachable object, so whatever each ``ctrl+p``/``esc`` leaves behind
lengthens every later collection (a keystroke stall) without end. Textual 8.2.8 kept each closed widget's
rendered lines (its ``StylesCache``) in a class-level ``lru_cache`` (``explorer/tui/textual_fixes.py``):
20 palette opens left +46,000 live objects. These tests open and close the real app's screens over the demo
simulator and check, through weak references taken while they were open, that the screens, their widgets
and those widgets' rendered lines are gone after a collection (all but the last screen's, see
``visits_alive``), and that the live objects do not grow.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.main import MainScreen
from explorer.tui.textual_fixes import unpin_closed_widgets
from explorer.tui.widgets.ranked_footer import HOLD_LIMIT
from tests.helpers.browse_app import make_app, settle, tree_of
from tests.helpers.waiting import until

Opener = Callable[[Pilot[None], ExplorerApp], Awaitable[None]]
Refs = list[weakref.ref[Any]]

PER_OPEN = 300
"""Live objects one open/close may add at most (bounded caches fill: Textual's colours, the HTTP log's
records); Textual 8.2.8 unpatched added ~2,300 for the palette, ~5,500 for the errors screen."""
ONE_SCREEN = 3_000
"""Objects of one closed screen that may still be held (``visits_alive``), or not, when counting: the errors
screen's widgets are ~2,000."""


def watched(screen: Screen[object]) -> Refs:
    """Weak references to a screen, its widgets and their rendered lines (``StylesCache``)."""
    widgets = screen.walk_children(Widget, with_self=True)
    return [*(weakref.ref(w) for w in widgets), *(weakref.ref(w._styles_cache) for w in widgets)]


def visits_alive(visits: list[Refs]) -> int:
    """How many closed screens still have anything reachable after a full collection.

    At most the last one may: an idle widget's message loop keeps the last message it handled until the
    next one (Textual's ``_process_messages_loop``), with its sender (the closed screen); a cancelled timer
    (the errors footer's ``HOLD_LIMIT``) stays in the event loop's heap until its time, with its context."""
    gc.collect()
    return sum(any(ref() is not None for ref in refs) for refs in visits)


def live_objects() -> int:
    gc.collect()
    return len(gc.get_objects())


async def open_palette(pilot: Pilot[None], app: ExplorerApp) -> None:
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette))


async def open_errors(pilot: Pilot[None], app: ExplorerApp) -> None:
    assert await tree_of(app).reveal(f"errors:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ErrorsScreen))


def by_key(key: str) -> Opener:
    async def opener(pilot: Pilot[None], app: ExplorerApp) -> None:
        await pilot.press(key)
        await until(pilot, lambda: not isinstance(app.screen, MainScreen))
    return opener


OPENERS: dict[str, tuple[Opener, int]] = {
    "palette": (open_palette, 20),
    "errors": (open_errors, 10),
    "help": (by_key("question_mark"), 6),
    "token": (by_key("t"), 6),
    "http log": (by_key("l"), 6),
}
"""How each screen is opened, and how many times the test opens it."""


@pytest.mark.parametrize("name", list(OPENERS))
async def test_a_closed_screen_leaves_nothing_reachable(name: str) -> None:
    opener, times = OPENERS[name]
    app = make_app(Simulator(seed=0, time_scale=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)

        async def open_and_close() -> Refs:
            await opener(pilot, app)
            await settle(pilot)
            refs = watched(app.screen)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, MainScreen))
            await settle(pilot)
            return refs

        await open_and_close()  # first-time imports and caches
        before = live_objects()
        visits = [await open_and_close() for _ in range(times)]
        await until(pilot, lambda: visits_alive(visits) <= 1, timeout=5 * HOLD_LIMIT)
        grown = live_objects() - before
        assert grown < PER_OPEN * times + ONE_SCREEN, f"{grown} more live objects after {times} {name}s"


def test_the_fix_is_in_place_once_and_computes_what_textual_does() -> None:
    make_app(Simulator(seed=0, time_scale=0))  # building the app applies it
    assert unpin_closed_widgets() is False  # done already: never replaced twice
    method = StylesCache.__dict__["get_inner_outer"]
    assert isinstance(method, staticmethod)
    base, background = Color(10, 20, 30), Color(200, 100, 50, 0.5)
    inner, outer = StylesCache.get_inner_outer(base, background)
    assert inner.background == base + background and outer.background == base
