"""A scripted fake of the API for client tests: canned replies per path, and the requests it saw."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from explorer.client import IntegratorClient
from explorer.model import ErrorRecord

TOKEN = "iox-test-token-7f3a91c2b4d5e6f708192a3b"
BASE = "https://api.integrator.io/v1/"
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]
MakeClient = Callable[..., IntegratorClient]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON answer the way the API sends it."""
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"content-type": "application/json; charset=utf-8", **(headers or {})})


class FakeApi:
    """Routes ``(METHOD, path[?query])`` to scripted replies and records every request it receives.

    A route holds a list of replies consumed in order; the last one repeats. A reply is a response, an
    exception to raise (connection errors, timeouts) or a function of the request. Unknown routes get 404.
    """

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, method: str, path: str, *replies: Reply) -> FakeApi:
        self.routes[(method.upper(), path)] = list(replies)
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        full = request.url.raw_path.decode()
        queue = self.routes.get((request.method, full)) or self.routes.get((request.method, request.url.path))
        if not queue:
            return json_response(404, {"errors": [{"code": "not_found", "message": f"no route {full}"}]})
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        return reply

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def sent(self) -> list[tuple[str, str]]:
        """(method, path?query) of every request received, in order."""
        return [(r.method, r.url.raw_path.decode()) for r in self.requests]

    def body(self, index: int = -1) -> Any:
        """The JSON body of a received request."""
        return json.loads(self.requests[index].content)


async def all_errors(client: IntegratorClient, flow_id: str, step_id: str,
                     **filters: Any) -> list[ErrorRecord]:
    """Every page of a step's errors in one list (the client streams pages; tests want them whole)."""
    found: list[ErrorRecord] = []
    async for page in client.iter_errors(flow_id, step_id, **filters):
        found += page
    return found
