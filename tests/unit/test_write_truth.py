"""Writes that tell the truth: fields the server did not take are reported by JSON path (service, journal,
CLI), every journal entry names its server and account, and undo refuses another server's or account's write.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.client import IntegratorClient
from explorer.journal import Journal
from explorer.services import write_targets, writes
from explorer.services.canonical import dump_text
from explorer.services.write_truth import not_taken, undo_refusal
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.cli import isolate

NA = "https://api.integrator.io/v1/"
EU = "https://api.eu.integrator.io/v1/"


def clock() -> datetime:
    return datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=0)


@pytest.fixture
async def na(sim: Simulator) -> AsyncIterator[IntegratorClient]:
    async with IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(sim), max_retries=0) as c:
        yield c


@pytest.fixture
async def eu(sim: Simulator) -> AsyncIterator[IntegratorClient]:
    async with IntegratorClient(DEMO_TOKENS["eu"], region="eu", transport=SimulatorTransport(sim),
                                max_retries=0) as c:
        yield c


def test_not_taken_names_every_path_that_differs() -> None:
    sent = {"_id": "x", "name": "mine", "a": {"b": 1, "c": [1, 2]}, "gone": True}
    stored = {"_id": "x", "name": "theirs", "a": {"b": 1, "c": [1]}, "lastModified": "now", "added": 1}
    found = {item.path: item.reason for item in not_taken(sent, stored, ("_id", "lastModified"))}
    assert set(found) == {"name", "a.c", "gone", "added"}
    assert found["name"] == 'sent "mine", the server has "theirs"'
    assert found["gone"] == "dropped by the server"
    assert found["added"] == "kept by the server though not sent (1)"
    assert not_taken(sent, sent) == []


async def test_integration_app_put_reports_locked_fields_and_journals_them(
        sim: Simulator, na: IntegratorClient, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    session = await writes.begin_edit(na, write_targets.resource_target("flows", d.FLOW_BC_ORDERS), "demo")
    text = dump_text({**session.base, "name": "Renamed", "schedule": "? 0 */6 * * *"})
    outcome = await writes.submit_write(na, writes.plan_write(session, text), journal=journal, clock=clock,
                                        account=d.USER_ID)
    assert isinstance(outcome, writes.Saved) and outcome.status == 200
    assert [w.kind for w in outcome.plan.warnings] == ["integration_app"]  # said before the PUT, too
    assert [item.path for item in outcome.not_taken] == ["name"]
    assert outcome.summary.endswith("→ 200, but 1 field(s) did not take")
    assert sim.doc("flows", d.FLOW_BC_ORDERS)["schedule"] == "? 0 */6 * * *"
    [entry] = journal.entries()
    assert entry.not_taken == ("name",) and entry.note is None
    assert (entry.server, entry.account) == (NA, d.USER_ID)


async def test_an_ordinary_put_takes_everything(na: IntegratorClient, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    target = write_targets.resource_target("flows", d.FLOW_SHOPIFY_ORDERS)
    session = await writes.begin_edit(na, target, "demo")
    text = dump_text({**session.base, "name": "Renamed"})
    outcome = await writes.submit_write(na, writes.plan_write(session, text), journal=journal, account="u1")
    assert isinstance(outcome, writes.Saved) and outcome.not_taken == ()
    assert journal.entries()[0].not_taken == ()


async def test_undo_refused_on_another_server_or_account(na: IntegratorClient, eu: IntegratorClient,
                                                         tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    target = write_targets.resource_target("flows", d.FLOW_SHOPIFY_ORDERS)
    session = await writes.begin_edit(na, target, "prod")
    text = dump_text({**session.base, "name": "x"})
    plan = writes.plan_write(session, text)
    saved = await writes.submit_write(na, plan, journal=journal, account=d.USER_ID)
    assert isinstance(saved, writes.Saved)
    with pytest.raises(writes.UndoRefused, match=f"this write went to {NA}, but this session talks to {EU}"):
        await writes.begin_undo(eu, target, "prod", journal, account=d.EU_USER_ID)
    with pytest.raises(writes.UndoRefused, match=f"made by account {d.USER_ID}, but this session's token "
                                                 f"belongs to account {d.OTHER_USER_ID}"):
        await writes.begin_undo(na, target, "prod", journal, account=d.OTHER_USER_ID)
    _, text, _ = await writes.begin_undo(na, target, "prod", journal, account=d.USER_ID)
    assert json.loads(text)["name"] != "x"
    old_entry = replace(journal.entries()[0], server=None, account=None)  # written before this was recorded
    assert undo_refusal(old_entry, EU, d.EU_USER_ID) is None


async def test_retry_data_put_is_checked_by_reading_it_back(sim: Simulator, na: IntegratorClient,
                                                            tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    error = sim.open_errors(d.FLOW_SHOPIFY_ORDERS, d.IMP_NS_SALES_ORDER)[0]
    key = error["retryDataKey"]
    target = write_targets.retry_data_target(d.FLOW_SHOPIFY_ORDERS, d.IMP_NS_SALES_ORDER, key)
    session = await writes.begin_edit(na, target, "demo")
    doc = {**session.base, "data": {**session.base["data"], "fixed": True}, "stage": "made_up"}
    outcome = await writes.submit_write(na, writes.plan_write(session, dump_text(doc)), journal=journal,
                                        account=d.USER_ID)
    assert isinstance(outcome, writes.Saved)
    assert [item.path for item in outcome.not_taken] == ["stage"]
    assert journal.entries()[0].not_taken == ("stage",)


def test_cli_put_warns_with_each_path_and_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    sim = Simulator(seed=0)
    transport = SimulatorTransport(sim)
    doc = sim.doc("flows", d.FLOW_BC_ORDERS)
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({**doc, "name": "Renamed", "description": "d"})))
    code = main(["put", f"flows/{d.FLOW_BC_ORDERS}", "-", "--yes"], transport=transport)
    out, err = capsys.readouterr()
    assert code == 0
    assert "iox: warning: the server accepted the PUT of flow" in err and "did not take 2 field(s)" in err
    assert '  - name: sent "Renamed", the server has "BigCommerce Order to NetSuite Order Add"' in err
    assert "  - description: dropped by the server" in err
    again = {**sim.doc("flows", d.FLOW_BC_ORDERS), "name": "Again", "schedule": "? 0 1 * * *"}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(again)))
    code = main(["--json", "put", f"flows/{d.FLOW_BC_ORDERS}", "-", "--yes"], transport=transport)
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert code == 0 and result["saved"] is True
    assert result["not_taken"] == [{"path": "name", "sent": "Again",
                                    "stored": "BigCommerce Order to NetSuite Order Add"}]
    entry = Journal.default().entries()[0]
    assert (entry.server, entry.account, entry.not_taken) == (NA, d.USER_ID, ("name",))
