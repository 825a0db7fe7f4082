"""The one home of how a cursor moves through a virtual list of lines: up/down, pages, first/last.

Why a base class: the JSON pane (`JsonBody`) and the error list (`ErrorsTable`) both paint only the lines on
screen (Textual's Line API) and both move a cursor line with the same keys. Kept in one place, a fix to
paging or to scrolling the cursor into view reaches both. Subclasses say how many lines there are
(`line_count`), how many fixed lines sit above the scrolling ones (`HEADER_LINES`), and paint them.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.scroll_view import ScrollView


class LineViewer(ScrollView, can_focus=True):
    """A scrolling view of `line_count` lines with a cursor line (`cursor_line`, 0-based)."""

    HEADER_LINES: ClassVar[int] = 0
    """Lines painted above the scrolling ones that never scroll away (a table's column titles)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="line_viewer.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="line_viewer.cursor_down"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id="line_viewer.cursor_page_up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id="line_viewer.cursor_page_down"),
        Binding("home", "cursor_first", "First line", show=False, id="line_viewer.cursor_first"),
        Binding("end", "cursor_last", "Last line", show=False, id="line_viewer.cursor_last"),
    ]
    """Cursor keys shared by every line viewer (vi's `j`/`k` too)."""

    class CursorMoved(Message):
        """The cursor line changed; only the newest of a burst matters (`can_replace`)."""

        def __init__(self, line: int) -> None:
            """Carry the new cursor line (0-based)."""
            super().__init__()
            self.line = line

        def can_replace(self, message: Message) -> bool:
            """A newer move supersedes an older one still in the queue."""
            return type(message) is type(self)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        """Start with the cursor on the first line."""
        super().__init__(id=id, classes=classes)
        self.cursor_line = 0

    @property
    def line_count(self) -> int:
        """How many lines the cursor can visit (subclasses hold the lines)."""
        raise NotImplementedError

    @property
    def page_lines(self) -> int:
        """How far page up/down moves: one line short of what is on screen, so a line stays in view."""
        return max(1, self.scrollable_content_region.height - self.HEADER_LINES - 1)

    def clamp_cursor(self) -> None:
        """Keep the cursor on a line that exists (after the lines changed)."""
        self.cursor_line = max(0, min(self.cursor_line, self.line_count - 1))

    def move_cursor(self, line: int, *, center: bool = False) -> None:
        """Put the cursor on `line` (clamped), scroll it into view and announce it."""
        line = max(0, min(line, self.line_count - 1))
        old, self.cursor_line = self.cursor_line, line
        if old != line:
            self.refresh_lines(old + self.HEADER_LINES)
            self.refresh_lines(line + self.HEADER_LINES)
        self.scroll_to_line(line, center=center)
        self.post_message(self.CursorMoved(line))

    def scroll_to_line(self, line: int, *, center: bool = False, retry: bool = True) -> None:
        """Scroll as little as needed (or to the middle, with `center`) so `line` is on screen."""
        height = self.scrollable_content_region.height - self.HEADER_LINES
        if height <= 0:
            if retry:  # not laid out yet (e.g. a jump right after loading in on_mount)
                self.call_after_refresh(self.scroll_to_line, line, center=center, retry=False)
            return
        top = self.scroll_offset.y
        if top <= line < top + height:
            return
        below = line - height + 1
        target = line - height // 2 if center else min(line, max(top, below))
        self.scroll_to(y=max(0, target), animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        """Move the cursor up a line."""
        self.move_cursor(self.cursor_line - 1)

    def action_cursor_down(self) -> None:
        """Move the cursor down a line."""
        self.move_cursor(self.cursor_line + 1)

    def action_cursor_page_up(self) -> None:
        """Move the cursor and the view up a page (the cursor keeps its place on screen)."""
        page = self.page_lines
        self.scroll_to(y=max(0, self.scroll_offset.y - page), animate=False, immediate=True)
        self.move_cursor(self.cursor_line - page)

    def action_cursor_page_down(self) -> None:
        """Move the cursor and the view down a page (the cursor keeps its place on screen)."""
        page = self.page_lines
        self.scroll_to(y=self.scroll_offset.y + page, animate=False, immediate=True)
        self.move_cursor(self.cursor_line + page)

    def action_cursor_first(self) -> None:
        """Jump to the first line, scrolled fully left."""
        self.scroll_to(x=0, animate=False, immediate=True)
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        """Jump to the last line there is so far, scrolled fully left."""
        self.scroll_to(x=0, animate=False, immediate=True)
        self.move_cursor(self.line_count - 1)
