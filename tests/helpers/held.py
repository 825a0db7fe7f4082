"""A server that answers some requests and holds others for ever, for the "esc stops waiting" pilot tests.

Two kinds: the in-process simulator with chosen requests held (``Held.sim(hold=...)``: what loaded stays,
only the held part is missing), or a silent loopback socket behind a real HTTP transport (``Held.silent()``).
Either way every request that leaves the client is logged in ``sent``, so a test can assert that nothing more
went out after ``esc``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from textual.pilot import Pilot

from explorer.client import IntegratorClient, RequestRecord, Timeouts
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.tui.app import ExplorerApp
from explorer.tui.widgets.wait_status import WaitStatus
from tests.helpers.waiting import until

NOTICE_AFTER = 0.3
"""The status line (and esc's stop) applies after this many seconds in these tests (3 s in real use)."""


class Held(httpx.AsyncBaseTransport):
    """Forwards to ``inner``; a request for which ``hold`` is true gets no answer (until ``release``)."""

    def __init__(self, inner: httpx.AsyncBaseTransport,
                 hold: Callable[[httpx.Request], bool] = lambda _request: False) -> None:
        self.inner = inner
        self.hold = hold
        self.sent: list[str] = []
        self.holding = asyncio.Event()
        self._released = asyncio.Event()

    @classmethod
    def sim(cls, sim: Simulator | None = None, *, hold: Callable[[httpx.Request], bool]) -> Held:
        """The simulator, holding the requests ``hold`` picks."""
        return cls(SimulatorTransport(sim or Simulator(seed=0, time_scale=0)), hold)

    @classmethod
    def silent(cls) -> Held:
        """A real HTTP transport (for a base URL on a silent loopback port): nothing is ever answered."""
        return cls(httpx.AsyncHTTPTransport())

    def release(self) -> None:
        """Answer from now on (a held request stays abandoned; the next one is answered)."""
        self.hold = lambda _request: False
        self._released.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.path}")
        if self.hold(request):
            self.holding.set()
            await self._released.wait()
            await asyncio.Event().wait()  # a request held once is never answered
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def held_app(transport: Held, *, base_url: str | None = None, notice_after: float = NOTICE_AFTER,
             **kwargs: Any) -> ExplorerApp:
    """The real app over ``transport`` (the status line shows waits after ``notice_after`` seconds)."""

    def factory(on_request: Callable[[RequestRecord], None] | None = None) -> IntegratorClient:
        return IntegratorClient(DEMO_TOKENS["full"], base_url=base_url, transport=transport,
                                timeouts=Timeouts(notice_after=notice_after), on_request=on_request)

    return ExplorerApp(client_factory=factory, profile_label="held", **kwargs)


async def stop_the_wait(pilot: Pilot[Any]) -> WaitStatus:
    """Wait until the screen on top offers "esc stops waiting", press esc, and return its status line."""
    app = pilot.app
    screen = app.screen
    await until(None, lambda: bool(screen.query(WaitStatus)))  # a screen just pushed may not be composed yet
    line = screen.query_one(WaitStatus)
    await until(None, lambda: line.text.startswith("waiting for") and line.hint == "esc stops waiting")
    await pilot.press("escape")
    await until(None, lambda: line.text.startswith("stopped waiting"))
    assert app.screen is screen  # esc stopped the wait; it did not close the screen
    return line
