"""The HTTP log (``l``): every request the client made, and the full exchange of the selected one.

Why: when something looks wrong, the user (or whoever they ask for help) needs to see exactly what was sent
and what came back, and to replay it outside the tool. The client hands over records with ``Authorization``
already redacted; "copy as curl" writes a ``$IOX_TOKEN`` placeholder, so a pasted command never carries the
token. Durations are hidden when ``AppContext.show_timings`` is off, so snapshots stay identical run to run.
"""

from __future__ import annotations

import json
from typing import ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from explorer.client import RequestRecord
from explorer.tui.context import AppContext, ExplorerHost
from explorer.tui.literal import literal, one_line, printable
from explorer.tui.widgets.json_view import JsonView
from explorer.tui.widgets.wait_status import WaitStatus

COLUMNS = ("#", "status", "method", "time", "size", "retries", "path")
TOKEN_PLACEHOLDER = "$IOX_TOKEN"
_SKIP_CURL_HEADERS = frozenset({"authorization", "content-length", "host", "accept-encoding", "connection",
                                "user-agent"})


def human_size(size: int) -> str:
    """Bytes in short words: ``512 B``, ``1.2 kB``, ``3.4 MB``."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def shell_quote(value: str) -> str:
    """POSIX single-quoting: safe for any text, including quotes and ``$``."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def curl_command(record: RequestRecord, origin: str) -> str:
    """The request as a ``curl`` command; the token is the ``$IOX_TOKEN`` variable, never the real one."""
    lines = [f"curl -X {record.method} {shell_quote(origin + record.path)}",
             f'  -H "Authorization: Bearer {TOKEN_PLACEHOLDER}"']
    for name, value in record.request_headers.items():
        if name.lower() not in _SKIP_CURL_HEADERS:
            lines.append(f"  -H {shell_quote(f'{name}: {value}')}")
    if record.request_body:
        lines.append(f"  --data-raw {shell_quote(record.request_body)}")
    return " \\\n".join(lines)


def _pretty(body: str | None) -> str:
    if not body:
        return "  (empty)"
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def exchange_text(record: RequestRecord, context: AppContext) -> str:
    """The whole exchange as text: request line, headers and bodies (already redacted by the client)."""
    status = str(record.status) if record.status is not None else "no response"
    timing = f"{record.duration_ms:.1f} ms" if context.show_timings else "time hidden"
    out = [f"{record.method} {context.origin}{record.path}",
           f"status {status} · {timing} · sent {human_size(record.bytes_sent)} · received "
           f"{human_size(record.bytes_received)} · retries {record.retries}"]
    if record.error:
        out.append(f"error: {record.error}")
    out += ["", "── request headers"]
    out += [f"{name}: {value}" for name, value in record.request_headers.items()]
    out += ["", "── request body", _pretty(record.request_body), "", "── response headers"]
    out += [f"{name}: {value}" for name, value in record.response_headers.items()] or ["  (none)"]
    out += ["", "── response body", _pretty(record.response_body)]
    return "\n".join(printable(line) for line in "\n".join(out).split("\n"))


