"""Small modal dialogs of the errors screens: confirm a bulk action, follow its progress, pick, type.

Why modal screens returning values (``ModalScreen[T]`` + ``dismiss``): the errors screen asks a question and
continues in a callback, so no dialog knows about the store, the client or the bulk service. Every text that
came from the server is passed in as ``Text`` (or built with ``literal``), never as markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
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


def ask_keys(confirm_label: str) -> str:
    """The key hint of a bulk question, the same wherever one is asked."""
    return f"y / enter: {confirm_label}    n / esc: cancel"


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
            yield Label(Text(ask_keys(self._confirm_label)), classes="dialog-keys")

    def action_confirm(self) -> None:
        """Go ahead."""
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Do nothing."""
        self.dismiss(False)


@dataclass(frozen=True)
class BulkAsk:
    """The question a bulk dialog asks before it runs: its title and body, the word for yes, and what yes
    starts (called with the dialog before it changes, so the batches leave before anything is repainted)."""

    title: str
    lines: Sequence[str | Text]
    confirm_label: str
    on_confirm: Callable[[BulkProgressDialog], None]
    while_asked: Callable[[BulkProgressDialog], Awaitable[object]] | None = None
    """Work done (given the dialog) while the question is read (in a worker of the dialog, which ends it if
    the dialog closes unanswered): the batches' connections are opened then, not after yes (issue 10)."""


SHOW_RUNNING_AFTER_S = 0.05
"""After yes, the longest the question stays when no word comes that the requests are written (an
in-process transport, a server slow to accept): the progress shows by then."""
PAINT_HOLD_S = 0.03
"""How long the bar may lag a batch's answer before it is repainted, while more answers are due. The ten
answers of a 10,000-error retry come within ~10 ms; a repaint per answer (the dialog's widgets redrawn,
~2 ms, plus ~0.3 ms per update) held the reading of the answers after it: 4-6 ms until the last batch
showed (issue 10, measured in a pty). The answer that completes the run is painted at once."""


