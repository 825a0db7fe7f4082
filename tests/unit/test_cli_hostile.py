"""Hostile server text through the CLI's commands: stdout and stderr never carry it raw."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.cli import main
from explorer.simulator import DEMO_TOKENS, Simulator
from explorer.simulator import demo_ids as d
from tests.helpers.cli import isolate
from tests.helpers.hostile import RAW, HostileTransport


@pytest.mark.parametrize("argv", [
    ["tree"], ["ls", "integrations"], ["get", f"integrations/{d.INT_SHOPIFY}"], ["--json", "ls", "flows"],
    ["errors", d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP], ["token"],
])
def test_cli_output_is_inert(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    sim = Simulator(seed=0, time_scale=0)
    code = main(argv, transport=HostileTransport(sim))
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    found = [repr(bad) for bad in RAW if bad in out + err]
    assert not found, f"{argv}: {found}"
    if argv[0] != "token":
        assert "52;c;SGk=" in out  # the hostile text was printed (escaped)
