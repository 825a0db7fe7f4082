"""A virtual JSON viewer that stays responsive on 10 MB documents.

`JsonBody` (its own module) paints only the lines on screen; `JsonView` owns the document: it encodes,
indexes and searches big documents in slices of a few milliseconds on the UI loop, so the first screen
paints at once, and offers search and copy keys. Paths follow the style documented in
`explorer.services.json_lines`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from functools import partial
from itertools import islice
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Input, Label
from textual.worker import Worker

from explorer.client.decode import BIG_BODY_BYTES, loads_off_loop
from explorer.gc_policy import settle
from explorer.services.json_lines import (
    JsonLineIndex,
    SearchHits,
    find_matches,
    iter_line_matches,
    line_for_path,
    printable,
    take_lines,
)
from explorer.tui.input_clock import seconds_since_input
from explorer.tui.widgets.json_body import JsonBody, measure_width

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
REFRESH_WAIT_SECONDS = 0.1
"""Longest a slice waits for the screen to refresh after input (`_breathe`)."""
FREE_LINES = 20_000
"""Lines of a dropped document freed per slice (≈1 ms; `_free_later`)."""
SYNC_SEARCH_CHARS = 500_000
"""Documents up to this size are searched at once (≤10 ms); bigger ones a window of lines at a time."""
SYNC_INDEX_LINES = 50_000
"""Path indexes up to this many lines are built on demand (≈35 ms); bigger ones in slices."""
MAX_MATCHES = 1_000_000
"""Search stops counting here, so searching "e" in 10 MB stays bounded in time and memory."""




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
        self._bar_mount: AwaitMount | None = None
        self._pending: Callable[[], None] | None = None
        self._mounted = False
        self._generation = 0
        self._text: str | None = ""
        """The document's text; None for a big pretty-printed one, whose lines are joined when asked."""
        self._chars = 0
        """Characters in the document (its size, without joining its lines)."""
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
        """The line view; the search bar `/` shows is mounted after the first frame (`_search_bar`)."""
        yield self.body

    def _search_bar(self) -> AwaitMount:
        """Mount the search bar (hidden until `/`) once; await the result before using it.

        Why not composed: the first frame never shows it, and building, styling and mounting its three
        widgets came before the main screen's tree reached the terminal (`iox --demo`'s start-up).
        `_input` and `_status` exist from the start, so updating the status before the bar is mounted is
        harmless (an unmounted widget keeps its content and refreshes nothing).
        """
        if self._bar_mount is None:
            self._bar_mount = self.mount(Horizontal(self._input, self._status, id="json-search-bar"))
        return self._bar_mount

    def on_mount(self) -> None:
        """Apply a `load` made before the widget was mounted; mount the search bar after the first frame."""
        self._mounted = True  # `is_mounted` only turns True after on_mount returns
        self.call_after_refresh(self._mount_search_bar)
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending()

    def _mount_search_bar(self) -> None:
        self._search_bar()  # not awaited: nothing waits for it here

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

    def _start_slices(self, work: Callable[[], Coroutine[None, None, None]], group: str, *,
                      exclusive: bool = True) -> Worker[None]:
        """Run sliced background work on the UI loop; a newer job of the same group cancels it (unless
        not `exclusive`).

        A callable rather than a coroutine, so a job cancelled before it starts leaves no
        never-awaited coroutine; and a fixed description, as @work's default would repr the document.
        """
        return self.run_worker(work, exclusive=exclusive, group=group, description=group)

    async def _breathe(self) -> None:
        """Let the UI loop run between two slices of background work; right after input, until the
        screen has been refreshed.

        Why wait for the refresh: a key sets off a chain of messages (binding, action, layout, repaint),
        one loop turn per hop, and a slice ran at every turn; a key on a 10 MB document being printed
        waited 4 ms or more per hop (zoom: 160-250 ms on the loaded bench machine, against 65-140 ms on a
        small document). A short sleep first lets the input reach the app; the wait is bounded, so a
        screen that never refreshes (closing) cannot stall the work.
        """
        since = min(time.monotonic() - self._last_input, seconds_since_input())
        if since >= INPUT_GRACE_SECONDS:
            await asyncio.sleep(0)
            return
        await asyncio.sleep(INPUT_PAUSE_SECONDS)
        if self.is_running and self.is_attached:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wait_for_refresh(), REFRESH_WAIT_SECONDS)

    # -- public state -----------------------------------------------------------------------------

    @property
    def lines(self) -> Sequence[str]:
        """The displayed lines (while a big document loads, its first screenfuls)."""
        return self.body.lines

    @property
    def text(self) -> str:
        """The whole document as displayed (empty until `is_loaded`).

        A big document is kept as its lines only (its text beside them was 20-35 MB more for 10 MB), so
        this joins them at each call: for copying all of it, not for anything a key does.
        """
        return "\n".join(self._lines) if self._text is None else self._text

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
        """Show `text`: pretty-printed if it parses as JSON, else literally (plain, no highlighting).

        A big text is parsed in a thread that lets the UI run (`client.decode`): `json.loads` of 10 MB held
        the loop for 0.2-0.3 s; the view stays empty until the parse ends.
        """
        if len(text) >= BIG_BODY_BYTES:
            if not self._mounted:
                self._pending = partial(self.load_text, text)
                return
            generation = self._reset(is_json=True)
            self._start_slices(partial(self._parse_then_load, generation, text), "json-view-load")
            return
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
            pass
        else:
            self.load(obj)
            return
        self._show_plain(text)

    async def _parse_then_load(self, generation: int, text: str) -> None:
        try:
            obj = await loads_off_loop(text)
        except (ValueError, RecursionError):
            if generation == self._generation:
                self._show_plain(text)
            return
        if generation == self._generation:
            self.load(obj)

    def _show_plain(self, text: str) -> None:
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
        old = self._lines
        self._text, self._lines, self._is_json, self._chars = "", [], is_json, 0
        self._after_load.clear()
        self._index = None
        self._after_index.clear()
        self._hits = None
        self.body.reset()
        self._free_later(old)
        settle()  # the previous document may have been the big frozen one: see explorer.gc_policy
        return self._generation

    def _free_later(self, lines: list[str]) -> None:
        """Free a dropped document's lines a slice at a time (`FREE_LINES`), unless they are few.

        Why: each line is a string of its own; dropping 700,000 of them at once held the loop 25-35 ms,
        on the key that left the document. Nothing else may hold `lines`: they are emptied in place.
        """
        if len(lines) > FREE_LINES:
            # Not exclusive: a cancelled job would drop its lines at once.
            self._start_slices(partial(self._free_slices, lines), "json-view-free", exclusive=False)

    async def _free_slices(self, lines: list[str]) -> None:
        while lines:
            del lines[-FREE_LINES:]
            await asyncio.sleep(0)

    async def _encode_rest(self, generation: int, head: str, chunks: Iterator[str]) -> None:
        """Finish encoding a big document a slice at a time, letting the UI run in between.

        Each slice also splits and measures the lines it made, so nothing proportional to the whole
        document runs in one go on the loop: splitting 17 M characters at the end took 80-140 ms and
        measuring the lines' width 0.4-0.8 s (py-spy on the real process, issue 10), a key waited as long.
        """
        chars = len(head)
        lines = head.split("\n")
        tail = lines.pop()  # the line still being written
        width = measure_width(lines)
        try:
            done = False
            while not done:
                deadline = time.perf_counter() + SLICE_SECONDS
                while time.perf_counter() < deadline:
                    batch = list(islice(chunks, 1024))
                    if not batch:
                        done = True
                        break
                    part = "".join(batch)
                    chars += len(part)
                    made = (tail + part).split("\n")
                    tail = made.pop()
                    if made:
                        lines.extend(made)
                        width = max(width, measure_width(made))
                await self._breathe()
        except asyncio.CancelledError:
            if generation != self._generation:  # a newer document: free what was made in slices
                self._free_later(lines)
            raise
        except (TypeError, ValueError, RecursionError) as error:
            self.notify(f"Cannot show all of this document: {error}", severity="error", markup=False)
            self._is_json = False  # a truncated document has no paths
        lines.append(tail)
        self._install(generation, None, lines, max(width, measure_width([tail])), chars)

    def _install(self, generation: int, text: str | None, lines: list[str], width: int,
                 chars: int | None = None) -> None:
        """The whole document is in: show it, then run what waited for it.

        `text` None: the document is `"\n".join(lines)`, of `chars` characters (see `text`).
        """
        if generation != self._generation:
            return
        self._text, self._lines = text, lines
        self._chars = len(text) if text is not None else chars or 0
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

    def known_path(self, line: int) -> str | None:
        """The path of the value on `line` if it is known without waiting, else None.

        Unlike `path_at`, never builds a big document's index on the spot (0.5 s on the UI loop for
        10 MB): while it is built in slices this answers None, and a `CursorMoved` with the path follows.
        """
        index = self._ready_index() if self.is_loaded else None
        return index.path(line) if index is not None else None

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
        self.post_message(self.CursorMoved(self, event.line, self.known_path(event.line)))

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
        if self._chars <= SYNC_SEARCH_CHARS:
            self._show_hits(find_matches(self._lines, term, MAX_MATCHES))
            return
        self._status.update("searching…")
        self._start_slices(partial(self._search_slices, self._lines, term), "json-view-search")

    async def _search_slices(self, lines: list[str], term: str) -> None:
        """Search a big document a batch of lines at a time, letting the UI run in between."""
        hits = SearchHits(term)
        for found in iter_line_matches(lines, term):
            if not hits.add(found, MAX_MATCHES):
                break
            await self._breathe()
        self._show_hits(hits)

    def _show_hits(self, hits: SearchHits) -> None:
        if not hits:
            self.body.set_search(self._pattern, None)
            self._status.update("no matches")
            return
        self._hits = hits
        self._show_hit(hits.select_from(min(self.cursor_line, len(self._lines) - 1)))

    def _show_hit(self, position: tuple[int, int]) -> None:
        assert self._hits is not None
        line, column = position
        self.body.set_search(self._pattern, (line, column, len(self._term)))
        self.body.move_cursor(line, center=True)
        capped = "+" if len(self._hits) >= MAX_MATCHES else ""
        self._status.update(f"match {self._hits.current + 1:,}/{len(self._hits):,}{capped}")

    async def action_search(self) -> None:
        """Open the search bar (the previous term stays, selected)."""
        await self._search_bar()
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
        self._copy(self.text, "the document")

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
