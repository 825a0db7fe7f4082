"""The safe-write path end to end against the in-process simulator: PUT, stale guard, merge, 422, journal,
drafts, undo, read-only, retry data."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from explorer.client import IntegratorClient, ServerError, ValidationFailed
from explorer.journal import DraftStore, Journal
from explorer.services import write_targets, writes
from explorer.services.canonical import dump_text
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d

FLOW = d.FLOW_SHOPIFY_ORDERS
FIXED = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def clock() -> datetime:
    return FIXED


class PutFails(httpx.AsyncBaseTransport):
    """The simulator, except that every PUT answers 503 (to see a failure after the guard passed)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(503, json={"errors": [{"code": "unavailable", "message": "try later"}]})
        return await self.inner.handle_async_request(request)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=0)


@pytest.fixture
def stores(tmp_path: Path) -> tuple[DraftStore, Journal]:
    return DraftStore(tmp_path / "drafts", clock=clock), Journal(tmp_path / "journal.jsonl")


MakeClient = Callable[..., IntegratorClient]


@pytest.fixture
async def make_client(sim: Simulator) -> AsyncIterator[MakeClient]:
    made: list[IntegratorClient] = []

    def make(*, read_only: bool = False, transport: httpx.AsyncBaseTransport | None = None,
             token: str = "full") -> IntegratorClient:
        client = IntegratorClient(DEMO_TOKENS[token], transport=transport or SimulatorTransport(sim),
                                  read_only=read_only, max_retries=0)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


def puts(sim: Simulator) -> list[tuple[str, str, int]]:
    return [r for r in sim.requests if r[0] == "PUT"]


def edited_text(session: writes.EditSession, **changes: Any) -> str:
    return dump_text({**session.base, **changes})


