"""Safety: read-only sends nothing, the token never leaks, concurrency stays bounded, records are honest."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from explorer.client import (
    ApiError,
    IntegratorClient,
    NotFound,
    ReadOnlyViolation,
    RequestRecord,
    ServerError,
)
from explorer.client.records import BODY_LIMIT, body_text
from tests.helpers.fake_api import TOKEN, FakeApi, MakeClient, json_response

WRITES: list[tuple[str, Callable[[IntegratorClient], Awaitable[Any]]]] = [
    ("put_json", lambda c: c.put_json("flows/f1", {})),
    ("delete", lambda c: c.delete("flows/f1")),
    ("resolve_errors", lambda c: c.resolve_errors("f1", "s1", ["e1"])),
    ("retry_errors", lambda c: c.retry_errors("f1", "s1", ["k1"])),
    ("put_retry_data", lambda c: c.put_retry_data("f1", "s1", "k1", {"data": {}})),
    ("run_flow", lambda c: c.run_flow("f1")),
    ("cancel_job", lambda c: c.cancel_job("j1")),
]


@pytest.mark.parametrize(("name", "call"), WRITES, ids=[name for name, _ in WRITES])
async def test_read_only_refuses_every_write_before_sending(
    api: FakeApi, make_client: MakeClient, records: list[RequestRecord], name: str,
    call: Callable[[IntegratorClient], Awaitable[Any]],
) -> None:
    async with make_client(read_only=True) as client:
        assert client.read_only is True
        with pytest.raises(ReadOnlyViolation) as caught:
            await call(client)
    assert api.requests == [] and records == []
    assert caught.value.status is None and caught.value.code == "read_only"
    assert "read-only" in str(caught.value)


async def test_read_only_still_reads_and_pings(api: FakeApi, make_client: MakeClient) -> None:
    api.on("GET", "/v1/flows", json_response(200, [{"_id": "f1"}]))
    api.on("GET", "/v1/connections/c1/ping", json_response(200, {"code": 200}))
    async with make_client(read_only=True) as client:
        assert [f.id for f in await client.list_flows()] == ["f1"]
        assert (await client.ping_connection("c1")).ok
    assert [m for m, _ in api.sent()] == ["GET", "GET"]


async def test_token_never_appears_in_errors_records_or_logs(api: FakeApi, make_client: MakeClient,
                                                             records: list[RequestRecord],
                                                             caplog: pytest.LogCaptureFixture) -> None:
    echo = f"Bearer {TOKEN}"
    api.on("GET", "/v1/flows/f1", json_response(401, {"errors": [{"code": "unauthorized",
                                                                  "message": f"bad token {TOKEN}"}]}))
    api.on("GET", "/v1/flows/f2", httpx.Response(502, text=f"<html><pre>Authorization: {echo}</pre></html>",
                                                 headers={"X-Echo": echo}))
    api.on("GET", "/v1/flows/f3", httpx.ConnectError(f"could not connect with {TOKEN}"))
    api.on("GET", "/v1/flows/f4", httpx.Response(200, text=f"not json {TOKEN}"))
    api.on("GET", "/v1/flows/f6", json_response(404, {"errors": [{"code": "not_found", "field": TOKEN}]}))
    link = f'<https://evil.example/v1/flows?t={TOKEN}>; rel="next"'
    api.on("GET", "/v1/flows", json_response(200, [{"_id": "f1", "note": TOKEN}], {"Link": link}))
    api.on("PUT", "/v1/flows/f5", json_response(503, {"errors": [{"code": "x", "message": TOKEN}]},
                                                {"Set-Cookie": f"s={TOKEN}"}))
    caught: list[ApiError] = []
    caplog.set_level(logging.DEBUG)
    async with make_client(max_retries=1) as client:
        assert TOKEN not in repr(client) and TOKEN not in str(client)
        calls: list[Awaitable[Any]] = [
            client.get_flow("f1"), client.get_flow("f2"), client.get_flow("f3"), client.get_flow("f4"),
            client.get_flow("f6"), client.list_flows(), client.put_json("flows/f5", {"secret": TOKEN}),
            client.get_json(f"https://evil.example/v1/?t={TOKEN}"), client.get_flow(TOKEN),
            client.get_json("flows", {"token": TOKEN}),
        ]
        for call in calls:
            with pytest.raises(ApiError) as info:
                await call
            caught.append(info.value)
    assert len(caught) == 10 and len(records) == 7
    assert [e.code for e in caught[-2:]] == ["token_in_url", "token_in_url"]  # a URL is logged everywhere
    texts = [str(e) for e in caught] + [repr(e) for e in caught] + [repr(r) for r in records]
    texts += [json.dumps(e.__dict__, default=str) for e in caught]
    texts += [caplog.text] + [r.getMessage() for r in caplog.records]
    leaks = [text for text in texts if TOKEN in text]
    assert leaks == []
    assert any(r.request_headers.get("authorization") == "Bearer ***" for r in records)
    assert any("retry" in r.getMessage() for r in caplog.records)  # the logging path really ran


# ------------------------------------------------------------------------------------------------ records
async def test_one_record_per_logical_request(api: FakeApi, make_client: MakeClient,
                                              records: list[RequestRecord]) -> None:
    big = {"_id": "f1", "blob": "z" * (BODY_LIMIT + 5000)}
    api.on("GET", "/v1/flows/f1", json_response(503, {"errors": []}), json_response(200, big))
    api.on("PUT", "/v1/flows/f2", json_response(404, {"errors": [{"code": "not_found", "message": "gone"}]}))
    async with make_client() as client:
        await client.get_flow("f1")
        with pytest.raises(NotFound):
            await client.put_json("flows/f2", {"name": "n"})
    first, second = records
    assert (first.method, first.path, first.status, first.retries) == ("GET", "/v1/flows/f1", 200, 1)
    assert first.error is None
    assert first.request_headers["authorization"] == "Bearer ***"
    assert first.request_body is None and first.bytes_sent == 0
    assert first.bytes_received == len(json.dumps(big).encode())
    assert first.response_body is not None and len(first.response_body) < BODY_LIMIT + 100
    left = len(json.dumps(big).encode()) - BODY_LIMIT
    assert first.response_body.endswith(f"… [{left:,} more bytes not kept]")
    assert first.response_headers["content-type"].startswith("application/json")
    assert first.duration_ms >= 0 and first.started_at is not None
    assert (second.method, second.status, second.retries) == ("PUT", 404, 0)
    assert second.request_body == '{"name": "n"}' and second.bytes_sent == len(b'{"name": "n"}')
    assert second.error is not None and "gone" in second.error


async def test_record_for_a_connection_failure(api: FakeApi, make_client: MakeClient,
                                               records: list[RequestRecord]) -> None:
    api.on("GET", "/v1/flows", httpx.ConnectError("refused"))
    async with make_client(max_retries=2) as client:
        with pytest.raises(ApiError):
            await client.list_flows()
    (record,) = records
    assert (record.status, record.retries, record.bytes_received, record.response_body) == (None, 2, 0, None)
    assert record.error is not None and "refused" in record.error


# ------------------------------------------------------------------------------------------------ concurrency
class InFlight:
    """A MockTransport handler that counts concurrent requests."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.total = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.total += 1
        self.peak = max(self.peak, self.now)
        await asyncio.sleep(0.002)
        self.now -= 1
        return json_response(200, {"_id": request.url.path.rsplit("/", 1)[-1]})


