"""The client speaks Celigo's vocabulary and depends on none of the simulator's own codes: ping failures in
both forms, a refused run by its status and message, child jobs from ``/family``, open-error pages whatever
their ``nextPageURL`` carries, classifications as they come — against the simulator and a scripted API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from explorer.client import ApiError, IntegratorClient
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.fake_api import FakeApi, json_response


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=0, time_scale=0, error_page_size=3)


@pytest.fixture
async def sim_client(sim: Simulator) -> AsyncIterator[IntegratorClient]:
    async with IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(sim), max_retries=0) as c:
        yield c


async def test_ping_failures_in_both_forms(sim_client: IntegratorClient) -> None:
    ok = await sim_client.ping_connection(d.CONN_SHOPIFY)
    assert ok.ok and ok.status == 200
    offline = await sim_client.ping_connection(d.OFFLINE_CONNECTION)
    assert not offline.ok and offline.status == 422 and "offline" in offline.message
    refused = await sim_client.ping_connection(d.CONN_LICENSE_API)  # 200 with an `errors` body
    assert not refused.ok and refused.status == 200
    assert refused.message.startswith("Authentication failed: the license server answered 401")


async def test_ping_does_not_depend_on_a_code(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/connections/c1/ping",
           json_response(400, {"errors": [{"code": "something_new", "message": "Host unreachable"}]}),
           json_response(200, {"errors": [{"message": "Bad credentials"}, {"code": 403}]}))
    first = await client.ping_connection("c1")
    assert (first.ok, first.status, first.message) == (False, 400, "Host unreachable")
    second = await client.ping_connection("c1")
    assert (second.ok, second.message) == (False, "Bad credentials; 403")


async def test_running_a_disabled_flow_shows_the_servers_words(
        sim_client: IntegratorClient, api: FakeApi, client: IntegratorClient) -> None:
    with pytest.raises(ApiError) as simulated:
        await sim_client.run_flow(d.DISABLED_FLOW)
    assert simulated.value.status == 422 and "disabled" in simulated.value.message
    refusal = {"errors": [{"code": 17, "message": "Flow is off"}]}
    api.on("POST", "/v1/flows/f1/run", json_response(409, refusal))
    with pytest.raises(ApiError) as scripted:
        await client.run_flow("f1")
    assert (scripted.value.status, scripted.value.message) == (409, "Flow is off")


async def test_child_jobs_come_from_family(sim: Simulator, sim_client: IntegratorClient) -> None:
    [latest] = await sim_client.latest_jobs(d.SHOPIFY_FLOW)
    family = await sim_client.job_family(latest.id)
    assert family.id == latest.id and {c.type for c in family.children} == {"export", "import"}
    assert [c.id for c in family.children] == [c.id for c in latest.children]
    assert sim.requests[-1][1] == f"/v1/jobs/{latest.id}/family"


async def test_open_errors_follow_start_at_error_id_pages(sim: Simulator,
                                                          sim_client: IntegratorClient) -> None:
    listed = [e async for page in sim_client.iter_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP) for e in page]
    assert [e.error_id for e in listed] == [e["errorId"] for e in sim.open_errors(d.SHOPIFY_FLOW,
                                                                                 d.SHOPIFY_IMPORT_STEP)]
    pages = [path for _, path, _ in sim.requests if "/errors" in path]
    assert len(pages) == 4 and all("startAtErrorId=" in p for p in pages[1:])


async def test_classifications_are_shown_as_they_come(api: FakeApi, client: IntegratorClient) -> None:
    api.on("GET", "/v1/flows/f1/s1/errors", json_response(200, {"errors": [
        {"errorId": "a1", "classification": "governance"}, {"errorId": "a2", "classification": "too_large"},
        {"errorId": "a3", "classification": "none"}]}))
    listed = [e async for page in client.iter_errors("f1", "s1") for e in page]
    assert [e.classification for e in listed] == ["governance", "too_large", "none"]
