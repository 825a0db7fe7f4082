"""The TUI says what it waits for, and esc stops waiting (a silent loopback server, never answering)."""

from __future__ import annotations

from collections.abc import Callable

from explorer.client import IntegratorClient, RequestRecord, Timeouts
from explorer.simulator import DEMO_TOKENS
from explorer.tui.app import ExplorerApp
from explorer.tui.widgets.problem_panel import ProblemPanel
from explorer.tui.widgets.wait_status import WaitStatus
from tests.helpers.waiting import until


async def test_status_line_names_the_wait_and_esc_stops_it(silent_port: int) -> None:
    def factory(on_request: Callable[[RequestRecord], None] | None = None) -> IntegratorClient:
        return IntegratorClient(DEMO_TOKENS["full"], base_url=f"http://127.0.0.1:{silent_port}",
                                timeouts=Timeouts(notice_after=0.5), on_request=on_request)

    app = ExplorerApp(client_factory=factory, profile_label="silent")
    async with app.run_test(size=(120, 30)) as pilot:
        line = app.screen.query_one(WaitStatus)
        await until(pilot, lambda: line.display)  # once a wait passes 0.5 s (checked twice a second)
        assert f"waiting for 127.0.0.1:{silent_port} (GET /v1/" in line.text
        await pilot.press("escape")
        await until(pilot, lambda: line.text.startswith("stopped waiting"))  # it says so, not that it waits
        panel = app.screen.query_one(ProblemPanel)
        # The panel comes when the stopped load reports (a moment after the line).
        await until(pilot, lambda: panel.display)
        assert "stopped waiting" in str(panel.render())
        assert app.client.waits.longest() is None  # nothing is waited for any more
