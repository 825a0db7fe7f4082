"""The screens of a bulk fix: the patch editor, the progress dialog, and the preview with its diff stepper.

Why separate screens returning values (``dismiss``): ``fix_flow.FixFlow`` strings them together — edit the
patch, fetch with progress, look at the preview, confirm, write with progress, offer the retry — and none of
them knows the client, the journal or the others. Server text (messages, reasons, diffs) is shown through
``Text`` made ``printable``, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Footer, Label, Static, TextArea

from explorer.services.fix_patch import PatchOp, PatchProblem, parse_patch
from explorer.services.fix_run import FixItem, FixPreview, FixProgress
from explorer.tui.literal import one_line, printable
from explorer.tui.screens.errors_dialogs import DIALOG_CSS
from explorer.tui.screens.progress_dialog import ProgressDialog
from explorer.tui.widgets.diff_view import DiffView


def _text(lines: Sequence[str]) -> Text:
    return Text("\n").join(Text(printable(line)) for line in lines)


class PatchEditorScreen(ModalScreen[list[PatchOp] | None]):
    """An RFC 6902 patch over the marked records' retry data; ``ctrl+s`` checks it and goes to the preview."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PatchEditorScreen") + """
    PatchEditorScreen > Vertical { width: 100; height: 28; }
    PatchEditorScreen TextArea { height: 1fr; }
    PatchEditorScreen #patch-problem { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "preview", "Preview", id="fix.preview"),
        Binding("escape", "cancel", "Cancel", id="fix.cancel_patch"),
    ]
    """Check the patch and preview it; leave without fetching anything."""

    SAVE_DELAY = 0.5
    """Seconds of quiet typing before the text is handed to ``on_text`` (the draft is saved)."""

    def __init__(self, title: str, text: str, hint: str,
                 on_text: Callable[[str], None] | None = None) -> None:
        """``on_text`` keeps what is typed (as a draft): called after a pause in typing and on leaving."""
        super().__init__()
        self._title, self._text, self._hint = title, text, hint
        self._on_text = on_text
        self._save_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._title), classes="dialog-title")
            yield Static(Text(printable(self._hint)), id="patch-hint")
            yield TextArea(self._text, language="json", show_line_numbers=True, id="patch-text")
            yield Static(Text(""), id="patch-problem")
            yield Label(Text("ctrl+s: preview (fetches every record, writes nothing)    esc: cancel"),
                        classes="dialog-keys")

    @property
    def area(self) -> TextArea:
        """The patch text."""
        return self.query_one("#patch-text", TextArea)

    def on_mount(self) -> None:
        self.area.focus()

    @on(TextArea.Changed, "#patch-text")
    def _typed(self) -> None:
        if self._on_text is None:
            return
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(self.SAVE_DELAY, self._keep)

    def _keep(self) -> None:
        if self._on_text is not None:
            self._on_text(self.area.text)

    def action_preview(self) -> None:
        """Check the patch; a problem is shown under it, a good patch closes the editor."""
        self._keep()
        try:
            ops = parse_patch(self.area.text)
        except PatchProblem as problem:
            self.query_one("#patch-problem", Static).update(Text(printable(str(problem))))
            return
        self.dismiss(ops)

    def action_cancel(self) -> None:
        """Leave without fetching anything (what was typed is kept for the next ``T``)."""
        self._keep()
        self.dismiss(None)


