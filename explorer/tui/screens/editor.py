"""The JSON editor: edit a live document, see the diff, and PUT it without fear.

Why it is built this way:

* **Generic**: it edits "a JSON document at an API path with a GET and a PUT" (a
  :class:`~explorer.services.writes.DocumentTarget`): integrations, flows, exports, imports and connections
  are presets, and the errors screen reuses it for retry data. It is a standalone screen constructed with
  everything it needs: a :class:`WriteContext` (client, profile, drafts, journal, read-only, ``on_saved``)
  and the target.
* **One write path**: validate → diff/confirm → stale guard → PUT → journal all happen in
  :mod:`explorer.services.writes`, the code ``iox put`` uses too. This screen only shows and asks.
* **Nothing lost**: the text is saved as a draft while typing (debounced) and on leaving; a failed PUT keeps
  it; the next open of the same resource offers it back, also after a crash.
* **Size**: the in-app ``TextArea`` opens documents up to :data:`INLINE_MAX_BYTES` in under 0.3 s (measured
  by ``bench/edit.py``); a larger document goes to ``$VISUAL``/``$EDITOR`` automatically, with a note saying
  why, through the same validate → diff → confirm path (``ctrl+o`` does the same on request).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea

from explorer.client import ApiError, ValidationFailed
from explorer.journal import Draft, UnsafeName
from explorer.model.paths import parse_path
from explorer.services import json_check, write_targets, writes
from explorer.services.canonical import dump_text
from explorer.services.diff import short_json
from explorer.services.json_check import JsonProblem
from explorer.services.json_lines import JsonLineIndex
from explorer.services.write_targets import DocumentTarget
from explorer.services.write_truth import not_taken_notice
from explorer.services.writes import EditSession, Saved, WritePlan
from explorer.tui.literal import printable
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.editor_dialogs import (
    DRAFT_DISCARD,
    DRAFT_RESTORE,
    STALE_MERGE,
    STALE_OVERWRITE,
    DiffConfirmScreen,
    DraftOfferScreen,
    StaleChoiceScreen,
)
from explorer.tui.screens.editor_schema import EditorSchemaAssist
from explorer.tui.stop_waiting import StopsWaiting, scoped
from explorer.tui.widgets.doc_strip import DocStrip
from explorer.tui.widgets.edit_problems import EditProblems, Problem
from explorer.tui.widgets.json_text_area import JsonTextArea
from explorer.tui.widgets.wait_status import WaitStatus

INLINE_MAX_BYTES = 64_000
"""Largest document (UTF-8 bytes of its editor form) the in-app editor opens.

Measured with ``bench/edit.py`` (push to painted, 120x40): 40 KB 0.19 s, 60 KB 0.22 s, 80 KB 0.24 s, 90 KB
0.30 s at best; medians on the shared 2-core machine ran up to 1.5x that, so 64 KB leaves some room.
"""
VALIDATE_DELAY_S = 0.25
"""Typing pause before the JSON is checked again (the status line)."""
DRAFT_DELAY_S = 0.2
"""Typing pause before the draft is written to disk (a ``kill -9`` 0.3 s after the last key loses nothing)."""
DRAFT_MAX_WAIT_S = 1.0
"""During typing that never pauses, the draft is still written at least this often."""

EditMode = Literal["auto", "external"]

_KEY_PREFIX = re.compile(r'\s*"(?:[^"\\]|\\.)*":\s')


def human_size(size: int) -> str:
    """``38 KB``, ``2.1 MB``: sizes in notes."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(size // 1000, 1)} KB" if size >= 1000 else f"{size} bytes"


def locate_field(lines: Sequence[str], path: str) -> int | None:
    """The line (0-based) of the value at a 422 field path, or of its nearest existing parent.

    None when the lines are not in editor form (then nothing can be located without reformatting).
    """
    index = JsonLineIndex(lines)
    if not index.valid:
        return None
    try:
        parts = parse_path(path)
    except ValueError:
        parts = []
    while True:
        line = index.line_for(parts)
        if line is not None:
            return line
        if not parts:
            return 0
        parts = parts[:-1]


