"""CRUD of integrations, flows, exports, imports and connections: status codes, 4xx bodies, PUT semantics."""

from __future__ import annotations

from typing import Any

import pytest

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from tests.helpers.sim_calls import call, codes, make_sim


def errors_of(r: Any) -> list[tuple[str, str | None]]:
    return [(e["code"], e.get("field")) for e in r.json()["errors"]]


@pytest.mark.parametrize("kind", ["integrations", "flows", "exports", "imports", "connections"])
def test_unknown_id_is_404_not_found(sim: Simulator, kind: str) -> None:
    r = call(sim, "GET", f"/v1/{kind}/ffffffffffffffffffffffff")
    assert r.status == 404
    assert codes(r) == ["not_found"]


def test_unknown_path_404_and_wrong_method_405(sim: Simulator) -> None:
    assert call(sim, "GET", "/v1/nothing").status == 404
    r = call(sim, "DELETE", "/v1/tokenInfo")
    assert r.status == 405
    assert r.headers["Allow"] == "GET"


def test_bad_json_is_400_and_non_json_is_415(sim: Simulator) -> None:
    path = f"/v1/integrations/{d.INT_EMPTY}"
    r = call(sim, "PUT", path, raw=b'{"name": ')
    assert (r.status, codes(r)) == (400, ["invalid_json"])
    r = call(sim, "PUT", path, raw=b"name=x", content_type="application/x-www-form-urlencoded")
    assert (r.status, codes(r)) == (415, ["unsupported_media_type"])
    r = call(sim, "PUT", path, raw=b'{"name":"x"}', content_type="text/plain")
    assert r.status == 415
    assert call(sim, "PUT", path).status == 400  # no body at all
    r = call(sim, "PUT", path, body=["not", "an", "object"])
    assert r.status == 422


def test_put_is_a_full_replacement(sim: Simulator) -> None:
    before = call(sim, "GET", f"/v1/flows/{d.SHOPIFY_FLOW}").json()
    sim.advance(60)
    body = {k: v for k, v in before.items() if k != "description"}
    body.update(name="Orders v2", _id="000000000000000000000000", createdAt="1999-01-01T00:00:00.000Z")
    after = call(sim, "PUT", f"/v1/flows/{d.SHOPIFY_FLOW}", body=body)
    assert after.status == 200
    doc = after.json()
    assert doc["_id"] == d.SHOPIFY_FLOW
    assert doc["createdAt"] == before["createdAt"]
    assert doc["name"] == "Orders v2"
    assert "description" not in doc  # omitted fields are erased
    assert doc["lastModified"] > before["lastModified"]
    assert doc["lastModifiedBy"] == d.USER_ID
    assert doc["lastExecutedAt"] == before["lastExecutedAt"]  # read-only, kept
    assert sim.doc("flows", d.SHOPIFY_FLOW) == doc


def test_put_keeps_integration_app_fields(sim: Simulator) -> None:
    ia = call(sim, "GET", f"/v1/integrations/{d.INT_BIGCOMMERCE_IA}").json()
    assert ia["_connectorId"] == d.CONNECTOR_BIGCOMMERCE
    assert ia["mode"] == "settings" and ia["version"]
    assert [step["completed"] for step in ia["install"]] == [True] * 4
    changed = dict(ia, settings={"sections": []}, name="BC Connector")
    doc = call(sim, "PUT", f"/v1/integrations/{d.INT_BIGCOMMERCE_IA}", body=changed).json()
    assert doc["name"] == "BC Connector"
    assert doc["settings"] == ia["settings"]


def test_post_creates_and_delete_removes(sim: Simulator) -> None:
    r = call(sim, "POST", "/v1/integrations", body={"name": "New one", "_id": "x", "lastModified": "y"})
    assert r.status == 201
    created = r.json()
    assert len(created["_id"]) == 24 and created["_id"] != "x"
    assert created["createdAt"] == created["lastModified"] == sim.now_iso()
    assert call(sim, "GET", f"/v1/integrations/{created['_id']}").json()["name"] == "New one"
    deleted = call(sim, "DELETE", f"/v1/integrations/{created['_id']}")
    assert (deleted.status, deleted.body) == (204, b"")
    assert call(sim, "GET", f"/v1/integrations/{created['_id']}").status == 404


