"""The profile picker (``P``): switch account without restarting the app.

Why a Protocol rather than an import: the switcher lives with the CLI (it reads the config file and builds
clients); the TUI only needs "names" and "resolve a name", so any object of that shape will do — tests pass a
small fake.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from explorer.client import ClientFactory


class ProfileChoiceLike(Protocol):
    """What a resolved profile gives the app: its name, header label, read-only flag and client factory."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def read_only(self) -> bool: ...

    @property
    def client_factory(self) -> ClientFactory: ...


class ProfileSwitcherLike(Protocol):
    """Lists profile names and resolves one, raising one of ``errors`` (whose message is safe to show)."""

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """What ``names()`` and a call raise for a problem the user can fix (a bad file, a missing token)."""
        ...

    def names(self) -> list[str]: ...

    def __call__(self, name: str | None) -> ProfileChoiceLike: ...


class ProfilePicker(ModalScreen[str | None]):
    """Choose a profile by name; dismisses with the name, or None on ``esc``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Cancel", id="profiles.cancel"),
    ]
    """``enter`` picks the highlighted profile, ``esc`` keeps the current one."""

    DEFAULT_CSS = """
    ProfilePicker { align: center middle; }
    ProfilePicker > Vertical {
        width: 60; max-width: 90%; height: auto; max-height: 80%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ProfilePicker OptionList { height: auto; max-height: 16; }
    """

    def __init__(self, names: list[str], current: str) -> None:
        super().__init__()
        self._names = names
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Switch profile (enter picks, esc cancels)", style="bold"))
            options = [
                Option(Text(name + ("  (current)" if name == self._current else "")), id=name)
                for name in self._names
            ]
            yield OptionList(*options, id="profile-list")

    def on_mount(self) -> None:
        option_list = self.query_one("#profile-list", OptionList)
        if self._current in self._names:
            option_list.highlighted = self._names.index(self._current)
        option_list.focus()

    @on(OptionList.OptionSelected, "#profile-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        """``esc``: keep the current profile."""
        self.dismiss(None)