@pytest.mark.parametrize("bound", [1, 3, 8])
async def test_concurrency_bounds_requests_in_flight(bound: int) -> None:
    counter = InFlight()
    async with IntegratorClient(TOKEN, transport=httpx.MockTransport(counter), concurrency=bound) as client:
        flows = await asyncio.gather(*(client.get_flow(f"f{n}") for n in range(30)))
    assert [f.id for f in flows] == [f"f{n}" for n in range(30)]
    assert counter.peak == bound and counter.total == 30


async def test_gather_bounded_limits_whole_coroutines_and_keeps_order() -> None:
    counter = InFlight()
    async with IntegratorClient(TOKEN, transport=httpx.MockTransport(counter), concurrency=8) as client:

        async def two_calls(n: int) -> str:
            await client.get_flow(f"a{n}")
            return (await client.get_flow(f"b{n}")).id

        results = await client.gather_bounded((two_calls(n) for n in range(20)), limit=2)
        assert results == [f"b{n}" for n in range(20)]
        assert counter.peak == 2
        default = await client.gather_bounded([client.get_flow(f"c{n}") for n in range(20)])
        assert len(default) == 20 and counter.peak == 8


async def test_gather_bounded_failures(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/ok", json_response(200, {"_id": "ok"}))
    api.on("GET", "/v1/flows/bad", json_response(500, {"errors": [{"code": "boom", "message": "boom"}]}))
    both = [client.get_flow("ok"), client.get_flow("bad")]
    mixed = await client.gather_bounded(both, return_exceptions=True)
    assert getattr(mixed[0], "id", None) == "ok" and isinstance(mixed[1], ServerError)
    with pytest.raises(ServerError, match="boom"):
        await client.gather_bounded([client.get_flow("bad")] + [client.get_flow("ok") for _ in range(5)],
                                    limit=1)


def test_a_big_body_is_decoded_only_as_far_as_the_log_keeps_it() -> None:
    token = "secret-token-" + "x" * 30
    scrub: Callable[[str], str] = lambda text: text.replace(token, "***")  # noqa: E731
    body = ("a" * 990 + token + "é" * 50_000).encode()  # the token straddles the cut at 1,000
    shown = body_text(body, scrub, limit=1000)
    assert shown is not None and "secret" not in shown
    assert shown.startswith("a" * 990 + "***" + "é" * 7)
    kept = shown.split("\n… [")[0]
    assert len(kept) == 1000
    assert shown.endswith(f"[{len(body) - len(kept.encode()):,} more bytes not kept]")
    assert body_text("é".encode() * 500, scrub, limit=1000) == "é" * 500  # all of it fits: no note
    assert body_text(b"", scrub) is None
