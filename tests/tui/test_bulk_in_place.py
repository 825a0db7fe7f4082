"""The bulk dialog asks, then shows the progress in place, once the burst of batches is written.

Why (issue 10): yes used to pop the confirm dialog and push a progress dialog. The errors screen beneath
(100,000 rows) was resumed, laid out and repainted, then a new screen was composed and painted over a tinted
copy of it, all on the UI loop while the ten requests of a 10,000-error retry were being connected and
written: they reached the server spread over ~50 ms instead of together. These tests hold the two rules that
fixed it: no screen is pushed or popped between the question and the report (the errors screen is never
resumed meanwhile), and the question turns into the progress only once the burst is written — seen through
a real loopback socket, as httpcore reports the writes.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from textual.message import Message
from textual.widgets import Label

from explorer.simulator import Simulator, SimulatorTransport
from explorer.tui.screens import errors_dialogs
from explorer.tui.screens.errors_dialogs import BulkProgressDialog
from tests.helpers.errors_app import (
    AMAZON,
    SHOPIFY,
    ErrorsHost,
    asking,
    dialog_title,
    finished,
    loaded,
    screen_of,
    step_screen,
    wait_for,
)
from tests.helpers.silent_server import silent_server


async def test_yes_turns_the_question_into_the_progress_without_a_screen_pushed_or_popped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(SHOPIFY)).run_test(size=(140, 40)) as pilot:
        app = pilot.app
        panel = await loaded(pilot)
        count = len(panel.store.rows)
        errors = screen_of(app)
        await pilot.press("a", "r")
        await wait_for(pilot, lambda: asking(app))
        dialog = app.screen
        assert isinstance(dialog, BulkProgressDialog)
        await pilot.pause()
        assert dialog_title(dialog) == f"Retry {count} errors?"
        assert str(dialog.query_one("#bulk-keys", Label).render()) == "y / enter: retry    n / esc: cancel"

        moves: list[str] = []
        for name in ("push_screen", "pop_screen", "switch_screen"):
            def moved(*args: Any, name: str = name, **kwargs: Any) -> Any:
                moves.append(name)
                return getattr(type(app), name)(app, *args, **kwargs)
            monkeypatch.setattr(app, name, moved)
        resumed: list[str] = []
        post = errors.post_message

        def posted(message: Message) -> bool:
            resumed.append(type(message).__name__)
            return post(message)
        monkeypatch.setattr(errors, "post_message", posted)

        await pilot.press("y")
        assert not dialog.asking
        await finished(pilot, sim)
        assert app.screen is dialog and moves == []  # the same dialog, from the question to the report
        assert "ScreenResume" not in resumed  # the errors screen beneath was never resumed meanwhile
        assert dialog_title(dialog) == f"Retrying {count} errors"
        assert not dialog.query_one("#confirm-body").display and dialog.query_one("#bulk-bar").display
        assert f"{count} of {count} retried" in str(dialog.query_one("#bulk-report").render())
        assert str(dialog.query_one("#bulk-keys", Label).render()) == "enter / esc: close"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is errors)
        assert moves == ["pop_screen"]


class SilentPosts(httpx.AsyncBaseTransport):
    """The simulator for reads; each POST goes over a real loopback connection to a server that takes it
    and never answers. ``written`` counts the bodies httpcore reports written (its ``trace`` extension)."""

    def __init__(self, sim: Simulator, port: int) -> None:
        self.inner = SimulatorTransport(sim)
        self.wire = httpx.AsyncHTTPTransport()
        self.port = port
        self.written = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return await self.inner.handle_async_request(request)
        told = request.extensions.get("trace")

        async def trace(event: str, info: dict[str, Any]) -> None:
            if event.endswith(".send_request_body.complete"):
                self.written += 1
            if told is not None:
                await told(event, info)

        url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        out = httpx.Request(request.method, url, headers=request.headers, content=await request.aread(),
                            extensions={**request.extensions, "trace": trace})
        return await self.wire.handle_async_request(out)

    async def aclose(self) -> None:
        await self.wire.aclose()


async def test_the_progress_shows_once_the_burst_is_written_before_any_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors_dialogs, "SHOW_RUNNING_AFTER_S", 600.0)  # only the writes can show it
    shown_at: list[int] = []
    show_running = BulkProgressDialog.show_running
    sim = Simulator(seed=0, time_scale=0)
    with silent_server() as port:
        transport = SilentPosts(sim, port)

        def noted(dialog: BulkProgressDialog) -> None:
            shown_at.append(transport.written)
            show_running(dialog)
        monkeypatch.setattr(BulkProgressDialog, "show_running", noted)
        host = ErrorsHost(sim, step_screen(AMAZON), transport=transport)
        async with host.run_test(size=(140, 40)) as pilot:
            panel = await loaded(pilot)
            assert len(panel.store.rows) == 3000  # three batches, all in the first burst
            await pilot.press("a", "r")
            await wait_for(pilot, lambda: asking(pilot.app))
            dialog = pilot.app.screen
            assert isinstance(dialog, BulkProgressDialog)
            await pilot.pause()
            await pilot.press("y")
            bar = dialog.query_one("#bulk-bar")
            await wait_for(pilot, lambda: bar.display)
            assert shown_at[0] == 3  # not before the three bodies were written...
            assert not dialog.finished and dialog_title(dialog) == "Retrying 3,000 errors"  # ...nor after
            assert not dialog.query_one("#confirm-body").display
            await pilot.press("escape")  # nothing left to cancel: all three are on the wire
            await pilot.press("escape")  # stop waiting for them
            await wait_for(pilot, lambda: dialog.finished)
            report = str(dialog.query_one("#bulk-report").render())
            assert "0 of 3000 retried" in report and "stopped waiting" in report
