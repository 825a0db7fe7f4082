"""``f1``: everything Celigo's schema says about one field, over the document it belongs to.

Why a modal: the description of a field can run to a dozen lines (what it does, when it is required, what the
values mean); the one-line strip shows its first sentence, this shows all of it, and ``esc`` goes back.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from explorer.services.schemas import NOT_PUBLISHED, FieldDoc
from explorer.tui.literal import one_line, printable


class FieldDocScreen(ModalScreen[None]):
    """The whole description of one field: path, type, allowed values, flags and text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Back", id="field_doc.close"),
    ]
    """Any of ``esc``, ``f1`` or ``q`` goes back to the document."""

    DEFAULT_CSS = """
    FieldDocScreen { align: center middle; }
    FieldDocScreen > Vertical {
        width: 84%; height: auto; max-height: 86%; border: thick $primary; background: $surface; padding: 0 1;
    }
    FieldDocScreen #field-doc-title { text-style: bold; height: auto; }
    FieldDocScreen #field-doc-facts { color: $text-accent; height: auto; }
    FieldDocScreen VerticalScroll { height: auto; max-height: 30; }
    FieldDocScreen #field-doc-help { color: $text-muted; height: auto; }
    """

    def __init__(self, doc: FieldDoc) -> None:
        super().__init__()
        self.doc = doc

    def compose(self) -> ComposeResult:
        doc = self.doc
        with Vertical():
            yield Static(Text(one_line(doc.path or "(document)", 200)), id="field-doc-title")
            facts = Text()
            if not doc.known:
                facts.append(f"This field is {NOT_PUBLISHED}.")
            else:
                facts.append("type: " + (" or ".join(doc.types) or "any"))
                notes = dict(doc.value_notes)
                if doc.allowed:
                    facts.append("\nallowed:")
                    for value in doc.allowed:
                        note = notes.get(str(value), "")
                        facts.append(f"\n  {one_line(str(value), 40)}")
                        if note:
                            facts.append(f"  {one_line(note, 160)}", style="dim")
                flags = [w for w, on in (("deprecated", doc.deprecated), ("read-only", doc.read_only)) if on]
                if flags:
                    facts.append("\n" + ", ".join(flags))
            yield Static(facts, id="field-doc-facts")
            with VerticalScroll():
                text = doc.description or "(no description)"
                lines = (printable(line) for line in text.split("\n"))
                yield Static(Text("\n".join(lines)), id="field-doc-text")
            yield Static(Text("From Celigo's published schema (MIT, © Celigo, Inc.).   esc: back"),
                         id="field-doc-help")
        yield Footer()

    def action_close(self) -> None:
        """Back to the document."""
        self.dismiss(None)
