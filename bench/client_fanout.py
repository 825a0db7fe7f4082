"""How much bounded concurrency buys when loading a big account over a slow link.

Loads, on the in-process simulator at scale "large" (50 integrations × 10 flows) with injected latency: the
integrations, every integration's flows, and every integration's error summary. Prints the request count and
wall time for a sequential pass and for bounded-concurrent passes (concurrency 8 and 16).

    /work/venv/bin/python bench/client_fanout.py [--latency-ms 100] [--scale large] [--concurrency 8 16]

A benchmark prints figures; nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass

from explorer.client import IntegratorClient, RequestRecord
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport


@dataclass
class Run:
    """Figures of one pass."""

    label: str
    requests: int
    seconds: float
    integrations: int
    flows: int
    flows_with_errors: int
    retries: int


async def _load(client: IntegratorClient, concurrent: bool) -> tuple[int, int, int]:
    integrations = await client.list_integrations()
    ids = [integration.id for integration in integrations]
    if concurrent:
        flows = await client.gather_bounded(client.list_flows(i) for i in ids)
        summaries = await client.gather_bounded(client.integration_error_summary(i) for i in ids)
    else:
        flows = [await client.list_flows(i) for i in ids]
        summaries = [await client.integration_error_summary(i) for i in ids]
    flow_count = sum(len(found) for found in flows)
    with_errors = sum(1 for summary in summaries for count in summary if count.num_error > 0)
    return len(integrations), flow_count, with_errors


async def _run(label: str, scale: str, latency_ms: float, concurrency: int, concurrent: bool) -> Run:
    sim = Simulator(seed=0, scale=scale, latency_ms=latency_ms)
    records: list[RequestRecord] = []
    async with IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(sim),
                                concurrency=concurrency, on_request=records.append) as client:
        await client.token_info()  # warm up (lazy large-scale build) outside the timing
        records.clear()
        started = time.perf_counter()
        integrations, flows, with_errors = await _load(client, concurrent)
        seconds = time.perf_counter() - started
    retries = sum(r.retries for r in records)
    return Run(label, len(records), seconds, integrations, flows, with_errors, retries)


async def main(scale: str, latency_ms: float, levels: list[int]) -> None:
    """Run the sequential pass and one bounded pass per concurrency level, then print a table."""
    runs = [await _run("sequential", scale, latency_ms, 1, concurrent=False)]
    for level in levels:
        runs.append(await _run(f"concurrency {level}", scale, latency_ms, level, concurrent=True))
    print(f"scale={scale} latency={latency_ms:g} ms: integrations + each one's flows and error summary")
    print(f"{'pass':<16}{'requests':>9}{'wall s':>9}{'speed-up':>10}{'integr.':>9}{'flows':>7}"
          f"{'flows w/ errors':>17}{'retries':>9}")
    base = runs[0].seconds
    for run in runs:
        print(f"{run.label:<16}{run.requests:>9}{run.seconds:>9.2f}{base / run.seconds:>9.1f}x"
              f"{run.integrations:>9}{run.flows:>7}{run.flows_with_errors:>17}{run.retries:>9}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 16])
    args = parser.parse_args()
    asyncio.run(main(args.scale, args.latency_ms, args.concurrency))
