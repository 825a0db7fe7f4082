"""``iox errors`` and ``iox retry`` mark (and skip) errors beyond the newest 20,000 of a step, which have no
retry data — here with the cap shrunk to 3 on both sides, so a demo step with 5 errors shows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.commands import errors as errors_command
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.cli import isolate

FLOW, STEP = d.FLOW_BC_ORDERS, d.IMP_NS_BC_ORDER


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    monkeypatch.setattr(errors_command, "RETRY_DATA_KEPT", 3)
    return Simulator(seed=0, time_scale=0, retry_data_kept=3)


def run(sim: Simulator, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), transport=SimulatorTransport(sim))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("filters", [(), ("--source", "application")])
def test_errors_marks_old_errors(sim: Simulator, capsys: pytest.CaptureFixture[str],
                                 filters: tuple[str, ...]) -> None:
    errors = sim.open_errors(FLOW, STEP)
    code, out, err = run(sim, capsys, "errors", FLOW, STEP, *filters)
    assert code == 0
    retry_column = {line.split()[0]: line.split()[6] for line in out.splitlines()[1:]}
    assert [retry_column[e["errorId"]] for e in errors] == ["yes", "yes", "yes", "no*", "no*"]
    assert "* 2 errors are beyond the newest 3 of the step: integrator.io keeps no retry data" in err
    assert not any(path.endswith("/data") for _, path, _ in sim.requests)


def test_errors_json_stays_as_received_and_notes_on_stderr(sim: Simulator,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(sim, capsys, "--json", "errors", FLOW, STEP)
    assert code == 0 and json.loads(out) == sim.open_errors(FLOW, STEP)
    assert "2 errors are beyond the newest 3" in err


def test_retry_all_skips_old_errors_before_sending(sim: Simulator,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    errors = sim.open_errors(FLOW, STEP)
    code, out, err = run(sim, capsys, "--json", "retry", FLOW, STEP, "--all", "--no-follow")
    report = json.loads(out)
    assert code == 0, err
    assert sorted(report["sent"]) == sorted(e["errorId"] for e in errors[:3])
    assert [s["reason"] for s in report["skipped"]] == [
        "not retryable: beyond the newest 20,000 errors of the step (no retry data)"] * 2
    assert not any(path.endswith("/data") for _, path, _ in sim.requests)  # no 404 probing
