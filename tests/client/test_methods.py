"""Every typed and raw method: the request it sends (method, path, body) and the model it returns."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from explorer.client import (
    BadRequest,
    Forbidden,
    IntegratorClient,
    NotFound,
    RequestRecord,
    SummaryHook,
    TransportError,
    Unauthorized,
    ValidationFailed,
)
from explorer.model import Connection, Export, Flow, Import, Integration, Resource
from tests.helpers.fake_api import FakeApi, json_response

NOW = "2026-11-20T10:00:00.000Z"


async def test_token_info(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/tokenInfo", json_response(200, {"_userId": "u1", "scope": "*"}))
    info = await client.token_info()
    assert (info.user_id, info.scope) == ("u1", "full")


async def test_token_info_of_unknown_shape_is_not_an_error(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/tokenInfo", json_response(200, ["odd"]))
    assert (await client.token_info()).scope == "unknown"


@pytest.mark.parametrize(
    ("method_name", "path", "cls"),
    [("list_integrations", "/v1/integrations", Integration), ("list_exports", "/v1/exports", Export),
     ("list_imports", "/v1/imports", Import), ("list_connections", "/v1/connections", Connection),
     ("list_flows", "/v1/flows", Flow)],
)
async def test_lists(api: FakeApi, client: IntegratorClient, method_name: str, path: str, cls: type) -> None:
    api.on("GET", path, json_response(200, [{"_id": "x1", "name": "One", "createdAt": NOW}, {"_id": "x2"}]))
    found = await getattr(client, method_name)()
    assert [type(item) for item in found] == [cls, cls]
    assert [(item.id, item.name) for item in found] == [("x1", "One"), ("x2", "")]
    assert found[0].created_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert found[0].raw == {"_id": "x1", "name": "One", "createdAt": NOW}


async def test_flows_of_one_integration(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/integrations/a1/flows", json_response(200, [{"_id": "f1", "_integrationId": "a1"}]))
    flows = await client.list_flows("a1")
    assert [(f.id, f.integration_id) for f in flows] == [("f1", "a1")]


@pytest.mark.parametrize(
    ("method_name", "kind", "cls"),
    [("get_integration", "integrations", Integration), ("get_flow", "flows", Flow),
     ("get_export", "exports", Export), ("get_import", "imports", Import),
     ("get_connection", "connections", Connection)],
)
async def test_get_by_id(api: FakeApi, client: IntegratorClient, method_name: str, kind: str,
                         cls: type[Resource]) -> None:
    api.on("GET", f"/v1/{kind}/x1", json_response(200, {"_id": "x1", "name": "One", "extra": [1]}))
    found = await getattr(client, method_name)("x1")
    assert isinstance(found, cls)
    assert found.id == "x1" and found.raw["extra"] == [1]
    with pytest.raises(NotFound):
        await getattr(client, method_name)("missing")


async def test_ids_are_encoded_into_one_segment(api: FakeApi, client: IntegratorClient) -> None:
    with pytest.raises(NotFound):
        await client.get_flow("../accesstokens")
    assert api.sent()[-1] == ("GET", "/v1/flows/..%2Faccesstokens")
    with pytest.raises(ValueError, match="empty"):
        await client.get_flow("")


async def test_ping_ok_failed_and_errors(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/connections/c1/ping", json_response(200, {"code": 200}))
    api.on("GET", "/v1/connections/c2/ping",
           json_response(422, {"errors": [{"code": "ping_failed", "message": "Connection is offline"}]}))
    api.on("GET", "/v1/connections/c3/ping", json_response(200, {"code": 401, "message": "bad credentials"}))
    api.on("GET", "/v1/connections/c4/ping", json_response(403, {"errors": [{"code": "forbidden"}]}))
    api.on("GET", "/v1/connections/c5/ping", json_response(401, {"errors": [{"code": "unauthorized"}]}))
    ok = await client.ping_connection("c1")
    assert (ok.ok, ok.status) == (True, 200)
    failed = await client.ping_connection("c2")
    assert (failed.ok, failed.status, failed.message) == (False, 422, "Connection is offline")
    assert failed.raw == {"errors": [{"code": "ping_failed", "message": "Connection is offline",
                                      "field": None}]}
    odd = await client.ping_connection("c3")
    assert (odd.ok, odd.message) == (False, "bad credentials")
    with pytest.raises(Forbidden):
        await client.ping_connection("c4")
    with pytest.raises(Unauthorized):
        await client.ping_connection("c5")
    with pytest.raises(NotFound):
        await client.ping_connection("c6")


# ------------------------------------------------------------------------------------------------ errors API
async def test_integration_error_summary(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/integrations/a1/errors", json_response(200, [
        {"_flowId": "f1", "numError": 3, "lastErrorAt": NOW}, {"_flowId": "f2", "numError": "1"}]))
    api.on("GET", "/v1/integrations/a2/errors", httpx.Response(204))
    summary = await client.integration_error_summary("a1")
    assert [(c.flow_id, c.num_error) for c in summary] == [("f1", 3), ("f2", 1)]
    assert summary[0].last_error_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert await client.integration_error_summary("a2") == []


async def test_flow_error_summary(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/errors", json_response(200, {"flowErrors": [
        {"_expOrImpId": "e1", "numError": 0}, {"_expOrImpId": "i1", "numError": 2, "lastErrorAt": NOW}]}))
    api.on("GET", "/v1/flows/f2/errors", json_response(200, [{"_expOrImpId": "i9", "numError": 1}]))
    assert [(c.step_id, c.num_error) for c in await client.flow_error_summary("f1")] == [("e1", 0), ("i1", 2)]
    assert [c.step_id for c in await client.flow_error_summary("f2")] == ["i9"]


async def test_iter_errors_parses_records(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/i1/errors", json_response(200, {"errors": [{
        "errorId": "7f3a91c2", "occurredAt": NOW, "source": "application", "code": "422",
        "message": "Missing required field email", "classification": "missing", "oIndex": "1",
        "traceKey": "SO-1001", "retryDataKey": "k1", "_flowJobId": "j1", "reqAndResKey": "r1"}]}))
    when = datetime(2026, 11, 1, tzinfo=UTC)
    pages = [page async for page in client.iter_errors("f1", "i1", occurred_at_lte=when)]
    assert api.sent() == [("GET", "/v1/flows/f1/i1/errors?occurredAt_lte=2026-11-01T00%3A00%3A00.000Z")]
    (record,) = pages[0]
    assert (record.error_id, record.trace_key, record.retry_data_key, record.req_and_res_key) == (
        "7f3a91c2", "SO-1001", "k1", "r1")


async def test_resolve_errors_in_batches_of_1000(api: FakeApi, client: IntegratorClient) -> None:
    api.on("PUT", "/v1/flows/f1/i1/resolved", httpx.Response(204))
    ids = [f"e{n}" for n in range(2500)] + ["e0"]  # a duplicate is sent once
    assert await client.resolve_errors("f1", "i1", ids) == 2500
    assert [len(api.body(i)["errors"]) for i in range(3)] == [1000, 1000, 500]
    assert api.body(0)["errors"][0] == "e0" and api.body(2)["errors"][-1] == "e2499"
    assert await client.resolve_errors("f1", "i1", []) == 0
    assert len(api.requests) == 3


async def test_retry_errors(api: FakeApi, client: IntegratorClient) -> None:
    api.on("POST", "/v1/flows/f1/i1/retry",
           json_response(201, {"_id": "jr", "type": "retry", "status": "queued", "_flowId": "f1"}))
    job = await client.retry_errors("f1", "i1", ["k1", "k2", "k1"])
    assert (job.id, job.type, job.status) == ("jr", "retry", "queued")
    assert api.body() == {"retryDataKeys": ["k1", "k2"]}
    with pytest.raises(ValueError, match="at most 1000"):
        await client.retry_errors("f1", "i1", [f"k{n}" for n in range(1001)])
    with pytest.raises(ValueError, match="no retry data keys"):
        await client.retry_errors("f1", "i1", [])
    assert len(api.requests) == 1


async def test_retry_keys_are_sent_once_whatever_sequence_holds_them(api: FakeApi,
                                                                    client: IntegratorClient) -> None:
    api.on("POST", "/v1/flows/f1/i1/retry", json_response(201, {"_id": "jr", "type": "retry"}))
    given = ["k1", "k2", "k3"]
    await client.retry_errors("f1", "i1", given)
    await client.retry_errors("f1", "i1", ("k3", "k3", "k4"))
    assert [api.body(i) for i in range(2)] == [{"retryDataKeys": ["k1", "k2", "k3"]},
                                               {"retryDataKeys": ["k3", "k4"]}]
    assert given == ["k1", "k2", "k3"]


async def test_retry_answer_without_job_id(api: FakeApi, client: IntegratorClient) -> None:
    api.on("POST", "/v1/flows/f1/i1/retry", httpx.Response(204))
    job = await client.retry_errors("f1", "i1", ["k1"])
    assert (job.id, job.type, job.flow_id) == ("", "retry", "f1")


async def test_retry_data_get_and_put(api: FakeApi, client: IntegratorClient) -> None:
    body = {"data": {"id": "SO-1001", "email": None}, "stage": "import", "traceKey": "SO-1001"}
    api.on("GET", "/v1/flows/f1/i1/k1/data", json_response(200, body))
    api.on("PUT", "/v1/flows/f1/i1/k1/data", httpx.Response(204))
    retry = await client.get_retry_data("f1", "i1", "k1")
    assert retry.data == {"id": "SO-1001", "email": None}
    edited = retry.with_data({"id": "SO-1001", "email": "a@b.c"})
    saved = await client.put_retry_data("f1", "i1", "k1", edited)
    assert api.body() == {**body, "data": {"id": "SO-1001", "email": "a@b.c"}}
    assert saved.data == {"id": "SO-1001", "email": "a@b.c"}


async def test_retry_data_put_echo_and_validation(api: FakeApi, client: IntegratorClient) -> None:
    api.on("PUT", "/v1/flows/f1/i1/k1/data", json_response(200, {"data": {"echo": 1}}))
    api.on("PUT", "/v1/flows/f1/i1/k2/data",
           json_response(422, {"errors": [{"code": "invalid_field", "message": "data must be an object"}]}))
    assert (await client.put_retry_data("f1", "i1", "k1", {"data": {"x": 1}})).data == {"echo": 1}
    with pytest.raises(ValidationFailed, match="data must be an object"):
        await client.put_retry_data("f1", "i1", "k2", {"data": 5})


async def test_request_detail(api: FakeApi, client: IntegratorClient) -> None:
    detail = {"request": {"method": "POST", "url": "https://shop.example/o"}, "response": {"status": 422}}
    api.on("GET", "/v1/flows/f1/i1/requests/1763632800000-abc-422-POST", json_response(200, detail))
    api.on("GET", "/v1/flows/f1/i1/requests/r2", json_response(200, ["not", "an", "object"]))
    assert await client.get_request_detail("f1", "i1", "1763632800000-abc-422-POST") == detail
    with pytest.raises(TransportError, match="JSON object"):
        await client.get_request_detail("f1", "i1", "r2")


# ------------------------------------------------------------------------------------------------ jobs
async def test_run_flow(api: FakeApi, client: IntegratorClient) -> None:
    api.on("POST", "/v1/flows/f1/run", json_response(201, {"_jobId": "j1"}))
    api.on("POST", "/v1/flows/f2/run", json_response(201, {"ok": True}))
    assert await client.run_flow("f1") == "j1"
    assert api.body() == {}
    with pytest.raises(TransportError, match="no job id"):
        await client.run_flow("f2")
    await client.run_flow("f1", {"export": {"startDate": NOW}})
    assert api.body() == {"export": {"startDate": NOW}}


async def test_latest_jobs(api: FakeApi, client: IntegratorClient) -> None:
    job = {"_id": "j1", "type": "flow", "_flowId": "f1", "status": "completed", "numSuccess": 98,
           "numError": 2, "children": [{"_id": "j2", "type": "export", "_expOrImpId": "e1"}]}
    api.on("GET", "/v1/flows/f1/jobs/latest", json_response(200, [job]))
    (latest,) = await client.latest_jobs("f1")
    assert (latest.id, latest.num_error, latest.children[0].resource_id) == ("j1", 2, "e1")


async def test_list_jobs_passes_filters(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/jobs?_flowId=f1&type=retry&status=queued&status=running"
                  "&createdAt_lte=2026-11-20T10%3A00%3A00.000Z", json_response(200, [{"_id": "jr"}]))
    api.on("GET", "/v1/jobs", json_response(400, {"errors": [{"code": "invalid_query", "message": "need"}]}))
    jobs = await client.list_jobs(_flowId="f1", type="retry", status=["queued", "running"],
                                  createdAt_lte=datetime(2026, 11, 20, 10, tzinfo=UTC))
    assert [j.id for j in jobs] == ["jr"]
    with pytest.raises(BadRequest, match="need"):
        await client.list_jobs()


async def test_get_and_cancel_job(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/jobs/j1", json_response(200, {"_id": "j1", "status": "canceled"}))
    api.on("PUT", "/v1/jobs/j1/cancel", httpx.Response(204))
    api.on("PUT", "/v1/jobs/j2/cancel", json_response(200, {"_id": "j2", "status": "canceling"}))
    assert (await client.get_job("j1")).status == "canceled"
    assert (await client.cancel_job("j1")).status == "canceled"
    assert (await client.cancel_job("j2")).status == "canceling"
    assert ("PUT", "/v1/jobs/j2/cancel") in api.sent()


# ------------------------------------------------------------------------------------------------ raw JSON
async def test_raw_json_methods(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1", json_response(200, {"_id": "f1"}))
    api.on("GET", "/v1/flows?include=name", json_response(200, [{"_id": "f1", "name": "x"}]))
    api.on("PUT", "/v1/flows/f1", json_response(200, {"_id": "f1", "name": "y"}))
    api.on("DELETE", "/v1/flows/f9", httpx.Response(204))
    assert await client.get_json("/v1/flows/f1") == {"_id": "f1"}
    assert await client.get_json("flows/f1") == {"_id": "f1"}
    assert await client.get_json("https://api.integrator.io/v1/flows/f1") == {"_id": "f1"}
    assert await client.get_json("flows", {"include": "name"}) == [{"_id": "f1", "name": "x"}]
    assert await client.put_json("flows/f1", {"name": "y"}) == {"_id": "f1", "name": "y"}
    await client.delete("flows/f9")
    assert api.body(-2) == {"name": "y"}
    with pytest.raises(TransportError, match="refusing to send the token"):
        await client.get_json("https://evil.example/v1/flows")
    for bad in ("http://[::1", "flows/\x00x"):
        with pytest.raises(TransportError) as caught:
            await client.get_json(bad)
        assert caught.value.code == "invalid_url"
    assert len(api.requests) == 6


async def test_cookies_the_server_sets_are_sent_back_as_httpx_did() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, json={}, headers={"set-cookie": "AWSALB=sticky; Path=/"})

    async with IntegratorClient("cookie-test-token", transport=httpx.MockTransport(answer)) as client:
        await client.get_json("flows")
        await client.get_json("flows")
    assert seen == [None, "AWSALB=sticky"]


async def test_a_closed_client_sends_nothing() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(200, json={})

    client = IntegratorClient("closed-test-token", transport=httpx.MockTransport(answer))
    await client.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await client.get_json("flows")
    assert sent == []


async def test_a_summary_hook_gets_the_summary_and_no_headers_or_bodies(api: FakeApi) -> None:
    api.on("POST", "/v1/flows/f1/i1/retry", json_response(201, {"_id": "jr", "type": "retry"}))
    full: list[RequestRecord] = []
    summaries: list[RequestRecord] = []
    for hook in (full.append, SummaryHook(summaries.append)):
        async with IntegratorClient("summary-test-token", transport=api.transport, on_request=hook) as client:
            await client.retry_errors("f1", "i1", ["k1", "k2"])
    (detailed,), (summary,) = full, summaries
    assert (summary.method, summary.path, summary.status, summary.retries, summary.error) == (
        "POST", "/v1/flows/f1/i1/retry", 201, 0, None)
    sizes = (summary.bytes_sent, summary.bytes_received)
    assert sizes == (detailed.bytes_sent, detailed.bytes_received) > (0, 0)
    details = (summary.request_headers, summary.request_body, summary.response_headers, summary.response_body)
    assert details == ({}, None, {}, None)
    assert detailed.request_headers["authorization"] == "Bearer ***"
    assert detailed.request_body == '{"retryDataKeys": ["k1", "k2"]}' and detailed.response_body
