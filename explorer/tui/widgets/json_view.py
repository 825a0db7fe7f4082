"""A virtual JSON viewer that stays responsive on 10 MB documents.

Why not TextArea or Rich Syntax: measured on a 5 MB document, TextArea takes 17.6 s to load it
highlighted and a full Syntax render 44.6 s, while json.loads takes 0.1 s and highlighting the 40 lines
on screen 50 ms. So `JsonBody` keeps the pretty-printed lines in a list and lexes only the lines it
paints (with an LRU cache), and `JsonView` encodes, indexes and searches big documents in slices of
a few milliseconds on the UI loop, so the first screen paints at once. Server text is shown
literally: lines become `Text` without markup, and characters a terminal would act on are replaced
(`json_lines.printable`). Paths follow the style documented in `explorer.services.json_lines`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from functools import partial
from itertools import filterfalse, islice
from typing import Any, ClassVar

from pygments.lexers.data import JsonLexer  # type: ignore[import-untyped]
from pygments.token import Token  # type: ignore[import-untyped]
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Label
from textual.worker import Worker

from explorer.services.json_lines import (
    JsonLineIndex,
    SearchHits,
    find_matches,
    iter_match_batches,
    line_for_path,
    printable,
    take_lines,
)

SYNC_LINES = 5_000
"""Lines encoded before `load` returns (≈10 ms); a bigger document finishes in slices afterwards."""
SLICE_SECONDS = 0.004
"""CPU time a background slice may take before it yields to the UI loop (measured on 10 MB: 3–5 ms
keeps End at ~100 ms during the index build, 8 ms made it 100–230 ms; total load time unchanged)."""
INPUT_PAUSE_SECONDS = 0.005
"""Idle time between slices just after a key or mouse event, so the UI's chain of messages for it
completes in one pause instead of waiting a slice at every hop (measured: End took 300 ms without)."""
INPUT_GRACE_SECONDS = 0.25
"""How long after a key or mouse event background slices keep pausing."""
SYNC_SEARCH_CHARS = 500_000
"""Documents up to this size are searched at once (≤10 ms); bigger ones a window at a time."""
SYNC_INDEX_LINES = 50_000
"""Path indexes up to this many lines are built on demand (≈35 ms); bigger ones in slices."""
MAX_MATCHES = 1_000_000
"""Search stops counting here, so searching "e" in 10 MB stays bounded in time and memory."""


def measure_width(lines: Sequence[str]) -> int:
    """Widest line in cells: `len` for ASCII lines, `cell_len` only for the others (cheap at 10 MB)."""
    width = max(map(len, lines), default=0)
    wide = max(map(cell_len, map(printable, filterfalse(str.isascii, lines))), default=0)
    return max(width, wide)


_TOKEN_CLASSES: tuple[tuple[Any, str], ...] = (
    (Token.Name.Tag, "json-view--key"),
    (Token.Literal.String, "json-view--string"),
    (Token.Literal.Number, "json-view--number"),
    (Token.Keyword.Constant, "json-view--literal"),
    (Token.Punctuation, "json-view--punctuation"),
    (Token.Error, "json-view--error"),
)


class JsonBody(ScrollView, can_focus=True):
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
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "cursor_page_up", "Page up", show=False),
        Binding("pagedown", "cursor_page_down", "Page down", show=False),
        Binding("home", "cursor_first", "First line", show=False),
        Binding("end", "cursor_last", "Last line", show=False),
    ]
    """Cursor keys (hidden from the footer): ↑/k ↓/j PgUp PgDn Home End; ← → scroll sideways."""

    class CursorMoved(Message):
        """The cursor line changed; only the newest of a burst matters (`can_replace`)."""

        def __init__(self, line: int) -> None:
            """Carry the new cursor line (0-based)."""
            super().__init__()
            self.line = line

        def can_replace(self, message: Message) -> bool:
            """A newer move supersedes an older one still in the queue."""
            return isinstance(message, JsonBody.CursorMoved)

    def __init__(self, *, id: str | None = None) -> None:
        """Start empty; `JsonView.load` fills it."""
        super().__init__(id=id)
        self.lines: Sequence[str] = []
        self.is_json = True
        self.complete = True
        self.cursor_line = 0
        self._content_width = 0
        self._cache: LRUCache[int, Strip] = LRUCache(1024)  # whole styled lines
        self._rows: LRUCache[tuple[int, int, int, bool], Strip] = LRUCache(256)  # painted rows
        self._row_styles: tuple[Style, Style, Style, Style] | None = None
        self._lexer = JsonLexer()
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
        self.cursor_line = min(self.cursor_line, max(0, len(lines) - 1))
        self._update_virtual_size()
        self.refresh()
        if complete and self._pending_last:
            self._pending_last = False
            self.move_cursor(len(lines) - 1)

    def reset(self) -> None:
        """Forget the cursor, a pending jump to the end and search highlights (a new document)."""
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

    # -- cursor -----------------------------------------------------------------------------------

    def move_cursor(self, line: int, *, center: bool = False) -> None:
        """Put the cursor on `line` (clamped), scroll it into view and announce it."""
        line = max(0, min(line, len(self.lines) - 1))
        old, self.cursor_line = self.cursor_line, line
        if old != line:
            self.refresh_lines(old)
            self.refresh_lines(line)
        self._scroll_to_line(line, center=center)
        self.post_message(self.CursorMoved(line))

    def _scroll_to_line(self, line: int, *, center: bool, retry: bool = True) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            if retry:  # not laid out yet (e.g. go_to_path right after load in on_mount)
                self.call_after_refresh(self._scroll_to_line, line, center=center, retry=False)
            return
        top = self.scroll_offset.y
        if top <= line < top + height:
            return
        below = line - height + 1
        target = line - height // 2 if center else min(line, max(top, below))
        self.scroll_to(y=max(0, target), animate=False, immediate=True)

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

    def action_cursor_up(self) -> None:
        """Move the cursor up a line."""
        self.move_cursor(self.cursor_line - 1)

    def action_cursor_down(self) -> None:
        """Move the cursor down a line."""
        self.move_cursor(self.cursor_line + 1)

    def action_cursor_page_up(self) -> None:
        """Move the cursor and the view up a page."""
        page = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=max(0, self.scroll_offset.y - page), animate=False, immediate=True)
        self.move_cursor(self.cursor_line - page)

    def action_cursor_page_down(self) -> None:
        """Move the cursor and the view down a page."""
        page = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_offset.y + page, animate=False, immediate=True)
        self.move_cursor(self.cursor_line + page)

    def action_cursor_first(self) -> None:
        """Jump to the first line."""
        self.scroll_to(x=0, animate=False, immediate=True)
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        """Jump to the last line (once a streaming document has finished loading)."""
        self.scroll_to(x=0, animate=False, immediate=True)
        self._pending_last = not self.complete
        self.move_cursor(len(self.lines) - 1)

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

    def _content(self, number: int) -> Strip:
        """The whole line `number` styled (tokens and search hits), uncropped; cached."""
        cached = self._cache.get(number)
        if cached is not None:
            return cached
        line = self.lines[number]
        text = Text(printable(line), no_wrap=True, end="")  # never markup: server text is literal
        if self.is_json:
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
        visible = self._content(number).crop(scroll_x, scroll_x + content_width)
        segments.extend(Segment.apply_style(visible, line_style))
        if visible.cell_length < content_width:
            segments.append(Segment(" " * (content_width - visible.cell_length), line_style))
        row = Strip(segments, width)
        self._rows[key] = row
        return row


def _short(text: str, limit: int = 80) -> str:
    """Keep notifications one line long whatever the server's keys look like."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class JsonView(Widget):
    """A JSON document (or any text) with line numbers, a cursor, search and copy keys.

    `load(obj)` pretty-prints with `json.dumps(indent=2, ensure_ascii=False)`; `load_text(text)` parses
    the text as JSON if it can (then shows it pretty-printed) and otherwise shows it plain. Either call
    returns once the first screenful is ready; a big document is finished in slices of a few
    milliseconds on the UI loop (`is_loaded`, `wait_loaded()`, `JsonView.Loaded`). Threads are not used
    on purpose: this work is pure Python, and a thread holding the GIL starves the UI loop (measured:
    a paint waited 1.1 s for an encoding thread). Keys: `/` search, `n`/`N` next/previous match, `y`
    copy the value under the cursor, `p` copy its path, `c` copy the whole document (OSC 52).
    """

    DEFAULT_CSS = """
    JsonView {
        height: 1fr;
        layout: vertical;
        & > JsonBody { height: 1fr; }
        & > #json-search-bar { height: 1; display: none; background: $panel; }
        &.-searching > #json-search-bar { display: block; }
        #json-search { width: 1fr; }
        #json-search-status { width: auto; padding: 0 1; color: $text-muted; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="json_view.search"),
        Binding("n", "next_match", "Next", id="json_view.next_match"),
        Binding("N", "previous_match", "Prev", id="json_view.previous_match"),
        Binding("y", "copy_value", "Copy value", id="json_view.copy_value"),
        Binding("p", "copy_path", "Copy path", id="json_view.copy_path"),
        Binding("c", "copy_document", "Copy all", id="json_view.copy_document"),
        Binding("escape", "close_search", "Close search", show=False, id="json_view.close_search"),
    ]
    """`/` search, `n`/`N` next/previous match (while a search is active), `y` copy the value under
    the cursor, `p` copy its path, `c` copy the whole document, `escape` close the search bar."""

    class CursorMoved(Message):
        """The cursor moved; `path` is None for plain text or while a big document is being indexed
        (another message follows once it is known). Stale moves are dropped (`can_replace`)."""

        def __init__(self, json_view: JsonView, line: int, path: str | None) -> None:
            """Carry the view, the new cursor line (0-based) and its path."""
            super().__init__()
            self.json_view = json_view
            self.line = line
            self.path = path

        @property
        def control(self) -> JsonView:
            """The view that posted the message (for `@on(..., selector)`)."""
            return self.json_view

        def can_replace(self, message: Message) -> bool:
            """A newer move of the same view supersedes an older one still queued."""
            return isinstance(message, JsonView.CursorMoved) and message.json_view is self.json_view

    class Loaded(Message):
        """The whole document is in (big documents finish after `load` returns)."""

        def __init__(self, json_view: JsonView, line_count: int, is_json: bool) -> None:
            """Carry the view, its number of lines and whether it is JSON (else plain text)."""
            super().__init__()
            self.json_view = json_view
            self.line_count = line_count
            self.is_json = is_json

        @property
        def control(self) -> JsonView:
            """The view that posted the message."""
            return self.json_view

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        """Create an empty view; call `load` or `load_text` to fill it."""
        super().__init__(name=name, id=id, classes=classes)
        self.body = JsonBody(id="json-body")
        """The scrolling line view (exposed for tests and for apps that want to style it)."""
        self._input = Input(placeholder="search (case-insensitive)", id="json-search", compact=True)
        self._status = Label("", id="json-search-status", markup=False)
        self._pending: Callable[[], None] | None = None
        self._mounted = False
        self._generation = 0
        self._text = ""
        self._lines: list[str] = []
        self._is_json = True
        self._loaded = asyncio.Event()
        self._after_load: list[Callable[[], None]] = []
        self._index: JsonLineIndex | None = None
        self._after_index: list[Callable[[JsonLineIndex], None]] = []
        self._term = ""
        self._pattern: re.Pattern[str] | None = None
        self._hits: SearchHits | None = None
        self._last_input = 0.0

    def compose(self) -> ComposeResult:
        """The line view, and a search bar shown by `/`."""
        yield self.body
        with Horizontal(id="json-search-bar"):
            yield self._input
            yield self._status

    def on_mount(self) -> None:
        """Apply a `load` made before the widget was mounted."""
        self._mounted = True  # `is_mounted` only turns True after on_mount returns
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending()

    def focus(self, scroll_visible: bool = True) -> JsonView:
        """Focus the line view (this container itself takes no focus)."""
        self.body.focus(scroll_visible)
        return self

    def on_key(self, event: events.Key) -> None:
        """Note user input (the event goes on) so background slices give the UI room."""
        self._last_input = time.monotonic()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Note user input (the event goes on)."""
        self._last_input = time.monotonic()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """Note user input (the event goes on)."""
        self._last_input = time.monotonic()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """Note user input (the event goes on)."""
        self._last_input = time.monotonic()

    def _start_slices(self, work: Callable[[], Coroutine[None, None, None]], group: str) -> Worker[None]:
        """Run sliced background work on the UI loop; a newer job of the same group cancels it.

        A callable rather than a coroutine, so a job cancelled before it starts leaves no
        never-awaited coroutine; and a fixed description, as @work's default would repr the document.
        """
        return self.run_worker(work, exclusive=True, group=group, description=group)

    async def _breathe(self) -> None:
        """Let the UI loop run between two slices of background work (longer right after input)."""
        recent = time.monotonic() - self._last_input < INPUT_GRACE_SECONDS
        await asyncio.sleep(INPUT_PAUSE_SECONDS if recent else 0)

    # -- public state -----------------------------------------------------------------------------

    @property
    def lines(self) -> Sequence[str]:
        """The displayed lines (while a big document loads, its first screenfuls)."""
        return self.body.lines

    @property
    def text(self) -> str:
        """The whole document as displayed (empty until `is_loaded`)."""
        return self._text

    @property
    def is_json(self) -> bool:
        """True if the document is JSON (pretty-printed); False if shown as plain text."""
        return self._is_json

    @property
    def is_loaded(self) -> bool:
        """True once every line is in."""
        return self._loaded.is_set()

    @property
    def is_indexed(self) -> bool:
        """True once the path index is built (big documents build it in slices after loading)."""
        return self._index is not None and self._index.built

    @property
    def cursor_line(self) -> int:
        """The cursor line (0-based)."""
        return self.body.cursor_line

    @property
    def search_term(self) -> str:
        """The active search term ("" when none)."""
        return self._term

    @property
    def match_count(self) -> int:
        """Number of matches of the active search (at most `MAX_MATCHES`)."""
        return len(self._hits) if self._hits is not None else 0

    @property
    def match_index(self) -> int:
        """0-based index of the current match, or -1."""
        return self._hits.current if self._hits is not None else -1

    async def wait_loaded(self) -> None:
        """Wait until the whole document is in."""
        await self._loaded.wait()

    # -- loading ----------------------------------------------------------------------------------

    def load(self, obj: Any) -> None:
        """Show `obj` as `json.dumps(obj, indent=2, ensure_ascii=False)`; do not mutate it meanwhile.

        Raises TypeError/ValueError/RecursionError at once if the first screenful cannot be encoded;
        a later error (big documents) is notified and the part encoded so far stays on screen.
        """
        if not self._mounted:
            self._pending = partial(self.load, obj)
            return
        generation = self._reset(is_json=True)
        chunks = json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(obj)
        head, complete = take_lines(chunks, SYNC_LINES)
        if complete:
            lines = head.split("\n")
            self._install(generation, head, lines, measure_width(lines))
            return
        first = head[: head.rfind("\n")].split("\n")
        self.body.set_lines(first, is_json=True, width=measure_width(first), complete=False)
        self._start_slices(partial(self._encode_rest, generation, head, chunks), "json-view-load")

    def load_text(self, text: str) -> None:
        """Show `text`: pretty-printed if it parses as JSON, else literally (plain, no highlighting)."""
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
            pass
        else:
            self.load(obj)
            return
        if not self._mounted:
            self._pending = partial(self.load_text, text)
            return
        generation = self._reset(is_json=False)
        text = text.replace("\r\n", "\n")
        lines = text.split("\n")  # never splitlines(): it also splits on \x1c, \x85, U+2028…
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()
        self._install(generation, text, lines, measure_width(lines))

    def _reset(self, *, is_json: bool) -> int:
        """Forget the previous document; its unfinished work is cancelled."""
        self._generation += 1
        for group in ("json-view-load", "json-view-search", "json-view-index"):
            self.workers.cancel_group(self, group)
        self._loaded.clear()
        self._text, self._lines, self._is_json = "", [], is_json
        self._after_load.clear()
        self._index = None
        self._after_index.clear()
        self._hits = None
        self.body.reset()
        return self._generation

    async def _encode_rest(self, generation: int, head: str, chunks: Iterator[str]) -> None:
        """Finish encoding a big document a slice at a time, letting the UI run in between."""
        parts = [head]
        try:
            done = False
            while not done:
                deadline = time.perf_counter() + SLICE_SECONDS
                while time.perf_counter() < deadline:
                    batch = list(islice(chunks, 1024))
                    if not batch:
                        done = True
                        break
                    parts.append("".join(batch))
                await self._breathe()
        except (TypeError, ValueError, RecursionError) as error:
            self.notify(f"Cannot show all of this document: {error}", severity="error", markup=False)
            text = "".join(parts)
            self._is_json = False  # a truncated document has no paths
            self._install(generation, text, text.split("\n"), measure_width(text.split("\n")))
            return
        text = "".join(parts)
        await self._breathe()
        lines = text.split("\n")
        await self._breathe()
        width = measure_width(lines)
        self._install(generation, text, lines, width)

    def _install(self, generation: int, text: str, lines: list[str], width: int) -> None:
        """The whole document is in: show it, then run what waited for it."""
        if generation != self._generation:
            return
        self._text, self._lines = text, lines
        self.body.set_lines(lines, is_json=self._is_json, width=width, complete=True)
        if self._is_json:
            self._index = JsonLineIndex(lines)
            if len(lines) > SYNC_INDEX_LINES:
                self._start_slices(partial(self._build_index, generation, self._index), "json-view-index")
        self._loaded.set()
        self.post_message(self.Loaded(self, len(lines), self._is_json))
        callbacks, self._after_load = self._after_load, []
        for callback in callbacks:
            callback()
        if self._term:
            self.search(self._term)
        self.body.move_cursor(self.body.cursor_line)

    async def _build_index(self, generation: int, index: JsonLineIndex) -> None:
        """Build the path index of a big document in slices, then serve what waited for it."""
        deadline = time.perf_counter() + SLICE_SECONDS
        for _ in index.build_steps(batch=1024):
            if time.perf_counter() > deadline:
                await self._breathe()
                deadline = time.perf_counter() + SLICE_SECONDS
        if generation != self._generation:
            return
        callbacks, self._after_index = self._after_index, []
        for callback in callbacks:
            callback(index)
        self.post_message(self.CursorMoved(self, self.cursor_line, index.path(self.cursor_line)))

    def _ready_index(self) -> JsonLineIndex | None:
        """The path index if it is there without waiting (a small document builds it now)."""
        index = self._index
        if index is not None and not index.built and len(self._lines) <= SYNC_INDEX_LINES:
            index.build()
        return index if index is not None and index.built else None

    def _with_index(self, callback: Callable[[JsonLineIndex], None]) -> None:
        """Run `callback` with the path index now, or once the document is loaded and indexed."""
        if not self.is_loaded:
            self.notify("Still loading; will copy when the document is in.")
            self._after_load.append(partial(self._with_index, callback))
            return
        if self._index is None:
            self.notify("This document is not JSON: it has no paths.", severity="warning")
            return
        index = self._ready_index()
        if index is None:
            self.notify("Indexing the document; will copy when done.")
            self._after_index.append(callback)
        else:
            callback(index)

    # -- paths and cursor -------------------------------------------------------------------------

    def path_at(self, line: int) -> str | None:
        """The path of the value on `line` (builds the index now if needed), or None."""
        if self._index is None or not self.is_loaded:
            return None
        return self._index.path(line)

    def go_to_path(self, path: str) -> bool:
        """Move the cursor to the line where `path` starts (e.g. a 422 field path); False if absent.

        Builds the path index now if needed (~0.4 s for 10 MB); call after `wait_loaded()`.
        """
        if self._index is None or not self.is_loaded:
            return False
        line = line_for_path(self._index, path)
        if line is None:
            return False
        self.body.move_cursor(line, center=True)
        return True

    def move_cursor(self, line: int) -> None:
        """Move the cursor to `line` (0-based, clamped) and scroll it into view."""
        self.body.move_cursor(line)

    @on(JsonBody.CursorMoved)
    def _cursor_moved(self, event: JsonBody.CursorMoved) -> None:
        event.stop()
        index = self._ready_index() if self.is_loaded else None
        path = index.path(event.line) if index is not None else None
        self.post_message(self.CursorMoved(self, event.line, path))

    # -- search -----------------------------------------------------------------------------------

    def search(self, term: str) -> None:
        """Highlight the case-insensitive matches of `term` and go to the first one from the cursor."""
        self.workers.cancel_group(self, "json-view-search")
        if bool(term) != bool(self._term):
            self.refresh_bindings()  # n/N appear in the footer only while there is a term
        self._term = term
        self._hits = None
        if not term:
            self._pattern = None
            self.body.set_search(None, None)
            self._status.update("")
            return
        self._pattern = re.compile(re.escape(term), re.IGNORECASE)
        if not self.is_loaded:
            self._status.update("loading…")  # _install searches again
            return
        if len(self._text) <= SYNC_SEARCH_CHARS:
            self._show_hits(find_matches(self._text, term, MAX_MATCHES))
            return
        self._status.update("searching…")
        self._start_slices(partial(self._search_slices, self._text, term), "json-view-search")

    async def _search_slices(self, text: str, term: str) -> None:
        """Search a big document a window at a time, letting the UI run in between."""
        hits: list[int] = []
        for batch in iter_match_batches(text, term):
            hits.extend(batch)
            if len(hits) >= MAX_MATCHES:
                del hits[MAX_MATCHES:]
                break
            await self._breathe()
        self._show_hits(hits)

    def _show_hits(self, hits: list[int]) -> None:
        if not hits:
            self.body.set_search(self._pattern, None)
            self._status.update("no matches")
            return
        self._hits = SearchHits(self._text, self._term, hits)
        self._show_hit(self._hits.select_from(self._lines, min(self.cursor_line, len(self._lines) - 1)))

    def _show_hit(self, position: tuple[int, int]) -> None:
        assert self._hits is not None
        line, column = position
        self.body.set_search(self._pattern, (line, column, len(self._term)))
        self.body.move_cursor(line, center=True)
        capped = "+" if len(self._hits) >= MAX_MATCHES else ""
        self._status.update(f"match {self._hits.current + 1:,}/{len(self._hits):,}{capped}")

    def action_search(self) -> None:
        """Open the search bar (the previous term stays, selected)."""
        self.add_class("-searching")
        self._input.focus()

    def action_close_search(self) -> None:
        """Close the search bar and clear the highlights."""
        self.remove_class("-searching")
        self._input.value = ""
        self.search("")
        self.body.focus()

    def action_next_match(self) -> None:
        """Go to the next match (wrapping)."""
        if self._hits is not None:
            self._show_hit(self._hits.select(self._hits.current + 1))

    def action_previous_match(self) -> None:
        """Go to the previous match (wrapping)."""
        if self._hits is not None:
            self._show_hit(self._hits.select(self._hits.current - 1))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer escape only while searching and n/N only with a term, so the keys fall through."""
        if action == "close_search":
            return self.has_class("-searching")
        if action in ("next_match", "previous_match"):
            return bool(self._term)
        return True

    @on(Input.Changed, "#json-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search(event.value)

    @on(Input.Submitted, "#json-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.body.focus()

    # -- copy -------------------------------------------------------------------------------------

    def _copy(self, text: str, what: str) -> None:
        """Send `text` to the clipboard (OSC 52) and say what was copied, never the content itself."""
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {what} ({len(text.encode('utf-8')):,} bytes)", markup=False)

    def action_copy_document(self) -> None:
        """Copy the whole document."""
        if not self.is_loaded:
            self.notify("Still loading; will copy when the document is in.")
            self._after_load.append(self.action_copy_document)
            return
        self._copy(self._text, "the document")

    def action_copy_value(self) -> None:
        """Copy the value under the cursor: a string decoded, anything else as JSON text."""
        line = self.cursor_line
        if self.is_loaded and not self._is_json:
            if line < len(self._lines):
                self._copy(self._lines[line], f"line {line + 1}")
            return

        def copy(index: JsonLineIndex) -> None:
            value = index.value_text(line)
            if value is not None:
                self._copy(value, f"the value of {_short(index.path(line) or '(root)')}")

        self._with_index(copy)

    def action_copy_path(self) -> None:
        """Copy the path of the value under the cursor (style: `pageProcessors[1]._importId`)."""
        line = self.cursor_line

        def copy(index: JsonLineIndex) -> None:
            path = index.path(line)
            if path is None:
                return
            if not path:
                self.notify("The cursor is on the document root: its path is empty.", markup=False)
                return
            self.app.copy_to_clipboard(path)
            self.notify(f"Copied path {_short(path)}", markup=False)

        self._with_index(copy)
