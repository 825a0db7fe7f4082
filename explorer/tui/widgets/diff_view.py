"""A coloured, scrollable unified diff that renders only the lines on screen.

Why a line-API widget: a diff can be a few lines (a one-line change in a 2 MB document) or the whole document
(a reformatted one, 80,000 lines). Building one Rich ``Text`` for the latter would block the UI for seconds;
rendering the visible lines on demand costs the same for any size. Lines come from documents on the server,
so they are shown literally (made printable, never parsed as markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from explorer.tui.literal import printable


class DiffView(ScrollView, can_focus=True):
    """Shows ``diff -u`` lines: additions, removals, hunk headers and file headers each in their colour."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"diff--added", "diff--removed", "diff--hunk", "diff--header"}
    """Styles of the line kinds (theme colours, set in DEFAULT_CSS)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Up", show=False, id="diff.scroll_up"),
        Binding("down", "scroll_down", "Down", show=False, id="diff.scroll_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="diff.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="diff.page_down"),
        Binding("home", "scroll_home", "Top", show=False, id="diff.scroll_home"),
        Binding("end", "scroll_end", "Bottom", show=False, id="diff.scroll_end"),
        Binding("left", "scroll_left", "Left", show=False, id="diff.scroll_left"),
        Binding("right", "scroll_right", "Right", show=False, id="diff.scroll_right"),
    ]
    """Keyboard scrolling; the screen owns every other key."""

    DEFAULT_CSS = """
    DiffView {
        height: 1fr;
        background: $surface;
    }
    DiffView > .diff--added { color: $text-success; background: $success-muted; }
    DiffView > .diff--removed { color: $text-error; background: $error-muted; }
    DiffView > .diff--hunk { color: $text-accent; text-style: bold; }
    DiffView > .diff--header { color: $text-muted; text-style: bold; }
    """

    def __init__(self, lines: Sequence[str] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[str] = []
        self.set_lines(lines)

    @property
    def lines(self) -> list[str]:
        """The diff lines shown (as given, before they are made printable)."""
        return self._lines

    def set_lines(self, lines: Sequence[str]) -> None:
        """Show another diff (scrolls to the top)."""
        self._lines = list(lines)
        width = max((cell_len(printable(line)) for line in self._lines[:20_000]), default=0)
        self.virtual_size = Size(width, len(self._lines))
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    def _style_for(self, line: str) -> Style:
        if line.startswith(("+++ ", "--- ")):
            return self.get_component_rich_style("diff--header")
        if line.startswith("@@"):
            return self.get_component_rich_style("diff--hunk")
        if line.startswith("+"):
            return self.get_component_rich_style("diff--added")
        if line.startswith("-"):
            return self.get_component_rich_style("diff--removed")
        return self.rich_style

    def render_line(self, y: int) -> Strip:
        """One screen row: the diff line at the scroll position, cropped to the width."""
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        text = printable(self._lines[index])
        style = base + self._style_for(self._lines[index])
        strip = Strip([Segment(text, style)], cell_len(text))
        return strip.crop_extend(scroll_x, scroll_x + width, style)
