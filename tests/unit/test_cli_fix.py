"""``iox errors --group template`` and ``iox fix`` against the in-process simulator (``--demo``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.simulator import demo_ids as d
from tests.unit.test_cli_commands import CSI_OR_OSC, Cap, run, run_json
from tests.unit.test_cli_support import isolate

MP = pytest.MonkeyPatch


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: MP) -> None:
    isolate(tmp_path, monkeypatch)


def test_errors_group_template_text_and_json(capsys: Cap) -> None:
    code, groups, _ = run_json(capsys, "errors", d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP, "--group", "template")
    assert code == 0
    assert sum(g["count"] for g in groups) == 3000
    assert set(groups[0]) == {"template", "count", "codes", "classifications", "first", "last"}
    assert groups[0]["template"].startswith("Insufficient inventory for item <*> at location ")
    assert groups == sorted(groups, key=lambda g: -g["count"])
    code, out, err = run(capsys, "errors", d.SALESFORCE_FLOW, d.SALESFORCE_IMPORT_STEP, "--group", "template")
    assert code == 0 and out.startswith("COUNT  CODES")
    assert "[bold]Customer Category[/bold]" in out  # markup shown literally
    assert not any(seq in out for seq in CSI_OR_OSC)
    assert "templates over 7 errors" in err
