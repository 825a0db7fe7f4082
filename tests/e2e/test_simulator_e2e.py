"""End to end over real loopback HTTP: `iox simulator` as a subprocess, the real client against it.

This is the path a user takes with `iox --base-url http://127.0.0.1:8765`; it proves the client needs nothing
simulator-specific and the server speaks plain HTTP.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from explorer.client import IntegratorClient, Unauthorized


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, dict[str, str]]]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "explorer", "simulator", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    tokens: dict[str, str] = {}
    base = ""
    deadline = time.monotonic() + 20
    try:
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            name, _, value = line.strip().partition(": ")
            if name == "NA":
                base = value
            elif value and name.isalpha():
                tokens[name] = value
            if line.startswith("Press Ctrl-C"):
                break
        assert base.startswith(f"http://127.0.0.1:{port}/"), base
        yield base, tokens
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_client_over_loopback_http(server: tuple[str, dict[str, str]]) -> None:
    base, tokens = server
    async with IntegratorClient(tokens["full"], base_url=base) as client:
        info = await client.token_info()
        assert info.user_id
        integrations = await client.list_integrations()
        flows = await client.list_flows()
        assert {i.name for i in integrations} >= {"Licensing and Usage"}
        assert any(f.integration_id is None for f in flows), "the demo account has a standalone flow"
        summaries = await client.gather_bounded(client.integration_error_summary(i.id) for i in integrations)
        total = sum(c.num_error for counts in summaries for c in counts)
        assert total > 0
        flow = next(f for f in flows if f.steps())
        step = flow.steps()[-1]
        pages = [page async for page in client.iter_errors(flow.id, step.id)]
        assert all(all(e.key.flow_id == flow.id for e in page) for page in pages)


async def test_revoked_token_is_unauthorized_over_http(server: tuple[str, dict[str, str]]) -> None:
    base, tokens = server
    async with IntegratorClient(tokens["revoked"], base_url=base) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.token_info()
    assert tokens["revoked"] not in str(caught.value)
    assert tokens["revoked"] not in repr(caught.value)
