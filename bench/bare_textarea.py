"""The peer of ``bench/keystrokes.py``: a bare ``TextArea.code_editor(language="json")`` and nothing else.

Run by the bench in a pseudo-terminal exactly as ``iox`` is; ``ctrl+q`` quits (Textual's default).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static, TextArea


class BareTextArea(App[None]):
    """One TextArea, focused, with a line saying it is ready (the bench waits for it)."""

    def compose(self) -> ComposeResult:
        yield Static("bare TextArea ready")
        yield TextArea.code_editor("", language="json")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()


if __name__ == "__main__":
    BareTextArea().run()
