"""JsonTextArea highlights the lines on screen exactly as Textual's TextArea would, with a bounded query."""

from __future__ import annotations

import json

from textual.app import App, ComposeResult
from textual.widgets import TextArea

from explorer.tui.widgets.json_text_area import JsonTextArea

DOC = {"items": [{"name": f"item {n}", "count": n, "ok": n % 2 == 0, "note": None} for n in range(900)]}
TEXT = json.dumps(DOC, indent=2)


class Both(App[None]):
    def compose(self) -> ComposeResult:
        yield JsonTextArea.code_editor(TEXT, language="json", id="windowed")
        yield TextArea.code_editor(TEXT, language="json", id="full")


def visible_rows_match(windowed: TextArea, full: TextArea) -> list[int]:
    top = windowed.scroll_offset.y
    rows = list(range(top, top + windowed.size.height))
    for row in rows:
        assert sorted(windowed._highlights.get(row, [])) == sorted(full._highlights.get(row, [])), row
    return rows


async def test_highlights_follow_the_viewport_and_match_a_full_rebuild() -> None:
    app = Both()
    async with app.run_test(size=(80, 30)) as pilot:
        windowed = app.query_one("#windowed", JsonTextArea)
        full = app.query_one("#full", TextArea)
        await pilot.pause()
        assert windowed.size.height > 5
        rows = visible_rows_match(windowed, full)
        assert any(windowed._highlights.get(row) for row in rows)
        # Bounded: nothing far below the viewport was highlighted.
        assert max(windowed._highlights) < windowed.size.height + 2 * JsonTextArea.HIGHLIGHT_MARGIN
        assert max(full._highlights) > 4000

        windowed.scroll_to(y=3000, animate=False)
        full.scroll_to(y=3000, animate=False)
        await pilot.pause()
        assert windowed.scroll_offset.y == 3000
        visible_rows_match(windowed, full)

        for area in (windowed, full):
            area.move_cursor((3005, 4))
            area.insert('"added": 1, ')
        await pilot.pause()
        visible_rows_match(windowed, full)
        assert windowed.text == full.text
