"""The TUI says what it waits for, and esc stops waiting (a silent loopback server, never answering)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from explorer.client import IntegratorClient, RequestRecord, Timeouts
from explorer.simulator import DEMO_TOKENS
from explorer.tui.app import ExplorerApp
from explorer.tui.widgets.problem_panel import ProblemPanel
from explorer.tui.widgets.wait_status import WaitStatus


async def test_status_line_names_the_wait_and_esc_stops_it(silent_port: int) -> None:
    def factory(on_request: Callable[[RequestRecord], None] | None = None) -> IntegratorClient:
        return IntegratorClient(DEMO_TOKENS["full"], base_url=f"http://127.0.0.1:{silent_port}",
                                timeouts=Timeouts(notice_after=0.5), on_request=on_request)

    app = ExplorerApp(client_factory=factory, profile_label="silent")
    async with app.run_test(size=(120, 30)) as pilot:
        line = app.screen.query_one(WaitStatus)
        for _ in range(50):  # the line appears once a wait passes 0.5 s (checked twice a second)
            await asyncio.sleep(0.1)
            await pilot.pause()
            if line.display:
                break
        assert line.display
        assert f"waiting for 127.0.0.1:{silent_port} (GET /v1/" in line.text
        await pilot.press("escape")
        await pilot.pause()
        for _ in range(30):
            await asyncio.sleep(0.1)
            await pilot.pause()
            if not line.display:
                break
        assert not line.display  # nothing is waited for any more
        panel = app.screen.query_one(ProblemPanel)
        assert panel.display and "stopped waiting" in str(panel.render())
        assert app.client.waits.longest() is None
