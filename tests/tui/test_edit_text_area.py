"""JsonTextArea highlights the lines on screen exactly as Textual's TextArea would, with a bounded query."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.widgets import TextArea

from explorer.tui.widgets.json_text_area import JsonTextArea

DOC = {"items": [{"name": f"item {n}", "count": n, "ok": n % 2 == 0, "note": None} for n in range(900)]}
TEXT = json.dumps(DOC, indent=2)


class Both(App[None]):
    def compose(self) -> ComposeResult:
        yield JsonTextArea.code_editor(TEXT, language="json", id="windowed")
        yield TextArea.code_editor(TEXT, language="json", id="full")


def shown(area: TextArea, row: int) -> list[tuple[str, Style | None]]:
    """One line of the area as drawn on screen: each run of text with its style (colours, bold)."""
    return [(segment.text, segment.style) for segment in area.render_line(row)]


def visible_rows_match(windowed: TextArea, full: TextArea) -> None:
    assert windowed.scroll_offset == full.scroll_offset and windowed.size == full.size
    for row in range(windowed.size.height):
        assert shown(windowed, row) == shown(full, row), row


def highlighted(area: TextArea) -> bool:
    """Some line on screen shows JSON keys and values in colours of their own (not one plain colour)."""
    return any(len({style.color for _, style in shown(area, row) if style is not None}) > 2
               for row in range(area.size.height))


async def test_highlights_follow_the_viewport_and_match_a_full_rebuild(
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = Both()
    async with app.run_test(size=(80, 30)) as pilot:
        windowed = app.query_one("#windowed", JsonTextArea)
        full = app.query_one("#full", TextArea)
        app.set_focus(None)  # neither shows a cursor: the two draw the same but for the highlighting
        await pilot.pause()
        assert windowed.size.height > 5
        visible_rows_match(windowed, full)
        assert highlighted(windowed)

        queried: list[tuple[int, int]] = []  # the rows each highlight query of the windowed area covered
        document = windowed.document
        query_all = document.query_syntax_tree

        def spy(query: Any, start_point: tuple[int, int] | None = None,
                end_point: tuple[int, int] | None = None) -> Any:
            queried.append(((start_point or (0, 0))[0], (end_point or (len(document.lines), 0))[0]))
            return query_all(query, start_point, end_point)

        monkeypatch.setattr(document, "query_syntax_tree", spy)
        windowed.scroll_to(y=3000, animate=False)
        full.scroll_to(y=3000, animate=False)
        await pilot.pause()
        assert windowed.scroll_offset.y == 3000
        visible_rows_match(windowed, full)
        assert highlighted(windowed)
        # Bounded: the query covered the viewport and its margins, not the 4,500-line document.
        margin, height = JsonTextArea.HIGHLIGHT_MARGIN, windowed.size.height
        assert queried
        assert all(3000 - margin <= start and end <= 3000 + height + margin for start, end in queried)
        assert len(document.lines) > 4000

        queried.clear()
        for area in (windowed, full):
            area.move_cursor((3005, 4))
            area.insert('"added": 1, ')
        app.set_focus(None)
        await pilot.pause()
        visible_rows_match(windowed, full)
        assert queried and all(end - start <= height + 2 * margin for start, end in queried)
        assert windowed.text == full.text
