"""The client's connection pool (``explorer.client.pool``) over real loopback sockets: requests started
together each get their own idle connection, at once; a connection the server closed is not reused; the
keep-alive and connection limits hold; the network client uses it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpcore
import httpx
import pytest

from explorer.client import IntegratorClient
from explorer.client.pool import LeanConnectionPool, LeanTransport
from tests.helpers.counting_server import counting_server, loopback_tls

JOB = b'{"_id": "65901493e67d7a17a0067c9f", "type": "retry"}'


@dataclass
class LoopbackServer:
    """HTTP/1.1 with keep-alive on 127.0.0.1: answers every request after ``delay`` s; counts connections.

    ``close_after_answer`` closes each connection 20 ms after it answered (a server dropping keep-alives).
    """

    delay: float = 0.0
    close_after_answer: bool = False
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    requests: int = 0
    url: str = ""
    _server: asyncio.Server | None = field(default=None, repr=False)
    _handlers: dict[asyncio.Task[None], asyncio.StreamWriter] = field(default_factory=dict, repr=False)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers[task] = writer
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                self.requests += 1
                await asyncio.sleep(self.delay)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                             b"content-length: %d\r\n\r\n" % len(JOB) + JOB)
                await writer.drain()
                if self.close_after_answer:
                    await asyncio.sleep(0.02)
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_now -= 1
            writer.close()

    async def __aenter__(self) -> LoopbackServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/v1/"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._handlers.values():  # connections kept alive: ended here, not by a closed loop
            writer.transport.abort()
        await asyncio.gather(*self._handlers, return_exceptions=True)


class CountingPool(LeanConnectionPool):
    """Counts the passes over the pool (one when a request enters, one when it leaves, if none goes round)."""

    passes = 0

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        self.passes += 1
        return super()._assign_requests_to_connections()


def counting_transport(limits: httpx.Limits | None = None) -> tuple[LeanTransport, CountingPool]:
    transport = LeanTransport(limits=limits) if limits else LeanTransport()
    pool = CountingPool(ssl_context=httpx.create_ssl_context(), limits=limits or httpx.Limits())
    transport._pool = pool
    return transport, pool


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    async with LoopbackServer(delay=0.02) as running:
        yield running


async def burst(client: httpx.AsyncClient, url: str, count: int) -> list[int]:
    answers = await asyncio.gather(*(client.post(url, content=b'{"retryDataKeys": ["k"]}')
                                     for _ in range(count)))
    return [answer.status_code for answer in answers]


async def test_requests_started_together_each_get_an_idle_connection_at_once(server: LoopbackServer) -> None:
    transport, pool = counting_transport()
    async with httpx.AsyncClient(transport=transport) as client:
        assert await burst(client, server.url, 10) == [200] * 10  # opens 10 connections
        pool.passes = 0
        assert await burst(client, server.url, 10) == [200] * 10
    assert server.connections == 10  # the second burst reused them all, one each
    # httpcore's own pool gave the first idle connection to every request of a pass, so all but one went
    # round again (ConnectionNotAvailable): 47 passes for 10 requests, measured
    assert pool.passes == 20


async def test_httpcore_s_pool_would_go_round_again(server: LoopbackServer) -> None:
    """What the pass count above guards against (if httpcore stops doing it, the lean pool can go)."""
    passes = 0

    class Counting(httpcore.AsyncConnectionPool):
        def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
            nonlocal passes
            passes += 1
            return super()._assign_requests_to_connections()

    transport = httpx.AsyncHTTPTransport()
    transport._pool = Counting()
    async with httpx.AsyncClient(transport=transport) as client:
        await burst(client, server.url, 10)
        passes = 0
        await burst(client, server.url, 10)
    assert passes > 20


async def test_a_connection_the_server_closed_is_not_reused() -> None:
    async with LoopbackServer(close_after_answer=True) as server:
        transport, pool = counting_transport()
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                assert (await client.post(server.url, content=b"{}")).status_code == 200
                assert len(pool.connections) == 1  # kept alive when the answer was read
                stream = pool.connections[0]._connection._network_stream  # type: ignore[attr-defined]
                assert stream._socket is not None  # polled directly, not through anyio's attribute table
                await asyncio.sleep(0.1)  # the server closes it meanwhile: the next pass drops it
        assert server.connections == 3 and server.requests == 3


async def test_idle_connections_beyond_the_keepalive_limit_are_closed(server: LoopbackServer) -> None:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=3)
    transport, pool = counting_transport(limits)
    async with httpx.AsyncClient(transport=transport) as client:
        assert await burst(client, server.url, 8) == [200] * 8
        assert len(pool.connections) == 3
        assert await burst(client, server.url, 8) == [200] * 8
    assert server.connections == 8 + 5


async def test_the_connection_limit_holds_and_queued_requests_are_served(server: LoopbackServer) -> None:
    transport, _ = counting_transport(httpx.Limits(max_connections=2, max_keepalive_connections=2))
    async with httpx.AsyncClient(transport=transport) as client:
        assert await burst(client, server.url, 7) == [200] * 7
    assert server.most_open == 2 and server.connections == 2 and server.requests == 7


async def test_the_network_client_sends_through_the_lean_pool(server: LoopbackServer) -> None:
    async with IntegratorClient("lean-pool-test-token", base_url=server.url) as client:
        transport = client._http._client._transport
        assert isinstance(transport, LeanTransport) and isinstance(transport._pool, LeanConnectionPool)
        assert await client.get_json("flows") == {"_id": "65901493e67d7a17a0067c9f", "type": "retry"}
    assert server.requests == 1


async def test_requests_over_tls_keep_their_connection(tmp_path: Path) -> None:
    """The real API is HTTPS: the lean pool's stream wraps the TLS stream too (``start_tls``), and an idle
    TLS connection is polled on its own socket like a plain one."""
    server_side, trusting = loopback_tls(tmp_path)
    with counting_server(tls=server_side) as (base_url, seen):
        async with IntegratorClient("lean-pool-tls-token", base_url=base_url,
                                    transport=LeanTransport(verify=trusting)) as client:
            for n in range(3):
                assert await client.get_json(f"flows/f{n}") == {}
    assert len(seen.accepted) == 1 and len(seen.requests) == 3  # one handshake, one connection
