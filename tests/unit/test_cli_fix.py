"""``iox errors --group template`` and ``iox fix`` against the in-process simulator (``--demo``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.simulator import demo_ids as d
from tests.helpers.cli import CSI_OR_OSC, Cap, isolate, run, run_json

MP = pytest.MonkeyPatch
AMAZON = (d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)


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


RENO = "Insufficient inventory for item <*> at location Reno DC: <*> requested, <*> available. " \
       "Invoices cannot be created for backordered quantities."
PATCH = [{"op": "test", "path": "/netsuite/location", "value": "Reno DC"},
         {"op": "replace", "path": "/netsuite/location", "value": "Columbus DC"}]


def patch_file(tmp_path: Path, ops: object = PATCH, name: str = "patch.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(ops))
    return str(path)


def test_fix_dry_run_json_counts_and_diffs(capsys: Cap, tmp_path: Path) -> None:
    code, doc, err = run_json(capsys, "fix", *AMAZON, "--patch", patch_file(tmp_path), "--code", "USER_ERROR",
                              "--dry-run")
    assert code == 0 and "nothing was written" in err
    assert set(doc) >= {"change", "unchanged", "failed", "not_retriable", "records"}
    assert doc["change"] > 600 and doc["failed"] > 1500
    assert doc["change"] + doc["failed"] == len(doc["records"])
    changed = [r for r in doc["records"] if r["outcome"] == "change"]
    assert all('+    "location": "Columbus DC",' in r["diff"] for r in changed)
    guarded = [r for r in doc["records"] if r["outcome"] == "failed"]
    assert all(r["reason"].startswith("test failed") for r in guarded)
    assert not (tmp_path / "state").exists() or not list((tmp_path / "state").rglob("journal.jsonl"))


def test_fix_template_apply_and_retry(capsys: Cap, tmp_path: Path) -> None:
    code, doc, err = run_json(capsys, "fix", *AMAZON, "--patch", patch_file(tmp_path), "--template", RENO,
                              "--yes", "--retry")
    assert code == 0, err
    assert doc["change"] == len(doc["written"]) == 711 and not doc["write_failed"] and not doc["not_sent"]
    assert len(doc["retry"]["retried"]) == 711
    assert doc["retry"]["failed_again"] == []  # the fixed records do not fail again
    journal = Path(doc["journal"])
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    batch = [line for line in lines if line.get("batch") == doc["batch"]]
    assert batch[0]["method"] == "FIX" and batch[0]["before"] == PATCH
    assert sum(1 for line in batch if line["status"] == 200) == 711
    assert sum(1 for line in batch if line["note"].endswith("sending")) == 711


def test_fix_refusals_and_usage_errors(capsys: Cap, tmp_path: Path) -> None:
    patch = patch_file(tmp_path)
    code, _, err = run(capsys, "--read-only", "-v", "fix", *AMAZON, "--patch", patch, "--yes")
    assert code == 1 and "read-only" in err and "iox: GET" not in err  # refused before any request
    bad = patch_file(tmp_path, {"op": "replace"}, "bad.json")
    assert run(capsys, "fix", *AMAZON, "--patch", bad, "--dry-run")[0] == 2
    assert run(capsys, "fix", *AMAZON, "--patch", patch, "--code", "x", "--template", "y")[0] == 2
    code, _, err = run(capsys, "fix", *AMAZON, "--patch", patch, "--template", RENO)
    assert code == 2 and "--yes" in err  # no terminal to confirm on
    code, _, err = run(capsys, "fix", *AMAZON, "--patch", patch, "--error-id", "nope", "--dry-run")
    assert code == 1 and "not among the step's open errors" in err
