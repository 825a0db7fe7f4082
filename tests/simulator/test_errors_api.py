"""Error management: summaries, open/resolved lists with nextPageURL, resolve, retry, retry data, requests."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from explorer.simulator import Simulator, retry_fails
from explorer.simulator import demo_ids as d
from tests.helpers.sim_calls import call, codes, make_sim

AMAZON = f"/v1/flows/{d.AMAZON_FLOW}/{d.AMAZON_IMPORT_STEP}"
SHOPIFY = f"/v1/flows/{d.SHOPIFY_FLOW}/{d.SHOPIFY_IMPORT_STEP}"
SALESFORCE = f"/v1/flows/{d.SALESFORCE_FLOW}/{d.SALESFORCE_IMPORT_STEP}"


def all_pages(sim: Simulator, path: str, key: str = "errors") -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    pages = 0
    url: str | None = path
    while url:
        body = call(sim, "GET", url).json()
        items += body[key]
        pages += 1
        url = body.get("nextPageURL")
    return items, pages


def test_integration_error_summary_lists_only_flows_with_errors(sim: Simulator) -> None:
    body = call(sim, "GET", f"/v1/integrations/{d.INT_AMAZON}/errors").json()
    counts = {e["_flowId"]: e["numError"] for e in body}
    assert counts == {d.AMAZON_FLOW: 3004, d.FLOW_AMAZON_SETTLEMENTS: 3}
    assert all(e["lastErrorAt"].endswith("Z") for e in body)
    assert call(sim, "GET", f"/v1/integrations/{d.INT_LICENSING}/errors").json() == []


def test_flow_error_summary_includes_zero_steps(sim: Simulator) -> None:
    body = call(sim, "GET", f"/v1/flows/{d.SHOPIFY_FLOW}/errors").json()
    assert body["flowErrors"] == [
        {"_expOrImpId": d.SHOPIFY_EXPORT_STEP, "numError": 0},
        {
            "_expOrImpId": d.SHOPIFY_LOOKUP_STEP,
            "numError": 2,
            "lastErrorAt": body["flowErrors"][1]["lastErrorAt"],
        },
        {
            "_expOrImpId": d.SHOPIFY_IMPORT_STEP,
            "numError": 12,
            "lastErrorAt": body["flowErrors"][2]["lastErrorAt"],
        },
    ]


def test_seeded_counts_match_demo_ids(sim: Simulator) -> None:
    for (flow, step), n in d.DEMO_OPEN_ERRORS.items():
        assert sim.open_error_count(flow, step) == n
        assert len(sim.open_errors(flow, step)) == n
    for (flow, step), n in d.DEMO_RESOLVED_ERRORS.items():
        assert len(sim.resolved_errors(flow, step)) == n


def test_open_errors_page_with_relative_next_page_url(sim: Simulator) -> None:
    first = call(sim, "GET", f"{AMAZON}/errors").json()
    assert len(first["errors"]) == 1000
    assert first["nextPageURL"].startswith(f"{AMAZON}/errors?")
    items, pages = all_pages(sim, f"{AMAZON}/errors")
    assert pages == 3
    assert len({e["errorId"] for e in items}) == 3000
    stamps = [e["occurredAt"] for e in items]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    assert sum("Insufficient inventory" in e["message"] for e in items) > 2500


def test_error_fields_look_like_integrator_io(sim: Simulator) -> None:
    error = call(sim, "GET", f"{AMAZON}/errors").json()["errors"][0]
    assert set(error) >= {
        "errorId",
        "occurredAt",
        "source",
        "code",
        "message",
        "traceKey",
        "oIndex",
        "_flowJobId",
        "classification",
        "classifiedBy",
    }
    assert len(error["errorId"]) == 8
    job = call(sim, "GET", f"/v1/jobs/{error['_flowJobId']}").json()
    assert job["startedAt"] <= error["occurredAt"] <= job["endedAt"]
    with_request = next(
        e for e in sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP) if "reqAndResKey" in e
    )
    epoch, middle, status, method = with_request["reqAndResKey"].split("-")
    assert epoch.isdigit() and len(middle) == 32 and status.isdigit() and method == "POST"


def test_page_size_option_and_cursor_survives_resolves() -> None:
    sim = make_sim(error_page_size=5)
    first = call(sim, "GET", f"{SHOPIFY}/errors").json()
    assert len(first["errors"]) == 5
    call(sim, "PUT", f"{SHOPIFY}/resolved", body={"errors": [e["errorId"] for e in first["errors"]]})
    rest, _ = all_pages(sim, first["nextPageURL"])
    assert len(rest) == 7  # nothing skipped although the first page left the list


def test_filters(sim: Simulator) -> None:
    every = sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
    conn, _ = all_pages(sim, f"{AMAZON}/errors?source=connection")
    assert conn and all(e["source"] == "connection" for e in conn)
    assert len(conn) == sum(e["source"] == "connection" for e in every)
    two, _ = all_pages(sim, f"{AMAZON}/errors?classification=governance&classification=missing")
    assert {e["classification"] for e in two} == {"governance", "missing"}
    cut = every[100]["occurredAt"]
    newer, _ = all_pages(sim, f"{AMAZON}/errors?occurredAt_gte={cut}")
    assert len(newer) == 101
    older, _ = all_pages(sim, f"{AMAZON}/errors?occurredAt_lte={cut}&source=application")
    assert all(e["occurredAt"] <= cut and e["source"] == "application" for e in older)
    bad = call(sim, "GET", f"{AMAZON}/errors?occurredAt_gte=yesterday")
    assert (bad.status, codes(bad)) == (400, ["invalid_query_params"])


def test_unknown_flow_or_step_is_404(sim: Simulator) -> None:
    assert call(sim, "GET", f"/v1/flows/ffffffffffffffffffffffff/{d.AMAZON_IMPORT_STEP}/errors").status == 404
    assert call(sim, "GET", f"/v1/flows/{d.AMAZON_FLOW}/{d.SHOPIFY_IMPORT_STEP}/errors").status == 404


def test_hostile_messages_are_served_verbatim(sim: Simulator) -> None:
    messages = [e["message"] for e in call(sim, "GET", f"{SALESFORCE}/errors").json()["errors"]]
    assert "\x1b]52;" in messages[0]
    assert "[bold]" in messages[1] and "[/bold]" in messages[1]
    raw = call(sim, "GET", f"{SALESFORCE}/errors").body
    assert b"\\u001b]52;" in raw  # escaped on the wire, as JSON requires


def test_resolve_moves_errors_and_updates_summaries(sim: Simulator) -> None:
    ids = [e["errorId"] for e in sim.open_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)[:3]]
    sim.advance(10)
    r = call(sim, "PUT", f"{SHOPIFY}/resolved", body={"errors": [*ids, "zzzzzzzz", "00000000"]})
    assert (r.status, r.body) == (204, b"")
    open_ids = {e["errorId"] for e in sim.open_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)}
    assert not open_ids & set(ids)
    resolved = call(sim, "GET", f"{SHOPIFY}/resolved").json()["resolved"]
    assert [e["errorId"] for e in resolved[:3]] == ids[::-1]  # most recently resolved first
    assert resolved[0]["resolvedBy"] == d.USER_ID and resolved[0]["resolvedAt"] == sim.now_iso()
    assert len(resolved) == 28
    summary = call(sim, "GET", f"/v1/flows/{d.SHOPIFY_FLOW}/errors").json()["flowErrors"][2]
    assert summary["numError"] == 9
    again = call(sim, "PUT", f"{SHOPIFY}/resolved", body={"errors": ids})
    assert again.status == 204


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"errors": []},
        {"errors": "abc"},
        {"errors": [1, 2]},
        {"errors": [f"{n:08x}" for n in range(1001)]},
    ],
)
def test_resolve_validation(sim: Simulator, body: dict[str, Any]) -> None:
    r = call(sim, "PUT", f"{SHOPIFY}/resolved", body=body)
    assert r.status == 422
    assert r.json()["errors"][0]["field"] == "errors"


def test_resolved_list_filters(sim: Simulator) -> None:
    resolved = call(sim, "GET", f"{AMAZON}/resolved").json()["resolved"]
    assert len(resolved) == 40
    cut = sorted(e["resolvedAt"] for e in resolved)[20]
    later = call(sim, "GET", f"{AMAZON}/resolved?resolvedAt_gte={cut}").json()["resolved"]
    assert len(later) == sum(e["resolvedAt"] >= cut for e in resolved)


def test_retry_semantics(sim: Simulator) -> None:
    before = sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
    chosen = [e for e in before if "retryDataKey" in e][:40]
    keys = [e["retryDataKey"] for e in chosen]
    r = call(sim, "POST", f"{AMAZON}/retry", body={"retryDataKeys": keys})
    assert r.status == 201
    job = r.json()
    assert (job["type"], job["status"], job["_flowId"], job["_importId"]) == (
        "retry",
        "queued",
        d.AMAZON_FLOW,
        d.AMAZON_IMPORT_STEP,
    )
    # retried errors leave the open list immediately
    now_open = sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
    assert len(now_open) == 3000 - 40
    assert not {e["errorId"] for e in now_open} & {e["errorId"] for e in chosen}
    sim.advance(0.6)
    assert call(sim, "GET", f"/v1/jobs/{job['_id']}").json()["status"] == "running"
    sim.advance(5)
    done = call(sim, "GET", f"/v1/jobs/{job['_id']}").json()
    failing = [e for e in chosen if retry_fails(0, e["errorId"])]
    assert 0 < len(failing) < 40
    assert (done["status"], done["numError"], done["numSuccess"]) == (
        "completed",
        len(failing),
        40 - len(failing),
    )
    after = sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
    again = [e for e in after if e["_flowJobId"] == job["_id"]]
    assert len(after) == 3000 - 40 + len(failing)
    assert sorted(e["traceKey"] for e in again) == sorted(e["traceKey"] for e in failing)
    assert not {e["errorId"] for e in again} & {e["errorId"] for e in before}
    assert not {e["retryDataKey"] for e in again} & set(keys)
    resolved_ids = {e["errorId"] for e in sim.resolved_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)}
    assert {e["errorId"] for e in chosen} <= resolved_ids
    # the new error's retry data is the retried record
    old = call(sim, "GET", f"{AMAZON}/{failing[0]['retryDataKey']}/data").json()
    new_key = next(e["retryDataKey"] for e in again if e["traceKey"] == failing[0]["traceKey"])
    assert call(sim, "GET", f"{AMAZON}/{new_key}/data").json() == old


def test_retry_takes_keys_it_served_and_keys_it_never_served_alike(sim: Simulator) -> None:
    """The server remembers the keys its pages carried (a fast look-up), but a key it never served in this
    process (another session listed it) is still checked by its digest; another step's key is refused."""
    keys = [e["retryDataKey"] for e in sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
            if "retryDataKey" in e][:30]
    unlisted = make_sim()  # same seed, nothing listed: no key served yet
    for server in (sim, unlisted):
        job = call(server, "POST", f"{AMAZON}/retry", body={"retryDataKeys": keys}).json()
        assert job["type"] == "retry"
        assert server.open_error_count(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP) == 3000 - 30
    shopify_key = next(e["retryDataKey"] for e in sim.open_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
                       if "retryDataKey" in e)
    refused = call(sim, "POST", f"{AMAZON}/retry", body={"retryDataKeys": [shopify_key]})
    assert (refused.status, codes(refused)) == (422, ["invalid_field"])


