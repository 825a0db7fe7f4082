"""Pilot tests of the browse screens: JSON pane search/copy, palette, HTTP log, token, help, errors."""

from __future__ import annotations

import json
import re

from textual.widgets import DataTable, Static

from explorer.simulator import DEMO_TOKENS, Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.help import HelpScreen
from explorer.tui.screens.http_log import HttpLogScreen, curl_command
from explorer.tui.screens.main import MainScreen
from explorer.tui.screens.token import TokenScreen
from explorer.tui.widgets.account_header import AccountHeader
from explorer.tui.widgets.errors_table import ErrorsTable
from explorer.tui.widgets.json_view import JsonView
from tests.helpers.browse_app import labels, make_app, move_to, node, settle, tree_of
from tests.helpers.palette import palette_pick
from tests.helpers.toasts import toast_titles

SIZE = (100, 32)


def screen_text(app: object) -> str:
    """Everything on the screen as the terminal would get it (an SVG export holds the text)."""
    return app.export_screenshot()  # type: ignore[attr-defined, no-any-return]


async def test_json_pane_search_and_copy_go_through_the_clipboard() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        node(tree, f"integration:{d.INT_SHOPIFY}").expand()  # type: ignore[attr-defined]
        await pilot.pause()
        await move_to(pilot, tree, f"flow:{d.SHOPIFY_FLOW}")
        await settle(pilot)
        view = app.screen.query_one("#json", JsonView)
        assert json.loads("\n".join(view.lines)) == sim.doc("flows", d.SHOPIFY_FLOW)
        await pilot.press("tab")
        assert app.screen.focused is view.body
        await pilot.press("slash", *"_importid", "enter")
        await pilot.pause()
        assert view.search_term == "_importid" and view.match_count == 1
        await pilot.press("p")
        await pilot.pause()
        assert app.clipboard == "pageProcessors[1]._importId"
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == d.SHOPIFY_IMPORT_STEP
        await pilot.press("c")
        await pilot.pause()
        assert json.loads(app.clipboard) == sim.doc("flows", d.SHOPIFY_FLOW)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.focused is tree


async def test_palette_jumps_to_a_step_by_name_loading_its_flow() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette_pick(pilot, "create netsuite invoices", "Create NetSuite invoices")
        await settle(pilot)
        tree = tree_of(app)
        assert tree.cursor_item is not None
        assert tree.cursor_item.key == f"step:{d.AMAZON_FLOW}:{d.AMAZON_IMPORT_STEP}"
        assert app.screen.focused is tree
        view = app.screen.query_one("#json", JsonView)
        assert '  "name": "Create NetSuite invoices",' in view.lines


async def test_palette_jumps_by_id_prefix_and_offers_screen_actions() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette_pick(pilot, d.OFFLINE_CONNECTION[:12], d.OFFLINE_CONNECTION)
        await settle(pilot)
        item = tree_of(app).cursor_item
        assert item is not None and item.key == f"connection:{d.OFFLINE_CONNECTION}"
        await palette_pick(pilot, "http log", "HTTP log")
        await settle(pilot)
        assert isinstance(app.screen, HttpLogScreen)


async def test_http_log_redacts_the_token_everywhere_and_copies_curl_with_a_placeholder() -> None:
    sim = Simulator(seed=0)
    token = DEMO_TOKENS["full"]
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HttpLogScreen)
        table = screen.query_one("#log-table", DataTable)
        assert table.row_count == len(sim.requests) >= 12
        paths = [str(table.get_row_at(row)[6]) for row in range(table.row_count)]
        assert "/v1/tokenInfo" in paths and "/v1/exports" in paths
        detail = screen.query_one("#log-detail", JsonView)
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.pause()
            text = "\n".join(detail.lines)
            assert token not in text
            assert "Authorization: Bearer ***" in text or "authorization: Bearer ***" in text
            assert token not in screen_text(app)
        table.move_cursor(row=0)
        await pilot.pause()
        await pilot.press("C")
        await pilot.pause()
        assert token not in app.clipboard
        assert '-H "Authorization: Bearer $IOX_TOKEN"' in app.clipboard
        assert app.clipboard.startswith("curl -X GET 'https://api.integrator.io/v1/")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