def test_delete_of_a_referenced_document_is_refused(sim: Simulator) -> None:
    r = call(sim, "DELETE", f"/v1/imports/{d.IMP_NS_INVOICE}")
    assert r.status == 422
    assert d.AMAZON_FLOW in r.json()["errors"][0]["message"]


def test_flow_with_unknown_references_is_422_with_field_paths(sim: Simulator) -> None:
    flow = call(sim, "GET", f"/v1/flows/{d.SHOPIFY_FLOW}").json()
    flow["pageProcessors"][1]["_importId"] = "aaaaaaaaaaaaaaaaaaaaaaaa"
    flow["pageGenerators"][0]["_exportId"] = "bbbbbbbbbbbbbbbbbbbbbbbb"
    flow["_integrationId"] = "cccccccccccccccccccccccc"
    r = call(sim, "PUT", f"/v1/flows/{d.SHOPIFY_FLOW}", body=flow)
    assert r.status == 422
    assert set(errors_of(r)) == {
        ("invalid_field", "pageProcessors[1]._importId"),
        ("invalid_field", "pageGenerators[0]._exportId"),
        ("invalid_field", "_integrationId"),
    }
    assert sim.doc("flows", d.SHOPIFY_FLOW)["pageProcessors"][1]["_importId"] == d.IMP_NS_SALES_ORDER


def test_lookup_export_reference_and_router_branch_paths(sim: Simulator) -> None:
    flow = call(sim, "GET", f"/v1/flows/{d.FLOW_AMAZON_SETTLEMENTS}").json()
    flow["routers"][0]["branches"][1]["pageProcessors"][0]["_importId"] = "dddddddddddddddddddddddd"
    r = call(sim, "PUT", f"/v1/flows/{d.FLOW_AMAZON_SETTLEMENTS}", body=flow)
    assert errors_of(r) == [("invalid_field", "routers[0].branches[1].pageProcessors[0]._importId")]
    shopify = call(sim, "GET", f"/v1/flows/{d.SHOPIFY_FLOW}").json()
    shopify["pageProcessors"][0]["_exportId"] = "eeeeeeeeeeeeeeeeeeeeeeee"
    r = call(sim, "PUT", f"/v1/flows/{d.SHOPIFY_FLOW}", body=shopify)
    assert errors_of(r) == [("invalid_field", "pageProcessors[0]._exportId")]


def test_routers_with_page_processors_is_422(sim: Simulator) -> None:
    flow = call(sim, "GET", f"/v1/flows/{d.FLOW_AMAZON_SETTLEMENTS}").json()
    flow["pageProcessors"] = [{"type": "import", "_importId": d.IMP_NS_JOURNAL}]
    r = call(sim, "PUT", f"/v1/flows/{d.FLOW_AMAZON_SETTLEMENTS}", body=flow)
    assert r.status == 422
    assert ("invalid_field", "pageProcessors") in errors_of(r)
    assert "not allowed when routers" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize("name", ["", "   ", None])
def test_empty_name_is_missing_required_field(sim: Simulator, name: str | None) -> None:
    body: dict[str, Any] = {"type": "http", "http": {}}
    if name is not None:
        body["name"] = name
    r = call(sim, "POST", "/v1/connections", body=body)
    assert (r.status, errors_of(r)) == (422, [("missing_required_field", "name")])


def test_import_needs_an_existing_connection(sim: Simulator) -> None:
    r = call(sim, "POST", "/v1/imports", body={"name": "x"})
    assert errors_of(r) == [("missing_required_field", "_connectionId")]
    r = call(sim, "POST", "/v1/imports", body={"name": "x", "_connectionId": "ffffffffffffffffffffffff"})
    assert errors_of(r) == [("invalid_field", "_connectionId")]
    r = call(sim, "POST", "/v1/exports", body={"name": "x", "_connectionId": "ffffffffffffffffffffffff"})
    assert errors_of(r) == [("invalid_field", "_connectionId")]
    ok = call(sim, "POST", "/v1/imports", body={"name": "x", "_connectionId": d.CONN_NETSUITE})
    assert ok.status == 201


