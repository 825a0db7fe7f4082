"""esc stops a slow request on every kind of screen: the request is abandoned, nothing more is sent, the
status line says it stopped, what loaded stays and what did not is marked with a way to retry.

Servers: a silent loopback socket (nothing ever answers) or the simulator with chosen requests held for ever
(``tests.helpers.held``). ``Held.sent`` lists every request that left the client.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.widgets import Static

from explorer.services.account import TreeItem
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_detail import ErrorDetailScreen
from explorer.tui.screens.errors_dialogs import ConfirmBulkDialog
from explorer.tui.screens.fix_dialogs import PatchEditorScreen
from explorer.tui.screens.http_log import HttpLogScreen
from explorer.tui.screens.jobs import JobsScreen
from explorer.tui.screens.main import MainScreen
from explorer.tui.stop_waiting import waits_of
from explorer.tui.widgets.wait_status import WaitStatus
from tests.helpers.browse_app import move_to, settle
from tests.helpers.held import Held, held_app, stop_the_wait
from tests.helpers.waiting import until

QUIET_S = 0.6
"""How long a test watches for a request sent after the stop (retries back off 0.25 s or more)."""


def shown(widget: Static) -> str:
    """The text a Static shows."""
    content = widget.render()
    return content.plain if isinstance(content, Text) else str(content)


async def nothing_more_sent(transport: Held, before: list[str]) -> None:
    await asyncio.sleep(QUIET_S)
    assert transport.sent == before


async def test_jobs_screen_silent_server(silent_port: int) -> None:
    transport = Held.silent()
    app = held_app(transport, base_url=f"http://127.0.0.1:{silent_port}")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = JobsScreen(app.client, d.SHOPIFY_FLOW, flow_name="Shopify orders")
        await app.push_screen(screen)
        await stop_the_wait(pilot)
        status = screen.query_one("#jobs-status", Static)
        await until(None, lambda: "could not load the jobs" in shown(status))
        assert "stopped waiting for 127.0.0.1" in shown(status) and "ctrl+r retries" in shown(status)
        jobs_requests = [s for s in transport.sent if "/jobs" in s]
        assert jobs_requests == [f"GET /v1/flows/{d.SHOPIFY_FLOW}/jobs/latest"]  # abandoned, not re-sent
        assert app.client.waits.longest(waits_of(screen).scope) is None
        await nothing_more_sent(transport, list(transport.sent))
        assert app.main_screen is not None  # the account load under it is not this screen's: it still waits
        assert any(w.path.startswith("/v1/tokenInfo") for w in [app.client.waits.longest()] if w)


async def test_errors_screen_silent_server_keeps_the_screen_and_ctrl_r_asks_again(silent_port: int) -> None:
    transport = Held.silent()
    app = held_app(transport, base_url=f"http://127.0.0.1:{silent_port}")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = ErrorsScreen(app.client, d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
        await app.push_screen(screen)
        await stop_the_wait(pilot)
        panel = screen.open_panel
        await until(None, lambda: panel.load_error is not None)
        status = shown(panel.query_one("#status", Static))
        assert "load failed: stopped waiting for 127.0.0.1" in status and "ctrl+r retries" in status
        errors_requests = [s for s in transport.sent if "/errors" in s]
        assert len(errors_requests) == 2  # the first page and the step total, each sent once
        await nothing_more_sent(transport, list(transport.sent))
        await pilot.press("ctrl+r")  # the way to retry: asks again (and the new request can be stopped too)
        await until(None, lambda: len([s for s in transport.sent if "/errors" in s]) == 3)
        await stop_the_wait(pilot)


async def test_errors_screen_closing_abandons_its_requests() -> None:
    transport = Held.sim(hold=lambda _request: False)
    app = held_app(transport, notice_after=60.0)  # the status line never offers "esc stops waiting" here
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        transport.hold = lambda request: "/errors" in request.url.path
        screen = ErrorsScreen(app.client, d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
        await app.push_screen(screen)
        await until(None, lambda: transport.holding.is_set())
        scope = waits_of(screen).scope
        await pilot.press("escape")  # no wait is offered to stop: esc closes the screen
        assert isinstance(app.screen, MainScreen)
        await until(None, lambda: app.client.waits.longest() is None)
        assert scope.abandoned
        await nothing_more_sent(transport, list(transport.sent))


async def test_error_detail_keeps_what_loaded_and_ctrl_r_loads_the_rest() -> None:
    sim = Simulator(seed=0, time_scale=0)
    transport = Held.sim(sim, hold=lambda request: "/requests/" in request.url.path)
    app = held_app(transport)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        records = [r async for page in app.client.iter_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
                   for r in page]
        record = next(r for r in records if r.req_and_res_key and r.retry_data_key)
        screen = ErrorDetailScreen(app.client, record)
        await app.push_screen(screen)
        await stop_the_wait(pilot)
        note = screen.query_one("#request-note", Static)
        await until(None, lambda: "Could not load the request/response" in shown(note))
        assert "stopped waiting" in shown(note) and "ctrl+r loads it again" in shown(note)
        assert screen.retry_data is not None  # what loaded stays
        held = [s for s in transport.sent if "/requests/" in s]
        assert len(held) == 1
        await nothing_more_sent(transport, list(transport.sent))
        transport.release()
        await pilot.press("ctrl+r")
        await until(None, lambda: "reqAndResKey" in shown(note))


async def test_editor_load_stopped_then_loaded_again() -> None:
    transport = Held.sim(hold=lambda _request: False)
    app = held_app(transport)
    path = f"/v1/flows/{d.SHOPIFY_FLOW}"
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        transport.hold = lambda request: request.method == "GET" and request.url.path == path
        main = app.main_screen
        assert main is not None
        main.edit_resource("flows", d.SHOPIFY_FLOW)
        await until(None, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        await stop_the_wait(pilot)
        note = editor.query_one("#edit-note", Static)
        await until(None, lambda: "Could not load" in shown(note))
        assert "stopped waiting" in shown(note) and "ctrl+r: load again" in shown(note)
        assert transport.sent.count(f"GET {path}") == 1
        await nothing_more_sent(transport, list(transport.sent))
        transport.release()
        await pilot.press("ctrl+r")
        await until(None, lambda: editor.area is not None and '"_id"' in editor.area.text)


async def test_editor_put_stopped_keeps_the_draft_and_says_the_outcome_is_unknown() -> None:
    transport = Held.sim(hold=lambda request: request.method == "PUT")
    app = held_app(transport)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        main = app.main_screen
        assert main is not None
        main.edit_resource("flows", d.SHOPIFY_FLOW)
        await until(None, lambda: isinstance(app.screen, EditorScreen) and app.screen.area is not None)
        editor = app.screen
        assert isinstance(editor, EditorScreen) and editor.area is not None
        area = editor.area
        text = area.text.replace('"name": "', '"name": "Renamed ', 1)
        area.replace(text, (0, 0), area.document.end)
        await pilot.press("ctrl+s")
        await until(None, lambda: isinstance(app.screen, DiffConfirmScreen))
        await pilot.press("y")
        await until(None, lambda: transport.holding.is_set())
        await stop_the_wait(pilot)
        status = editor.query_one("#edit-status", Static)
        await until(None, lambda: "Not saved" in shown(status))
        assert "may or may not have been applied" in shown(status) and "stopped waiting" in shown(status)
        assert [s for s in transport.sent if s.startswith("PUT")] == [f"PUT /v1/flows/{d.SHOPIFY_FLOW}"]
        await nothing_more_sent(transport, list(transport.sent))
        assert "Renamed" in area.text  # nothing typed is lost
        context = main.launcher.write_context()
        draft = context.drafts.load(context.profile, "flows", d.SHOPIFY_FLOW)
        assert draft is not None and "Renamed" in draft.text
        entry = context.journal.entries(profile=context.profile)[-1]
        assert entry.method == "PUT" and entry.status is None  # journaled as "no answer came"


async def test_main_screen_refresh_of_a_flow_is_stopped_and_r_retries() -> None:
    transport = Held.sim(hold=lambda _request: False)
    app = held_app(transport)
    path = f"/v1/flows/{d.SHOPIFY_FLOW}"
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        main = app.main_screen
        assert main is not None
        tree = main.resource_tree
        assert await tree.reveal(f"flow:{d.SHOPIFY_FLOW}")
        await settle(pilot)
        item: TreeItem = await move_to(pilot, tree, f"flow:{d.SHOPIFY_FLOW}")
        transport.hold = lambda request: request.url.path == path
        await pilot.press("r")
        await stop_the_wait(pilot)
        await until(None, lambda: tree.failure_of(tree.item(item.key) or item) is not None)
        assert transport.sent.count(f"GET {path}") == 1
        await nothing_more_sent(transport, list(transport.sent))
        transport.release()
        await pilot.press("r")
        await until(None, lambda: tree.failure_of(tree.item(item.key) or item) is None)


async def test_a_screen_without_io_names_the_wait_below_it_and_esc_closes_it(silent_port: int) -> None:
    transport = Held.silent()
    app = held_app(transport, base_url=f"http://127.0.0.1:{silent_port}")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("l")
        await until(None, lambda: isinstance(app.screen, HttpLogScreen))
        line = app.screen.query_one(WaitStatus)
        await until(None, lambda: line.text.startswith("waiting for 127.0.0.1"))  # the account load's wait
        assert line.hint == ""  # not this screen's request: esc does not claim to stop it
        await pilot.press("escape")
        await until(None, lambda: isinstance(app.screen, MainScreen))  # esc closed the log, as always
        main_line = app.screen.query_one(WaitStatus)
        await until(None, lambda: main_line.hint == "esc stops waiting")  # the account load stops here


async def test_jobs_run_request_stopped_says_the_run_may_have_started() -> None:
    transport = Held.sim(hold=lambda request: request.method == "POST")
    app = held_app(transport)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = JobsScreen(app.client, d.SHOPIFY_FLOW, flow_name="Shopify orders", run_now=True)
        await app.push_screen(screen)
        await until(None, lambda: isinstance(app.screen, ConfirmBulkDialog))
        await pilot.press("y")
        await until(None, transport.holding.is_set)
        await stop_the_wait(pilot)
        status = screen.query_one("#jobs-status", Static)
        await until(None, lambda: "may or may not have started" in shown(status))
        assert [s for s in transport.sent if s.startswith("POST")] == [f"POST /v1/flows/{d.SHOPIFY_FLOW}/run"]
        await nothing_more_sent(transport, list(transport.sent))


async def test_fix_patch_start_stops_waiting_for_the_sample_and_opens_the_patch_editor() -> None:
    transport = Held.sim(hold=lambda _request: False)
    app = held_app(transport)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        main = app.main_screen
        assert main is not None
        screen = main.launcher.errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
        assert isinstance(screen, ErrorsScreen)
        await app.push_screen(screen)
        await until(None, lambda: screen.open_panel.store.complete)
        transport.hold = lambda request: request.url.path.endswith("/data")
        await pilot.press("space", "T")
        line = screen.query_one(WaitStatus)
        await until(None, lambda: line.hint == "esc stops waiting")
        await pilot.press("escape")
        await until(None, lambda: isinstance(app.screen, PatchEditorScreen))  # started from an empty sample
        assert line.text.startswith("stopped waiting")
        assert len([s for s in transport.sent if s.endswith("/data")]) == 1
        await nothing_more_sent(transport, list(transport.sent))
