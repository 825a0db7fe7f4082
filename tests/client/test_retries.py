"""Retries: idempotent calls recover from transient failures; a POST is repeated only if it was refused."""

from __future__ import annotations

import httpx
import pytest

from explorer.client import RateLimited, RequestRecord, RetryPolicy, ServerError, TransportError
from tests.helpers.fake_api import FakeApi, MakeClient, json_response

FLOW = {"_id": "f1", "name": "Orders"}


def _failure(status: int) -> httpx.Response:
    return json_response(status, {"errors": [{"code": f"e{status}", "message": "transient"}]})


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_get_is_retried_on_transient_statuses(api: FakeApi, make_client: MakeClient,
                                                    sleeps: list[float], records: list[RequestRecord],
                                                    status: int) -> None:
    api.on("GET", "/v1/flows/f1", _failure(status), _failure(status), json_response(200, FLOW))
    async with make_client() as client:
        flow = await client.get_flow("f1")
    assert flow.name == "Orders"
    assert len(api.requests) == 3
    assert len(sleeps) == 2
    assert [(r.status, r.retries, r.error) for r in records] == [(200, 2, None)]


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
                                     httpx.RemoteProtocolError("peer closed connection mid-body")])
async def test_get_is_retried_after_connection_errors(api: FakeApi, make_client: MakeClient,
                                                      failure: Exception) -> None:
    api.on("GET", "/v1/flows/f1", failure, json_response(200, FLOW))
    async with make_client() as client:
        assert (await client.get_flow("f1")).id == "f1"
    assert len(api.requests) == 2


async def test_get_is_retried_after_a_malformed_success_body(api: FakeApi, make_client: MakeClient) -> None:
    api.on("GET", "/v1/flows/f1", httpx.Response(200, content=b'{"_id": "f'), json_response(200, FLOW))
    async with make_client() as client:
        assert (await client.get_flow("f1")).id == "f1"
    assert len(api.requests) == 2


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_put_and_delete_are_retried_on_5xx(api: FakeApi, make_client: MakeClient, method: str) -> None:
    api.on(method, "/v1/flows/f1", _failure(503), json_response(200, FLOW))
    async with make_client() as client:
        if method == "PUT":
            await client.put_json("flows/f1", FLOW)
        else:
            await client.delete("flows/f1")
    assert len(api.requests) == 2


async def test_500_on_a_get_is_retried_with_backoff(api: FakeApi, make_client: MakeClient,
                                                    sleeps: list[float]) -> None:
    api.on("GET", "/v1/flows/f1", _failure(500), json_response(200, FLOW))
    async with make_client() as client:
        assert (await client.get_flow("f1")).id == FLOW["_id"]
    assert len(api.requests) == 2 and len(sleeps) == 1 and sleeps[0] > 0


async def test_500_on_a_get_is_retried_a_bounded_number_of_times(api: FakeApi, make_client: MakeClient,
                                                                sleeps: list[float]) -> None:
    api.on("GET", "/v1/flows/f1", *[_failure(500)] * 10)
    async with make_client() as client:
        with pytest.raises(ServerError):
            await client.get_flow("f1")
    assert len(api.requests) == 5 and len(sleeps) == 4


async def test_500_on_a_put_is_not_retried(api: FakeApi, make_client: MakeClient,
                                           sleeps: list[float]) -> None:
    api.on("PUT", "/v1/flows/f1", _failure(500), json_response(200, FLOW))
    async with make_client() as client:
        with pytest.raises(ServerError):
            await client.put_json("flows/f1", FLOW)
    assert len(api.requests) == 1 and sleeps == []


@pytest.mark.parametrize("failure", [_failure(500), _failure(502), _failure(503), _failure(504),
                                     httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
                                     httpx.Response(201, content=b"<html>")])
async def test_post_retry_is_never_repeated_after_5xx_or_connection_errors(
    api: FakeApi, make_client: MakeClient, sleeps: list[float], records: list[RequestRecord],
    failure: httpx.Response | Exception,
) -> None:
    api.on("POST", "/v1/flows/f1/s1/retry", failure, json_response(201, {"_id": "j1", "type": "retry"}))
    async with make_client() as client:
        with pytest.raises((ServerError, TransportError)):
            await client.retry_errors("f1", "s1", ["k1"])
    assert api.sent() == [("POST", "/v1/flows/f1/s1/retry")]
    assert sleeps == []
    assert records[0].retries == 0 and records[0].error is not None


