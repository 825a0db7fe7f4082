"""A tiny app hosting the editor's screens over the simulator (shared by pilot and snapshot tests).

The screens are standalone (constructed with explicit arguments), so tests need no explorer app: the host
pushes one screen and records what it dismisses with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Document

from tests.helpers.waiting import WAIT_S
from tests.helpers.waiting import until as wait_until

ScreenFactory = Callable[[], Screen[Any]]


class EditHost(App[None]):
    """Pushes the screen built by ``factory`` on mount; ``results`` collects what it dismissed with."""

    def __init__(self, factory: ScreenFactory) -> None:
        super().__init__()
        self.factory = factory
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("host"))

    def on_mount(self) -> None:
        self.push_screen(self.factory(), callback=self.results.append)


async def until(pilot: Pilot[Any], condition: Callable[[], object], timeout: float = WAIT_S) -> None:
    """Let the app run until ``condition()`` holds (fails the test after ``timeout`` seconds)."""
    await wait_until(pilot, condition, timeout)


def static_text(widget: Static) -> str:
    """The plain text a Static shows."""
    content = widget.content
    return content.plain if isinstance(content, Text) else str(content)


def replace_in_area(area: TextArea, old: str, new: str, occurrence: int = 0) -> tuple[int, int]:
    """Replace the ``occurrence``-th ``old`` in the editor as one edit; returns its (row, column)."""
    text = area.text
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(old, index + 1)
    document = area.document
    assert isinstance(document, Document)
    start = document.get_location_from_index(index)
    end = document.get_location_from_index(index + len(old))
    area.replace(new, start, end)
    return start
