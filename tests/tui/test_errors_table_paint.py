"""A streamed page repaints the error table only when a line on screen changes (issue 10).

Why: while 100,000 errors stream in, a full repaint and screen re-layout per page collided with the cursor
keys' repaints (keys took up to 182 ms). A page that lands below the window must still lengthen the
scrollbar, and one that moves the rows on screen (a sorted view) must still show them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult

from explorer.model import ErrorRecord
from explorer.tui.widgets.errors_table import ErrorsTable

START = datetime(2026, 1, 1, tzinfo=UTC)


def records(first: int, count: int) -> list[ErrorRecord]:
    return [ErrorRecord("f", "s", f"e{n:06d}", message=f"m{n:06d}", occurred_at=START + timedelta(minutes=n))
            for n in range(first, first + count)]


@contextmanager
def counted_refreshes(table: ErrorsTable) -> Iterator[list[tuple[tuple[object, ...], dict[str, object]]]]:
    """Each ``table.refresh`` call (its arguments) while the block runs; the table's own method after."""
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
    original = table.refresh

    def counting_refresh(*args: object, **kwargs: object) -> ErrorsTable:
        calls.append((args, kwargs))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    table.refresh = counting_refresh  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        table.refresh = original  # type: ignore[method-assign]


class TableHost(App[None]):
    def compose(self) -> ComposeResult:
        yield ErrorsTable(id="table")


async def test_a_page_below_the_window_lengthens_the_scrollbar_without_a_repaint() -> None:
    """Also: the first page that overflows brings the scrollbar (a layout), and the width of its rows already
    leaves room for it, so the next page only lengthens it. That page used to change the width: a second
    layout and a repaint of every line, about 0.2 s after the first rows, when the first keys are typed."""
    app = TableHost()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(ErrorsTable)
        view = records(0, 100)
        table.show_errors(view)
        await pilot.pause()
        await pilot.pause()
        width = table.virtual_size.width
        assert table.show_vertical_scrollbar and width == table.scrollable_content_region.width
        with counted_refreshes(table) as refreshes:
            view.extend(records(100, 100))  # the first page after the scrollbar came
            table.rows_changed(view)
        assert table.virtual_size == (width, 201)
        assert not any(kwargs.get("layout") for _, kwargs in refreshes)
        await pilot.pause()
        with counted_refreshes(table) as repaints:
            view.extend(records(200, 100))  # the store's view grows in place, far below the 19 lines shown
            table.rows_changed(view)
            assert table.virtual_size.height == 301 and table.max_scroll_y > 200
            assert repaints == []  # nothing on screen changed: the body is not repainted
            await pilot.pause()
        await pilot.press("end")  # the new rows are really there
        await pilot.pause()
        assert table.cursor_line == 299 and "m000299" in app.export_screenshot()


async def test_a_page_that_moves_the_rows_on_screen_repaints_them() -> None:
    app = TableHost()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(ErrorsTable)
        table.show_errors(records(100, 100))
        await pilot.pause()
        assert "m000100" in app.export_screenshot()
        newer_first = [*records(0, 50), *records(100, 100)]  # a sorted view: the page lands at the top
        table.rows_changed(newer_first)
        await pilot.pause()
        shown = app.export_screenshot()
        assert "m000000" in shown and "m000100" not in shown


async def test_rows_fill_a_part_empty_window_as_they_arrive() -> None:
    app = TableHost()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(ErrorsTable)
        view = records(0, 3)
        table.show_errors(view)
        await pilot.pause()
        assert "m000004" not in app.export_screenshot()
        view.extend(records(3, 5))
        table.rows_changed(view)
        await pilot.pause()
        assert "m000004" in app.export_screenshot()


async def test_painting_the_table_works_out_its_style_and_column_widths_once_not_per_line() -> None:
    """``rich_style`` and ``_layout`` per line were ~45 % of painting the whole table (every first page,
    page down and scroll pays it); they are worked out once per paint, and the lines are the same."""
    from textual.geometry import Region

    app = TableHost()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(ErrorsTable)
        table.show_errors(records(0, 100))
        await pilot.pause()
        region = Region(0, 0, table.size.width, table.size.height)
        table._styles_cache.clear()
        painted = [strip.text for strip in table.render_lines(region)]
        layouts: list[int] = []
        original = table._layout

        def counting_layout() -> list[int]:
            layouts.append(1)
            return original()

        table._layout = counting_layout  # type: ignore[method-assign]
        table._styles_cache.clear()
        again = [strip.text for strip in table.render_lines(region)]
        assert len(layouts) == 1 and len(again) == table.size.height == 20
        assert again == painted and "m000000" in again[1]


async def test_the_cursor_shows_on_a_marked_row() -> None:
    """The mark's style carried the table's background and hid the cursor's (found by bench/errors.py:
    after ``space`` then ``up``, no line of the table was highlighted)."""
    app = TableHost()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(ErrorsTable)
        view = records(0, 10)
        marked = {view[0].error_id}
        table.is_marked = lambda record: record.error_id in marked
        table.show_errors(view)
        await pilot.pause()
        cursor_bg = table.get_component_rich_style("errors-table--cursor").bgcolor
        marked_row, plain_row = table.render_line(1), table.render_line(2)
        assert table.cursor_line == 0 and "●" in marked_row.text
        assert {segment.style.bgcolor for segment in marked_row if segment.style} == {cursor_bg}
        assert cursor_bg not in {segment.style.bgcolor for segment in plain_row if segment.style}
        assert marked_row.text.startswith("●") and any(
            segment.style and segment.style.bold for segment in marked_row)  # still shown as marked


async def test_setting_the_same_sort_again_repaints_nothing() -> None:
    """Each filter the panel applies sets the sort again: that repainted every table line (~9 KB) between a
    letter typed into the filter and its echo while 100,000 errors streamed. A new sort still shows."""
    app = TableHost()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(ErrorsTable)
        table.show_errors(records(0, 50))
        table.set_sort("occurredAt", True)
        await pilot.pause()
        with counted_refreshes(table) as repaints:
            table.set_sort("occurredAt", True)
            assert repaints == []
            table.set_sort("occurredAt", False)
            assert repaints == [((), {})]
            table.set_sort("code", False)
            assert len(repaints) == 2

