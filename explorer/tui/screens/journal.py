"""The journal screen: every write this tool made for the profile, with the change each one made, and undo.

Why: the journal is the user's safety net (a PUT erases what it omits); it must be visible, not just a file.
The list shows time, method, path and status; the detail shows the note (e.g. the 422's fields) and the diff
from the document before to the one after. ``u`` undoes the selected PUT when it is the newest successful
PUT of that resource — the undo is a normal edit (diff, confirm, stale guard) in the editor screen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from explorer.client import IntegratorClient
from explorer.journal import JournalEntry
from explorer.services import write_targets
from explorer.services.diff import document_diff
from explorer.services.fix_patch import patch_text
from explorer.services.fix_run import FixOptions
from explorer.services.fix_undo import BatchSummary, journal_rows
from explorer.services.write_truth import undo_refusal
from explorer.tui.literal import one_line, printable
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.fix_flow import FixFlow
from explorer.tui.widgets.diff_view import DiffView
from explorer.tui.widgets.wait_status import WaitStatus


def status_label(entry: JournalEntry) -> str:
    """``200``, ``422``, or ``no answer`` when the outcome is unknown (timeout, reset)."""
    return "no answer" if entry.status is None else str(entry.status)


class JournalScreen(Screen[None]):
    """Past writes of one profile, newest first; ``u`` undoes the selected PUT, ``esc`` goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "undo", "Undo this PUT", id="journal.undo"),
        Binding("r", "reload", "Reload", id="journal.reload"),
        Binding("escape", "back", "Back", id="journal.back"),
    ]
    """Undo (hidden when read-only), reload the list, back."""

    DEFAULT_CSS = """
    JournalScreen #journal-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    JournalScreen #journal-table { width: 3fr; height: 1fr; }
    JournalScreen #journal-side { width: 4fr; height: 1fr; }
    JournalScreen #journal-detail { height: auto; max-height: 12; padding: 0 1; }
    JournalScreen #journal-status { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self, context: WriteContext, *, fix_client: IntegratorClient | None = None,
                 fix_options: FixOptions | None = None) -> None:
        """``fix_client`` lets ``u`` undo a whole bulk fix (its records' retry data) through a preview."""
        super().__init__()
        self.context = context
        self.entries: list[JournalEntry] = []
        self.batches: dict[int, BatchSummary] = {}
        """Row → the bulk fix it stands for (one row per batch, not one per record)."""
        self.fixer = None if fix_client is None else FixFlow(
            self, fix_client, context, options=fix_options, on_written=lambda _report: self.action_reload())

    def compose(self) -> ComposeResult:
        title = Text(f"Journal of writes · profile {printable(self.context.profile)}")
        yield Static(title, id="journal-title")
        with Horizontal():
            yield DataTable(id="journal-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="journal-side"):
                yield Static(Text(""), id="journal-detail")
                yield DiffView(id="journal-diff")
        yield Static(Text(""), id="journal-status")
        yield Footer()
        yield WaitStatus()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("time (UTC)", "method", "path", "status")
        self.action_reload()
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Undo is not offered in a read-only session."""
        if action == "undo":
            return not self.context.read_only
        return True

    def action_back(self) -> None:
        """``escape``: back to where the journal was opened from."""
        self.dismiss(None)

    def action_reload(self) -> None:
        """Read the journal again (newest first)."""
        rows = journal_rows(self.context.journal.entries(profile=self.context.profile))
        self.entries = [entry for entry, _ in rows]
        self.batches = {row: batch for row, (_, batch) in enumerate(rows) if batch is not None}
        table = self.query_one(DataTable)
        table.clear()
        for row, (entry, batch) in enumerate(rows):
            status = (Text(f"{batch.written:,} written", style="green" if not batch.failed else "yellow")
                      if batch is not None else
                      Text(status_label(entry), style="green" if entry.succeeded else "red"))
            path = f"{batch.label} · {entry.path}" if batch is not None else entry.path
            table.add_row(Text(entry.time.replace("T", " ").removesuffix("Z")), Text(entry.method),
                          Text(one_line(path, 120)), status, key=str(row))
        words = f"{len(self.entries)} write(s)"
        if self.context.journal.corrupt_lines:
            words += f" · {self.context.journal.corrupt_lines} unreadable line(s) skipped"
        if not self.entries:
            words = "No writes recorded for this profile yet."
        self.query_one("#journal-status", Static).update(Text(words))
        if self.entries:
            self._show(0)

    @property
    def selected(self) -> JournalEntry | None:
        """The entry under the table's cursor."""
        row = self.query_one(DataTable).cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted entry's detail."""
        self._show(event.cursor_row)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        entry = self.entries[row]
        batch = self.batches.get(row)
        if batch is not None:
            self._show_batch(batch)
            return
        detail = Text()
        detail.append(f"{entry.method} {printable(entry.path)}\n", style="bold")
        detail.append(f"at {entry.time} · status {status_label(entry)}")
        if entry.kind:
            detail.append(f" · {entry.kind} {printable(entry.resource_id or '')}")
        if entry.server or entry.account:
            detail.append(f"\non {printable(entry.server or 'unknown server')} · account "
                          f"{printable(entry.account or 'unknown')}")
        if entry.not_taken:
            detail.append("\nnot taken by the server: " + printable(", ".join(entry.not_taken)),
                          style="yellow")
        if entry.note:
            detail.append("\n" + printable(entry.note), style="yellow")
        if entry.status is None:
            detail.append("\nNo answer came: the write may or may not have been applied.", style="yellow")
        self.query_one("#journal-detail", Static).update(detail)
        self.query_one(DiffView).set_lines(["(computing the change…)"])
        self._diff(entry)

    @work(thread=True, exclusive=True, group="journal-diff")
    def _diff(self, entry: JournalEntry) -> None:
        """The before → after diff, off the UI thread (documents can be megabytes)."""
        lines = document_diff(entry.before, entry.after, from_name="before", to_name="after")
        if not lines:
            lines = ["(no visible change)"]
        if not get_current_worker().is_cancelled:  # a newer row was highlighted meanwhile
            self.app.call_from_thread(self.query_one(DiffView).set_lines, lines)

    def _show_batch(self, batch: BatchSummary) -> None:
        detail = Text()
        detail.append(f"FIX {printable(batch.batch_id)}\n", style="bold")
        detail.append(printable(batch.label) + "\n")
        detail.append(f"at {batch.time} · {batch.line()}")
        if batch.unknown:
            detail.append("\nSome writes got no answer: they may or may not have been applied.",
                          style="yellow")
        if not self.context.read_only:
            detail.append("\nu: undo the whole batch (preview first: each record it wrote gets its old data)")
        self.query_one("#journal-detail", Static).update(detail)
        ops = batch.header.before
        lines = patch_text(ops).split("\n") if isinstance(ops, list) and ops else ["(restore of a batch)"]
        self.query_one(DiffView).set_lines(["the patch:", *lines])

    def action_undo(self) -> None:
        """Undo the selected PUT (only the newest successful PUT of a resource), as a normal edit; on a bulk
        fix, restore every record it wrote (preview and confirm first)."""
        entry = self.selected
        if entry is None or self.context.read_only:
            return
        batch = self.batches.get(self.query_one(DataTable).cursor_row)
        if batch is not None:
            if self.fixer is None:
                self.notify("Undo of a bulk fix needs the session's client.", severity="warning")
            else:
                self.fixer.undo(batch.batch_id)
            return
        problem = self._undo_problem(entry)
        if problem is not None:
            self.notify(problem, severity="warning", markup=False)
            return
        target = write_targets.target_from_entry(entry)
        assert target is not None  # checked by _undo_problem
        screen = EditorScreen(self.context, target, undo=True)
        self.app.push_screen(screen, callback=lambda _result: self.action_reload())

    def _undo_problem(self, entry: JournalEntry) -> str | None:
        if entry.method.upper() != "PUT" or not entry.succeeded:
            return "Only a successful PUT can be undone (this one changed nothing, or its outcome is unknown)"
        if self.context.journal.last_put(self.context.profile, entry.path) != entry:
            return (f"A later PUT of {entry.path} exists: undo that one first "
                    "(undo always restores the document as it was before the newest PUT).")
        if write_targets.target_from_entry(entry) is None:
            return "This entry does not say which resource it wrote, so it cannot be undone here."
        refusal = undo_refusal(entry, self.context.api.base_url, self.context.account)
        if refusal is not None:
            return f"Undo refused: {refusal}."
        return None