class FixProgressDialog(ProgressDialog[str | None]):
    """A progress bar while records are fetched or written, then the report; esc cancels, then closes.

    With ``offer_retry`` the finished report offers ``r`` (retry the records just written): the dialog then
    returns ``"retry"``.
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="FixProgressDialog") + """
    FixProgressDialog ProgressBar { margin: 0 0 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_or_close", "Cancel / close", id="fix.progress_cancel"),
        Binding("enter", "close", "Close", show=False, id="fix.progress_close"),
        Binding("r", "retry", "Retry them", id="fix.retry_written"),
    ]
    """esc stops what is not yet sent (then closes); enter closes the report; r retries what was written."""
    ID_PREFIX = "fix"
    KEYS_RUNNING = "esc: cancel (requests in flight complete)"
    KEYS_CANCELING = "canceling: requests in flight complete…"
    REPORT_CLASSES = "dialog-body"

    def __init__(self, title: str, total: int, on_cancel: Callable[[], None],
                 on_abandon: Callable[[], None] | None = None) -> None:
        super().__init__(title, total, on_cancel, on_abandon)
        self.offer_retry = False
        self._progress: FixProgress | None = None
        self._report: list[str] | None = None

    def catch_up(self) -> None:
        if self._progress is not None:
            self.show_progress(self._progress)
        if self._report is not None:
            self.show_report(self._report, offer_retry=self.offer_retry)

    def show_progress(self, progress: FixProgress) -> None:
        """Move the bar and show the counts so far."""
        self._progress = progress
        self.paint_progress(progress.total, progress.done, printable(progress.line()))

    def show_report(self, lines: Sequence[str], *, offer_retry: bool = False) -> None:
        """The step ended: show what happened; ``offer_retry`` adds ``r``."""
        self.finished = True
        self.offer_retry = offer_retry
        self._report = list(lines)
        keys = "r: retry the records written    enter / esc: close" if offer_retry else "enter / esc: close"
        self.paint_report(_text(lines), keys)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``r`` only once a report offers it."""
        if action == "retry":
            return self.finished and self.offer_retry
        return True

    def action_retry(self) -> None:
        """Close and ask for the retry of the written records."""
        if self.finished and self.offer_retry:
            self.dismiss("retry")


class FixPreviewScreen(Screen[bool]):
    """The preview: counts and reasons, then each changed record's diff (``n``/``N``); ``a`` applies."""

    DEFAULT_CSS = """
    FixPreviewScreen #fix-title { height: 1; padding: 0 1; background: $primary-muted; text-style: bold; }
    FixPreviewScreen #fix-summary { height: auto; max-height: 12; padding: 0 1; }
    FixPreviewScreen #fix-position { height: 1; padding: 0 1; background: $panel; }
    FixPreviewScreen DiffView { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next diff", id="fix.next_diff"),
        Binding("N", "step(-1)", "Previous diff", id="fix.previous_diff"),
        Binding("a", "apply", "Apply", id="fix.apply"),
        Binding("escape", "back", "Back", id="fix.back"),
    ]
    """Step through the changed records; apply (asks first); back without writing."""

    def __init__(self, title: str, preview: FixPreview, *, where: Callable[[FixItem], str] | None = None,
                 apply_label: str = "Apply") -> None:
        super().__init__()
        self._title = title
        self.preview = preview
        self.changed = preview.changed
        self.position = 0
        self._where = where or (lambda item: item.record.step_id)
        self.apply_label = apply_label

    def compose(self) -> ComposeResult:
        yield Static(Text(self._title), id="fix-title")
        yield Static(_text(self.preview.summary_lines()), id="fix-summary")
        yield Static(Text(""), id="fix-position")
        yield DiffView(id="fix-diff")
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nothing to step through or apply when nothing changes."""
        if action in ("step", "apply"):
            return bool(self.changed)
        return True

    def _show(self) -> None:
        position = self.query_one("#fix-position", Static)
        diff = self.query_one(DiffView)
        if not self.changed:
            position.update(Text("No record changes: nothing to apply."))
            diff.set_lines([])
            return
        item = self.changed[self.position]
        label = (f"change {self.position + 1:,}/{len(self.changed):,} · error {item.record.error_id} · "
                 f"{self._where(item)} · n/N: next/previous · a: {self.apply_label.lower()}")
        position.update(Text(one_line(label)))
        diff.set_lines(item.diff())

    def action_step(self, delta: int) -> None:
        """Show the next (``n``) or previous (``N``) changed record's diff, wrapping around."""
        if self.changed:
            self.position = (self.position + delta) % len(self.changed)
            self._show()

    def action_apply(self) -> None:
        """Go on to the confirmation and the writes."""
        if self.changed:
            self.dismiss(True)

    def action_back(self) -> None:
        """Leave without writing anything."""
        self.dismiss(False)
