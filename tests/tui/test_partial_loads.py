"""No silent partial loads in the TUI: a failed list is named on the nodes it affects, and a successful
``r`` / ``ctrl+r`` repaints every pane that showed the failure."""

from __future__ import annotations

import json

import httpx

from explorer.client import IntegratorClient
from explorer.simulator import DEMO_TOKENS, Simulator
from explorer.simulator import demo_ids as d
from explorer.tui.app import ExplorerApp
from explorer.tui.widgets.json_view import JsonView
from tests.helpers.broken import Broken
from tests.helpers.browse_app import labels, move_to, node, settle, tree_of


def app_on(transport: httpx.AsyncBaseTransport) -> ExplorerApp:
    def factory(on_request: object = None) -> IntegratorClient:
        hook = on_request if callable(on_request) else None
        return IntegratorClient(DEMO_TOKENS["full"], transport=transport, max_retries=1,
                                on_request=hook, sleep=_no_sleep)

    return ExplorerApp(client_factory=factory, profile_label="test")


async def _no_sleep(_: float) -> None:
    return None


async def test_a_failed_integrations_list_is_named_not_taken_for_absence() -> None:
    sim = Simulator(seed=0, time_scale=0)
    transport = Broken(sim, "/v1/integrations")
    app = app_on(transport)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        shown = "\n".join(labels(tree))
        assert "not in the integrations list" not in shown and "integrations list could not be loa" in shown
        tags = tree.item(f"integration:{d.INT_SHOPIFY}").tags  # type: ignore[union-attr]
        assert "integrations list could not be loaded — r retries" in tags
        view = app.screen.query_one("#json", JsonView)
        assert "boom" in "\n".join(view.lines)  # the cursor's integration could not be read either
        transport.broken.clear()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "could not be loaded" not in "\n".join(labels(tree_of(app)))
        assert "boom" not in "\n".join(view.lines)  # the pane that showed the error shows the document now
        assert json.loads("\n".join(view.lines))["_id"] in {d.INT_LICENSING, d.INT_BIGCOMMERCE_IA,
                                                            d.INT_SHOPIFY, d.INT_AMAZON, d.INT_SALESFORCE,
                                                            d.INT_EMPTY}


async def test_a_failed_imports_list_marks_the_steps_and_r_retries_it() -> None:
    sim = Simulator(seed=0, time_scale=0)
    transport = Broken(sim, "/v1/imports")
    app = app_on(transport)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        node(tree, f"integration:{d.INT_SHOPIFY}").expand()  # type: ignore[attr-defined]
        await settle(pilot)
        node(tree, f"flow:{d.SHOPIFY_FLOW}").expand()  # type: ignore[attr-defined]
        await settle(pilot)
        step_key = f"step:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}"
        await move_to(pilot, tree, step_key)
        await settle(pilot)
        assert "imports could not be loaded — r retries" in tree.item(step_key).tags  # type: ignore[union-attr]
        view = app.screen.query_one("#json", JsonView)
        assert "boom" in "\n".join(view.lines)
        transport.broken.clear()
        await pilot.press("r")
        await settle(pilot)
        line = tree.label_of(node(tree, step_key)).plain  # type: ignore[arg-type]
        assert "could not be loaded" not in line and d.SHOPIFY_IMPORT_STEP not in line
        assert json.loads("\n".join(view.lines))["_id"] == d.SHOPIFY_IMPORT_STEP
