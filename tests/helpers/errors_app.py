"""The errors screens on the simulator, for pilot and snapshot tests: a host app, the demo steps, and
waiting for loads, dialogs and bulk actions."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Label, OptionList

from explorer.client import IntegratorClient
from explorer.services.bulk import BulkOptions
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_dialogs import BulkProgressDialog, ChoiceDialog
from explorer.tui.widgets.errors_panel import ErrorsPanel
from tests.helpers.waiting import WAIT_S, until

AMAZON = (d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)  # 3,000 open errors
SHOPIFY = (d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)  # 12 open, 25 resolved
FAST_BULK = BulkOptions(min_interval=0.0, poll_interval=0.02)


class RecordingTransport(httpx.AsyncBaseTransport):
    """The simulator transport, plus a log of every retry/resolve body and the status it got."""

    def __init__(self, sim: Simulator) -> None:
        self.inner = SimulatorTransport(sim)
        self.bulk_calls: list[tuple[str, tuple[str, ...], int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        response = await self.inner.handle_async_request(request)
        path = request.url.path
        if request.method in ("POST", "PUT") and path.endswith(("/retry", "/resolved")):
            doc = json.loads(body)
            ids = tuple(doc.get("retryDataKeys") or doc.get("errors") or ())
            self.bulk_calls.append((path.rsplit("/", 1)[-1], ids, response.status_code))
        return response


class ErrorsHost(App[None]):
    """A bare app that pushes one screen built over a client on the given simulator."""

    def __init__(self, sim: Simulator, make_screen: Callable[[IntegratorClient], Screen[Any]], *,
                 read_only: bool = False, max_retries: int = 4,
                 sleep: Callable[[float], Awaitable[None]] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, base_url: str | None = None) -> None:
        """``base_url`` (loopback only: ``sim`` served over HTTP) puts the client on the network transport."""
        super().__init__()
        self.sim = sim
        self.base_url = base_url
        self.make_screen = make_screen
        self.read_only = read_only
        self.max_retries = max_retries
        self.sleep = sleep
        on_network = transport is None and base_url is not None
        self.transport = None if on_network else transport or SimulatorTransport(sim)
        self.api: IntegratorClient | None = None

    def on_mount(self) -> None:
        self.api = IntegratorClient(DEMO_TOKENS["full"], transport=self.transport, read_only=self.read_only,
                                    max_retries=self.max_retries, sleep=self.sleep, base_url=self.base_url)
        self.push_screen(self.make_screen(self.api))

    async def on_unmount(self) -> None:
        if self.api is not None:
            await self.api.aclose()


def step_screen(step: tuple[str, str], **kwargs: Any) -> Callable[[IntegratorClient], ErrorsScreen]:
    def make(client: IntegratorClient) -> ErrorsScreen:
        return ErrorsScreen(client, step[0], step[1], step_name="Invoice import", flow_name="Amazon invoices",
                            bulk_options=kwargs.pop("bulk_options", FAST_BULK), **kwargs)
    return make


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = WAIT_S,
                   tick: Callable[[], None] | None = None) -> None:
    """Let the app run until ``condition`` holds (``tick`` runs between checks, e.g. to move sim time).

    Polls with ``asyncio.sleep``, not ``pilot.pause``: that first waits for the screen to be idle, and a
    test acting between the batches of a paced bulk action must not wait that long."""
    await until(pilot, condition, timeout, tick=tick, idle_first=False)


def screen_of(app: App[Any]) -> ErrorsScreen:
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, ErrorsScreen)
    return screen


async def loaded(pilot: Pilot[Any]) -> ErrorsPanel:
    """Wait for the Open list to finish loading (and its total to be known)."""
    screen = screen_of(pilot.app)
    panel = screen.open_panel
    await wait_for(pilot, lambda: panel.store.complete and panel.store.total is not None)
    return panel


async def choose(pilot: Pilot[Any], option_id: str) -> None:
    """Pick an option of the ChoiceDialog on top."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog))
    options = pilot.app.screen.query_one(OptionList)
    index = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == option_id)
    options.highlighted = index
    await pilot.press("enter")
    await pilot.pause()


def dialog_title(dialog: Screen[Any]) -> str:
    """The title a dialog shows (its ``.dialog-title`` label), as the user reads it."""
    return str(dialog.query_one(".dialog-title", Label).render())


def asking(app: App[Any]) -> bool:
    """The bulk dialog is on top and still asks (the errors screens' retry/resolve confirmation)."""
    return isinstance(app.screen, BulkProgressDialog) and app.screen.asking


async def confirm(pilot: Pilot[Any], *, key: bool = True) -> tuple[str, str]:
    """Say yes to the bulk dialog's question; returns its title and body text as shown.

    ``key=False`` answers without ``pilot.press``, which waits until the app is idle — by then a paced
    bulk action may already be over, and a test that wants to act between batches must not wait.
    """
    await wait_for(pilot, lambda: asking(pilot.app))
    dialog = pilot.app.screen
    assert isinstance(dialog, BulkProgressDialog)
    await pilot.pause()
    shown = (dialog_title(dialog), str(dialog.query_one("#confirm-body").render()))
    if key:
        await pilot.press("y")
    else:
        dialog.action_confirm()
    return shown


async def finished(pilot: Pilot[Any], sim: Simulator | None = None) -> BulkProgressDialog:
    """Wait for the progress dialog to show its report (moving simulated time so jobs can end)."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkProgressDialog))
    dialog = pilot.app.screen
    assert isinstance(dialog, BulkProgressDialog)
    await wait_for(pilot, lambda: dialog.finished, tick=(lambda: sim.advance(1.0)) if sim else None)
    return dialog
