"""The account service against the in-process simulator: what the tree shows, and how few requests."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from explorer.client import Forbidden, IntegratorClient, ServerError, Unauthorized
from explorer.services.account import (
    STANDALONE_KEY,
    AccountService,
    Failure,
    TreeItem,
    describe_item,
    format_tree,
    load_tree,
    root_items,
)
from explorer.simulator import DEMO_TOKENS, FaultConfig, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d

PER_STEP_GET = re.compile(r"^/v1/(exports|imports)/[0-9a-f]{24}$")


class CountingTransport(httpx.AsyncBaseTransport):
    """Wraps the simulator transport and records how many requests were in flight at once."""

    def __init__(self, inner: SimulatorTransport) -> None:
        self.inner = inner
        self.in_flight = 0
        self.max_in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


Make = Callable[..., AccountService]


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=0, latency_ms=5.0)


@pytest.fixture
async def make(sim: Simulator) -> AsyncIterator[Make]:
    clients: list[IntegratorClient] = []

    def build(token: str = "full", *, concurrency: int = 16, client_concurrency: int = 32) -> AccountService:
        transport = CountingTransport(SimulatorTransport(sim))
        client = IntegratorClient(DEMO_TOKENS[token], transport=transport, max_retries=0,
                                  concurrency=client_concurrency)
        clients.append(client)
        service = AccountService(client, concurrency=concurrency)
        service.transport = transport  # type: ignore[attr-defined]
        return service

    yield build
    for client in clients:
        await client.aclose()


def paths(sim: Simulator) -> list[str]:
    return [path.split("?")[0] for _method, path, _status in sim.requests]


async def test_root_is_four_concurrent_requests_with_flows_grouped(sim: Simulator, make: Make) -> None:
    service = make()
    root = await service.load_root()
    assert sorted(paths(sim)) == ["/v1/connections", "/v1/flows", "/v1/integrations", "/v1/tokenInfo"]
    assert service.transport.max_in_flight == 4  # type: ignore[attr-defined]
    assert root.token.user_id == d.USER_ID and root.token.scope == "full"
    assert [f.id for f in root.flows_by_integration[d.INT_SHOPIFY]] == [d.FLOW_SHOPIFY_ORDERS]
    assert {f.id for f in root.flows_by_integration[d.INT_AMAZON]} == {d.FLOW_AMAZON_INVOICES,
                                                                      d.FLOW_AMAZON_SETTLEMENTS}
    assert root.flows_by_integration[d.INT_EMPTY] == []
    assert [f.id for f in root.standalone_flows] == [d.STANDALONE_FLOW]
    offline = [c.id for c in root.connections if c.offline]
    assert offline == [d.OFFLINE_CONNECTION]


async def test_root_items_carry_markers_counts_and_integration_app_mode(make: Make) -> None:
    service = make()
    items = {item.key: item for item in root_items(await service.load_root())}
    bigcommerce = items[f"integration:{d.INT_BIGCOMMERCE_IA}"]
    assert "integration_app" in bigcommerce.flags
    assert any(tag.startswith("integration app · ") and "· v" in tag for tag in bigcommerce.tags)
    assert items[f"integration:{d.INT_SHOPIFY}"].tags[0] == "1 flow"
    salesforce = items[f"integration:{d.INT_SALESFORCE}"]
    disabled = [flow for flow in salesforce.children or [] if "disabled" in flow.flags]
    assert [flow.id for flow in disabled] == [d.DISABLED_FLOW]
    connections = items["connections"]
    assert "1 offline" in connections.tags
    assert {c.id for c in connections.children or [] if "offline" in c.flags} == {d.OFFLINE_CONNECTION}
    assert list(items)[-1] == "connections" and list(items)[-2] == STANDALONE_KEY


async def test_badges_one_summary_per_integration_and_standalone_flow(sim: Simulator, make: Make) -> None:
    service = make()
    root = await service.load_root()
    sim.requests.clear()
    badges = {badge.id: badge for badge in await service.load_badges(root)}
    expected_requests = {f"/v1/integrations/{iid}/errors" for iid in root.flows_by_integration}
    expected_requests |= {f"/v1/flows/{d.STANDALONE_FLOW}/errors"}
    assert sorted(paths(sim)) == sorted(expected_requests)
    amazon = sum(n for (flow, _), n in d.DEMO_OPEN_ERRORS.items()
                 if flow in (d.FLOW_AMAZON_INVOICES, d.FLOW_AMAZON_SETTLEMENTS))
    assert badges[d.INT_AMAZON].total == amazon == 3007
    assert service.flow_errors[d.FLOW_SHOPIFY_ORDERS] == 14
    assert service.flow_errors[d.DISABLED_FLOW] == 0
    assert badges[d.STANDALONE_FLOW].total == 1
    assert service.standalone_total(root) == 1


async def test_badge_concurrency_is_bounded(make: Make) -> None:
    service = make(concurrency=2)
    root = await service.load_root()
    service.transport.max_in_flight = 0  # type: ignore[attr-defined]
    await service.load_badges(root)
    assert service.transport.max_in_flight == 2  # type: ignore[attr-defined]


async def test_catalog_is_loaded_once_even_when_asked_concurrently(sim: Simulator, make: Make) -> None:
    service = make()
    await service.load_root()
    sim.requests.clear()
    first, second = await asyncio.gather(service.catalog(), service.catalog())
    assert first is second
    assert sorted(paths(sim)) == ["/v1/exports", "/v1/imports"]
    assert first.exports[d.EXP_SHOPIFY_ORDERS].name


async def test_steps_are_named_and_counted_without_per_step_gets(sim: Simulator, make: Make) -> None:
    service = make()
    root = await service.load_root()
    flow = root.flow(d.SHOPIFY_FLOW)
    assert flow is not None
    sim.requests.clear()
    steps = await service.load_steps(flow)
    assert sorted(paths(sim)) == sorted([f"/v1/flows/{d.SHOPIFY_FLOW}/errors", "/v1/exports", "/v1/imports"])
    assert [(s.step.step_id, s.step.kind) for s in steps] == [
        (d.SHOPIFY_EXPORT_STEP, "export"), (d.SHOPIFY_LOOKUP_STEP, "lookup"),
        (d.SHOPIFY_IMPORT_STEP, "import")]
    assert all(s.name and s.adaptor_type for s in steps)
    assert [s.open_errors for s in steps] == [0, 2, 12]
    assert steps[2].connection is not None and steps[2].connection.id == d.CONN_NETSUITE


async def test_whole_tree_never_gets_one_step_at_a_time(sim: Simulator, make: Make) -> None:
    service = make()
    items = await load_tree(service)
    assert not [p for p in paths(sim) if PER_STEP_GET.match(p)]
    flows = sum(1 for _ in sim.requests if _[1].startswith("/v1/flows/") and _[1].endswith("/errors"))
    integrations = sum(1 for _ in sim.requests if _[1].startswith("/v1/integrations/"))
    assert integrations == 6  # one summary per integration
    root = service.root
    assert root is not None
    with_errors = [f for fs in root.flows_by_integration.values() for f in fs
                   if service.flow_errors.get(f.id)]
    # a step summary per flow its integration's summary shows with open errors; standalone flows reuse
    # their badge's summary (issue 10: the tree asked every flow)
    assert flows == len(with_errors) + len(root.standalone_flows) == 5 + 1
    assert len(sim.requests) == 4 + 6 + 2 + flows
    text = "\n".join(format_tree(items))
    assert "Create NetSuite invoices · import · NetSuiteDistributedImport · 3,000 open errors" in text
    assert "Salesforce Contacts to NetSuite Contacts" in text and "disabled" in text


async def test_noconn_token_locks_connections_without_asking(sim: Simulator, make: Make) -> None:
    service = make("noconn")
    items = await load_tree(service)
    assert [item.key for item in items] == [f"integration:{d.INT_SHOPIFY}", "connections"]
    connections = items[-1]
    assert connections.locked and connections.children is None
    flow = (items[0].children or [])[0]
    step_connections = [child for step in flow.children or [] for child in step.children or []
                        if child.kind == "connection"]
    assert len(step_connections) == 3 and all(child.locked for child in step_connections)
    assert not [p for p in paths(sim) if p.startswith("/v1/connections/")]
    assert "locked: outside this token's scope" in describe_item(connections)


async def test_scoped_token_sees_only_its_integration(make: Make) -> None:
    service = make("scoped")
    root = await service.load_root()
    assert root.token.scope == "custom"
    assert [i.id for i in root.integrations] == [d.INT_SHOPIFY]
    assert {c.id for c in root.connections} == {d.CONN_SHOPIFY, d.CONN_NETSUITE}
    assert root.standalone_flows == []


async def test_forbidden_document_is_a_locked_failure(make: Make) -> None:
    service = make("scoped")
    with pytest.raises(Forbidden) as caught:
        await service.document(f"flows/{d.AMAZON_FLOW}")
    failure = Failure.from_error(caught.value)
    assert failure.locked and failure.summary == "outside this token's scope"
    assert failure.as_json()["status"] == 403


async def test_revoked_token_fails_the_root_with_unauthorized(make: Make) -> None:
    service = make("revoked")
    with pytest.raises(Unauthorized):
        await service.load_root()


async def test_server_errors_fail_lists_as_values_and_recover(sim: Simulator, make: Make) -> None:
    service = make()
    root = await service.load_root()
    flow = root.flow(d.SHOPIFY_FLOW)
    assert flow is not None
    sim.set_faults(FaultConfig(p500=1.0))
    with pytest.raises(ServerError):
        await service.step_counts(flow.id)
    badges = await service.load_badges(root)
    assert all(badge.total is None and badge.failure is not None for badge in badges)
    assert all(not badge.failure.locked for badge in badges if badge.failure)
    sim.set_faults(None)
    assert (await service.step_counts(flow.id))[d.SHOPIFY_IMPORT_STEP] == 12


def test_describe_item_words() -> None:
    item = TreeItem(kind="flow", key="flow:x", id="x", name="Orders", tags=("every 2 hours",),
                    flags=frozenset({"disabled"}), open_errors=1)
    assert describe_item(item) == "Orders · every 2 hours · disabled · 1 open error"