def test_curl_quotes_bodies_for_the_shell() -> None:
    from explorer.client import RequestRecord

    record = RequestRecord("PUT", "/v1/flows/x", 200, 1.0, 10, 10, 0,
                           {"Authorization": "Bearer ***", "Content-Type": "application/json"},
                           '{"name": "it\'s $HOME"}', {}, None)
    command = curl_command(record, "https://api.integrator.io")
    assert command.splitlines()[-1] == """  --data-raw '{"name": "it'"'"'s $HOME"}'"""
    assert "Bearer ***" not in command


async def test_http_log_filter_keeps_numbers_and_escape_clears_it() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        table = app.screen.query_one("#log-table", DataTable)
        total = table.row_count
        await pilot.press("slash", *"/errors")
        await pilot.pause()
        rows = [table.get_row_at(row) for row in range(table.row_count)]
        assert rows and all(str(row[6]).endswith("/errors") for row in rows)
        assert table.row_count == total - 6
        assert str(rows[0][0]) == "5"  # numbers are those of the whole log
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HttpLogScreen) and table.row_count == total
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_http_log_hides_timings_when_asked() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim, show_timings=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        table = app.screen.query_one("#log-table", DataTable)
        assert {str(table.get_row_at(row)[3]) for row in range(table.row_count)} == {"—"}
        assert not re.search(r"\d ms", screen_text(app))


async def test_server_markup_and_escape_sequences_are_shown_literally() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        key = f"errors:{d.SALESFORCE_FLOW}:{d.SALESFORCE_IMPORT_STEP}"
        assert await tree.reveal(key)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ErrorsScreen)
        table = screen.query_one(ErrorsTable)
        assert table.row_count == 7
        shown = "\n".join(table.render_line(y).text for y in range(table.size.height))
        assert "[bold]Customer" in shown  # the markup is text, not style
        assert "\x1b" not in shown
        messages = [getattr(table.record_at(r), "message", None) or "" for r in range(table.row_count)]
        row = next(r for r, message in enumerate(messages) if "Vireo" in message)
        table.move_cursor(row)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen.query_one(JsonView)
        line = next(line for line in detail.lines if "Vireo" in line)
        assert "\x1b" not in line
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_token_panel_explains_scope_and_never_shows_the_token() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim, "scoped")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TokenScreen)
        words = str(screen.query_one("#token-words", Static).render())
        assert "Custom scope: 2 connections, 2 exports, 1 import." in words
        assert f"Shopify - Acme Store ({d.CONN_SHOPIFY})" in words
        assert "Get Shopify orders" in words
        view = screen.query_one("#token-json", JsonView)
        assert json.loads("\n".join(view.lines))["scope"] == "custom"
        assert DEMO_TOKENS["scoped"] not in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_help_lists_every_key() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        for words in ("Refresh the node under the cursor", "Reload the whole account", "Filter the tree",
                      "Copy the whole document", "Copy the JSON path", "Copy the selected request as curl",
                      "Palette: jump to", "HTTP log", "Token panel", "Quit",
                      "Give the JSON pane the whole width"):
            assert words in text, words
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_read_only_badge_and_no_edit_key() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "READ-ONLY" in app.screen.query_one(AccountHeader).render_text().plain
        assert "edit" not in {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        await pilot.press("e")
        await pilot.pause()
        assert toast_titles(app) == ["Read-only"]  # says why, opens nothing


async def test_zoom_gives_the_json_pane_the_whole_width() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.query_one("#json", JsonView).size.width == 80 - 0
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.has_class("-zoomed")
        assert labels(tree_of(app))


def test_literal_text_is_never_markup_and_never_a_terminal_command() -> None:
    from explorer.tui.literal import literal, one_line

    text = literal("[bold]x[/] \x1b[31mred\x9b2J\u202e")
    assert text.plain == "[bold]x[/] ␛[31mred\ufffd2J\ufffd" and text.spans == []
    assert one_line("a\nb", 0) == "a␊b" and one_line("abcdef", 4) == "abc…"
