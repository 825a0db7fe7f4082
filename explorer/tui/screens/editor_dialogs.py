"""The editor's dialogs: confirm a PUT after seeing its diff, choose what to do about a stale write, and take
back a draft.

Why modal screens returning a value: each is one decision (``dismiss`` hands it to the editor's callback),
and ``esc`` always means "back, nothing happens". Everything shown that came from the server or the document
is literal text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from explorer.services.diff import diff_stats
from explorer.services.writes import DraftSummary, Stale, WritePlan
from explorer.tui.literal import one_line, printable
from explorer.tui.widgets.diff_view import DiffView

MAX_CHANGES_LISTED = 12
"""Server changes listed by name on the stale-write screen (the diff below shows all of them)."""

_DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 92%;
    height: 92%;
    border: thick $primary;
    background: $surface;
    padding: 0 1;
}}
{name} .dialog-title {{ text-style: bold; height: auto; }}
{name} .dialog-target {{ color: $text-accent; text-style: bold; height: auto; }}
{name} .dialog-warnings {{ color: $text-warning; height: auto; max-height: 8; }}
{name} .dialog-help {{ color: $text-muted; height: auto; }}
"""


class DiffConfirmScreen(ModalScreen[bool]):
    """Shows exactly what a PUT will change and where it goes; ``y``/``enter`` sends, ``esc`` goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "confirm", "Send PUT", id="edit.confirm"),
        Binding("escape,n", "back", "Back to editor", id="edit.confirm_back"),
    ]
    """Confirm or go back; nothing else happens here."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="DiffConfirmScreen")

    def __init__(self, plan: WritePlan, *, title: str = "Review the change",
                 schema_warnings: Sequence[str] = ()) -> None:
        """``schema_warnings``: what the checks against Celigo's schemas found (shown; they never block)."""
        super().__init__()
        self.plan = plan
        self.title_text = title
        self.schema_warnings = list(schema_warnings)

    def compose(self) -> ComposeResult:
        added, removed = diff_stats(self.plan.diff)
        with Vertical():
            yield Static(Text(f"{self.title_text}: {printable(self.plan.session.target.label)}"),
                         classes="dialog-title")
            yield Static(Text(printable(self.plan.request_line)), id="confirm-target",
                         classes="dialog-target")
            summary = Text(f"+{added} −{removed} lines", style="bold")
            summary.append("   (server-owned _id, createdAt, lastModified, lastModifiedBy are not shown; "
                           "the whole document is sent)", style="dim")
            yield Static(summary, id="confirm-stats")
            lines = [printable(w.message) for w in self.plan.warnings]
            lines += [f"Celigo's schema: {printable(w)}" for w in self.schema_warnings]
            if lines:
                yield Static(Text("\n".join("⚠ " + line for line in lines)), id="confirm-warnings",
                             classes="dialog-warnings")
            yield DiffView(self.plan.diff, id="confirm-diff")
            yield Static(Text("y / enter: send the PUT    esc: back to the editor (nothing is sent)"),
                         classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DiffView).focus()

    def action_confirm(self) -> None:
        """Send the PUT (the editor does it)."""
        self.dismiss(True)

    def action_back(self) -> None:
        """Back to the editor; nothing is sent."""
        self.dismiss(False)


STALE_OVERWRITE = "overwrite"
"""Stale-write choice: PUT my version over theirs (after a new diff and confirm)."""
STALE_MERGE = "merge"
"""Stale-write choice: reload the server's version and re-apply my edit onto it."""
STALE_CANCEL = "cancel"
"""Stale-write choice: do nothing now (the draft stays)."""


class StaleChoiceScreen(ModalScreen[str]):
    """Someone saved the resource since the edit began: shows what changed and offers the three ways on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "choose('merge')", "Reload and merge", id="edit.stale_merge"),
        Binding("o", "choose('overwrite')", "Overwrite theirs", id="edit.stale_overwrite"),
        Binding("escape,c", "choose('cancel')", "Cancel", id="edit.stale_cancel"),
    ]
    """The three ways on; none of them sends anything by itself."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="StaleChoiceScreen")

    def __init__(self, stale: Stale) -> None:
        super().__init__()
        self.stale = stale

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Not sent: the server's copy changed while you were editing", style="bold"),
                         classes="dialog-title")
            yield Static(Text(printable(self.stale.summary)), id="stale-summary")
            changes = Text()
            for index, change in enumerate(self.stale.server_changes[:MAX_CHANGES_LISTED]):
                if index:
                    changes.append("\n")
                changes.append("• " + one_line(change.describe(), 160))
            hidden = len(self.stale.server_changes) - MAX_CHANGES_LISTED
            if hidden > 0:
                changes.append(f"\n… and {hidden} more (see the diff)")
            yield Static(changes, id="stale-changes", classes="dialog-warnings")
            yield DiffView(self.stale.server_diff, id="stale-diff")
            yield Static(
                Text("m: reload the server's version and re-apply your edit (conflicts are listed)\n"
                     "o: overwrite their change with yours (you review the diff first)\n"
                     "esc: cancel (nothing is sent; your draft is kept)"),
                classes="dialog-help",
            )
        yield Footer()

    def action_choose(self, choice: str) -> None:
        """Return the choice to the editor."""
        self.dismiss(choice)


DRAFT_RESTORE = "restore"
"""Draft offer: continue the saved draft."""
DRAFT_DISCARD = "discard"
"""Draft offer: delete it and start from the server's document."""
DRAFT_CANCEL = "cancel"
"""Draft offer: do not open the editor now (the draft stays)."""


class DraftOfferScreen(ModalScreen[str]):
    """A draft of this resource exists (maybe from a crashed session): restore it, discard it, or leave."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r,enter", "choose('restore')", "Restore draft", id="edit.draft_restore"),
        Binding("d", "choose('discard')", "Discard draft", id="edit.draft_discard"),
        Binding("escape", "choose('cancel')", "Not now", id="edit.draft_cancel"),
    ]
    """Restore, discard or leave; the draft is only deleted on ``d``."""

    DEFAULT_CSS = """
    DraftOfferScreen { align: center middle; }
    DraftOfferScreen > Vertical {
        width: 80; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, label: str, summary: DraftSummary) -> None:
        super().__init__()
        self.label = label
        self.summary = summary

    def compose(self) -> ComposeResult:
        text = Text("An unsaved draft exists\n", style="bold")
        text.append(f"{printable(self.label)}\nsaved {self.summary.saved_at}: "
                    f"+{self.summary.added} −{self.summary.removed} lines against where it started.\n")
        if self.summary.server_moved:
            text.append("The server's copy has changed since; submitting will offer a merge.\n",
                        style="yellow")
        text.append("\nr / enter: restore it    d: discard it and start fresh    esc: not now (kept)")
        with Vertical():
            yield Static(text, id="draft-offer")

    def action_choose(self, choice: str) -> None:
        """Return the choice to the editor."""
        self.dismiss(choice)
