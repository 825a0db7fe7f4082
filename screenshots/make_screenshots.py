"""Regenerate the README screenshots (SVG, plus PNG when ``rsvg-convert`` is installed) from the demo account.

Why a script: screenshots go stale the day a screen changes; this drives the real app over the seeded
in-process simulator (no network, no wall clock on screen) so anyone can rebuild identical pictures:

    /work/venv/bin/python screenshots/make_screenshots.py [--size 120x36] [--out screenshots]

The simulator's clock is frozen (``time_scale=0``) and drafts and the journal of writes go to a temporary
``$XDG_STATE_HOME`` that is deleted afterwards, so making screenshots never touches the user's own state.
Celigo's schemas (doc strip, warnings) are installed from ``../shared/celigo-schemas`` into a temporary
``$XDG_CACHE_HOME`` the same way (the project does not ship them); without that copy the editor shots show
no schema help and ``20-editor-schemas`` is skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import TextArea

from explorer import journal as journal_module
from explorer.client import IntegratorClient, RequestRecord
from explorer.services import fix_apply
from explorer.services.schema_files import install_from, schema_dir
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_dialogs import DiffConfirmScreen
from explorer.tui.screens.errors import ErrorsScreen
from explorer.tui.screens.errors_cross import CrossStepErrorsScreen
from explorer.tui.screens.errors_detail import ErrorDetailScreen
from explorer.tui.screens.errors_dialogs import BulkProgressDialog, ConfirmBulkDialog
from explorer.tui.screens.fix_dialogs import FixPreviewScreen, FixProgressDialog, PatchEditorScreen
from explorer.tui.screens.jobs import JobsScreen
from explorer.tui.screens.journal import JournalScreen
from explorer.tui.screens.main import MainScreen
from explorer.tui.widgets.edit_problems import EditProblems
from explorer.tui.widgets.json_view import JsonView

Scenario = Callable[[Pilot[None]], Awaitable[None]]
DEMO_NOW = datetime(2026, 11, 27, 9, 12, 5, tzinfo=UTC)
"""A moment just after the demo account's last job (its simulated clock is frozen there)."""


def demo_app(token: str = "full") -> ExplorerApp:
    """The explorer on a fresh seeded demo account (timings hidden so pictures are reproducible)."""
    sim = Simulator(seed=0, time_scale=0)

    def factory(on_request: Callable[[RequestRecord], None] | None = None) -> IntegratorClient:
        return IntegratorClient(DEMO_TOKENS[token], transport=SimulatorTransport(sim), on_request=on_request)

    return ExplorerApp(client_factory=factory, profile_label="demo", show_timings=False)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until nothing is loading any more."""
    for _ in range(50):
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            break
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def reveal(key: str, *keys: str) -> Scenario:
    """Move the tree cursor to ``key`` (loading on the way), then press ``keys``."""

    async def run(pilot: Pilot[None]) -> None:
        main = next(s for s in pilot.app.screen_stack if isinstance(s, MainScreen))
        await main.resource_tree.reveal(key)
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run


def press(*keys: str) -> Scenario:
    """Press ``keys`` once the account is in."""

    async def run(pilot: Pilot[None]) -> None:
        await pilot.press(*keys)
        await settle(pilot)

    return run


async def until(pilot: Pilot[None], condition: Callable[[], object], timeout: float = 15.0) -> None:
    """Let the app run until ``condition()`` holds (a scenario that never gets there is a bug)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("screenshot scenario: the screen never got where it should")
        await pilot.pause(0.02)


def on(pilot: Pilot[None], kind: type[Screen[Any]]) -> bool:
    """Whether the screen on top is a ``kind``."""
    return isinstance(pilot.app.screen, kind)


def replace_in_area(area: TextArea, old: str, new: str) -> None:
    """Replace the first ``old`` in the editor as one edit (as typing it would)."""
    index = area.text.index(old)
    start = area.document.get_location_from_index(index)
    end = area.document.get_location_from_index(index + len(old))
    area.replace(new, start, end)


async def open_editor(pilot: Pilot[None], key: str) -> EditorScreen:
    """``e`` on the tree node ``key``; returns the editor once the document is in (cursor blink off)."""
    await reveal(key, "e")(pilot)
    await until(pilot, lambda: on(pilot, EditorScreen)
                and '"_id"' in pilot.app.screen.query_one(TextArea).text)
    screen = pilot.app.screen
    assert isinstance(screen, EditorScreen)
    area = screen.query_one(TextArea)
    area.cursor_blink = False
    return screen


