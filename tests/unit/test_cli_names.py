"""Commands that take a flow or step id also take its name: exact, else a unique case-insensitive prefix;
an ambiguous or unknown name is a usage error (exit 2) that lists the candidates with their ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.services.name_lookup import NameAmbiguous, Named, NameNotFound, looks_like_id, pick
from explorer.simulator import demo_ids as d
from tests.helpers.cli import Cap, isolate, run, run_json

FLOWS = [Named("a" * 24, "Orders"), Named("b" * 24, "Orders to NetSuite"), Named("c" * 24, "orders (old)"),
         Named("d" * 24, "Invoices"), Named("e" * 24, "Invoices")]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)


def test_exact_name_wins_over_a_prefix_then_a_unique_case_insensitive_prefix() -> None:
    assert pick("Orders", FLOWS, "flow").id == "a" * 24  # exact, although two others start with it
    assert pick("orders to", FLOWS, "flow").id == "b" * 24
    assert pick("b" * 24, FLOWS, "flow").id == "b" * 24
    assert looks_like_id(d.SHOPIFY_FLOW) and not looks_like_id("Shopify")


def test_ambiguous_and_unknown_names_say_so_with_the_ids() -> None:
    with pytest.raises(NameAmbiguous) as ambiguous:
        pick("ord", FLOWS, "flow")
    message = str(ambiguous.value)
    assert message.startswith("3 flows have names starting with 'ord'; say which by id:")
    assert all(c.id in message for c in FLOWS[:3])
    with pytest.raises(NameAmbiguous, match="2 flows are named 'Invoices'"):
        pick("Invoices", FLOWS, "flow")
    with pytest.raises(NameNotFound, match="iox tree --ids"):
        pick("Payments", FLOWS, "flow")
    with pytest.raises(NameNotFound):
        pick("", FLOWS, "flow")


def test_errors_by_flow_and_step_names(capsys: Cap) -> None:
    code, by_name, _ = run_json(capsys, "errors", "shopify orders", "Create NetSuite sales orders")
    assert code == 0
    code, by_id, _ = run_json(capsys, "errors", d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)
    assert code == 0 and by_name == by_id and len(by_id) == 12


def test_an_ambiguous_flow_name_lists_the_candidates_and_exits_2(capsys: Cap) -> None:
    code, out, err = run(capsys, "jobs", "Amazon")
    assert code == 2 and out == ""
    assert "2 flows have names starting with 'Amazon'" in err
    assert d.FLOW_AMAZON_INVOICES in err and d.FLOW_AMAZON_SETTLEMENTS in err
    code, _, err = run(capsys, "jobs", "No such flow")
    assert code == 2 and "no flow is named 'No such flow'" in err


def test_a_step_name_is_looked_up_within_its_flow(capsys: Cap) -> None:
    code, _, err = run(capsys, "errors", d.SHOPIFY_FLOW, "Create NetSuite invoices")  # a step of another flow
    assert code == 2 and "no step is named 'Create NetSuite invoices'" in err
