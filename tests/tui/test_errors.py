"""Pilot tests of the errors screen against the in-process simulator: load, filter, sort, group, marks.

The host app here (also used by the other errors tests and the snapshots) builds a client over the
simulator and pushes one screen, exactly as the explorer does from the tree.
"""

from __future__ import annotations

import pytest

from explorer.client import IntegratorClient
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_dialogs import TextPromptDialog
from tests.helpers.errors_app import (
    AMAZON,
    SHOPIFY,
    ErrorsHost,
    choose,
    loaded,
    screen_of,
    step_screen,
    wait_for,
)


# --------------------------------------------------------------------------------------------- tests
async def test_pages_stream_in_and_the_status_says_loaded_total_selected() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(AMAZON)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        assert len(panel.store.rows) == 3000 and panel.store.total == 3000
        assert panel.table.row_count == 3000
        pages = [p for m, p, _ in sim.requests if m == "GET" and "/errors" in p and d.AMAZON_IMPORT_STEP in p]
        assert len(pages) == 3  # 1000 per page, each requested once
        assert "3,000 loaded · 0 selected" in str(panel.query_one("#status").render())
        first = sim.open_errors(*AMAZON)[0]
        assert panel.table.cursor_record is not None
        assert panel.table.cursor_record.error_id == first["errorId"]


async def test_text_filter_matches_message_code_and_trace_key() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(AMAZON)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        await pilot.press("slash", *"acm-cb-sl", "enter")
        await pilot.pause()
        expected = [e["errorId"] for e in sim.open_errors(*AMAZON) if "acm-cb-sl" in e["message"].lower()
                    or "acm-cb-sl" in e["code"].lower() or "acm-cb-sl" in e["traceKey"].lower()]
        assert 0 < len(expected) < 3000
        assert [r.error_id for r in panel.store.view] == expected
        assert panel.table.row_count == len(expected)
        assert "/acm-cb-sl" in str(panel.query_one("#status").render())
        await pilot.press("slash", "escape")  # esc in the filter box clears it
        await pilot.pause()
        assert len(panel.store.view) == 3000


async def test_quick_filter_sort_and_group_with_drill_in() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(AMAZON)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        errors = sim.open_errors(*AMAZON)
        await pilot.press("f")
        await choose(pilot, "source\tconnection")
        assert {r.source for r in panel.store.view} == {"connection"}
        assert len(panel.store.view) == sum(e["source"] == "connection" for e in errors)
        await pilot.press("f")
        await choose(pilot, "clear")
        assert len(panel.store.view) == 3000

        await pilot.press("s")
        await choose(pilot, "code")
        codes = [r.code or "" for r in panel.store.view]
        assert codes == sorted(codes, key=str.lower)
        await pilot.press("S")  # reverse
        await pilot.pause()
        assert [r.code or "" for r in panel.store.view] == sorted(codes, key=str.lower, reverse=True)

        await pilot.press("g")
        await pilot.pause()
        counts: dict[str, int] = {}
        for e in errors:
            counts[e["code"]] = counts.get(e["code"], 0) + 1
        assert panel.table.grouped
        expected_groups = sorted(counts.items(), key=lambda i: (-i[1], i[0]))
        assert [(g.value, g.count) for g in panel.groups] == expected_groups
        second = panel.groups[1].value
        await pilot.press("down", "enter")  # drill into the second biggest code
        await pilot.pause()
        assert not panel.table.grouped
        assert {r.code for r in panel.store.view} == {second}
        assert len(panel.store.view) == counts[second]
        await pilot.press("G", "G")  # group by code, then by classification (within the drilled-in code)
        await pilot.pause()
        assert panel.group_field == "classification"
        assert sum(g.count for g in panel.groups) == counts[second]
        await pilot.press("escape")  # leaves group mode, stays on the screen
        await pilot.pause()
        assert panel.group_field is None and isinstance(pilot.app.screen, ErrorsScreen)


async def test_marks_space_range_all_and_clear_survive_a_refresh() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(SHOPIFY)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        await pilot.press("space")  # marks row 0, cursor to 1
        await pilot.press("shift+down", "shift+down")  # 1,2 then 2,3
        assert [r.error_id for r in panel.store.selected()] == [r.error_id for r in panel.store.view[:4]]
        await pilot.press("up", "space")  # unmark row 2
        assert len(panel.store.selection) == 3
        await pilot.press("ctrl+r")
        panel = await loaded(pilot)
        assert len(panel.store.selected()) == 3  # kept across the reload
        assert "3 selected" in str(panel.query_one("#status").render())
        await pilot.press("A")
        assert len(panel.store.selection) == 0
        await pilot.press("slash", *"invalid_fld", "enter", "a")
        await pilot.pause()
        assert len(panel.store.selection) == len(panel.store.view) == 5  # only what the filter shows
        assert {r.code for r in panel.store.selected()} == {"INVALID_FLD_VALUE"}


