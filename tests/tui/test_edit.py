"""Pilot tests of the editor against the simulator: every path of "edit and PUT without fear"."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import DataTable, Static, TextArea

from explorer.client import IntegratorClient
from explorer.journal import DraftStore, Journal
from explorer.services import write_targets, writes
from explorer.services.json_lines import line_for_path
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_context import WriteContext
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen, DraftOfferScreen, StaleChoiceScreen
from explorer.tui.screens.editor_external import ExternalEditor
from explorer.tui.screens.journal import JournalScreen
from explorer.tui.widgets.diff_view import DiffView
from explorer.tui.widgets.edit_problems import EditProblems
from tests.helpers.edit_host import EditHost, replace_in_area, static_text, until
from tests.helpers.toasts import toasts

FLOW = d.FLOW_SHOPIFY_ORDERS
SIZE = (120, 36)
UNKNOWN_ID = "ffffffffffffffffffffffff"


class PutFails(httpx.AsyncBaseTransport):
    """The simulator, except that every PUT answers 503."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            body = {"errors": [{"code": "unavailable", "message": "try again later"}]}
            return httpx.Response(503, json=body)
        return await self.inner.handle_async_request(request)


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=0, time_scale=0)


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[IntegratorClient]:
    async with IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(sim), max_retries=0) as api:
        yield api


@pytest.fixture
def drafts(tmp_path: Path) -> DraftStore:
    return DraftStore(tmp_path / "state" / "drafts")


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "state" / "journal.jsonl")


CONTEXT_OPTIONS = ("read_only", "on_saved", "external_editor", "account")


def context(api: IntegratorClient, drafts: DraftStore, journal: Journal, **options: Any) -> WriteContext:
    return WriteContext(api, "demo", drafts, journal, **options)


def editor(api: IntegratorClient, drafts: DraftStore, journal: Journal, **options: Any) -> EditorScreen:
    target = options.pop("target", write_targets.resource_target("flows", FLOW))
    options.setdefault("draft_delay_s", 0.05)
    shared = {key: options.pop(key) for key in CONTEXT_OPTIONS if key in options}
    return EditorScreen(context(api, drafts, journal, **shared), target, **options)


def puts(sim: Simulator) -> list[tuple[str, str, int]]:
    return [request for request in sim.requests if request[0] == "PUT"]


async def opened(pilot: Any) -> EditorScreen:
    """Wait for the editor to load its document; returns the screen."""
    await until(pilot, lambda: isinstance(pilot.app.screen, EditorScreen) and pilot.app.screen.area)
    screen = pilot.app.screen
    assert isinstance(screen, EditorScreen)
    return screen


def area_of(screen: EditorScreen) -> TextArea:
    assert screen.area is not None
    return screen.area


