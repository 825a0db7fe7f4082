"""The input clock: the driver's input thread notes each input as it reads it, and the JSON pane's background
slices pause longer right after one, wherever the focus is (a key on the tree waited a slice at every hop)."""

from __future__ import annotations

import asyncio

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.message import Message

from explorer.tui import input_clock
from explorer.tui.key_bursts import bursting
from explorer.tui.widgets.json_view import INPUT_PAUSE_SECONDS, JsonView


class Recorder:
    """Stands for a Textual driver."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def process_message(self, message: Message) -> None:
        self.sent.append(message)


def test_the_driver_notes_every_input_as_it_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(input_clock, "_last", float("-inf"))
    assert input_clock.seconds_since_input() == float("inf")
    driver = bursting(Recorder)()  # type: ignore[arg-type, call-arg]
    driver.process_message(events.Key("down", None))
    assert input_clock.seconds_since_input() < 1.0


async def test_background_slices_pause_after_input_read_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded(delay: float) -> None:
        delays.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", recorded)  # the one asyncio module json_view uses
    view = JsonView()
    monkeypatch.setattr(input_clock, "_last", float("-inf"))
    await view._breathe()
    input_clock.note_input()  # a key read while the focus is elsewhere (the tree): the view never sees it
    await view._breathe()
    assert delays == [0, INPUT_PAUSE_SECONDS]


async def test_after_input_a_slice_waits_for_the_screen_to_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key's whole chain (binding, action, repaint) runs before more background work."""
    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield JsonView()

    async with Host().run_test() as pilot:
        view = pilot.app.query_one(JsonView)
        waits: list[bool] = []
        real = view.wait_for_refresh

        async def recorded() -> bool:
            waits.append(await real())
            return waits[-1]

        monkeypatch.setattr(view, "wait_for_refresh", recorded)
        monkeypatch.setattr(input_clock, "_last", float("-inf"))
        monkeypatch.setattr(view, "_last_input", float("-inf"))
        await view._breathe()
        assert waits == []
        input_clock.note_input()
        await view._breathe()
        assert waits == [True]


def test_typed_text_read_ahead_of_the_parser_is_input_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """``read_ahead`` hands runs of plain typed text straight to ``process_text``: the letters typed into the
    errors filter were never noted, so nothing stepped aside for them."""
    from explorer.tui.raw_input import TextRun

    monkeypatch.setattr(input_clock, "_last", float("-inf"))
    driver = bursting(Recorder)()  # type: ignore[arg-type, call-arg]
    driver.process_text(TextRun("REC"))  # type: ignore[attr-defined]
    assert input_clock.seconds_since_input() < 1.0


def test_a_worker_steps_aside_only_while_an_input_is_fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    now = [100.0]
    import time

    monkeypatch.setattr(time, "monotonic", lambda: now[0])

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.setattr(input_clock, "_last", float("-inf"))
    input_clock.yield_to_input(window=0.025)
    assert slept == []  # no input: no wait
    input_clock.note_input()
    now[0] += 0.01
    input_clock.yield_to_input(window=0.025)
    assert slept == [pytest.approx(0.015)]  # until the input is `window` old
    input_clock.note_input()
    input_clock.yield_to_input(window=0.2, longest=0.05)
    assert sum(slept[1:]) == pytest.approx(0.05)  # never longer than `longest`
