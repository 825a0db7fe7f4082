"""Does the collector policy in ``explorer/gc_policy.py`` pay? In-process timings of the places that use it.

Run: ``python bench/gc_policy.py [--runs 7]``. Prints figures; asserts nothing. These are in-process timings
of one decision (pause or freeze the collector, or not), not user-facing latency: the error screen's and
the editor's own benches measure what the user gets. Noisy on a shared machine: compare within one run.

1. Streaming 100,000 error rows into an ``ErrorList`` (100 pages of the simulator's large account), with and
   without ``LongLivedHold.keep()`` after each page: total time and the longest full collection.
2. With those rows held, planning a PUT of a 2 MB document (``writes.plan_write``) and starting an edit
   (``writes.new_session``), with the collector running and paused.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import edit as edit_bench

from explorer import gc_policy
from explorer.model import ErrorRecord
from explorer.services import write_targets, writes
from explorer.services.error_list import ErrorList
from explorer.simulator import DEMO_TOKENS, Simulator
from explorer.simulator import demo_ids as d

_full_pauses: list[float] = []
_started: list[float] = [0.0]


def _watch(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
    elif info["generation"] == 2:
        _full_pauses.append(time.perf_counter() - _started[0])


def pages(count: int) -> list[list[dict[str, Any]]]:
    """The first ``count`` pages of the large account's biggest step, as the API sends them."""
    sim = Simulator(seed=0, scale="large")
    url: str | None = f"http://127.0.0.1/v1/flows/{d.LARGE_ERRORS_FLOW}/{d.LARGE_ERRORS_STEP}/errors"
    out: list[list[dict[str, Any]]] = []
    while url and len(out) < count:
        reply = sim.handle("GET", url, {"Authorization": f"Bearer {DEMO_TOKENS['full']}"}, b"", region="na")
        body = json.loads(reply.body)
        out.append(body["errors"])
        url = body.get("nextPageURL")
    return out


def spread(values: list[float]) -> str:
    """min / median / max in milliseconds."""
    return (f"{min(values) * 1000:.0f} / {statistics.median(values) * 1000:.0f} / "
            f"{max(values) * 1000:.0f} ms")


def stream(raw: list[list[dict[str, Any]]], freeze: bool) -> tuple[float, float, ErrorList]:
    """Load every page into a store; (seconds, longest full collection, the store)."""
    gc.collect()
    _full_pauses.clear()
    store = ErrorList()
    hold = gc_policy.LongLivedHold()
    started = time.perf_counter()
    for page in raw:
        store.add_page([ErrorRecord.from_json(r, d.LARGE_ERRORS_FLOW, d.LARGE_ERRORS_STEP) for r in page])
        if freeze:
            hold.keep()
    total = time.perf_counter() - started
    hold.release()
    return total, max(_full_pauses, default=0.0), store


def timed(action: Callable[[], object], paused: bool) -> float:
    """Seconds ``action`` takes with the collector paused around it, or left running throughout."""
    module = vars(writes)  # writes pauses the collector itself: switch that off, decide here instead
    saved = module["collector_paused"]
    module["collector_paused"] = contextlib.nullcontext
    try:
        with gc_policy.collector_paused() if paused else contextlib.nullcontext():
            started = time.perf_counter()
            action()
            return time.perf_counter() - started
    finally:
        module["collector_paused"] = saved


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    gc.callbacks.append(_watch)
    raw = pages(100)
    print(f"1. streaming {sum(map(len, raw)):,} error rows, {args.runs} runs each (alternating)")
    results: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    held: ErrorList | None = None
    for _ in range(args.runs):
        for freeze in (False, True):
            total, longest, store = stream(raw, freeze)
            results[freeze].append((total, longest))
            held = store
    for freeze in (False, True):
        totals = [total for total, _ in results[freeze]]
        pauses = [pause for _, pause in results[freeze]]
        print(f"   freeze={freeze!s:5}  total {spread(totals)}  longest full collection {spread(pauses)}")
    assert held is not None  # keep 100,000 rows alive, as an open errors screen does
    doc = edit_bench.import_like(2_000_000)
    api = edit_bench.MemoryApi(doc)
    target = write_targets.resource_target("imports", "6571d6bafd7a68b8f6a5d162")
    session = writes.new_session(api, target, "bench", doc)
    text = session.base_text.replace('"NetSuite sales order"', '"NetSuite sales order 2"')
    print(f"2. a 2 MB document with {len(held.rows):,} rows held, {args.runs} runs each (alternating)")
    actions: dict[str, Callable[[], object]] = {
        "plan_write": lambda: writes.plan_write(session, text),
        "new_session": lambda: writes.new_session(api, target, "bench", doc),
    }
    for name, action in actions.items():
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.runs):
            for paused in (False, True):
                times[paused].append(timed(action, paused))
        for paused in (False, True):
            print(f"   {name:12} collector {'paused ' if paused else 'running'}  {spread(times[paused])}")


if __name__ == "__main__":
    main()
