"""A hostile string set and a transport that puts it into every answer of the simulator (tests only)."""

from __future__ import annotations

import json

import httpx

from explorer.simulator import Simulator, SimulatorTransport

HOSTILE = ("[bold]B[/bold]\x1b]52;c;SGk=\x07\x1b[31mR\x9b2J\u061c\u200e\u200f\u202a\u202e\u2066\u2069"
           "\u2028\x00\x7fZ")
MARKERS = ("Shopify", "Amazon", "Salesforce", "Vireo", "Orders")
"""Words of the demo account replaced by the hostile string wherever they occur in an answer."""

RAW = ("\x1b]52", "\x1b[31mR", "\x07", "\x9b", "\x00", "\x7f", "\u061c", "\u200e", "\u200f", "\u202a",
       "\u202e", "\u2066", "\u2069", "\u2028")
"""What must never reach the terminal from the server (the driver's own sequences use none of these)."""


class HostileTransport(httpx.AsyncBaseTransport):
    """The simulator, with the marker words of every JSON answer replaced by the hostile string."""

    def __init__(self, sim: Simulator) -> None:
        self.inner = SimulatorTransport(sim)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        text = body.decode("utf-8")
        escaped = json.dumps(HOSTILE)[1:-1]
        for marker in MARKERS:
            text = text.replace(marker, escaped)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, content=text.encode("utf-8"))
