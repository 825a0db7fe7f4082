"""Custom-scoped tokens: 403 on locked documents and filtered lists (choices documented in auth.py)."""

from __future__ import annotations

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from tests.helpers.sim_calls import call, codes


def ids(sim: Simulator, path: str, token: str) -> list[str]:
    r = call(sim, "GET", path, token=token)
    return [] if r.status == 204 else [doc["_id"] for doc in r.json()]


def test_scoped_lists_are_filtered(sim: Simulator) -> None:
    assert ids(sim, "/v1/connections", "scoped") == [d.CONN_SHOPIFY, d.CONN_NETSUITE]
    assert ids(sim, "/v1/exports", "scoped") == [d.EXP_SHOPIFY_ORDERS, d.EXP_NS_CUSTOMER_LOOKUP]
    assert ids(sim, "/v1/imports", "scoped") == [d.IMP_NS_SALES_ORDER]
    assert ids(sim, "/v1/flows", "scoped") == [d.FLOW_SHOPIFY_ORDERS]
    assert ids(sim, "/v1/integrations", "scoped") == [d.INT_SHOPIFY]
    assert len(ids(sim, "/v1/integrations", "full")) == 6


def test_scoped_403_outside_its_lists(sim: Simulator) -> None:
    for path in (
        f"/v1/connections/{d.CONN_AMAZON}",
        f"/v1/exports/{d.EXP_AMAZON_ORDERS}",
        f"/v1/imports/{d.IMP_NS_INVOICE}",
        f"/v1/flows/{d.FLOW_AMAZON_INVOICES}",
        f"/v1/integrations/{d.INT_AMAZON}",
        f"/v1/integrations/{d.INT_EMPTY}",
        f"/v1/flows/{d.AMAZON_FLOW}/errors",
        f"/v1/flows/{d.AMAZON_FLOW}/{d.AMAZON_IMPORT_STEP}/errors",
        f"/v1/connections/{d.CONN_AMAZON}/ping",
    ):
        r = call(sim, "GET", path, token="scoped")
        assert r.status == 403, path
        assert codes(r) == ["forbidden"]
    assert call(sim, "GET", f"/v1/flows/{d.SHOPIFY_FLOW}", token="scoped").status == 200
    assert (
        call(sim, "GET", f"/v1/flows/{d.SHOPIFY_FLOW}/{d.SHOPIFY_IMPORT_STEP}/errors", token="scoped").status
        == 200
    )


def test_unknown_ids_are_404_even_for_scoped_tokens(sim: Simulator) -> None:
    assert call(sim, "GET", "/v1/exports/000000000000000000000000", token="scoped").status == 404


def test_noconn_token_sees_flows_but_no_connections(sim: Simulator) -> None:
    empty = call(sim, "GET", "/v1/connections", token="noconn")
    assert (empty.status, empty.body) == (204, b"")
    assert call(sim, "GET", f"/v1/connections/{d.CONN_SHOPIFY}", token="noconn").status == 403
    assert ids(sim, "/v1/flows", "noconn") == [d.FLOW_SHOPIFY_ORDERS]


def test_scoped_integration_children_and_jobs_are_filtered(sim: Simulator) -> None:
    assert ids(sim, f"/v1/integrations/{d.INT_SHOPIFY}/flows", "scoped") == [d.FLOW_SHOPIFY_ORDERS]
    jobs = call(sim, "GET", "/v1/jobs?createdAt_gte=2026-01-01", token="scoped").json()
    assert jobs and {j["_flowId"] for j in jobs} == {d.FLOW_SHOPIFY_ORDERS}
    amazon_job = call(sim, "GET", f"/v1/jobs?_flowId={d.AMAZON_FLOW}").json()[0]["_id"]
    assert call(sim, "GET", f"/v1/jobs/{amazon_job}", token="scoped").status == 403


def test_scoped_writes(sim: Simulator) -> None:
    export = call(sim, "GET", f"/v1/exports/{d.EXP_SHOPIFY_ORDERS}", token="scoped").json()
    export["name"] = "Get Shopify orders (edited)"
    assert call(sim, "PUT", f"/v1/exports/{d.EXP_SHOPIFY_ORDERS}", token="scoped", body=export).status == 200
    assert call(sim, "POST", "/v1/exports", token="scoped", body={"name": "x"}).status == 403
    assert call(sim, "POST", f"/v1/flows/{d.SHOPIFY_FLOW}/run", token="scoped").status == 403
    flow = call(sim, "GET", f"/v1/flows/{d.SHOPIFY_FLOW}", token="scoped").json()
    assert call(sim, "PUT", f"/v1/flows/{d.SHOPIFY_FLOW}", token="scoped", body=flow).status == 403
    assert call(sim, "DELETE", f"/v1/imports/{d.IMP_NS_SALES_ORDER}", token="scoped").status == 403
    open_ids = [e["errorId"] for e in sim.open_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)[:2]]
    resolve = call(
        sim,
        "PUT",
        f"/v1/flows/{d.SHOPIFY_FLOW}/{d.SHOPIFY_IMPORT_STEP}/resolved",
        token="scoped",
        body={"errors": open_ids},
    )
    assert resolve.status == 204
