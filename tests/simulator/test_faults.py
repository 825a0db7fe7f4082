"""Seeded fault injection and latency."""

from __future__ import annotations

import json

import httpx
import pytest

from explorer.simulator import DEMO_TOKENS, FaultConfig, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.sim_calls import NA, call, make_sim


def only(kind: str) -> FaultConfig:
    return FaultConfig.parse(f"{kind}=1")


@pytest.mark.parametrize(("kind", "status"), [("429", 429), ("500", 500), ("502", 502), ("503", 503)])
def test_status_faults(kind: str, status: int) -> None:
    sim = make_sim(faults=only(kind))
    r = call(sim, "GET", "/v1/tokenInfo")
    assert r.status == status
    assert r.json()["errors"][0]["code"] == ("rate_limited" if kind == "429" else "server_error")
    if kind == "429":
        assert r.headers["Retry-After"] == "1"


def test_html_fault_is_a_proxy_page() -> None:
    sim = make_sim(faults=only("html"))
    r = call(sim, "GET", "/v1/flows")
    assert (r.status, r.headers["Content-Type"]) == (502, "text/html")
    assert r.body.startswith(b"<html>") and b"nginx" in r.body


def test_faults_before_processing_leave_state_alone() -> None:
    sim = make_sim(faults=only("500"))
    call(sim, "PUT", f"/v1/integrations/{d.INT_EMPTY}", body={"name": "changed"})
    assert sim.doc("integrations", d.INT_EMPTY)["name"] == "Sandbox experiments"


def test_truncated_and_malformed_bodies_do_not_parse() -> None:
    clean = call(make_sim(), "GET", "/v1/integrations").body
    for kind in ("truncated", "malformed"):
        r = call(make_sim(faults=only(kind)), "GET", "/v1/integrations")
        assert r.status == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.body)
    truncated = call(make_sim(faults=only("truncated")), "GET", "/v1/integrations").body
    assert clean.startswith(truncated) and len(truncated) == len(clean) // 2


async def test_reset_and_timeout_raise_httpx_errors() -> None:
    for kind, error in (("reset", httpx.ConnectError), ("timeout", httpx.ReadTimeout)):
        sim = make_sim(faults=only(kind))
        async with httpx.AsyncClient(transport=SimulatorTransport(sim), base_url=NA) as c:
            with pytest.raises(error):
                await c.put(
                    f"/v1/integrations/{d.INT_EMPTY}",
                    json={"name": f"after {kind}"},
                    headers={"Authorization": f"Bearer {DEMO_TOKENS['full']}"},
                )
        # a reset never reached the API; a timeout did (the answer was lost)
        expected = "after timeout" if kind == "timeout" else "Sandbox experiments"
        assert sim.doc("integrations", d.INT_EMPTY)["name"] == expected
        assert sim.requests[-1][2] == (0 if kind == "reset" else 200)


def statuses(sim: Simulator, n: int = 60) -> list[int]:
    return [call(sim, "GET", "/v1/tokenInfo").status for _ in range(n)]


def test_faults_are_deterministic_per_seed() -> None:
    config = FaultConfig(seed=7, p500=0.3, p503=0.1, p429=0.1)
    first, second = statuses(make_sim(faults=config)), statuses(make_sim(faults=config))
    assert first == second
    assert {200, 500, 503, 429} <= set(first)
    assert statuses(make_sim(faults=FaultConfig(seed=8, p500=0.3, p503=0.1, p429=0.1))) != first


def test_set_faults_restarts_and_clears() -> None:
    sim = make_sim()
    config = FaultConfig(seed=3, p502=0.5)
    sim.set_faults(config)
    run1 = statuses(sim, 20)
    sim.set_faults(config)
    assert statuses(sim, 20) == run1
    sim.set_faults(None)
    assert set(statuses(sim, 20)) == {200}


def test_parse() -> None:
    config = FaultConfig.parse("429=0.1,500=0.05,reset=0.01,html=0.02, seed=4, timeout=0.1, timeout_s=2")
    assert (config.p429, config.p500, config.p_reset, config.p_html, config.seed) == (
        0.1,
        0.05,
        0.01,
        0.02,
        4,
    )
    assert (config.p_timeout, config.timeout_s) == (0.1, 2.0)
    assert FaultConfig.parse("") == FaultConfig()
    for bad in ("bogus=1", "429", "429=x", "429=0.9,500=0.2", "500=-0.1"):
        with pytest.raises(ValueError):
            FaultConfig.parse(bad)


async def test_latency_and_jitter_are_awaited(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("explorer.simulator.transport.asyncio.sleep", fake_sleep)
    for _ in range(2):
        sim = make_sim(latency_ms=100, jitter_ms=50, seed=5)
        async with httpx.AsyncClient(transport=SimulatorTransport(sim), base_url=NA) as c:
            for _ in range(5):
                await c.get("/v1/tokenInfo")
    assert len(waits) == 10
    assert all(0.1 <= w <= 0.15 for w in waits)
    assert waits[:5] == waits[5:]  # seeded jitter
    assert len(set(waits)) > 1
