"""Build the explorer over the in-process simulator, and wait until it has nothing left to load.

Shared by the browse pilot tests and snapshot tests so both run the app exactly as ``iox --demo`` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from textual.pilot import Pilot

from explorer.client import IntegratorClient, RequestRecord
from explorer.services.account import TreeItem
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.main import MainScreen
from explorer.tui.widgets.resource_tree import ResourceTree
from tests.helpers.waiting import WAIT_S


class GatedTransport(httpx.AsyncBaseTransport):
    """The simulator transport, except that requests whose path contains a held text wait for ``release``.

    Lets a test look at the screen while a request is in flight, without depending on timing.
    """

    def __init__(self, sim: Simulator) -> None:
        self.inner = SimulatorTransport(sim)
        self.held: dict[str, asyncio.Event] = {}

    def hold(self, fragment: str) -> None:
        """Make requests whose path contains ``fragment`` wait."""
        self.held[fragment] = asyncio.Event()

    def release(self, fragment: str) -> None:
        """Let the waiting requests through."""
        self.held.pop(fragment).set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for fragment, gate in list(self.held.items()):
            if fragment in request.url.path:
                await gate.wait()
        return await self.inner.handle_async_request(request)


def make_app(sim: Simulator, token: str = "full", *, region: str | None = None, read_only: bool = False,
             show_timings: bool = True, transport: httpx.AsyncBaseTransport | None = None,
             keymap: dict[str, str] | None = None) -> ExplorerApp:
    """The app on ``sim`` with one of the demo tokens (``region`` defaults to the token's own)."""
    chosen = region or (token if token in ("eu", "au", "ca") else "na")

    def factory(on_request: Callable[[RequestRecord], None] | None = None) -> IntegratorClient:
        return IntegratorClient(DEMO_TOKENS[token], region=chosen,
                                transport=transport or SimulatorTransport(sim), read_only=read_only,
                                max_retries=0, on_request=on_request)

    return ExplorerApp(client_factory=factory, profile_label="test", read_only=read_only,
                       show_timings=show_timings, keymap=keymap)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished (workers start workers: root → badges, catalog), then repaint.

    A worker just started is still pending, not running: waiting only for running ones let a test go on
    before the step names (the catalog) had even been asked for, on a busy machine."""
    for _ in range(50):
        await pilot.pause()
        if all(worker.is_finished for worker in pilot.app.workers):
            break
        try:
            await asyncio.wait_for(pilot.app.workers.wait_for_complete(), WAIT_S)
        except TimeoutError:
            left = [w.description or w.name for w in pilot.app.workers if not w.is_finished]
            raise AssertionError(f"workers still busy after {WAIT_S:g} s: {left}") from None
    await pilot.pause()


def tree_of(app: object) -> ResourceTree:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, MainScreen)
    return screen.resource_tree


def labels(tree: ResourceTree) -> list[str]:
    """The plain label of every visible line, indented by depth."""
    out: list[str] = []

    def walk(node: object, depth: int) -> None:
        for child in node.children:  # type: ignore[attr-defined]
            out.append("  " * depth + tree.label_of(child).plain)
            if child.is_expanded:
                walk(child, depth + 1)

    walk(tree.root, 0)
    return out


def node(tree: ResourceTree, key: str) -> object:
    """The tree node of the item with ``key`` (loaded, shown or not)."""
    pending = list(tree.root.children)
    while pending:
        candidate = pending.pop()
        if candidate.data is not None and candidate.data.key == key:
            return candidate
        pending.extend(candidate.children)
    raise AssertionError(f"{key} not in the tree")


async def move_to(pilot: object, tree: ResourceTree, key: str) -> TreeItem:
    target = node(tree, key)
    tree.move_cursor(target)  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]
    item = tree.cursor_item
    assert item is not None and item.key == key
    return item
