"""Typing that arrives faster than it can be drawn becomes one edit per burst, not one per key.

Why: a terminal (or tmux) without bracketed paste delivers a pasted document as keystrokes. Textual's driver
hands each key to the event loop as its own task, and the editor then does a whole edit per key (tree-sitter
reparse, highlight window, a ``Changed`` message, a repaint). 20,000 characters took 23 s and 550 MB; 200,000
never finished, and ``ctrl+q`` waited behind every queued key.

Here the driver's input thread gathers consecutive printable keys (and ``enter``, ``tab``) into one
:class:`KeyBurst` message while the event loop is busy: the first key of a burst posts the message, the next
ones are appended to it until the loop takes it. Any other input (ctrl keys, arrows, mouse, paste, resize)
closes the burst and is sent as usual, so order is kept. On the loop, a burst whose target is an editable
``TextArea`` is inserted as one edit; anywhere else its keys are replayed one by one, exactly as they came
(so ``q``, ``j`` and ``enter`` in a list behave as always).

On Linux and macOS the input thread also reads ahead of Textual's parser (``raw_input``, ``read_ahead``):
plain text is taken as text, not as a ``Key`` per character, and a ``ctrl+q`` reaches the app right behind
the text typed before it, however much was typed (it waited 1.3-1.8 s behind a 200,000-character flood).
"""

from __future__ import annotations

import os
import re
import selectors
import threading
from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from textual import events
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.driver import Driver
from textual.message import Message

from explorer.tui.input_clock import note_input
from explorer.tui.raw_input import InputReader, TextRun, keys_of

READ_SIZE = 65_536
"""Bytes read from the terminal at once (Textual reads 4 KiB): the kernel's queue is emptied in one read."""
HOLD_AT_MOST = 4_000_000
"""Characters held unread by the parser before the thread stops reading ahead (the terminal then waits, as
it does for Textual's own loop): plain text goes far faster than any terminal sends it, but a flood of
escape sequences (mouse movements) goes through the parser at its pace."""

Part = events.Key | TextRun


class KeyBurst(Message):
    """Keys typed in a row, gathered by the driver thread until the event loop takes them."""

    def __init__(self, first: Part) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._parts: list[Part] = [first]
        self._taken = False

    def add(self, part: Part) -> bool:
        """Append a key or a run of text if the loop has not taken the burst yet; False: start a new one."""
        with self._lock:
            if self._taken:
                return False
            self._parts.append(part)
            return True

    def take(self) -> list[Part]:
        """The keys and runs of the burst; afterwards nothing more is added to it."""
        with self._lock:
            self._taken = True
            return list(self._parts)


def is_burst_key(event: Any) -> bool:
    """Keys a burst may hold: printable characters, ``enter``, ``tab`` (what a pasted document is made of)."""
    return isinstance(event, events.Key) and (event.key in ("enter", "tab") or (
        event.is_printable and event.character is not None and len(event.character) == 1))


def text_of(parts: list[Part]) -> str:
    """What the keys and runs type (``enter``, a carriage return, is a newline; ``tab`` a tab)."""
    return "".join(part.replace("\r", "\n") if isinstance(part, TextRun)
                   else "\n" if part.key == "enter" else "\t" if part.key == "tab"
                   else (part.character or "") for part in parts)


def keys_in(parts: list[Part]) -> list[events.Key]:
    """Each key of the burst, as Textual's parser would have sent it."""
    keys: list[events.Key] = []
    for part in parts:
        if isinstance(part, TextRun):
            keys.extend(keys_of(part))
        else:
            keys.append(part)
    return keys


def expand_tabs(text: str, column: int, indent_width: int) -> str:
    """``text`` with each tab as the spaces ``TextArea`` types for it: up to the next tab stop, counted in
    cells from ``column`` on the first line and from 0 on the others."""
    if "\t" not in text:
        return text
    out: list[str] = []
    for piece in re.split(r"(\t|\n)", text):
        if piece == "\t":
            spaces = indent_width - column % indent_width
            out.append(" " * spaces)
            column += spaces
        elif piece == "\n":
            out.append(piece)
            column = 0
        else:
            out.append(piece)
            column += cell_len(piece)
    return "".join(out)