def test_retry_by_error_ids_and_edited_data_succeeds(sim: Simulator) -> None:
    errors = sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
    doomed = next(e for e in errors if "retryDataKey" in e and retry_fails(0, e["errorId"]))
    data = call(sim, "GET", f"{AMAZON}/{doomed['retryDataKey']}/data").json()
    data["data"]["OrderItems"][0]["QuantityOrdered"] = 0
    assert call(sim, "PUT", f"{AMAZON}/{doomed['retryDataKey']}/data", body=data).status == 200
    job = call(sim, "POST", f"{AMAZON}/retry", body={"errorIds": [doomed["errorId"]]}).json()
    sim.advance(10)
    assert call(sim, "GET", f"/v1/jobs/{job['_id']}").json()["numError"] == 0
    assert sim.open_error_count(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP) == 2999


def test_retry_validation(sim: Simulator) -> None:
    assert call(sim, "POST", f"{AMAZON}/retry", body={}).status == 422
    assert call(sim, "POST", f"{AMAZON}/retry", body={"retryDataKeys": []}).status == 422
    too_many = {"retryDataKeys": ["0" * 32] * 1001}
    assert call(sim, "POST", f"{AMAZON}/retry", body=too_many).status == 422
    unknown = call(sim, "POST", f"{AMAZON}/retry", body={"retryDataKeys": ["f" * 32]})
    assert (unknown.status, codes(unknown)) == (422, ["invalid_field"])
    export_error = sim.open_errors(d.AMAZON_FLOW, d.AMAZON_EXPORT_STEP)[0]
    assert "retryDataKey" not in export_error  # not retriable
    path = f"/v1/flows/{d.AMAZON_FLOW}/{d.AMAZON_EXPORT_STEP}/retry"
    assert call(sim, "POST", path, body={"errorIds": [export_error["errorId"]]}).status == 422


