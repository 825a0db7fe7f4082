"""Open errors across every step of a flow or an integration, grouped by code (``E`` on a tree node).

Why: a broken connection fails records in several steps and flows at once. This screen starts grouped by
code with counts (``G`` switches to classification or source), ``enter`` on a group drills into its rows,
and the usual keys then apply — filter, mark, ``r`` retry, ``x`` resolve — across steps: the bulk service
sends separate batches per step. Steps come from the summary endpoints, so only steps with open errors are
paged; a step or flow that cannot be read is named in the status line and the rest still loads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Label

from explorer.client import ApiError, IntegratorClient
from explorer.model import ErrorRecord, Flow
from explorer.services.bulk import BulkKind, BulkOptions, BulkReport
from explorer.services.cross_step import (
    StepFailure,
    StepRef,
    iter_step_pages,
    name_steps,
    steps_with_errors,
)
from explorer.services.fix_retry import FixRetryReport
from explorer.services.fix_run import FixOptions
from explorer.tui.literal import one_line
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.errors_actions import BulkRunner
from explorer.tui.screens.errors_detail import ErrorDetailScreen, RetryDataEditorFactory
from explorer.tui.screens.fix_flow import FixFlow
from explorer.tui.stop_waiting import StopsWaiting, scoped
from explorer.tui.widgets.errors_panel import ErrorsPanel
from explorer.tui.widgets.ranked_footer import RankedFooter
from explorer.tui.widgets.wait_status import WaitStatus


class CrossStepErrorsScreen(StopsWaiting, Screen[None]):
    """Errors of many steps in one list; give ``flows``, ``integration_id`` or ``flow_id``."""

    DEFAULT_CSS = """
    CrossStepErrorsScreen > #cross-title { height: 1; padding: 0 1; background: $primary-muted;
                                           text-style: bold; width: 1fr; }
    """
    FOOTER_ORDER: ClassVar[tuple[str, ...]] = ("retry", "resolve", "toggle_mark", "mark_all", "open",
                                               "filter", "quick_filter", "close", "help")
    """The footer's keys, most used first (at 80 columns the rest do not fit; ``?`` lists them all)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry", id="errors_all.retry"),
        Binding("x", "resolve", "Resolve", id="errors_all.resolve"),
        Binding("T", "fix", "Fix data", show=False, id="errors_all.fix"),
        Binding("ctrl+r", "refresh", "Refresh", id="errors_all.refresh"),
        Binding("escape", "close", "Back", id="errors_all.close"),
    ]

    def __init__(
        self,
        client: IntegratorClient,
        *,
        title: str,
        flows: Sequence[Flow] | None = None,
        integration_id: str | None = None,
        flow_id: str | None = None,
        step_names: Mapping[str, str] | None = None,
        read_only: bool = False,
        bulk_options: BulkOptions | None = None,
        export_dir: Path | None = None,
        retry_data_editor: RetryDataEditorFactory | None = None,
        on_changed: Callable[[], None] | None = None,
        fix_context: WriteContext | None = None,
        fix_options: FixOptions | None = None,
    ) -> None:
        """``step_names`` maps export/import ids to names (the tree's step catalog) for the step column."""
        super().__init__()
        if flows is None and integration_id is None and flow_id is None:
            raise ValueError("give flows, integration_id or flow_id")
        self.client = client
        self.title_text = title
        self.flows = list(flows) if flows is not None else None
        self.integration_id = integration_id
        self.flow_id = flow_id
        self.step_names = dict(step_names or {})
        self.read_only = read_only
        self.export_dir = export_dir
        self.retry_data_editor = retry_data_editor
        self.on_changed = on_changed
        self.runner = BulkRunner(self, client, bulk_options)
        self.fixer = FixFlow(self, client, None if read_only else fix_context, options=fix_options,
                             bulk_options=bulk_options, on_retried=self._fix_retried,
                             where=lambda item: self.step_names.get(item.record.step_id, item.record.step_id))
        """``T``: patch the marked errors' retry data (``fix_context`` gives the journal; None: no ``T``)."""
        self.steps: list[StepRef] = []
        self.failures: list[StepFailure] = []
        self._labels: dict[tuple[str, str], str] = {}

    def compose(self) -> ComposeResult:
        # READ-ONLY comes before the (long) title so a narrow terminal still shows it.
        mode = "READ-ONLY · " if self.read_only else ""
        yield Label(Text("Open errors across steps · ") + Text(mode) + Text(one_line(self.title_text)),
                    id="cross-title")
        yield ErrorsPanel(id="cross-panel", cross_step=True, export_label=f"{self.title_text}-all-steps",
                          export_dir=self.export_dir, step_names=self._labels)
        yield RankedFooter()
        yield WaitStatus()

    @property
    def panel(self) -> ErrorsPanel:
        """The one panel (open errors of every step)."""
        return self.query_one("#cross-panel", ErrorsPanel)

    def on_mount(self) -> None:
        self.panel.home_grouping = "code"
        self.panel.set_grouping("code")
        self.panel.table.focus()
        self.panel.say("finding steps with open errors…")
        self._discover()

    @work(exclusive=True, group="discover")
    @scoped
    async def _discover(self) -> None:
        """Which steps have open errors (one summary call per flow), then stream their pages."""
        try:
            flows = await self._flows()
        except ApiError as exc:
            self.panel.say(f"could not list the flows: {exc} · ctrl+r retries")
            return
        self.steps, self.failures = await steps_with_errors(self.client, flows, step_names=self.step_names)
        self.steps = await name_steps(self.client, flows, self.steps)
        self._labels.clear()
        for step in self.steps:
            self._labels[(step.flow_id, step.step_id)] = step.label
        self.panel.say(self._failure_words())
        self.panel.load(self._pages, sum(step.open_errors for step in self.steps))

    async def _flows(self) -> list[Flow]:
        if self.flows is not None:
            return self.flows
        if self.flow_id is not None:
            return [await self.client.get_flow(self.flow_id)]
        return await self.client.list_flows(self.integration_id)

    async def _pages(self) -> AsyncIterator[Sequence[ErrorRecord]]:
        async for _step, page in iter_step_pages(self.client, self.steps):
            if isinstance(page, StepFailure):
                self.failures.append(page)
                self.panel.say(self._failure_words())
                continue
            yield page

    def _failure_words(self) -> str:
        steps = f"{len(self.steps)} step{'s' if len(self.steps) != 1 else ''} with open errors"
        if not self.failures:
            return steps
        return f"{steps} · {len(self.failures)} could not be read: {self.failures[0].message}"

    # -- actions ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide retry/resolve/fix in read-only sessions."""
        return not (action in ("retry", "resolve", "fix") and self.read_only)

    def action_fix(self) -> None:
        """``T``: patch the retry data of the marked errors (or the group / row under the cursor)."""
        self.fixer.start(self.panel.targets(), self.panel.table.cursor_record)

    def _fix_retried(self, report: FixRetryReport) -> None:
        if report.bulk.sent:
            self._discover()
            if self.on_changed is not None:
                self.on_changed()

    def action_retry(self) -> None:
        """Retry the marked errors (across steps)."""
        self._bulk("retry")

    def action_resolve(self) -> None:
        """Resolve the marked errors (across steps)."""
        self._bulk("resolve")

    def _bulk(self, kind: BulkKind, records: Sequence[ErrorRecord] | None = None, *,
              confirm: bool = True) -> None:
        self.runner.act_on_panel(kind, self.panel, self.title_text, self._done, records, confirm=confirm)

    def _done(self, report: BulkReport) -> None:
        if report.sent:
            if report.kind == "retry":
                self._discover()
            if self.on_changed is not None:
                self.on_changed()

    def action_refresh(self) -> None:
        """Find the steps again and reload (marks are kept)."""
        self._discover()

    def action_close(self) -> None:
        """Back to the tree."""
        self.dismiss(None)

    @on(ErrorsPanel.OpenError)
    def _open_error(self, event: ErrorsPanel.OpenError) -> None:
        record = event.record
        store = self.panel.store
        self.app.push_screen(ErrorDetailScreen(
            self.client, record, where=self._labels.get((record.flow_id, record.step_id), record.step_id),
            read_only=self.read_only, retryable=store.is_retryable(record),
            refailed=store.is_refailed(record),
            on_gone=self.panel.mark_gone,
            retry_now=lambda again: self._bulk("retry", [again], confirm=False),
            editor=self.retry_data_editor,
        ))
