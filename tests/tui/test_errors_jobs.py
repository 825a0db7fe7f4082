"""Pilot tests of the jobs screen (a flow's Jobs node): latest + history, children, run and follow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.pilot import Pilot

from explorer.client import IntegratorClient
from explorer.model import Job
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.errors_dialogs import ConfirmBulkDialog
from explorer.tui.screens.jobs import JobsScreen, job_duration, job_label
from tests.helpers.errors_app import ErrorsHost, wait_for


def jobs_screen(**kwargs: Any) -> Any:
    def make(client: IntegratorClient) -> JobsScreen:
        return JobsScreen(client, d.SHOPIFY_FLOW, flow_name="Shopify orders", poll_interval=0.02, **kwargs)
    return make


async def ready(pilot: Pilot[Any]) -> JobsScreen:
    screen = pilot.app.screen_stack[-1]
    assert isinstance(screen, JobsScreen)
    await wait_for(pilot, lambda: bool(screen.jobs))
    await pilot.pause()
    return screen


def test_job_label_and_duration() -> None:
    job = Job.from_json({"_id": "j1", "type": "flow", "status": "failed", "numSuccess": 3, "numError": 2,
                         "createdAt": "2026-11-27T08:00:00.000Z", "startedAt": "2026-11-27T08:00:00.000Z",
                         "endedAt": "2026-11-27T08:02:05.500Z"})
    assert job_duration(job) == "2 min 05 s"
    plain = job_label(job).plain
    assert plain.startswith("failed     2026-11-27 08:00:00 flow")
    assert "✓ 3" in plain and "✗ 2" in plain and plain.endswith(" j1")
    running = Job(id="j2", status="running", started_at=datetime(2026, 11, 27))
    assert job_duration(running) == ""  # no wall clock on screen


async def test_latest_and_history_newest_first_with_children_on_expand() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, jobs_screen()).run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        history = [r for r in sim.requests if r[1].startswith("/v1/jobs?")]
        assert len(history) == 1 and "_flowId=" in history[0][1]
        created = [job.created_at for job in screen.jobs]
        assert created == sorted(created, reverse=True)  # type: ignore[type-var]
        top = screen.job_tree.root.children[0]
        assert top.data is not None and top.data.type == "flow" and len(top.children) == 3  # from /latest
        nodes = screen.job_tree.root.children
        flow_nodes = [n for n in nodes if n.data is not None and n.data.type == "flow"]
        older = flow_nodes[1]
        assert not older.children
        older.expand()
        await wait_for(pilot, lambda: bool(older.children))
        kinds = sorted(child.data.type or "" for child in older.children if child.data is not None)
        assert kinds and set(kinds) <= {"export", "import"}
        assert (f"/v1/jobs/{older.data.id}/family" if older.data else "") in [r[1] for r in sim.requests]
        assert not [r for r in sim.requests if "type=export" in r[1]]  # a form Celigo's code never uses


async def test_run_now_follows_the_new_job_until_it_ends() -> None:
    sim = Simulator(seed=0, time_scale=0)
    changed: list[bool] = []
    async with ErrorsHost(sim, jobs_screen(on_changed=lambda: changed.append(True))).run_test(
            size=(140, 40)) as pilot:
        screen = await ready(pilot)
        before = len(screen.jobs)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmBulkDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.followed is not None)
        assert screen.followed is not None and not screen.followed.finished
        await wait_for(pilot, lambda: screen.followed is not None and screen.followed.finished,
                       tick=lambda: sim.advance(1.0))
        await wait_for(pilot, lambda: len(screen.jobs) == before + 1)
        assert screen.jobs[0].id == screen.followed.id and screen.jobs[0].status in ("completed", "failed")
        assert changed == [True]
        runs = [r for r in sim.requests if r[0] == "POST" and r[1].endswith("/run")]
        assert len(runs) == 1


async def test_read_only_hides_run() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, jobs_screen(read_only=True), read_only=True).run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.check_action("run", ()) is False
        await pilot.press("R")
        await pilot.pause()
        assert pilot.app.screen is screen
        assert not [r for r in sim.requests if r[0] != "GET"]


async def test_m_loads_older_jobs_with_created_at_lte() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, jobs_screen()).run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        screen.exhausted = False  # as if the first page had been full
        await pilot.press("m")
        await wait_for(pilot, lambda: any("createdAt_lte=" in r[1] for r in sim.requests))
        await pilot.pause()
        assert screen.exhausted


async def test_opened_with_run_now_asks_at_once_and_esc_sends_nothing() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, jobs_screen(run_now=True)).run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmBulkDialog))
        await pilot.press("escape")
        screen = await ready(pilot)
        assert pilot.app.screen is screen
        assert not [r for r in sim.requests if r[0] != "GET"]


async def test_running_a_disabled_flow_shows_the_servers_message() -> None:
    """The refusal is shown in the server's words with its status; nothing depends on its code."""
    sim = Simulator(seed=0, time_scale=0)

    def make(client: IntegratorClient) -> JobsScreen:
        return JobsScreen(client, d.DISABLED_FLOW, flow_name="Contacts", poll_interval=0.02)

    async with ErrorsHost(sim, make).run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmBulkDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: any("HTTP 422" in n.message for n in pilot.app._notifications))
        shown = next(n.message for n in pilot.app._notifications if "HTTP 422" in n.message)
        assert "disabled" in shown and screen.followed is None
