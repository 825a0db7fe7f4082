"""The progress dialog both long actions share: a bar while requests go out, then the report.

Why one base: the bulk retry/resolve and the bulk fix each had a copy of the same screen — the same widgets,
the updates held until mount (the action may run ahead of the screen), and the same ``esc`` grammar (first
cancel what is not yet sent, then close). A subclass names its widgets' id prefix and its words.

A cancel lets the requests already on the wire complete (their outcome is then known). Against a server that
never answers that could mean a minute of "canceling…", so ``esc`` once more stops waiting for them
(``on_abandon``: the client drops them) and the report says their outcome is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar, Static

from explorer.tui.literal import safe_text

ResultT = TypeVar("ResultT")


class ProgressDialog(ModalScreen[ResultT]):
    """Bar, status line, report and key hint; ``esc`` cancels while running and closes once finished."""

    ID_PREFIX: ClassVar[str] = "progress"
    """Widget ids are ``{prefix}-bar``, ``-status``, ``-report`` and ``-keys``."""
    KEYS_RUNNING: ClassVar[str] = "esc: cancel"
    KEYS_CANCELING: ClassVar[str] = "canceling…"
    KEYS_ABANDONING: ClassVar[str] = "stopped waiting: what was in flight may or may not have been applied…"
    REPORT_CLASSES: ClassVar[str] = ""
    STARTING: ClassVar[str] = "starting…"
    """The status until the first progress."""

    def __init__(self, title: str, total: int, on_cancel: Callable[[], None],
                 on_abandon: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._title, self._total, self._on_cancel = title, total, on_cancel
        self._on_abandon = on_abandon
        self.finished = False
        self.cancel_requested = False
        self.abandon_requested = False
        self._ready = False  # `is_mounted` only turns True after on_mount returns
        self._lines = -1  # newlines in the status last painted

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(safe_text(self._title), classes="dialog-title")
            yield from self.compose_body()
            yield Label(Text(self.first_keys()), classes="dialog-keys", id=f"{self.ID_PREFIX}-keys")

    def compose_body(self) -> ComposeResult:
        """The bar, the status line and the report (a subclass that asks first puts its question there)."""
        prefix = self.ID_PREFIX
        yield ProgressBar(total=max(self._total, 1), show_eta=False, id=f"{prefix}-bar")
        yield Static(Text(self.STARTING), id=f"{prefix}-status")
        yield Static(Text(""), id=f"{prefix}-report", classes=self.REPORT_CLASSES)

    def first_keys(self) -> str:
        """The key hint shown first (a subclass that asks first shows its question's keys)."""
        return self.KEYS_RUNNING

    def on_mount(self) -> None:
        # the action may have moved on (or ended) before this screen was mounted
        self._ready = True
        self.catch_up()

    def catch_up(self) -> None:
        """Show what arrived before the screen was mounted (the subclass keeps it)."""

    def paint_progress(self, total: int, done: int, words: str) -> None:
        """Move the bar and set the status line (nothing until mounted)."""
        if not self._ready:
            return
        self.query_one(f"#{self.ID_PREFIX}-bar", ProgressBar).update(total=max(total, 1), progress=done)
        # A new layout of the screen only when the status changes height: one for each of the ~20 updates
        # of a 10-batch retry cost the UI loop ~90 ms while the batches' answers waited (issue 10).
        lines = words.count("\n")
        self.query_one(f"#{self.ID_PREFIX}-status", Static).update(Text(words), layout=lines != self._lines)
        self._lines = lines

    def paint_report(self, report: RenderableType, keys: str) -> None:
        """Show the final report and the keys that now apply (nothing until mounted)."""
        if not self._ready:
            return
        self.query_one(f"#{self.ID_PREFIX}-report", Static).update(report)
        self.query_one(f"#{self.ID_PREFIX}-keys", Label).update(Text(keys))
        self.refresh_bindings()  # keys that depend on ``finished`` (check_action) now apply

    def action_cancel_or_close(self) -> None:
        """Running: stop what is not yet sent; again: stop waiting for what is in flight. Finished: close."""
        if self.finished:
            self.dismiss(None)
            return
        if not self.cancel_requested:
            self.cancel_requested = True
            self._on_cancel()
            again = " (esc again: stop waiting for it)" if self._on_abandon is not None else ""
            self.query_one(f"#{self.ID_PREFIX}-keys", Label).update(Text(self.KEYS_CANCELING + again))
        elif self._on_abandon is not None and not self.abandon_requested:
            self.abandon_requested = True
            self._on_abandon()
            self.query_one(f"#{self.ID_PREFIX}-keys", Label).update(Text(self.KEYS_ABANDONING))

    def action_close(self) -> None:
        """Close once finished (enter does nothing while requests go out)."""
        if self.finished:
            self.dismiss(None)