def test_cancelled_retry_puts_errors_back(sim: Simulator) -> None:
    keys = [e["retryDataKey"] for e in sim.open_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)[:4]]
    job = call(sim, "POST", f"{SHOPIFY}/retry", body={"retryDataKeys": keys}).json()
    assert sim.open_error_count(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP) == 8
    assert call(sim, "PUT", f"/v1/jobs/{job['_id']}/cancel").json()["status"] == "canceling"
    sim.advance(5)
    assert call(sim, "GET", f"/v1/jobs/{job['_id']}").json()["status"] == "canceled"
    assert sim.open_error_count(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP) == 12


def test_retry_data_get_and_put(sim: Simulator) -> None:
    error = sim.open_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)[0]
    path = f"{SHOPIFY}/{error['retryDataKey']}/data"
    data = call(sim, "GET", path).json()
    assert data["traceKey"] == error["traceKey"] == data["data"]["name"]
    assert data["stage"] == "page_processor_import"  # Celigo's stage names
    data["data"]["email"] = "fixed@example.com"
    put = call(sim, "PUT", path, body=data)
    assert (put.status, put.json()) == (200, data)
    assert call(sim, "GET", path).json()["data"]["email"] == "fixed@example.com"
    # Only `data` is the client's: the stage and traceKey stay the server's.
    put = call(sim, "PUT", path, body={**data, "stage": "transform", "traceKey": "mine"})
    assert (put.json()["stage"], put.json()["traceKey"]) == ("page_processor_import", error["traceKey"])
    assert call(sim, "PUT", path, body={"stage": "import"}).status == 422
    assert call(sim, "GET", f"{SHOPIFY}/{'a' * 32}/data").status == 404
    assert call(sim, "GET", f"{AMAZON}/{error['retryDataKey']}/data").status == 404  # another step's key


