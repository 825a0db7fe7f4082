"""Shared fixtures for the simulator tests: a frozen-time simulator, direct calls and an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from tests.helpers.sim_calls import NA, make_sim


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
