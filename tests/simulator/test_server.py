"""The loopback HTTP server (the one socket test of the simulator suite)."""

from __future__ import annotations

import httpx
import pytest

from explorer.simulator import DEMO_TOKENS, FaultConfig, serve
from explorer.simulator import demo_ids as d

from .conftest import make_sim


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {DEMO_TOKENS[name]}"}


def test_serve_on_ephemeral_ports() -> None:
    sim = make_sim()
    with serve(sim, port=0, eu_port=0) as running, httpx.Client(timeout=5) as http:
        assert running.port and running.eu_port and running.eu_base_url
        na = http.get(f"{running.base_url}/v1/tokenInfo", headers=auth("full"))
        assert (na.status_code, na.json()["_userId"]) == (200, d.USER_ID)
        assert http.get(f"{running.eu_base_url}/v1/tokenInfo", headers=auth("eu")).status_code == 200
        assert http.get(f"{running.base_url}/v1/tokenInfo", headers=auth("eu")).status_code == 401
        page = http.get(f"{running.base_url}/v1/flows?limit=2", headers=auth("full"))
        assert page.headers["link"].startswith(f"<{running.base_url}/v1/flows?limit=2&skip=2>")
        empty = http.get(f"{running.base_url}/v1/integrations/{d.INT_EMPTY}/flows", headers=auth("full"))
        assert (empty.status_code, empty.content) == (204, b"")
        put = http.put(
            f"{running.base_url}/v1/integrations/{d.INT_EMPTY}",
            headers=auth("full"),
            json={"name": "Over HTTP"},
        )
        assert put.json()["name"] == "Over HTTP"
        sim.set_faults(FaultConfig(p_reset=1.0))
        with pytest.raises(httpx.TransportError):
            http.get(f"{running.base_url}/v1/tokenInfo", headers=auth("full"))
    assert ("PUT", f"/v1/integrations/{d.INT_EMPTY}", 200) in sim.requests