def value_column(line: str) -> int:
    """Where the value starts on an editor-form line (after ``"key": ``), for the cursor."""
    match = _KEY_PREFIX.match(line)
    return match.end() if match else len(line) - len(line.lstrip())


class EditorScreen(StopsWaiting, Screen[Saved | None]):
    """Edits one document; dismisses with the :class:`Saved` outcome, or None when left without saving."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", priority=True, id="edit.submit"),
        Binding("ctrl+o", "external", "Open in $EDITOR", priority=True, id="edit.external"),
        Binding("f8", "problem(1)", "Next problem", id="edit.next_problem"),
        Binding("shift+f8", "problem(-1)", "Previous problem", show=False, id="edit.previous_problem"),
        Binding("escape", "leave", "Back (draft kept)", priority=True, id="edit.leave"),
        Binding("f1", "field_doc", "Field doc", id="edit.field_doc"),
        Binding("ctrl+space,ctrl+@", "complete", "Values", priority=True, id="edit.complete"),
        Binding("ctrl+r", "reload", "Load again", id="edit.reload"),
    ]
    """Submit, hand over to $EDITOR, walk the problem list, leave (the draft is kept); load the document
    again after its GET failed (or ``esc`` stopped waiting for it)."""

    DEFAULT_CSS = """
    EditorScreen #edit-title { height: 1; padding: 0 1; background: $panel; }
    EditorScreen #edit-body { height: 1fr; }
    EditorScreen #edit-area { width: 1fr; height: 1fr; }
    EditorScreen #edit-note { width: 1fr; height: 1fr; padding: 1 2; }
    EditorScreen #edit-problems { display: none; }
    EditorScreen #edit-status { height: 1; padding: 0 1; background: $panel; }
    EditorScreen #edit-status.-error { background: $error-muted; color: $text; }
    EditorScreen #edit-status.-ok { color: $text-success; }
    """

    def __init__(
        self,
        context: WriteContext,
        target: DocumentTarget,
        *,
        mode: EditMode = "auto",
        undo: bool = False,
        document: Any = None,
        inline_max_bytes: int = INLINE_MAX_BYTES,
        draft_delay_s: float = DRAFT_DELAY_S,
    ) -> None:
        """``mode="external"`` opens $EDITOR at once (the ``E`` key); ``undo`` starts "undo my last PUT";
        ``document`` is the copy the app already fetched (skips the first GET; the stale guard still checks).
        """
        super().__init__()
        self.context = context
        self.target = target
        self.mode: EditMode = mode
        self.undo = undo
        self.document = document
        self.inline_max_bytes = inline_max_bytes
        self.draft_delay_s = draft_delay_s
        self.session: EditSession | None = None
        self.json_problem: JsonProblem | None = None
        self._text = ""
        self._area: TextArea | None = None
        self._editor_widget: TextArea | None = None
        self._external_mode = False
        self._busy = False
        self._load_failed = False
        self._finished = False
        self._validate_timer: Timer | None = None
        self._draft_timer: Timer | None = None
        self._changed_at = 0.0
        self._unsaved_since: float | None = None
        self.schema = EditorSchemaAssist(self, context.schemas, target.kind)
        """Field docs, checks and completion from Celigo's schemas (``editor_schema``)."""

    # ------------------------------------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        title = Text(printable(self.target.label), style="bold")
        title.append("   PUT " + write_targets.request_path(self.context.api, self.target), style="dim")
        yield Static(title, id="edit-title")
        with Horizontal(id="edit-body"):
            yield Static(Text("Loading…"), id="edit-note")
            # Built now, filled later: its styles are applied while the GET is in flight, so showing the
            # document costs one load and one paint.
            area = JsonTextArea.code_editor("", language="json", id="edit-area")
            area.display = False
            self._editor_widget = area
            yield area
            yield EditProblems(id="edit-problems")
        yield DocStrip(id="edit-doc")
        yield Static(Text(""), id="edit-status")
        yield Footer()
        yield WaitStatus()

    def on_mount(self) -> None:
        refusal = write_targets.write_refusal(self.context.read_only)
        if refusal is not None:
            self._note(f"Editing is switched off: {refusal}.\n\nesc: back")
            self._status(f"Read-only: {refusal}", error=True)
            self.notify(f"Cannot edit: {refusal}", severity="warning", markup=False)
            return
        self._load()

    @property
    def area(self) -> TextArea | None:
        """The in-app editor, once the document is loaded (None in $EDITOR mode)."""
        return self._area

    @property
    def text(self) -> str:
        """The text being edited (in the TextArea, or the last text back from $EDITOR)."""
        return self._area.text if self._area is not None else self._text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that cannot work now: nothing to submit before loading or when read-only."""
        if action in ("submit", "external"):
            return self.session is not None and not self.context.read_only and not self._busy
        if action == "problem":
            return bool(self.query_one(EditProblems).problems)
        if action in ("field_doc", "complete"):
            return self._area is not None and self.schema.applies
        if action == "reload":
            return self._load_failed
        return True

    def action_reload(self) -> None:
        """``ctrl+r`` after a failed load: GET the document again."""
        if self._load_failed:
            self._load_failed = False
            self.refresh_bindings()
            self._note("Loading…")
            self._load()

    # ------------------------------------------------------------------------------------------- loading
    @work(exclusive=True, group="edit-load")
    @scoped
    async def _load(self) -> None:
        """GET the document (or the journal's before-document for undo), offer a draft, open the editor."""
        try:
            ctx = self.context
            if self.undo:
                undo = await writes.begin_undo(ctx.api, self.target, ctx.profile, ctx.journal,
                                               account=ctx.account)
                session, text = undo[0], undo[1]
            elif self.document is not None:
                session = writes.new_session(ctx.api, self.target, ctx.profile, self.document)
                text = session.base_text
            else:
                session = await writes.begin_edit(ctx.api, self.target, ctx.profile)
                text = session.base_text
        except writes.NothingToUndo as exc:
            self._note(f"Nothing to undo: {exc}.\n\nesc: back")
            self.notify(f"Nothing to undo: {exc}", severity="warning", markup=False)
            return
        except writes.UndoRefused as exc:
            self._note(f"Undo refused: {exc}.\n\nesc: back")
            self.notify(f"Undo refused: {exc}", severity="warning", markup=False)
            return
        except ApiError as exc:
            self._load_failed = True
            self.refresh_bindings()
            self._note(f"Could not load {self.target.label}:\n{exc}\n\nctrl+r: load again    esc: back")
            self._status(f"Load failed: {exc}", error=True)
            self.notify(f"Could not load: {exc}", severity="error", markup=False)
            return
        self.session = session
        if not self.undo:
            draft = self._load_draft()
            if draft is not None and writes.draft_differs(draft, session):
                summary = writes.summarize_draft(draft, session)
                choice = await self.app.push_screen_wait(DraftOfferScreen(self.target.label, summary))
                if choice == DRAFT_RESTORE:
                    self.session = writes.restore_session(self.context.api, self.target, draft)
                    text = draft.text
                elif choice == DRAFT_DISCARD:
                    self._discard_draft()
                else:
                    self.dismiss(None)
                    return
        self.refresh_bindings()
        await self._open(text)
        if self.undo:
            self.call_after_refresh(self.action_submit)

    def _load_draft(self) -> Draft | None:
        try:
            return writes.load_draft(self.context.drafts, self.context.profile, self.target)
        except (OSError, UnsafeName) as exc:
            self.notify(f"Drafts unavailable: {exc}", severity="warning", markup=False)
            return None

    async def _open(self, text: str) -> None:
        size = len(text.encode("utf-8"))
        self._text = text
        if self.mode == "external" or size > self.inline_max_bytes:
            self._external_mode = True
            editor = self.context.external_editor.describe()
            if self.mode == "external":
                why = f"Editing in {editor}, as asked."
            else:
                why = (f"This document is {human_size(size)}. The in-app editor opens documents up to "
                       f"{human_size(self.inline_max_bytes)} (larger ones take more than 0.3 s to open), "
                       f"so it opens in {editor}.")
            self._note(f"{why}\n\nWhen you save and quit, the change is checked, shown as a diff and "
                       "confirmed here.\n\nctrl+o: open it again    ctrl+s: review and submit    "
                       "esc: leave (draft kept)")
            self._validate()
            if not self.undo:  # an undo goes straight to its diff; ctrl+o still opens the editor
                self.call_after_refresh(self.action_external)
            return
        area = self._editor_widget
        assert area is not None
        with self.prevent(TextArea.Changed):  # loading is not an edit: no draft, no re-check
            area.load_text(text)
        self._area = area
        self.query_one("#edit-note", Static).display = False
        area.display = True
        area.focus()
        self._validate()
        self.schema.opened()

    # ------------------------------------------------------------------------------------------- typing
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Re-check the JSON and save the draft once typing pauses."""
        if event.text_area is not self._area:
            return
        if self._validate_timer is not None:
            self._validate_timer.stop()
        self._validate_timer = self.set_timer(VALIDATE_DELAY_S, self._validate)
        # One timer per pause, not one per key: it re-arms itself until typing rests (or max wait passes).
        self._changed_at = time.monotonic()
        if self._unsaved_since is None:
            self._unsaved_since = self._changed_at
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(self.draft_delay_s, self._draft_due)
        self.schema.text_changed()

    def _draft_due(self) -> None:
        """Write the draft once typing paused ``draft_delay_s``, or after ``DRAFT_MAX_WAIT_S`` regardless."""
        self._draft_timer = None
        now = time.monotonic()
        quiet = now - self._changed_at
        unsaved = now - (self._unsaved_since if self._unsaved_since is not None else now)
        if quiet < self.draft_delay_s and unsaved < max(DRAFT_MAX_WAIT_S, self.draft_delay_s):
            self._draft_timer = self.set_timer(self.draft_delay_s - quiet, self._draft_due)
            return
        self._save_draft()

    def on_screen_suspend(self) -> None:
        """Another screen (a dialog, the diff) covers the editor: the draft is written now."""
        if self._unsaved_since is not None:
            self._save_draft()

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        """The doc strip follows the cursor (once it rests)."""
        if event.text_area is self._area:
            self.schema.cursor_moved()

    def action_field_doc(self) -> None:
        """``f1``: everything Celigo's schema says about the field under the cursor."""
        self.schema.show_field_doc()

    def action_complete(self) -> None:
        """``ctrl+space``: pick one of the values the schema allows here."""
        self.schema.complete()

    def _validate(self) -> None:
        self.json_problem = json_check.check_json(self.text)
        if self.json_problem is None:
            lines = self.text.count("\n") + 1
            self._status(f"✓ valid JSON · {lines} lines · ctrl+s to review the change", ok=True)
        else:
            self._status(f"✗ JSON error at {self.json_problem} — fix it to submit", error=True)
        self.schema.json_checked(self.json_problem)

    def _save_draft(self) -> None:
        """Write the draft now (or drop it when the text is back to where it started)."""
        self._unsaved_since = None
        if self.session is None:
            return
        text = self.text
        try:
            if text == self.session.base_text:
                self._discard_draft()
            else:
                writes.save_draft(self.context.drafts, self.session, text)
        except (OSError, UnsafeName) as exc:
            self.notify(f"Draft not saved: {exc}", severity="warning", markup=False)

    def _discard_draft(self) -> None:
        with contextlib.suppress(OSError, UnsafeName):
            self.context.drafts.discard(self.context.profile, self.target.kind, self.target.resource_id)

    def _flush_timers(self) -> None:
        for timer in (self._validate_timer, self._draft_timer):
            if timer is not None:
                timer.stop()
        self._validate_timer = self._draft_timer = None
        self.schema.stop()

    # ------------------------------------------------------------------------------------------- submit
    def action_submit(self) -> None:
        """Validate, then show the diff to confirm (invalid JSON is never submitted)."""
        if self.session is None or self._busy:
            return
        self._flush_timers()
        self._save_draft()
        self._validate()
        if self.json_problem is not None:
            self._goto_problem(self.json_problem)
            message = f"Invalid JSON cannot be submitted: {self.json_problem}"
            self.notify(message, severity="error", markup=False)
            return
        try:
            plan = writes.plan_write(self.session, self.text)
        except json_check.InvalidJson as exc:  # pragma: no cover - check_json said it was fine
            self.notify(str(exc), severity="error", markup=False)
            return
        if not plan.changed:
            self.notify("Nothing to submit: the document is the same as the server's.", markup=False)
            return
        self.schema.check_now()  # warnings only: the confirm screen repeats them, the PUT goes ahead
        self._confirm(plan, "Review the change")

    def _confirm(self, plan: WritePlan, title: str) -> None:
        def decided(confirmed: bool | None) -> None:
            if confirmed:
                self._submit(plan)
            elif self._area is not None:
                self._area.focus()

        notes = [str(problem) for problem in self.schema.problems]
        self.app.push_screen(DiffConfirmScreen(plan, title=title, schema_warnings=notes), callback=decided)

    @work(exclusive=True, group="edit-submit")
    @scoped
    async def _submit(self, plan: WritePlan) -> None:
        """Stale guard, PUT and journal (in the service); then act on the outcome."""
        self._busy = True
        self.refresh_bindings()
        self._status(f"Checking the server, then {plan.request_line} …")
        try:
            ctx = self.context
            outcome = await writes.submit_write(ctx.api, plan, journal=ctx.journal, drafts=ctx.drafts,
                                                clock=ctx.clock, secrets=ctx.secrets, account=ctx.account)
        finally:
            self._busy = False
            self.refresh_bindings()
        if isinstance(outcome, writes.Saved):
            if outcome.not_taken:
                self.notify(not_taken_notice(outcome.not_taken), title="Saved, but not as sent",
                            severity="warning", markup=False, timeout=30)
            else:
                self.notify(outcome.summary, title="Saved", markup=False)
            if outcome.journal_error:
                self.notify(outcome.journal_error, severity="warning", markup=False)
            self._finished = True  # saved: the draft is gone and must not come back on unmount
            if self.context.on_saved is not None:
                self.context.on_saved(outcome)
            self.dismiss(outcome)
            return
        if isinstance(outcome, writes.Stale):
            self._status("Not sent: the server's copy changed since you began", error=True)
            choice = await self.app.push_screen_wait(StaleChoiceScreen(outcome))
            await self._after_stale(plan, outcome, choice)
            return
        self._save_draft()
        self._status(outcome.summary, error=True)
        self.notify(outcome.summary, severity="error", markup=False)
        if isinstance(outcome.error, ValidationFailed):
            self._show_422(outcome.error)

    async def _after_stale(self, plan: WritePlan, stale: writes.Stale, choice: str) -> None:
        assert self.session is not None
        if choice == STALE_OVERWRITE:
            self.session = writes.rebase(self.session, stale.server_document)
            self._confirm(writes.plan_write(self.session, plan.text), "Overwrite the server's newer version")
        elif choice == STALE_MERGE:
            self.session, result, merged = writes.merge_onto(self.session, plan.text, stale.server_document)
            self._replace_text(merged)
            self._save_draft()
            if result.conflicts:
                problems = [
                    Problem.from_conflict(c, f"yours was {short_json(c.mine)}; server's kept")
                    for c in result.conflicts
                ]
                self.query_one(EditProblems).show(problems, f"{len(problems)} merge conflict(s)")
                self._jump(problems[0].path)
                message = (f"Merged onto the server's version with {len(problems)} conflict(s) (the server's "
                           "value was kept there). Check them, then ctrl+s.")
            else:
                self.query_one(EditProblems).hide()
                message = "Your edit was re-applied onto the server's version. ctrl+s to review and submit."
            self._status(message)
            self.notify(message, markup=False)
            self.refresh_bindings()
        else:
            self._status("Not sent. Your draft is kept.")

    # ------------------------------------------------------------------------------------------- 422
    def _show_422(self, error: ApiError) -> None:
        problems = [Problem.from_api(item) for item in error.errors]
        if not problems:
            problems = [Problem("(no field named)", error.message, None)]
        panel = self.query_one(EditProblems)
        panel.show(problems, f"422 · {len(problems)} problem(s)")
        self.refresh_bindings()
        self._jump(problems[0].path)
        if self._area is not None:
            self._area.focus()

    def on_edit_problems_jump(self, event: EditProblems.Jump) -> None:
        """A row of the problem list was highlighted or selected: move the cursor to its field."""
        if event.position is not None and self._area is not None:
            self._area.move_cursor(event.position, center=True)
            return
        self._jump(event.path)

    def action_problem(self, delta: int) -> None:
        """Next/previous problem in the list (the cursor follows)."""
        self.query_one(EditProblems).step(delta)

    def _jump(self, path: str | None) -> None:
        area = self._area
        if area is None or path is None:
            return
        lines = area.text.split("\n")
        line = locate_field(lines, path)
        if line is None:
            # Hand-formatted text cannot be mapped; the editor form of the same document can.
            try:
                doc = json_check.parse_document(area.text)
            except json_check.InvalidJson:
                return
            self._replace_text(dump_text(doc))
            self.notify("Reformatted the document to locate the field.", markup=False)
            lines = area.text.split("\n")
            line = locate_field(lines, path)
            if line is None:
                return
        area.move_cursor((line, value_column(lines[line])), center=True)

    def _goto_problem(self, problem: JsonProblem) -> None:
        if self._area is not None:
            self._area.move_cursor((problem.line - 1, max(problem.column - 1, 0)), center=True)
            self._area.focus()

    # ------------------------------------------------------------------------------------------- $EDITOR
    def action_external(self) -> None:
        """Hand the text to $VISUAL/$EDITOR (the app is suspended); then validate → diff → confirm."""
        if self.session is None or self._busy:
            return
        self._flush_timers()
        self._save_draft()
        result = self.context.external_editor.edit(self.app, self.text, self.target.kind)
        if result.error is not None:
            self._status(f"{result.error}", error=True)
            self.notify(result.error, severity="error", markup=False)
            return
        if not result.changed or result.text is None:
            self.notify(f"No change made in {result.editor}.", markup=False)
            return
        self._replace_text(result.text)
        self._save_draft()
        self._validate()
        if self.json_problem is not None:
            self._goto_problem(self.json_problem)
            message = f"JSON error at {self.json_problem}. ctrl+o to fix it in {result.editor}."
            self.notify(message, severity="error", markup=False)
            if self._external_mode:
                self._note(f"The edited document is not valid JSON:\n{self.json_problem}\n\n"
                           "ctrl+o: fix it in the editor    esc: leave (draft kept)")
            return
        self.action_submit()

    def _replace_text(self, text: str) -> None:
        """Put new text in the editor as one undoable edit (or keep it, in $EDITOR mode)."""
        self._text = text
        if self._area is not None:
            self._area.replace(text, (0, 0), self._area.document.end, maintain_selection_offset=False)

    # ------------------------------------------------------------------------------------------- leave
    def action_leave(self) -> None:
        """Back to where the editor was opened from; the draft (if any change) stays on disk."""
        self._flush_timers()
        if self.session is not None and not self._busy:
            self._save_draft()
            if self.text != self.session.base_text:
                self.notify("Draft kept: edit this resource again to continue.", markup=False)
        self._finished = True
        self.dismiss(None)

    def on_unmount(self) -> None:
        """The app is closing under the editor (quit, or the screen was replaced): keep what was typed."""
        self._flush_timers()
        if not self._finished and self.session is not None and not self._busy:
            self._save_draft()

    # ------------------------------------------------------------------------------------------- helpers
    def _note(self, message: str) -> None:
        note = self.query_one("#edit-note", Static)
        note.update(Text("\n".join(printable(line) for line in message.split("\n"))))
        note.display = True

    def _status(self, message: str, *, error: bool = False, ok: bool = False) -> None:
        status = self.query_one("#edit-status", Static)
        status.update(Text(printable(message)))
        status.set_class(error, "-error")
        status.set_class(ok, "-ok")

