"""Calling the simulator directly (no client): its base URLs, a seeded instance and one request."""

from __future__ import annotations

import json
from typing import Any

from explorer.simulator import DEMO_TOKENS, SimResponse, Simulator

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
