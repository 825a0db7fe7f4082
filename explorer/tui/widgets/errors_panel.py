"""The triage panel shared by the step errors screen and the cross-step screen: table, filters, marks.

Why a panel: the Open tab, the Resolved tab and the cross-step view all need the same keys over the same
kind of list — stream pages in, filter (``/``, quick filters, dates), sort, group with counts, mark — and
differ only in where the rows come from and which actions apply. The panel owns one ``ErrorList`` store and
one ``ErrorsTable``; network actions (retry, resolve) belong to the screens, which read ``targets()``.

Staying responsive with 100,000 rows: pages are merged into the store as they arrive (only the new rows are
filtered), and a new filter, sort or grouping over more than ``SYNC_ROWS`` rows runs in a thread worker over
a snapshot; typing more letters of the same filter narrows the rows already shown instead of all rows.
While a big list loads, the garbage collector is told to leave the loaded rows alone (a ``LongLivedHold``):
otherwise each full collection walks every row and stalls the UI (figures in ``explorer/gc_policy.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from explorer.client import ApiError
from explorer.gc_policy import LongLivedHold
from explorer.model import ErrorRecord
from explorer.services.error_export import export_errors
from explorer.services.error_list import (
    GROUP_FIELDS,
    ColumnName,
    ErrorGroup,
    ErrorList,
    ErrorQuery,
    GroupField,
    Superseded,
    apply_query,
    group_errors,
    group_value,
    narrows,
    row_key,
)
from explorer.tui.input_clock import yield_to_input
from explorer.tui.literal import one_line
from explorer.tui.screens.errors_dialogs import ChoiceDialog, TextPromptDialog
from explorer.tui.stop_waiting import scoped
from explorer.tui.widgets.errors_choices import (
    EXPORT_CHOICES,
    SORT_LABELS,
    date_range_prompt,
    dated_query,
    export_format,
    quick_filter_choices,
    quick_filtered,
    sort_choices,
    sorted_query,
)
from explorer.tui.widgets.errors_filter import ErrorsFilter
from explorer.tui.widgets.errors_table import ErrorsTable

PageSource = Callable[[], AsyncIterator[Sequence[ErrorRecord]]]


class EarlyPages:
    """A page source whose first page is asked for at once, before the screen showing it is mounted.

    Why: composing and laying out the errors screen took ~100 ms on a busy machine, and the first request
    waited for it; the first row is due one round trip + 0.2 s after ``enter``. The first call gets the
    pages already on their way; later calls (reloads) start afresh. Without a running loop (a screen built
    outside the app) nothing starts early.
    """

    def __init__(self, source: PageSource) -> None:
        self._source = source
        self._pages: AsyncIterator[Sequence[ErrorRecord]] | None = None
        self._first: asyncio.Future[Sequence[ErrorRecord]] | None = None
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self._pages = source()
        self._first = asyncio.ensure_future(anext(self._pages))
        self._first.add_done_callback(_retrieve)

    def __call__(self) -> AsyncIterator[Sequence[ErrorRecord]]:
        first, pages = self._first, self._pages
        self._first = self._pages = None
        if first is None or pages is None:
            return self._source()
        return _resume(first, pages)

    def cancel(self) -> None:
        """The screen closed before it used the pages: stop the request."""
        if self._first is not None:
            self._first.cancel()
            self._first = self._pages = None


async def _resume(first: asyncio.Future[Sequence[ErrorRecord]], pages: AsyncIterator[Sequence[ErrorRecord]]
                  ) -> AsyncIterator[Sequence[ErrorRecord]]:
    try:
        page = await first
    except StopAsyncIteration:
        return
    yield page
    async for page in pages:
        yield page


def _retrieve(future: asyncio.Future[Sequence[ErrorRecord]]) -> None:
    """Read an early page's failure even if no one waits for it (asyncio logs unread ones)."""
    if not future.cancelled():
        future.exception()
