"""What the user reads in the app's toasts: title and message of each one on screen, as plain text.

Why not ``app._notifications``: that is Textual's private store, and it holds what was *sent*; a test
should read what the screen shows (a toast is clipped and made safe before it is shown).
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets._toast import Toast


def toasts(app: App[Any]) -> list[str]:
    """The text of every toast on the current screen, oldest first (title, a newline, then the message)."""
    return [toast.render().plain for toast in app.screen.query(Toast)]


def toast_titles(app: App[Any]) -> list[str]:
    """The first line of every toast on screen (its title, when it has one)."""
    return [text.split("\n", 1)[0] for text in toasts(app)]