async def test_read_only_hides_retry_and_resolve() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(SHOPIFY, read_only=True), read_only=True).run_test(
            size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        screen = screen_of(pilot.app)
        assert screen.check_action("retry", ()) is False and screen.check_action("resolve", ()) is False
        await pilot.press("space", "r", "x")
        await pilot.pause()
        assert pilot.app.screen is screen  # no dialog opened
        assert not [r for r in sim.requests if r[0] != "GET"]
        assert len(panel.store.rows) == 12


async def test_enter_opens_the_error_detail_and_esc_comes_back() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(SHOPIFY)).run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        screen = screen_of(pilot.app)
        await pilot.press("enter")
        await pilot.pause()
        from explorer.tui.screens.errors_detail import ErrorDetailScreen
        assert isinstance(pilot.app.screen, ErrorDetailScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen_stack[-1] is screen


async def test_server_text_is_shown_literally_markup_and_escapes_included() -> None:
    sim = Simulator(seed=0, time_scale=0)
    step = (d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
    async with ErrorsHost(sim, step_screen(step)).run_test(size=(220, 30)) as pilot:
        panel = await loaded(pilot)
        lines = [panel.table.render_line(y).text for y in range(1, 8)]
        assert any("Vireo␛]52;c;ZWNobyBwd25lZA==␇ Analytics" in line for line in lines)
        markup = "Field [bold]Customer Category[/bold] rejected value [red]Wholesale"
        assert any(markup in line for line in lines)
        assert not any("\x1b" in line or "\x07" in line for line in lines)


async def test_date_range_filters_by_occurred_at() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, step_screen(SHOPIFY)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextPromptDialog))
        await pilot.press(*"2026-11-27T03:00..2026-11-27T05:00", "enter")
        await pilot.pause()
        expected = [e["errorId"] for e in sim.open_errors(*SHOPIFY)
                    if "2026-11-27T03:00" <= e["occurredAt"] <= "2026-11-27T05:00:59"]
        assert 0 < len(expected) < 12
        assert [r.error_id for r in panel.store.view] == expected
        assert "date=2026-11-27T03:00..2026-11-27T05:00" in str(panel.query_one("#status").render())
        await pilot.press("d", "ctrl+u", "enter")  # empty: any date
        await pilot.pause()
        assert len(panel.store.view) == 12


async def test_read_only_mark_stays_visible_in_an_80_column_title() -> None:
    # At 80x24 the step and flow names filled the title and the trailing "· READ-ONLY" was cut off.
    sim = Simulator(seed=0, time_scale=0)

    def make(client: IntegratorClient) -> ErrorsScreen:
        return ErrorsScreen(client, *SHOPIFY, step_name="Create NetSuite sales orders",
                            flow_name="Shopify Orders to NetSuite Sales Orders", read_only=True)

    async with ErrorsHost(sim, make, read_only=True).run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        title = screen_of(pilot.app).query_one("#errors-title")
        assert title.region.height == 1
        assert "READ-ONLY" in title.render_line(0).text


async def test_typing_into_the_filter_filters_once_after_the_last_letter() -> None:
    """Each letter used to start a filtering pass (over 100,000 rows, a thread contending with the loop for
    the GIL, so the letter itself echoed late); now one pass runs FILTER_DELAY after the last letter."""
    from textual.widgets import Input

    from explorer.services.error_list import ErrorQuery
    from explorer.tui.widgets.errors_panel import FILTER_DELAY

    app = ErrorsHost(Simulator(seed=0, time_scale=0), step_screen(SHOPIFY))
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await loaded(pilot)
        applied: list[ErrorQuery] = []
        original = panel.apply

        def counting(query: ErrorQuery) -> None:
            applied.append(query)
            original(query)

        panel.apply = counting  # type: ignore[method-assign]
        await pilot.press("slash", *"1009")
        assert panel.query_one("#filter", Input).value == "1009"  # every letter is in the box at once
        assert applied == []
        await pilot.pause(FILTER_DELAY * 3)
        assert [query.text for query in applied] == ["1009"]
        assert [record.trace_key for record in panel.store.view] == ["#1009"]
        await pilot.press("escape")  # esc clears it without waiting
        assert [query.text for query in applied] == ["1009", ""] and len(panel.store.view) == 12


