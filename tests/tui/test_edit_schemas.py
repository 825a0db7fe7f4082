"""The editor with Celigo's schemas: doc strip, f1, warnings while typing, f8, ctrl+space, never blocking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import Static, TextArea

from explorer.services.schemas import SchemaLibrary
from explorer.simulator import demo_ids as d
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen
from explorer.tui.screens.field_doc import FieldDocScreen
from explorer.tui.screens.value_completion import ValueCompletionScreen
from explorer.tui.widgets.doc_strip import DocStrip
from explorer.tui.widgets.edit_problems import EditProblems
from tests.helpers.edit_host import replace_in_area, static_text, until
from tests.helpers.schema_editor import SIZE, SchemaEditorHost, opened, row_of
from tests.helpers.toasts import toasts


def strip_text(screen: EditorScreen) -> str:
    return static_text(screen.query_one("#edit-doc", DocStrip))


def area_of(screen: EditorScreen) -> TextArea:
    assert screen.area is not None
    return screen.area


async def test_doc_strip_follows_the_cursor_and_f1_shows_all(
    tmp_path: Path, installed_schemas: Path
) -> None:
    app = SchemaEditorHost(tmp_path, SchemaLibrary(installed_schemas))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        area = area_of(screen)
        row = row_of(screen, '"type": "token"')
        area.move_cursor((row, 12))
        await until(pilot, lambda: strip_text(screen).startswith("http.auth.type · string · one of custom"))
        assert "Authentication method for this connection." in strip_text(screen)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, FieldDocScreen))
        shown = static_text(app.screen.query_one("#field-doc-text", Static))
        assert shown.startswith("Authentication method for this connection.") and "\n" in shown
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        replace_in_area(area, '"formType": "assistant"', '"formTypo": "assistant"')
        area.move_cursor((row_of(screen, "formTypo"), 6))
        await until(pilot, lambda: strip_text(screen) == "http.formTypo · not in Celigo's published schema")


async def test_warnings_while_typing_f8_walks_them_and_ctrl_s_repeats_them(
    tmp_path: Path, installed_schemas: Path
) -> None:
    app = SchemaEditorHost(tmp_path, SchemaLibrary(installed_schemas))
    sim = app.sim
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        area = area_of(screen)
        panel = screen.query_one(EditProblems)
        assert panel.problems == []  # the demo connection agrees with the schema
        replace_in_area(area, '"mediaType": "json"', '"mediaType": 7')
        replace_in_area(area, '"type": "token"', '"type": "tokn"')
        await until(pilot, lambda: len(panel.problems) == 3)
        assert [p.title for p in panel.problems] == ["http.mediaType", "http.mediaType", "http.auth.type"]
        assert panel.border_title == "3 schema warning(s)"
        assert "must be string, not a number" in panel.problems[0].detail
        area.move_cursor((0, 0))
        await pilot.press("f8", "f8", "f8")
        assert area.cursor_location[0] == row_of(screen, '"type": "tokn"')
        await pilot.press("f8")
        assert area.cursor_location[0] == row_of(screen, '"mediaType": 7')
        # A JSON syntax error joins the same list; the warnings stay until the text parses again.
        replace_in_area(area, '"type": "tokn",', '"type": "tokn"')
        await until(pilot, lambda: panel.problems[0].title.startswith("JSON syntax"))
        assert len(panel.problems) == 4
        replace_in_area(area, '"type": "tokn"', '"type": "tokn",')
        await until(pilot, lambda: len(panel.problems) == 3)
        # Warnings never block the PUT; the confirm screen repeats them.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        warnings = static_text(app.screen.query_one("#confirm-warnings", Static))
        assert "Celigo's schema: http.auth.type: \"tokn\" is not one of" in warnings
        await pilot.press("y")
        await until(pilot, lambda: app.results)
    assert [status for method, _, status in sim.requests if method == "PUT"] == [200]
    assert sim.doc("connections", d.CONN_SHOPIFY)["http"]["auth"]["type"] == "tokn"


async def test_ctrl_space_offers_the_allowed_values_and_keeps_valid_json(
    tmp_path: Path, installed_schemas: Path
) -> None:
    app = SchemaEditorHost(tmp_path, SchemaLibrary(installed_schemas))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        area = area_of(screen)
        row = row_of(screen, '"type": "token"')
        area.move_cursor((row, 3))
        await pilot.press("ctrl+space")
        await until(pilot, lambda: isinstance(app.screen, ValueCompletionScreen))
        completion = app.screen
        assert isinstance(completion, ValueCompletionScreen)
        assert completion.values[:3] == ("custom", "basic", "token")
        await pilot.press("up", "enter")  # from the current value "token" to "basic"
        await until(pilot, lambda: app.screen is screen)
        document: Any = json.loads(area.text)
        assert document["http"]["auth"]["type"] == "basic"
        assert area.document.get_line(row).strip() == '"type": "basic",'
        # An array item with allowed values: the HTTP method of the ping.
        area.move_cursor((row_of(screen, '"name": "Shopify - Acme Store"'), 4))
        await pilot.press("ctrl+space")
        await pilot.pause(0.1)
        assert app.screen is screen  # `name` lists no values: nothing to offer, a note says so


async def test_without_schemas_the_editor_says_once_how_to_get_them(
    tmp_path: Path
) -> None:
    library = SchemaLibrary(tmp_path / "none")
    app = SchemaEditorHost(tmp_path / "a", library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await opened(pilot)
        await until(pilot, lambda: any("iox schemas update" in text for text in toasts(app)))
        told = [text for text in toasts(app) if "iox schemas update" in text]
        assert len(told) == 1
        assert not screen.query_one("#edit-doc", DocStrip).display
        await pilot.press("f1")
        assert app.screen is screen
        replace_in_area(area_of(screen), '"type": "token"', '"type": "tokn"')
        await pilot.pause(0.5)
        assert screen.query_one(EditProblems).problems == []
    app2 = SchemaEditorHost(tmp_path / "b", library, resource_id=d.CONN_NETSUITE)
    async with app2.run_test(size=SIZE, notifications=True) as pilot:
        await opened(pilot)
        await pilot.pause(0.1)
        assert not [text for text in toasts(app2) if "iox schemas update" in text]
