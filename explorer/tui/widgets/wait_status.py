"""The status line that says what the app is waiting for, once a request has taken more than ~3 s.

Why: a server that accepts a connection and never answers used to leave the screen on "connecting…" with no
hint of what was going on. The app reads the client's ``WaitBoard`` twice a second and hands the oldest wait
here (``waiting for api.integrator.io (GET /v1/tokenInfo)… 5 s · esc stops waiting``); the line is hidden
when nothing is slow, so the layout (and every snapshot) is unchanged in normal use. Once ``esc`` stopped a
wait, the line says so for a few seconds (``stopped waiting for … after 5 s (esc)``), or until a new wait
that ``esc`` could stop.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from explorer.tui.literal import one_line

STOPPED_SHOWN_S = 8.0
"""How long "stopped waiting for …" stays on the line (unless a new wait replaces it)."""


class WaitStatus(Static):
    """One line above the footer, shown only while a request is slow."""

    DEFAULT_CSS = """
    WaitStatus {
        dock: bottom;
        height: 1;
        width: 1fr;
        display: none;
        background: $warning-muted;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.text = ""
        self.hint = ""
        self._stopped_until = 0.0

    def show_stopped(self, text: str) -> None:
        """Say that a wait was stopped (kept ``STOPPED_SHOWN_S`` seconds, or until the next wait)."""
        self.text = ""
        self.show_wait(text)  # no hint: there is nothing left to stop
        self._stopped_until = time.monotonic() + STOPPED_SHOWN_S

    def show_wait(self, text: str, hint: str = "") -> None:
        """Show ``text`` (with ``hint``), or hide the line when ``text`` is empty."""
        if text == self.text and hint == self.hint:
            return
        if not hint and time.monotonic() < self._stopped_until:
            return  # "stopped waiting…" stays a moment (a new wait of this screen replaces it)
        self._stopped_until = 0.0
        self.text, self.hint = text, hint
        self.display = bool(text)
        if text:
            line = Text(one_line(text, 200), no_wrap=True, overflow="ellipsis", end="")
            if hint:
                line.append(" · " + hint, style="italic")
            self.update(line, layout=False)
