"""While the bulk question is read, the batches' connections are opened; yes sends every batch on one.

Over real loopback sockets (the simulator served over HTTP in this process): the server notes which
connection (client port) each request came on. Why (issue 10): the batches used to open their connections
after yes — TCP and TLS, two round trips each on the real API, on the critical path of the bulk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from explorer.client import IntegratorClient
from explorer.simulator import Simulator
from explorer.tui.screens.errors_dialogs import BulkProgressDialog
from tests.helpers.counting_server import idle_ports, serving_simulator
from tests.helpers.errors_app import AMAZON, ErrorsHost, asking, finished, loaded, step_screen, wait_for


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Simulator, list[Any]]]:
    """The simulator over loopback HTTP, and the requests it read as (method, path, client port)."""
    with serving_simulator(monkeypatch) as served:
        yield served


async def test_the_question_opens_the_connections_the_batches_then_use(
        served: tuple[str, Simulator, list[Any]]) -> None:
    base_url, sim, seen = served
    host = ErrorsHost(sim, step_screen(AMAZON), base_url=base_url)
    async with host.run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        assert len(panel.store.rows) == 3000  # three batches of 1000
        client = host.api
        assert client is not None
        await pilot.press("a", "r")
        await wait_for(pilot, lambda: asking(pilot.app))
        await wait_for(pilot, lambda: len(idle_ports(client)) >= 3)  # opened while the question is read
        open_before_yes = idle_ports(client)
        posts_before = sum(1 for method, *_ in seen if method == "POST")
        assert posts_before == 0  # opening sent nothing
        await pilot.press("y")
        await finished(pilot, sim)
    posts = [port for method, path, port in seen if method == "POST" and path.endswith("/retry")]
    assert len(posts) == 3
    assert set(posts) <= open_before_yes  # every batch went on a connection opened before yes


class KeptOpen:
    """Stands in for ``IntegratorClient.keep_connections_open``: notes each call; never ends by itself."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, Callable[[], bool], asyncio.Future[int]]] = []

    def __call__(self, count: int, wanted: Callable[[], bool]) -> asyncio.Future[int]:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.calls.append((count, wanted, future))
        return future


async def test_the_opening_lasts_while_the_question_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = KeptOpen()
    monkeypatch.setattr(IntegratorClient, "keep_connections_open",
                        lambda _client, count, wanted: kept(count, wanted))
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(AMAZON)).run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("a", "r")
        await wait_for(pilot, lambda: bool(kept.calls))
        count, wanted, future = kept.calls[0]
        assert count == 3 and wanted()  # min(batches, batches in flight)
        await pilot.press("n")  # no: the dialog closes, and its worker with it
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, BulkProgressDialog))
        await wait_for(pilot, future.cancelled)

        await pilot.press("r")
        await wait_for(pilot, lambda: len(kept.calls) == 2)
        _, wanted, future = kept.calls[1]
        assert wanted()
        await pilot.press("y")  # yes: the question is answered, no more renewing
        assert not wanted()
        future.set_result(0)
        await finished(pilot, sim)
