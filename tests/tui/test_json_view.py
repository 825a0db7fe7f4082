"""Pilot tests for JsonView: cursor, search, copy keys, literal server text, plain text, big documents.

The host app records what reaches the clipboard and the notifications, so copy keys are checked by
their data (and notifications must never carry the copied content).
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Footer, Input, Label

from explorer.tui.widgets import json_body as json_body_module
from explorer.tui.widgets import json_view as json_view_module
from explorer.tui.widgets.json_body import JsonBody
from explorer.tui.widgets.json_view import SYNC_LINES, JsonView

FLOW: dict[str, Any] = {
    "_id": "flow-1",
    "name": "Shopify orders → NetSuite",
    "disabled": False,
    "schedule": None,
    "pageGenerators": [{"_exportId": "exp-1", "skipRetries": True}],
    "pageProcessors": [
        {"type": "export", "_exportId": "exp-2", "responseMapping": {"fields": [], "lists": []}},
        {"type": "import", "_importId": "imp-1", "proceedOnFailure": False},
    ],
    "settings": {"retries": 3, "ratio": 0.25, "tags": ["orders", "import"]},
}
HOSTILE = "[bold]not bold[/] [link=https://evil]x[/link] \x1b]52;c;SGVsbG8=\x07 \x1b[31mred"
C1_AND_SEPARATORS = "csi\x9b31m del\x7f nel\x85 ls\u2028 ps\u2029 rlo\u202e"


class ViewApp(App[None]):
    """A JsonView over a footer; records clipboard writes, notifications and cursor messages."""

    def __init__(self, document: Any = None) -> None:
        super().__init__()
        self.document = document
        self.copied: list[str] = []
        self.notes: list[tuple[str, bool]] = []
        self.moves: list[JsonView.CursorMoved] = []
        self.loaded: list[JsonView.Loaded] = []

    def compose(self) -> ComposeResult:
        view = JsonView(id="view")
        if self.document is not None:
            view.load(self.document)  # before mount: applied on mount
        yield view
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(JsonView).focus()

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)
        super().copy_to_clipboard(text)

    def notify(self, message: str, *, markup: bool = True, **kwargs: Any) -> None:
        self.notes.append((message, markup))
        super().notify(message, markup=markup, **kwargs)

    def on_json_view_cursor_moved(self, message: JsonView.CursorMoved) -> None:
        self.moves.append(message)

    def on_json_view_loaded(self, message: JsonView.Loaded) -> None:
        self.loaded.append(message)


def view_of(pilot: Pilot[None]) -> JsonView:
    return pilot.app.query_one(JsonView)


def rows(view: JsonView) -> list[str]:
    """The painted rows of the line view, as plain text."""
    return [view.body.render_line(y).text for y in range(view.body.scrollable_content_region.height)]


def content_segments(view: JsonView, line: int) -> list[Segment]:
    """The styled segments of one document line (without gutter or cursor)."""
    return list(view.body.styled_line(line))


async def search_via_bar(pilot: Pilot[None], term: str) -> None:
    """Open the bar with `/`, enter `term` (set at once: typing is tested separately), press enter."""
    await pilot.press("slash")
    pilot.app.query_one("#json-search", Input).value = term
    await pilot.press("enter")


def pretty(obj: Any) -> list[str]:
    return json.dumps(obj, indent=2, ensure_ascii=False).split("\n")


# -- loading and the cursor --------------------------------------------------------------------------


async def test_load_shows_numbered_pretty_lines() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        assert view.is_loaded and view.is_json
        assert list(view.lines) == pretty(FLOW)
        painted = rows(view)
        assert painted[0].startswith("  1 {")
        assert painted[1].startswith('  2   "_id": "flow-1",')
        assert '"Shopify orders → NetSuite"' in painted[2]
        assert [message.line_count for message in app.loaded] == [len(view.lines)]
        assert view.text == json.dumps(FLOW, indent=2, ensure_ascii=False)


async def test_cursor_keys_move_and_report_the_path() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 12)) as pilot:
        view = view_of(pilot)
        await pilot.press("down", "down")
        assert view.cursor_line == 2
        assert app.moves[-1].line == 2 and app.moves[-1].path == "name"
        await pilot.press("up")
        assert (view.cursor_line, app.moves[-1].path) == (1, "_id")
        await pilot.press("pagedown")
        page = view.body.scrollable_content_region.height - 1
        assert view.cursor_line == 1 + page
        await pilot.press("end")
        last = len(view.lines) - 1
        assert view.cursor_line == last
        assert rows(view)[-1].startswith(f" {last + 1} }}")  # scrolled so the last line shows
        await pilot.press("pageup", "home")
        assert view.cursor_line == 0
        assert app.moves[-1].path == ""


async def test_click_puts_the_cursor_on_the_clicked_line() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        await pilot.click("#json-body", offset=(10, 5))
        assert view.cursor_line == 5
        assert app.moves[-1].path == "pageGenerators"
        view.body.scroll_to(y=3, animate=False, immediate=True)
        await pilot.click("#json-body", offset=(10, 0))
        assert view.cursor_line == 3


async def test_cursor_line_is_highlighted() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        await pilot.press("down")

        def padding_background(row: int) -> Any:
            last = list(view.body.render_line(row))[-1]
            assert last.text.isspace() and last.style is not None
            return last.style.bgcolor

        assert padding_background(1) != padding_background(2)
        assert padding_background(2) == padding_background(0)
        await pilot.press("down")
        assert padding_background(2) != padding_background(1)


async def test_cursor_is_dimmer_when_the_view_is_not_focused() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)

        def cursor_background() -> Any:
            return list(view.body.render_line(0))[-1].style.bgcolor  # type: ignore[union-attr]

        focused = cursor_background()
        await pilot.press("slash")  # the search box takes the focus
        assert not view.body.has_focus
        assert cursor_background() != focused
        await pilot.press("enter")
        assert cursor_background() == focused


async def test_left_and_right_scroll_long_lines_but_keep_the_gutter() -> None:
    app = ViewApp({"long": "x" * 300})
    async with app.run_test(size=(40, 10)) as pilot:
        view = view_of(pilot)
        await pilot.press("right", "right", "right")
        x = view.body.scroll_offset.x
        assert x > 0
        row = view.body.render_line(1).text
        width = view.body.scrollable_content_region.width - view.body.gutter_width
        assert row == " 2 " + view.lines[1][x : x + width]  # the gutter stays, the line slides
        await pilot.press("home")
        assert view.body.scroll_offset.x == 0


async def test_objects_json_cannot_encode_are_refused_at_once() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        try:
            view.load({"a": {1, 2}})
        except TypeError as error:
            assert "set" in str(error)
        else:  # pragma: no cover - the test must fail here
            raise AssertionError("load() accepted a set")


async def test_an_encoding_error_after_the_first_screen_is_notified_and_ends_the_load() -> None:
    document = {"items": list(range(3 * SYNC_LINES)), "bad": {1, 2}}
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        view.load(document)  # the set is only reached after the first screenful
        await view.wait_loaded()
        await pilot.pause()
        assert app.notes[-1] == (
            "Cannot show all of this document: Object of type set is not JSON serializable",
            False,
        )
        assert not view.is_json
        assert view.lines[:2] == ["{", '  "items": [']


async def test_text_nested_too_deep_for_python_is_shown_plain() -> None:
    raw = "[" * 100_000 + "]" * 100_000
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        view.load_text(raw)
        await pilot.pause()
        assert not view.is_json
        assert list(view.lines) == [raw]


async def test_load_replaces_the_document_and_resets_cursor_and_search() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        view.search("import")
        await pilot.press("end")
        view.load({"other": [1, 2]})
        await pilot.pause()
        assert list(view.lines) == pretty({"other": [1, 2]})
        assert view.cursor_line == 0
        assert view.match_count == 0  # the old hits are gone; the term is searched again
        assert view.search_term == "import"


# -- search ------------------------------------------------------------------------------------------


async def test_search_counts_matches_and_n_and_N_walk_them() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        expected = json.dumps(FLOW, indent=2, ensure_ascii=False).lower().count("import")
        assert expected == 3
        await search_via_bar(pilot, "IMPORT")
        assert view.search_term == "IMPORT"
        assert view.match_count == expected
        assert view.match_index == 0
        status = pilot.app.query_one("#json-search-status", Label)
        assert str(status.render()) == f"match 1/{expected}"
        first_line = view.cursor_line
        assert "import" in view.lines[first_line].lower()
        await pilot.press("n")
        assert view.match_index == 1
        await pilot.press("n", "n")  # wraps around
        assert view.match_index == 0
        assert view.cursor_line == first_line
        await pilot.press("N")
        assert view.match_index == expected - 1
        assert str(status.render()) == f"match {expected}/{expected}"
        assert "import" in view.lines[view.cursor_line].lower()


async def test_search_starts_from_the_cursor_and_highlights_the_current_match() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        target = next(n for n, line in enumerate(view.lines) if '"_importId"' in line)
        view.move_cursor(target - 1)
        await search_via_bar(pilot, "_importid")
        assert view.cursor_line == target
        line = view.lines[target]
        column = line.lower().index("_importid")
        current = view.body.get_component_rich_style("json-view--match-current")
        highlighted = "".join(
            segment.text
            for segment in content_segments(view, target)
            if segment.style and segment.style.bgcolor
        )
        assert highlighted == line[column : column + len("_importId")]
        assert any(
            segment.style is not None and segment.style.bgcolor == current.bgcolor
            for segment in content_segments(view, target)
        )


async def test_search_without_matches_and_escape_clears() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        await search_via_bar(pilot, "zzz")
        assert view.match_count == 0
        assert str(pilot.app.query_one("#json-search-status", Label).render()) == "no matches"
        await pilot.press("n")  # nothing to go to; no error
        assert view.cursor_line == 0
        await pilot.press("slash", "escape")
        assert view.search_term == ""
        assert not view.has_class("-searching")
        assert view.body.has_focus


async def test_n_falls_through_when_no_search_is_active() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        assert view.check_action("next_match", ()) is False
        assert view.check_action("close_search", ()) is False
        await pilot.press("n", "N", "escape")
        assert view.cursor_line == 0


async def test_typing_n_in_the_search_box_types_it() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        await pilot.press("slash", "n", "e", "t", "s", "u", "i", "t", "e")
        assert view.search_term == "netsuite"
        assert view.match_count == 1


# -- copy --------------------------------------------------------------------------------------------


async def test_y_copies_scalars_decoded_and_containers_as_json() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        lines = view.lines
        view.move_cursor(2)  # "name": "Shopify orders → NetSuite",
        await pilot.press("y")
        assert app.copied[-1] == "Shopify orders → NetSuite"
        view.move_cursor(lines.index('  "disabled": false,'))
        await pilot.press("y")
        assert app.copied[-1] == "false"
        opener = lines.index('  "settings": {')
        view.move_cursor(opener)
        await pilot.press("y")
        assert app.copied[-1] == json.dumps(FLOW["settings"], indent=2, ensure_ascii=False)
        view.move_cursor(opener + 3)  # "tags": [
        await pilot.press("y")
        assert json.loads(app.copied[-1]) == ["orders", "import"]
        message, markup = app.notes[-1]
        assert message == f"Copied the value of settings.tags ({len(app.copied[-1].encode())} bytes)"
        assert markup is False


async def test_p_copies_the_path_in_the_documented_style() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        target = next(n for n, line in enumerate(view.lines) if '"_importId"' in line)
        view.move_cursor(target)
        await pilot.press("p")
        assert app.copied[-1] == "pageProcessors[1]._importId"
        assert app.notes[-1] == ("Copied path pageProcessors[1]._importId", False)
        view.move_cursor(0)
        await pilot.press("p")
        assert app.copied == ["pageProcessors[1]._importId"]  # the root has no path to copy
        assert "root" in app.notes[-1][0]


async def test_c_copies_the_whole_document_and_says_only_its_size() -> None:
    document = {"secretish": "x" * 5000, "n": 1}
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        text = json.dumps(document, indent=2, ensure_ascii=False)
        assert app.copied == [text]
        assert app.clipboard == text
        message, markup = app.notes[-1]
        assert message == f"Copied the document ({len(text.encode()):,} bytes)"
        assert "xxxx" not in message and not markup


async def test_go_to_path_moves_to_a_422_field() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        assert view.go_to_path("pageProcessors[1]._importId")
        assert '"_importId": "imp-1"' in view.lines[view.cursor_line]
        assert view.path_at(view.cursor_line) == "pageProcessors[1]._importId"
        assert not view.go_to_path("pageProcessors[7]")
        assert not view.go_to_path("not a [path")


# -- server text is literal --------------------------------------------------------------------------


async def test_markup_and_escape_sequences_are_shown_literally() -> None:
    document = {"[bold]key[/]": HOSTILE, "c1": C1_AND_SEPARATORS}
    app = ViewApp(document)
    async with app.run_test(size=(160, 24)) as pilot:
        view = view_of(pilot)
        assert list(view.lines) == pretty(document)  # U+2028/U+0085 did not split lines
        assert len(view.lines) == 4
        painted = rows(view)
        assert '"[bold]key[/]": "[bold]not bold[/] [link=https://evil]x[/link] \\u001b]52;c;' in painted[1]
        for line in range(len(view.lines)):
            for segment in content_segments(view, line):
                assert segment.style is None or not segment.style.link
                if "bold" in segment.text or "not bold" in segment.text:
                    assert segment.style is None or not segment.style.bold
                # nothing a terminal would act on reaches it
                assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in segment.text), segment
                assert "\u2028" not in segment.text and "\u202e" not in segment.text
        assert "\ufffd31m" in painted[2]  # C1 CSI shown as a replacement character


async def test_notifications_do_not_parse_server_keys_as_markup() -> None:
    document = {"[b]k[/b]": {"[red]x": 1}}
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        view.move_cursor(2)
        await pilot.press("p")
        assert app.copied[-1] == '["[b]k[/b]"]["[red]x"]'
        assert app.notes[-1] == ('Copied path ["[b]k[/b]"]["[red]x"]', False)


async def test_invalid_text_is_shown_plain() -> None:
    raw = "<html>\r\n<body>[bold]Bad gateway[/]\t\x1b[2J</body>\r\n"
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        view.load_text(raw)
        await pilot.pause()
        assert not view.is_json and view.is_loaded
        assert list(view.lines) == ["<html>", "<body>[bold]Bad gateway[/]\t\x1b[2J</body>"]
        painted = rows(view)
        assert painted[1].startswith(" 2 <body>[bold]Bad gateway[/] ␛[2J</body>")
        base_colors = {segment.style.color for segment in content_segments(view, 1) if segment.style}
        assert len(base_colors) <= 1  # no syntax colours on plain text
        view.move_cursor(1)
        await pilot.press("y")
        assert app.copied[-1] == "<body>[bold]Bad gateway[/]\t\x1b[2J</body>"
        await pilot.press("p")
        assert app.notes[-1][0] == "This document is not JSON: it has no paths."
        await search_via_bar(pilot, "gateway")
        assert view.match_count == 1


async def test_load_text_pretty_prints_valid_json() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        view.load_text('{"a":[1,{"b":null}]}')
        await pilot.pause()
        assert view.is_json
        assert list(view.lines) == pretty({"a": [1, {"b": None}]})


async def test_colours_follow_the_theme() -> None:
    app = ViewApp(FLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)

        def key_colour() -> Any:
            return next(s.style.color for s in content_segments(view, 1) if s.text == '"_id"' and s.style)

        app.theme = "textual-dark"
        await pilot.pause()
        dark = key_colour()
        app.theme = "textual-light"
        await pilot.pause()
        assert key_colour() != dark


# -- big documents -----------------------------------------------------------------------------------


def big_document(lines_wanted: int) -> dict[str, Any]:
    rnd = random.Random(0)
    records = [
        {
            "_id": f"{rnd.getrandbits(64):016x}",
            "name": f"record {i} with a longer descriptive name",
            "tags": ["a", "b"],
            "nested": {"ok": True},
        }
        for i in range(lines_wanted // 12)
    ]
    return {"pageProcessors": records}


@contextlib.asynccontextmanager
async def loaded(document: Any) -> AsyncIterator[tuple[ViewApp, Pilot[None], JsonView]]:
    """A 100×30 app showing `document`, once all of it is in (a big one finishes after `load` returns)."""
    app = ViewApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(pilot)
        view.load(document)
        await view.wait_loaded()
        yield app, pilot, view


async def test_two_megabyte_document_loads_in_slices_and_end_reaches_the_last_line() -> None:
    document = big_document(150_000)
    text = json.dumps(document, indent=2, ensure_ascii=False)
    assert len(text) > 2_000_000
    app = ViewApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(pilot)
        view.load(document)
        assert not view.is_loaded  # load() returned with the first part only
        assert SYNC_LINES <= len(view.lines) < 2 * SYNC_LINES
        assert rows(view)[0].split() == ["1", "{"]
        await view.wait_loaded()
        assert view.text == text
        assert len(view.lines) == text.count("\n") + 1
        await pilot.press("end")
        assert view.cursor_line == len(view.lines) - 1
        assert rows(view)[-1].rstrip().endswith("}")
        view.move_cursor(len(view.lines) - 4)
        await pilot.press("p")
        last = len(document["pageProcessors"]) - 1
        assert app.copied[-1] == f"pageProcessors[{last}].nested"
        await search_via_bar(pilot, "nested")
        assert view.match_count == len(document["pageProcessors"])


async def test_a_big_document_is_measured_a_slice_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """No step of a big load measures (or splits) the whole document at once on the UI loop: measuring
    every line in one go held the loop 0.4-0.8 s on 10 MB (issue 10)."""
    measured: list[int] = []
    real = json_body_module.measure_width

    def spy(lines: list[str]) -> int:
        measured.append(len(lines))
        return real(lines)

    monkeypatch.setattr(json_view_module, "measure_width", spy)
    document = big_document(150_000)
    async with loaded(document) as (_app, _pilot, view):
        assert list(view.lines) == json.dumps(document, indent=2, ensure_ascii=False).split("\n")
        assert len(measured) > 10 and max(measured) <= SYNC_LINES + 1
        assert sum(measured) >= len(view.lines)


async def test_only_the_lines_on_screen_are_highlighted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Highlighting is proportional to what is visible, not to the document (150,000 lines here)."""
    styled: list[int] = []
    real = JsonBody.styled_line

    def spy(self: JsonBody, number: int) -> Any:
        styled.append(number)
        return real(self, number)

    monkeypatch.setattr(JsonBody, "styled_line", spy)
    async with loaded(big_document(150_000)) as (_app, pilot, view):
        for key in ("down", "down", "pagedown", "end"):
            await pilot.press(key)
        await pilot.pause()
        height = view.body.scrollable_content_region.height
        assert len(view.lines) > 100_000
        assert styled and len(set(styled)) <= 3 * height + 4
        assert max(styled) == len(view.lines) - 1


