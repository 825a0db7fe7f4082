"""Fast typing as bursts: the driver thread gathers keys in order, the loop inserts or replays them."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static, TextArea

from explorer.tui.key_bursts import KeyBurst, bursting, deliver


def key(name: str, character: str | None = None) -> events.Key:
    return events.Key(name, character if character is not None else name)


class Recorder:
    """Stands for a Textual driver: remembers what it would have sent to the app."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def process_message(self, message: Message) -> None:
        self.sent.append(message)


def test_the_driver_gathers_printable_keys_and_keeps_the_order() -> None:
    driver = bursting(Recorder)()  # type: ignore[arg-type, call-arg]
    for event in (key("a"), key("b"), key("enter", "\r"), key("c"), key("ctrl+x", "\x18"), key("d")):
        driver.process_message(event)
    sent = driver.sent  # type: ignore[attr-defined]
    assert [type(m).__name__ for m in sent] == ["KeyBurst", "Key", "KeyBurst"]
    assert [k.key for k in sent[0].take()] == ["a", "b", "enter", "c"]
    assert sent[1].key == "ctrl+x"
    driver.process_message(key("e"))  # the loop has not taken the open burst yet: "e" joins it
    assert [k.key for k in sent[2].take()] == ["d", "e"]
    driver.process_message(key("f"))  # taken: a new burst starts
    assert len(sent) == 4 and [k.key for k in sent[3].take()] == ["f"]


class Host(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "count", "Count")]

    def __init__(self, with_area: bool) -> None:
        super().__init__()
        self.with_area = with_area
        self.count = 0

    def compose(self) -> ComposeResult:
        if self.with_area:
            yield TextArea.code_editor("", language="json")
        else:
            yield Static("no text area", id="plain")

    def action_count(self) -> None:
        self.count += 1

    async def on_key_burst(self, burst: KeyBurst) -> None:
        await deliver(self, burst)


def burst_of(*keys: events.Key) -> KeyBurst:
    burst = KeyBurst(keys[0])
    for each in keys[1:]:
        burst.add(each)
    return burst


async def test_a_burst_is_one_edit_in_a_text_area() -> None:
    app = Host(with_area=True)
    async with app.run_test() as pilot:
        area = app.query_one(TextArea)
        area.focus()
        app.post_message(burst_of(key("{"), key("enter", "\r"), key("x"), key("}")))
        await pilot.pause()
        assert area.text == "{\nx}"
        assert app.count == 0  # "x" was text, not the app's key


async def test_a_burst_elsewhere_replays_each_key() -> None:
    app = Host(with_area=False)
    async with app.run_test() as pilot:
        app.post_message(burst_of(key("x"), key("y"), key("x")))
        await pilot.pause()
        await pilot.pause()
        assert app.count == 2
