"""Bearer auth, regions and tokenInfo."""

from __future__ import annotations

import httpx

from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.sim_calls import EU, NA, call, codes


def test_token_info_full(sim: Simulator) -> None:
    r = call(sim, "GET", "/v1/tokenInfo")
    assert r.status == 200
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.json() == {"_userId": d.USER_ID, "scope": "*"}


def test_token_info_custom_scope_lists_ids(sim: Simulator) -> None:
    body = call(sim, "GET", "/v1/tokenInfo", token="scoped").json()
    assert body["scope"] == "custom"
    assert set(body["_connectionIds"]) == {d.CONN_SHOPIFY, d.CONN_NETSUITE}
    assert set(body["_exportIds"]) == {d.EXP_SHOPIFY_ORDERS, d.EXP_NS_CUSTOMER_LOOKUP}
    assert body["_importIds"] == [d.IMP_NS_SALES_ORDER]
    assert call(sim, "GET", "/v1/tokenInfo", token="noconn").json()["_connectionIds"] == []


def test_missing_unknown_and_revoked_tokens_are_401(sim: Simulator) -> None:
    for token in (None, "not-a-token", "revoked"):
        r = call(sim, "GET", "/v1/integrations", token=token)
        assert r.status == 401
        assert codes(r) == ["unauthorized"]
    wrong_scheme = sim.handle(
        "GET",
        "https://api.integrator.io/v1/tokenInfo",
        {"Authorization": f"Basic {DEMO_TOKENS['full']}"},
        b"",
    )
    assert wrong_scheme.status == 401


def test_401_body_never_contains_the_token(sim: Simulator) -> None:
    r = call(sim, "GET", "/v1/tokenInfo", token="revoked")
    assert DEMO_TOKENS["revoked"].encode() not in r.body


def test_tokens_do_not_cross_regions(sim: Simulator) -> None:
    assert call(sim, "GET", "/v1/tokenInfo", token="eu").status == 401
    assert call(sim, "GET", "/v1/tokenInfo", token="full", base=EU).status == 401
    eu = call(sim, "GET", "/v1/tokenInfo", token="eu", base=EU)
    assert eu.status == 200
    assert eu.json()["_userId"] == d.EU_USER_ID


def test_eu_is_a_separate_tenant(sim: Simulator) -> None:
    change = {"name": "Renamed in NA"}
    r = call(sim, "PUT", f"/v1/integrations/{d.INT_EMPTY}", body=change)
    assert r.status == 200
    eu = call(sim, "GET", f"/v1/integrations/{d.INT_EMPTY}", token="eu", base=EU).json()
    assert eu["name"] == "Sandbox experiments"
    assert sim.doc("integrations", d.INT_EMPTY)["name"] == "Renamed in NA"


async def test_region_follows_the_client_host(sim: Simulator) -> None:
    async with httpx.AsyncClient(transport=SimulatorTransport(sim), base_url=EU) as c:
        ok = await c.get("/v1/tokenInfo", headers={"Authorization": f"Bearer {DEMO_TOKENS['eu']}"})
        bad = await c.get("/v1/tokenInfo", headers={"Authorization": f"Bearer {DEMO_TOKENS['full']}"})
    assert (ok.status_code, bad.status_code) == (200, 401)


async def test_region_host_default_for_foreign_hosts(sim: Simulator) -> None:
    transport = SimulatorTransport(sim, region_host_default="api.eu.integrator.io")
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        r = await c.get("/v1/tokenInfo", headers={"Authorization": f"Bearer {DEMO_TOKENS['eu']}"})
    assert r.status_code == 200


def test_non_v1_path_is_404(sim: Simulator) -> None:
    assert call(sim, "GET", "/api/flows").status == 404


def test_four_regions_four_tenants(sim: Simulator) -> None:
    users = {"full": d.USER_ID, "eu": d.EU_USER_ID, "au": d.AU_USER_ID, "ca": d.CA_USER_ID}
    bases = {"full": NA, "eu": EU, "au": "https://api.au.integrator.io", "ca": "https://api.ca.integrator.io"}
    for token, base in bases.items():
        for other, other_base in bases.items():
            answer = call(sim, "GET", "/v1/tokenInfo", token=token, base=other_base)
            assert answer.status == (200 if other == token else 401), (token, other)
        assert call(sim, "GET", "/v1/tokenInfo", token=token, base=base).json()["_userId"] == users[token]
    renamed = {"name": "AU only"}
    call(sim, "PUT", f"/v1/integrations/{d.INT_EMPTY}", token="au", base=bases["au"], body=renamed)
    assert call(sim, "GET", f"/v1/integrations/{d.INT_EMPTY}", token="ca", base=bases["ca"]).json()["name"] \
        == "Sandbox experiments"
    assert sim.doc("integrations", d.INT_EMPTY, region="au")["name"] == "AU only"
