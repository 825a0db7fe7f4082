"""Errors beyond the newest 20,000 of a step have no retry data: the errors screen marks them before anyone
tries, and a retry skips them without a 404 (the cap is shrunk to 3 on both sides so a demo step shows it)."""

from __future__ import annotations

import pytest

from explorer.simulator import Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens import errors as errors_screen
from explorer.tui.screens.errors_detail import ErrorDetailScreen
from tests.helpers.errors_app import (
    ErrorsHost,
    RecordingTransport,
    confirm,
    finished,
    loaded,
    step_screen,
    wait_for,
)

BC = (d.FLOW_BC_ORDERS, d.IMP_NS_BC_ORDER)  # 5 open errors, all with a retryDataKey


async def test_old_errors_are_marked_and_skipped_by_a_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors_screen, "RETRY_DATA_KEPT", 3)
    sim = Simulator(seed=0, time_scale=0, retry_data_kept=3)
    transport = RecordingTransport(sim)
    async with ErrorsHost(sim, step_screen(BC), transport=transport).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        rows = list(panel.store.view)
        assert [panel.store.is_beyond(r) for r in rows] == [False, False, False, True, True]
        assert [panel.table.is_retryable(r) for r in rows] == [True, True, True, False, False]
        assert "⊘ 2 beyond the newest 20,000: no retry data" in panel.store.status()
        await pilot.press("a", "r")
        _, body = await confirm(pilot)
        assert "3 of 5 selected" in body and "beyond the newest 20,000: no retry data" in body
        await finished(pilot, sim)
        [(kind, keys, status)] = transport.bulk_calls
        assert kind == "retry" and status == 201
        assert set(keys) == {r.retry_data_key for r in rows[:3]}
        assert not any(path.endswith("/data") for _, path, _ in sim.requests)  # no 404 to learn it from


async def test_detail_of_an_old_error_does_not_ask_for_its_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors_screen, "RETRY_DATA_KEPT", 3)
    sim = Simulator(seed=0, time_scale=0, retry_data_kept=3)
    async with ErrorsHost(sim, step_screen(BC)).run_test(size=(140, 40)) as pilot:
        panel = await loaded(pilot)
        panel.table.move_cursor(4)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorDetailScreen))
        detail = pilot.app.screen
        assert isinstance(detail, ErrorDetailScreen)
        await wait_for(pilot, lambda: "newest 20,000" in detail.retry_data_note)
        assert not detail.retryable and detail.beyond_retention
        assert not any(path.endswith("/data") for _, path, _ in sim.requests)
