"""Every client method against the in-process simulator: the client and the simulator were written apart from
each other against the same API notes, so agreement here is evidence that both read them the same way.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from explorer.client import (
    ApiError,
    Forbidden,
    IntegratorClient,
    NotFound,
    RateLimited,
    ReadOnlyViolation,
    RequestRecord,
    TransportError,
    Unauthorized,
    ValidationFailed,
)
from explorer.model import masked_secret_paths
from explorer.simulator import DEMO_TOKENS, FaultConfig, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.fake_api import all_errors

UNKNOWN_ID = "0123456789abcdef01234567"
MakeSimClient = Callable[..., IntegratorClient]


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=0)


@pytest.fixture
def make(sim: Simulator) -> MakeSimClient:
    """Clients on the simulator; retries wait for nothing."""

    async def no_wait(_seconds: float) -> None:
        return None

    def build(token: str = "full", **options: Any) -> IntegratorClient:
        options.setdefault("sleep", no_wait)
        return IntegratorClient(DEMO_TOKENS[token], transport=SimulatorTransport(sim), **options)

    return build


@pytest.fixture
async def client(make: MakeSimClient) -> AsyncIterator[IntegratorClient]:
    async with make() as built:
        yield built


# ------------------------------------------------------------------------------------------------ tokens
async def test_token_info_full_and_scoped(make: MakeSimClient) -> None:
    async with make() as full, make("scoped") as scoped, make("noconn") as noconn:
        full_info = await full.token_info()
        scoped_info = await scoped.token_info()
        noconn_info = await noconn.token_info()
    assert (full_info.scope, full_info.user_id) == ("full", d.USER_ID)
    assert scoped_info.scope == "custom"
    assert scoped_info.may_access("connection", d.CONN_SHOPIFY) is True
    assert scoped_info.may_access("connection", d.CONN_AMAZON) is False
    assert scoped_info.may_access("export", d.EXP_SHOPIFY_ORDERS) is True
    assert scoped_info.connection_ids is not None and d.CONN_SHOPIFY in scoped_info.connection_ids
    assert noconn_info.scope == "custom" and noconn_info.may_access("connection", d.CONN_SHOPIFY) is False


async def test_revoked_and_wrong_region_tokens_are_401_with_the_hint(make: MakeSimClient) -> None:
    async with make("revoked") as revoked, make("eu") as eu_on_na, make("eu", region="eu") as eu:
        for wrong in (revoked, eu_on_na):
            with pytest.raises(Unauthorized) as caught:
                await wrong.token_info()
            assert "another region (NA, EU, AU, CA)" in str(caught.value)
        assert (await eu.token_info()).scope == "full"
        assert eu.base_url == "https://api.eu.integrator.io/v1/"


# ------------------------------------------------------------------------------------------------ resources
async def test_lists_and_gets(client: IntegratorClient, sim: Simulator) -> None:
    integrations = await client.list_integrations()
    assert {d.INT_SHOPIFY, d.INT_AMAZON, d.INT_SALESFORCE, d.INT_EMPTY} <= {i.id for i in integrations}
    flows = await client.list_flows()
    assert {d.SHOPIFY_FLOW, d.AMAZON_FLOW, d.STANDALONE_FLOW, d.DISABLED_FLOW} <= {f.id for f in flows}
    assert d.SHOPIFY_FLOW in {f.id for f in await client.list_flows(d.INT_SHOPIFY)}
    assert await client.list_flows(d.INT_EMPTY) == []
    exports, imports = await client.list_exports(), await client.list_imports()
    connections = await client.list_connections()
    assert d.EXP_SHOPIFY_ORDERS in {e.id for e in exports} and d.IMP_NS_SALES_ORDER in {i.id for i in imports}
    assert d.OFFLINE_CONNECTION in {c.id for c in connections}

    integration = await client.get_integration(d.INT_SHOPIFY)
    assert integration.raw == sim.doc("integrations", d.INT_SHOPIFY)
    flow = await client.get_flow(d.SHOPIFY_FLOW)
    assert flow.raw == sim.doc("flows", d.SHOPIFY_FLOW) and flow.integration_id == d.INT_SHOPIFY
    assert (await client.get_export(d.EXP_NS_CUSTOMER_LOOKUP)).id == d.EXP_NS_CUSTOMER_LOOKUP
    assert (await client.get_import(d.IMP_NS_SALES_ORDER)).id == d.IMP_NS_SALES_ORDER
    connection = await client.get_connection(d.CONN_SHOPIFY)
    assert connection.name == sim.doc("connections", d.CONN_SHOPIFY)["name"]  # the raw doc differs: masked
    for getter in (client.get_integration, client.get_flow, client.get_export, client.get_import,
                   client.get_connection):
        with pytest.raises(NotFound):
            await getter(UNKNOWN_ID)


async def test_link_pages_are_followed(client: IntegratorClient, sim: Simulator) -> None:
    everything = await client.list_flows()
    before = len(sim.requests)
    paged = await client.list_flows(page_size=2)
    assert [f.id for f in paged] == [f.id for f in everything]
    pages = [query for method, query, _ in sim.requests[before:] if method == "GET"]
    assert all(query.startswith("/v1/flows?") for query in pages)
    assert math.ceil(len(everything) / 2) <= len(pages) <= math.ceil(len(everything) / 2) + 1


async def test_flow_steps_match_the_demo_account(client: IntegratorClient) -> None:
    shopify = await client.get_flow(d.SHOPIFY_FLOW)
    assert [(s.step_id, s.kind) for s in shopify.steps()] == [
        (d.SHOPIFY_EXPORT_STEP, "export"), (d.SHOPIFY_LOOKUP_STEP, "lookup"),
        (d.SHOPIFY_IMPORT_STEP, "import")]
    settlements = await client.get_flow(d.FLOW_AMAZON_SETTLEMENTS)
    steps = settlements.steps()
    assert d.IMP_NS_JOURNAL in {s.step_id for s in steps}
    assert any(s.branch for s in steps)
    assert (await client.get_flow(d.DISABLED_FLOW)).disabled is True


async def test_put_round_trips(client: IntegratorClient, sim: Simulator) -> None:
    doc = dict((await client.get_flow(d.SHOPIFY_FLOW)).raw)
    doc["name"] = "Shopify orders (renamed)"
    saved = await client.put_json(f"flows/{d.SHOPIFY_FLOW}", doc)
    assert saved["name"] == "Shopify orders (renamed)"
    assert sim.doc("flows", d.SHOPIFY_FLOW)["name"] == "Shopify orders (renamed)"
    for kind, resource_id in (("integrations", d.INT_SHOPIFY), ("exports", d.EXP_SHOPIFY_ORDERS),
                              ("imports", d.IMP_NS_SALES_ORDER), ("connections", d.CONN_SHOPIFY)):
        current = dict(await client.get_json(f"{kind}/{resource_id}"))
        current["name"] = f"{current.get('name', '')} v2"
        assert (await client.put_json(f"{kind}/{resource_id}", current))["name"] == current["name"]


async def test_connection_secrets_arrive_masked(client: IntegratorClient) -> None:
    connection = await client.get_connection(d.CONN_SHOPIFY)
    assert masked_secret_paths(connection.raw)  # the editor can warn before sending these back


async def test_put_validation_errors(client: IntegratorClient) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await client.put_json(f"flows/{d.SHOPIFY_FLOW}", {"description": "no name"})
    assert caught.value.errors and caught.value.status == 422


async def test_ping(client: IntegratorClient) -> None:
    online = await client.ping_connection(d.CONN_SHOPIFY)
    offline = await client.ping_connection(d.OFFLINE_CONNECTION)
    assert online.ok is True
    assert offline.ok is False and offline.message
    with pytest.raises(NotFound):
        await client.ping_connection(UNKNOWN_ID)


async def test_scoped_token_sees_less_and_gets_403(make: MakeSimClient) -> None:
    async with make("scoped") as scoped:
        assert {c.id for c in await scoped.list_connections()} == {d.CONN_SHOPIFY, d.CONN_NETSUITE}
        assert [f.id for f in await scoped.list_flows()] == [d.SHOPIFY_FLOW]
        assert (await scoped.get_export(d.EXP_SHOPIFY_ORDERS)).id == d.EXP_SHOPIFY_ORDERS
        info = await scoped.token_info()
        assert info.describe() == "custom: 2 connections, 2 exports, 1 import"
        with pytest.raises(Forbidden) as caught:
            await scoped.get_connection(d.CONN_AMAZON)
        assert "scope" in str(caught.value)
        with pytest.raises(Forbidden):
            await scoped.get_flow(d.AMAZON_FLOW)


# ------------------------------------------------------------------------------------------------ errors
async def test_error_summaries_match_seeded_counts(client: IntegratorClient) -> None:
    by_flow = {c.flow_id: c.num_error for c in await client.integration_error_summary(d.INT_SHOPIFY)}
    expected_shopify = sum(n for (f, _), n in d.DEMO_OPEN_ERRORS.items() if f == d.SHOPIFY_FLOW)
    assert by_flow[d.SHOPIFY_FLOW] == expected_shopify
    by_step = {c.step_id: c.num_error for c in await client.flow_error_summary(d.SHOPIFY_FLOW)}
    assert by_step[d.SHOPIFY_IMPORT_STEP] == d.DEMO_OPEN_ERRORS[(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)]
    assert by_step.get(d.SHOPIFY_EXPORT_STEP, 0) == 0


async def test_error_pages_follow_next_page_url(client: IntegratorClient, sim: Simulator) -> None:
    pages = [page async for page in client.iter_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)]
    errors = [e for page in pages for e in page]
    assert len(errors) == d.DEMO_OPEN_ERRORS[(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)]
    assert len(pages) > 1
    assert len({e.key for e in errors}) == len(errors)
    assert {e.error_id for e in errors} == {raw["errorId"] for raw in sim.open_errors(d.AMAZON_FLOW,
                                                                                      d.AMAZON_IMPORT_STEP)}
    resolved = await all_errors(client, d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP, resolved=True)
    assert len(resolved) == d.DEMO_RESOLVED_ERRORS[(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)]
    assert all(e.resolved_at is not None for e in resolved)


async def test_error_filters(client: IntegratorClient) -> None:
    everything = await all_errors(client, d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
    some_source = everything[0].source
    assert some_source is not None
    filtered = await all_errors(client, d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP, source=some_source)
    assert filtered and all(e.source == some_source for e in filtered)
    newest = max(e.occurred_at for e in everything if e.occurred_at is not None)
    after = await all_errors(client, d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP, occurred_at_gte=newest)
    assert after and all(e.occurred_at is not None and e.occurred_at >= newest for e in after)


async def test_resolve_moves_errors_to_resolved(client: IntegratorClient, sim: Simulator) -> None:
    flow, step = d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP
    before = await all_errors(client, flow, step)
    chosen = [e.error_id for e in before[:2]]
    assert await client.resolve_errors(flow, step, chosen) == 2
    after = {e.error_id for e in await all_errors(client, flow, step)}
    assert after == {e.error_id for e in before} - set(chosen)
    resolved = {e.error_id for e in await all_errors(client, flow, step, resolved=True)}
    assert set(chosen) <= resolved
    by_step = {c.step_id: c.num_error for c in await client.flow_error_summary(flow)}
    assert by_step[step] == len(before) - 2


async def test_retry_creates_a_job_and_removes_the_errors(client: IntegratorClient, sim: Simulator) -> None:
    flow, step = d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP
    before = [e for e in await all_errors(client, flow, step) if e.retriable]
    keys = [e.retry_data_key for e in before[:2] if e.retry_data_key]
    job = await client.retry_errors(flow, step, keys)
    assert job.id and job.type == "retry"
    remaining_keys = {e.retry_data_key for e in await all_errors(client, flow, step)}
    assert not set(keys) & remaining_keys
    assert (await client.get_job(job.id)).id == job.id


async def test_retry_data_round_trip(client: IntegratorClient) -> None:
    flow, step = d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP
    error = next(e for e in await all_errors(client, flow, step) if e.retry_data_key)
    assert error.retry_data_key is not None
    retry = await client.get_retry_data(flow, step, error.retry_data_key)
    assert isinstance(retry.data, dict)
    edited = {**retry.data, "email": "fixed@example.com"}
    await client.put_retry_data(flow, step, error.retry_data_key, retry.with_data(edited))
    again = await client.get_retry_data(flow, step, error.retry_data_key)
    assert again.data == edited
    with pytest.raises(NotFound):
        await client.get_retry_data(flow, step, "f" * 32)


async def test_request_detail(client: IntegratorClient) -> None:
    flow, step = d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP
    error = next(e for e in await all_errors(client, flow, step) if e.req_and_res_key)
    assert error.req_and_res_key is not None
    detail = await client.get_request_detail(flow, step, error.req_and_res_key)
    assert isinstance(detail, dict) and detail


async def test_unknown_step_is_404(client: IntegratorClient) -> None:
    with pytest.raises(NotFound):
        await all_errors(client, d.SHOPIFY_FLOW, UNKNOWN_ID)


# ------------------------------------------------------------------------------------------------ jobs
async def test_run_flow_and_follow_its_job(client: IntegratorClient, sim: Simulator) -> None:
    job_id = await client.run_flow(d.SHOPIFY_FLOW)
    job = await client.get_job(job_id)
    assert job.flow_id == d.SHOPIFY_FLOW and job.type == "flow"
    sim.advance(600)
    finished = await client.get_job(job_id)
    assert finished.finished
    latest = await client.latest_jobs(d.SHOPIFY_FLOW)
    assert latest and latest[0].id == job_id
    assert job_id in {j.id for j in await client.list_jobs(_flowId=d.SHOPIFY_FLOW)}


async def test_cancel_a_running_job(client: IntegratorClient) -> None:
    job_id = await client.run_flow(d.SALESFORCE_FLOW)
    canceled = await client.cancel_job(job_id)
    assert canceled.id == job_id and canceled.status in {"canceling", "canceled"}


async def test_disabled_flow_cannot_run_and_jobs_need_a_filter(client: IntegratorClient) -> None:
    with pytest.raises(ValidationFailed):
        await client.run_flow(d.DISABLED_FLOW)
    with pytest.raises(ApiError) as caught:
        await client.list_jobs()
    assert caught.value.status == 400 and caught.value.code == "invalid_query"


# ------------------------------------------------------------------------------------------------ raw JSON
async def test_raw_json_read_replace_delete(client: IntegratorClient, sim: Simulator) -> None:
    assert await client.get_json(f"/v1/flows/{d.SHOPIFY_FLOW}") == sim.doc("flows", d.SHOPIFY_FLOW)
    path = f"integrations/{d.INT_SHOPIFY}"
    current = await client.get_json(path)
    renamed = await client.put_json(path, {**current, "name": "Renamed"})
    assert renamed["name"] == "Renamed" and sim.doc("integrations", d.INT_SHOPIFY)["name"] == "Renamed"
    await client.delete(f"flows/{d.DISABLED_FLOW}")
    with pytest.raises(NotFound):
        await client.get_json(f"flows/{d.DISABLED_FLOW}")


# ------------------------------------------------------------------------------------------------ safety
async def test_read_only_sends_nothing_to_the_simulator(make: MakeSimClient, sim: Simulator) -> None:
    async with make(read_only=True) as client:
        await client.list_integrations()
        seen = len(sim.requests)
        with pytest.raises(ReadOnlyViolation):
            await client.run_flow(d.SHOPIFY_FLOW)
        with pytest.raises(ReadOnlyViolation):
            await client.resolve_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, ["x"])
    assert len(sim.requests) == seen


async def test_rate_limit_is_waited_out(sim: Simulator) -> None:
    limited = Simulator(seed=0, rate_bucket=1, rate_refill_per_s=50.0)
    slept: list[float] = []

    async def short_sleep(seconds: float) -> None:  # the bucket refills in real time: wait a little for real
        slept.append(seconds)
        await asyncio.sleep(0.05)

    async with IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(limited),
                                sleep=short_sleep) as client:
        await client.list_integrations()
        await client.list_flows()
    assert slept and all(s >= 1 for s in slept)  # the simulator's Retry-After was honoured
    assert any(status == 429 for _, _, status in limited.requests)


async def test_rate_limit_too_long_to_wait_is_raised(sim: Simulator) -> None:
    starved = Simulator(seed=0, rate_bucket=1, rate_refill_per_s=0.001)
    async with IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(starved)) as client:
        await client.token_info()
        with pytest.raises(RateLimited) as caught:
            await client.token_info()
    assert caught.value.retry_after is not None and caught.value.retry_after > 60


async def test_reads_survive_injected_faults(make: MakeSimClient, sim: Simulator) -> None:
    sim.set_faults(FaultConfig(seed=0, p429=0.1, p502=0.1, p503=0.1, p_reset=0.05, p_html=0.05,
                               p_timeout=0.05, p_truncated=0.05, p_malformed=0.05))
    records: list[RequestRecord] = []
    async with make(max_retries=8, on_request=records.append) as client:
        flows = await client.list_flows()
        for flow in flows:
            await client.flow_error_summary(flow.id)
    sim.set_faults(None)
    assert {f.id for f in flows} >= {d.SHOPIFY_FLOW, d.AMAZON_FLOW}
    assert sum(r.retries for r in records) > 0  # faults really happened and were retried


async def test_a_retry_post_is_not_repeated_after_a_fault(make: MakeSimClient, sim: Simulator) -> None:
    flow, step = d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP
    async with make() as client:
        error = next(e for e in await all_errors(client, flow, step) if e.retry_data_key)
        assert error.retry_data_key is not None
        sim.set_faults(FaultConfig(seed=0, p502=1.0))
        before = len(sim.requests)
        with pytest.raises(ApiError) as caught:
            await client.retry_errors(flow, step, [error.retry_data_key])
        sim.set_faults(None)
    assert caught.value.status == 502
    posts = [r for r in sim.requests[before:] if r[0] == "POST"]
    assert len(posts) == 1


async def test_connection_resets_become_transport_errors(make: MakeSimClient, sim: Simulator) -> None:
    sim.set_faults(FaultConfig(seed=0, p_reset=1.0))
    async with make(max_retries=2) as client:
        with pytest.raises(TransportError) as caught:
            await client.list_integrations()
    assert caught.value.status is None and caught.value.code in {"connection_error", "timeout"}


async def test_token_never_in_records_or_errors(make: MakeSimClient) -> None:
    records: list[RequestRecord] = []
    token = DEMO_TOKENS["full"]
    async with make(on_request=records.append) as client:
        await client.list_integrations()
        with pytest.raises(NotFound) as caught:
            await client.get_flow(UNKNOWN_ID)
    assert records and all(token not in repr(r) for r in records)
    assert token not in str(caught.value) and token not in repr(caught.value)
