"""Flow runs, the job clock, `/v1/jobs` rules, cancel."""

from __future__ import annotations

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from tests.helpers.sim_calls import call, codes


def test_jobs_need_a_filter(sim: Simulator) -> None:
    r = call(sim, "GET", "/v1/jobs")
    assert (r.status, codes(r)) == (400, ["invalid_query"])
    assert "parent jobs" in r.json()["errors"][0]["message"]
    child = call(sim, "GET", f"/v1/jobs?type=import&_flowId={d.SHOPIFY_FLOW}")
    assert (child.status, codes(child)) == (400, ["invalid_query"])
    assert call(sim, "GET", "/v1/jobs?type=nonsense&_flowId=x").status == 400
    assert call(sim, "GET", "/v1/jobs?createdAt_gte=not-a-date").status == 400
    assert call(sim, "GET", "/v1/jobs?_flowId=x&numError_gte=many").status == 400


def test_jobs_are_newest_first_without_paging_headers(sim: Simulator) -> None:
    r = call(sim, "GET", f"/v1/jobs?_flowId={d.AMAZON_FLOW}")
    jobs = r.json()
    assert r.status == 200 and "Link" not in r.headers
    assert {j["type"] for j in jobs} == {"flow", "retry"}
    stamps = [j["createdAt"] for j in jobs]
    assert stamps == sorted(stamps, reverse=True)
    flows = [j for j in jobs if j["type"] == "flow"]
    assert len(flows) == 120
    # numError of the history matches the seeded errors that name those jobs
    assert sum(j["numError"] for j in flows) == 3000 + 40 + 4


def test_job_filters(sim: Simulator) -> None:
    base = f"/v1/jobs?_flowId={d.FLOW_STANDALONE_INVENTORY}"
    failed = call(sim, "GET", f"{base}&status=failed").json()
    assert [j["status"] for j in failed] == ["failed"]
    both = call(sim, "GET", f"{base}&status=failed&status=completed").json()
    assert len(both) == 20
    retries = call(sim, "GET", f"/v1/jobs?_integrationId={d.INT_SHOPIFY}&type=retry").json()
    assert retries and all(j["type"] == "retry" for j in retries)
    all_flow_jobs = call(sim, "GET", f"/v1/jobs?_flowId={d.AMAZON_FLOW}&type=flow").json()
    q = f"/v1/jobs?_flowId={d.AMAZON_FLOW}&type=flow&numError_gte=26&numError_lte=26"
    with_errors = call(sim, "GET", q).json()
    assert with_errors and len(with_errors) == sum(j["numError"] == 26 for j in all_flow_jobs)
    cut = call(sim, "GET", f"/v1/jobs?_flowId={d.AMAZON_FLOW}&type=flow").json()[10]["createdAt"]
    older = call(sim, "GET", f"/v1/jobs?_flowId={d.AMAZON_FLOW}&type=flow&createdAt_lte={cut}").json()
    assert len(older) == 110 and older[0]["createdAt"] == cut
    by_export = call(sim, "GET", f"/v1/jobs?_exportId={d.EXP_NS_CUSTOMER_LOOKUP}&type=flow").json()
    assert by_export and {j["_flowId"] for j in by_export} == {d.SHOPIFY_FLOW}
    in_list = call(
        sim, "GET", f"/v1/jobs?_flowId_in[0]={d.SHOPIFY_FLOW}&_flowId_in[1]={d.SALESFORCE_FLOW}"
    ).json()
    assert {j["_flowId"] for j in in_list} == {d.SHOPIFY_FLOW, d.SALESFORCE_FLOW}


def test_child_jobs(sim: Simulator) -> None:
    parent = call(sim, "GET", f"/v1/jobs?_flowId={d.SHOPIFY_FLOW}&type=flow").json()[0]
    children = call(sim, "GET", f"/v1/jobs?type=export&type=import&_flowJobId={parent['_id']}").json()
    assert sorted(c["_expOrImpId"] for c in children) == sorted(
        [d.SHOPIFY_EXPORT_STEP, d.SHOPIFY_LOOKUP_STEP, d.SHOPIFY_IMPORT_STEP]
    )
    family = call(sim, "GET", f"/v1/jobs/{parent['_id']}/family").json()
    assert len(family["children"]) == 3
    assert "children" not in call(sim, "GET", f"/v1/jobs/{parent['_id']}").json()


