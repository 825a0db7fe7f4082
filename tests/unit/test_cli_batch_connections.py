"""``iox retry/resolve`` asks the client for its batches' connections as the count becomes known, keeps
them renewed while it lists (a listing longer than the keep-alive would see them expire), and stops
renewing once the batches leave."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from explorer.commands.bulk import BatchConnections
from explorer.commands.common import CommandContext
from explorer.model import ErrorRecord
from explorer.services.bulk import BulkOptions


class Api:
    """Notes what ``BatchConnections`` asks of the client."""

    def __init__(self) -> None:
        self.opened: list[int] = []
        self.kept: list[tuple[Callable[[], int], Callable[[], bool]]] = []

    def open_connections(self, count: int) -> asyncio.Future[int]:
        self.opened.append(count)
        return cast("asyncio.Future[int]", object())

    def keep_connections_open(self, count: Callable[[], int],
                              wanted: Callable[[], bool]) -> asyncio.Future[int]:
        self.kept.append((count, wanted))
        return cast("asyncio.Future[int]", object())


class Ctx:
    def __init__(self) -> None:
        self.api = Api()


def _connections(**options: Any) -> tuple[BatchConnections, Api]:
    ctx = Ctx()
    return BatchConnections(cast(CommandContext, ctx), BulkOptions(**options)), ctx.api


def test_named_ids_ask_once_and_renew_until_the_batches_leave() -> None:
    connections, api = _connections()
    connections.expect(2500)
    assert len(api.kept) == 1 and api.opened == []
    count, wanted = api.kept[0]
    assert count() == 3 and wanted()
    connections.expect(2500)
    assert len(api.kept) == 1 and api.opened == []  # nothing more to ask
    connections.ready()
    assert not wanted()


def test_pages_of_all_raise_the_count_up_to_the_batches_in_flight() -> None:
    connections, api = _connections(in_flight=4)
    page: list[ErrorRecord] = cast("list[ErrorRecord]", [object()] * 1000)
    connections.listed(page, 1000)  # a full page: another may follow
    count, _ = api.kept[0]
    assert count() == 2
    connections.listed(page, 2000)
    assert api.opened == [3] and count() == 3  # opened now, and renewed at that count
    for read in range(3000, 10_001, 1000):
        connections.listed(page, read)
    assert api.opened == [3, 4] and count() == 4  # never more than may be in flight
    connections.listed(page[:10], 10_010)  # a short page: the last
    assert api.opened == [3, 4]
