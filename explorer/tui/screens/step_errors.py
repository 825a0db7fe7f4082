"""A read-only list of the first page of a step's open errors, with the selected error's JSON below.

Why only one page and a plain DataTable: browsing needs to answer "what is failing here?" at a glance; the
full triage workflow (every page, filters, retry, resolve) is the errors screen of issue 5, which replaces
this one through ``MainScreen.open_errors_screen``. Error messages are server text and may hold markup-looking
brackets or escape sequences: every cell is a literal ``Text``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from explorer.client import ApiError
from explorer.model import ErrorRecord
from explorer.services.account import AccountService, Failure
from explorer.tui.literal import literal, one_line
from explorer.tui.widgets.json_view import JsonView

COLUMNS = ("occurred (UTC)", "code", "class", "message")
FIXED_WIDTH = 14 + 12 + 10 + 3 * 2 + 2
"""Cells taken by every column but the message (with DataTable's padding of one cell each side)."""


class StepErrorsScreen(Screen[None]):
    """The first page of open errors of one step; ``esc`` goes back, ``r`` reloads."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="step_errors.back"),
        Binding("r", "reload", "Reload", id="step_errors.reload"),
    ]

    DEFAULT_CSS = """
    StepErrorsScreen {
        layout: vertical;
        #errors-title { height: 1; background: $panel; padding: 0 1; }
        #errors-table { height: 1fr; min-height: 5; }
        #error-detail { height: 1fr; border-top: solid $panel-lighten-2; }
    }
    """

    def __init__(self, service: AccountService, flow_id: str, step_id: str, *, flow_label: str,
                 step_label: str) -> None:
        super().__init__()
        self.service = service
        self.flow_id = flow_id
        self.step_id = step_id
        self.flow_label = flow_label
        self.step_label = step_label
        self.records: list[ErrorRecord] = []

    def compose(self) -> ComposeResult:
        yield Static(id="errors-title", markup=False)
        with Vertical():
            table: DataTable[Text] = DataTable(id="errors-table", cursor_type="row", zebra_stripes=True)
            yield table
            yield JsonView(id="error-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#errors-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        self._title("loading…")
        table.focus()
        self.load()

    def _title(self, note: str) -> None:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append("Open errors", style="bold")
        if note:
            text.append(" · " + note, style="italic")
        where = one_line(self.step_label, 50) + " in " + one_line(self.flow_label, 50)
        text.append(" · " + where, style="dim")
        self.query_one("#errors-title", Static).update(text, layout=False)

    def action_reload(self) -> None:
        """``r``: load the first page again."""
        self._title("loading…")
        self.load()

    @work(exclusive=True, group="step-errors")
    async def load(self) -> None:
        """One request: the first page of open errors."""
        table = self.query_one("#errors-table", DataTable)
        try:
            records = await self.service.first_error_page(self.flow_id, self.step_id)
        except ApiError as exc:
            failure = Failure.from_error(exc)
            self._title(("locked: " if failure.locked else "failed: ") + failure.summary + " — r retries")
            self.query_one("#error-detail", JsonView).load(failure.as_json())
            return
        self.records = records
        table.clear()
        message_width = max(self.size.width - FIXED_WIDTH, 20)
        for index, record in enumerate(records):
            occurred = record.occurred_at.strftime("%m-%d %H:%M:%S") if record.occurred_at else "—"
            table.add_row(
                Text(occurred), literal(one_line(record.code or "", 12)),
                literal(one_line(record.classification or "", 10)),
                literal(one_line(record.message, message_width)),
                key=str(index),
            )
        known = self.service.step_errors.get(self.flow_id, {}).get(self.step_id)
        total = f" of {known:,}" if known is not None else ""
        note = "none" if not records else f"first page, {len(records):,}{total}"
        self._title(note)
        if records:
            table.move_cursor(row=0)
            self._show(0)
        else:
            self.query_one("#error-detail", JsonView).load({"openErrors": 0})

    @on(DataTable.RowHighlighted, "#errors-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    @on(DataTable.RowSelected, "#errors-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._show(event.cursor_row)
        self.query_one("#error-detail", JsonView).focus()

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.records):
            self.query_one("#error-detail", JsonView).load(self.records[row].raw)