async def test_valid_edit_shows_the_diff_and_puts_the_document(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    saved: list[writes.Saved] = []
    app = EditHost(lambda: editor(client, drafts, journal, on_saved=saved.append))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        area = area_of(screen)
        assert json.loads(area.text) == sim.doc("flows", FLOW)
        replace_in_area(area, '"Shopify Orders to NetSuite Sales Orders"', '"Shopify Orders (edited)"')
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        confirm = app.screen
        assert static_text(confirm.query_one("#confirm-target", Static)) == f"PUT /v1/flows/{FLOW}"
        diff = confirm.query_one(DiffView).lines
        assert '-  "name": "Shopify Orders to NetSuite Sales Orders",' in diff
        assert '+  "name": "Shopify Orders (edited)",' in diff
        assert not any("lastModified" in line for line in diff)
        assert puts(sim) == []  # nothing is sent before the confirmation
        await pilot.press("y")
        await until(pilot, lambda: app.results)

    assert sim.doc("flows", FLOW)["name"] == "Shopify Orders (edited)"
    assert isinstance(app.results[0], writes.Saved) and saved == app.results
    assert [(e.method, e.status) for e in journal.entries()] == [("PUT", 200)]
    assert drafts.load("demo", "flows", FLOW) is None


async def test_invalid_json_is_reported_as_you_type_and_cannot_be_submitted(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    app = EditHost(lambda: editor(client, drafts, journal))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        area = area_of(screen)
        area.move_cursor((1, len(area.document.get_line(1))))  # end of `"_id": "...",`
        await pilot.press("backspace")  # drop the comma
        status = screen.query_one("#edit-status", Static)
        await until(pilot, lambda: "JSON error" in static_text(status))
        assert "line 3, column 3" in static_text(status)
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert app.screen is screen  # no confirm screen
        assert area.cursor_location == (2, 2)  # the cursor went to the error
    assert puts(sim) == []


async def test_422_lists_every_error_and_moves_the_cursor_to_each_field(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    app = EditHost(lambda: editor(client, drafts, journal))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        area = area_of(screen)
        replace_in_area(area, d.IMP_NS_SALES_ORDER, UNKNOWN_ID)
        replace_in_area(area, d.EXP_SHOPIFY_ORDERS, "eeeeeeeeeeeeeeeeeeeeeeee")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        await pilot.press("enter")
        panel = screen.query_one(EditProblems)
        await until(pilot, lambda: panel.display and panel.problems)

        lines = area.text.split("\n")
        fields = [p.title for p in panel.problems]
        assert fields == ["pageGenerators[0]._exportId", "pageProcessors[1]._importId"]
        assert all("Invalid reference" in p.detail for p in panel.problems)
        first, second = (line_for_path(lines, field) for field in fields)
        assert first is not None and second is not None
        assert area.cursor_location == (first, lines[first].index('"eeee'))
        await pilot.press("f8")
        await until(pilot, lambda: area.cursor_location[0] == second)
        assert lines[second].strip().startswith('"_importId"')
        assert area.cursor_location[1] == lines[second].index(f'"{UNKNOWN_ID}"')
        assert "HTTP 422" in static_text(screen.query_one("#edit-status", Static))
        assert app.screen is screen  # still editing; the draft stays

    draft = drafts.load("demo", "flows", FLOW)
    assert draft is not None and UNKNOWN_ID in draft.text
    assert sim.doc("flows", FLOW)["pageProcessors"][1]["_importId"] == d.IMP_NS_SALES_ORDER
    assert [e.status for e in journal.entries()] == [422]


async def test_other_failures_keep_the_draft_and_say_what_happened(
    sim: Simulator, drafts: DraftStore, journal: Journal
) -> None:
    async with IntegratorClient(DEMO_TOKENS["full"], transport=PutFails(SimulatorTransport(sim)),
                                max_retries=0) as api:
        app = EditHost(lambda: editor(api, drafts, journal))
        async with app.run_test(size=SIZE) as pilot:
            screen = await opened(pilot)
            replace_in_area(area_of(screen), '"disabled": false', '"disabled": true')
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
            await pilot.press("y")
            status = screen.query_one("#edit-status", Static)
            await until(pilot, lambda: "Not saved" in static_text(status))
            assert "try again later" in static_text(status) and "kept as a draft" in static_text(status)
            assert app.screen is screen
    draft = drafts.load("demo", "flows", FLOW)
    assert draft is not None and '"disabled": true' in draft.text
    assert [e.status for e in journal.entries()] == [503]


async def test_stale_write_is_caught_and_merged(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    app = EditHost(lambda: editor(client, drafts, journal))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        replace_in_area(area_of(screen), '"disabled": false', '"disabled": true')
        sim.replace_doc("flows", FLOW, {**sim.doc("flows", FLOW), "description": "Changed by a colleague"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, StaleChoiceScreen))
        changes = static_text(app.screen.query_one("#stale-changes", Static))
        assert "description" in changes and "Changed by a colleague" in changes
        assert puts(sim) == []
        await pilot.press("m")
        await until(pilot, lambda: app.screen is screen and "Changed by a colleague" in area_of(screen).text)
        assert '"disabled": true' in area_of(screen).text
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: app.results)

    stored = sim.doc("flows", FLOW)
    assert stored["disabled"] is True and stored["description"] == "Changed by a colleague"


async def test_stale_write_can_overwrite_after_a_new_diff(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    app = EditHost(lambda: editor(client, drafts, journal))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        replace_in_area(area_of(screen), '"disabled": false', '"disabled": true')
        sim.replace_doc("flows", FLOW, {**sim.doc("flows", FLOW), "description": "Theirs"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, StaleChoiceScreen))
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        assert '-  "description": "Theirs",' in app.screen.query_one(DiffView).lines
        await pilot.press("y")
        await until(pilot, lambda: app.results)
    stored = sim.doc("flows", FLOW)
    assert stored["disabled"] is True and stored["description"] != "Theirs"


async def test_read_only_refuses_to_edit_without_any_request(
    sim: Simulator, drafts: DraftStore, journal: Journal
) -> None:
    transport = SimulatorTransport(sim)
    async with IntegratorClient(DEMO_TOKENS["full"], transport=transport, read_only=True) as api:
        app = EditHost(lambda: editor(api, drafts, journal, read_only=True))
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, EditorScreen))
            screen = app.screen
            assert isinstance(screen, EditorScreen) and screen.area is None
            assert "read-only" in static_text(screen.query_one("#edit-note", Static))
            await pilot.press("ctrl+s")
            await pilot.press("escape")
            await until(pilot, lambda: app.results == [None])
    assert sim.requests == []


async def test_draft_is_offered_back_to_a_new_app_after_the_first_was_killed(
    sim: Simulator, client: IntegratorClient, tmp_path: Path, journal: Journal
) -> None:
    first_store = DraftStore(tmp_path / "state" / "drafts")
    first = EditHost(lambda: editor(client, first_store, journal))
    async with first.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        area = area_of(screen)
        area.move_cursor((2, len(area.document.get_line(2)) - 2))  # inside the name's quotes
        await pilot.press(*" (half done)")
        typed = area.text

        def saved() -> bool:
            draft = first_store.load("demo", "flows", FLOW)
            return draft is not None and draft.text == typed

        await until(pilot, saved)  # the debounced save caught up with the typing
        # The app goes away without the editor being left (as after kill -9).

    second_store = DraftStore(tmp_path / "state" / "drafts")  # a new process
    second = EditHost(lambda: editor(client, second_store, journal))
    async with second.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(second.screen, DraftOfferScreen))
        assert "+1 −1 lines" in static_text(second.screen.query_one("#draft-offer", Static))
        await pilot.press("r")
        screen = await opened(pilot)
        assert area_of(screen).text == typed
        assert "(half done)" in json.loads(typed)["name"]


async def test_draft_can_be_discarded(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    writes.save_draft(drafts, session, session.base_text.replace('"disabled": false', '"disabled": true'))
    app = EditHost(lambda: editor(client, drafts, journal))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DraftOfferScreen))
        await pilot.press("d")
        screen = await opened(pilot)
        assert area_of(screen).text == session.base_text
    assert drafts.load("demo", "flows", FLOW) is None


