"""``esc`` stops what a screen waits for: every screen's requests run in a cancel scope of that screen.

Why one module: the status line (``WaitStatus``) says "waiting for api.integrator.io (GET …)… 5 s · esc stops
waiting" on every screen, so ``esc`` must keep that promise on every screen, the same way:

* each screen owns a ``CancelScope`` (``waits_of``); its I/O workers run inside it (``@scoped`` under
  ``@work``, or ``run_scoped`` for ``run_worker``), so the client tags their requests with it and every task
  they start inherits it;
* ``esc`` while one of the screen's requests has waited past the notice delay (exactly when the line offers
  "esc stops waiting") *abandons* the scope: requests in flight are dropped and nothing of it is sent again
  (the client raises ``Abandoned``, which each worker's ordinary failure path turns into "not loaded — retry
  key"), and the line says what was stopped; a fresh scope serves what the user does next;
* otherwise ``esc`` keeps its meaning on the screen (back, close…), and a screen that closes abandons its
  scope too (``StopsWaiting``): nothing of a closed screen keeps waiting or re-sending.

The app binds ``escape`` once, with priority (``app.stop_waiting``): it applies only while a wait of the
screen on top can be stopped, so no screen's own ``esc`` binding had to change.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import Worker

from explorer.client import CancelScope, WaitBoard, Waiting, cancellable

STOP_HINT = "esc stops waiting"
"""What the status line adds when ``esc`` can stop the wait it shows."""

P = ParamSpec("P")
R = TypeVar("R")
N = TypeVar("N", bound=DOMNode)


class ScreenWaits:
    """The cancel scope of one screen's requests; ``stop`` abandons it and starts a fresh one."""

    def __init__(self) -> None:
        self.scope = CancelScope()

    def stop(self) -> None:
        """Drop every request of the screen (in flight or due) and serve later requests from a new scope."""
        self.scope.abandon()
        self.scope = CancelScope()


_WAITS: WeakKeyDictionary[Screen[Any], ScreenWaits] = WeakKeyDictionary()


def screen_of(node: DOMNode) -> Screen[Any]:
    """The screen a node belongs to (a screen is its own)."""
    return node if isinstance(node, Screen) else node.screen


def waits_of(node: DOMNode) -> ScreenWaits:
    """The scope holder of the screen ``node`` is on (made on first use, even before the screen mounts)."""
    screen = screen_of(node)
    holder = _WAITS.get(screen)
    if holder is None:
        holder = _WAITS[screen] = ScreenWaits()
    return holder


@contextmanager
def in_scope_of(node: DOMNode) -> Iterator[CancelScope]:
    """Run the block (and the tasks it starts) in the cancel scope of ``node``'s screen."""
    with cancellable(waits_of(node).scope) as scope:
        yield scope


def scoped(method: Callable[Concatenate[N, P], Awaitable[R]]) -> Callable[Concatenate[N, P],
                                                                           Coroutine[Any, Any, R]]:
    """Make an async worker method run in its screen's cancel scope (put it under ``@work``)."""

    @functools.wraps(method)
    async def run(self: N, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with in_scope_of(self):
            return await method(self, *args, **kwargs)

    return run


def run_scoped(node: DOMNode, work: Coroutine[Any, Any, None], *, group: str,
               exclusive: bool = True) -> Worker[None]:
    """``run_worker`` on ``node``'s screen, in that screen's cancel scope (the task inherits it)."""
    screen = screen_of(node)
    with in_scope_of(screen):
        return screen.run_worker(work, group=group, exclusive=exclusive)


def stoppable_wait(screen: Screen[Any], board: WaitBoard, after: float) -> Waiting | None:
    """The screen's longest request once it has waited ``after`` seconds (what ``esc`` would stop)."""
    holder = _WAITS.get(screen)
    if holder is None:
        return None
    longest = board.longest(holder.scope)
    if longest is None or board.clock() - longest.since < after:
        return None
    return longest


def stop_waiting(screen: Screen[Any], board: WaitBoard, after: float) -> str | None:
    """Abandon the screen's requests if one has waited ``after`` seconds; returns what the line should say."""
    longest = stoppable_wait(screen, board, after)
    if longest is None:
        return None
    waited = board.clock() - longest.since
    path = longest.path.split("?", 1)[0]
    waits_of(screen).stop()
    return f"stopped waiting for {longest.host} ({longest.method} {path}) after {waited:.0f} s (esc)"


class StopsWaiting:
    """Mixed into a screen that does I/O: closing it abandons its requests (nothing keeps waiting)."""

    def _on_unmount(self) -> None:
        holder = _WAITS.get(self)  # type: ignore[call-overload]
        if holder is not None:
            # Nothing more is sent now; what is still on the wire is dropped a moment later, once Textual
            # has cancelled the screen's workers (an abandoned request must not wake a worker whose widgets
            # are being removed).
            holder.scope.cancel()
            asyncio.get_running_loop().call_soon(holder.scope.abandon)


__all__ = ["STOP_HINT", "ScreenWaits", "StopsWaiting", "in_scope_of", "run_scoped", "scoped",
           "stop_waiting", "stoppable_wait", "waits_of"]
