"""Pilot tests of the cross-step errors screen (``E`` on an integration or flow) against the simulator."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from textual.pilot import Pilot

from explorer.client import IntegratorClient
from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.errors_cross import CrossStepErrorsScreen
from tests.helpers.errors_app import (
    FAST_BULK,
    ErrorsHost,
    RecordingTransport,
    asking,
    choose,
    confirm,
    finished,
    wait_for,
)

AMAZON_STEPS = [(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP), (d.AMAZON_FLOW, d.AMAZON_EXPORT_STEP),
                (d.FLOW_AMAZON_SETTLEMENTS, d.IMP_NS_JOURNAL)]


def cross_screen(client: IntegratorClient) -> CrossStepErrorsScreen:
    return CrossStepErrorsScreen(client, title="Amazon", integration_id=d.INT_AMAZON, bulk_options=FAST_BULK)


async def ready(pilot: Pilot[Any]) -> CrossStepErrorsScreen:
    screen = pilot.app.screen_stack[-1]
    assert isinstance(screen, CrossStepErrorsScreen)
    panel = screen.panel
    # Groups are recomputed a moment after the pages that change them: wait until they count every row
    # loaded, not merely until some groups (perhaps of the first pages only) are shown.
    await wait_for(pilot, lambda: panel.store.complete and bool(panel.groups)
                   and sum(g.count for g in panel.groups) == len(panel.store.view))
    await pilot.pause()
    return screen


async def test_open_errors_of_every_step_grouped_by_code_with_counts() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, cross_screen).run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        expected = Counter(e["code"] for step in AMAZON_STEPS for e in sim.open_errors(*step))
        assert sum(expected.values()) == 3007
        assert {(g.value, g.count) for g in screen.panel.groups} == set(expected.items())
        assert screen.panel.store.total == 3007
        assert sorted((s.flow_id, s.step_id) for s in screen.steps) == sorted(AMAZON_STEPS)
        labels = {s.step_name for s in screen.steps}
        assert not labels & {step for _, step in AMAZON_STEPS}  # names, not ids
        paths = [p.split("?")[0] for m, p, _ in sim.requests if m == "GET"]
        summaries = [p for p in paths if re.fullmatch(r"/v1/flows/[0-9a-f]{24}/errors", p)]
        assert sorted(summaries) == sorted(f"/v1/flows/{f}/errors" for f in {f for f, _ in AMAZON_STEPS})
        paged = {tuple(p.split("/")[3:5]) for p in paths if re.fullmatch(r"/v1/flows/\w+/\w+/errors", p)}
        assert paged == set(AMAZON_STEPS)  # only steps with open errors are paged


async def test_resolve_across_two_steps_sends_one_batch_per_step() -> None:
    sim = Simulator(seed=0, time_scale=0)
    transport = RecordingTransport(sim)
    async with ErrorsHost(sim, cross_screen, transport=transport).run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        panel = screen.panel
        index = next(i for i, g in enumerate(panel.groups) if g.value == "UNBALANCED_JOURNAL")
        panel.table.move_cursor(index)
        await pilot.press("enter", "a")  # drill in, mark the 3 journal errors
        assert len(panel.store.selection) == 3
        await pilot.press("f")
        await choose(pilot, "code\t429")  # the 4 quota errors of the Amazon export step
        await pilot.press("a")
        assert len(panel.store.selection) == 7
        await pilot.press("r")  # 429s have no retry data: only the journal ones could be retried
        await wait_for(pilot, lambda: asking(pilot.app))
        await pilot.pause()
        body = str(pilot.app.screen.query_one("#confirm-body").render())
        assert "3 of 7 selected" in body and "4 not retryable (skipped):" in body
        assert body.count("(no retry data)") == 4
        await pilot.press("escape")
        await pilot.press("x")
        title, body = await confirm(pilot)
        assert title == "Resolve 7 errors?" and "from 2 steps" in body
        await finished(pilot)
        await pilot.press("escape")
        calls = [(kind, len(ids)) for kind, ids, status in transport.bulk_calls if status < 300]
        assert sorted(calls) == [("resolved", 3), ("resolved", 4)]
        assert sim.open_errors(d.FLOW_AMAZON_SETTLEMENTS, d.IMP_NS_JOURNAL) == []
        assert all(e["code"] != "429" for e in sim.open_errors(d.AMAZON_FLOW, d.AMAZON_EXPORT_STEP))
        assert len(panel.store.rows) == 3000 and len(panel.store.selection) == 0


async def test_r_on_a_group_retries_every_error_of_that_group() -> None:
    sim = Simulator(seed=0, time_scale=0)
    async with ErrorsHost(sim, cross_screen).run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        panel = screen.panel
        index = next(i for i, g in enumerate(panel.groups) if g.value == "INVALID_KEY_OR_REF")
        panel.table.move_cursor(index)
        await pilot.press("r")
        title, _ = await confirm(pilot)
        assert title == "Retry 56 errors?"
        await finished(pilot, sim)
        report = screen.runner.last_report
        assert report is not None and len(report.sent) == 56
        assert {r.code for r in report.sent} == {"INVALID_KEY_OR_REF"}
