"""A transport over the simulator that answers 500 on chosen paths until healed (partial-load tests)."""

from __future__ import annotations

import httpx

from explorer.simulator import Simulator, SimulatorTransport


class Broken(httpx.AsyncBaseTransport):
    """The simulator, except that paths starting with one of ``broken`` answer 500 (until healed)."""

    def __init__(self, sim: Simulator, *broken: str) -> None:
        self.inner = SimulatorTransport(sim)
        self.broken = set(broken)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if any(request.url.path.startswith(prefix) for prefix in self.broken):
            return httpx.Response(500, json={"errors": [{"code": "server_error", "message": "boom"}]})
        return await self.inner.handle_async_request(request)
