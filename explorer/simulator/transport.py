"""`SimulatorTransport`: an httpx async transport that answers from a `Simulator` in-process.

Why: the client and the TUI run against the simulator with no sockets (fast, deterministic tests and
`iox --demo`), through the very same `httpx.AsyncClient` code path they use against integrator.io. Latency and
jitter are awaited here (so the event loop keeps running), and the faults that have no HTTP answer become the
exceptions httpx raises for them.
"""

from __future__ import annotations

import asyncio

import httpx

from .simulator import Simulator


class SimulatorTransport(httpx.AsyncBaseTransport):
    """Routes every request of an `httpx.AsyncClient` to `sim.handle`.

    Requests to a host that is not an integrator.io host (e.g. `http://sim`) are treated as addressed to
    `region_host_default` for the purpose of choosing the region (NA by default).
    """

    def __init__(self, sim: Simulator, region_host_default: str = "api.integrator.io") -> None:
        self.sim = sim
        self.region_host_default = region_host_default

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request after the simulated latency."""
        body = await request.aread()
        delay = self.sim.next_delay_s()
        if delay > 0:
            await asyncio.sleep(delay)
        host, port = request.url.host, request.url.port
        region = None
        if not host.endswith("integrator.io") and self.sim.region_of(host, port) == "na":
            region = self.sim.region_of(self.region_host_default, None)
        answer = self.sim.handle(request.method, str(request.url), dict(request.headers), body, region=region)
        if answer.fault == "reset":
            raise httpx.ConnectError("Connection reset by peer (simulated)", request=request)
        if answer.fault == "timeout":
            raise httpx.ReadTimeout("Timed out reading the response (simulated)", request=request)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body, request=request)
