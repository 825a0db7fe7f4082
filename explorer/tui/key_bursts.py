"""Typing that arrives faster than it can be drawn becomes one edit per burst, not one per key.

Why: a terminal (or tmux) without bracketed paste delivers a pasted document as keystrokes. Textual's driver
hands each key to the event loop as its own task, and the editor then does a whole edit per key (tree-sitter
reparse, highlight window, a ``Changed`` message, a repaint). 20,000 characters took 23 s and 550 MB; 200,000
never finished, and ``ctrl+q`` waited behind every queued key.

Here the driver's input thread gathers consecutive printable keys (and ``enter``) into one :class:`KeyBurst`
message while the event loop is busy: the first key of a burst posts the message, the next ones are appended
to it until the loop takes it. Any other input (ctrl keys, arrows, mouse, paste, resize) closes the burst
and is sent as usual, so order is kept and ``ctrl+q`` is at most one burst away. On the loop, a burst whose
target is an editable ``TextArea`` is inserted as one edit; anywhere else its keys are replayed one by one,
exactly as they came (so ``q``, ``j`` and ``enter`` in a list behave as always).
"""

from __future__ import annotations

import threading
from typing import Any

from textual import events
from textual.app import App
from textual.driver import Driver
from textual.message import Message
from textual.widgets import TextArea


class KeyBurst(Message):
    """Keys typed in a row, gathered by the driver thread until the event loop takes them."""

    def __init__(self, first: events.Key) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._keys: list[events.Key] = [first]
        self._taken = False

    def add(self, key: events.Key) -> bool:
        """Append ``key`` if the loop has not taken the burst yet; False means start a new burst."""
        with self._lock:
            if self._taken:
                return False
            self._keys.append(key)
            return True

    def take(self) -> list[events.Key]:
        """The keys of the burst; afterwards nothing more is added to it."""
        with self._lock:
            self._taken = True
            return list(self._keys)


def is_burst_key(event: Any) -> bool:
    """Keys a burst may hold: printable characters and ``enter`` (what a pasted document is made of)."""
    return isinstance(event, events.Key) and (event.key == "enter" or (
        event.is_printable and event.character is not None and len(event.character) == 1))


def text_of(keys: list[events.Key]) -> str:
    """What the keys insert into a text area (``enter`` is a newline)."""
    return "".join("\n" if key.key == "enter" else (key.character or "") for key in keys)


async def deliver(app: App[Any], burst: KeyBurst) -> None:
    """Handle a burst on the event loop: one edit in an editable ``TextArea``, else each key as it came."""
    keys = burst.take()
    target = app.focused
    if isinstance(target, TextArea) and not target.read_only and target.screen is app.screen:
        target._restart_blink()
        target._replace_via_keyboard(text_of(keys), *target.selection)
        # The edit scrolled before the new lines were laid out: follow the cursor once they are.
        target.call_after_refresh(target.scroll_cursor_visible)
        return
    for key in keys:
        await app.on_event(key)


_DRIVERS: dict[type[Driver], type[Driver]] = {}


def bursting(driver_class: type[Driver]) -> type[Driver]:
    """``driver_class`` with its input thread gathering key bursts (see the module docstring)."""
    if driver_class in _DRIVERS:
        return _DRIVERS[driver_class]

    class BurstingDriver(driver_class):  # type: ignore[valid-type, misc]
        _burst: KeyBurst | None = None

        def process_message(self, message: Message) -> None:
            if is_burst_key(message):
                assert isinstance(message, events.Key)
                burst = self._burst
                if burst is not None and burst.add(message):
                    return
                self._burst = burst = KeyBurst(message)
                message = burst
            else:
                self._burst = None
            super().process_message(message)

    BurstingDriver.__name__ = BurstingDriver.__qualname__ = f"Bursting{driver_class.__name__}"
    _DRIVERS[driver_class] = BurstingDriver
    return BurstingDriver
