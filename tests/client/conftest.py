"""A scripted fake API (``httpx.MockTransport``) and a client wired to it, with sleeps recorded, not slept.

Why scripted instead of the simulator: these tests need exact control over status codes, headers and broken
bodies, which a realistic simulator rightly never produces on demand.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from explorer.client import IntegratorClient, RequestRecord

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


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def sleeps() -> list[float]:
    """Every delay the client asked to sleep, in order (nothing is actually slept)."""
    return []


@pytest.fixture
def records() -> list[RequestRecord]:
    return []


@pytest.fixture
def make_client(api: FakeApi, sleeps: list[float], records: list[RequestRecord]) -> MakeClient:
    """Build clients on the fake API; keyword arguments override the defaults."""

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def make(**overrides: Any) -> IntegratorClient:
        options: dict[str, Any] = {"transport": api.transport, "sleep": fake_sleep, "random": lambda: 0.5,
                                   "on_request": records.append}
        options.update(overrides)
        return IntegratorClient(options.pop("token", TOKEN), **options)

    return make


@pytest.fixture
async def client(make_client: MakeClient) -> AsyncIterator[IntegratorClient]:
    async with make_client() as built:
        yield built