async def test_the_filter_opens_over_the_tables_last_lines_without_moving_the_table() -> None:
    """``/`` showed the input above the table, pushing it down (and esc pulled it back): each a re-layout,
    resize and repaint of the whole table, 30-120 ms while 100,000 errors streamed in. Now the input lies
    over the table's last three lines, above the status line; the table keeps its place and size."""
    from textual.widgets import Input

    app = ErrorsHost(Simulator(seed=0, time_scale=0), step_screen(AMAZON))
    async with app.run_test(size=(120, 40)) as pilot:
        screen, panel = screen_of(app), await loaded(pilot)
        await pilot.pause()
        table, status = panel.table, panel.query_one("#status")
        region = table.region
        await pilot.press("slash", "E")
        await pilot.pause()
        box = panel.query_one("#filter", Input)
        assert box.has_focus and box.visible
        assert table.region == region and table.size == region.size
        assert box.region.bottom == status.region.y == region.bottom  # right above the status line
        assert box.region.height == 3 and box.region.x == region.x and box.region.width == region.width
        widget, _ = screen.get_widget_at(10, box.region.y + 1)
        assert widget is box  # on top of the table's rows
        widget, _ = screen.get_widget_at(10, box.region.y - 1)
        assert widget is table  # the rows above it show
        await pilot.press("escape")
        await pilot.pause()
        assert not box.visible and table.has_focus
        assert table.region == region and table.size == region.size
        widget, _ = screen.get_widget_at(10, region.bottom - 1)
        assert widget is table


async def test_showing_the_filter_leaves_the_tables_place_in_the_paint_order() -> None:
    """Shown with ``display``, the input joined the panel's arrangement and moved every other child of the
    panel one place in the paint order: the table's whole region was repainted (with each widget behind
    it) on ``/`` and on esc, under the letters typed next while 100,000 errors streamed. Hidden with
    ``visibility`` it keeps its place: only its own lines and the footer's change."""
    from textual.widgets import Input

    app = ErrorsHost(Simulator(seed=0, time_scale=0), step_screen(AMAZON))
    async with app.run_test(size=(120, 40)) as pilot:
        screen, panel = screen_of(app), await loaded(pilot)
        await pilot.pause()
        table, status = panel.table, panel.query_one("#status")
        box = panel.query_one("#filter", Input)
        placed = screen._compositor.full_map
        before = (placed[table], placed[status])
        assert not box.visible and not box.focusable  # hidden: tab does not reach it either
        await pilot.press("slash")
        await pilot.pause()
        placed = screen._compositor.full_map
        assert box.visible and box.has_focus
        assert (placed[table], placed[status]) == before
        await pilot.press("escape")
        await pilot.pause()
        placed = screen._compositor.full_map
        assert not box.visible and (placed[table], placed[status]) == before


async def test_the_filtering_thread_steps_aside_for_keys_typed_meanwhile(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Over ``SYNC_ROWS`` rows the filter runs in a thread, which held the GIL a chunk at a time while the
    next letters were echoed (10 ms frames instead of 2-4): between chunks it now calls ``yield_to_input``,
    which sleeps while a key just typed is answered."""
    import threading

    from explorer.tui.widgets import errors_panel

    calls: list[str] = []
    monkeypatch.setattr(errors_panel, "SYNC_ROWS", 5)  # the 12 rows of the step go to the thread
    monkeypatch.setattr(errors_panel, "yield_to_input", lambda: calls.append(threading.current_thread().name))
    app = ErrorsHost(Simulator(seed=0, time_scale=0), step_screen(SHOPIFY))
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await loaded(pilot)
        await pilot.press("slash", *"1009", "enter")
        await wait_for(pilot, lambda: [record.trace_key for record in panel.store.view] == ["#1009"])
        assert calls and threading.current_thread().name not in calls


async def test_moving_the_focus_to_the_filter_does_not_repaint_the_whole_screen() -> None:
    """Textual's ``Screen.focused`` repainted every line of the screen at each focus change, in the frame that
    shows the filter input (``/``) or hides it (esc); the widgets whose look changes (the input, the table's
    cursor line) are still repainted."""
    from textual.widgets import Input

    app = ErrorsHost(Simulator(seed=0, time_scale=0), step_screen(AMAZON))
    async with app.run_test(size=(120, 40)) as pilot:
        screen, panel = screen_of(app), await loaded(pilot)
        await pilot.pause()
        screen_repaints: list[object] = []
        table_repaints: list[object] = []
        screen_refresh, table_refresh = screen.refresh, panel.table.refresh

        def on_screen(*args: object, **kwargs: object) -> object:
            screen_repaints.append(kwargs)
            return screen_refresh(*args, **kwargs)  # type: ignore[arg-type]

        def on_table(*args: object, **kwargs: object) -> object:
            table_repaints.append(kwargs)
            return table_refresh(*args, **kwargs)  # type: ignore[arg-type]

        screen.refresh = on_screen  # type: ignore[method-assign, assignment]
        panel.table.refresh = on_table  # type: ignore[method-assign, assignment]
        await pilot.press("slash")
        await pilot.pause()
        assert panel.query_one("#filter", Input).has_focus
        assert screen_repaints == [] and table_repaints  # the table's cursor line changes colour
        await pilot.press("escape")
        await pilot.pause()
        assert panel.table.has_focus and screen_repaints == []
        screen.refresh, panel.table.refresh = screen_refresh, table_refresh  # type: ignore[method-assign]
