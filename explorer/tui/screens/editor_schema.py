"""What the editor knows from Celigo's schemas: the doc strip, the checks while typing, value completion.

Why a helper beside :class:`~explorer.tui.screens.editor.EditorScreen` and not code inside it: the editor's
own job (load, draft, diff, PUT) is busy enough; this object is handed the screen and does the rest. It keeps
the keystroke path light: a key press only restarts timers. The doc strip is worked out when the cursor rests
(:data:`DOC_DELAY_S`), the checks when typing pauses (:data:`CHECK_DELAY_S`) and then in a worker thread, so
a 64 KB document never holds the event loop. ``ctrl+s`` checks at once (a 64 KB document takes about a
millisecond) so the confirm screen repeats exactly what the list shows. The checks are warnings: they never
block a PUT, as the schemas can lag the server.
"""

from __future__ import annotations

import json
import weakref
from typing import TYPE_CHECKING, Any

from textual.timer import Timer
from textual.widgets import TextArea

from explorer.model.paths import format_path
from explorer.services.json_check import JsonProblem
from explorer.services.json_cursor import key_at, lines_of, value_span
from explorer.services.schema_check import SchemaProblem
from explorer.services.schemas import SchemaLibrary
from explorer.tui.screens.field_doc import FieldDocScreen
from explorer.tui.screens.value_completion import ValueCompletionScreen
from explorer.tui.widgets.doc_strip import DocStrip
from explorer.tui.widgets.edit_problems import EditProblems, Problem

if TYPE_CHECKING:
    from explorer.tui.screens.editor import EditorScreen

DOC_DELAY_S = 0.12
"""Cursor rest before the doc strip follows it (arrow keys held down do no work per line)."""
CHECK_DELAY_S = 0.3
"""Typing pause before the schema checks run again."""

_told_missing: weakref.WeakSet[SchemaLibrary] = weakref.WeakSet()
"""Libraries whose absence was already told: the editor says once per session how to get them."""


