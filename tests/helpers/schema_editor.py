"""An editor host with Celigo's schemas, for the pilot and snapshot tests of the schema features."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from explorer.client import IntegratorClient
from explorer.journal import DraftStore, Journal
from explorer.services import write_targets
from explorer.services.schemas import SchemaLibrary
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from explorer.tui.screens.editor import EditorScreen
from explorer.tui.screens.editor_context import WriteContext
from tests.helpers.edit_host import EditHost, until

SIZE = (120, 36)


class SchemaEditorHost(EditHost):
    """The editor on one resource of a frozen-clock simulator, with ``library`` (None: no schemas at all).

    The client is built inside the app's own event loop, so the host serves ``run_test`` and ``snap_compare``.
    """

    def __init__(self, tmp: Path, library: SchemaLibrary | None, kind: str = "connections",
                 resource_id: str = d.CONN_SHOPIFY, sim: Simulator | None = None) -> None:
        super().__init__(self._make)
        self.sim = sim or Simulator(seed=0, time_scale=0)
        self.tmp = tmp
        self.library = library
        self.target = write_targets.resource_target(kind, resource_id)
        self.api: IntegratorClient | None = None

    def _make(self) -> EditorScreen:
        transport = SimulatorTransport(self.sim)
        self.api = IntegratorClient(DEMO_TOKENS["full"], transport=transport, max_retries=0)
        stores = DraftStore(self.tmp / "drafts"), Journal(self.tmp / "journal.jsonl")
        context = WriteContext(self.api, "demo", *stores, schemas=self.library)
        return EditorScreen(context, self.target, draft_delay_s=0.05)

    async def on_unmount(self) -> None:
        if self.api is not None:
            await self.api.aclose()


async def opened(pilot: Any) -> EditorScreen:
    """Wait until the editor holds its document (cursor blink off); returns the screen."""
    await until(pilot, lambda: isinstance(pilot.app.screen, EditorScreen) and pilot.app.screen.area)
    screen = pilot.app.screen
    assert isinstance(screen, EditorScreen) and screen.area is not None
    screen.area.cursor_blink = False
    return screen


def row_of(screen: EditorScreen, needle: str) -> int:
    """The first editor line holding ``needle``."""
    assert screen.area is not None
    return next(i for i, line in enumerate(screen.area.text.split("\n")) if needle in line)
