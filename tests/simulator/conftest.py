"""Shared fixtures for the simulator tests: a frozen-time simulator, direct calls and an httpx client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from explorer.simulator import DEMO_TOKENS, SimResponse, Simulator, SimulatorTransport

NA = "https://api.integrator.io"
EU = "https://api.eu.integrator.io"


def make_sim(**kwargs: Any) -> Simulator:
    """A simulator whose clock only moves with `advance` (byte-identical answers)."""
    kwargs.setdefault("time_scale", 0.0)
    return Simulator(**kwargs)


def call(
    sim: Simulator,
    method: str,
    path: str,
    *,
    token: str | None = "full",
    body: Any = None,
    raw: bytes | None = None,
    content_type: str | None = "application/json",
    base: str = NA,
) -> SimResponse:
    """Call `sim.handle` the way a client would (token by demo name, JSON body encoded)."""
    headers: dict[str, str] = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {DEMO_TOKENS.get(token, token)}"
    data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    if data and content_type:
        headers["Content-Type"] = content_type
    return sim.handle(method, base + path, headers, data)


def codes(response: SimResponse) -> list[str]:
    """The `code`s of an error body."""
    return [item["code"] for item in response.json()["errors"]]


@pytest.fixture
def sim() -> Simulator:
    """A fresh demo simulator, seed 0, frozen clock."""
    return make_sim()


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the in-process transport with the full-access NA token."""
    async with httpx.AsyncClient(
        transport=SimulatorTransport(sim),
        base_url=NA,
        headers={"Authorization": f"Bearer {DEMO_TOKENS['full']}"},
    ) as c:
        yield c