async def test_escape_leaves_and_keeps_the_draft(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    app = EditHost(lambda: editor(client, drafts, journal, draft_delay_s=60))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        replace_in_area(area_of(screen), '"disabled": false', '"disabled": true')
        await pilot.press("escape")
        await until(pilot, lambda: app.results == [None])
    draft = drafts.load("demo", "flows", FLOW)
    assert draft is not None and '"disabled": true' in draft.text
    assert puts(sim) == []


async def test_unchanged_document_is_not_submitted(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    app = EditHost(lambda: editor(client, drafts, journal))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert app.screen is screen
    assert puts(sim) == []


async def test_undo_from_the_journal_restores_the_previous_document(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    original = sim.doc("flows", FLOW)["name"]
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    plan = writes.plan_write(session, session.base_text.replace(original, "Oops, wrong name"))
    assert isinstance(await writes.submit_write(client, plan, journal=journal), writes.Saved)

    app = EditHost(lambda: JournalScreen(context(client, drafts, journal)))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, JournalScreen))
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = [cell.plain for cell in table.get_row_at(0)]
        assert row[1:] == ["PUT", f"/v1/flows/{FLOW}", "200"]
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        diff = app.screen.query_one(DiffView).lines
        assert '-  "name": "Oops, wrong name",' in diff and f'+  "name": "{original}",' in diff
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, JournalScreen) and table.row_count == 2)

    assert sim.doc("flows", FLOW)["name"] == original
    assert [e.after["name"] for e in journal.entries()] == [original, "Oops, wrong name"]


async def test_only_the_newest_put_can_be_undone(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    target = write_targets.resource_target("flows", FLOW)
    for name in ("First", "Second"):
        session = await writes.begin_edit(client, target, "demo")
        edited = session.base_text.replace(json.dumps(session.base["name"]), json.dumps(name))
        await writes.submit_write(client, writes.plan_write(session, edited), journal=journal)
    app = EditHost(lambda: JournalScreen(context(client, drafts, journal)))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, JournalScreen))
        await pilot.press("down", "u")  # the older PUT
        await pilot.pause(0.1)
        assert isinstance(app.screen, JournalScreen)
    assert sim.doc("flows", FLOW)["name"] == "Second"


