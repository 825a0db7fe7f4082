"""Cancelling an action: every wait it causes ends early, and none of its requests leaves after the cancel.

Why a scope carried by a context variable: an action (a bulk retry, a tree load) calls the client many times,
and the client waits on its own (backoff, ``Retry-After``, a slot under the concurrency bound) below the
caller's loop. A ``CancelScope`` entered with :func:`cancellable` is seen by every request the action makes,
including those made by tasks it starts (asyncio copies the context into new tasks), so ``esc`` or Ctrl+C
stops the client's waits and its re-sends as well as the caller's: the client raises ``Canceled`` instead of
sending. A request already on the wire completes (cutting it off would leave its fate unknown) — unless the
scope is *abandoned* (``abandon``): a screen that stops waiting for a silent server drops its requests in
flight too, and the client raises ``Abandoned`` at once instead of waiting for an answer that may never come.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Any

SleepFunction = Callable[[float], Awaitable[None]]

_CURRENT: ContextVar[CancelScope | None] = ContextVar("explorer_cancel_scope", default=None)


class CancelScope:
    """Set by the user (``esc``, Ctrl+C) to stop an action; its waits end early when it is set."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._abandoned = False
        self._sending: set[asyncio.Task[Any]] = set()
        self.on_written: Callable[[], None] | None = None
        """Told each time a request of the action has been written out whole (its body handed to the
        network), when the transport says so (httpcore's ``trace`` extension; an in-process transport never
        does). Why: a screen that starts a burst of requests holds its own repaint until they are on the
        wire — the UI's work between their connects and writes spread their arrival (issue 10)."""

    @property
    def cancelled(self) -> bool:
        """True once ``cancel`` was called."""
        return self._event.is_set()

    def cancel(self) -> None:
        """Ask the running action to stop: no further request of it is sent."""
        self._event.set()

    @property
    def abandoned(self) -> bool:
        """True once ``abandon`` was called."""
        return self._abandoned

    def abandon(self) -> None:
        """Cancel, and stop waiting for the requests already sent: their answers are not read.

        For reads (and for writes whose outcome the caller then reports as unknown): a request on the wire to
        a server that never answers would otherwise hold the action until its read timeout.
        """
        self._event.set()
        if not self._abandoned:
            self._abandoned = True
            for task in list(self._sending):
                task.cancel()

    def watch(self, task: asyncio.Task[Any]) -> None:
        """``task`` is sending a request of this scope: ``abandon`` cancels it (the client's transport)."""
        self._sending.add(task)

    def unwatch(self, task: asyncio.Task[Any]) -> None:
        """``task`` has its answer (or gave up)."""
        self._sending.discard(task)

    def written(self) -> None:
        """A request of this scope has been written out whole (see ``on_written``)."""
        if self.on_written is not None:
            self.on_written()

    async def sleep(self, seconds: float, sleep: SleepFunction = asyncio.sleep) -> bool:
        """Wait ``seconds`` (with ``sleep``) unless cancelled first; returns True when cancelled."""
        if self.cancelled:
            return True
        if seconds <= 0:
            await asyncio.sleep(0)
            return self.cancelled
        waiter = asyncio.ensure_future(self._event.wait())
        timer = asyncio.ensure_future(sleep(seconds))
        try:
            await asyncio.wait({waiter, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiter, timer):
                task.cancel()
        return self.cancelled

    async def wait(self) -> None:
        """Return when the scope is cancelled."""
        await self._event.wait()



@contextlib.contextmanager
def cancellable(scope: CancelScope) -> Iterator[CancelScope]:
    """Make ``scope`` the cancel scope of every request made inside the block (and tasks started there)."""
    token = _CURRENT.set(scope)
    try:
        yield scope
    finally:
        _CURRENT.reset(token)


def current_scope() -> CancelScope | None:
    """The cancel scope of the running action, if it entered one."""
    return _CURRENT.get()
