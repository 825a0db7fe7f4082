"""``IntegratorClient``: the one object the TUI and CLI use to talk to integrator.io.

Why it is only a composition: the wire rules live in ``http.HttpCore`` and each API area in its mixin; this
class wires them to one long-lived ``httpx.AsyncClient`` (with an injectable transport, so tests and the
simulator plug in without sockets), offers raw JSON access for the JSON pane and ``iox get/put``, and
bounds fan-out with ``gather_bounded``.
"""

from __future__ import annotations

import asyncio
import inspect
import random as _random
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any, Literal, Self, TypeVar, overload

import httpx

from explorer.client import urls
from explorer.client.errors_api import ErrorsMixin
from explorer.client.http import HttpCore
from explorer.client.jobs import JobsMixin
from explorer.client.records import RequestHook
from explorer.client.resources import ResourcesMixin
from explorer.client.retry import RandomFunction, RetryPolicy, SleepFunction
from explorer.client.waits import Timeouts, WaitBoard

T = TypeVar("T")


class IntegratorClient(ResourcesMixin, ErrorsMixin, JobsMixin):
    """An async client for the integrator.io v1 API.

    ``region`` is ``"na"``, ``"eu"``, ``"au"`` or ``"ca"``; ``base_url`` overrides it (``/v1/`` is appended
    when missing; plain http:// only for loopback). ``read_only`` refuses every non-GET before sending.
    ``timeouts`` bounds every wait (connect 10 s, read 60 s, one request ≤ 85 s by default).
    ``max_retries`` counts extra attempts (see ``retry.RetryPolicy``); ``concurrency`` bounds requests in
    flight. ``sleep`` and ``random`` exist for tests. The token is never shown by ``repr`` or in any error or
    record.
    """

    def __init__(
        self,
        token: str,
        *,
        region: str = "na",
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        read_only: bool = False,
        timeouts: Timeouts | None = None,
        max_retries: int = 4,
        concurrency: int = 8,
        on_request: RequestHook | None = None,
        sleep: SleepFunction | None = None,
        random: RandomFunction | None = None,
    ) -> None:
        policy = RetryPolicy(max_retries=max_retries, sleep=sleep or asyncio.sleep,
                             random=random or _random.random)
        self._concurrency = concurrency
        self._http = HttpCore(
            token, urls.base_url_for(region, base_url), transport=transport, read_only=read_only,
            timeouts=timeouts or Timeouts(), policy=policy, concurrency=concurrency, on_request=on_request,
        )

        def in_region(other: str) -> IntegratorClient:
            return IntegratorClient(token, region=other, transport=transport, read_only=True,
                                    timeouts=timeouts, max_retries=0, on_request=on_request, sleep=sleep,
                                    random=random)

        self._in_region = in_region

    def __repr__(self) -> str:
        return f"IntegratorClient(base_url={self.base_url!r}, read_only={self.read_only!r})"

    @property
    def base_url(self) -> str:
        """The API base, always ending in ``/v1/``."""
        return self._http.base_url

    def in_region(self, region: str) -> IntegratorClient:
        """A read-only client with the same token and transport for another region's public API host.

        Why: a 401 often means the token belongs to another region; asking that region's ``tokenInfo`` is the
        only way to tell. The token goes only to Celigo's own API hosts (``urls.REGION_BASES``).
        """
        return self._in_region(region)

    @property
    def waits(self) -> WaitBoard:
        """The requests in flight now (for "waiting for <host>…" lines)."""
        return self._http.waits

    @property
    def timeouts(self) -> Timeouts:
        """The connect/read timeouts and the per-request time budget."""
        return self._http.timeouts

    @property
    def read_only(self) -> bool:
        """True when every non-GET request is refused before sending."""
        return self._http.read_only

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._http.aclose()

    # ----------------------------------------------------------------------------------------- connections
    def open_connections(self, count: int) -> asyncio.Future[int]:
        """Start opening up to ``count`` keep-alive connections to the API ahead of a burst of requests.

        Nothing is sent (no request, no rate-limit token, nothing in the HTTP log); idle connections already
        open count, and the pool's limits and ``concurrency`` bound it. Returns at once (await the result,
        or not: it is how many were opened); it never raises, and does nothing on an in-process transport.
        Why and how: ``explorer.client.warm``. Call it inside the event loop.
        """
        opener = self._http.opener()
        return _nothing_opened() if opener is None else opener.open(count)

    def keep_connections_open(self, count: int | Callable[[], int],
                              wanted: Callable[[], bool]) -> asyncio.Future[int]:
        """``open_connections(count)``, renewed while ``wanted()`` (for a minute at most): for requests that
        may follow any time, such as a question on screen, or after a long listing (``count`` may be a
        function: asked at each renewal). Cancel the result to stop at once."""
        opener = self._http.opener()
        return _nothing_opened() if opener is None else opener.keep_open(count, wanted)

    # ----------------------------------------------------------------------------------------- raw JSON
    async def get_json(self, path: str, params: urls.QueryParams | None = None) -> Any:
        """GET any API path (``flows/x``, ``/v1/flows/x`` or a same-host URL); its JSON, None if empty."""
        return (await self._http.request("GET", path, params=params)).data

    async def put_json(self, path: str, doc: Any) -> Any:
        """PUT a whole JSON document to a path; returns the answer's JSON (None if empty)."""
        return (await self._http.request("PUT", path, body=doc)).data

    async def delete(self, path: str) -> None:
        """DELETE a path."""
        await self._http.request("DELETE", path)

    # ----------------------------------------------------------------------------------------- fan-out
    @overload
    async def gather_bounded(self, coros: Iterable[Awaitable[T]], *,
                             return_exceptions: Literal[False] = False,
                             limit: int | None = None) -> list[T]: ...

    @overload
    async def gather_bounded(self, coros: Iterable[Awaitable[T]], *, return_exceptions: Literal[True],
                             limit: int | None = None) -> list[T | BaseException]: ...

    async def gather_bounded(self, coros: Iterable[Awaitable[T]], *, return_exceptions: bool = False,
                             limit: int | None = None) -> list[T] | list[T | BaseException]:
        """Await many coroutines with at most ``limit`` (default: ``concurrency``) running at once.

        Results keep the input order. Without ``return_exceptions`` the first failure cancels the rest and is
        raised; with it, failures are returned in place. The request semaphore still bounds HTTP calls; this
        bounds whole coroutines, so a coroutine making several calls cannot starve the others.
        """
        gate = asyncio.Semaphore(limit or self._concurrency)

        async def run(awaitable: Awaitable[T]) -> T:
            try:
                async with gate:
                    return await awaitable
            finally:
                if inspect.iscoroutine(awaitable):
                    awaitable.close()  # a coroutine cancelled before it started must not warn "never awaited"

        pending = list(coros)
        if return_exceptions:
            return list(await asyncio.gather(*(run(c) for c in pending), return_exceptions=True))
        tasks: list[asyncio.Task[T]] = []
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(run(c)) for c in pending]
        except BaseExceptionGroup as group_error:
            raise group_error.exceptions[0] from None
        return [task.result() for task in tasks]



def _nothing_opened() -> asyncio.Future[int]:
    """The outcome of opening connections on a transport that has none: done, none opened."""
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    done.set_result(0)
    return done
