"""Wait for a condition, never for a length of time: the one poll-until-true loop of the tests.

Why: CI runs the suite on a 2-core machine that may be busy; a test that sleeps 0.1 s "long enough" for a
worker, a timer or a repaint fails there now and then (seen: grouped counts read before the last regroup,
a palette searched before the step names arrived). A test waits for what it needs with ``until`` and a
deadline far beyond any normal run, so a real hang still fails, with the condition's source in the message.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

WAIT_S = 30.0
"""How long a test waits for a condition before failing: far beyond any normal run (a condition usually holds
within milliseconds), so only a real hang reaches it, even on a loaded 2-core machine."""

POLL_S = 0.02


def _described(condition: Callable[[], object]) -> str:
    try:
        return inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return repr(condition)


async def until(pilot: Pilot[Any] | None, condition: Callable[[], object], timeout: float = WAIT_S, *,
                tick: Callable[[], None] | None = None, idle_first: bool = True) -> None:
    """Let the app run until ``condition()`` holds; fail the test after ``timeout`` seconds of wall clock.

    ``idle_first`` polls with ``pilot.pause`` (which first lets the screen process its pending messages);
    ``False`` (or no pilot) polls with a bare ``asyncio.sleep``, for tests that must act between two steps of
    something the app paces (``pilot.pause`` would wait until it is over). ``tick`` runs between checks,
    e.g. to move the simulator's clock.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout:g} s: {_described(condition)}")
        if tick is not None:
            tick()
        if pilot is not None and idle_first:
            await pilot.pause(POLL_S)
        else:
            await asyncio.sleep(POLL_S)
