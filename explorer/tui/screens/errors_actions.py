"""Retry / resolve from a screen: confirm with counts, a progress dialog, the bulk service, the report.

Why one runner for both errors screens (one step, and across steps): the rules — confirm first with what
will be sent and what will be skipped, show progress, ``esc`` stops the batches not yet sent, then a final
report — must be the same everywhere, and all the batching, pacing and 429 handling lives in
``explorer.services.bulk`` (the CLI's ``iox retry/resolve`` calls the same function).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.screen import Screen

from explorer.client import MAX_IDS_PER_CALL, IntegratorClient
from explorer.model import ErrorRecord
from explorer.services.bulk import (
    NOT_RETRYABLE,
    RETRY_DATA_GONE,
    BatchOutcome,
    BulkKind,
    BulkOptions,
    BulkReport,
    CancelToken,
    Planned,
    distinct_errors,
    plan_batches,
    run_bulk,
)
from explorer.services.error_list import ErrorList
from explorer.services.retention import BEYOND_RETENTION
from explorer.tui.literal import one_line
from explorer.tui.screens.errors_dialogs import BulkAsk, BulkProgressDialog
from explorer.tui.widgets.errors_panel import ErrorsPanel

SKIPPED_SHOWN = 8
"""Skipped errors listed by name in the confirm dialog (the rest are counted)."""


@dataclass(frozen=True)
class BulkPlan:
    """What the confirm dialog says: how many go, in how many batches, and which are skipped."""

    kind: BulkKind
    records: list[ErrorRecord]
    sendable: int
    batches: int
    skipped: list[tuple[ErrorRecord, str]]
    steps: int
    gone: frozenset[tuple[str, str, str]] = frozenset()
    beyond: frozenset[tuple[str, str, str]] = frozenset()
    planned: Planned | None = None
    """The batches themselves, handed to ``run_bulk`` so it does not plan them again."""
    requested: int | None = None
    """``distinct_errors(records)``, counted while the question is on screen, not after yes."""

    def title(self) -> str:
        """``Retry 2,345 errors?``"""
        verb = "Retry" if self.kind == "retry" else "Resolve"
        return f"{verb} {self.sendable:,} error{'s' if self.sendable != 1 else ''}?"

    def progress_title(self) -> str:
        """``Retrying 2,345 errors`` (``Retrying 1 error`` for the one-record retry of the detail screen)."""
        verb = "Retrying" if self.kind == "retry" else "Resolving"
        return f"{verb} {self.sendable:,} error{'s' if self.sendable != 1 else ''}"

    def lines(self, where: str) -> list[str | Text]:
        """The body of the confirm dialog."""
        out: list[str | Text] = []
        step_words = f"{self.steps} steps" if self.steps > 1 else where
        out.append(f"{self.sendable:,} of {len(self.records):,} selected, from {step_words}, "
                   f"in {self.batches} batch{'es' if self.batches != 1 else ''} of at most 1000.")
        if self.kind == "retry":
            out.append("A retry re-processes the records: each batch is sent once, paced under the "
                       "rate limit.")
        else:
            out.append("Resolved errors leave the Open list and appear under Resolved.")
        if self.skipped:
            out.append("")
            out.append(f"{len(self.skipped):,} not retryable (skipped):")
            for record, reason in self.skipped[:SKIPPED_SHOWN]:
                why = "no retry data" if reason == NOT_RETRYABLE else (
                    "retry data gone" if reason == RETRY_DATA_GONE else
                    "beyond the newest 20,000: no retry data" if reason == BEYOND_RETENTION else reason)
                out.append(Text("  ") + Text(one_line(f"{record.error_id} · {record.code or '-'} · "
                                                      f"{record.message}", 90)) + Text(f"  ({why})"))
            if len(self.skipped) > SKIPPED_SHOWN:
                out.append(f"  … and {len(self.skipped) - SKIPPED_SHOWN:,} more")
        out.append("")
        out.append("esc during the run stops the batches not yet sent.")
        return out


def make_plan(kind: BulkKind, records: Sequence[ErrorRecord], store: ErrorList,
              batch_size: int = MAX_IDS_PER_CALL) -> BulkPlan:
    """Plan an action over ``records`` the way the bulk service will run it."""
    gone, beyond = frozenset(store.gone), frozenset(store.beyond)
    batches, skipped = plan_batches(kind, records, gone=gone, beyond=beyond, batch_size=batch_size)
    return BulkPlan(kind, list(records), sum(len(rows) for *_, rows in batches), len(batches), skipped,
                    len({(flow, step) for flow, step, _ in batches}), gone, beyond, (batches, skipped),
                    distinct_errors(records))


DROP_EVERY_S = 0.5
"""How long accepted rows may stay on screen while more batches are answered (``act_on_panel``)."""


class BulkRunner:
    """Drives one bulk action for a screen; ``on_sent`` and ``on_done`` let the screen update its lists."""

    def __init__(self, screen: Screen[Any], client: IntegratorClient, options: BulkOptions | None) -> None:
        self.screen = screen
        self.client = client
        self.options = options or BulkOptions()
        self.running = False
        self.cancel: CancelToken | None = None
        self.last_report: BulkReport | None = None
        self.dialog: BulkProgressDialog | None = None

    def confirm_and_run(self, kind: BulkKind, records: Sequence[ErrorRecord], store: ErrorList, where: str,
                        on_sent: Callable[[BatchOutcome], None],
                        on_done: Callable[[BulkReport], None]) -> None:
        """Ask first (with counts), then run with a progress dialog; nothing to send ⇒ just say why."""
        if self.running:
            self.screen.notify("A bulk action is already running.", severity="warning")
            return
        plan = make_plan(kind, records, store, self.options.batch_size)
        if not records:
            self.screen.notify("Nothing selected: mark rows with space (or a for all shown).",
                               severity="warning")
            return
        if plan.sendable == 0:
            self.screen.notify(f"None of the {len(records)} selected can be retried (no retry data).",
                               severity="warning")
            return

        label = "retry" if kind == "retry" else "resolve"

        def confirmed(dialog: BulkProgressDialog) -> None:
            self._start(plan, on_sent, on_done, dialog)

        async def open_connections(dialog: BulkProgressDialog) -> None:
            # While the question is read: each batch that may be on the wire at once finds its connection
            # open after yes (TCP and TLS, two round trips each on the real API, were paid after it).
            count = min(plan.batches, self.options.in_flight)
            await self.client.keep_connections_open(count, lambda: dialog.asking)

        # One dialog asks, then shows the progress in place (see BulkProgressDialog: a confirm dialog
        # popped for a progress dialog pushed cost the burst of batches 25-45 ms of the UI loop).
        ask = BulkAsk(plan.title(), plan.lines(where), label, confirmed, while_asked=open_connections)
        self.screen.app.push_screen(self._dialog(plan, ask))

    def act_on_panel(self, kind: BulkKind, panel: ErrorsPanel, where: str,
                     on_done: Callable[[BulkReport], None], records: Sequence[ErrorRecord] | None = None, *,
                     confirm: bool = True) -> None:
        """Retry/resolve from a panel: its marks (or ``records``); accepted batches leave the panel at once
        (retried ones are remembered so their repeats show ↻); gone retry data is noted at the end."""
        targets = list(records) if records is not None else panel.targets()
        accepted: list[ErrorRecord] = []

        def drop_accepted() -> None:
            # Accepted rows leave at most DROP_EVERY_S after their batch, and every batch answered meanwhile
            # in the same walk of the rows: a walk of 100,000 rows per batch cost 20-90 ms of the UI loop
            # each while the other batches' answers waited (a 10,000-error retry is 10 batches answered
            # within ~0.1 s: now one walk, at the end; issue 10, measured).
            if not accepted:
                return
            gone = list(accepted)
            accepted.clear()
            if kind == "retry":
                panel.store.note_retried(gone)
            panel.forget(gone)

        def on_sent(batch: BatchOutcome) -> None:
            if not accepted:
                panel.set_timer(DROP_EVERY_S, drop_accepted)
            accepted.extend(batch.records)

        def done(report: BulkReport) -> None:
            drop_accepted()
            if report.gone:
                panel.store.gone.update(report.gone)
                panel.table.refresh()
            on_done(report)

        if confirm:
            self.confirm_and_run(kind, targets, panel.store, where, on_sent, done)
        else:
            self.run_now(kind, targets, panel.store, on_sent, done)

    def run_now(self, kind: BulkKind, records: Sequence[ErrorRecord], store: ErrorList,
                on_sent: Callable[[BatchOutcome], None], on_done: Callable[[BulkReport], None]) -> None:
        """Run without asking (the caller already confirmed, e.g. "retry this record now")."""
        if self.running:
            self.screen.notify("A bulk action is already running.", severity="warning")
            return
        self._start(make_plan(kind, records, store, self.options.batch_size), on_sent, on_done)

    def _dialog(self, plan: BulkPlan, ask: BulkAsk | None = None) -> BulkProgressDialog:
        """The progress dialog of ``plan``, over a new cancel token (asking first with ``ask``)."""
        self.cancel = cancel = CancelToken()
        total = plan.sendable + len(plan.skipped)
        return BulkProgressDialog(plan.progress_title(), total, cancel.cancel, cancel.abandon, ask=ask)

    def _start(self, plan: BulkPlan, on_sent: Callable[[BatchOutcome], None],
               on_done: Callable[[BulkReport], None], dialog: BulkProgressDialog | None = None) -> None:
        """Run ``plan`` in a worker; ``dialog`` is the one that asked (on screen already), else one is pushed.

        The worker is started before anything is painted: its batches' requests are written in the next
        turns of the event loop, ahead of the dialog's repaint (issue 10: the batches' arrival at the server
        spread over the UI's work in between).
        """
        self.running = True
        if dialog is None:
            dialog = self._dialog(plan)
            self.screen.app.push_screen(dialog)
        else:  # it asked: it shows the progress once the burst is written (see BulkProgressDialog)
            self._show_when_written(dialog, min(plan.batches, self.options.burst, self.options.in_flight))
        self.dialog = dialog
        # The worker belongs to the dialog: its state messages went to the errors screen beneath, which
        # then repainted the whole dialog screen over it (a screen below a modal one forwards a full repaint
        # when it next handles a message: 7-10 ms of the UI loop as the batches left, measured).
        dialog.run_worker(self._run(plan, on_sent, on_done), group="bulk", exclusive=True)

    def _show_when_written(self, dialog: BulkProgressDialog, burst: int) -> None:
        """``dialog.show_running`` once the first ``burst`` requests of the action are written."""
        assert self.cancel is not None
        written = 0

        def one_more() -> None:
            nonlocal written
            written += 1
            if written == burst:
                dialog.show_running()

        self.cancel.on_written = one_more

    async def _run(self, plan: BulkPlan, on_sent: Callable[[BatchOutcome], None],
                   on_done: Callable[[BulkReport], None]) -> None:
        dialog, cancel = self.dialog, self.cancel
        assert dialog is not None and cancel is not None
        try:
            report = await run_bulk(self.client, plan.kind, plan.records, options=self.options, cancel=cancel,
                                    on_progress=dialog.show_progress, gone=plan.gone, on_sent=on_sent,
                                    beyond=plan.beyond, planned=plan.planned, requested=plan.requested)
        finally:
            self.running = False
        self.last_report = report
        dialog.show_report(report.lines())
        on_done(report)
