"""A virtual table for error lists: only the rows on screen are ever rendered.

Why not DataTable: measured here, DataTable takes 3.9 s to add 100,000 rows and 23 s more to paint them,
because it measures every cell. This widget holds a reference to the store's row list (plain Python objects)
and renders the ~40 visible lines in ``render_line`` (the Line API), so 100,000 rows cost nothing until
they scroll into view. Column widths are fixed from a sample of rows when a list is shown (the message column
takes what is left), so streaming pages never makes the layout jump. Server text is shown literally: cells go
through ``one_line`` (controls replaced, no markup) and are styled with component classes, never markup.

The table shows either error rows or groups (``g``); marks, "retryable" and "failed again" come from
callables the screen hands down, because that state lives in the screen's store, not in the widget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from explorer.model import ErrorRecord
from explorer.services.error_list import ColumnName, ErrorGroup
from explorer.tui.literal import one_line
from explorer.tui.widgets.line_viewer import LineViewer

RowPredicate = Callable[[ErrorRecord], bool]
GUTTER = 2
"""Cells before the first column: the mark (●) and the "failed again" marker (↻)."""
SAMPLE_ROWS = 300


@dataclass(frozen=True)
class Column:
    """One column: the store's column name (for sorting), its title, and its width bounds."""

    name: ColumnName | str
    title: str
    min_width: int
    max_width: int
    flexible: bool = False


OPEN_COLUMNS: tuple[Column, ...] = (
    Column("occurredAt", "occurredAt", 19, 19),
    Column("source", "source", 6, 18),
    Column("code", "code", 4, 18),
    Column("classification", "class", 5, 14),
    Column("message", "message", 24, 400, flexible=True),
    Column("traceKey", "traceKey", 8, 26),
    Column("retryable", "R", 1, 1),
)
RESOLVED_COLUMNS: tuple[Column, ...] = (
    *OPEN_COLUMNS[:-1],
    Column("resolvedAt", "resolvedAt", 19, 19),
    Column("resolvedBy", "resolvedBy", 10, 24),
)
STEP_COLUMN = Column("step", "step", 8, 28)
GROUP_COLUMNS: tuple[Column, ...] = (
    Column("value", "value", 8, 30),
    Column("count", "count", 7, 7),
    Column("retryable", "retryable", 9, 9),
    Column("latest", "latest", 19, 19),
    Column("sample", "sample message", 24, 400, flexible=True),
)
TEMPLATE_COLUMNS: tuple[Column, ...] = (
    Column("value", "template", 24, 400, flexible=True),
    *GROUP_COLUMNS[1:4],
    Column("sample", "codes · classes · first", 24, 30),
)
"""Grouped by message template: the template is what the user reads, so it takes the slack."""


