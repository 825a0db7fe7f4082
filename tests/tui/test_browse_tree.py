"""Pilot tests of the resource tree: lazy loading, badges, locked nodes, refresh, inline failure and retry."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from explorer.services.account import TreeItem
from explorer.simulator import FaultConfig, Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.screens.main import MainScreen
from explorer.tui.widgets.account_header import AccountHeader
from explorer.tui.widgets.json_view import JsonView
from explorer.tui.widgets.problem_panel import ProblemPanel
from tests.helpers.browse_app import GatedTransport, labels, make_app, move_to, node, settle, tree_of

SIZE = (100, 32)










async def test_root_level_badges_and_header() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        shown = labels(tree)
        assert shown[0].startswith("Licensing and Usage")
        assert "Amazon - NetSuite  ● 3,007 · 2 flows" in shown
        assert any(line.startswith("Standalone flows  ● 1") for line in shown)
        assert shown[-1] == "Connections · 8 connections · 1 offline"
        header = app.screen.query_one(AccountHeader).render_text().plain
        assert f"user {d.USER_ID}" in header and "full access" in header and "NA" in header
        assert "READ-ONLY" not in header
        # The first integration is shown in the JSON pane without another request.
        view = app.screen.query_one("#json", JsonView)
        assert '  "name": "Licensing and Usage",' in view.lines


async def test_flows_are_grouped_and_steps_load_only_on_expand() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        summary = f"/v1/flows/{d.SHOPIFY_FLOW}/errors"
        node(tree, f"integration:{d.INT_SHOPIFY}").expand()  # type: ignore[attr-defined]
        await settle(pilot)
        flow_line = next(line for line in labels(tree) if "Shopify Orders" in line)
        assert flow_line.startswith("  Shopify Orders to NetSuite Sales Orders  ● 14 · ")
        assert not [r for r in sim.requests if r[1] == summary]
        await move_to(pilot, tree, f"flow:{d.SHOPIFY_FLOW}")
        await pilot.press("right")
        await settle(pilot)
        assert [r for r in sim.requests if r[1] == summary] == [("GET", summary, 200)]
        steps = [line.strip() for line in labels(tree) if line.startswith("    ")]
        assert steps == [
            "export Get Shopify orders · HTTPExport",
            "lookup Find NetSuite customer by email  ● 2 · NetSuiteExport",
            "import Create NetSuite sales orders  ● 12 · NetSuiteDistributedImport",
            "Jobs  latest runs",
        ]
        await move_to(pilot, tree, f"step:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}")
        await pilot.press("right")
        await pilot.pause()
        assert "Errors  12 open" in [line.strip() for line in labels(tree)]
        assert not [r for r in sim.requests if "/v1/imports/" in r[1] or "/v1/exports/" in r[1]]


async def test_loading_state_is_shown_while_steps_load() -> None:
    sim = Simulator(seed=0)
    gate = GatedTransport(sim)
    app = make_app(sim, transport=gate)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        node(tree, "standalone").expand()  # type: ignore[attr-defined]
        await pilot.pause()
        await move_to(pilot, tree, f"flow:{d.STANDALONE_FLOW}")
        gate.hold(f"/v1/flows/{d.STANDALONE_FLOW}/errors")
        await pilot.press("right")
        await pilot.pause()
        assert tree.is_loading(f"flow:{d.STANDALONE_FLOW}")
        shown = [line.strip() for line in labels(tree)]
        assert "loading…" in shown
        assert "Nightly warehouse inventory snapshot  ● 1  loading… · every 6 hours" in shown
        gate.release(f"/v1/flows/{d.STANDALONE_FLOW}/errors")
        await settle(pilot)
        shown = [line.strip() for line in labels(tree)]
        assert "loading…" not in shown
        assert "export Read warehouse inventory files  ● 1 · FTPExport" in shown


async def test_inline_failure_then_retry_with_r() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        node(tree, f"integration:{d.INT_AMAZON}").expand()  # type: ignore[attr-defined]
        await pilot.pause()
        sim.set_faults(FaultConfig(p500=1.0))
        await move_to(pilot, tree, f"flow:{d.AMAZON_FLOW}")
        await pilot.press("right")
        await settle(pilot)
        shown = [line.strip() for line in labels(tree)]
        flow_line = next(line for line in shown if line.startswith("Amazon Orders to NetSuite Invoices"))
        assert flow_line.endswith("⚠ failed 500 · every 2 hours")
        assert "⚠ press r to retry — HTTP 500: " in shown[shown.index(flow_line) + 1]
        await pilot.press("down")  # onto the failure notice: its JSON explains the failure
        await settle(pilot)
        view = app.screen.query_one("#json", JsonView)
        assert any('"status": 500' in line for line in view.lines)
        sim.set_faults(None)
        await pilot.press("r")
        await settle(pilot)
        shown = [line.strip() for line in labels(tree)]
        assert not any("HTTP 500" in line for line in shown)
        assert any(line.startswith("import Create NetSuite invoices  ● 3,000") for line in shown)


async def test_refresh_node_and_reload_all_keep_what_is_open() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        node(tree, f"integration:{d.INT_SHOPIFY}").expand()  # type: ignore[attr-defined]
        await pilot.pause()
        await move_to(pilot, tree, f"flow:{d.SHOPIFY_FLOW}")
        await pilot.press("right")
        await settle(pilot)
        flow = sim.doc("flows", d.SHOPIFY_FLOW)
        sim.replace_doc("flows", d.SHOPIFY_FLOW, {**flow, "name": "Orders [renamed]", "disabled": True})
        await pilot.press("r")
        await settle(pilot)
        shown = [line.strip() for line in labels(tree)]
        assert any(line.startswith("Orders [renamed]  ● 14  disabled") for line in shown)
        assert any(line.startswith("import Create NetSuite sales orders") for line in shown)
        view = app.screen.query_one("#json", JsonView)
        assert '  "name": "Orders [renamed]",' in view.lines
        integration = sim.doc("integrations", d.INT_SHOPIFY)
        sim.replace_doc("integrations", d.INT_SHOPIFY, {**integration, "name": "Shopify (renamed)"})
        sim.requests.clear()
        await pilot.press("ctrl+r")
        await settle(pilot)
        shown = [line.strip() for line in labels(tree)]
        assert any(line.startswith("Shopify (renamed)  ● 14") for line in shown)
        assert any(line.startswith("import Create NetSuite sales orders") for line in shown)  # still open
        assert tree.cursor_item is not None and tree.cursor_item.key == f"flow:{d.SHOPIFY_FLOW}"
        assert ("GET", "/v1/tokenInfo", 200) in sim.requests


async def test_noconn_token_shows_locked_nodes() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim, "noconn")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        shown = labels(tree)
        assert shown == ["Shopify - NetSuite Orders  ● 14 · 1 flow", "Connections  ⊘ locked"]
        header = app.screen.query_one(AccountHeader).render_text().plain
        assert "custom: 2 exports, 1 import" in header
        await move_to(pilot, tree, "connections")
        view = app.screen.query_one("#json", JsonView)
        assert any("outside this token's scope" in line for line in view.lines)
        key = f"stepconnection:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}"
        assert await tree.reveal(key)
        await settle(pilot)
        assert tree.cursor_item is not None and tree.cursor_item.key == key
        assert tree.label_of(node(tree, key)).plain == f"uses   {d.CONN_NETSUITE}  ⊘ locked"  # type: ignore[arg-type]
        assert any("outside this token's scope" in line for line in view.lines)
        assert not [r for r in sim.requests if r[1].startswith("/v1/connections/")]


async def test_scoped_token_locks_a_document_that_answers_403() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim, "scoped")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        assert [line for line in labels(tree)] == ["Shopify - NetSuite Orders  ● 14 · 1 flow",
                                                  "Connections · 2 connections"]
        # A step whose export is outside the scope (the list left it out): the GET answers 403.
        step = TreeItem(kind="step", key="step:x:y", id=d.EXP_AMAZON_ORDERS, name="", flow_id="x",
                        step_id=d.EXP_AMAZON_ORDERS, doc_path=f"exports/{d.EXP_AMAZON_ORDERS}")
        tree.items.append(step)
        tree.set_filter("")
        await move_to(pilot, tree, "step:x:y")
        await settle(pilot)
        assert ("GET", f"/v1/exports/{d.EXP_AMAZON_ORDERS}", 403) in sim.requests
        assert tree.failure_of(step) is not None and tree.failure_of(step).locked  # type: ignore[union-attr]
        assert tree.label_of(node(tree, "step:x:y")).plain.endswith("⊘ locked")  # type: ignore[arg-type]
        title = app.screen.query_one("#pane-title", Static)
        assert "locked" in str(title.render())


@pytest.mark.parametrize(("token", "region"), [("revoked", None), ("eu", "na"), ("full", "eu")])
async def test_401_at_start_explains_instead_of_crashing(token: str, region: str | None) -> None:
    sim = Simulator(seed=0)
    app = make_app(sim, token, region=region)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.has_class("-problem")
        panel = screen.query_one(ProblemPanel)
        text = str(panel.render())
        assert "refused the API token (HTTP 401)" in text
        assert "integrator.io has four (NA api.integrator.io, EU api.eu.integrator.io" in text
        assert "expired, was revoked" in text
        hint = {"revoked": "no region accepts this token (NA, EU, AU, CA tried)",
                "eu": "this token belongs to the EU account (api.eu.integrator.io), not the NA one",
                "full": "this token belongs to the NA account (api.integrator.io), not the EU one"}[token]
        assert f"Other regions: {hint}" in text.replace("\n", " ")
        assert app.screen.focused is panel
        header = screen.query_one(AccountHeader).render_text().plain
        assert "unauthorized" in header
        await pilot.press("r")  # retry still fails, still explained
        await settle(pilot)
        assert screen.has_class("-problem")


async def test_filter_shows_matches_and_their_parents() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        await pilot.press("slash")
        await pilot.press(*"invoices")
        await pilot.pause()
        assert [line.strip().split("  ")[0] for line in labels(tree)] == [
            "Amazon - NetSuite", "Amazon Orders to NetSuite Invoices"]
        await pilot.press("enter")
        assert app.screen.focused is tree
        await pilot.press("escape")
        await pilot.pause()
        assert len(labels(tree)) == 8


async def test_errors_changed_hook_reloads_badges() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        assert await tree.reveal(f"step:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}")
        await settle(pilot)
        ids = [e["errorId"] for e in sim.open_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP)]
        await app.client.resolve_errors(d.SHOPIFY_FLOW, d.SHOPIFY_IMPORT_STEP, ids)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.errors_changed(d.SHOPIFY_FLOW)
        await settle(pilot)
        shown = [line.strip() for line in labels(tree)]
        assert "Shopify - NetSuite Orders  ● 2 · 1 flow" in shown
        assert "import Create NetSuite sales orders · NetSuiteDistributedImport" in shown
        assert app.account.step_errors[d.SHOPIFY_FLOW][d.SHOPIFY_IMPORT_STEP] == 0


async def test_resource_saved_hook_updates_every_place_showing_the_document() -> None:
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        key = f"stepconnection:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}"
        assert await tree.reveal(key)
        await settle(pilot)
        doc = {**sim.doc("connections", d.CONN_NETSUITE), "name": "NetSuite [prod]", "offline": True}
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.resource_saved("connections", d.CONN_NETSUITE, doc)
        await pilot.pause()
        label = tree.label_of(node(tree, key)).plain  # type: ignore[arg-type]
        assert label == "uses   NetSuite [prod]  offline · netsuite"
        group = tree.item(f"connection:{d.CONN_NETSUITE}")
        assert group is not None and group.name == "NetSuite [prod]" and "offline" in group.flags
        view = app.screen.query_one("#json", JsonView)
        assert '  "name": "NetSuite [prod]",' in view.lines


async def test_errors_changed_keeps_the_cursor_on_the_errors_node() -> None:
    # Closing the triage screen reloads the integration's flows; the cursor used to land on whatever line
    # the Errors node had before the reload (e.g. another integration), so the JSON pane
    # showed the wrong thing.
    sim = Simulator(seed=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        key = f"errors:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}"
        assert await tree.reveal(key)
        await settle(pilot)
        await move_to(pilot, tree, key)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.errors_changed(d.SHOPIFY_FLOW)
        await settle(pilot)
        item = tree.cursor_item
        assert item is not None and item.key == key
