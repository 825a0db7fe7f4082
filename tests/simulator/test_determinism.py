"""Same seed, same requests ⇒ the same bytes; another seed ⇒ other generated data, same documents."""

from __future__ import annotations

from explorer.simulator import SimResponse, Simulator
from explorer.simulator import demo_ids as d
from tests.helpers.sim_calls import call, make_sim

AMAZON = f"/v1/flows/{d.AMAZON_FLOW}/{d.AMAZON_IMPORT_STEP}"


def script(sim: Simulator) -> list[SimResponse]:
    out = [
        call(sim, "GET", path)
        for path in (
            "/v1/integrations",
            "/v1/flows?limit=3",
            f"{AMAZON}/errors",
            f"/v1/jobs?_flowId={d.AMAZON_FLOW}",
            f"/v1/integrations/{d.INT_AMAZON}/errors",
        )
    ]
    keys = [e["retryDataKey"] for e in out[2].json()["errors"][:25]]
    out.append(call(sim, "POST", f"{AMAZON}/retry", body={"retryDataKeys": keys}))
    out.append(call(sim, "POST", f"/v1/flows/{d.AMAZON_FLOW}/run"))
    sim.advance(10)
    out += [
        call(sim, "GET", f"{AMAZON}/errors"),
        call(sim, "GET", f"/v1/flows/{d.AMAZON_FLOW}/jobs/latest"),
        call(sim, "GET", f"{AMAZON}/resolved"),
    ]
    return out


def test_two_simulators_with_seed_0_answer_identically() -> None:
    first, second = script(make_sim()), script(make_sim())
    assert [(r.status, r.headers, r.body) for r in first] == [(r.status, r.headers, r.body) for r in second]
    assert make_sim().requests == []


def test_another_seed_changes_generated_data_only() -> None:
    zero, one = make_sim(seed=0), make_sim(seed=1)
    assert call(zero, "GET", "/v1/integrations").body == call(one, "GET", "/v1/integrations").body
    flows0, flows1 = call(zero, "GET", "/v1/flows").json(), call(one, "GET", "/v1/flows").json()
    assert [f["_id"] for f in flows0] == [f["_id"] for f in flows1]
    ids0 = {e["errorId"] for e in zero.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)}
    ids1 = {e["errorId"] for e in one.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)}
    assert len(ids0) == len(ids1) == 3000
    assert ids0 != ids1


def test_request_log(sim: Simulator) -> None:
    call(sim, "GET", "/v1/flows?limit=2")
    call(sim, "GET", "/v1/nothing")
    assert sim.requests == [("GET", "/v1/flows?limit=2", 200), ("GET", "/v1/nothing", 404)]
