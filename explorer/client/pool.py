"""The connection pool under the client's network transport: httpcore's, with two per-request costs removed.

Why not httpcore's own as it is: a bulk retry starts 10 requests at once, and httpcore's pool spent ~5.7 ms
of the client's CPU on them (``_assign_requests_to_connections`` timed over bulk retries of 10,000 on
kept-alive connections, issue 10), about half of it before the last batch left:

* whenever a request enters or leaves, it checks each idle connection for a server-side close, and httpcore's
  anyio stream answers ``is_readable`` by rebuilding anyio's socket attribute table (a ``getpeername`` call
  and a dict of lambdas; for TLS the TLS table too) before polling the socket: ``_Stream`` keeps the socket;
* it hands every request queued in one pass the *first* idle connection, and a connection is not marked busy
  until its request starts: requests started together are all given the same connection, all but one meet
  ``ConnectionNotAvailable`` and go round again (47 passes over the pool for 10 requests instead of 20,
  and the requests' headers and bodies went out one after another: ~6.6 ms from the last request's entry to
  its body, now ~2.2). ``LeanConnectionPool`` gives a connection to one request at a time.

What a pass does is otherwise httpcore's: drop closed connections, close expired ones and idle ones beyond
``max_keepalive_connections``, then serve queued requests in order on an idle connection of their origin, a
new connection, or one made by closing an idle one. HTTP/1.1 only (the client never asks for HTTP/2, whose
connections may carry several requests at once). Overriding a private method of httpcore: the version is
pinned (``pyproject.toml``) and ``tests/client/test_pool.py`` checks the behaviour over real loopback sockets.
"""

from __future__ import annotations

import select
import ssl
import typing

import httpcore
import httpx

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
"""httpx's own defaults (what ``httpx.AsyncClient`` gives its transport when none is passed)."""


class _HasFileno(typing.Protocol):
    def fileno(self) -> int: ...


def is_readable(sock: _HasFileno) -> bool:
    """True when an idle connection's socket has something to read: for HTTP/1.1 only the server closing it
    (or an error). A closed socket counts as readable. (What httpcore's ``is_socket_readable`` does.)"""
    if sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """httpcore's anyio stream, its socket kept for ``is_readable`` (asked on every pass over the pool)."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        # asyncio's TransportSocket (what anyio gives as the raw socket), or None for a stream without one
        sock = inner.get_extra_info("socket")
        self._socket: _HasFileno | None = sock if callable(getattr(sock, "fileno", None)) else None

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read up to ``max_bytes``."""
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Write all of ``buffer``."""
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        """Close the connection."""
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        """The TLS stream over this one (same socket underneath)."""
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        """As httpcore's stream answers, but ``is_readable`` polls the kept socket directly."""
        if info == "is_readable" and self._socket is not None:
            return is_readable(self._socket)
        return self._inner.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, its streams wrapped in ``_Stream``."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        """A TCP connection (what httpcore's own backend opens)."""
        return _Stream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        """A Unix socket connection (what httpcore's own backend opens)."""
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        """Wait (httpcore's connect retries)."""
        await self._inner.sleep(seconds)


class LeanConnectionPool(httpcore.AsyncConnectionPool):
    """``httpcore.AsyncConnectionPool`` giving an idle connection to one request only (module docstring)."""

    def __init__(self, *, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(ssl_context=ssl_context, max_connections=limits.max_connections,
                         max_keepalive_connections=limits.max_keepalive_connections,
                         keepalive_expiry=limits.keepalive_expiry, http1=True, http2=False,
                         network_backend=_Backend())

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        connections = self._connections
        closing: list[httpcore.AsyncConnectionInterface] = []
        for connection in list(connections):
            if connection.is_closed():
                connections.remove(connection)
            elif connection.has_expired():
                connections.remove(connection)
                closing.append(connection)
        idle = [connection for connection in connections if connection.is_idle()]
        for connection in idle[: max(0, len(idle) - self._max_keepalive_connections)]:
            connections.remove(connection)
            closing.append(connection)
        # A connection given to a request stays idle until that request's task starts on it: taken here.
        taken = {request.connection for request in self._requests if request.connection is not None}
        for pool_request in self._requests:
            if pool_request.connection is not None:
                continue
            origin = pool_request.request.url.origin
            chosen = next((connection for connection in connections if connection not in taken
                           and connection.can_handle_request(origin) and connection.is_available()), None)
            if chosen is None:
                if len(connections) >= self._max_connections:
                    spare = next((connection for connection in connections
                                  if connection not in taken and connection.is_idle()), None)
                    if spare is None:
                        continue  # stays queued until a connection is released
                    connections.remove(spare)
                    closing.append(spare)
                chosen = self.create_connection(origin)
                connections.append(chosen)
            taken.add(chosen)
            pool_request.assign_to_connection(chosen)
        return closing


class LeanTransport(httpx.AsyncHTTPTransport):
    """httpx's network transport (no proxy) on a ``LeanConnectionPool``; limits default to httpx's.

    ``AsyncHTTPTransport.__init__`` is not called: without a proxy all it does is build httpcore's pool (and
    an SSL context, which takes milliseconds) in ``_pool``, the one attribute its methods use.
    """

    def __init__(self, *, verify: ssl.SSLContext | bool = True, trust_env: bool = False,
                 limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        self._pool = LeanConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=trust_env), limits=limits)
