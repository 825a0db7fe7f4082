"""Opening keep-alive connections ahead of a burst of requests, without sending any request.

Why: a bulk retry of 10,000 errors sends 10 calls at once; the pool held one idle connection (the
listing's), so 9-10 new connections were opened after "retrying:" and before any body left: 4-5 ms of
Python and waiting on loopback, and on the real API each is TCP + TLS, two round trips — at 100 ms that
is ~200 ms of a bulk whose least time is ~100 ms (issue 10). Opened while the listing loads (``iox
retry``) or while the question is read (the TUI), they cost nothing on the critical path.

How: httpx has no public way to do this. The connections are made the way httpcore's own pool makes them
(``AsyncConnectionPool.create_connection`` for the origin, then ``AsyncHTTPConnection._connect``, which
does TCP and TLS and honours the connect timeout, the SSL context, the socket options and the local
address) and put into the pool, under the pool's lock, in the state a connection is in after a finished
exchange: an idle HTTP/1.1 connection with its keep-alive clock started. The pool then hands them to the
next requests exactly as it hands back a connection from an earlier request (``is_available``), after the
checks it always makes before reuse: ``has_expired`` (keep-alive age, and the readability check: a socket
the server has closed reads as EOF and is dropped, never written to). A TLS 1.3 server's session tickets,
sent after the handshake, are read in before the connection is pooled (``_settle``): left in the socket they
read as a close, and the pool dropped every connection opened ahead. Written against httpx 0.28.1 /
httpcore 1.0.9 (pinned); anything else — another transport (``MockTransport``, the in-process simulator),
a proxy, HTTP/2, an httpcore whose internals moved — makes it a no-op, and the requests open their own
connections as before. Nothing here raises: a connection that cannot be opened is logged at debug level
(host and error type only; the token is not involved in a connect at all) and left for the request.

Limits: never more connections than the pool keeps idle (``max_keepalive_connections``; httpcore's own
pool counts *all* its connections against it, ``client.pool``'s the idle ones: all are counted here), never
more than ``max_connections``, never more than the caller's requests in flight; idle connections already in
the pool, and connections still being opened by an earlier call, count.

Idle expiry: the pool's keep-alive (httpx's default, 5 s) is kept, not lengthened. A server closes idle
connections after its own timeout (5 s is common: Node's default; gunicorn 2 s; proxies 60 s and more). A
connection it closed is seen by the readability check before reuse, but a close that crosses the request
on the wire is a failed POST, and a retry POST is never repeated automatically: so a connection is never
kept idle longer than httpx keeps any connection, and warming adds no risk a reused connection does not
have. Instead, ``fresh_for`` renews: idle connections whose keep-alive ends within that many seconds are
closed (only if no request has been handed them) and replaced. A caller that waits longer (the TUI while
its question is on screen) calls again every few seconds; see ``keep_open``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpcore
import httpx
from httpcore._async.connection import AsyncHTTPConnection
from httpcore._async.http11 import AsyncHTTP11Connection, HTTPConnectionState

log = logging.getLogger("explorer.client")

RENEW_MARGIN_S = 1.5
"""``keep_open`` renews so that a connection has at least this long to live whenever the caller's requests
may come (a connection is renewed once less than twice this is left, every keep-alive minus this)."""
KEEP_OPEN_LONGEST_S = 60.0
"""``keep_open`` stops renewing after this long: a question read for a minute is not worth a TLS handshake
per connection every few seconds on the API's side; the requests then open what they need."""


_PROXY_POOLS = (httpcore.AsyncHTTPProxy, httpcore.AsyncSOCKSProxy)
"""Pools whose connections go through a proxy (the client uses none: ``trust_env=False``)."""


SETTLE_LEAST_S = 0.05
"""The least time a TLS connection opened ahead waits for the server's session tickets (see ``_settle``)."""
SETTLE_POLL_S = 0.005
SETTLE_READ_S = 0.005