def test_amazon_retry_data_matches_the_message(sim: Simulator) -> None:
    error = next(
        e
        for e in sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
        if "Insufficient inventory" in e["message"]
    )
    record = call(sim, "GET", f"{AMAZON}/{error['retryDataKey']}/data").json()["data"]
    assert record["AmazonOrderId"] == error["traceKey"]
    assert record["OrderItems"][0]["SellerSKU"] in error["message"]


def test_request_detail(sim: Simulator) -> None:
    error = next(e for e in sim.open_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP) if "reqAndResKey" in e)
    detail = call(sim, "GET", f"{SHOPIFY}/requests/{error['reqAndResKey']}").json()
    assert set(detail) == {"request", "response"}
    assert set(detail["response"]) == {"body", "headers", "status", "url"}  # `status`, not `statusCode`
    assert detail["response"]["url"].startswith("https://")
    assert "********" in detail["request"]["headers"]["authorization"]
    assert ("body" in detail["request"]) != ("bodyKey" in detail["request"])
    assert str(detail["response"]["status"]) == error["reqAndResKey"].split("-")[2]
    assert error["code"] in detail["response"]["body"]
    assert call(sim, "GET", f"{SHOPIFY}/requests/1-{'0' * 32}-200-POST").status == 404


async def test_errors_through_httpx(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{SALESFORCE}/errors")
    assert r.status_code == 200
    assert len(r.json()["errors"]) == 7


def test_a_large_request_body_is_stored_under_a_body_key(sim: Simulator) -> None:
    details = [call(sim, "GET", f"{AMAZON}/requests/{e['reqAndResKey']}").json()
               for e in sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)[:40] if "reqAndResKey" in e]
    stored = [x["request"] for x in details if "bodyKey" in x["request"]]
    assert stored and all("body" not in request for request in stored)


