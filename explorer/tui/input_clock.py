"""When the user last gave input (a key, a click, a scroll), as the terminal's input thread read it.

Why: background work that runs on the UI loop in slices (the JSON pane pretty-printing and indexing a 10 MB
document) pauses a little longer between slices right after input, so the chain of messages a key sets off
(binding, action, refresh, screen update) completes in one pause instead of waiting a slice at every hop.
A widget only sees the keys that reach it, and only once they have been handled: ``z`` pressed on the tree
while the pane loaded took 235 ms to zoom, and the first key after it 230-330 ms (measured, issue 10). The
driver's input thread notes the moment here as it reads the input, before the loop handles it.
"""

from __future__ import annotations

import time

_last = float("-inf")
"""``time.monotonic()`` of the latest input (a float written whole: safe to read from the loop)."""


def note_input() -> None:
    """Input has just been read (called from the driver's input thread)."""
    global _last
    _last = time.monotonic()


def seconds_since_input() -> float:
    """How long ago the latest input was read (infinite before any)."""
    return time.monotonic() - _last
