"""``iox retry`` opens its batches' connections while it lists, so they are open before the first batch.

Against the simulator served over real loopback HTTP (in this process): the server notes which connection
(client port) each request came on, and the test notes which connections the client's pool held idle when
the bulk began. Every batch must go out on one of those: none waits for a new connection (TCP and TLS, two
round trips on the real API). And the listing asks for no page past the one holding the last id.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import explorer.commands.bulk as bulk_command
from explorer.cli import main
from explorer.client import IntegratorClient
from explorer.services.bulk import run_bulk
from explorer.simulator import DEMO_TOKENS, Simulator
from explorer.simulator import demo_ids as d
from tests.helpers.cli import isolate
from tests.helpers.counting_server import idle_ports, serving_simulator

FLOW, STEP = d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP  # 3000 open errors: pages and batches of 1000


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Simulator, list[Any]]]:
    """The simulator over loopback HTTP, and the requests it read as (method, path, client port)."""
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    with serving_simulator(monkeypatch) as served:
        yield served


def note_idle_at_bulk_start(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """The connections (client ports) the client's pool holds idle as each bulk begins, noted as it does."""
    open_at_start: list[set[int]] = []

    async def noting_run_bulk(client: Any, *args: Any, **kwargs: Any) -> Any:
        open_at_start.append(idle_ports(client))
        return await run_bulk(client, *args, **kwargs)

    monkeypatch.setattr(bulk_command, "run_bulk", noting_run_bulk)
    return open_at_start


def test_the_batches_leave_on_connections_opened_while_listing(
        served: tuple[str, Simulator, list[Any]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    base_url, sim, seen = served
    ids = [error["errorId"] for error in sim.open_errors(FLOW, STEP)[:1500]]  # 2 of the 3 pages, 2 batches
    open_at_start = note_idle_at_bulk_start(monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(ids)))
    code = main(["--base-url", base_url, "retry", FLOW, STEP, "-", "--no-follow"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "1500 of 1500 retried in 2 batches" in out

    posts = [port for method, path, port in seen if method == "POST" and path.endswith("/retry")]
    assert len(posts) == 2
    assert len(open_at_start) == 1 and len(open_at_start[0]) >= 2
    assert set(posts) <= open_at_start[0]  # every batch on a connection already open: none opened its own
    pages = [path for method, path, _ in seen if method == "GET" and path.endswith(f"/{STEP}/errors")]
    assert len(pages) == 2  # the page after the one holding the last id is never asked for


def test_with_all_the_connections_open_as_the_pages_come(
        served: tuple[str, Simulator, list[Any]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    base_url, _, seen = served
    open_at_start = note_idle_at_bulk_start(monkeypatch)
    asked: list[int] = []  # connections asked for, once after each page read that asks for more
    open_connections = IntegratorClient.open_connections
    keep_connections_open = IntegratorClient.keep_connections_open

    def noting_open(client: IntegratorClient, count: int) -> Any:
        asked.append(count)
        return open_connections(client, count)

    def noting_keep(client: IntegratorClient, count: Callable[[], int], wanted: Callable[[], bool]) -> Any:
        asked.append(count())
        return keep_connections_open(client, count, wanted)

    monkeypatch.setattr(IntegratorClient, "open_connections", noting_open)
    monkeypatch.setattr(IntegratorClient, "keep_connections_open", noting_keep)
    code = main(["--base-url", base_url, "resolve", FLOW, STEP, "--all"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3000 of 3000 resolved in 3 batches" in out
    puts = [port for method, path, port in seen if method == "PUT" and path.endswith("/resolved")]
    assert len(puts) == 3
    assert set(puts) <= open_at_start[0]
    assert asked[:2] == [2, 3]  # the third batch's connection: asked for after the second page, not the last