async def submit_rename(pilot: Pilot[None]) -> EditorScreen:
    """Rename the Shopify flow and add a description in the editor, then ``ctrl+s`` to the diff."""
    screen = await open_editor(pilot, f"flow:{d.SHOPIFY_FLOW}")
    area = screen.query_one(TextArea)
    replace_in_area(area, '"Shopify Orders to NetSuite Sales Orders"',
                    '"Shopify Orders to NetSuite (3am fix)"')
    replace_in_area(area, '"disabled": false', '"disabled": true')
    await pilot.press("ctrl+s")
    await until(pilot, lambda: on(pilot, DiffConfirmScreen))
    await pilot.pause(0.1)
    return screen


async def editor(pilot: Pilot[None]) -> None:
    """The in-app editor on a flow, the cursor on its schedule."""
    screen = await open_editor(pilot, f"flow:{d.SHOPIFY_FLOW}")
    area = screen.query_one(TextArea)
    row = next(i for i, line in enumerate(area.text.splitlines()) if '"schedule"' in line)
    area.move_cursor((row, len(area.document.get_line(row)) - 1))
    await pilot.pause(0.3)


async def diff_confirm(pilot: Pilot[None]) -> None:
    """``ctrl+s`` in the editor: the diff against the server's document, to confirm."""
    await submit_rename(pilot)


async def editor_422(pilot: Pilot[None]) -> None:
    """A PUT refused with 422 (an unknown ``_importId``): the problems panel, the cursor on the field."""
    screen = await open_editor(pilot, f"flow:{d.SHOPIFY_FLOW}")
    replace_in_area(screen.query_one(TextArea), d.IMP_NS_SALES_ORDER, "ffffffffffffffffffffffff")
    await pilot.press("ctrl+s")
    await until(pilot, lambda: on(pilot, DiffConfirmScreen))
    await pilot.press("y")
    panel = screen.query_one(EditProblems)
    await until(pilot, lambda: bool(panel.problems) and pilot.app.screen is screen)
    await pilot.pause(0.3)


