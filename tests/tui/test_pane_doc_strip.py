"""The JSON pane's doc strip: Celigo's schema on the key under the pane's cursor, never read at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from explorer.services import schemas as schemas_module
from explorer.services.schema_files import read_kind
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.field_doc import FieldDocScreen
from explorer.tui.widgets.pane_doc_strip import PaneDocStrip
from tests.helpers.browse_app import make_app, settle, tree_of
from tests.helpers.edit_host import static_text, until

SIZE = (120, 36)


async def at(pilot: Pilot[None], app: ExplorerApp, key: str) -> None:
    assert await tree_of(app).reveal(key)
    await settle(pilot)


async def test_the_pane_strip_describes_the_key_under_the_cursor(installed_schemas: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    kinds_read: list[str] = []

    def reading(directory: Path, kind: str) -> Any:
        kinds_read.append(kind)
        return read_kind(directory, kind)

    monkeypatch.setattr(schemas_module, "read_kind", reading)
    app = make_app(Simulator(seed=0, time_scale=0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert kinds_read == []  # start-up and the tree read no schema file
        await at(pilot, app, f"connection:{d.CONN_SHOPIFY}")
        main = app.main_screen
        assert main is not None
        strip = main.query_one("#json-doc", PaneDocStrip)
        assert not strip.display  # the tree has the focus
        view = main.json_view
        view.focus()
        line = next(i for i, text in enumerate(view.lines) if '"type": "token"' in text)
        view.move_cursor(line)
        await until(pilot, lambda: static_text(strip).startswith("http.auth.type · string · one of"))
        assert kinds_read == ["connections"]  # read when first needed, once
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, FieldDocScreen))
        await pilot.press("escape")
        await at(pilot, app, f"integration:{d.INT_SHOPIFY}")  # no published schema for integrations
        view.focus()
        await until(pilot, lambda: not strip.display)