def test_connection_secrets_are_masked_and_kept_on_put(sim: Simulator) -> None:
    conn = call(sim, "GET", f"/v1/connections/{d.CONN_SHOPIFY}").json()
    assert conn["http"]["auth"]["token"]["token"] == "******"
    amazon = call(sim, "GET", f"/v1/connections/{d.CONN_AMAZON}").json()
    assert amazon["http"]["encrypted"] == "******"
    listed = call(sim, "GET", "/v1/connections").json()
    assert all("shpat_" not in str(c) for c in listed)
    conn["name"] = "Shopify (renamed)"
    r = call(sim, "PUT", f"/v1/connections/{d.CONN_SHOPIFY}", body=conn)
    assert r.status == 200
    assert r.json()["http"]["auth"]["token"]["token"] == "******"
    stored = sim.doc("connections", d.CONN_SHOPIFY)
    assert stored["http"]["auth"]["token"]["token"].startswith("shpat_")
    assert stored["name"] == "Shopify (renamed)"


def test_masked_secret_put_is_422_when_switched_on() -> None:
    sim = make_sim(mask_secret_422=True)
    conn = call(sim, "GET", f"/v1/connections/{d.CONN_NETSUITE}").json()
    r = call(sim, "PUT", f"/v1/connections/{d.CONN_NETSUITE}", body=conn)
    assert r.status == 422
    assert set(errors_of(r)) == {
        ("invalid_field", "netsuite.tokenId"),
        ("invalid_field", "netsuite.tokenSecret"),
    }
    conn["netsuite"]["tokenId"] = "new-token-id"
    conn["netsuite"]["tokenSecret"] = "new-secret"
    assert call(sim, "PUT", f"/v1/connections/{d.CONN_NETSUITE}", body=conn).status == 200
    assert sim.doc("connections", d.CONN_NETSUITE)["netsuite"]["tokenSecret"] == "new-secret"


def test_connection_type_and_name_length(sim: Simulator) -> None:
    r = call(sim, "POST", "/v1/connections", body={"name": "x", "type": "carrier-pigeon"})
    assert errors_of(r) == [("invalid_field", "type")]
    r = call(sim, "POST", "/v1/connections", body={"name": "x" * 101, "type": "http"})
    assert errors_of(r) == [("invalid_field", "name")]


def test_patch_whitelisted_paths(sim: Simulator) -> None:
    ops = [
        {"op": "replace", "path": "/disabled", "value": True},
        {"op": "replace", "path": "/pageGenerators/0/schedule", "value": "? 0 1 * * *"},
    ]
    r = call(sim, "PATCH", f"/v1/flows/{d.SHOPIFY_FLOW}", body=ops)
    assert (r.status, r.body) == (204, b"")
    flow = sim.doc("flows", d.SHOPIFY_FLOW)
    assert flow["disabled"] is True
    assert flow["pageGenerators"][0]["schedule"] == "? 0 1 * * *"
    branch = [{"op": "replace", "path": "/routers/0/branches/1/name", "value": "Fees"}]
    assert call(sim, "PATCH", f"/v1/flows/{d.FLOW_AMAZON_SETTLEMENTS}", body=branch).status == 204
    assert sim.doc("flows", d.FLOW_AMAZON_SETTLEMENTS)["routers"][0]["branches"][1]["name"] == "Fees"