class ConnectionOpener:
    """Opens idle keep-alive connections into one ``httpx.AsyncClient``'s pool (see the module docstring).

    ``most`` bounds the connections worth having (the caller's requests in flight); ``connect_timeout``
    bounds each connect (the client's own). Every call returns at once with a task (await it, or not).
    """

    def __init__(self, client: httpx.AsyncClient, base_url: str, *, connect_timeout: float, most: int,
                 host: str) -> None:
        self._client = client
        self._url = httpx.URL(base_url)
        self._connect_timeout = connect_timeout
        self._most = most
        self._host = host
        self._opening = 0
        self._tasks: set[asyncio.Task[int]] = set()

    def open(self, count: int, *, fresh_for: float = 0.0,
             wanted: Callable[[], bool] | None = None) -> asyncio.Task[int]:
        """Have ``count`` idle connections to the base URL's origin (within the limits); the task's result
        is how many were opened. Idle ones whose keep-alive ends within ``fresh_for`` seconds are replaced.
        ``wanted``, when given, is asked before anything is closed or opened (False: do nothing)."""
        return self._start(self._open(count, fresh_for, wanted))

    def keep_open(self, count: int | Callable[[], int], wanted: Callable[[], bool], *,
                  longest: float = KEEP_OPEN_LONGEST_S) -> asyncio.Task[int]:
        """``open(count)`` now, then renew every few seconds while ``wanted()`` (at most ``longest`` s), so
        the connections are there whenever the requests come (a question on screen, answered any time; a
        listing that takes longer than the keep-alive). ``count`` may be asked afresh each round.

        Renewing replaces a connection shortly before the pool's keep-alive would retire it rather than
        keeping connections idle longer than any other (see the module docstring); the result is how many
        connections were opened in all.
        """
        return self._start(self._keep_open(count, wanted, longest))

    async def aclose(self) -> None:
        """Stop every opening still under way (before the pool is closed: nothing lands in a closed pool)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------------------------------ internals
    def _start(self, work: Any) -> asyncio.Task[int]:
        task: asyncio.Task[int] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _keep_open(self, count: int | Callable[[], int], wanted: Callable[[], bool],
                         longest: float) -> int:
        pool = self._pool()
        if pool is None:
            return 0
        counted = count if callable(count) else lambda: count
        expiry = pool._keepalive_expiry
        if expiry is None or expiry <= 2 * RENEW_MARGIN_S:  # never expire, or too short to renew sensibly
            return await self._open(counted(), 0.0, wanted)
        until = time.monotonic() + longest
        opened = 0
        while wanted() and time.monotonic() < until:
            opened += await self._open(counted(), 2 * RENEW_MARGIN_S, wanted)
            await asyncio.sleep(expiry - RENEW_MARGIN_S)
        return opened

    def _pool(self) -> httpcore.AsyncConnectionPool | None:
        """The client's plain HTTP/1.1 connection pool for the base URL, or None (then: a no-op)."""
        try:
            if self._client.is_closed:
                return None
            transport = self._client._transport_for_url(self._url)
        except AttributeError:  # httpx's internals moved
            return None
        if not isinstance(transport, httpx.AsyncHTTPTransport):  # MockTransport, the simulator, wrappers
            return None
        pool = getattr(transport, "_pool", None)
        if not isinstance(pool, httpcore.AsyncConnectionPool) or isinstance(pool, _PROXY_POOLS):
            return None
        if pool._proxy is not None or pool._http2 or not pool._http1 or pool._uds is not None:
            return None
        return pool

    def _origin(self) -> httpcore.Origin:
        return httpcore.URL(scheme=self._url.raw_scheme, host=self._url.raw_host, port=self._url.port,
                            target=b"/").origin

    async def _open(self, count: int, fresh_for: float, wanted: Callable[[], bool] | None) -> int:
        pool = self._pool()
        try:
            if pool is None or (wanted is not None and not wanted()):
                return 0
            origin = self._origin()
            missing, retired = self._plan(pool, origin, min(count, self._most), fresh_for)
            await pool._close_connections(retired)
        except (AttributeError, TypeError, ValueError) as exc:  # httpcore's internals moved: do nothing
            log.debug("not opening connections ahead to %s: %s", self._host, type(exc).__name__)
            return 0
        if missing <= 0:
            return 0
        slots = [_Slot(self) for _ in range(missing)]
        try:
            results = await asyncio.gather(*(self._open_one(pool, origin, slot) for slot in slots))
        finally:
            for slot in slots:  # also those whose task was cancelled before it started
                slot.release()
        return sum(results)

    def _plan(self, pool: httpcore.AsyncConnectionPool, origin: httpcore.Origin, target: int,
              fresh_for: float) -> tuple[int, list[Any]]:
        """How many connections to open, and the idle ones retired for renewal (to close), under the
        pool's lock and after the pool's own clean-up (expired and closed connections leave, as before a
        request)."""
        with pool._optional_thread_lock:
            retired: list[Any] = pool._assign_requests_to_connections()
            handed = {id(request.connection) for request in pool._requests if request.connection is not None}
            soon = time.monotonic() + fresh_for
            idle = 0
            for connection in list(pool._connections):
                if not (connection.can_handle_request(origin) and connection.is_idle()):
                    continue
                if fresh_for > 0 and id(connection) not in handed and _idle_until(connection) < soon:
                    pool._connections.remove(connection)
                    retired.append(connection)
                else:
                    idle += 1
            room = _ceiling(pool) - len(pool._connections) - self._opening
            return max(0, min(target - idle - self._opening, room)), retired

    async def _open_one(self, pool: httpcore.AsyncConnectionPool, origin: httpcore.Origin,
                        slot: _Slot) -> int:
        """Connect one (TCP, and TLS for https), as the pool would for a request, and put it in the pool
        idle; 1 if it is there, 0 if not (it could not be opened, or the pool has no room any more)."""
        connection: Any = None
        try:
            connection = pool.create_connection(origin)
            if type(connection) is not AsyncHTTPConnection:
                return 0
            # The request only carries the connect timeout to _connect (and its trace log): nothing is sent.
            url = httpcore.URL(scheme=origin.scheme, host=origin.host, port=origin.port, target=b"/")
            timeout = {"connect": self._connect_timeout}
            started = time.monotonic()
            stream = await connection._connect(httpcore.Request(b"GET", url, extensions={"timeout": timeout}))
            connection._connection = AsyncHTTP11Connection(origin=origin, stream=stream,
                                                           keepalive_expiry=connection._keepalive_expiry)
            if not await _settle(stream, max(SETTLE_LEAST_S, time.monotonic() - started)):
                log.debug("a connection opened ahead to %s was closed or spoke first: not kept", self._host)
                await _close_quietly(connection)
                return 0
            _make_idle(connection._connection)
            return 1 if await self._adopt(pool, connection, slot) else 0
        except asyncio.CancelledError:
            if connection is not None and connection not in pool._connections:
                await _close_quietly(connection)
            raise
        except Exception as exc:  # never raise: the request opens its own connection, as before
            log.debug("could not open a connection ahead to %s (%s): left for the request",
                      self._host, type(exc).__name__)
            if connection is not None and connection not in pool._connections:
                await _close_quietly(connection)
            return 0
        finally:
            slot.release()

    async def _adopt(self, pool: httpcore.AsyncConnectionPool, connection: AsyncHTTPConnection,
                     slot: _Slot) -> bool:
        """Put an open, idle connection into the pool if it still has room; close it otherwise."""
        with pool._optional_thread_lock:
            slot.release()  # counted in the pool from now on, not as opening
            room = not self._client.is_closed and len(pool._connections) < _ceiling(pool)
            closing: list[Any] = []
            if room:
                pool._connections.append(connection)
                # As the pool does after every change: a request queued for a connection gets this one.
                closing = pool._assign_requests_to_connections()
        if not room:
            await _close_quietly(connection)
        await pool._close_connections(closing)
        return room


