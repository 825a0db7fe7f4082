"""One line under a JSON document saying what Celigo's schema says about the key under the cursor.

Why one line: the user is reading or typing JSON; the strip answers "what is this field, which values may it
take" without covering the document (``f1`` opens the whole description). The text comes from the schema
files, which are downloaded, so it is shown literally like any text from outside.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from explorer.services.schemas import FieldDoc
from explorer.tui.literal import one_line


class DocStrip(Static):
    """Shows a :class:`FieldDoc` on one line (hidden while there is nothing to say)."""

    DEFAULT_CSS = """
    DocStrip { height: 1; padding: 0 1; background: $boost; color: $text-muted; display: none; }
    DocStrip.-unknown { color: $text-warning; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.field_doc: FieldDoc | None = None
        """What is shown (``f1`` shows all of it)."""
        self._shown = False

    def show_doc(self, doc: FieldDoc | None) -> None:
        """Show what the schema says about one key (None: no key under the cursor; the strip stays)."""
        self.display = True
        if doc == self.field_doc and self._shown:
            return  # the cursor moved within the same key: nothing to repaint
        self.field_doc = doc
        self._shown = True
        if doc is None:
            self._set(Text(""), unknown=False)
            return
        line = Text(one_line(doc.one_line(), 400), no_wrap=True, overflow="ellipsis", end="")
        if doc.known:
            line.stylize("bold", 0, len(one_line(doc.path or "(document)")))
        self._set(line, unknown=not doc.known)

    def _set(self, line: Text, *, unknown: bool) -> None:
        self.set_class(unknown, "-unknown")
        # One fixed line: no re-layout (a layout of the editor's screen re-measures a 64 KB TextArea).
        self.update(line, layout=False)

    def show_note(self, note: str) -> None:
        """A sentence instead of a field's doc (e.g. how to get the schemas)."""
        self.field_doc = None
        self._shown = False
        self.display = True
        self._set(Text(one_line(note, 400), no_wrap=True, overflow="ellipsis", end=""), unknown=False)
