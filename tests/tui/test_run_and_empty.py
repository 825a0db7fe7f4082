"""``R`` on a disabled flow says so before sending anything; an integration without flows says "no flows"."""

from __future__ import annotations

from textual.pilot import Pilot

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.jobs import JobsScreen
from explorer.tui.screens.main import MainScreen
from tests.helpers.browse_app import labels, make_app, settle, tree_of

SIZE = (120, 36)


async def press_on_the_disabled_flow(pilot: Pilot[None], *keys: str) -> None:
    """Put the tree cursor on the demo's disabled flow, then press ``keys`` one by one, settling each."""
    await settle(pilot)
    assert await tree_of(pilot.app).reveal(f"flow:{d.DISABLED_FLOW}")
    for key in keys:
        await settle(pilot)
        await pilot.press(key)
    await settle(pilot)


async def test_r_on_a_disabled_flow_sends_nothing_and_says_why() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await press_on_the_disabled_flow(pilot, "R")
        assert isinstance(app.screen, MainScreen)  # no confirmation offered, no jobs screen
        assert [r for r in sim.requests if r[0] != "GET"] == []
        notes = [(n.title, n.message) for n in app._notifications]
        assert notes and notes[-1][0] == "Flow disabled"
        name = "Salesforce Contacts to NetSuite Contacts"
        assert notes[-1][1].startswith(f"Nothing was sent: {name} is disabled.")
        assert "cut:" not in notes[-1][1]


async def test_r_in_the_jobs_screen_of_a_disabled_flow_sends_nothing() -> None:
    sim = Simulator(seed=0, time_scale=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await press_on_the_disabled_flow(pilot, "J")
        assert isinstance(app.screen, JobsScreen)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, JobsScreen)  # the confirmation was not offered
        assert [r for r in sim.requests if r[0] != "GET"] == []
        assert app._notifications and list(app._notifications)[-1].title == "Flow disabled"


async def test_an_integration_without_flows_says_so_when_expanded() -> None:
    app = make_app(Simulator(seed=0, time_scale=0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        assert await tree.reveal(f"integration:{d.INT_EMPTY}")
        await pilot.press("right")
        await settle(pilot)
        shown = labels(tree)
        index = next(i for i, line in enumerate(shown) if "0 flows" in line)
        assert shown[index + 1].strip() == "no flows"