class EditorSchemaAssist:
    """Doc strip, schema warnings and completion for one editor (inactive without a library or a schema)."""

    def __init__(self, screen: EditorScreen, library: SchemaLibrary | None, kind: str) -> None:
        self.screen = screen
        self.library = library
        self.kind = kind
        self.problems: list[SchemaProblem] = []
        self._doc_timer: Timer | None = None
        self._check_timer: Timer | None = None
        self._checked_text: str | None = None

    @property
    def applies(self) -> bool:
        """True when this document's kind has a published schema (installed or not: the keys say how to get
        it)."""
        return self.library is not None and self.library.covers(self.kind)

    @property
    def active(self) -> bool:
        """True when this document's kind has a schema and the schemas are installed."""
        return self.library is not None and self.library.covers(self.kind) and self.library.available

    @property
    def strip(self) -> DocStrip:
        """The editor's doc strip."""
        return self.screen.query_one("#edit-doc", DocStrip)

    # --- events from the editor -------------------------------------------------------------------------

    def opened(self) -> None:
        """The document is in the editor: first doc and check, or (once) how to get the schemas."""
        library = self.library
        if library is None or not library.covers(self.kind):
            return
        if not library.available:
            if library not in _told_missing:
                _told_missing.add(library)
                self.screen.notify(library.how_to_get() + " They add field docs and checks to this editor.",
                                   title="Celigo's schemas", markup=False)
            return
        self.cursor_moved()
        self._start_check()

    def cursor_moved(self) -> None:
        """The cursor moved: the strip follows once it rests."""
        if not self.active:
            return
        if self._doc_timer is not None:
            self._doc_timer.stop()
        self._doc_timer = self.screen.set_timer(DOC_DELAY_S, self.update_strip)

    def text_changed(self) -> None:
        """The text changed: check again once typing pauses (in a worker thread)."""
        if not self.active:
            return
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.screen.set_timer(CHECK_DELAY_S, self._start_check)

    def stop(self) -> None:
        """No more timers (the editor is leaving)."""
        for timer in (self._doc_timer, self._check_timer):
            if timer is not None:
                timer.stop()

    # --- doc strip --------------------------------------------------------------------------------------

    def _area(self) -> TextArea | None:
        return self.screen.area

    def update_strip(self) -> None:
        """Show what the schema says about the key under the cursor."""
        area = self._area()
        if area is None or self.library is None:
            return
        row, column = area.cursor_location
        found = key_at(area.text, row, column)
        self.strip.show_doc(self.library.field_doc(self.kind, found.parts) if found is not None else None)

    def show_field_doc(self) -> None:
        """``f1``: the whole description of the key under the cursor."""
        if not self.active:
            self.screen.notify(self._why_inactive(), markup=False)
            return
        self.update_strip()
        doc = self.strip.field_doc
        if doc is None:
            self.screen.notify("Put the cursor on a field to read its description.", markup=False)
            return
        self.screen.app.push_screen(FieldDocScreen(doc))

    def _why_inactive(self) -> str:
        if self.library is None or not self.library.covers(self.kind):
            return "Celigo publishes no schema for this kind of document."
        return self.library.how_to_get()

    # --- checks -----------------------------------------------------------------------------------------

    def _start_check(self) -> None:
        text = self.screen.text
        if text == self._checked_text:
            return
        self.screen.run_worker(lambda: self._check_in_thread(text), thread=True, exclusive=True,
                               group="schema-check", exit_on_error=False)

    def _check_in_thread(self, text: str) -> None:
        rows = self.check_text(text)
        self.screen.app.call_from_thread(self._apply, text, rows)

    def check_text(self, text: str) -> list[tuple[SchemaProblem, int | None]] | None:
        """Problems of ``text`` with their 0-based line (thread-safe); None when it is not valid JSON (the
        JSON error is listed already, and the last warnings stay until the text parses again)."""
        if self.library is None:
            return None
        try:
            document = json.loads(text)
        except ValueError:
            return None
        problems = self.library.check(self.kind, document)
        lines = lines_of(text, [problem.path for problem in problems])
        return [(problem, lines[problem.path]) for problem in problems]

    def _apply(self, text: str, rows: list[tuple[SchemaProblem, int | None]] | None) -> None:
        if rows is None or text != self.screen.text:
            return  # not JSON, or typed on since (a newer check is coming)
        self._checked_text = text
        had_problems = bool(self.problems)
        self.problems = [problem for problem, _ in rows]
        self.screen.query_one(EditProblems).set_group("schema", [
            Problem(problem.where, problem.message, problem.where, "warning",
                    (line, 0) if line is not None else None)
            for problem, line in rows
        ], f"{len(rows)} schema warning(s)")
        if had_problems != bool(self.problems):
            self.screen.refresh_bindings()  # f8 comes or goes

    def check_now(self) -> list[str]:
        """``ctrl+s``: check the current text at once; the warnings, as the confirm screen lists them."""
        if not self.active:
            return []
        if self._check_timer is not None:
            self._check_timer.stop()
        text = self.screen.text
        rows = self.check_text(text)
        self._apply(text, rows)
        return [str(problem) for problem in self.problems]

    def json_checked(self, problem: JsonProblem | None) -> None:
        """List (or clear) the JSON syntax error with the other problems."""
        rows = [] if problem is None else [Problem(
            f"JSON syntax, line {problem.line}", problem.message, None, "error",
            (problem.line - 1, max(problem.column - 1, 0)))]
        panel = self.screen.query_one(EditProblems)
        before = bool(panel.problems)
        panel.set_group("json", rows, "invalid JSON")
        if before != bool(panel.problems):
            self.screen.refresh_bindings()  # f8 comes or goes

    # --- completion -------------------------------------------------------------------------------------

    def complete(self) -> None:
        """``ctrl+space``: the values allowed for the key under the cursor; the pick replaces its value."""
        area = self._area()
        if area is None:
            return
        if not self.active:
            self.screen.notify(self._why_inactive(), markup=False)
            return
        assert self.library is not None
        row, column = area.cursor_location
        found = key_at(area.text, row, column)
        if found is None or found.line != row:
            self.screen.notify("Put the cursor on a field's value to complete it.", markup=False)
            return
        path = format_path(found.parts)
        values = self.library.allowed_values(self.kind, found.parts)
        line_text = area.document.get_line(row)
        span = value_span(line_text, found)
        if not values:
            self.screen.notify(f"Celigo's schema lists no allowed values for {path}.", markup=False)
            return
        if span is None:
            self.screen.notify(f"{path} holds an object or a list here: completion replaces one value.",
                               markup=False)
            return
        current: Any = None
        try:
            current = json.loads(line_text[span[0]:span[1]]) if span[1] > span[0] else None
        except ValueError:
            current = None

        def chosen(choice: tuple[Any] | None) -> None:
            if choice is None:
                area.focus()
                return
            start, end = span
            inserted = json.dumps(choice[0], ensure_ascii=False)
            area.replace(inserted, (row, start), (row, end))
            area.move_cursor((row, start + len(inserted)))
            area.focus()

        self.screen.app.push_screen(ValueCompletionScreen(path, values, current), callback=chosen)

