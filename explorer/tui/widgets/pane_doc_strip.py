"""The doc strip under the main screen's JSON pane: what Celigo's schema says about the key under its cursor.

Why it waits for focus: the strip is for someone reading the document, and the first answer builds the kind's
schema tree (a few tens of milliseconds). While the tree has focus nothing is read, so starting the app and
walking the tree never load the schemas.
"""

from __future__ import annotations

from typing import Any

from explorer.model.paths import parse_path
from explorer.services.schemas import SchemaLibrary, infer_kind
from explorer.tui.widgets.doc_strip import DocStrip

_SCHEMA_ITEM_KINDS = ("flow", "step", "connection")
"""Tree items whose documents may have a published schema (exports and imports are steps)."""


class PaneDocStrip(DocStrip):
    """Follows a JSON pane: :meth:`shown` when a document is loaded, :meth:`follow` when its cursor moves."""

    def __init__(self, library: SchemaLibrary, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.kind: str | None = None
        """The schema kind of the document shown (None: no schema applies)."""

    def shown(self, item_kind: str, document: Any) -> None:
        """A new document is in the pane: note its kind, hide the strip until the cursor is read."""
        self.kind = infer_kind(document) if item_kind in _SCHEMA_ITEM_KINDS else None
        self.field_doc = None
        self.display = False

    def follow(self, path: str | None) -> None:
        """The pane's cursor is on ``path`` (None: not known yet)."""
        if self.kind is None or path is None or not self.library.available:
            self.display = False
            return
        try:
            parts = parse_path(path)
        except ValueError:
            return
        self.show_doc(self.library.field_doc(self.kind, parts) if parts else None)
