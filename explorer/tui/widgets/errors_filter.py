"""The errors panel's text filter: a one-line input, hidden until ``/``.

Why a widget of its own: showing, hiding and clearing it are the same three steps wherever the panel needs
them (``/``, enter, esc); the panel only turns what is typed into a query.

Why over the table's last lines, like the search prompt of ``less`` and ``vim``, rather than above the
table: showing it above pushed the table down and hiding it pulled it back, each a re-layout of the screen,
a resize and repaint of every table line and a whole screen sent to the terminal — 30-120 ms of the event
loop while 100,000 errors streamed in, which the ``/``, the esc and the letters typed next waited for.
On a layer of its own, docked there, it takes no room from the table: showing it repaints its own three
lines. The panel declares the layer (``ErrorsPanel``'s ``layers``).

Why hidden with ``visibility`` rather than ``display``: a widget with ``display: none`` is left out of its
parent's arrangement, so showing it moved every other child of the panel one place in the paint order, and
the compositor repainted the table's whole region (and each container behind it) on ``/`` and again on
esc (a compositor trace at 120x40: the 35 table lines, and 144-160 lines of the four containers and the
screen behind them, for a frame that only had to show three). Kept in the arrangement and only made
invisible, it changes nothing but its own lines; invisible, it takes neither clicks nor the focus.
"""

from __future__ import annotations

from textual.widgets import Input


class ErrorsFilter(Input):
    """Filter text for message, code and traceKey; enter keeps it, esc (the panel's) clears it."""

    DEFAULT_CSS = """
    ErrorsFilter { visibility: hidden; height: 3; layer: filter; dock: bottom; offset-y: -1; }
    ErrorsFilter.-shown { visibility: visible; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        """An empty, hidden filter."""
        super().__init__(placeholder="filter message, code, traceKey (enter: keep, esc: clear)", id=id)

    @property
    def shown(self) -> bool:
        """True while the input is on screen."""
        return self.has_class("-shown")

    def open(self, text: str) -> None:
        """Show the input holding ``text`` and give it the focus."""
        self.add_class("-shown")
        self.value = text
        self.focus()

    def close(self, *, clear: bool) -> None:
        """Hide the input; ``clear`` also empties it (the panel then drops the text from its query)."""
        self.remove_class("-shown")
        if clear:
            self.value = ""