def format_time(moment: datetime | None) -> str:
    """UTC, seconds, no zone letters: the same on every machine (snapshots) and sortable by eye."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def fit(text: str, width: int) -> str:
    """``text`` padded or cut (with …) to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if text.isascii() and len(text) <= width:
        return text.ljust(width)
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class ErrorsTable(LineViewer):
    """Header line + virtual rows; a cursor row (`cursor_line`); marks in the gutter (see the module)."""

    HEADER_LINES: ClassVar[int] = 1

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "errors-table--header",
        "errors-table--header-sorted",
        "errors-table--cursor",
        "errors-table--marked",
        "errors-table--refailed",
        "errors-table--dim",
        "errors-table--empty",
    }
    DEFAULT_CSS = """
    ErrorsTable {
        background: $surface;
        color: $foreground;
        & > .errors-table--header { background: $panel; color: $text-primary; text-style: bold; }
        & > .errors-table--header-sorted {
            background: $panel; color: $text-accent; text-style: bold underline;
        }
        & > .errors-table--cursor { background: $primary 25%; }
        &:focus > .errors-table--cursor { background: $primary 50%; }
        & > .errors-table--marked { color: $text-warning; text-style: bold; }
        & > .errors-table--refailed { color: $text-error; text-style: bold; }
        & > .errors-table--dim { color: $foreground 55%; }
        & > .errors-table--empty { color: $foreground 55%; text-style: italic; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "scroll_columns(-8)", "Left", show=False, id="errors_table.scroll_left"),
        Binding("right", "scroll_columns(8)", "Right", show=False, id="errors_table.scroll_right"),
    ]

    class CursorMoved(LineViewer.CursorMoved):
        """The cursor row changed (frequent: the queue keeps only the newest)."""

    class HeaderClicked(Message):
        """A column title was clicked: the screen sorts by that column."""

        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._error_cursor = 0
        self.empty_text = "No errors."
        self._errors: Sequence[ErrorRecord] = ()
        self._groups: Sequence[ErrorGroup] = ()
        self._grouped = False
        self._columns: tuple[Column, ...] = OPEN_COLUMNS
        self._widths: dict[str, int] = {}
        self._sort: tuple[str | None, bool] = (None, False)
        self._step_names: dict[tuple[str, str], str] = {}
        self.is_marked: RowPredicate = lambda record: False
        self.is_retryable: RowPredicate = lambda record: record.retriable
        self.is_refailed: RowPredicate = lambda record: False
        self.is_beyond: RowPredicate = lambda record: False
        """Past the newest 20,000 errors of the step: shown ⊘ in the retryable column."""
        self._paint: tuple[Style, list[int]] | None = None
        """The base style and column widths while ``render_lines`` paints (None otherwise)."""
        self._painted: dict[int, object | None] = {}
        """What each screen line last showed (the row object, None for a blank): ``rows_changed`` skips the
        repaint when a streamed page leaves every one of them in place."""

    # -- data handed down by the screen ------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows (errors or groups) in the table."""
        return len(self._groups) if self._grouped else len(self._errors)

    @property
    def line_count(self) -> int:
        """Rows the cursor can visit (the header is not one)."""
        return self.row_count

    @property
    def grouped(self) -> bool:
        """True while the table shows groups instead of errors."""
        return self._grouped

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns currently shown."""
        return self._columns

    def show_errors(self, rows: Sequence[ErrorRecord], *, resolved: bool = False, cross_step: bool = False,
                    step_names: dict[tuple[str, str], str] | None = None, relayout: bool = True) -> None:
        """Show error rows (a live reference to the store's view); ``relayout`` recomputes column widths."""
        columns = RESOLVED_COLUMNS if resolved else OPEN_COLUMNS
        if cross_step:
            columns = (STEP_COLUMN, *columns)
        changed = self._grouped or columns != self._columns
        if self._grouped:
            self.cursor_line = self._error_cursor
        self._grouped, self._errors, self._columns = False, rows, columns
        self._step_names = step_names if step_names is not None else self._step_names
        if relayout or changed or not self._widths:
            self._measure()
        self._after_change()

    def forget_rows(self) -> None:
        """Let go of the rows and groups without repainting (the panel is leaving: see its ``on_unmount``)."""
        self._errors, self._groups = (), ()

    def show_groups(self, groups: Sequence[ErrorGroup]) -> None:
        """Show one line per group (value, count, retryable, latest, a sample message)."""
        if not self._grouped:
            self._error_cursor, self.cursor_line = self.cursor_line, 0
            self.scroll_to(y=0, animate=False, immediate=True)
        title = groups[0].field if groups else "value"
        self._grouped, self._groups = True, groups
        if title == "template":
            self._columns = TEMPLATE_COLUMNS
        else:
            self._columns = (replace(GROUP_COLUMNS[0], title=title), *GROUP_COLUMNS[1:])
        self._measure()
        self._after_change()

    def rows_changed(self, rows: Sequence[ErrorRecord] | None = None) -> None:
        """The store's view grew or was replaced: keep the layout, clamp the cursor, repaint what moved.

        Why the care: while 100,000 errors stream in, a page arrives every few tens of milliseconds. A full
        repaint plus a re-layout of the screen for each (20-75 ms, measured) collided with the cursor keys'
        repaints. When every line on screen still shows the same row (the page landed below the window), only
        the scrollbar learns the new length.
        """
        if rows is not None:
            self._errors = rows
        if not self._widths and self._errors:
            self._measure()
        if self._grouped or not self._window_unchanged():
            self._after_change()
            return
        self.clamp_cursor()
        self._grow_virtual_size()

    def _window_unchanged(self) -> bool:
        """True when each body line on screen was last painted with the row it would show now."""
        height = self.scrollable_content_region.height
        if height <= self.HEADER_LINES or self.cursor_line >= len(self._errors):
            return False
        top = round(self.scroll_offset.y)
        painted, errors = self._painted, self._errors
        count = len(errors)
        for y in range(self.HEADER_LINES, height):
            index = top + y - self.HEADER_LINES
            if y not in painted or painted[y] is not (errors[index] if index < count else None):
                return False
        return True

    def _grow_virtual_size(self) -> None:
        """A new length without a re-layout of the screen, unless a scrollbar appears (the width changes)."""
        width = GUTTER + sum(self._layout()) + len(self._columns)
        size = Size(width, self.row_count + 1)
        old = self.virtual_size
        region = self.scrollable_content_region
        if size == old:
            return
        if size.width != old.width or old.height <= region.height or size.height <= region.height:
            self.virtual_size = size  # scrollbars may come or go: a real layout
            return
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)

    def set_sort(self, column: str | None, descending: bool) -> None:
        """Underline the sorted column's title (a repaint only if the sort changed).

        Why not always: each filter the panel applies sets the sort again, and a repaint of every line of
        the table (~9 KB sent) landed between a letter typed into the filter and its echo while 100,000
        errors streamed (a filter letter answered in 48 ms, measured in a pty).
        """
        if (column, descending) == self._sort:
            return
        self._sort = (column, descending)
        self.refresh()

    def _after_change(self) -> None:
        self.clamp_cursor()
        self._update_virtual_size()
        self.refresh()

    def record_at(self, row: int) -> ErrorRecord | None:
        """The error on a row (None in group mode or out of range)."""
        if self._grouped or not 0 <= row < len(self._errors):
            return None
        return self._errors[row]

    def group_at(self, row: int) -> ErrorGroup | None:
        """The group on a row (None in error mode or out of range)."""
        if not self._grouped or not 0 <= row < len(self._groups):
            return None
        return self._groups[row]

    @property
    def cursor_record(self) -> ErrorRecord | None:
        """The error under the cursor."""
        return self.record_at(self.cursor_line)

    # -- layout -------------------------------------------------------------------------------------

    def _measure(self) -> None:
        """Fix each column's width from the title and a sample of rows (flexible ones get their minimum)."""
        sample = self._sample_cells()
        widths: dict[str, int] = {}
        for index, column in enumerate(self._columns):
            widest = max([cell_len(column.title), *(cell_len(cells[index]) for cells in sample)], default=0)
            widths[str(column.name)] = max(column.min_width, min(column.max_width, widest))
        self._widths = widths

    def _sample_cells(self) -> list[list[str]]:
        if self._grouped:
            return [self._group_cells(group) for group in self._groups[:SAMPLE_ROWS]]
        return [self._error_cells(record) for record in self._errors[:SAMPLE_ROWS]]

    def _layout(self) -> list[int]:
        """Column widths for the current widget width: the flexible column takes the slack."""
        widths = [self._widths.get(str(column.name), column.min_width) for column in self._columns]
        available = self._content_width() - GUTTER - len(widths)
        for index, column in enumerate(self._columns):
            if column.flexible:
                widths[index] = max(column.min_width, available - (sum(widths) - widths[index]))
        return widths

    def _content_width(self) -> int:
        """The width the rows get: the content region's, less the vertical scrollbar's as soon as the rows
        overflow, even before the layout that shows the scrollbar.

        Why: the flexible column took the width without the scrollbar from the first page, and the next page
        (the scrollbar shown by then) changed the table's width: a layout of the screen and a repaint of
        every line (13 KB sent) about 0.2 s after the first rows, when the first keys are typed. In a pty,
        alternating runs on a busy machine (``bench/errors.py``, 3 runs each, twice): first row 287/221 ms
        (medians) before, 173/176 after; slowest key 46.9/32.8 ms before, 25.2/35.9 after.
        """
        region = self.scrollable_content_region
        width = region.width
        if not self.show_vertical_scrollbar and self.row_count + self.HEADER_LINES > region.height:
            width -= self.styles.scrollbar_size_vertical
        return width

    def _update_virtual_size(self) -> None:
        width = GUTTER + sum(self._layout()) + len(self._columns)
        self.virtual_size = Size(width, self.row_count + 1)

    def on_resize(self, event: events.Resize) -> None:
        """Give the message column the new width."""
        self._update_virtual_size()

    # -- cells --------------------------------------------------------------------------------------

    def _error_cells(self, record: ErrorRecord) -> list[str]:
        cells: list[str] = []
        for column in self._columns:
            name = column.name
            if name == "occurredAt":
                cells.append(format_time(record.occurred_at))
            elif name == "resolvedAt":
                cells.append(format_time(record.resolved_at))
            elif name == "retryable":
                cells.append("✓" if self.is_retryable(record) else "⊘" if self.is_beyond(record) else "·")
            elif name == "step":
                key = (record.flow_id, record.step_id)
                cells.append(one_line(self._step_names.get(key, record.step_id)))
            else:
                attribute = {"traceKey": "trace_key", "resolvedBy": "resolved_by"}.get(str(name), str(name))
                value = getattr(record, attribute)
                cells.append("" if value is None else one_line(str(value)))
        return cells

    @staticmethod
    def _group_cells(group: ErrorGroup) -> list[str]:
        return [one_line(group.label), f"{group.count:,}", f"{group.retryable:,}", format_time(group.latest),
                one_line(group.sample)]

    # -- keys ---------------------------------------------------------------------------------------

    async def on_key(self, event: events.Key) -> None:
        """Run the key's binding here, at once, instead of after the key has bubbled up to the app.

        Why: Textual looks a key's (non-priority) binding up only when the key event, posted from widget to
        widget, has reached the app: from this table that is seven more passes through the event loop (panel,
        tab pane, switcher, tabbed content, screen, app), and while 100,000 errors stream in, each pass may
        wait behind a page being merged, a frame being painted or the decoding thread's hold on the GIL
        (measured in the real iox in a pty: 10-50 ms of a key's latency). The lookup is the app's own
        (``App._check_bindings``, Textual 8.2, read before relying on it): the same chain from this widget
        up, the same ``check_action`` and ``SkipAction`` rules; only the ancestors' own key handlers are
        skipped, and no ancestor of this table has one. A key no binding takes bubbles on as before.
        """
        if await self.app._check_bindings(event.key):
            event.stop()
            event.prevent_default()

    # -- cursor -------------------------------------------------------------------------------------

    def refresh_row(self, row: int) -> None:
        """Repaint one row (its mark changed); row ``r`` is virtual line ``r + 1`` (under the header)."""
        self.refresh_lines(row + 1)

    def action_scroll_columns(self, cells: int) -> None:
        """Scroll sideways (long messages, narrow terminals)."""
        self.scroll_to(x=max(0, self.scroll_offset.x + cells), animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        """Click a title to sort by it; click a row to put the cursor on it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = offset.x + self.scroll_offset.x - GUTTER
            for column, width in zip(self._columns, self._layout(), strict=True):
                if 0 <= x < width + 1:
                    self.post_message(self.HeaderClicked(str(column.name)))
                    return
                x -= width + 1
            return
        row = round(self.scroll_offset.y) + offset.y - 1
        if 0 <= row < self.row_count:
            self.move_cursor(row)

    # -- rendering ----------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Theme or CSS changed: repaint everything."""
        super().notify_style_update()
        self.refresh()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _text_style(self, name: str) -> Style:
        """A component's own settings only (colour, bold), laid over a row's style: the full style carries
        the table's background too, which hid the cursor on a marked or failed-again row."""
        return self.get_component_rich_style(name, partial=True)

    def _line(self, texts: Sequence[str], widths: Sequence[int], gutter: str, style: Style,
              gutter_style: Style | None = None) -> Strip:
        cells = " ".join(fit(text, width) for text, width in zip(texts, widths, strict=True))
        first = style + gutter_style if gutter_style else style
        return Strip([Segment(gutter, first), Segment(cells + " ", style)])

    def render_lines(self, crop: Region) -> list[Strip]:
        """Work out the base style and the column widths once for all the lines of this paint.

        Why: ``rich_style`` walks every ancestor's styles and ``_layout`` the widget's regions; per line
        they were ~45 % of painting the whole table (6 ms on 35 lines, profiled), which every first page,
        page down and scroll pays.
        """
        self._paint = (self.rich_style, self._layout())
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        """Row 0 is the header (it stays put); row y shows item ``scroll_y + y - 1``."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base, widths = self._paint or (self.rich_style, self._layout())
        if y == 0:
            strip = self._header(widths, base)
        else:
            index = scroll_y + y - 1
            if index >= self.row_count:
                self._painted[y] = None
                if index == 0:
                    return Strip([Segment(fit(" " + self.empty_text, width), base + self._style(
                        "errors-table--empty"))])
                return Strip.blank(width, base)
            self._painted[y] = self._groups[index] if self._grouped else self._errors[index]
            strip = self._row(index, widths, base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header(self, widths: Sequence[int], base: Style) -> Strip:
        header = base + self._style("errors-table--header")
        sorted_style = base + self._style("errors-table--header-sorted")
        sort_column, descending = self._sort
        segments = [Segment(" " * GUTTER, header)]
        for column, width in zip(self._columns, widths, strict=True):
            title = column.title
            if column.name == sort_column:
                title += " ▼" if descending else " ▲"
            style = sorted_style if column.name == sort_column else header
            segments.append(Segment(fit(title, width), style))
            segments.append(Segment(" ", header))
        return Strip(segments)

    def _row(self, index: int, widths: Sequence[int], base: Style) -> Strip:
        style = base + self._style("errors-table--cursor") if index == self.cursor_line else base
        if self._grouped:
            return self._line(self._group_cells(self._groups[index]), widths, "  ", style)
        record = self._errors[index]
        marked = self.is_marked(record)
        refailed = self.is_refailed(record)
        gutter = ("●" if marked else " ") + ("↻" if refailed else " ")
        if marked:
            style += self._text_style("errors-table--marked")
        elif refailed:
            style += self._text_style("errors-table--refailed")
        gutter_style = self._text_style("errors-table--refailed") if refailed and not marked else None
        return self._line(self._error_cells(record), widths, gutter, style, gutter_style)