async def deliver(app: App[Any], burst: KeyBurst) -> None:
    """Handle a burst on the event loop: one edit in an editable ``TextArea``, else each key as it came.

    The edit is made here, at once, as the app takes the burst: a key typed after it (``ctrl+q``, ``esc``,
    ``ctrl+s``: priority bindings the app runs as it takes them) finds the text in place. A ``tab`` is typed
    as the text area types it (spaces to the next tab stop, or a tab character); a text area where ``tab``
    moves the focus gets the keys one by one. Once the app is quitting, a burst (typed after the quit key)
    is dropped, as queued keys are.
    """
    # Imported here: ``TextArea`` (with its document, themes and tree-sitter glue) is ~10 ms of start-up, and
    # the first frame shows none (the editor's screens import it, in the warm-up after the first frame).
    from textual.widgets import TextArea

    parts = burst.take()
    if app.return_code is not None:
        return
    target = app.focused
    if isinstance(target, TextArea) and not target.read_only and target.screen is app.screen:
        text = text_of(parts)
        if "\t" not in text or target.tab_behavior == "indent":
            start = min(target.selection)
            if target.indent_type == "spaces":
                text = expand_tabs(text, target.get_column_width(*start), target.indent_width)
            target._restart_blink()
            target._replace_via_keyboard(text, *target.selection)
            # The edit scrolled before the new lines were laid out: follow the cursor once they are.
            target.call_after_refresh(target.scroll_cursor_visible)
            return
    for key in keys_in(parts):
        await app.on_event(key)


_DRIVERS: dict[type[Driver], type[Driver]] = {}


def bursting(driver_class: type[Driver]) -> type[Driver]:
    """``driver_class`` with its input thread gathering key bursts (see the module docstring)."""
    if driver_class in _DRIVERS:
        return _DRIVERS[driver_class]

    class BurstingDriver(driver_class):  # type: ignore[valid-type, misc]
        _burst: KeyBurst | None = None

        def process_message(self, message: Message) -> None:
            note_input()
            if is_burst_key(message):
                assert isinstance(message, events.Key)
                self.process_text(message)
                return
            self._burst = None
            super().process_message(message)

        def process_text(self, part: Part) -> None:
            """Add a printable key or a run of text to the open burst, or open one (text is input too:
            ``read_ahead`` hands runs of typed text here directly, not through ``process_message``)."""
            note_input()
            burst = self._burst
            if burst is not None and burst.add(part):
                return
            self._burst = burst = KeyBurst(part)
            super().process_message(burst)

        def run_input_thread(self) -> None:
            """Linux and macOS: read ahead of the parser (``read_ahead``); elsewhere Textual's own loop."""
            if reads_bytes:
                read_ahead(self)
            else:
                super().run_input_thread()

    reads_bytes = _reads_bytes(driver_class)

    BurstingDriver.__name__ = BurstingDriver.__qualname__ = f"Bursting{driver_class.__name__}"
    _DRIVERS[driver_class] = BurstingDriver
    return BurstingDriver


def _reads_bytes(driver_class: type[Driver]) -> bool:
    """Whether the driver reads the terminal's bytes in ``run_input_thread`` (Textual's ``LinuxDriver``)."""
    try:
        from textual.drivers.linux_driver import LinuxDriver
    except ImportError:  # Windows: no termios; its driver reads console events, not bytes
        return False
    return issubclass(driver_class, LinuxDriver)


def read_ahead(driver: Any) -> None:
    """The input thread of a bursting ``LinuxDriver``: read ahead, hand out in order (``raw_input``).

    As Textual's own loop, it runs until ``exit_event`` (quit, suspend), ticks the parser for a lone
    ``esc``, and hands out what was read before the event was seen.
    """
    reader = InputReader(XTermParser(getattr(driver, "_debug", False)))
    fileno: int = driver.fileno
    exit_event: threading.Event = driver.exit_event

    def hand_out(items: Sequence[TextRun | Message]) -> None:
        for item in items:
            if isinstance(item, TextRun):
                driver.process_text(item)
            else:
                driver.process_message(item)

    def read(wait: float) -> bool:
        """Read what the terminal has (waiting up to ``wait`` s); False at end of input."""
        for _key, mask in selector.select(wait):
            if mask & selectors.EVENT_READ:
                data = os.read(fileno, READ_SIZE)
                if not data:
                    return False
                reader.add(data)
        return True

    selector = selectors.SelectSelector()
    selector.register(fileno, selectors.EVENT_READ)
    try:
        while not exit_event.is_set():
            if reader.pending < HOLD_AT_MOST and not read(0.0 if reader.pending else 0.1):
                break
            hand_out(reader.take())
            hand_out(reader.tick())
        read(0.0)
        while reader.pending:
            hand_out(reader.take())
    finally:
        selector.close()
