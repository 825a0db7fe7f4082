"""The painting half of the JSON pane: line-number gutter, highlighted lines, a cursor line.

Why not TextArea or Rich Syntax: measured on a 5 MB document, TextArea takes 17.6 s to load it
highlighted and a full Syntax render 44.6 s, while json.loads takes 0.1 s and highlighting the 40 lines
on screen 50 ms. So `JsonBody` keeps the pretty-printed lines in a list and lexes only the lines it
paints (with an LRU cache). Server text is shown literally: lines become `Text` without markup, and
characters a terminal would act on are replaced (`json_lines.printable`). Cursor keys and paging come
from `LineViewer`; the document logic (loading, search, paths) is `JsonView`'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from itertools import filterfalse
from typing import Any, ClassVar

from pygments.token import Token  # type: ignore[import-untyped]
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.strip import Strip

from explorer.services.json_lines import printable
from explorer.tui.widgets.line_viewer import LineViewer


@cache
def wide_pattern() -> re.Pattern[str]:
    """Characters that may take two cells: rich's double-width ranges in the Basic Multilingual Plane (the
    table `cell_len` uses), every character beyond it, and the joiner and the emoji variation selector,
    which can widen the character before them.

    Every other character takes at most one cell once made printable (checked code point by code point
    by a unit test), so a line without any of these is at most `len` cells. BMP ranges only, because then
    `re` tests a character with one bitmap lookup (with the astral ranges, searching 24,000 lines took
    0.25 s instead of 0.03 s). If rich's table moves (it is not public API), every character from the first
    double-width block (Hangul Jamo) on counts: slower, never wrong. Built on first use.
    """
    try:
        from rich._unicode_data import load  # type: ignore[import-not-found,unused-ignore]

        ranges = [(start, min(end, 0xFFFF)) for start, end, width in load("auto").widths
                  if width == 2 and start <= 0xFFFF]
    except (ImportError, AttributeError, TypeError, ValueError):
        ranges = [(0x1100, 0xFFFF)]
    spans = "".join(f"{re.escape(chr(start))}-{re.escape(chr(end))}" for start, end in ranges)
    return re.compile(f"[{spans}\U00010000-\U0010ffff\u200d\ufe0f]")


def measure_width(lines: Sequence[str]) -> int:
    """Widest line in cells, at C speed for nearly every line: an upper bound that is exact but for
    zero-width characters (combining accents; a little more room to scroll is harmless).

    Why not `cell_len` on every line that is not ASCII: rich measures such a line a character at a time
    in Python, and a 10 MB document whose names hold “quotes” or accents spent 0.4-0.8 s in it on the UI
    loop (py-spy, issue 10). Only lines holding a character that may be wide (`wide_pattern`) are.
    """
    width = max(map(len, lines), default=0)
    search = wide_pattern().search
    for line in filterfalse(str.isascii, lines):
        if search(line) is not None:
            width = max(width, cell_len(printable(line)))
    return width


_TOKEN_CLASSES: tuple[tuple[Any, str], ...] = (
    (Token.Name.Tag, "json-view--key"),
    (Token.Literal.String, "json-view--string"),
    (Token.Literal.Number, "json-view--number"),
    (Token.Keyword.Constant, "json-view--literal"),
    (Token.Punctuation, "json-view--punctuation"),
    (Token.Error, "json-view--error"),
)


class JsonBody(LineViewer):
    """The line-API half of `JsonView`: line-number gutter, highlighted lines, a cursor line.

    It holds no document logic: `JsonView` hands it lines, search state and completion ("attributes
    down") and it reports cursor moves with `JsonBody.CursorMoved` ("messages up").
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(name for _, name in _TOKEN_CLASSES),
        "json-view--gutter",
        "json-view--gutter-cursor",
        "json-view--cursor",
        "json-view--match",
        "json-view--match-current",
    }
    DEFAULT_CSS = """
    JsonBody {
        background: $surface;
        color: $foreground;
        &:focus { background-tint: $foreground 5%; }
        & > .json-view--key { color: $text-primary; }
        & > .json-view--string { color: $text-success; }
        & > .json-view--number { color: $text-warning; }
        & > .json-view--literal { color: $text-accent; text-style: bold; }
        & > .json-view--punctuation { color: $foreground 65%; }
        & > .json-view--error { color: $text-error; }
        & > .json-view--gutter { color: $foreground 40%; }
        & > .json-view--gutter-cursor { color: $foreground; text-style: bold; }
        & > .json-view--cursor { background: $primary 20%; }
        &:focus > .json-view--cursor { background: $primary 40%; }
        & > .json-view--match { background: $warning 35%; }
        & > .json-view--match-current { background: $warning; color: auto; text-style: bold; }
    }
    """
    class CursorMoved(LineViewer.CursorMoved):
        """The cursor line changed; only the newest of a burst matters (`can_replace`)."""

    def __init__(self, *, id: str | None = None) -> None:
        """Start empty; `JsonView.load` fills it."""
        super().__init__(id=id)
        self.lines: Sequence[str] = []
        self.is_json = True
        self.complete = True
        self._content_width = 0
        self._cache: LRUCache[int, Strip] = LRUCache(1024)  # whole styled lines
        self._rows: LRUCache[tuple[int, int, int, bool], Strip] = LRUCache(256)  # painted rows
        self._row_styles: tuple[Style, Style, Style, Style] | None = None
        self._lexer: Any = None  # pygments' JsonLexer, made when the first line is styled (see styled_line)
        self._token_styles: dict[Any, Style] = {}
        self._pattern: re.Pattern[str] | None = None
        self._current: tuple[int, int, int] | None = None  # (line, column, length) of the current hit
        self._pending_last = False

    # -- state handed down by JsonView ------------------------------------------------------------

    def set_lines(self, lines: Sequence[str], *, is_json: bool, width: int, complete: bool) -> None:
        """Show new lines (the same document growing, or a new one: `JsonView` resets the cursor)."""
        self.lines = lines
        self.is_json = is_json
        self.complete = complete
        self._content_width = width
        self._forget()
        self.clamp_cursor()
        self._update_virtual_size()
        self.refresh()
        if complete and self._pending_last:
            self._pending_last = False
            self.move_cursor(len(lines) - 1)

    def reset(self) -> None:
        """Forget the lines, the cursor, a pending jump to the end and search highlights (a new document).

        The lines go at once (the pane is blank until the new document's first lines), so that `JsonView`
        holds the only reference to a big document's lines and can free them a slice at a time.
        """
        self.lines = []
        self._content_width = 0
        self._forget()
        self._update_virtual_size()
        self.refresh()
        self.cursor_line = 0
        self._pending_last = False
        self.set_search(None, None)
        self.scroll_to(0, 0, animate=False, immediate=True)

    def set_search(self, pattern: re.Pattern[str] | None, current: tuple[int, int, int] | None) -> None:
        """Highlight every hit of `pattern` on painted lines and `current` = (line, column, length)."""
        if pattern != self._pattern:
            self._pattern = pattern
            self._forget()
            self.refresh()
        elif current != self._current:
            for hit in (self._current, current):
                if hit is not None:
                    self._forget(hit[0])
                    self.refresh_lines(hit[0])
        self._current = current
        if current is not None:
            self._show_columns(current[0], current[1], current[1] + current[2])

    @property
    def gutter_width(self) -> int:
        """Cells used by line numbers: one space each side of the widest number."""
        return len(str(max(1, len(self.lines)))) + 2

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.gutter_width + self._content_width + 1, len(self.lines))

    @property
    def line_count(self) -> int:
        """Lines shown so far."""
        return len(self.lines)

    # -- cursor -----------------------------------------------------------------------------------

    def _show_columns(self, line: int, start: int, end: int, retry: bool = True) -> None:
        """Scroll sideways so characters [start, end) of `line` are on screen, centred if it must move."""
        visible = self.scrollable_content_region.width - self.gutter_width
        if visible <= 0:
            if retry:
                self.call_after_refresh(self._show_columns, line, start, end, retry=False)
            return
        text = self.lines[line] if 0 <= line < len(self.lines) else ""
        if not text.isascii():
            start, end = cell_len(printable(text[:start])), cell_len(printable(text[:end]))
        left = self.scroll_offset.x
        if start < left or end > left + visible:
            target = start - max(4, (visible - (end - start)) // 2)
            self.scroll_to(x=max(0, target), animate=False, immediate=True)

    def action_cursor_last(self) -> None:
        """Jump to the last line (once a streaming document has finished loading)."""
        self._pending_last = not self.complete
        super().action_cursor_last()

    def on_click(self, event: events.Click) -> None:
        """Put the cursor on the clicked line."""
        offset = event.get_content_offset(self)
        if offset is not None and self.lines:
            self.move_cursor(self.scroll_offset.y + offset.y)

    # -- rendering --------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Theme or CSS changed: forget styles and rendered lines."""
        super().notify_style_update()
        self._token_styles.clear()
        self._row_styles = None
        self._forget()

    def _forget(self, line: int | None = None) -> None:
        """Drop rendered lines (all, or one whose highlights changed) so they are painted again."""
        if line is None:
            self._cache.clear()
        else:
            self._cache.discard(line)
        self._rows.clear()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _foreground(self, token: Any) -> Style | None:
        """Colour (no background) for a pygments token, so the cursor/match background shows through."""
        if token not in self._token_styles:
            style = Style()
            for parent, name in _TOKEN_CLASSES:
                if token in parent:
                    full = self._style(name)
                    style = Style(color=full.color, bold=full.bold, italic=full.italic)
                    break
            self._token_styles[token] = style
        return self._token_styles[token]

    def styled_line(self, number: int) -> Strip:
        """The whole line `number` styled (tokens and search hits), uncropped; cached."""
        cached = self._cache.get(number)
        if cached is not None:
            return cached
        line = self.lines[number]
        text = Text(printable(line), no_wrap=True, end="")  # never markup: server text is literal
        if self.is_json:
            if self._lexer is None:
                # Imported here: pygments' lexer table and JSON lexer are ~8 ms of start-up, and the first
                # frame (the tree, the pane saying "Loading…") has no JSON to colour yet.
                from pygments.lexers.data import JsonLexer  # type: ignore[import-untyped]

                self._lexer = JsonLexer()
            for start, token, value in self._lexer.get_tokens_unprocessed(line):
                style = self._foreground(token)
                if style:
                    text.stylize(style, start, start + len(value))
        if self._pattern is not None:
            match_style = self._style("json-view--match")
            for hit in self._pattern.finditer(line):
                text.stylize(match_style, hit.start(), hit.end())
            current = self._current
            if current is not None and current[0] == number:
                text.stylize(self._style("json-view--match-current"), current[1], current[1] + current[2])
        strip = Strip(list(text.render(self.app.console)))
        self._cache[number] = strip
        return strip

    def _paint_styles(self) -> tuple[Style, Style, Style, Style]:
        """(line, cursor line, gutter, cursor gutter) styles, computed once per style change."""
        if self._row_styles is None:
            base = self.rich_style
            self._row_styles = (
                base,
                base + self._style("json-view--cursor"),
                base + self._style("json-view--gutter"),
                base + self._style("json-view--gutter-cursor"),
            )
        return self._row_styles

    def render_line(self, y: int) -> Strip:
        """Paint row `y` of the view: gutter, then the visible slice of the line; cached per scroll."""
        scroll_x, scroll_y = self.scroll_offset
        number = scroll_y + y
        width = self.scrollable_content_region.width
        base, cursor_style, gutter_style, gutter_cursor_style = self._paint_styles()
        if number >= len(self.lines):
            return Strip.blank(width, base)
        is_cursor = number == self.cursor_line
        key = (number, scroll_x, width, is_cursor)
        row = self._rows.get(key)
        if row is not None:
            return row
        gutter_width = self.gutter_width
        content_width = max(0, width - gutter_width)
        line_style = cursor_style if is_cursor else base
        label = f" {number + 1:>{gutter_width - 2}} "
        segments = [Segment(label, gutter_cursor_style if is_cursor else gutter_style)]
        visible = self.styled_line(number).crop(scroll_x, scroll_x + content_width)
        segments.extend(Segment.apply_style(visible, line_style))
        if visible.cell_length < content_width:
            segments.append(Segment(" " * (content_width - visible.cell_length), line_style))
        row = Strip(segments, width)
        self._rows[key] = row
        return row