async def test_searching_a_big_document_never_joins_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search reads the lines a window at a time: joining 17 M characters held the loop 40-95 ms."""
    document = big_document(60_000)
    async with loaded(document) as (app, pilot, view):

        def refuse(self: JsonView) -> str:
            raise AssertionError("the whole text was asked for")

        monkeypatch.setattr(JsonView, "text", property(refuse))
        await search_via_bar(pilot, "RECORD 2 ")
        while view.match_count == 0:
            await pilot.pause(0.01)
        assert view.match_count == 1
        assert view.cursor_line == next(n for n, line in enumerate(view.lines) if "record 2 " in line)
        assert "match 1/1" in str(app.query_one("#json-search-status", Label).render())
        cursor = view.cursor_line
        await search_via_bar(pilot, "nested")
        while view.match_count == 0:
            await pilot.pause(0.01)
        assert view.match_count == len(document["pageProcessors"])
        nested = [n for n, line in enumerate(view.lines) if '"nested"' in line]
        assert view.match_index == next(i for i, n in enumerate(nested) if n >= cursor)  # from the cursor
        first = view.match_index
        await pilot.press("N", "N", "N")
        assert view.match_index == (first - 3) % view.match_count  # wrapped backwards
        assert view.cursor_line == nested[view.match_index]


async def test_end_and_c_pressed_while_loading_act_on_the_whole_document() -> None:
    document = big_document(60_000)
    app = ViewApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(pilot)
        view.load(document)
        assert not view.is_loaded
        view.body.action_cursor_last()
        view.action_copy_document()
        assert app.copied == []
        assert app.notes[-1][0].startswith("Still loading")
        await view.wait_loaded()
        await pilot.pause()
        assert view.cursor_line == len(view.lines) - 1
        assert app.copied == [json.dumps(document, indent=2, ensure_ascii=False)]


async def test_copy_keys_wait_for_the_index_of_a_big_document() -> None:
    document = big_document(80_000)
    async with loaded(document) as (app, pilot, view):
        view.move_cursor(4)
        view.action_copy_path()  # straight after loading: the index is still being built
        assert app.copied == []
        assert app.notes[-1][0] == "Indexing the document; will copy when done."
        await pilot.pause()
        assert app.copied == ["pageProcessors[0].name"]
        assert app.moves[-1].path == "pageProcessors[0].name"  # the cursor message once indexed


async def test_known_path_never_builds_a_big_index_on_the_spot() -> None:
    """Focus coming to the pane asks for the cursor's path; on a big document being indexed in slices that
    must not build the whole index at once (0.5 s on the UI loop for 10 MB)."""
    document = big_document(80_000)
    async with loaded(document) as (_app, pilot, view):
        assert not view.is_indexed
        assert view.known_path(4) is None
        assert not view.is_indexed
        while not view.is_indexed:
            await pilot.pause(0.01)
        assert view.known_path(4) == "pageProcessors[0].name"
        small = {"a": {"b": [1]}}
        view.load(small)
        await view.wait_loaded()
        assert view.known_path(3) == "a.b[0]"


async def test_a_dropped_big_document_is_freed_a_slice_at_a_time() -> None:
    """Freeing 700,000 line strings at once held the loop 25-35 ms on the key that left the document."""
    async with loaded(big_document(150_000)) as (_app, pilot, view):
        old = view.lines
        assert isinstance(old, list) and len(old) > 100_000
        view.load({"small": True})
        assert list(view.lines) == pretty({"small": True})
        assert len(old) > json_view_module.FREE_LINES  # not all at once
        while old:
            await pilot.pause(0.01)


async def test_a_newer_load_wins_over_an_unfinished_big_one() -> None:
    app = ViewApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(pilot)
        view.load(big_document(60_000))
        view.body.action_cursor_last()  # pending until loaded: must not carry over
        view.load({"small": True})
        await pilot.pause()
        await view.wait_loaded()
        await pilot.pause(0.05)
        assert list(view.lines) == pretty({"small": True})
        assert [message.line_count for message in app.loaded] == [3]
        assert view.cursor_line == 0


async def test_a_big_text_is_parsed_off_the_loop_and_shown_pretty() -> None:
    document = {"items": [{"id": n, "name": f"item {n}", "tags": ["a", "b"]} for n in range(20_000)]}
    raw = json.dumps(document)
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = view_of(pilot)
        view.load_text(raw)  # returns at once: the parse runs in a thread
        assert not view.is_loaded
        await view.wait_loaded()
        assert view.is_json and view.lines[:3] == ["{", '  "items": [', "    {"]
        assert json.loads(view.text) == document
        view.load_text("[" + raw)  # not JSON: shown as it is
        await view.wait_loaded()
        await pilot.pause()
        assert not view.is_json and list(view.lines) == ["[" + raw]
