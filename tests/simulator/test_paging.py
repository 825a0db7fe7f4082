"""Link-header pagination, 204 for empty pages, include/exclude projection."""

from __future__ import annotations

import re

import httpx

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from tests.helpers.sim_calls import call, codes

LINK = re.compile(r'<([^>]+)>; rel="(\w+)"')


def links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(header)}


def test_link_next_and_prev_are_absolute_and_keep_filters(sim: Simulator) -> None:
    r = call(sim, "GET", "/v1/exports?limit=3&skip=3&include=name")
    assert r.status == 200
    assert [e["_id"] for e in r.json()] == [e["_id"] for e in call(sim, "GET", "/v1/exports").json()[3:6]]
    rel = links(r.headers["Link"])
    assert rel["next"] == "https://api.integrator.io/v1/exports?include=name&limit=3&skip=6"
    assert rel["prev"] == "https://api.integrator.io/v1/exports?include=name&limit=3&skip=0"


def test_first_page_has_no_prev_and_last_page_no_next(sim: Simulator) -> None:
    first = call(sim, "GET", "/v1/flows?limit=4")
    assert set(links(first.headers["Link"])) == {"next"}
    last = call(sim, "GET", "/v1/flows?limit=4&skip=8")
    assert len(last.json()) == 1
    assert set(links(last.headers["Link"])) == {"prev"}
    whole = call(sim, "GET", "/v1/flows")
    assert "Link" not in whole.headers
    assert len(whole.json()) == 9


async def test_following_next_collects_everything_once(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    url: str | None = "/v1/imports?limit=2"
    while url:
        r = await client.get(url)
        seen += [doc["_id"] for doc in r.json()]
        url = links(r.headers.get("Link", "")).get("next")
    assert len(seen) == len(set(seen)) == 10


async def test_link_uses_the_host_the_client_called(sim: Simulator) -> None:
    from explorer.simulator import DEMO_TOKENS, SimulatorTransport

    async with httpx.AsyncClient(transport=SimulatorTransport(sim), base_url="http://sim.local:9000") as c:
        r = await c.get(
            "/v1/integrations?limit=1", headers={"Authorization": f"Bearer {DEMO_TOKENS['full']}"}
        )
    assert links(r.headers["Link"])["next"].startswith("http://sim.local:9000/v1/integrations?")


def test_limit_is_capped_and_validated(sim: Simulator) -> None:
    assert len(call(sim, "GET", "/v1/exports?limit=5000").json()) == 10
    for bad in ("limit=0", "limit=abc", "skip=-1"):
        r = call(sim, "GET", f"/v1/exports?{bad}")
        assert (r.status, codes(r)) == (400, ["invalid_query_params"]), bad


def test_empty_lists_answer_204_without_body(sim: Simulator) -> None:
    r = call(sim, "GET", f"/v1/integrations/{d.INT_EMPTY}/flows")
    assert (r.status, r.body) == (204, b"")
    beyond = call(sim, "GET", "/v1/flows?skip=50&limit=10")
    assert (beyond.status, beyond.body) == (204, b"")
    assert "prev" in links(beyond.headers["Link"])
    for kind in ("flows", "exports", "imports", "connections", "integrations"):
        assert call(sim, "GET", f"/v1/{kind}", token="noconn").status in (200, 204)
    assert call(sim, "GET", "/v1/flows?_integrationId=nope").status == 204


def test_include_projection(sim: Simulator) -> None:
    exports = call(sim, "GET", "/v1/exports?include=http.method,type").json()
    shopify = exports[0]
    assert shopify == {
        "_id": d.EXP_SHOPIFY_ORDERS,
        "name": "Get Shopify orders",
        "adaptorType": "HTTPExport",
        "type": "delta",
        "http": {"method": "GET"},
    }
    conns = call(sim, "GET", "/v1/connections?include=offline").json()
    assert set(conns[0]) == {"_id", "name", "type", "offline"}


def test_exclude_projection(sim: Simulator) -> None:
    flows = call(sim, "GET", "/v1/flows?exclude=pageGenerators,pageProcessors,_id").json()
    assert all("pageGenerators" not in f and "pageProcessors" not in f for f in flows)
    assert all("_id" in f and "name" in f for f in flows)


def test_projection_is_ignored_on_get_by_id(sim: Simulator) -> None:
    doc = call(sim, "GET", f"/v1/flows/{d.SHOPIFY_FLOW}?include=name").json()
    assert "pageProcessors" in doc


def test_bad_projections(sim: Simulator) -> None:
    both = call(sim, "GET", "/v1/flows?include=name&exclude=schedule")
    assert (both.status, codes(both)) == (400, ["invalid_query_params"])
    weird = call(sim, "GET", "/v1/flows?include=name;drop")
    assert (weird.status, codes(weird)) == (400, ["invalid_query_params"])
    assert call(sim, "GET", "/v1/flows?include[]=name").status == 500  # as the real API does
    assert call(sim, "GET", "/v1/flows?include=").status == 200