SYNC_ROWS = 20_000
"""Up to this many rows a query runs on the UI thread (≈10 ms); above, in a thread."""
FREEZE_EVERY_ROWS = 10_000
"""Rows loaded between two freezes (``LongLivedHold.keep``). Not each page: the next page's HTTP response is
in flight at that moment, so each freeze also froze one (a 440 KB body in a reference cycle), never freed
while frozen: 99 of them, 41.5 MB, for 100,000 rows; every 10,000 rows, 10 (4.3 MB; tracemalloc,
in-process). Not rarer: ``keep`` walks the rows loaded since the last one (4-16 ms per 10,000)."""
REGROUP_DELAY = 0.3
FILTER_DELAY = 0.1
"""Seconds after the last letter typed into the filter before it filters (``_filter_changed``)."""


class ErrorsPanel(Vertical):
    """Status line, filter input and the virtual table over one ``ErrorList``."""

    DEFAULT_CSS = """
    ErrorsPanel { height: 1fr; layers: default filter; }
    ErrorsPanel > ErrorsTable { height: 1fr; }
    ErrorsPanel > .errors-status { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="errors_panel.filter"),
        Binding("f", "quick_filter", "Quick filter", id="errors_panel.quick_filter"),
        Binding("d", "date_range", "Dates", show=False, id="errors_panel.date_range"),
        Binding("s", "sort", "Sort", id="errors_panel.sort"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="errors_panel.reverse_sort"),
        Binding("g", "group", "Group", id="errors_panel.group"),
        Binding("G", "group_field", "Group by…", show=False, id="errors_panel.group_field"),
        Binding("t", "group_templates", "Templates", show=False, id="errors_panel.group_templates"),
        Binding("space", "toggle_mark", "Mark", id="errors_panel.toggle_mark"),
        Binding("shift+down", "extend(1)", "Extend", show=False, id="errors_panel.extend_down"),
        Binding("shift+up", "extend(-1)", "Extend", show=False, id="errors_panel.extend_up"),
        Binding("a", "mark_all", "Mark all", id="errors_panel.mark_all"),
        Binding("A", "clear_marks", "Clear marks", show=False, id="errors_panel.clear_marks"),
        Binding("enter", "open", "Open", id="errors_panel.open"),
        Binding("ctrl+e", "export", "Export", id="errors_panel.export"),
        Binding("escape", "back", "Back", show=False, id="errors_panel.back"),
    ]

    class OpenError(Message):
        """The user pressed enter on an error row."""

        def __init__(self, panel: ErrorsPanel, record: ErrorRecord) -> None:
            super().__init__()
            self.panel = panel
            self.record = record

    class FirstRows(Message):
        """The first page of a load is on the table (sent once per load, before ``Loaded``)."""

        def __init__(self, panel: ErrorsPanel) -> None:
            super().__init__()
            self.panel = panel

    class Loaded(Message):
        """The last page arrived (or loading failed: ``error``)."""

        def __init__(self, panel: ErrorsPanel, error: str | None) -> None:
            super().__init__()
            self.panel = panel
            self.error = error

    def __init__(self, *, resolved: bool = False, cross_step: bool = False, export_label: str = "errors",
                 export_dir: Path | None = None, step_names: dict[tuple[str, str], str] | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = ErrorList()
        self.resolved = resolved
        self.cross_step = cross_step
        self.export_label = export_label
        self.export_dir = export_dir
        self.step_names = step_names if step_names is not None else {}
        self.group_field: GroupField | None = None
        self.home_grouping: GroupField | None = None
        """The grouping the screen opened with: esc goes back to it, and from it, off the screen."""
        self.groups: list[ErrorGroup] = []
        self.fetching = False
        """True while pages are still arriving. Our own name: Textual's ``loading`` would cover the table with
        a spinner until the last page (7.8 s of nothing on 100,000 rows); progress is our status line."""
        self.load_error: str | None = None
        self.notice = ""
        self._source: PageSource | None = None
        self._regroup_pending = False
        self._rows_hold = LongLivedHold()
        self.last_export: Path | None = None
        """Where the last export went."""
        self._typed: str | None = None
        """Filter text typed and not applied yet (``_filter_changed``)."""
        self._typed_timer: Timer | None = None
        # The children, held rather than queried: the loading worker may still be between two pages while
        # the app shuts down and prunes them (a query then raised NoMatches out of the worker).
        self._filter = ErrorsFilter(id="filter")
        self._table = table = ErrorsTable(id="table")
        table.is_marked = self.store.selection.is_marked
        table.is_retryable = self.store.is_retryable
        table.is_refailed = self.store.is_refailed
        table.is_beyond = self.store.is_beyond
        self._status = Static(Text(""), classes="errors-status", id="status")

    def compose(self) -> ComposeResult:
        yield self._table
        yield self._status
        yield self._filter  # over the table's last lines, above the status line (``ErrorsFilter``)

    @property
    def table(self) -> ErrorsTable:
        """The virtual table."""
        return self._table

    def on_mount(self) -> None:
        self.table.show_errors(self.store.view, resolved=self.resolved, cross_step=self.cross_step,
                               step_names=self.step_names)
        self.update_status()

    def on_unmount(self) -> None:
        # The rows go first, by reference counting: the panel itself sits in Textual's reference cycles,
        # which stay frozen while a big document is (``LongLivedHold.release``), and would keep ~170 MB
        # of 100,000 rows with it.
        self.store.reset()
        self.groups = []
        self._table.forget_rows()
        self._rows_hold.release()

    # -- loading ------------------------------------------------------------------------------------

    def load(self, source: PageSource, total: int | None = None) -> None:
        """Start (or restart) streaming pages from ``source``; marks and the query are kept."""
        self._source = source
        self.store.reset()
        self.store.total = total
        self.load_error = None
        self.fetching = True
        self.table.rows_changed(self.store.view)
        self.update_status()
        # Freeze what the app built before this screen now, not after the first page: a full collection
        # walking it all (35-100 ms, gc.callbacks in the real iox) fell between enter and the first row.
        self._rows_hold.keep()
        self._stream(source)

    def reload(self, total: int | None = None) -> None:
        """Load again from the same source (after a retry or resolve, or ``ctrl+r``)."""
        if self._source is not None:
            self.load(self._source, total if total is not None else self.store.total)

    # Every worker here names itself: by default Textual describes a worker with the repr of its arguments,
    # which for 100,000 rows is a 125 MB string built on each keystroke (measured).
    @work(exclusive=True, group="load", description="load error pages")
    @scoped
    async def _stream(self, source: PageSource) -> None:
        first = True
        frozen_rows = 0
        try:
            async for page in source():
                self.store.add_page(page)
                if len(self.store.rows) - frozen_rows >= FREEZE_EVERY_ROWS:
                    self._rows_hold.keep()  # see the module docstring: loaded rows are long-lived
                    frozen_rows = len(self.store.rows)
                self._rows_arrived(relayout=first and bool(page))
                if first and page:
                    self.post_message(self.FirstRows(self))
                first = first and not page
        except ApiError as exc:
            self.load_error = str(exc)
            self.fetching = False
            self.update_status()
            self.post_message(self.Loaded(self, self.load_error))
            return
        self.fetching = False
        self.store.finish_loading()
        if self.store.total is not None and self.store.total < len(self.store.rows):
            self.store.total = len(self.store.rows)
        self.table.rows_changed(self.store.view)
        self._schedule_regroup(now=True)  # the final groups at once, not a regroup delay after "loaded"
        self.update_status()
        self.post_message(self.Loaded(self, None))

    def _rows_arrived(self, relayout: bool) -> None:
        if relayout and self.group_field is None:
            self.table.show_errors(self.store.view, resolved=self.resolved, cross_step=self.cross_step,
                                   step_names=self.step_names)
        elif self.group_field is None:
            self.table.rows_changed(self.store.view)
        self._schedule_regroup()
        self.update_status()

    # -- status -------------------------------------------------------------------------------------

    def update_status(self) -> None:
        """Loaded/total, selected, filters, grouping; the load error if any."""
        parts = [self.store.status()]
        if self.group_field is not None:
            parts.append(f"grouped by {self.group_field} ({len(self.groups)})")
        if self.notice:
            parts.append(self.notice)
        if self.load_error:
            parts.append(f"load failed: {self.load_error} · ctrl+r retries")
        # One line high whatever it says: no re-layout of the screen for each streamed page.
        self._status.update(Text(one_line(" · ".join(parts))), layout=False)

    def say(self, notice: str) -> None:
        """Put a short message in the status line (it stays until the next one)."""
        self.notice = notice
        self.update_status()

    # -- queries ------------------------------------------------------------------------------------

    def apply(self, query: ErrorQuery) -> None:
        """Show the rows ``query`` selects, in its order (in a thread for big lists)."""
        store = self.store
        if len(store.rows) <= SYNC_ROWS:
            store.set_view(query, store.compute(query), len(store.rows))
            self._view_changed()
            return
        base = store.view if narrows(store.query, query) else store.rows
        self._compute(query, list(base), len(store.rows))

    @work(thread=True, exclusive=True, group="query", description="filter and sort errors")
    def _compute(self, query: ErrorQuery, rows: list[ErrorRecord], rows_seen: int) -> None:
        worker = get_current_worker()

        def stop() -> bool:
            yield_to_input()  # a key typed meanwhile (the next letter) is answered at the loop's full speed
            return worker.is_cancelled

        try:
            view = apply_query(rows, query, self.store.is_retryable, stop=stop)
        except Superseded:
            return  # a newer query (the next letter typed) replaced this one: stop using the GIL
        if not worker.is_cancelled:
            self.app.call_from_thread(self._install, query, view, rows_seen)

    def _install(self, query: ErrorQuery, view: list[ErrorRecord], rows_seen: int) -> None:
        self.store.set_view(query, view, rows_seen)
        self._view_changed()

    def _view_changed(self) -> None:
        query = self.store.query
        self.table.set_sort(query.sort_by, query.descending)
        if self.group_field is None:
            self.table.rows_changed(self.store.view)
            self.table.move_cursor(0)
        self._schedule_regroup(now=True)
        self.update_status()

    # -- grouping -----------------------------------------------------------------------------------

    def set_grouping(self, field_name: GroupField | None) -> None:
        """Group the shown rows by a field or by message template (with counts), or go back to rows (None)."""
        self.group_field = field_name
        if field_name is None:
            self.groups = []
            self.table.show_errors(self.store.view, resolved=self.resolved, cross_step=self.cross_step,
                                   step_names=self.step_names, relayout=False)
            self.update_status()
            self.screen.refresh_bindings()
            return
        self._schedule_regroup(now=True)

    def _schedule_regroup(self, now: bool = False) -> None:
        if self.group_field is None:
            return
        if now:
            self._regroup()
        elif not self._regroup_pending:
            self._regroup_pending = True
            self.set_timer(REGROUP_DELAY, self._regroup)

    def _regroup(self) -> None:
        self._regroup_pending = False
        field_name = self.group_field
        if field_name is None:
            return
        if len(self.store.view) <= SYNC_ROWS:
            self._show_groups(field_name, group_errors(self.store.view, field_name, self.store.is_retryable))
        else:
            self._group_thread(field_name, list(self.store.view))

    @work(thread=True, exclusive=True, group="group", description="group errors")
    def _group_thread(self, field_name: GroupField, rows: list[ErrorRecord]) -> None:
        groups = group_errors(rows, field_name, self.store.is_retryable)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_groups, field_name, groups)

    def _show_groups(self, field_name: GroupField, groups: list[ErrorGroup]) -> None:
        if self.group_field != field_name:
            return
        self.groups = groups
        self.table.show_groups(groups)
        self.update_status()
        self.screen.refresh_bindings()  # row keys (space, shift+↑/↓) are off in group mode

    # -- selection ----------------------------------------------------------------------------------

    def targets(self) -> list[ErrorRecord]:
        """What an action applies to: the marked rows; else the group under the cursor (every row of it
        that the filter shows), so one group can be retried or resolved at once; else the row under it."""
        marked = self.store.selected()
        if marked:
            return marked
        group = self.table.group_at(self.table.cursor_line)
        if group is not None:
            value, field_name = group.value, group.field
            return [r for r in self.store.view if group_value(r, field_name) == value]
        record = self.table.cursor_record
        return [record] if record is not None else []

    def mark_gone(self, record: ErrorRecord) -> None:
        """The error's retry data is gone (404): show it, and treat it, as not retryable."""
        self.store.gone.add(row_key(record))
        self.table.refresh()

    def forget(self, records: Sequence[ErrorRecord]) -> None:
        """Rows left this list (resolved, retried): drop them and their marks."""
        self.store.remove(row_key(record) for record in records)
        if self.group_field is None:
            self.table.rows_changed(self.store.view)
        self._schedule_regroup(now=True)
        self.update_status()

    # -- actions ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Row keys do nothing in group mode; esc is passed on when there is nothing to undo here."""
        if action in ("toggle_mark", "extend") and self.group_field is not None:
            return False
        if action == "back":
            return self._filter.shown or self.group_field is not None
        return True

    def action_filter(self) -> None:
        """Show the filter input (``/``)."""
        self._filter.open(self.store.query.text)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """Filter ``FILTER_DELAY`` after the last letter typed, not at each one.

        Why: over 100,000 rows each filtering pass runs in a thread that contends with the event loop for
        the GIL, so the very letter that started it was echoed late (40-200 ms in a pty while pages
        streamed); typing "REC" started three passes. The letters now echo at once and one pass runs for
        the word. Enter applies what is typed at once; closing the filter applies its own query.
        """
        if not self._filter.shown:
            return  # cleared by esc, which applied the empty filter itself
        self._typed = event.value
        if self._typed_timer is not None:
            self._typed_timer.stop()
        self._typed_timer = self.set_timer(FILTER_DELAY, self._apply_typed)

    def _apply_typed(self) -> None:
        if self._typed_timer is not None:
            self._typed_timer.stop()
            self._typed_timer = None
        typed, self._typed = self._typed, None
        if typed is not None and typed != self.store.query.text:
            self.apply(replace(self.store.query, text=typed))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._apply_typed()
        self._filter.close(clear=False)
        self.table.focus()

    def action_back(self) -> None:
        """esc: close the filter (clearing it), else leave a grouping the user chose, else leave the screen.

        Leaving the screen is the screen's own esc binding, reached by skipping this one.
        """
        if self._filter.shown:
            self._typed = None
            if self._typed_timer is not None:
                self._typed_timer.stop()
                self._typed_timer = None
            self._filter.close(clear=True)
            self.table.focus()
            # After the frame that hides the input: over 100,000 rows the filtering thread contends with
            # the loop for the GIL, and painting that frame waited for it (esc took 40-90 ms under load).
            self.call_after_refresh(self.apply, replace(self.store.query, text=""))
        elif self.group_field is not None and self.group_field != self.home_grouping:
            self.set_grouping(self.home_grouping)
        else:
            raise SkipAction()

    def action_quick_filter(self) -> None:
        """Pick a source, classification or code among the loaded rows (with counts)."""

        def chosen(choice: str | None) -> None:
            if choice is not None:
                self.apply(quick_filtered(self.store.query, choice))

        self.app.push_screen(ChoiceDialog("Quick filter", quick_filter_choices(self.store.rows)), chosen)

    def action_date_range(self) -> None:
        """Type a date range (``2026-11-01..2026-11-20``, ``24h``, ``7d``; empty = any)."""

        def typed(text: str | None) -> None:
            if text is None:
                return
            try:
                query = dated_query(self.store.query, text)
            except ValueError as exc:
                self.app.notify(str(exc), severity="error", markup=False)
                return
            self.apply(query)

        self.app.push_screen(TextPromptDialog(*date_range_prompt(self.store.query)), typed)

    def action_sort(self) -> None:
        """Pick the column to sort by (the same column again flips the direction)."""

        def chosen(choice: str | None) -> None:
            if choice is not None:
                self.apply(sorted_query(self.store.query, choice))

        choices = sort_choices(self.table.columns, grouped=self.group_field is not None)
        self.app.push_screen(ChoiceDialog("Sort by", choices), chosen)

    def sort_by(self, column: ColumnName) -> None:
        """Sort by a column (header click); again flips the direction."""
        self.apply(self.store.query.sorted_by(column))

    @on(ErrorsTable.HeaderClicked)
    def _header_clicked(self, event: ErrorsTable.HeaderClicked) -> None:
        if not self.table.grouped and event.column in SORT_LABELS:
            self.sort_by(event.column)  # type: ignore[arg-type]

    def action_reverse_sort(self) -> None:
        """Flip the sort direction."""
        query = self.store.query
        if query.sort_by is not None:
            self.apply(replace(query, descending=not query.descending))

    def action_group(self) -> None:
        """Toggle grouping (by code first)."""
        self.set_grouping(None if self.group_field is not None else "code")

    def action_group_templates(self) -> None:
        """Group by message template (``t``; again: back to rows): one line per failure pattern."""
        self.set_grouping(None if self.group_field == "template" else "template")

    def action_group_field(self) -> None:
        """Group by the next field: code → classification → source → message template."""
        current = self.group_field
        following = GROUP_FIELDS[(GROUP_FIELDS.index(current) + 1) % len(GROUP_FIELDS)] if current else "code"
        self.set_grouping(following)

    def action_toggle_mark(self) -> None:
        """Mark or unmark the row under the cursor and move down."""
        table = self.table
        record = table.cursor_record
        if record is None:
            return
        self.store.selection.toggle(row_key(record))
        table.refresh_row(table.cursor_line)
        table.move_cursor(table.cursor_line + 1)
        self.update_status()

    def action_extend(self, step: int) -> None:
        """shift+↑/↓: mark the current row and the next one in that direction."""
        table = self.table
        record = table.cursor_record
        if record is None:
            return
        self.store.selection.mark([row_key(record)])
        table.refresh_row(table.cursor_line)
        table.move_cursor(table.cursor_line + step)
        following = table.cursor_record
        if following is not None:
            self.store.selection.mark([row_key(following)])
            table.refresh_row(table.cursor_line)
        self.update_status()

    def action_mark_all(self) -> None:
        """Mark every row the filter shows (``a``)."""
        self.store.mark_all_shown()
        self.table.refresh()
        self.update_status()

    def action_clear_marks(self) -> None:
        """Clear every mark (``A``)."""
        self.store.selection.clear()
        self.table.refresh()
        self.update_status()

    def action_open(self) -> None:
        """enter: open the error, or drill into the group under the cursor."""
        table = self.table
        group = table.group_at(table.cursor_line)
        if group is not None:
            query = self.store.query.with_quick_filter(group.field, group.value)
            self.set_grouping(None)
            self.apply(query)
            return
        record = table.cursor_record
        if record is not None:
            self.post_message(self.OpenError(self, record))

    def action_export(self) -> None:
        """ctrl+e: write the rows shown (filtered, sorted) to CSV or JSON lines in the working directory."""
        rows = list(self.store.view)
        if not rows:
            self.app.notify("Nothing to export: no rows shown.", severity="warning")
            return

        def chosen(choice: str | None) -> None:
            fmt = export_format(choice)
            if fmt is None:
                return
            try:
                path, count = export_errors(rows, fmt, directory=self.export_dir, label=self.export_label)
            except OSError as exc:
                self.app.notify(f"Export failed: {exc}", severity="error", markup=False)
                return
            self.last_export = path
            self.say(f"exported {count} to {path}")
            self.app.notify(f"Exported {count} errors to {path}", markup=False)

        self.app.push_screen(ChoiceDialog(f"Export {len(rows)} errors", EXPORT_CHOICES), chosen)
