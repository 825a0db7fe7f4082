"""What a new user of ``iox`` notices first: counts with separators, ids to paste, wide names aligned."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.commands.output import display_width, render_table, truncate
from explorer.simulator import demo_ids as d
from tests.helpers.cli import Cap, isolate, run


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)


def test_tree_counts_carry_thousands_separators_and_an_empty_integration_says_no_flows(capsys: Cap) -> None:
    code, out, _ = run(capsys, "tree", "--no-steps")
    assert code == 0
    assert "Amazon - NetSuite · 2 flows · 3,007 open errors" in out
    lines = out.splitlines()
    empty = next(i for i, line in enumerate(lines) if "· 0 flows" in line)
    assert lines[empty + 1].endswith("└── no flows")
    assert "daily at 02:00 (America/Los_Angeles)" in out and "cron:" not in out


def test_tree_ids_prints_each_id_beside_its_name(capsys: Cap) -> None:
    code, out, _ = run(capsys, "tree", "--ids")
    assert code == 0
    assert f"Shopify - NetSuite Orders [{d.INT_SHOPIFY}] · 1 flow" in out
    assert f"Shopify Orders to NetSuite Sales Orders [{d.FLOW_SHOPIFY_ORDERS}] · every 15 minutes" in out
    assert f"[{d.SHOPIFY_IMPORT_STEP}]" in out
    _, plain, _ = run(capsys, "tree")
    assert d.INT_SHOPIFY not in plain


def test_tables_measure_cells_as_the_terminal_does() -> None:
    assert display_width("受注の同期") == 10 and display_width("👩‍💻 ops") == 6
    lines = render_table(["name", "id"], [["受注の同期", "a1"], ["🚀 ops", "b2"], ["plain", "c3"]])
    columns = {display_width(line[: line.index(ident)]) for line, ident in zip(lines[1:], ("a1", "b2", "c3"),
                                                                                strict=True)}
    assert columns == {12}  # every id starts in the same column
    cut = truncate("受注の同期フロー", 7)
    assert cut == "受注の…" and display_width(cut) <= 7


def test_error_counts_carry_thousands_separators(capsys: Cap) -> None:
    code, _, err = run(capsys, "errors", d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
    assert code == 0 and err.strip().endswith("3,000 open errors")
