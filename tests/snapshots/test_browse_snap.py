"""Snapshots of the browse screens at 100×32 and 80×24, over the seeded demo account (no latency, no timings).

Each scenario waits for every worker before the picture is taken, and the HTTP log hides durations, so the
SVGs are identical run to run. Review changes with the snapshot report before ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from explorer.simulator import FaultConfig, Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.main import MainScreen
from tests.helpers.browse_app import make_app, settle

SIZES = [pytest.param((100, 32), id="100x32"), pytest.param((80, 24), id="80x24")]
RunBefore = Callable[[Pilot[None]], Awaitable[None]]


def main_screen(pilot: Pilot[None]) -> MainScreen:
    return next(s for s in pilot.app.screen_stack if isinstance(s, MainScreen))


def reveal(key: str, *keys: str) -> RunBefore:
    """Wait for the account, move the tree cursor to ``key``, then press ``keys``."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        assert await main_screen(pilot).resource_tree.reveal(key)
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run


def keys_after_settle(*keys: str) -> RunBefore:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run


def app_for(token: str = "full", **kwargs: Any) -> tuple[ExplorerApp, Simulator]:
    sim = Simulator(seed=0)
    return make_app(sim, token, show_timings=False, **kwargs), sim


@pytest.mark.parametrize("size", SIZES)
def test_start_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = app_for()
    assert snap_compare(app, terminal_size=size, run_before=keys_after_settle())


@pytest.mark.parametrize("size", SIZES)
def test_expanded_flow_with_steps_and_badges(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = app_for()
    run = reveal(f"errors:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}")
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_json_pane_of_a_flow(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = app_for()
    assert snap_compare(app, terminal_size=size, run_before=reveal(f"flow:{d.AMAZON_FLOW}", "tab"))


@pytest.mark.parametrize("size", SIZES)
def test_token_panel(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = app_for("scoped")
    assert snap_compare(app, terminal_size=size, run_before=keys_after_settle("t"))


@pytest.mark.parametrize("size", SIZES)
def test_scoped_token_with_a_locked_node(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = app_for("noconn")
    run = reveal(f"stepconnection:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}")
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_http_log(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = app_for()
    assert snap_compare(app, terminal_size=size, run_before=keys_after_settle("l"))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = app_for()
    assert snap_compare(app, terminal_size=size, run_before=keys_after_settle("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_unauthorized_at_start(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = app_for("revoked")
    assert snap_compare(app, terminal_size=size, run_before=keys_after_settle())


@pytest.mark.parametrize("size", SIZES)
def test_inline_failure_on_a_flow(snap_compare: Any, size: tuple[int, int]) -> None:
    app, sim = app_for()

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        tree = main_screen(pilot).resource_tree
        assert await tree.reveal(f"flow:{d.SALESFORCE_FLOW}")
        sim.set_faults(FaultConfig(p503=1.0))
        await pilot.press("right")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_step_errors_with_literal_markup(snap_compare: Any, size: tuple[int, int]) -> None:
    app, _ = app_for()
    run = reveal(f"errors:{d.SALESFORCE_FLOW}:{d.SALESFORCE_IMPORT_STEP}", "enter")
    assert snap_compare(app, terminal_size=size, run_before=run)
