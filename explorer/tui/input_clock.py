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


INPUT_WINDOW_S = 0.025
"""How long after an input a worker thread keeps out of the loop's way (``yield_to_input``): a key's whole
chain on the loop (binding, action, frame) took 5-15 ms while 100,000 errors streamed on 2 shared cores."""
LONGEST_YIELD_S = 0.05
"""The most one ``yield_to_input`` call waits: typing without pause must not stop a worker for good."""


def yield_to_input(window: float = INPUT_WINDOW_S, longest: float = LONGEST_YIELD_S) -> None:
    """For a worker thread, between two pieces of its work: while an input is less than ``window`` seconds
    old, sleep (the GIL is free) until it is, ``longest`` seconds at most in all.

    Why: a thread that computes holds the GIL for up to the switch interval at a time, so the loop handling a
    key got it back only every other millisecond: filtering 55,000 rows in the errors panel's thread, the
    letters typed meanwhile took 10 ms frames instead of 2-4 (a loop trace in a pty). Sleeping, the thread
    leaves the loop the whole interpreter while the key is answered, and goes on right after. Filter keys
    while 100,000 errors streamed (``bench/errors.py``, 5 runs each): 7.3/18.1/33.0 ms (min/median/max)
    before, 7.3/11.5/28.7 after (with ``FILTER_CHUNK`` 1000 instead of 5000).
    """
    waited = 0.0
    while waited < longest:
        left = window - seconds_since_input()
        if left <= 0:
            return
        pause = min(left, longest - waited)
        time.sleep(pause)
        waited += pause