async def errors_screen(pilot: Pilot[None], flow_id: str, step_id: str) -> ErrorsScreen:
    """``enter`` on a step's Errors node; returns the triage screen once every error is loaded."""
    await reveal(f"errors:{flow_id}:{step_id}", "enter")(pilot)
    await until(pilot, lambda: on(pilot, ErrorsScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ErrorsScreen)
    store = screen.open_panel.store
    await until(pilot, lambda: store.complete and store.total is not None)
    await pilot.pause(0.2)
    return screen


async def errors_triage(pilot: Pilot[None]) -> None:
    """The Amazon invoice import step's ~3,000 open errors, a few marked."""
    await errors_screen(pilot, d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
    await pilot.press("space", "space", "down", "space", "shift+down", "shift+down", "down", "down")
    await pilot.pause(0.3)


async def retry_confirm(pilot: Pilot[None]) -> None:
    """``r`` with marked errors: what will be retried, confirmed before anything is sent."""
    await errors_triage(pilot)
    await pilot.press("r")
    await until(pilot, lambda: on(pilot, BulkProgressDialog))
    await pilot.pause(0.3)


async def error_detail(pilot: Pilot[None]) -> None:
    """``enter`` on an error, then ``2``: the record's retry data (editable with ``e``)."""
    await errors_screen(pilot, d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
    await pilot.press("enter")
    await until(pilot, lambda: on(pilot, ErrorDetailScreen))
    detail = pilot.app.screen
    for pane in ("#error-json", "#retry-json", "#request-json"):
        view = detail.query_one(pane, JsonView)
        await until(pilot, lambda view=view: bool(view.lines))  # type: ignore[misc]
    await pilot.press("2")
    await pilot.pause(0.3)


async def cross_step(pilot: Pilot[None]) -> None:
    """``E`` on an integration: the open errors of all its steps, grouped by code."""
    await reveal(f"integration:{d.INT_AMAZON}", "E")(pilot)
    await until(pilot, lambda: on(pilot, CrossStepErrorsScreen))
    screen = pilot.app.screen
    assert isinstance(screen, CrossStepErrorsScreen)
    await until(pilot, lambda: screen.panel.store.complete and bool(screen.panel.groups))
    await pilot.pause(0.3)


async def jobs(pilot: Pilot[None]) -> None:
    """``J`` on a flow: its latest job with the step jobs, and the history."""
    await reveal(f"flow:{d.SHOPIFY_FLOW}", "J")(pilot)
    await until(pilot, lambda: on(pilot, JobsScreen))
    await settle(pilot)
    await pilot.pause(0.3)


async def journal(pilot: Pilot[None]) -> None:
    """``w`` after one PUT: the journal of writes (before/after kept, ``u`` undoes)."""
    await submit_rename(pilot)
    await pilot.press("y")
    await until(pilot, lambda: on(pilot, MainScreen))
    await settle(pilot)
    await pilot.press("w")
    await until(pilot, lambda: on(pilot, JournalScreen))
    await settle(pilot)
    await pilot.pause(0.3)


async def editor_schemas(pilot: Pilot[None]) -> None:
    """Celigo's schemas in the editor: a mistyped auth type warned as you type, the doc strip on it."""
    screen = await open_editor(pilot, f"connection:{d.CONN_SHOPIFY}")
    area = screen.query_one(TextArea)
    replace_in_area(area, '"type": "token"', '"type": "tokn"')
    replace_in_area(area, '"formType": "assistant"', '"formTypo": "assistant"')
    row = next(i for i, line in enumerate(area.text.splitlines()) if '"tokn"' in line)
    area.move_cursor((row, len(area.document.get_line(row)) - 2))
    panel = screen.query_one(EditProblems)
    await until(pilot, lambda: len(panel.problems) == 2)
    await pilot.pause(0.4)


def shared_schemas() -> Path | None:
    """The shared copy of Celigo's schemas beside the clone, or one level up from a git worktree (nothing of
    them is committed)."""
    root = Path(__file__).resolve().parents[1]
    found = [base / "shared" / "celigo-schemas" for base in (root.parent, root.parent.parent)]
    return next((path for path in found if path.is_dir()), None)


async def templates(pilot: Pilot[None]) -> None:
    """``t`` in a step's errors: 3,000 failures as a handful of message templates."""
    await errors_screen(pilot, d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
    await pilot.press("t")
    await pilot.pause(0.3)


async def fix_patch(pilot: Pilot[None]) -> None:
    """All Salesforce errors marked, ``T``: the patch editor, started from the record under the cursor."""
    screen = await errors_screen(pilot, d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP)
    panel = screen.open_panel
    wholesale = next(i for i, r in enumerate(panel.store.view) if "Wholesale [EU]' for" in r.message)
    panel.table.move_cursor(wholesale)
    await pilot.press("a", "T")
    await until(pilot, lambda: on(pilot, PatchEditorScreen))
    editor = pilot.app.screen
    assert isinstance(editor, PatchEditorScreen)
    editor.area.cursor_blink = False
    replace_in_area(editor.area, '"replace", "path": "/Customer_Category__c", "value": "Wholesale [EU]"',
                    '"replace", "path": "/Customer_Category__c", "value": "Wholesale EU"')
    await pilot.pause(0.3)


async def fix_preview(pilot: Pilot[None]) -> None:
    """``ctrl+s`` in the patch editor: every record fetched and patched locally; ``n`` steps the diffs."""
    await fix_patch(pilot)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: on(pilot, FixPreviewScreen))
    await pilot.press("n")
    await pilot.pause(0.3)


async def fix_journal(pilot: Pilot[None]) -> None:
    """The fix applied (``a``, ``y``), then ``w``: the whole batch is one journal row; ``u`` restores it."""
    fix_apply.new_batch_id = lambda now=None: "fix-20261127T091205Z-5eed00"
    await fix_preview(pilot)
    await pilot.press("a")
    await until(pilot, lambda: on(pilot, ConfirmBulkDialog))
    await pilot.press("y")
    await until(pilot, lambda: isinstance(pilot.app.screen, FixProgressDialog) and pilot.app.screen.finished)
    await pilot.press("escape", "escape")
    await until(pilot, lambda: on(pilot, MainScreen))
    await pilot.press("w")
    await until(pilot, lambda: on(pilot, JournalScreen))
    await settle(pilot)
    await pilot.pause(0.3)


async def not_taken(pilot: Pilot[None]) -> None:
    """A PUT of an Integration App flow: saved, but its locked name did not take; ``w``: the journal entry
    names the field, the server and the account."""
    screen = await open_editor(pilot, f"flow:{d.FLOW_BC_ORDERS}")
    area = screen.query_one(TextArea)
    replace_in_area(area, '"BigCommerce Order to NetSuite Order Add"', '"BC orders (renamed at 3am)"')
    replace_in_area(area, '"? 0 */3 * * *"', '"? 0 */6 * * *"')
    await pilot.press("ctrl+s")
    await until(pilot, lambda: on(pilot, DiffConfirmScreen))
    await pilot.press("y")
    await until(pilot, lambda: any("did not take" in n.message for n in pilot.app._notifications))
    await pilot.press("w")
    await pilot.pause(0.5)


SHOTS: list[tuple[str, str, Scenario]] = [
    ("01-start", "full", press()),
    ("02-flow-steps-badges", "full", reveal(f"errors:{d.AMAZON_FLOW}:{d.AMAZON_IMPORT_STEP}")),
    ("03-json-pane-flow", "full", reveal(f"flow:{d.SHOPIFY_FLOW}", "tab")),
    ("04-step-errors", "full", reveal(f"errors:{d.SALESFORCE_FLOW}:{d.SALESFORCE_IMPORT_STEP}", "enter")),
    ("05-token-panel-scoped", "scoped", press("t")),
    ("06-locked-nodes", "noconn", reveal(f"stepconnection:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}")),
    ("07-http-log", "full", press("l")),
    ("08-help", "full", press("question_mark")),
    ("09-palette", "full", press("ctrl+p", *"netsuite inv")),
    ("10-unauthorized", "revoked", press()),
    ("11-editor", "full", editor),
    ("12-diff-confirm", "full", diff_confirm),
    ("13-editor-422", "full", editor_422),
    ("14-errors-triage", "full", errors_triage),
    ("15-retry-confirm", "full", retry_confirm),
    ("16-error-detail-retry-data", "full", error_detail),
    ("17-cross-step-grouped", "full", cross_step),
    ("18-jobs", "full", jobs),
    ("19-journal", "full", journal),
    ("20-editor-schemas", "full", editor_schemas),
    ("30-errors-templates", "full", templates),
    ("31-fix-patch-editor", "full", fix_patch),
    ("32-fix-preview-diff", "full", fix_preview),
    ("33-fix-journal-batch", "full", fix_journal),
    ("34-saved-not-as-sent", "full", not_taken),
]


async def shoot(name: str, token: str, scenario: Scenario, size: tuple[int, int], out: Path) -> Path:
    """One screenshot: run the scenario, save the SVG."""
    app = demo_app(token)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await scenario(pilot)
        await pilot.pause(0.3)
        return Path(app.save_screenshot(filename=f"{name}.svg", path=str(out)))


def main(argv: list[str] | None = None) -> int:
    """Write every screenshot; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="120x36", help="terminal WIDTHxHEIGHT (default 120x36)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output folder")
    parser.add_argument("--only", default="", help="comma-separated name prefixes (e.g. 11,14) to remake")
    args = parser.parse_args(argv)
    wanted = [prefix for prefix in args.only.split(",") if prefix]
    width, height = (int(part) for part in args.size.lower().split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    converter = shutil.which("rsvg-convert")
    # The journal stamps each write with the wall clock; pin it to the demo's frozen "now" so 19-journal
    # comes out the same on every run.
    journal_module._utc_now = lambda: DEMO_NOW
    state = tempfile.TemporaryDirectory(prefix="iox-screenshots-")
    os.environ["XDG_STATE_HOME"] = state.name  # drafts and the journal of writes: never the user's own
    cache = tempfile.TemporaryDirectory(prefix="iox-screenshots-cache-")
    os.environ["XDG_CACHE_HOME"] = cache.name  # the schemas installed for these shots: never the user's own
    schemas = shared_schemas()
    if schemas is not None:
        install_from(schemas, schema_dir())
    else:
        print("no ../shared/celigo-schemas: 20-editor-schemas skipped", file=sys.stderr)
    for name, token, scenario in SHOTS:
        if wanted and not name.startswith(tuple(wanted)):
            continue
        if name == "20-editor-schemas" and schemas is None:
            continue
        for leftover in Path(state.name).iterdir():  # each shot starts with no drafts and an empty journal
            shutil.rmtree(leftover)
        svg = asyncio.run(shoot(name, token, scenario, (width, height), out))
        line = f"{svg}"
        if converter:
            png = svg.with_suffix(".png")
            # rsvg-convert drops the leading (non-breaking) spaces of a text run unless told to keep them:
            # indented diff lines and padded labels would lose their indentation in the PNG.
            preserved = svg.read_text(encoding="utf-8").replace("<svg ", '<svg xml:space="preserve" ', 1)
            subprocess.run([converter, "-o", str(png)], input=preserved.encode("utf-8"), check=True)
            line += f" + {png.name}"
        print(line)
    state.cleanup()
    cache.cleanup()
    if not converter:
        print("rsvg-convert not found: SVGs only (apt-get install librsvg2-bin for PNGs)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