def test_job_404(sim: Simulator) -> None:
    assert call(sim, "GET", "/v1/jobs/ffffffffffffffffffffffff").status == 404
    assert call(sim, "PUT", "/v1/jobs/ffffffffffffffffffffffff/cancel").status == 404


def test_run_moves_through_the_clock_and_adds_errors(sim: Simulator) -> None:
    r = call(sim, "POST", f"/v1/flows/{d.AMAZON_FLOW}/run")
    assert r.status == 201
    job_id = r.json()["_jobId"]
    job = call(sim, "GET", f"/v1/jobs/{job_id}").json()
    assert (job["type"], job["status"], job["_integrationId"]) == ("flow", "queued", d.INT_AMAZON)
    latest = call(sim, "GET", f"/v1/flows/{d.AMAZON_FLOW}/jobs/latest").json()
    assert latest[0]["_id"] == job_id and latest[1]["status"] == "completed"
    sim.advance(0.5)
    running = call(sim, "GET", f"/v1/jobs/{job_id}/family").json()
    assert running["status"] == "running" and "startedAt" in running
    assert {c["status"] for c in running["children"]} == {"running"}
    sim.advance(5)
    done = call(sim, "GET", f"/v1/jobs/{job_id}/family").json()
    assert done["status"] == "completed" and done["endedAt"] > done["startedAt"]
    assert done["numError"] >= 8
    new = [e for e in sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP) if e["_flowJobId"] == job_id]
    assert len(new) == done["numError"]
    assert sim.doc("flows", d.AMAZON_FLOW)["lastExecutedAt"] == done["endedAt"]
    latest = call(sim, "GET", f"/v1/integrations/{d.INT_AMAZON}/jobs/latest").json()
    assert latest[0]["_id"] == job_id and len(latest[0]["children"]) == 2


def test_run_with_offline_connection_fails(sim: Simulator) -> None:
    job_id = call(sim, "POST", f"/v1/flows/{d.STANDALONE_FLOW}/run", body={}).json()["_jobId"]
    sim.advance(10)
    job = call(sim, "GET", f"/v1/jobs/{job_id}/family").json()
    assert (job["status"], job["numPagesGenerated"]) == ("failed", 0)
    assert "_integrationId" not in job
    assert [c["status"] for c in job["children"]] == ["failed", "canceled"]
    assert sim.open_error_count(d.STANDALONE_FLOW, d.EXP_FTP_INVENTORY) == 2


def test_disabled_flow_cannot_run(sim: Simulator) -> None:
    r = call(sim, "POST", f"/v1/flows/{d.DISABLED_FLOW}/run")
    assert (r.status, codes(r)) == (422, ["flow_disabled"])
    assert call(sim, "POST", f"/v1/flows/{d.SHOPIFY_FLOW}/run", body=[1]).status == 422
    assert call(sim, "POST", "/v1/flows/ffffffffffffffffffffffff/run").status == 404


def test_cancel(sim: Simulator) -> None:
    job_id = call(sim, "POST", f"/v1/flows/{d.SHOPIFY_FLOW}/run").json()["_jobId"]
    sim.advance(1)
    r = call(sim, "PUT", f"/v1/jobs/{job_id}/cancel")
    assert (r.status, r.json()["status"]) == (200, "canceling")
    sim.advance(1)
    job = call(sim, "GET", f"/v1/jobs/{job_id}/family").json()
    assert job["status"] == "canceled"
    assert {c["status"] for c in job["children"]} == {"canceled"}
    again = call(sim, "PUT", f"/v1/jobs/{job_id}/cancel")
    assert (again.status, codes(again)) == (422, ["invalid_job_state"])
    assert call(sim, "PUT", f"/v1/jobs/{job_id}/cancel", token="scoped").status == 403


def test_time_moves_with_real_time_when_scaled() -> None:
    now = [100.0]
    sim = Simulator(time_scale=1.0, monotonic=lambda: now[0])
    job_id = call(sim, "POST", f"/v1/flows/{d.SHOPIFY_FLOW}/run").json()["_jobId"]
    now[0] += 4.0
    assert call(sim, "GET", f"/v1/jobs/{job_id}").json()["status"] == "completed"
