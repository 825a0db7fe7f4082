"""Connections opened ahead of a burst (``IntegratorClient.open_connections``), against real loopback sockets.

The server counts the connections it accepts and notes which connection each request came on: connections
opened ahead must be in the pool, idle, and carry the next requests (no new connection), with nothing sent
while opening them; other transports are left alone; a refused, full or silent port neither raises nor
hangs; cancelling stops at once.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from explorer.client import IntegratorClient, RequestRecord, Timeouts
from explorer.client import warm as warm_module
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from tests.helpers.counting_server import (
    Seen,
    counting_server,
    full_server,
    idle_ports,
    loopback_tls,
    pool_connections,
    refused_port,
)

TOKEN = "tok-warm-0123456789abcdef"


@pytest.fixture
def served() -> Iterator[tuple[str, Seen]]:
    with counting_server() as pair:
        yield pair


def _client(base_url: str, records: list[RequestRecord] | None = None, **options: Any) -> IntegratorClient:
    return IntegratorClient(TOKEN, base_url=base_url, on_request=None if records is None else records.append,
                            **options)


def _opener(client: IntegratorClient) -> warm_module.ConnectionOpener:
    opener = client._http.opener()
    assert opener is not None
    return opener


async def test_opened_connections_carry_the_next_requests(served: tuple[str, Seen]) -> None:
    base_url, seen = served
    records: list[RequestRecord] = []
    async with _client(base_url, records) as client:
        opened = await client.open_connections(4)
        assert opened == 4
        assert seen.wait_accepted(4) == 4
        assert seen.requests == [] and records == []  # nothing was sent while opening
        ports = idle_ports(client)
        assert len(ports) == 4 and ports == set(seen.accepted)

        seen.together = threading.Barrier(4)  # all four on the wire at once
        await asyncio.gather(*(client.get_json(f"flows/f{n}") for n in range(4)))
        assert len(seen.accepted) == 4  # no new connection for 4 concurrent requests
        assert {port for _, _, port in seen.requests} == ports
        assert len(records) == 4  # the HTTP log holds the requests, nothing of the opening


async def test_idle_connections_already_open_count(served: tuple[str, Seen]) -> None:
    base_url, seen = served
    async with _client(base_url) as client:
        await client.get_json("flows")  # leaves one idle connection
        assert await client.open_connections(3) == 2
        assert await client.open_connections(3) == 0
        assert seen.wait_accepted(3) == 3
        assert len(idle_ports(client)) == 3


async def test_calls_made_together_open_no_more_than_asked(served: tuple[str, Seen]) -> None:
    base_url, _ = served
    async with _client(base_url) as client:
        results = await asyncio.gather(client.open_connections(2), client.open_connections(3),
                                       client.open_connections(3))
        assert sum(results) == 3  # those still opening count for the later calls
        assert len(pool_connections(client)) == 3


async def test_limits_the_pool_and_the_client_keep(served: tuple[str, Seen]) -> None:
    base_url, _ = served
    async with _client(base_url, concurrency=2) as client:
        assert await client.open_connections(10) == 2  # more than the requests in flight is no use
    small_pool = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=3))
    async with _client(base_url, transport=small_pool) as client:
        assert await client.open_connections(10) == 3  # the pool would close idle ones above this
        assert len(pool_connections(client)) == 3


async def test_no_op_on_a_mock_transport() -> None:
    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, json={})

    async with _client("http://127.0.0.1:9/v1/", transport=httpx.MockTransport(handler)) as client:
        assert await client.open_connections(5) == 0
        assert await client.keep_connections_open(5, lambda: True) == 0
    assert asked == []


async def test_no_op_on_the_in_process_simulator() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(sim)) as client:
        assert await client.open_connections(5) == 0
        await client.get_json("tokenInfo")  # still works


async def test_a_refused_port_neither_raises_nor_logs_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with _client(f"http://127.0.0.1:{refused_port()}/v1/") as client:
        started = time.monotonic()
        assert await client.open_connections(3) == 0
        assert time.monotonic() - started < 2
        assert pool_connections(client) == []
        assert _opener(client)._opening == 0
    assert "could not open a connection ahead to 127.0.0.1" in caplog.text
    assert TOKEN not in caplog.text


async def test_a_port_that_never_accepts_gives_up_at_the_connect_timeout() -> None:
    with full_server() as port:
        timeouts = Timeouts(connect=0.3)
        async with _client(f"http://127.0.0.1:{port}/v1/", timeouts=timeouts) as client:
            started = time.monotonic()
            assert await client.open_connections(2) == 0
            took = time.monotonic() - started
            assert 0.25 < took < 2.0
            assert pool_connections(client) == []


async def test_a_silent_server_connects_and_the_caller_is_not_held(silent_port: int) -> None:
    async with _client(f"http://127.0.0.1:{silent_port}/v1/") as client:
        task = client.open_connections(2)
        assert not task.done()  # returned at once: the opening goes on in the background
        assert await asyncio.wait_for(task, 5) == 2  # a connect needs no answer


async def test_cancel_stops_at_once_and_leaves_nothing() -> None:
    with full_server() as port:
        async with _client(f"http://127.0.0.1:{port}/v1/", timeouts=Timeouts(connect=30)) as client:
            task = client.open_connections(3)
            await asyncio.sleep(0.05)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert time.monotonic() - started < 1
            assert pool_connections(client) == []
            assert _opener(client)._opening == 0


async def test_closing_the_client_stops_an_opening_under_way() -> None:
    with full_server() as port:
        client = _client(f"http://127.0.0.1:{port}/v1/", timeouts=Timeouts(connect=30))
        task = client.open_connections(2)
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await client.aclose()
        assert time.monotonic() - started < 1
        assert task.cancelled()


async def test_a_connection_the_server_closed_is_never_written_to(served: tuple[str, Seen]) -> None:
    base_url, seen = served
    async with _client(base_url) as client:
        assert await client.open_connections(1) == 1
        assert seen.wait_accepted(1) == 1
        seen.close_all()  # the server's idle timeout
        await asyncio.sleep(0.05)
        await client._http.request("POST", "flows/f/s/retry", body={"retryDataKeys": ["k"]})
        assert seen.wait_accepted(2) == 2
        assert seen.requests == [("POST", "/v1/flows/f/s/retry", seen.accepted[1])]  # on a new connection


async def test_renewing_replaces_connections_about_to_expire(served: tuple[str, Seen]) -> None:
    base_url, seen = served
    async with _client(base_url) as client:
        opener = _opener(client)
        assert await opener.open(2) == 2
        first = idle_ports(client)
        assert await opener.open(2, fresh_for=1.0) == 0  # 5 s of keep-alive left: nothing to renew
        assert await opener.open(2, fresh_for=10.0) == 2  # they end within 10 s: replaced
        assert seen.wait_accepted(4) == 4
        assert len(pool_connections(client)) == 2 and not idle_ports(client) & first
        assert await opener.open(2, fresh_for=10.0, wanted=lambda: False) == 0
        assert len(pool_connections(client)) == 2


async def test_keep_open_renews_while_wanted_then_stops(served: tuple[str, Seen],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    base_url, seen = served
    monkeypatch.setattr(warm_module, "RENEW_MARGIN_S", 0.1)
    quick = httpx.AsyncHTTPTransport(limits=httpx.Limits(keepalive_expiry=0.5))  # renewed every 0.4 s
    asking = True
    async with _client(base_url, transport=quick) as client:
        task = client.keep_connections_open(2, lambda: asking)
        await asyncio.sleep(1.0)
        assert not task.done()
        asking = False
        opened = await asyncio.wait_for(task, 2)
        assert opened >= 4 and seen.wait_accepted(opened) == opened  # at least two rounds
        assert len(pool_connections(client)) <= 2


@pytest.mark.parametrize("tls", ["1.3 with session tickets", "1.3 without tickets", "1.2"])
async def test_the_tls_handshake_is_done_ahead_too(tmp_path: Path, tls: str) -> None:
    """TLS 1.3 servers send session tickets after the handshake: unread, they made the socket readable and
    the pool dropped every connection opened ahead as closed by the server (the requests connected anew)."""
    server_side, trusting = loopback_tls(tmp_path)
    if tls == "1.3 without tickets":
        server_side.num_tickets = 0
    elif tls == "1.2":
        server_side.maximum_version = ssl.TLSVersion.TLSv1_2
    with counting_server(tls=server_side) as (base_url, seen):
        async with _client(base_url, transport=httpx.AsyncHTTPTransport(verify=trusting)) as client:
            assert await client.open_connections(3) == 3
            assert seen.wait_accepted(3) == 3  # counted once the server finished each handshake
            seen.together = threading.Barrier(3)
            await asyncio.gather(*(client.get_json(f"flows/f{n}") for n in range(3)))
            assert len(seen.accepted) == 3  # no handshake after the requests were started
            assert {port for _, _, port in seen.requests} == set(seen.accepted)


async def test_keep_open_asks_the_count_afresh_each_round(served: tuple[str, Seen],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    base_url, _ = served
    monkeypatch.setattr(warm_module, "RENEW_MARGIN_S", 0.1)
    quick = httpx.AsyncHTTPTransport(limits=httpx.Limits(keepalive_expiry=0.5))  # renewed every 0.4 s
    wanted = 1
    async with _client(base_url, transport=quick) as client:
        task = client.keep_connections_open(lambda: wanted, lambda: wanted > 0)
        await asyncio.sleep(0.2)
        assert len(idle_ports(client)) == 1
        wanted = 3
        await asyncio.sleep(0.5)  # the next round opens up to the new count
        assert len(idle_ports(client)) == 3
        wanted = 0
        await asyncio.wait_for(task, 2)