def fake_editor(tmp_path: Path, body: str) -> ExternalEditor:
    """$EDITOR = a Python script that edits the file; suspend is a no-op (headless cannot suspend)."""
    script = tmp_path / "fake_editor.py"
    script.write_text("import json, sys\npath = sys.argv[1]\ndoc = json.load(open(path))\n" + body)
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    return ExternalEditor(environ={"EDITOR": command, "PATH": os.environ.get("PATH", "")},
                          suspend=lambda app: contextlib.nullcontext())


RENAME = "doc['name'] = 'Edited in EDITOR'\nopen(path, 'w').write(json.dumps(doc, indent=4))\n"


async def test_external_editor_hand_off_goes_through_diff_and_confirm(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal, tmp_path: Path
) -> None:
    external = fake_editor(tmp_path, RENAME)
    app = EditHost(lambda: editor(client, drafts, journal, external_editor=external))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        assert '+  "name": "Edited in EDITOR",' in app.screen.query_one(DiffView).lines
        assert '"Edited in EDITOR"' in area_of(screen).text
        await pilot.press("y")
        await until(pilot, lambda: app.results)
    assert sim.doc("flows", FLOW)["name"] == "Edited in EDITOR"


async def test_a_large_document_opens_in_the_external_editor_with_a_note(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal, tmp_path: Path
) -> None:
    external = fake_editor(tmp_path, RENAME)
    app = EditHost(lambda: editor(client, drafts, journal, external_editor=external, inline_max_bytes=500))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        editor_screen = app.screen_stack[-2]
        assert isinstance(editor_screen, EditorScreen) and editor_screen.area is None
        note = static_text(editor_screen.query_one("#edit-note", Static))
        assert "The in-app editor opens documents up to 500 bytes" in note and "fake_editor.py" in note
        await pilot.press("y")
        await until(pilot, lambda: app.results)
    assert sim.doc("flows", FLOW)["name"] == "Edited in EDITOR"


async def test_invalid_json_from_the_external_editor_is_not_submitted(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal, tmp_path: Path
) -> None:
    external = fake_editor(tmp_path, "open(path, 'w').write(json.dumps(doc, indent=2)[:-3])\n")
    app = EditHost(lambda: editor(client, drafts, journal, external_editor=external, inline_max_bytes=500))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.screen.json_problem)
        assert "not valid JSON" in static_text(app.screen.query_one("#edit-note", Static))
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert isinstance(app.screen, EditorScreen)
    assert puts(sim) == []
    assert drafts.load("demo", "flows", FLOW) is not None


