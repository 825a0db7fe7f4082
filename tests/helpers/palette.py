"""Pick an entry of the command palette as a user does: type, see the entry on top, press enter."""

from __future__ import annotations

from typing import Any

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from tests.helpers.waiting import until


def highlighted_entry(pilot: Pilot[Any]) -> str:
    """The text of the palette entry enter would pick ("" when the palette is closed or shows none)."""
    screen = pilot.app.screen
    if not isinstance(screen, CommandPalette):
        return ""
    entries = screen.query_one(CommandList)
    index = entries.highlighted
    return "" if index is None else str(entries.get_option_at_index(index).prompt)


async def palette_pick(pilot: Pilot[Any], typed: str, expected: str) -> None:
    """Open the palette, type ``typed``, wait until the entry on top shows ``expected``, press enter.

    Why wait: the palette searches in a worker and shows hits in batches; a fixed pause before enter
    picked whatever was on top then (or nothing) on a loaded machine.
    """
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.press(*typed)
    await until(pilot, lambda: expected.lower() in highlighted_entry(pilot).lower())
    await pilot.press("enter")
