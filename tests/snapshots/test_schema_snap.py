"""Snapshots of what Celigo's schemas add to the editor: the doc strip, schema warnings, value completion.

The schemas are installed from the shared copy into the test's private ``$XDG_CACHE_HOME`` (the
``installed_schemas`` fixture); the simulator's clock is frozen and the cursor does not blink.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from explorer.services.schemas import SchemaLibrary
from explorer.tui.screens.value_completion import ValueCompletionScreen
from explorer.tui.widgets.doc_strip import DocStrip
from explorer.tui.widgets.edit_problems import EditProblems
from tests.helpers.edit_host import replace_in_area, static_text, until
from tests.helpers.schema_editor import SIZE, SchemaEditorHost, opened, row_of


def test_doc_strip_on_a_nested_key(snap_compare: Any, tmp_path: Path, installed_schemas: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await opened(pilot)
        assert screen.area is not None
        screen.area.move_cursor((row_of(screen, '"type": "token"'), 14))
        strip = screen.query_one("#edit-doc", DocStrip)
        await until(pilot, lambda: static_text(strip).startswith("http.auth.type"))
        await pilot.pause(0.1)

    app = SchemaEditorHost(tmp_path, SchemaLibrary(installed_schemas))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_problems_list_with_schema_warnings(snap_compare: Any, tmp_path: Path,
                                            installed_schemas: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await opened(pilot)
        assert screen.area is not None
        replace_in_area(screen.area, '"mediaType": "json"', '"mediaType": 7')
        replace_in_area(screen.area, '"type": "token"', '"type": "tokn"')
        replace_in_area(screen.area, '"formType": "assistant"', '"formTypo": "assistant"')
        panel = screen.query_one(EditProblems)
        await until(pilot, lambda: len(panel.problems) == 4)
        await pilot.press("f8")  # to the first problem; its field's doc follows a moment later
        strip = screen.query_one("#edit-doc", DocStrip)
        await until(pilot, lambda: static_text(strip).startswith("http.mediaType"))

    app = SchemaEditorHost(tmp_path, SchemaLibrary(installed_schemas))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_value_completion_list(snap_compare: Any, tmp_path: Path, installed_schemas: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await opened(pilot)
        assert screen.area is not None
        screen.area.move_cursor((row_of(screen, '"type": "token"'), 14))
        await pilot.press("ctrl+space")
        await until(pilot, lambda: isinstance(pilot.app.screen, ValueCompletionScreen))
        await pilot.pause(0.1)

    app = SchemaEditorHost(tmp_path, SchemaLibrary(installed_schemas))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
