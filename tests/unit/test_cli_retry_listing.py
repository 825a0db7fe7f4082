"""``iox retry FLOW STEP ID...`` reads the open list only until every named id is seen (issue 10: the whole
100,000-error list was read first, 15-20 s at 100 ms of round trip, to retry ids from its first pages)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d

FLOW, STEP = d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    return Simulator(seed=0, time_scale=0, error_page_size=3)


def retry(sim: Simulator, capsys: pytest.CaptureFixture[str], *ids: str) -> tuple[int, dict[str, object]]:
    code = main(["--json", "retry", FLOW, STEP, *ids, "--no-follow"], transport=SimulatorTransport(sim))
    return code, json.loads(capsys.readouterr().out)


def list_pages(sim: Simulator) -> int:
    return sum(1 for method, path, _ in sim.requests
               if method == "GET" and path.split("?")[0].endswith(f"/{STEP}/errors"))


def test_named_ids_on_the_first_pages_stop_the_listing(sim: Simulator,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    errors = sim.open_errors(FLOW, STEP)
    assert len(errors) >= 12  # four pages of 3 or more
    ids = [errors[4]["errorId"], errors[2]["errorId"]]
    code, report = retry(sim, capsys, *ids)
    assert code == 0 and report["sent"] == ids
    # the second page holds the 5th error; the third is not even asked for (it would be served for nothing)
    assert list_pages(sim) == 2 < -(-len(errors) // 3)


def test_an_unknown_id_reads_the_whole_list_and_is_reported(sim: Simulator,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    errors = sim.open_errors(FLOW, STEP)
    code, report = retry(sim, capsys, errors[0]["errorId"], "nope")
    assert code == 1 and report["sent"] == [errors[0]["errorId"]] and report["unknown"] == ["nope"]
    assert list_pages(sim) == -(-len(errors) // 3)