def test_open_errors_page_with_start_at_error_id() -> None:
    sim = make_sim(error_page_size=5)
    first = call(sim, "GET", f"{SHOPIFY}/errors?source=application").json()
    errors = sim.open_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
    every = [e for e in errors if e["source"] == "application"]
    assert first["nextPageURL"] == f"{SHOPIFY}/errors?source=application&startAtErrorId={every[5]['errorId']}"
    second = call(sim, "GET", first["nextPageURL"]).json()
    assert second["errors"][0] == every[5]
    assert call(sim, "GET", f"{SHOPIFY}/errors?startAtErrorId=zzzzzzzz").status == 400


def test_classifications_are_celigos() -> None:
    """Every seeded error uses Celigo's classification words (no `rate_limit`), as filterMetadata lists."""
    celigo = {"connection", "duplicate", "governance", "missing", "parse", "value", "intermittent", "none"}
    sim = make_sim()
    assert set(call(sim, "GET", "/v1/errors/filterMetadata").json()["filters"]["classification"]) == celigo
    seen = {e["classification"] for flow, step in d.DEMO_OPEN_ERRORS for e in sim.open_errors(flow, step)}
    assert seen and seen <= celigo


def test_retry_data_only_for_the_newest_errors_of_a_step() -> None:
    """Celigo keeps retry data for the newest 20,000 errors of a step (here shrunk to 3): older ones still
    list a retryDataKey, but their data is 404 and a retry skips them."""
    sim = make_sim(retry_data_kept=3)
    flow, step = d.FLOW_BC_ORDERS, d.IMP_NS_BC_ORDER
    errors = sim.open_errors(flow, step)  # newest first
    assert len(errors) == 5 and all("retryDataKey" in e for e in errors)
    base = f"/v1/flows/{flow}/{step}"
    statuses = [call(sim, "GET", f"{base}/{e['retryDataKey']}/data").status for e in errors]
    assert statuses == [200, 200, 200, 404, 404]
    old = [e["retryDataKey"] for e in errors[3:]]
    assert call(sim, "POST", f"{base}/retry", body={"retryDataKeys": old}).status == 422
    job = call(sim, "POST", f"{base}/retry", body={"retryDataKeys": [e["retryDataKey"] for e in errors]})
    assert job.status == 201
    assert [e["errorId"] for e in sim.open_errors(flow, step)] == [e["errorId"] for e in errors[3:]]
    assert make_sim().retry_data_kept == 20_000