def test_patch_other_paths_is_422(sim: Simulator) -> None:
    for ops in (
        [{"op": "replace", "path": "/pageProcessors/0/_importId", "value": "x"}],
        [{"op": "replace", "path": "/routers/5/name", "value": "x"}],
        [{"op": "move", "path": "/name"}],
        {"disabled": True},
    ):
        r = call(sim, "PATCH", f"/v1/flows/{d.SHOPIFY_FLOW}", body=ops)
        assert r.status == 422, ops
    empty_name = [{"op": "replace", "path": "/name", "value": ""}]
    assert errors_of(call(sim, "PATCH", f"/v1/flows/{d.SHOPIFY_FLOW}", body=empty_name)) == [
        ("missing_required_field", "name")
    ]


def test_ping(sim: Simulator) -> None:
    for method in ("GET", "POST"):
        ok = call(sim, method, f"/v1/connections/{d.CONN_SHOPIFY}/ping")
        assert (ok.status, ok.json()) == (200, {"code": 200})
        bad = call(sim, method, f"/v1/connections/{d.OFFLINE_CONNECTION}/ping")
        assert bad.status == 422
        assert codes(bad) == ["ping_failed"]
    assert call(sim, "GET", "/v1/connections/ffffffffffffffffffffffff/ping").status == 404
    refused = call(sim, "GET", f"/v1/connections/{d.CONN_LICENSE_API}/ping")
    assert refused.status == 200 and refused.json()["errors"][0]["code"] == 401  # the target's status


def test_replace_doc_helper_acts_as_another_user(sim: Simulator) -> None:
    doc = sim.doc("exports", d.EXP_SHOPIFY_ORDERS)
    sim.advance(5)
    sim.replace_doc("exports", d.EXP_SHOPIFY_ORDERS, dict(doc, name="Changed elsewhere"))
    now = call(sim, "GET", f"/v1/exports/{d.EXP_SHOPIFY_ORDERS}").json()
    assert now["name"] == "Changed elsewhere"
    assert now["lastModifiedBy"] == d.OTHER_USER_ID
    assert now["lastModified"] > doc["lastModified"]


def test_integration_app_flow_keeps_its_locked_fields(sim: Simulator) -> None:
    """A resource with `_connectorId` takes only the connector's unlocked fields; the PUT still says 200."""
    stored = call(sim, "GET", f"/v1/flows/{d.FLOW_BC_ORDERS}").json()
    sent = {**stored, "name": "Renamed", "schedule": "? 0 */6 * * *", "description": "mine",
            "pageProcessors": []}
    r = call(sim, "PUT", f"/v1/flows/{d.FLOW_BC_ORDERS}", body=sent)
    assert r.status == 200
    answer = r.json()
    assert answer["schedule"] == "? 0 */6 * * *"  # unlocked: taken
    assert answer["name"] == stored["name"] and "description" not in answer  # locked: kept as stored
    assert answer["pageProcessors"] == stored["pageProcessors"]
    assert sim.doc("flows", d.FLOW_BC_ORDERS)["name"] == stored["name"]
    without_schedule = {k: v for k, v in answer.items() if k != "schedule"}
    assert "schedule" not in call(sim, "PUT", f"/v1/flows/{d.FLOW_BC_ORDERS}", body=without_schedule).json()


def test_integration_app_export_takes_nested_unlocked_paths(sim: Simulator) -> None:
    stored = call(sim, "GET", f"/v1/exports/{d.EXP_NS_ITEMS}").json()
    sent = {**stored, "netsuite": {"type": "savedsearch", "restlet": {**stored["netsuite"]["restlet"],
                                                                      "searchId": "customsearch_mine"}}}
    answer = call(sim, "PUT", f"/v1/exports/{d.EXP_NS_ITEMS}", body=sent).json()
    assert answer["netsuite"]["restlet"]["searchId"] == "customsearch_mine"
    assert answer["netsuite"]["type"] == "restlet"


def test_ordinary_flow_takes_every_field(sim: Simulator) -> None:
    stored = call(sim, "GET", f"/v1/flows/{d.FLOW_SHOPIFY_ORDERS}").json()
    answer = call(sim, "PUT", f"/v1/flows/{d.FLOW_SHOPIFY_ORDERS}", body={**stored, "name": "Renamed"}).json()
    assert answer["name"] == "Renamed"
