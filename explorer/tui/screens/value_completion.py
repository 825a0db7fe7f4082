"""``ctrl+space`` on a value: the values Celigo's schema allows there, to pick one.

Why a list and not free typing: an allowed value mistyped (``"tokn"``) is a 422 later; picking from the list
cannot be wrong. The editor puts the chosen value in as JSON (quoted, escaped), so the text stays valid.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from explorer.tui.literal import one_line


class ValueCompletionScreen(ModalScreen[tuple[Any] | None]):
    """Lists ``values``; dismisses with ``(value,)`` for the one chosen (``enter``), or None (``esc``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="value_completion.cancel"),
    ]
    """``enter`` picks the highlighted value; ``esc`` leaves the text as it was."""

    DEFAULT_CSS = """
    ValueCompletionScreen { align: center middle; }
    ValueCompletionScreen > Vertical {
        width: 60; height: auto; max-height: 80%; border: thick $primary; background: $surface; padding: 0 1;
    }
    ValueCompletionScreen #completion-title { text-style: bold; height: auto; }
    ValueCompletionScreen OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, path: str, values: tuple[Any, ...], current: Any = None) -> None:
        super().__init__()
        self.path = path
        self.values = values
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Allowed values of {one_line(self.path, 40)}"), id="completion-title")
            shown = (one_line(json.dumps(value, ensure_ascii=False), 56) for value in self.values)
            yield OptionList(*(Option(Text(text)) for text in shown), id="completion-list")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self.current in self.values:
            options.highlighted = self.values.index(self.current)
        else:
            options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A value was chosen."""
        event.stop()
        self.dismiss((self.values[event.option_index],))

    def action_cancel(self) -> None:
        """Nothing is inserted."""
        self.dismiss(None)