class HttpLogScreen(Screen[None]):
    """Requests newest last (the table follows new ones while its cursor is on the last row)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="http_log.back"),
        Binding("slash", "filter", "Filter", id="http_log.filter"),
        Binding("C", "copy_curl", "Copy as curl", id="http_log.copy_curl"),
        Binding("x", "clear", "Clear", id="http_log.clear"),
    ]

    DEFAULT_CSS = """
    HttpLogScreen {
        #log-title { height: 1; background: $panel; padding: 0 1; }
        #log-filter { display: none; height: 1; }
        #log-table { height: 1fr; min-height: 5; }
        #log-detail { height: 1fr; border-top: solid $panel-lighten-2; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.records: list[RequestRecord] = []
        """The rows shown (every record, or those matching the filter)."""
        self.all_records: list[RequestRecord] = []
        self._numbers: dict[int, int] = {}
        self._filter = ""
        self._unsubscribe: list[object] = []

    @property
    def context(self) -> AppContext:
        """The session facts (origin for curl, whether to show timings)."""
        return cast(ExplorerHost, self.app).context

    def compose(self) -> ComposeResult:
        yield Static(id="log-title", markup=False)
        yield Input(placeholder="filter: text in method, path or status (esc clears)", id="log-filter",
                    compact=True)
        table: DataTable[Text] = DataTable(id="log-table", cursor_type="row")
        yield table
        yield JsonView(id="log-detail")
        yield Footer(compact=True)
        yield WaitStatus()  # another screen's slow request is named here too (no I/O of its own to stop)

    def on_mount(self) -> None:
        table = self.query_one("#log-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        for record in self.context.requests:
            self.all_records.append(record)
            self._add(record)
        self._unsubscribe.append(self.context.requests.subscribe(self._on_record))
        self._update_title()
        if self.records:
            table.move_cursor(row=len(self.records) - 1)
            self._show(len(self.records) - 1)
        else:
            self.query_one("#log-detail", JsonView).load_text("No requests yet.")
        table.focus()

    def on_unmount(self) -> None:
        for stop in self._unsubscribe:
            if callable(stop):
                stop()

    def _on_record(self, record: RequestRecord) -> None:
        table = self.query_one("#log-table", DataTable)
        following = table.cursor_row == len(self.records) - 1
        self.all_records.append(record)
        if not self._matches(record):
            self._update_title()
            return
        self._add(record)
        self._update_title()
        if following:
            table.move_cursor(row=len(self.records) - 1)

    def _add(self, record: RequestRecord) -> None:
        table = self.query_one("#log-table", DataTable)
        index = len(self.records)
        self.records.append(record)
        number = self._numbers.setdefault(id(record), len(self._numbers) + 1)
        status = record.status
        status_style = "" if status is not None and status < 400 else "bold red"
        timing = f"{record.duration_ms:,.0f} ms" if self.context.show_timings else "—"
        table.add_row(
            Text(str(number)), Text(str(status) if status is not None else "—", style=status_style),
            Text(record.method), Text(timing, justify="right"),
            Text(human_size(record.bytes_received), justify="right"),
            Text(str(record.retries) if record.retries else "", justify="right"),
            literal(one_line(record.path, 200)),
            key=str(index),
        )

    def _update_title(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append("HTTP log", style="bold")
        failed = sum(1 for r in self.all_records if r.status is None or r.status >= 400)
        text.append(f" · {len(self.all_records):,} requests", style="dim")
        if self._filter:
            text.append(f" · {len(self.records):,} match “{one_line(self._filter, 30)}”", style="bold")
        if failed:
            text.append(f" · {failed:,} failed", style="bold red")
        text.append(" · Authorization redacted · C: copy as curl ($IOX_TOKEN)", style="dim")
        self.query_one("#log-title", Static).update(text, layout=False)

    @on(DataTable.RowHighlighted, "#log-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    @on(DataTable.RowSelected, "#log-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._show(event.cursor_row)
        self.query_one("#log-detail", JsonView).focus()

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.records):
            self.query_one("#log-detail", JsonView).load_text(exchange_text(self.records[row], self.context))

    @property
    def selected(self) -> RequestRecord | None:
        """The record under the table cursor."""
        row = self.query_one("#log-table", DataTable).cursor_row
        return self.records[row] if 0 <= row < len(self.records) else None

    def action_copy_curl(self) -> None:
        """``C``: copy the selected request as a curl command (token as ``$IOX_TOKEN``)."""
        record = self.selected
        if record is None:
            self.notify("No request selected.", severity="warning")
            return
        self.app.copy_to_clipboard(curl_command(record, self.context.origin))
        self.notify("Copied as curl (set IOX_TOKEN before running it).", markup=False)

    def _matches(self, record: RequestRecord) -> bool:
        if not self._filter:
            return True
        haystack = f"{record.method} {record.path} {record.status if record.status is not None else 'none'}"
        return self._filter in haystack.lower()

    def _refill(self) -> None:
        table = self.query_one("#log-table", DataTable)
        table.clear()
        self.records = []
        for record in self.all_records:
            if self._matches(record):
                self._add(record)
        self._update_title()
        if self.records:
            table.move_cursor(row=len(self.records) - 1)
            self._show(len(self.records) - 1)

    @on(Input.Changed, "#log-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = event.value.strip().lower()
        self._refill()

    @on(Input.Submitted, "#log-filter")
    def _filter_submitted(self) -> None:
        self.query_one("#log-table", DataTable).focus()

    def action_filter(self) -> None:
        """``/``: show only requests whose method, path or status contains a text."""
        field = self.query_one("#log-filter", Input)
        field.display = True
        field.focus()

    def action_back(self) -> None:
        """``escape``: clear the filter, or go back."""
        field = self.query_one("#log-filter", Input)
        if field.display:
            field.value = ""
            field.display = False
            self._filter = ""
            self._refill()
            self.query_one("#log-table", DataTable).focus()
        else:
            self.app.pop_screen()

    def action_clear(self) -> None:
        """``x``: forget the requests shown so far."""
        self.context.requests.clear()
        self.records.clear()
        self.all_records.clear()
        self._numbers.clear()
        self.query_one("#log-table", DataTable).clear()
        self.query_one("#log-detail", JsonView).load_text("Log cleared.")
        self._update_title()