async def test_valid_edit_is_put_journaled_and_its_draft_removed(
    sim: Simulator, make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    drafts, journal = stores
    client = make_client()
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    text = edited_text(session, name="Renamed by test")
    writes.save_draft(drafts, session, text)
    plan = writes.plan_write(session, text)
    outcome = await writes.submit_write(client, plan, journal=journal, drafts=drafts, clock=clock)

    assert isinstance(outcome, writes.Saved), outcome
    assert sim.doc("flows", FLOW)["name"] == "Renamed by test"
    assert outcome.document["name"] == "Renamed by test"
    assert outcome.summary.endswith(f"PUT /v1/flows/{FLOW} → 200")
    assert drafts.load("demo", "flows", FLOW) is None
    [entry] = journal.entries()
    assert (entry.time, entry.profile, entry.method, entry.path, entry.status) == (
        "2026-11-28T12:00:00.000Z", "demo", "PUT", f"/v1/flows/{FLOW}", 200)
    assert entry.before["name"] == session.base["name"] and entry.after["name"] == "Renamed by test"
    assert (entry.kind, entry.resource_id) == ("flows", FLOW)
    # The guard re-read the document just before the PUT.
    methods = [(m, p.split("?")[0]) for m, p, _ in sim.requests]
    assert methods[-2:] == [("GET", f"/v1/flows/{FLOW}"), ("PUT", f"/v1/flows/{FLOW}")]


async def test_stale_write_is_not_sent_and_reports_the_server_change(
    sim: Simulator, make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    drafts, journal = stores
    client = make_client()
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    plan = writes.plan_write(session, edited_text(session, name="Mine"))
    sim.replace_doc("flows", FLOW, {**sim.doc("flows", FLOW), "description": "Changed by a colleague"})

    outcome = await writes.submit_write(client, plan, journal=journal, drafts=drafts)

    assert isinstance(outcome, writes.Stale)
    assert puts(sim) == [] and journal.entries() == []
    assert [c.label for c in outcome.server_changes] == ["description"]
    assert '+  "description": "Changed by a colleague",' in outcome.server_diff
    assert "changed on the server by " + d.OTHER_USER_ID in outcome.summary
    assert sim.doc("flows", FLOW)["name"] == session.base["name"]


async def test_stale_then_merge_keeps_both_changes(
    sim: Simulator, make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    _, journal = stores
    client = make_client()
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    text = edited_text(session, name="Mine")
    sim.replace_doc("flows", FLOW, {**sim.doc("flows", FLOW), "description": "Theirs"})
    stale = await writes.submit_write(client, writes.plan_write(session, text), journal=journal)
    assert isinstance(stale, writes.Stale)

    merged_session, result, merged_text = writes.merge_onto(session, text, stale.server_document)
    assert result.clean
    plan = writes.plan_write(merged_session, merged_text)
    outcome = await writes.submit_write(client, plan, journal=journal)

    assert isinstance(outcome, writes.Saved)
    stored = sim.doc("flows", FLOW)
    assert (stored["name"], stored["description"]) == ("Mine", "Theirs")


async def test_stale_then_overwrite_replaces_their_change(
    sim: Simulator, make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    _, journal = stores
    client = make_client()
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    text = edited_text(session, name="Mine")
    sim.replace_doc("flows", FLOW, {**sim.doc("flows", FLOW), "description": "Theirs"})
    stale = await writes.submit_write(client, writes.plan_write(session, text), journal=journal)
    assert isinstance(stale, writes.Stale)

    plan = writes.plan_write(writes.rebase(session, stale.server_document), text)
    assert any("Theirs" in line for line in plan.diff if line.startswith("-"))  # the overwrite shows it
    outcome = await writes.submit_write(client, plan, journal=journal)

    assert isinstance(outcome, writes.Saved)
    stored = sim.doc("flows", FLOW)
    assert stored["name"] == "Mine" and stored["description"] == session.base["description"]


async def test_unknown_import_id_gives_a_journaled_422_and_keeps_the_draft(
    sim: Simulator, make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    drafts, journal = stores
    client = make_client()
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    doc = json.loads(session.base_text)
    doc["pageProcessors"][1]["_importId"] = "ffffffffffffffffffffffff"
    text = dump_text(doc)
    writes.save_draft(drafts, session, text)

    plan = writes.plan_write(session, text)
    outcome = await writes.submit_write(client, plan, journal=journal, drafts=drafts)

    assert isinstance(outcome, writes.Failed) and outcome.put_sent
    assert isinstance(outcome.error, ValidationFailed)
    fields = [(e.code, e.field) for e in outcome.error.errors]
    assert fields == [("invalid_field", "pageProcessors[1]._importId")]
    assert sim.doc("flows", FLOW)["pageProcessors"][1]["_importId"] == d.IMP_NS_SALES_ORDER
    [entry] = journal.entries()
    assert entry.status == 422 and not entry.succeeded
    assert entry.note is not None and "pageProcessors[1]._importId" in entry.note
    assert journal.last_put("demo", f"/v1/flows/{FLOW}") is None  # a failed PUT is nothing to undo
    assert drafts.load("demo", "flows", FLOW) is not None
    assert "kept as a draft" in outcome.summary


async def test_masked_secret_is_warned_and_rejected_when_the_server_is_strict(
    make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    _, journal = stores
    strict = Simulator(seed=0, mask_secret_422=True)
    client = make_client(transport=SimulatorTransport(strict))
    target = write_targets.resource_target("connections", d.CONN_SHOPIFY)
    session = await writes.begin_edit(client, target, "demo")
    plan = writes.plan_write(session, edited_text(session, name="Shopify (renamed)"))
    assert [w.path for w in plan.warnings if w.kind == "masked_secret"] == ["http.auth.token.token"]

    outcome = await writes.submit_write(client, plan, journal=journal)

    assert isinstance(outcome, writes.Failed) and isinstance(outcome.error, ValidationFailed)
    assert [e.field for e in outcome.error.errors] == ["http.auth.token.token"]


async def test_read_only_session_sends_no_put_and_journals_nothing(
    sim: Simulator, make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    _, journal = stores
    client = make_client(read_only=True)
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    outcome = await writes.submit_write(client, writes.plan_write(session, edited_text(session, name="x")),
                                        journal=journal)
    assert isinstance(outcome, writes.Failed) and not outcome.put_sent
    assert puts(sim) == [] and journal.entries() == []


async def test_server_error_on_put_is_journaled_with_its_status(
    sim: Simulator, make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    _, journal = stores
    client = make_client(transport=PutFails(SimulatorTransport(sim)))
    session = await writes.begin_edit(client, write_targets.resource_target("flows", FLOW), "demo")
    outcome = await writes.submit_write(client, writes.plan_write(session, edited_text(session, name="x")),
                                        journal=journal)
    assert isinstance(outcome, writes.Failed) and isinstance(outcome.error, ServerError)
    assert [e.status for e in journal.entries()] == [503]
    assert sim.doc("flows", FLOW)["name"] == session.base["name"]


async def test_undo_restores_the_before_document_through_the_same_path(
    sim: Simulator, make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    drafts, journal = stores
    client = make_client()
    target = write_targets.resource_target("flows", FLOW)
    original = sim.doc("flows", FLOW)
    with pytest.raises(writes.NothingToUndo):
        await writes.begin_undo(client, target, "demo", journal)

    session = await writes.begin_edit(client, target, "demo")
    saved = await writes.submit_write(client, writes.plan_write(session, edited_text(session, name="Oops")),
                                      journal=journal, drafts=drafts)
    assert isinstance(saved, writes.Saved)

    undo_session, text, entry = await writes.begin_undo(client, target, "demo", journal)
    assert entry.after["name"] == "Oops"
    plan = writes.plan_write(undo_session, text)
    assert '-  "name": "Oops",' in plan.diff and f'+  "name": {json.dumps(original["name"])},' in plan.diff
    undone = await writes.submit_write(client, plan, journal=journal)

    assert isinstance(undone, writes.Saved)
    assert sim.doc("flows", FLOW)["name"] == original["name"]
    assert [e.after["name"] for e in journal.entries()] == [original["name"], "Oops"]
    # Undoing twice redoes: the last PUT is now the undo itself.
    _, redo_text, _ = await writes.begin_undo(client, target, "demo", journal)
    assert json.loads(redo_text)["name"] == "Oops"
    # Another profile's journal is separate.
    with pytest.raises(writes.NothingToUndo):
        await writes.begin_undo(client, target, "other", journal)


async def test_draft_restored_in_a_new_store_is_checked_against_the_server(
    sim: Simulator, make_client: MakeClient, tmp_path: Path
) -> None:
    client = make_client()
    target = write_targets.resource_target("flows", FLOW)
    first = DraftStore(tmp_path / "drafts")
    session = await writes.begin_edit(client, target, "demo")
    text = edited_text(session, name="Half-finished")
    writes.save_draft(first, session, text)

    # A new process: a new store over the same directory, and the server moved on meanwhile.
    sim.replace_doc("flows", FLOW, {**sim.doc("flows", FLOW), "disabled": True})
    second = DraftStore(tmp_path / "drafts")
    draft = writes.load_draft(second, "demo", target)
    assert draft is not None and draft.text == text
    fresh = await writes.begin_edit(client, target, "demo")
    assert writes.draft_differs(draft, fresh)
    summary = writes.summarize_draft(draft, fresh)
    assert summary.server_moved and (summary.added, summary.removed) == (1, 1)

    restored = writes.restore_session(client, target, draft)
    assert restored.base == session.base
    outcome = await writes.submit_write(client, writes.plan_write(restored, draft.text), journal=Journal(
        tmp_path / "j.jsonl"), drafts=second)
    assert isinstance(outcome, writes.Stale)
    assert [c.label for c in outcome.server_changes] == ["disabled"]


async def test_retry_data_is_edited_through_the_same_path(
    sim: Simulator, make_client: MakeClient, stores: tuple[DraftStore, Journal]
) -> None:
    drafts, journal = stores
    client = make_client()
    error = sim.open_errors(FLOW, d.IMP_NS_SALES_ORDER)[0]
    target = write_targets.retry_data_target(FLOW, d.IMP_NS_SALES_ORDER, error["retryDataKey"])
    session = await writes.begin_edit(client, target, "demo")
    assert "data" in session.base and session.base_version.startswith("sha256:")
    doc = json.loads(session.base_text)
    doc["data"]["fixedByTest"] = True
    outcome = await writes.submit_write(client, writes.plan_write(session, dump_text(doc)), journal=journal,
                                        drafts=drafts)
    assert isinstance(outcome, writes.Saved)
    assert (await client.get_json(target.path))["data"]["fixedByTest"] is True
    [entry] = journal.entries()
    assert entry.kind == "retrydata" and write_targets.target_from_entry(entry) == target