class _Slot:
    """One connection being opened, counted until it is in the pool or given up (released once)."""

    def __init__(self, opener: ConnectionOpener) -> None:
        self._opener = opener
        self._held = True
        opener._opening += 1

    def release(self) -> None:
        if self._held:
            self._held = False
            self._opener._opening -= 1


async def _settle(stream: httpcore.AsyncNetworkStream, wait: float) -> bool:
    """Take in what a TLS server sends after the handshake (TLS 1.3 session tickets) before the connection
    is pooled; False if the server closed it or sent data nobody asked for (then it is not kept).

    Why: the pool takes an idle connection whose socket is readable for one the server closed and drops it
    (``has_expired``). After an exchange the tickets have been read with the answer; on a connection opened
    ahead they wait in the socket, so every one was dropped and the requests connected anew (seen against a
    loopback TLS server). Tickets come about a round trip after the handshake: ``wait`` is as long as the
    connect took (TCP and TLS, about two round trips), at least ``SETTLE_LEAST_S``; with none by then
    (TLS 1.2 sends them within the handshake) the connection is pooled as it is. Plain HTTP: nothing to take.
    """
    if stream.get_extra_info("ssl_object") is None:
        return True
    deadline = time.monotonic() + wait
    while True:
        if stream.get_extra_info("is_readable"):
            try:  # TLS records are taken in; the read itself waits only for data, which must not come
                await stream.read(65536, timeout=SETTLE_READ_S)
            except httpcore.ReadTimeout:
                if not stream.get_extra_info("is_readable"):
                    return True
                continue
            return False  # b"": closed; anything else: the server spoke first
        if time.monotonic() >= deadline:
            return True
        await asyncio.sleep(SETTLE_POLL_S)


def _ceiling(pool: httpcore.AsyncConnectionPool) -> int:
    """The most connections the pool holds without closing idle ones (it counts all, idle or not)."""
    return min(pool._max_keepalive_connections, pool._max_connections)


def _make_idle(connection: AsyncHTTP11Connection) -> None:
    """The state ``_response_closed`` leaves a connection in after an exchange: idle, keep-alive running."""
    connection._state = HTTPConnectionState.IDLE
    if connection._keepalive_expiry is not None:
        connection._expire_at = time.monotonic() + connection._keepalive_expiry


def _idle_until(connection: Any) -> float:
    """When an idle connection's keep-alive ends (infinity when it never does)."""
    inner = getattr(connection, "_connection", None)
    expire_at = getattr(inner, "_expire_at", None)
    return float("inf") if expire_at is None else float(expire_at)


async def _close_quietly(connection: Any) -> None:
    try:
        await connection.aclose()
    except Exception as exc:  # closing a socket that failed: nothing to tell the user
        log.debug("closing a connection opened ahead failed: %s", type(exc).__name__)