async def test_post_run_is_not_repeated_after_502(api: FakeApi, make_client: MakeClient) -> None:
    api.on("POST", "/v1/flows/f1/run", _failure(502), json_response(201, {"_jobId": "j1"}))
    async with make_client() as client:
        with pytest.raises(ServerError):
            await client.run_flow("f1")
    assert len(api.requests) == 1


async def test_post_is_retried_after_429_honouring_retry_after(api: FakeApi, make_client: MakeClient,
                                                                sleeps: list[float]) -> None:
    limited = json_response(429, {"errors": [{"code": "rate_limited", "message": "slow down"}]},
                            {"Retry-After": "3"})
    api.on("POST", "/v1/flows/f1/s1/retry", limited, json_response(201, {"_id": "j1", "type": "retry"}))
    async with make_client() as client:
        job = await client.retry_errors("f1", "s1", ["k1"])
    assert job.id == "j1"
    assert sleeps == [3.0]
    assert api.body(0) == api.body(1) == {"retryDataKeys": ["k1"]}


async def test_retry_after_too_long_is_not_waited_for(api: FakeApi, make_client: MakeClient,
                                                      sleeps: list[float]) -> None:
    api.on("GET", "/v1/flows", json_response(429, {"errors": []}, {"Retry-After": "3600"}))
    async with make_client() as client:
        with pytest.raises(RateLimited) as caught:
            await client.list_flows()
    assert caught.value.retry_after == 3600.0
    assert sleeps == [] and len(api.requests) == 1


async def test_retry_after_on_503_is_honoured_and_capped(api: FakeApi, make_client: MakeClient,
                                                         sleeps: list[float]) -> None:
    api.on("GET", "/v1/flows", json_response(503, {}, {"Retry-After": "2"}), json_response(200, []))
    api.on("GET", "/v1/exports", json_response(503, {}, {"Retry-After": "600"}), json_response(200, []))
    async with make_client() as client:
        assert await client.list_flows() == []
        with pytest.raises(ServerError):
            await client.list_exports()
    assert sleeps == [2.0]
    assert api.sent() == [("GET", "/v1/flows"), ("GET", "/v1/flows"), ("GET", "/v1/exports")]


async def test_unreadable_retry_after_falls_back_to_backoff(api: FakeApi, make_client: MakeClient,
                                                            sleeps: list[float]) -> None:
    limited = json_response(429, {}, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"})
    api.on("GET", "/v1/flows", limited, json_response(200, []))
    async with make_client() as client:
        assert await client.list_flows() == []
    assert sleeps == [0.375]  # base 0.5: half of it plus random (0.5) × half of it


async def test_max_retries_bounds_attempts_and_backoff_grows_capped(api: FakeApi, make_client: MakeClient,
                                                                    sleeps: list[float],
                                                                    records: list[RequestRecord]) -> None:
    api.on("GET", "/v1/flows", _failure(503))
    async with make_client(max_retries=6) as client:
        with pytest.raises(ServerError):
            await client.list_flows()
    assert len(api.requests) == 7
    assert sleeps == [0.375, 0.75, 1.5, 3.0, 6.0, 12.0]
    assert records[-1].retries == 6 and records[-1].status == 503


async def test_max_retries_zero_means_one_attempt(api: FakeApi, make_client: MakeClient) -> None:
    api.on("GET", "/v1/flows", _failure(503))
    async with make_client(max_retries=0) as client:
        with pytest.raises(ServerError):
            await client.list_flows()
    assert len(api.requests) == 1


def test_backoff_is_capped_and_jittered() -> None:
    low = RetryPolicy(random=lambda: 0.0)
    high = RetryPolicy(random=lambda: 0.999999)
    assert low.delay(0) == 0.25 and high.delay(0) == pytest.approx(0.5)
    assert low.delay(30) == 10.0 and high.delay(30) == pytest.approx(20.0)
    assert low.delay(2, retry_after=4.0) == 4.0
    assert RetryPolicy().may_retry_status("PATCH", 503, None, 0) is False
    assert RetryPolicy().may_retry_status("POST", 429, None, 0) is True
    assert RetryPolicy().may_retry_status("POST", 429, None, 4) is False
