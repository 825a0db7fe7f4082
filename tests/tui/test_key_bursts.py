"""Fast typing as bursts: the driver thread gathers keys in order, the loop inserts or replays them."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, TextArea

from explorer.tui.key_bursts import KeyBurst, Part, bursting, deliver, expand_tabs
from explorer.tui.raw_input import TextRun
from tests.helpers.waiting import until


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


def burst_of(*keys: Part) -> KeyBurst:
    burst = KeyBurst(keys[0])
    for each in keys[1:]:
        burst.add(each)
    return burst


async def typed_into_area(*bursts: KeyBurst) -> tuple[str, int]:
    """The focused text area's text after the bursts, and how often the app's ``x`` key ran."""
    app = Host(with_area=True)
    async with app.run_test() as pilot:
        area = app.query_one(TextArea)
        area.focus()
        for burst in bursts:
            app.post_message(burst)
        await pilot.pause()
        return area.text, app.count


async def keys_elsewhere(*bursts: KeyBurst) -> int:
    """How often the app's ``x`` key ran after the bursts, with no text area."""
    app = Host(with_area=False)
    async with app.run_test() as pilot:
        for burst in bursts:
            app.post_message(burst)
        await pilot.pause()
        await pilot.pause()
        return app.count


async def test_a_burst_is_one_edit_in_a_text_area() -> None:
    text, count = await typed_into_area(burst_of(key("{"), key("enter", "\r"), key("x"), key("}")))
    assert (text, count) == ("{\nx}", 0)  # "x" was text, not the app's key


async def test_a_burst_elsewhere_replays_each_key() -> None:
    assert await keys_elsewhere(burst_of(key("x"), key("y"), key("x"))) == 2


async def test_a_run_of_typed_text_is_inserted_with_enter_as_newline() -> None:
    text, _ = await typed_into_area(burst_of(TextRun('{\r  "a": 1'), key("enter", "\r"), TextRun("}")))
    assert text == '{\n  "a": 1\n}'


async def test_a_run_elsewhere_replays_the_keys_the_parser_would_have_sent() -> None:
    assert await keys_elsewhere(burst_of(TextRun("xax"), key("x"))) == 3


async def test_a_burst_after_the_quit_key_is_dropped() -> None:
    app = Host(with_area=True)
    async with app.run_test():
        area = app.query_one(TextArea)
        area.focus()
        app.exit()
        await deliver(app, burst_of(TextRun("typed after the quit")))
        assert area.text == ""


def gathered(*parts: Part) -> KeyBurst:
    """The burst the driver thread makes of ``parts``."""
    driver = bursting(Recorder)()  # type: ignore[arg-type, call-arg]
    for part in parts:
        if isinstance(part, TextRun):
            driver.process_text(part)  # type: ignore[attr-defined]
        else:
            driver.process_message(part)
    (burst,) = driver.sent  # type: ignore[attr-defined]
    assert isinstance(burst, KeyBurst)
    return burst


async def test_a_tab_in_typed_text_indents_where_it_was_typed() -> None:
    """``ab``, tab, ``cd``: one burst; the tab becomes the spaces the text area types (to the next stop)."""
    text, _ = await typed_into_area(gathered(TextRun("ab"), events.Key("tab", "\t"), TextRun("cd\r"),
                                             events.Key("tab", "\t"), TextRun("x")))
    assert text == "ab  cd\n    x"


def test_runs_and_printable_keys_join_the_same_burst() -> None:
    driver = bursting(Recorder)()  # type: ignore[arg-type, call-arg]
    driver.process_text(TextRun("ab\r"))  # type: ignore[attr-defined]
    driver.process_message(events.Key("c", "c"))
    driver.process_text(TextRun("d"))  # type: ignore[attr-defined]
    driver.process_message(events.Key("ctrl+q", "\x11"))
    sent = driver.sent  # type: ignore[attr-defined]
    assert [type(m).__name__ for m in sent] == ["KeyBurst", "Key"]
    assert [part if isinstance(part, str) else part.key for part in sent[0].take()] == ["ab\r", "c", "d"]


async def test_where_tab_moves_the_focus_a_burst_with_a_tab_is_replayed_key_by_key() -> None:
    app = Host(with_area=False)
    async with app.run_test() as pilot:
        first, second = TextArea(tab_behavior="focus"), TextArea(tab_behavior="focus")
        await app.mount_all([first, second])
        first.focus()
        await pilot.pause()
        app.post_message(gathered(TextRun("ab"), events.Key("tab", "\t"), TextRun("cd")))
        await until(pilot, lambda: len(first.text + second.text) == 4)  # every key of the burst handled
        # The tab moved the focus (keys queued behind it had already gone to the first area, as without
        # bursts); it typed nothing.
        assert app.focused is second
        assert first.text + second.text == "abcd"


def test_tabs_expand_to_the_next_stop_counted_in_cells() -> None:
    assert expand_tabs("a\tb", 0, 4) == "a   b"
    assert expand_tabs("\tx", 2, 4) == "  x"  # from the cursor's column
    assert expand_tabs("ab\n\tc", 3, 4) == "ab\n    c"  # a new line starts at 0
    assert expand_tabs("界\t", 0, 4) == "界  "  # a wide character takes two cells
    assert expand_tabs("plain", 7, 4) == "plain"


class Editing(Screen[None]):
    """Keeps the text area's text when it is unmounted, as the editor saves its draft."""

    def __init__(self) -> None:
        super().__init__()
        self.kept: str | None = None
        self.area = TextArea.code_editor("", language="json")

    def compose(self) -> ComposeResult:
        yield self.area

    def on_unmount(self) -> None:
        self.kept = self.area.text


async def test_text_typed_just_before_ctrl_q_is_in_the_text_area_when_the_screen_closes() -> None:
    app = Host(with_area=False)
    screen = Editing()
    async with app.run_test() as pilot:
        await app.push_screen(screen)
        screen.area.focus()
        await pilot.pause()
        app.post_message(burst_of(TextRun("typed before the quit")))
        app.post_message(events.Key("ctrl+q", "\x11"))
        app.post_message(burst_of(TextRun(" and after it")))
        await pilot.pause()
    assert screen.kept == "typed before the quit"
