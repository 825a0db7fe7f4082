"""``iox tree`` asks only what it needs: step summaries only for flows with open errors (issue 10).

On the large account the tree sent 572 requests, one step summary per flow (510) although the integration
summaries already said which flows have open errors. The output must not change: every step's count is
checked here against a fresh summary of its flow.
"""

from __future__ import annotations

from explorer.client import IntegratorClient
from explorer.services.account import AccountService, TreeItem, load_tree
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport


def _flows(items: list[TreeItem]) -> list[TreeItem]:
    return [child for item in items for child in item.children or () if child.kind == "flow"]


async def test_the_large_account_tree_takes_at_most_150_requests_and_shows_every_count() -> None:
    sim = Simulator(seed=0, scale="large")
    async with IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(sim)) as client:
        service = AccountService(client)
        items = await load_tree(service)
        sent = list(sim.requests)
        flows = _flows(items)
        assert len(flows) > 500
        assert len(sent) <= 150, f"{len(sent)} requests"
        step_summaries = [path for _, path, _ in sent if path.startswith("/v1/flows/")]
        with_errors = [flow for flow in flows if flow.open_errors]
        assert len(step_summaries) <= len(with_errors) + 1  # +1: the standalone flows' badge
        for flow in flows:  # same output as asking every flow: each step's count is the server's
            fresh = {entry.step_id: entry.num_error for entry in await client.flow_error_summary(flow.id)}
            steps = [child for child in flow.children or () if child.kind == "step"]
            assert steps, flow.label
            assert {step.id: step.open_errors for step in steps} == {
                step.id: fresh.get(step.id, 0) for step in steps}
            assert flow.open_errors == sum(fresh.values())
