"""A scripted fake API (``httpx.MockTransport``) and a client wired to it, with sleeps recorded, not slept.

Why scripted instead of the simulator: these tests need exact control over status codes, headers and broken
bodies, which a realistic simulator rightly never produces on demand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from explorer.client import IntegratorClient, RequestRecord
from tests.helpers.fake_api import TOKEN, FakeApi, MakeClient


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
