"""Small modal dialogs of the errors screens: confirm a bulk action, follow its progress, pick, type.

Why modal screens returning values (``ModalScreen[T]`` + ``dismiss``): the errors screen asks a question and
continues in a callback, so no dialog knows about the store, the client or the bulk service. Every text that
came from the server is passed in as ``Text`` (or built with ``literal``), never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from explorer.services.bulk import BulkProgress
from explorer.tui.literal import safe_text
from explorer.tui.screens.progress_dialog import ProgressDialog

DIALOG_CSS = """
{name} {{
    align: center middle;
    & > Vertical {{
        width: 84; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }}
    & .dialog-title {{ text-style: bold; color: $text-primary; width: 1fr; margin-bottom: 1; }}
    & .dialog-keys {{ color: $foreground 60%; margin-top: 1; }}
    & .dialog-body {{ height: auto; max-height: 20; }}
}}
"""


def _lines(lines: Sequence[str | Text]) -> Text:
    return Text("\n").join(safe_text(line) for line in lines)


class ConfirmBulkDialog(ModalScreen[bool]):
    """"Retry 2,345 errors in 3 batches?" with the counts and what will be skipped; y/enter or n/esc."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmBulkDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "confirm", "Confirm", id="bulk_confirm.confirm"),
        Binding("n,escape", "cancel", "Cancel", id="bulk_confirm.cancel"),
    ]

    def __init__(self, title: str, lines: Sequence[str | Text], confirm_label: str) -> None:
        super().__init__()
        self._title, self._lines, self._confirm_label = title, list(lines), confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(safe_text(self._title), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(_lines(self._lines), id="confirm-body")
            yield Label(Text(f"y / enter: {self._confirm_label}    n / esc: cancel"), classes="dialog-keys")

    def action_confirm(self) -> None:
        """Go ahead."""
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Do nothing."""
        self.dismiss(False)


class BulkProgressDialog(ProgressDialog[None]):
    """A progress bar while batches go out, then the final report; esc first cancels, then closes."""

    DEFAULT_CSS = DIALOG_CSS.format(name="BulkProgressDialog") + """
    BulkProgressDialog ProgressBar { margin: 0 0 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_or_close", "Cancel / close", id="bulk_progress.cancel_or_close"),
        Binding("enter", "close", "Close", show=False, id="bulk_progress.close"),
    ]
    ID_PREFIX = "bulk"
    KEYS_RUNNING = "esc: cancel the batches not yet sent"
    KEYS_CANCELING = "canceling: the batch in flight completes…"

    def __init__(self, title: str, total: int, on_cancel: Callable[[], None],
                 on_abandon: Callable[[], None] | None = None) -> None:
        super().__init__(title, total, on_cancel, on_abandon)
        self._progress: BulkProgress | None = None
        self._report: list[str | Text] | None = None

    def catch_up(self) -> None:
        if self._progress is not None:
            self.show_progress(self._progress)
        if self._report is not None:
            self.show_report(self._report)

    def show_progress(self, progress: BulkProgress) -> None:
        """Move the bar and say what is happening (sent / failed / skipped, waits for the rate limit)."""
        self._progress = progress
        words = (f"batches {progress.batches_done}/{progress.batches_total} · sent {progress.sent} · "
                 f"failed {progress.failed} · skipped {progress.skipped}")
        words += f"\n{progress.note or ' '}"  # always two lines: the dialog keeps its size (no new layout)
        self.paint_progress(progress.total, progress.done, words)

    def show_report(self, lines: Sequence[str | Text]) -> None:
        """The action ended: show the report and let the user close the dialog."""
        self.finished = True
        self._report = list(lines)
        self.paint_report(_lines(lines), "enter / esc: close")


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one option (quick filters, sort column, export format); returns its id, or None on esc."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ChoiceDialog") + """
    ChoiceDialog OptionList { height: auto; max-height: 24; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str | Text] | None]) -> None:
        """``choices`` are (id, label) pairs; None draws a separator line."""
        super().__init__()
        self._title = title
        self._choices = list(choices)

    def compose(self) -> ComposeResult:
        options: list[Option | None] = [
            None if choice is None else Option(safe_text(choice[1]), id=choice[0])
            for choice in self._choices
        ]
        with Vertical():
            yield Label(safe_text(self._title), classes="dialog-title")
            yield OptionList(*options, id="choices")
            yield Label(Text("enter: choose    esc: cancel"), classes="dialog-keys")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


class TextPromptDialog(ModalScreen[str | None]):
    """One line of input (a date range); enter returns the text, esc None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="TextPromptDialog")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "", hint: str = "") -> None:
        super().__init__()
        self._title, self._value, self._placeholder, self._hint = title, value, placeholder, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(safe_text(self._title), classes="dialog-title")
            yield Input(self._value, placeholder=self._placeholder, id="prompt")
            yield Label(safe_text(self._hint or "enter: apply    esc: cancel"), classes="dialog-keys")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Close without applying."""
        self.dismiss(None)