async def test_headless_terminal_cannot_suspend_and_says_so(
    client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    external = ExternalEditor(environ={"EDITOR": "true", "PATH": os.environ.get("PATH", "")})
    app = EditHost(lambda: editor(client, drafts, journal, external_editor=external))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press("ctrl+o")
        status = screen.query_one("#edit-status", Static)
        await until(pilot, lambda: "cannot hand over" in static_text(status))


async def test_retry_data_is_edited_with_the_same_screen(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    key = sim.open_errors(FLOW, d.IMP_NS_SALES_ORDER)[0]["retryDataKey"]
    target = write_targets.retry_data_target(FLOW, d.IMP_NS_SALES_ORDER, key)
    app = EditHost(lambda: editor(client, drafts, journal, target=target))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        area = area_of(screen)
        area.move_cursor((2, len(area.document.get_line(2))))  # after `"data": {`
        await pilot.press("enter", *'"fixed": true,')
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        target_line = static_text(app.screen.query_one("#confirm-target", Static))
        assert target_line == f"PUT /v1/flows/{FLOW}/{d.IMP_NS_SALES_ORDER}/{key}/data"
        await pilot.press("y")
        await until(pilot, lambda: app.results)
    assert (await client.get_json(target.path))["data"]["fixed"] is True


async def test_merge_conflicts_are_listed_and_the_cursor_goes_to_them(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    app = EditHost(lambda: editor(client, drafts, journal))
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        area = area_of(screen)
        replace_in_area(area, '"Shopify Orders to NetSuite Sales Orders"', '"Mine"')
        replace_in_area(area, '"disabled": false', '"disabled": true')
        sim.replace_doc("flows", FLOW, {**sim.doc("flows", FLOW), "name": "Theirs"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, StaleChoiceScreen))
        await pilot.press("m")
        panel = screen.query_one(EditProblems)
        await until(pilot, lambda: app.screen is screen and bool(panel.problems))
        assert [(p.title, p.kind) for p in panel.problems] == [("name", "conflict")]
        assert '"Mine"' in panel.problems[0].detail
        lines = area.text.split("\n")
        assert area.cursor_location[0] == line_for_path(lines, "name")
        assert json.loads(area.text)["name"] == "Theirs"  # the server's value was kept
        assert json.loads(area.text)["disabled"] is True  # the clean part of the edit applied
    assert puts(sim) == []


async def test_undo_without_a_journal_entry_says_so_without_writing(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    app = EditHost(lambda: editor(client, drafts, journal, undo=True))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        note = app.screen.query_one("#edit-note", Static)
        await until(pilot, lambda: "Nothing to undo" in static_text(note))
    assert puts(sim) == []


async def test_e_opens_the_external_editor_at_once(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal, tmp_path: Path
) -> None:
    external = fake_editor(tmp_path, RENAME)
    app = EditHost(lambda: editor(client, drafts, journal, external_editor=external, mode="external"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        note = static_text(app.screen_stack[-2].query_one("#edit-note", Static))
        assert "as asked" in note
        await pilot.press("escape")  # back to the editor: nothing sent, the edit is a draft
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
    assert puts(sim) == []
    draft = drafts.load("demo", "flows", FLOW)
    assert draft is not None and "Edited in EDITOR" in draft.text


async def test_journal_screen_shows_the_change_of_the_selected_write(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    plan = writes.plan_write(session, session.base_text.replace('"disabled": false', '"disabled": true'))
    await writes.submit_write(client, plan, journal=journal)
    app = EditHost(
        lambda: JournalScreen(context(client, drafts, journal, read_only=True))
    )
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, JournalScreen))
        view = app.screen.query_one(DiffView)
        await until(pilot, lambda: '+  "disabled": true,' in view.lines)
        assert '-  "disabled": false,' in view.lines
        assert f"PUT /v1/flows/{FLOW}" in static_text(app.screen.query_one("#journal-detail", Static))
        await pilot.press("u")  # read-only: no undo
        await pilot.pause(0.1)
        assert isinstance(app.screen, JournalScreen)
    assert len(puts(sim)) == 1


async def test_journal_refuses_to_undo_another_servers_write(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    """The write went to NA; the journal screen of an EU session shows where it went and refuses the undo."""
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    plan = writes.plan_write(session, session.base_text.replace(session.base["name"], "NA rename"))
    saved = await writes.submit_write(client, plan, journal=journal, account=d.USER_ID)
    assert isinstance(saved, writes.Saved)
    async with IntegratorClient(DEMO_TOKENS["eu"], region="eu", transport=SimulatorTransport(sim),
                                max_retries=0) as eu:
        app = EditHost(lambda: JournalScreen(context(eu, drafts, journal, account=d.EU_USER_ID)))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: isinstance(app.screen, JournalScreen))
            detail = static_text(app.screen.query_one("#journal-detail", Static))
            assert f"on https://api.integrator.io/v1/ · account {d.USER_ID}" in detail
            await pilot.press("u")
            refusal = ("Undo refused: this write went to https://api.integrator.io/v1/, but this session "
                       "talks to https://api.eu.integrator.io/v1/")
            await until(pilot, lambda: any(refusal in " ".join(text.split()) for text in toasts(app)))
            assert isinstance(app.screen, JournalScreen)
    assert sim.doc("flows", FLOW)["name"] == "NA rename"


async def test_saving_an_integration_app_flow_says_which_fields_did_not_take(
    sim: Simulator, client: IntegratorClient, drafts: DraftStore, journal: Journal
) -> None:
    target = write_targets.resource_target("flows", d.FLOW_BC_ORDERS)
    app = EditHost(lambda: editor(client, drafts, journal, target=target, account=d.USER_ID))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await opened(pilot)
        replace_in_area(area_of(screen), '"BigCommerce Order to NetSuite Order Add"', '"Renamed"')
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DiffConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: app.results)
        await pilot.pause()
        messages = toasts(app)
    assert any("1 field(s) did not take: name\n" in m for m in messages), messages
    [entry] = journal.entries()
    assert entry.not_taken == ("name",) and entry.account == d.USER_ID
