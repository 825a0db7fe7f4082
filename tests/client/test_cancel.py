"""Cancel means stop: the client's own waits (backoff, Retry-After) end on cancel and nothing more is sent."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

import explorer.client.http as http_module
from explorer.client import Abandoned, Canceled, CancelScope, IntegratorClient, RequestRecord, cancellable
from explorer.model import ErrorRecord
from explorer.services.bulk import NOT_SENT_CANCELED, BulkOptions, CancelToken, run_bulk
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.counting_server import counting_server
from tests.helpers.waiting import until


class Throttling(httpx.AsyncBaseTransport):
    """The simulator, except that every retry/resolve POST is answered 429 with a long ``Retry-After``."""

    def __init__(self, retry_after: int = 3) -> None:
        self.inner = SimulatorTransport(Simulator(seed=0, time_scale=0))
        self.posts: list[str] = []
        self.throttled = asyncio.Event()
        self.retry_after = retry_after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posts.append(request.url.path)
            self.throttled.set()
            return httpx.Response(429, headers={"Retry-After": str(self.retry_after)},
                                  json={"errors": [{"code": "too_many_requests", "message": "slow down"}]})
        return await self.inner.handle_async_request(request)


def client_on(transport: httpx.AsyncBaseTransport) -> IntegratorClient:
    return IntegratorClient(DEMO_TOKENS["full"], transport=transport, max_retries=4)


async def test_a_cancel_ends_the_clients_retry_after_wait_and_nothing_is_resent() -> None:
    transport = Throttling(retry_after=60)
    scope = CancelScope()
    async with client_on(transport) as client:
        async def post() -> None:
            with cancellable(scope):
                await client.retry_errors("f", "s", ["k"])

        task = asyncio.ensure_future(post())
        await transport.throttled.wait()
        started = time.monotonic()
        scope.cancel()
        with pytest.raises(Canceled):
            await task
        assert time.monotonic() - started < 10  # at once, not after the 60 s Retry-After (loaded CI: room)
    assert len(transport.posts) == 1  # before the fix: re-sent after the Retry-After


async def test_nothing_is_sent_once_the_scope_is_cancelled() -> None:
    transport = Throttling()
    scope = CancelScope()
    scope.cancel()
    async with client_on(transport) as client:
        with cancellable(scope), pytest.raises(Canceled):
            await client.get_json(f"flows/{d.SHOPIFY_FLOW}")
    assert transport.posts == []


async def test_esc_during_a_429_wait_reports_exactly_what_the_server_accepted() -> None:
    transport = Throttling(retry_after=60)
    records = [ErrorRecord(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP, f"e{n}", retry_data_key=f"k{n}")
               for n in range(2500)]
    cancel = CancelToken()
    async with client_on(transport) as client:
        task = asyncio.ensure_future(run_bulk(client, "retry", records, cancel=cancel,
                                              options=BulkOptions(min_interval=0.0, follow=False)))
        await transport.throttled.wait()
        await asyncio.sleep(0.2)  # the batches already started have had their 429s; the client waits now
        sent_before = len(transport.posts)
        cancel.cancel()
        report = await asyncio.wait_for(task, 10)  # at once, not after the 60 s Retry-After
    assert 1 <= sent_before <= 3 and len(transport.posts) == sent_before  # nothing after the cancel
    assert report.sent == [] and report.canceled
    assert len(report.not_sent) == 2500 and {reason for _, reason in report.not_sent} == {NOT_SENT_CANCELED}
    assert report.lines()[0].startswith("0 of 2500 retried")


class Held(httpx.AsyncBaseTransport):
    """The simulator, except that the requests whose path ends with ``held`` never get an answer."""

    def __init__(self, held: str) -> None:
        self.inner = SimulatorTransport(Simulator(seed=0, time_scale=0))
        self.held = held
        self.sent: list[str] = []
        self.holding = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith(self.held):
            self.holding.set()
            await asyncio.Event().wait()  # a server that accepted the request and never answers
        return await self.inner.handle_async_request(request)


async def test_abandoning_drops_the_request_in_flight_at_once_and_sends_nothing_more() -> None:
    transport = Held(d.SHOPIFY_FLOW)
    scope = CancelScope()
    records: list[RequestRecord] = []
    client = IntegratorClient(DEMO_TOKENS["full"], transport=transport, on_request=records.append)
    async with client:
        async def read() -> None:
            with cancellable(scope):
                await client.get_json(f"flows/{d.SHOPIFY_FLOW}")

        task = asyncio.ensure_future(read())
        await transport.holding.wait()
        assert client.waits.longest(scope) is not None  # the wait is known as this scope's
        scope.cancel()
        await asyncio.sleep(0.05)
        assert not task.done()  # a plain cancel lets a request on the wire complete
        started = time.monotonic()
        scope.abandon()
        with pytest.raises(Abandoned, match="stopped waiting for"):
            await asyncio.wait_for(task, 10)
        assert time.monotonic() - started < 5  # at once: the held request never ends by itself
        assert client.waits.longest() is None
    assert transport.sent == [f"GET /v1/flows/{d.SHOPIFY_FLOW}"]  # once: no re-send after the abandon
    assert [r.status for r in records] == [None] and records[0].error is not None  # the HTTP log has it


async def test_the_scope_hears_when_each_request_is_written_though_no_answer_comes(silent_port: int) -> None:
    scope = CancelScope()
    written: list[int] = []
    scope.on_written = lambda: written.append(len(written) + 1)
    client = IntegratorClient(DEMO_TOKENS["full"], base_url=f"http://127.0.0.1:{silent_port}")
    async with client:
        async def post(n: int) -> None:
            with cancellable(scope):
                await client.retry_errors("f", "s", [f"k{n}-{i}" for i in range(1000)])

        tasks = [asyncio.ensure_future(post(n)) for n in range(3)]
        await until(None, lambda: len(written) == 3)  # written, on three connections
        assert not any(task.done() for task in tasks)  # and unanswered: the server never says a word
        scope.abandon()
        for task in tasks:
            with pytest.raises(Abandoned):
                await asyncio.wait_for(task, 10)
    assert written == [1, 2, 3]


async def test_a_request_s_trace_ends_once_its_body_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """The answer's steps (headers, body, close) are not traced: the scope only wants to hear of the write."""
    events: list[str] = []
    tell = http_module._tell_when_written

    def counting(scope: CancelScope, extensions: dict[str, Any]) -> Callable[[str, dict[str, Any]],
                                                                           Awaitable[None]]:
        trace = tell(scope, extensions)

        async def seen(event: str, info: dict[str, Any]) -> None:
            events.append(event)
            await trace(event, info)

        return seen

    monkeypatch.setattr(http_module, "_tell_when_written", counting)
    scope = CancelScope()
    written: list[int] = []
    scope.on_written = lambda: written.append(1)
    with counting_server() as (base, seen):
        async with IntegratorClient(DEMO_TOKENS["full"], base_url=base) as client:
            with cancellable(scope):
                for _ in range(2):
                    assert await client.get_json("flows") == {}
    assert written == [1, 1] and len(seen.requests) == 2
    assert events.count("http11.send_request_body.complete") == 2
    assert not [event for event in events if "receive_response" in event or "response_closed" in event]
