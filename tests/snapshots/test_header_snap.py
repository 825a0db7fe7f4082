"""The main screen of a read-only session on a scoped token at 80, 100 and 120 columns: the header keeps
READ-ONLY and the scope in view at every width (the user id gives way first)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from explorer.simulator import Simulator
from tests.helpers.browse_app import make_app, settle


async def _settled(pilot: Pilot[None]) -> None:
    await settle(pilot)


@pytest.mark.parametrize("width", [80, 100, 120])
def test_read_only_scoped_header(snap_compare: Any, width: int) -> None:
    app = make_app(Simulator(seed=0), "scoped", read_only=True, show_timings=False)
    assert snap_compare(app, terminal_size=(width, 16), run_before=_settled)
