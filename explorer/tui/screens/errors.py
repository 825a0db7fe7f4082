"""The errors screen of one flow step: Open and Resolved tabs, triage keys, retry and resolve.

Why standalone (constructed with the client and the ids, not reaching into the app): the tree's Errors node,
the command palette and tests all open it the same way, and it runs against any server — the simulator in
tests. All I/O happens in workers; rows stream in page by page and the first page shows at once.

After a retry the screen follows the retry job(s) until they end, then reloads Open: records that failed
again come back as new errors (new errorId, same traceKey) and are marked ↻. Resolve moves rows to the
Resolved tab. Read-only sessions do not offer (or accept) r, x or e.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, TabbedContent, TabPane

from explorer.client import ApiError, IntegratorClient
from explorer.model import ErrorRecord
from explorer.services.bulk import BulkKind, BulkOptions, BulkReport
from explorer.services.fix_retry import FixRetryReport
from explorer.services.fix_run import FixOptions
from explorer.services.retention import RETRY_DATA_KEPT
from explorer.tui.literal import one_line
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.errors_actions import BulkRunner
from explorer.tui.screens.errors_detail import ErrorDetailScreen, RetryDataEditorFactory
from explorer.tui.screens.fix_flow import FixFlow
from explorer.tui.stop_waiting import StopsWaiting, in_scope_of, scoped
from explorer.tui.widgets.errors_panel import EarlyPages, ErrorsPanel
from explorer.tui.widgets.ranked_footer import RankedFooter
from explorer.tui.widgets.wait_status import WaitStatus

OPEN_TAB = "open"
RESOLVED_TAB = "resolved"


class ErrorsScreen(StopsWaiting, Screen[None]):
    """Errors of one step. See the module docstring; keys are listed in the footer and in ``BINDINGS``."""

    DEFAULT_CSS = """
    ErrorsScreen > #errors-title { height: 1; padding: 0 1; background: $primary-muted; color: $text;
                                   text-style: bold; width: 1fr; }
    ErrorsScreen TabbedContent { height: 1fr; }
    ErrorsScreen TabPane { padding: 0; height: 1fr; }
    """
    AUTO_FOCUS: ClassVar[str | None] = "ErrorsTable"
    """The table, as soon as it is mounted (Textual's default focused the tabs first, and the footer built
    its keys twice: once for the tabs, once for the table)."""
    FOOTER_ORDER: ClassVar[tuple[str, ...]] = ("retry", "resolve", "toggle_mark", "mark_all", "open",
                                               "filter", "quick_filter", "close", "help")
    """The footer's keys, most used first (at 80 columns the rest do not fit; ``?`` lists them all)."""
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """Textual's own ``Screen.focused``, redeclared only to drop its repaint of the whole screen at each focus
    change (its watcher still runs). Why: ``/`` and esc move the focus between the table and the filter
    input, and that repaint put every line of the screen (and each container behind them) into the frame
    that shows the input, while 100,000 errors streamed: 10.5-11.7 ms for that frame quietly, 7.3-8.7 without
    it; esc 14.0-14.7, 11.3-12.1 (pilot, 120x40). What focus changes on screen is repainted anyway: the
    widgets whose focus styles change are restyled and refreshed by Textual."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry", id="errors.retry"),
        Binding("x", "resolve", "Resolve", id="errors.resolve"),
        Binding("T", "fix", "Fix data", show=False, id="errors.fix"),
        Binding("1", "show_tab('open')", "Open", show=False, id="errors.show_tab_open"),
        Binding("2", "show_tab('resolved')", "Resolved", show=False, id="errors.show_tab_resolved"),
        Binding("ctrl+r", "refresh", "Refresh", id="errors.refresh"),
        Binding("escape", "close", "Back", id="errors.close"),
    ]

    def __init__(
        self,
        client: IntegratorClient,
        flow_id: str,
        step_id: str,
        *,
        step_name: str = "",
        flow_name: str = "",
        read_only: bool = False,
        open_total: int | None = None,
        bulk_options: BulkOptions | None = None,
        export_dir: Path | None = None,
        retry_data_editor: RetryDataEditorFactory | None = None,
        on_changed: Callable[[], None] | None = None,
        fix_context: WriteContext | None = None,
        fix_options: FixOptions | None = None,
    ) -> None:
        """``open_total`` (from a badge) saves a request; ``on_changed`` is called after a retry/resolve so
        the caller can refresh its error badges; ``retry_data_editor`` opens the resource editor on retry
        data (``e`` in the error detail)."""
        super().__init__()
        self.client = client
        self.flow_id = flow_id
        self.step_id = step_id
        self.step_name = step_name or step_id
        self.flow_name = flow_name or flow_id
        self.read_only = read_only
        self.open_total = open_total
        self.export_dir = export_dir
        self.retry_data_editor = retry_data_editor
        self.on_changed = on_changed
        self.runner = BulkRunner(self, client, bulk_options)
        self.fixer = FixFlow(self, client, None if read_only else fix_context, options=fix_options,
                             bulk_options=bulk_options, on_retried=self._fix_retried,
                             where=lambda _item: self.where)
        """``T``: patch the marked errors' retry data (``fix_context`` gives the journal; None: no ``T``)."""
        self._resolved_loaded = False
        with in_scope_of(self):  # the first page is asked for now: esc can stop it (tui.stop_waiting)
            self._open_pages = EarlyPages(self._pages(resolved=False))

    @property
    def where(self) -> str:
        """``step (flow)`` as the title and dialogs say it."""
        return f"{self.step_name} ({self.flow_name})"

    def compose(self) -> ComposeResult:
        # READ-ONLY comes before the (long) step and flow names so a narrow terminal still shows it.
        mode = "READ-ONLY · " if self.read_only else ""
        yield Label(Text("Errors · ") + Text(mode) + Text(one_line(self.where)), id="errors-title")
        label = self.step_name
        with TabbedContent(initial=OPEN_TAB, id="tabs"):
            with TabPane("Open", id=OPEN_TAB):
                yield ErrorsPanel(id="open-panel", export_label=f"{label}-open", export_dir=self.export_dir)
            # Its panel is mounted when the tab is first shown (``_tab_shown``): composing and laying out a
            # second table delayed the Open tab's first row, and many triage sessions never open Resolved.
            yield TabPane("Resolved", id=RESOLVED_TAB)
        yield RankedFooter(held=True)  # built after the screen's first frame (``_build_footer``)
        yield WaitStatus()

    def _new_resolved_panel(self) -> ErrorsPanel:
        return ErrorsPanel(id="resolved-panel", resolved=True, export_label=f"{self.step_name}-resolved",
                           export_dir=self.export_dir)

    @property
    def open_panel(self) -> ErrorsPanel:
        """The Open tab's panel."""
        return self.query_one("#open-panel", ErrorsPanel)

    @property
    def resolved_panel(self) -> ErrorsPanel:
        """The Resolved tab's panel (mounted when the tab is first shown)."""
        return self.query_one("#resolved-panel", ErrorsPanel)

    @property
    def resolved_on_show(self) -> bool:
        """True while the Resolved tab is the one on show (its panel may still be mounting)."""
        return self.query_one("#tabs", TabbedContent).active == RESOLVED_TAB

    @property
    def active_panel(self) -> ErrorsPanel | None:
        """The panel of the tab on show; None for the Resolved tab in the moment before its panel is in."""
        if not self.resolved_on_show:
            return self.open_panel
        return self._mounted_resolved_panel()

    def _mounted_resolved_panel(self) -> ErrorsPanel | None:
        return next(iter(self.query("#resolved-panel").results(ErrorsPanel)), None)

    def on_mount(self) -> None:
        # The open list is loaded unfiltered, newest first: its positions say which errors have no retry data.
        self.open_panel.store.retry_data_kept = RETRY_DATA_KEPT
        self.open_panel.load(self._open_pages, self.open_total)
        self.open_panel.table.focus()
        if self.open_total is None:
            self._load_total()
        self.call_after_refresh(self._build_footer)

    def on_unmount(self) -> None:
        self._open_pages.cancel()  # closed before the first page was used

    def _pages(self, *, resolved: bool) -> Callable[[], AsyncIterator[Sequence[ErrorRecord]]]:
        def source() -> AsyncIterator[Sequence[ErrorRecord]]:
            return self.client.iter_errors(self.flow_id, self.step_id, resolved=resolved)
        return source

    @work(group="total")
    @scoped
    async def _load_total(self) -> None:
        """The step's open count from the flow summary, so the status line can say loaded/total."""
        try:
            counts = await self.client.flow_error_summary(self.flow_id)
        except ApiError:
            return  # the list still loads; only the total is unknown
        panel = self.open_panel
        total = next((entry.num_error for entry in counts if entry.step_id == self.step_id), None)
        if total is not None and panel.store.total is None:
            panel.store.total = max(total, len(panel.store.rows)) if panel.store.complete else total
            panel.update_status()

    # -- tabs ---------------------------------------------------------------------------------------

    async def action_show_tab(self, tab: str) -> None:
        """Switch between Open (1) and Resolved (2)."""
        self.query_one("#tabs", TabbedContent).active = tab
        await self._tab_shown(tab)

    @on(TabbedContent.TabActivated)
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        await self._tab_shown(event.pane.id or "")

    async def _tab_shown(self, tab: str) -> None:
        if tab == RESOLVED_TAB and not self._resolved_loaded:
            self._resolved_loaded = True
            panel = self._new_resolved_panel()
            await self.query_one(f"#{RESOLVED_TAB}", TabPane).mount(panel)
            panel.load(self._pages(resolved=True))
        panel_on_show = self.active_panel
        if panel_on_show is not None:
            panel_on_show.table.focus()
        self.refresh_bindings()

    def action_refresh(self) -> None:
        """Reload the tab on show (marks are kept)."""
        panel = self.active_panel
        if panel is not None:
            panel.reload()

    def action_close(self) -> None:
        """Back to where the screen was opened from."""
        self.dismiss(None)

    # -- actions ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide retry/resolve/fix in read-only sessions and on the Resolved tab."""
        if action in ("retry", "resolve", "fix"):
            if self.read_only:
                return False
            return not self.resolved_on_show if self.is_mounted else True
        return True

    def action_fix(self) -> None:
        """``T``: patch the retry data of the marked errors (or the group / row under the cursor)."""
        panel = self.open_panel
        self.fixer.start(panel.targets(), panel.table.cursor_record)

    def _fix_retried(self, report: FixRetryReport) -> None:
        if report.bulk.sent:
            self.open_panel.reload()
            if self.on_changed is not None:
                self.on_changed()

    def action_retry(self) -> None:
        """Retry the marked errors (or the one under the cursor)."""
        self._bulk("retry")

    def action_resolve(self) -> None:
        """Resolve the marked errors (or the one under the cursor)."""
        self._bulk("resolve")

    def _bulk(self, kind: BulkKind, records: Sequence[ErrorRecord] | None = None, *,
              confirm: bool = True) -> None:
        self.runner.act_on_panel(kind, self.open_panel, self.where, self._bulk_done, records, confirm=confirm)

    def _bulk_done(self, report: BulkReport) -> None:
        panel = self.open_panel
        verb = "retried" if report.kind == "retry" else "resolved"
        panel.say(f"{len(report.sent)} {verb}" + (" (canceled)" if report.canceled else ""))
        if report.sent:
            if report.kind == "retry":
                panel.reload()  # the job(s) ended (or were left): show the records that failed again
            resolved = self._mounted_resolved_panel()
            if resolved is not None:
                resolved.reload()
            if self.on_changed is not None:
                self.on_changed()

    # -- detail -------------------------------------------------------------------------------------

    @on(ErrorsPanel.FirstRows)
    @on(ErrorsPanel.Loaded)
    def _build_footer(self) -> None:
        """Build the footer's keys once the screen is painted, while the first page is on its way (or,
        at the latest, with the first rows).

        Why then: built with the screen, the keys delayed its first frame; built once the first rows were
        on screen, the first key pressed at the sight of them waited for the build and its layout (a cursor
        key answered in 50-68 ms, then 30-41 ms, in a pty while 100,000 errors streamed). In the round trip
        of the first page the loop is idle: the first key answered in 7-8 ms, with the first row on screen
        as soon as before (157/162/187 ms against 146/156/191, 3-5 runs; ``bench/errors.py``).
        """
        self.query_one(RankedFooter).release()

    @on(ErrorsPanel.OpenError)
    def _open_error(self, event: ErrorsPanel.OpenError) -> None:
        panel = event.panel
        record = event.record
        self.app.push_screen(ErrorDetailScreen(
            self.client, record, where=self.where, read_only=self.read_only,
            retryable=panel.store.is_retryable(record), refailed=panel.store.is_refailed(record),
            on_gone=panel.mark_gone, beyond_retention=panel.store.is_beyond(record),
            retry_now=None if panel.resolved else (lambda again: self._bulk("retry", [again], confirm=False)),
            editor=self.retry_data_editor,
        ))
