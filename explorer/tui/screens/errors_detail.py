"""One error in full: its JSON, its retry data and the HTTP request/response behind it.

Why three panes: fixing a failed record means reading what the server said (the error), what will be sent
again (retry data, ``GET .../{retryDataKey}/data``) and what the target system answered
(``GET .../requests/{reqAndResKey}``). Each loads in its own worker so a slow or missing one never blocks
the others. Retry data that is gone (404: the service keeps it for the latest 20,000 errors of a step) is
reported to the caller, which marks the error not retryable instead of letting a bulk retry fail on it.

``e`` hands the retry data to the resource editor (validation, diff, confirm, draft, journal — the edit
engineer's screen, passed in as a factory so this module does not depend on it), then offers "retry this
record now". Everything from the server is shown literally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, Static, TabbedContent, TabPane

from explorer.client import ApiError, IntegratorClient, NotFound
from explorer.model import ErrorRecord, RetryData
from explorer.services.write_targets import retry_data_target
from explorer.tui.literal import one_line
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.errors_dialogs import ConfirmBulkDialog
from explorer.tui.stop_waiting import StopsWaiting, scoped
from explorer.tui.widgets.errors_table import format_time
from explorer.tui.widgets.json_view import JsonView
from explorer.tui.widgets.wait_status import WaitStatus

RetryDataEditorFactory = Callable[[ErrorRecord], Screen[Any]]
"""Builds the editor screen for an error's retry data; the screen dismisses with a truthy value once the
edited data was saved (PUT), as ``EditorScreen`` does with its ``Saved`` outcome."""


def retry_data_editor(context: WriteContext) -> RetryDataEditorFactory:
    """The resource editor (validation, diff, confirm, stale guard, draft, journal) on retry data.

    ``context`` is the same ``WriteContext`` the app gives the resource editor. The editor GETs
    ``.../{retryDataKey}/data`` itself, so what it edits is fresh; the PUT goes through
    ``explorer.services.writes`` like every other edit.
    """
    def make(record: ErrorRecord) -> Screen[Any]:
        target = retry_data_target(record.flow_id, record.step_id, record.retry_data_key or "")
        return EditorScreen(context, target)

    return make



def exchange_summary(detail: Any) -> str:
    """``response 422 from <host> · request body stored on the server`` from Celigo's request/response detail
    (``response.status``, ``response.url``; a stored body has ``bodyKey`` instead of ``body``)."""
    if not isinstance(detail, dict):
        return "request/response"
    raw_response, raw_request = detail.get("response"), detail.get("request")
    response: dict[str, Any] = raw_response if isinstance(raw_response, dict) else {}
    request: dict[str, Any] = raw_request if isinstance(raw_request, dict) else {}
    status = response.get("status")
    url = response.get("url")
    host = urlsplit(url).hostname if isinstance(url, str) else None
    parts = [f"response {status if status is not None else '?'}" + (f" from {host}" if host else "")]
    for side, doc in (("request", request), ("response", response)):
        if "bodyKey" in doc and "body" not in doc:
            parts.append(f"{side} body stored on the server (bodyKey), not shown")
    return one_line(" · ".join(parts), 160)

class ErrorDetailScreen(StopsWaiting, Screen[None]):
    """Summary line, then tabs: Error (JSON), Retry data, Request / response."""

    DEFAULT_CSS = """
    ErrorDetailScreen > #detail-title { height: 1; padding: 0 1; background: $primary-muted; text-style: bold;
                                        width: 1fr; }
    ErrorDetailScreen > #detail-summary { height: auto; max-height: 8; padding: 0 1; }
    ErrorDetailScreen TabbedContent { height: 1fr; }
    ErrorDetailScreen TabPane { padding: 0; }
    ErrorDetailScreen .pane-note { height: auto; padding: 0 1; color: $text-warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_retry_data", "Edit retry data", id="error_detail.edit_retry_data"),
        Binding("r", "retry_now", "Retry now", id="error_detail.retry_now"),
        Binding("1", "show_tab('error')", "Error", show=False, id="error_detail.show_tab_error"),
        Binding("2", "show_tab('retry')", "Retry data", show=False, id="error_detail.show_tab_retry"),
        Binding("3", "show_tab('request')", "Request", show=False, id="error_detail.show_tab_request"),
        Binding("ctrl+r", "reload", "Load again", id="error_detail.reload"),
        Binding("escape", "close", "Back", id="error_detail.close"),
    ]

    def __init__(
        self,
        client: IntegratorClient,
        record: ErrorRecord,
        *,
        where: str = "",
        read_only: bool = False,
        retryable: bool | None = None,
        refailed: bool = False,
        on_gone: Callable[[ErrorRecord], None] | None = None,
        retry_now: Callable[[ErrorRecord], None] | None = None,
        editor: RetryDataEditorFactory | None = None,
        beyond_retention: bool = False,
    ) -> None:
        """``retry_now`` runs a one-record retry (None: not offered, e.g. for resolved errors);
        ``beyond_retention``: the error is past the newest 20,000 of its step: its data is not asked for."""
        super().__init__()
        self.client = client
        self.record = record
        self.where = where
        self.read_only = read_only
        self.retryable = record.retriable if retryable is None else retryable
        self.refailed = refailed
        self.on_gone = on_gone
        self.retry_now = retry_now
        self.editor = editor
        self.beyond_retention = beyond_retention
        self.retry_data: RetryData | None = None
        self.retry_data_note = ""

    def compose(self) -> ComposeResult:
        record = self.record
        title = Text("Error ") + Text(one_line(record.error_id))
        if self.where:
            title += Text(" · ") + Text(one_line(self.where))
        yield Label(title, id="detail-title")
        yield Static(self._summary(), id="detail-summary")
        with TabbedContent(initial="error", id="detail-tabs"):
            with TabPane("Error", id="error"):
                yield JsonView(id="error-json")
            with TabPane("Retry data", id="retry"):
                yield Static(Text(""), classes="pane-note", id="retry-note")
                yield JsonView(id="retry-json")
            with TabPane("Request / response", id="request"):
                yield Static(Text(""), classes="pane-note", id="request-note")
                yield JsonView(id="request-json")
        yield Footer()
        yield WaitStatus()

    def _summary(self) -> Text:
        record = self.record
        facts = [
            ("occurred", format_time(record.occurred_at) + " UTC" if record.occurred_at else "?"),
            ("source", record.source or "-"), ("code", record.code or "-"),
            ("class", record.classification or "-"), ("traceKey", record.trace_key or "-"),
        ]
        if record.resolved_at is not None:
            facts.append(("resolved", f"{format_time(record.resolved_at)} by {record.resolved_by or '?'}"))
        text = Text()
        for index, (name, value) in enumerate(facts):
            if index:
                text.append("  ")
            text.append(f"{name} ", style="dim")
            text.append(one_line(value))
        retry = "retryable" if self.retryable else "not retryable"
        if self.beyond_retention:
            retry += " · beyond the newest 20,000 errors of the step: no retry data"
        if self.refailed:
            retry += " · ↻ failed again after a retry (same traceKey)"
        text.append("\n")
        text.append(retry, style="bold")
        text.append("\n")
        text.append(one_line(record.message))  # literal: server text is never markup
        return text

    def on_mount(self) -> None:
        self.query_one("#error-json", JsonView).load(self.record.raw)
        self.query_one("#error-json", JsonView).focus()
        self._load_retry_data()
        self._load_request()

    # -- loading ------------------------------------------------------------------------------------

    def _note(self, pane: str, text: str) -> None:
        self.query_one(f"#{pane}-note", Static).update(Text(text))

    @work(group="retry-data", exclusive=True)
    @scoped
    async def _load_retry_data(self) -> None:
        record = self.record
        if not record.retry_data_key:
            self.retry_data_note = "This error has no retryDataKey: it cannot be retried."
            self._note("retry", self.retry_data_note)
            return
        if self.beyond_retention:
            self.retry_data_note = ("No retry data: integrator.io keeps it only for the newest 20,000 errors "
                                    "of a step, and this one is older. It cannot be retried or edited.")
            self._note("retry", self.retry_data_note)
            return
        self._note("retry", "loading retry data…")
        try:
            data = await self.client.get_retry_data(record.flow_id, record.step_id, record.retry_data_key)
        except NotFound:
            self.retryable = False
            self.retry_data_note = ("Retry data gone (404): the service keeps it only for the latest errors "
                                    "of a step. This error is now marked not retryable.")
            self._note("retry", self.retry_data_note)
            self.query_one("#detail-summary", Static).update(self._summary())
            if self.on_gone is not None:
                self.on_gone(record)
            self.refresh_bindings()
            return
        except ApiError as exc:
            self.retry_data_note = f"Could not load the retry data: {exc} · ctrl+r loads it again"
            self._note("retry", self.retry_data_note)
            return
        self.retry_data = data
        self.retry_data_note = f"retryDataKey {record.retry_data_key}" + (
            "" if self.read_only or self.editor is None else " · e: edit")
        self._note("retry", self.retry_data_note)
        self.query_one("#retry-json", JsonView).load(data.raw)
        self.refresh_bindings()

    @work(group="request", exclusive=True)
    @scoped
    async def _load_request(self) -> None:
        key = self.record.req_and_res_key
        if not key:
            self._note("request", "No HTTP request/response is recorded for this error (no reqAndResKey).")
            return
        self._note("request", "loading the HTTP request/response…")
        try:
            detail = await self.client.get_request_detail(self.record.flow_id, self.record.step_id, key)
        except ApiError as exc:
            self._note("request", f"Could not load the request/response: {exc} · ctrl+r loads it again")
            return
        self._note("request", f"{exchange_summary(detail)} · reqAndResKey {key}")
        self.query_one("#request-json", JsonView).load(detail)

    # -- actions ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide editing and retrying where they cannot apply (read-only, no retry data, resolved)."""
        if action == "edit_retry_data":
            return not self.read_only and self.editor is not None and self.retryable
        if action == "retry_now":
            return not self.read_only and self.retry_now is not None and self.retryable
        return True

    def action_show_tab(self, tab: str) -> None:
        """1: error, 2: retry data, 3: request/response."""
        self.query_one("#detail-tabs", TabbedContent).active = tab
        pane = {"error": "#error-json", "retry": "#retry-json", "request": "#request-json"}[tab]
        self.query_one(pane, JsonView).focus()

    def action_close(self) -> None:
        """Back to the list."""
        self.dismiss(None)

    def action_reload(self) -> None:
        """``ctrl+r``: ask again for the retry data and the request/response (after a failure or a stop)."""
        self._load_retry_data()
        self._load_request()

    def action_edit_retry_data(self) -> None:
        """Edit the retry data in the resource editor; once saved, offer to retry this record now."""
        if self.editor is None or self.read_only:
            return
        if self.retry_data is None:
            self.notify("The retry data is not loaded (yet).", severity="warning")
            return

        def edited(saved: Any) -> None:
            if not saved:
                return
            self._load_retry_data()
            self.offer_retry("Retry data saved.")

        self.app.push_screen(self.editor(self.record), edited)

    def offer_retry(self, first_line: str = "") -> None:
        """Ask "retry this record now?" and run the one-record retry when confirmed."""
        if self.retry_now is None or self.read_only:
            return
        lines: list[str | Text] = [first_line] if first_line else []
        lines += [Text("Retry ") + Text(one_line(self.record.error_id)) + Text(" now?"),
                  "The record is processed again with its current retry data."]

        def confirmed(answer: bool | None) -> None:
            if answer and self.retry_now is not None:
                self.retry_now(self.record)

        self.app.push_screen(ConfirmBulkDialog("Retry this record now?", lines, "retry"), confirmed)

    def action_retry_now(self) -> None:
        """``r``: retry this one record (asks first)."""
        self.offer_retry()
