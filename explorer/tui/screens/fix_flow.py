"""``T`` on marked errors: patch their retry data — edit the patch, preview, confirm, write, retry, report.

Why a controller object (like ``errors_actions.BulkRunner``): the step errors screen, the cross-step view and
the journal (batch undo) run the same sequence of screens over ``explorer.services.fix_run``; keeping it here
keeps those screens about their lists. Every network step runs in a worker with a progress dialog whose
``esc`` stops what is not yet sent; the services journal each write before it is sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from textual.screen import Screen

from explorer.client import ApiError, IntegratorClient
from explorer.journal import Draft, UnsafeName
from explorer.model import ErrorRecord
from explorer.services.bulk import BulkOptions, CancelToken
from explorer.services.fix_apply import ApplyReport, BatchJournal, apply_fix
from explorer.services.fix_patch import PatchOp, patch_text, starting_patch
from explorer.services.fix_retry import FixRetryReport, retry_fixed
from explorer.services.fix_run import (
    FixItem,
    FixOptions,
    FixPreview,
    preview_fix,
)
from explorer.services.fix_undo import preview_undo
from explorer.services.write_targets import READ_ONLY_REASON
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.errors_dialogs import BulkProgressDialog, ConfirmBulkDialog
from explorer.tui.screens.fix_dialogs import FixPreviewScreen, FixProgressDialog, PatchEditorScreen
from explorer.tui.stop_waiting import run_scoped

PATCH_DRAFT_KIND = "fixpatch"
"""Drafts kind of a patch being typed (one per step)."""
PATCH_HINT = ("RFC 6902 JSON Patch over each record (the retry data's data). Operations: add, remove, "
              "replace, move, copy, test — a test is a guard: a record it rejects is reported, not written. "
              "Started from the record under the cursor.")


class FixFlow:
    """Runs one bulk fix (or one batch undo) for a screen; ``on_written`` hears which records changed."""

    def __init__(self, screen: Screen[Any], client: IntegratorClient, context: WriteContext | None, *,
                 options: FixOptions | None = None, bulk_options: BulkOptions | None = None,
                 where: Callable[[FixItem], str] | None = None,
                 on_written: Callable[[ApplyReport], None] | None = None,
                 on_retried: Callable[[FixRetryReport], None] | None = None) -> None:
        self.screen = screen
        self.client = client
        self.context = context
        self.options = options or FixOptions()
        self.bulk_options = bulk_options or BulkOptions()
        self.where = where
        self.on_written = on_written
        self.on_retried = on_retried
        self.running = False
        self.last_patch: str | None = None
        """The patch text last previewed: offered again by the next ``T`` (nothing typed is lost)."""
        self.last_preview: FixPreview | None = None
        self.last_apply: ApplyReport | None = None
        self.last_retry: FixRetryReport | None = None
        self.cancel: CancelToken | None = None
        self.dialog: FixProgressDialog | None = None

    def refusal(self) -> str | None:
        """Why this session may not fix (None: it may)."""
        if self.context is None or self.context.read_only or self.client.read_only:
            return READ_ONLY_REASON
        return None

    # -- fix ----------------------------------------------------------------------------------------

    def start(self, records: Sequence[ErrorRecord], cursor: ErrorRecord | None) -> None:
        """``T``: open the patch editor for ``records``, started from ``cursor``'s retry data."""
        problem = self.refusal()
        if problem is not None:
            self.screen.notify(f"Not offered: {problem}", severity="warning", markup=False)
            return
        if self.running:
            self.screen.notify("A fix is already running.", severity="warning")
            return
        if not records:
            self.screen.notify("Nothing selected: mark rows with space (or a for all shown).",
                               severity="warning")
            return
        self.running = True
        # In the screen's cancel scope: esc stops a slow read of the sample's retry data (tui.stop_waiting).
        run_scoped(self.screen, self._begin(list(records), cursor), group="fix")

    def _draft_id(self, records: Sequence[ErrorRecord]) -> str:
        return f"{records[0].flow_id}.{records[0].step_id}"

    def _load_draft(self, records: Sequence[ErrorRecord]) -> str | None:
        context = self.context
        if context is None:
            return None
        try:
            draft = context.drafts.load(context.profile, PATCH_DRAFT_KIND, self._draft_id(records))
        except (OSError, UnsafeName):
            return None
        return draft.text if draft is not None else None

    def _save_draft(self, records: Sequence[ErrorRecord], text: str) -> None:
        """Keep the patch being typed (``drafts/<profile>/fixpatch/<flow>.<step>.json``): a crash or a closed
        terminal loses nothing, and the next ``T`` on the step offers it again."""
        self.last_patch = text
        context = self.context
        if context is None:
            return
        record = records[0]
        draft = Draft(profile=context.profile, kind=PATCH_DRAFT_KIND, id=self._draft_id(records),
                      path=f"flows/{record.flow_id}/{record.step_id}", base_last_modified=None,
                      base_document=None, text=text)
        with contextlib.suppress(OSError, UnsafeName):
            context.drafts.save(draft)

    async def _begin(self, records: list[ErrorRecord], cursor: ErrorRecord | None) -> None:
        text = self.last_patch or self._load_draft(records)
        if text is None:
            sample = cursor if cursor is not None and cursor.retry_data_key else next(
                (r for r in records if r.retry_data_key), None)
            data: Any = {}
            if sample is not None:
                try:
                    data = (await self.client.get_retry_data(sample.flow_id, sample.step_id,
                                                             sample.retry_data_key or "")).data
                except ApiError as exc:
                    self.screen.notify(f"Could not read the retry data to start the patch from: {exc}",
                                       severity="warning", markup=False)
            text = patch_text(starting_patch(sample or records[0], data))
        count = len(records)
        title = f"Patch the retry data of {count:,} error{'s' if count != 1 else ''}"
        self.running = False

        def edited(ops: list[PatchOp] | None) -> None:
            if ops is not None:
                self._preview(records, ops)

        editor = PatchEditorScreen(title, text, PATCH_HINT,
                                   on_text=lambda typed: self._save_draft(records, typed))
        self.screen.app.push_screen(editor, edited)

    def _progress(self, title: str, total: int) -> tuple[FixProgressDialog, CancelToken]:
        self.cancel = CancelToken()
        self.dialog = FixProgressDialog(title, total, self.cancel.cancel, self.cancel.abandon)
        self.screen.app.push_screen(self.dialog, self._progress_closed)
        return self.dialog, self.cancel

    def _progress_closed(self, answer: str | None) -> None:
        if answer == "retry" and self.last_apply is not None:
            self._retry(self.last_apply.written)

    def _preview(self, records: list[ErrorRecord], ops: list[PatchOp]) -> None:
        async def fetch(dialog: FixProgressDialog, cancel: CancelToken) -> FixPreview:
            return await preview_fix(self.client, records, ops, options=self.options, cancel=cancel,
                                     on_progress=dialog.show_progress)

        self._fetch(f"Fetching the retry data of {len(records):,} errors", len(records), fetch,
                    "Preview of the patch", undo_of=None)

    def _fetch(self, title: str, total: int,
               fetch: Callable[[FixProgressDialog, CancelToken], Awaitable[FixPreview]],
               preview_title: str, undo_of: str | None) -> None:
        """Fetch with a progress dialog (esc cancels), then show the preview — or why there is none."""
        self.running = True
        dialog, cancel = self._progress(title, total)

        async def run() -> None:
            try:
                preview = await fetch(dialog, cancel)
            finally:
                self.running = False
            self.last_preview = preview
            if preview.canceled or preview.stopped:
                dialog.show_report([*preview.summary_lines(), "Nothing was written."])
                return
            dialog.dismiss(None)
            self._show_preview(preview, preview_title, undo_of=undo_of)

        self.screen.run_worker(run(), group="fix", exclusive=True)

    def _show_preview(self, preview: FixPreview, title: str, undo_of: str | None) -> None:
        label = "Restore" if undo_of else "Apply"

        def decided(go: bool | None) -> None:
            if go:
                self._confirm(preview, undo_of)

        self.screen.app.push_screen(FixPreviewScreen(title, preview, where=self.where, apply_label=label),
                                    decided)

    def _confirm(self, preview: FixPreview, undo_of: str | None) -> None:
        count = len(preview.changed)
        verb = "Restore" if undo_of else "Write"
        lines: list[str | Any] = [
            f"{count:,} record(s) will get new retry data (PUT of the whole object, data replaced), paced "
            "under the rate limit.",
            "Each write is journaled before it is sent, as one batch: the journal (w) can undo it.",
            "", "esc during the run stops the writes not yet sent."]

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._apply(preview, undo_of)

        self.screen.app.push_screen(ConfirmBulkDialog(f"{verb} {count:,} records' retry data?", lines,
                                                      verb.lower()), confirmed)

    def _apply(self, preview: FixPreview, undo_of: str | None) -> None:
        context = self.context
        assert context is not None
        self.running = True
        changed = preview.changed
        dialog, cancel = self._progress(f"Writing {len(changed):,} records' retry data", len(changed))
        journal = BatchJournal(context.journal, context.profile, secrets=context.secrets, clock=context.clock,
                               account=context.account)
        label = (f"undo of {undo_of}: {len(changed):,} record(s)" if undo_of
                 else f"patch of {len(changed):,} record(s)")

        async def run() -> None:
            try:
                report = await apply_fix(self.client, preview.items, journal=journal, label=label,
                                         ops=preview.ops, undo_of=undo_of, options=self.options,
                                         cancel=cancel, on_progress=dialog.show_progress)
            finally:
                self.running = False
            self.last_apply = report
            offer = bool(report.written) and undo_of is None and not report.canceled
            dialog.show_report(report.lines(), offer_retry=offer)
            if report.written and self.on_written is not None:
                self.on_written(report)

        self.screen.run_worker(run(), group="fix", exclusive=True)

    def _retry(self, items: Sequence[FixItem]) -> None:
        self.running = True
        cancel = CancelToken()
        dialog = BulkProgressDialog(f"Retrying {len(items):,} patched records", len(items), cancel.cancel,
                                    cancel.abandon)
        self.screen.app.push_screen(dialog)

        async def run() -> None:
            try:
                report = await retry_fixed(self.client, items, options=self.bulk_options, cancel=cancel,
                                           on_progress=dialog.show_progress)
            finally:
                self.running = False
            self.last_retry = report
            dialog.show_report(report.lines())
            if self.on_retried is not None:
                self.on_retried(report)

        self.screen.run_worker(run(), group="fix", exclusive=True)

    # -- undo ---------------------------------------------------------------------------------------

    def undo(self, batch_id: str) -> None:
        """The journal's ``u`` on a batch: preview the restore of every record it wrote, then confirm."""
        problem = self.refusal()
        if problem is not None:
            self.screen.notify(f"Not offered: {problem}", severity="warning", markup=False)
            return
        context = self.context
        assert context is not None

        async def fetch(dialog: FixProgressDialog, cancel: CancelToken) -> FixPreview:
            return await preview_undo(self.client, context.journal, batch_id, account=context.account,
                                      options=self.options, cancel=cancel, on_progress=dialog.show_progress)

        self._fetch(f"Checking the records of {batch_id}", 1, fetch,
                    f"Undo {batch_id}: restore the retry data it replaced", undo_of=batch_id)

