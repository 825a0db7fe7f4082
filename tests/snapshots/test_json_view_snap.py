"""Snapshot tests of JsonView on a representative flow document (100×32 and 80×24).

They pin what a user sees: line numbers, syntax colours, the cursor line, search highlights with the
"match i/N" status, horizontal scrolling to a match, and server text shown literally. Review the
report before any `--snapshot-update`.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Footer

from explorer.tui.widgets.json_view import JsonView

FLOW: dict[str, Any] = {
    "_id": "6650a1b2c3d4e5f60718293a",
    "lastModified": "2026-11-27T10:15:00.000Z",
    "name": "Shopify orders → NetSuite sales orders",
    "description": "Every 15 minutes: exports new Shopify orders, looks up the customer, imports "
    "the sales order and writes the NetSuite id back to Shopify (see runbook)",
    "disabled": False,
    "_integrationId": "6650a1b2c3d4e5f607180001",
    "schedule": "?/15 * * * *",
    "pageGenerators": [{"_exportId": "6650a1b2c3d4e5f607180010", "skipRetries": False}],
    "pageProcessors": [
        {
            "type": "export",
            "_exportId": "6650a1b2c3d4e5f607180011",
            "responseMapping": {"fields": [{"extract": "id", "generate": "customerId"}], "lists": []},
        },
        {"type": "import", "_importId": "6650a1b2c3d4e5f607180012", "proceedOnFailure": True},
        {"type": "import", "_importId": "6650a1b2c3d4e5f607180013", "hooks": {}},
    ],
    "settings": {"batchSize": 50, "ratio": 0.75, "notify": None, "labels": ["[bold]not markup[/]"]},
}


class SnapApp(App[None]):
    """The view over a footer, loaded with the flow document (or plain text)."""

    def __init__(self, document: Any = FLOW, raw: str | None = None) -> None:
        super().__init__()
        self.document = document
        self.raw = raw

    def compose(self) -> ComposeResult:
        yield JsonView(id="view")
        yield Footer()

    def on_mount(self) -> None:
        view = self.query_one(JsonView)
        if self.raw is not None:
            view.load_text(self.raw)
        else:
            view.load(self.document)
        view.focus()


async def cursor_on_import(pilot: Pilot[None]) -> None:
    """Put the cursor on the second page processor's import id, like a 422 would."""
    view = pilot.app.query_one(JsonView)
    assert view.go_to_path("pageProcessors[1]._importId")
    await pilot.pause()


async def search_import(pilot: Pilot[None]) -> None:
    """Search "import" and go to the second match."""
    await pilot.press("slash", *"import", "enter", "n")
    await pilot.pause()


async def search_runbook(pilot: Pilot[None]) -> None:
    """Search a word at the far end of a long line: the view scrolls sideways to it."""
    await pilot.press("slash", *"runbook", "enter")
    await pilot.pause()


def test_flow_document_cursor_100x32(snap_compare: Any) -> None:
    assert snap_compare(SnapApp(), terminal_size=(100, 32), run_before=cursor_on_import)


def test_flow_document_search_100x32(snap_compare: Any) -> None:
    assert snap_compare(SnapApp(), terminal_size=(100, 32), run_before=search_import)


def test_flow_document_search_80x24(snap_compare: Any) -> None:
    assert snap_compare(SnapApp(), terminal_size=(80, 24), run_before=search_import)


def test_long_line_scrolls_to_match_80x24(snap_compare: Any) -> None:
    assert snap_compare(SnapApp(), terminal_size=(80, 24), run_before=search_runbook)


def test_plain_text_shown_literally_80x24(snap_compare: Any) -> None:
    raw = (
        "<html>\n<head><title>502 Bad Gateway</title></head>\n"
        "<body>[bold]upstream[/] \x1b[31mfailed\x9b0m</body>\n"
    )
    assert snap_compare(SnapApp(raw=raw), terminal_size=(80, 24))