class BulkProgressDialog(ProgressDialog[None]):
    """A progress bar while batches go out, then the final report; esc first cancels, then closes.

    With ``ask`` it first asks, as ``ConfirmBulkDialog`` does (same title, body and keys: y/enter or
    n/esc), and on yes becomes the progress dialog in place. Why not a confirm dialog, then this one: the
    pop of the one and the push of the other laid out and repainted the errors screen beneath (100,000
    rows), then composed and painted a new screen over a tinted copy of it — 25-45 ms of the UI loop
    while the batches' connections were being opened and their bodies written, so the ten requests of a
    10,000-error retry reached the server spread over ~50 ms instead of together (issue 10, measured with
    ``bench/errors.py``'s tui-retry). In place, only the dialog's own widgets change.
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="BulkProgressDialog") + """
    BulkProgressDialog ProgressBar { margin: 0 0 1 0; }
    BulkProgressDialog .dialog-keys { width: 1fr; }  /* its words change without a new layout */
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_or_close", "Cancel / close", id="bulk_progress.cancel_or_close"),
        Binding("enter", "close", "Close", show=False, id="bulk_progress.close"),
        Binding("y", "confirm", "Confirm", show=False, id="bulk_progress.confirm"),
        Binding("n", "decline", "Do not run", show=False, id="bulk_progress.decline"),
    ]
    ID_PREFIX = "bulk"
    KEYS_RUNNING = "esc: cancel the batches not yet sent"
    KEYS_CANCELING = "canceling: the batch in flight completes…"
    STARTING = "starting…\n "
    PROGRESS_ROWS = 4
    """Rows of the bar (and its margin) and the two-line status."""

    def __init__(self, title: str, total: int, on_cancel: Callable[[], None],
                 on_abandon: Callable[[], None] | None = None, *, ask: BulkAsk | None = None) -> None:
        super().__init__(ask.title if ask is not None else title, total, on_cancel, on_abandon)
        self._progress: BulkProgress | None = None
        self._report: list[str | Text] | None = None
        self._running_title = title
        self._lines = self.STARTING.count("\n")  # as many as every status: the first needs no new layout
        self.ask = ask
        self.asking = ask is not None
        """True until the question is answered (y/enter runs, n/esc closes)."""
        self._shown_running = ask is None
        self._paint_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        if self.ask is None:
            yield from super().compose_body()
            return
        # The question, then (hidden until yes) the bar, status and report, all in the one scrolling body:
        # on yes the question is hidden and the rest shown, and the focus (on the body) does not move (a
        # focus change repaints the whole dialog screen, tinted background included).
        with VerticalScroll(classes="dialog-body", id="bulk-body"):
            yield Static(_lines(self.ask.lines), id="confirm-body")
            for part in super().compose_body():
                part.display = False  # until show_running
                yield part

    def first_keys(self) -> str:
        if self.ask is not None:
            return ask_keys(self.ask.confirm_label)
        return self.KEYS_RUNNING

    def on_mount(self) -> None:
        super().on_mount()
        if self.asking and self.ask is not None and self.ask.while_asked is not None:
            self.run_worker(self.ask.while_asked(self), group="bulk-ask", exclusive=True)

    def action_confirm(self) -> None:
        """Yes: start the action; the question turns into the progress once its first requests are written
        (``show_running``; at the latest after ``SHOW_RUNNING_AFTER_S``)."""
        if not self.asking or self.ask is None:
            return
        self.asking = False
        self.ask.on_confirm(self)
        self.set_timer(SHOW_RUNNING_AFTER_S, self.show_running)

    def show_running(self) -> None:
        """The question gives its place to the bar, the status and (later) the report, at the same height.

        Called once the burst of requests is written (the caller knows how many), so that nothing is laid
        out or painted while they are on their way out. The dialog keeps its region, so only its inside is
        repainted, not the tinted screen around it (a dialog that changed height repainted rows of the
        100,000-row screen beneath: 5-9 ms of the UI loop, measured).
        """
        if self.asking or self._shown_running or not self._ready:
            return
        self._shown_running = True
        question = self.query_one("#confirm-body")
        report = self.query_one("#bulk-report")
        height = question.outer_size.height
        if height >= self.PROGRESS_ROWS:
            report.styles.height = height - self.PROGRESS_ROWS  # the report fills the rest until written
        question.display = False
        for part in ("bar", "status", "report"):
            self.query_one(f"#bulk-{part}").display = True
        self.query_one("#bulk-body", VerticalScroll).scroll_home(animate=False)
        self.query_one(".dialog-title", Label).update(safe_text(self._running_title), layout=False)
        if not self.cancel_requested:
            self.query_one("#bulk-keys", Label).update(Text(self.KEYS_RUNNING), layout=False)
        if self._progress is not None:
            self._paint_held()

    def action_decline(self) -> None:
        """No: close without running."""
        if self.asking:
            self.dismiss(None)

    def action_cancel_or_close(self) -> None:
        if self.asking:
            self.dismiss(None)
            return
        self.show_running()  # esc right after yes: what it stops is shown at once
        super().action_cancel_or_close()

    def action_close(self) -> None:
        if self.asking:
            self.action_confirm()
            return
        super().action_close()

    def catch_up(self) -> None:
        if self._progress is not None:
            self.show_progress(self._progress)
        if self._report is not None:
            self.show_report(self._report)

    def show_progress(self, progress: BulkProgress) -> None:
        """Move the bar and say what is happening (sent / failed / skipped, waits for the rate limit)."""
        self._progress = progress
        if not self._shown_running:  # painted by show_running: not among the burst's requests
            return
        if progress.done < progress.total:  # more answers are due: paint within PAINT_HOLD_S
            if self._paint_timer is None:
                self._paint_timer = self.set_timer(PAINT_HOLD_S, self._paint_held)
            return
        self._paint_held()

    def _paint_held(self) -> None:
        """Paint the latest progress now (and forget a repaint that was due)."""
        if self._paint_timer is not None:
            self._paint_timer.stop()
            self._paint_timer = None
        progress = self._progress
        if progress is None:
            return
        words = (f"batches {progress.batches_done}/{progress.batches_total} · sent {progress.sent} · "
                 f"failed {progress.failed} · skipped {progress.skipped}")
        words += f"\n{progress.note or ' '}"  # always two lines: the dialog keeps its size (no new layout)
        self.paint_progress(progress.total, progress.done, words)

    def show_report(self, lines: Sequence[str | Text]) -> None:
        """The action ended: show the report and let the user close the dialog."""
        self.finished = True
        self._report = list(lines)
        if self._progress is not None and self._shown_running:
            self._paint_held()  # the bar as it ended, with the report
        if self._ready:
            self.show_running()
            self.query_one("#bulk-report").styles.height = None  # as tall as the report (see show_running)
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
