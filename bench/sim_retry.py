"""The simulator's own work on a 1000-key retry, IN-PROCESS figures (µs a key, and CPU ms a call).

Why beside ``bench/errors.py``: the served simulator answers each call one latency plus its own CPU work
after the call arrived (``explorer/simulator/server.py``), so that work is in every figure measured over it,
the bare floor included, but a millisecond drowns in a screen figure's noise. Here ``Simulator.handle`` runs
directly (no socket, no latency) on the large account, as ``iox simulator --scale large`` builds it: per
run, a fresh simulator lists the big step's newest ``--calls`` × 1000 errors, then each call retries the
next 1000 of their keys (the body as a client encodes it); timed is ``handle`` alone (the request's parse,
the body's JSON, the rate limit, taking the errors, the retry job and its answer).

Run: ``.venv/bin/python bench/sim_retry.py [--runs 5] [--calls 10]``. Prints min/median/max over every call
of every run; nothing here is asserted by the test suite. The machine is shared: compare figures taken in
the same sitting.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screen import machine_note, spread

from explorer.simulator import DEMO_TOKENS, Simulator
from explorer.simulator import demo_ids as d

NA = "https://api.integrator.io"
STEP = f"/v1/flows/{d.LARGE_ERRORS_FLOW}/{d.LARGE_ERRORS_STEP}"
HEADERS = {"Authorization": f"Bearer {DEMO_TOKENS['full']}", "Content-Type": "application/json"}
KEYS_PER_CALL = 1000


def retry_keys(sim: Simulator, count: int) -> list[str]:
    """The newest ``count`` retry keys of the big step, paged as a client lists them."""
    keys: list[str] = []
    path: str | None = f"{STEP}/errors"
    while path is not None and len(keys) < count:
        page = json.loads(sim.handle("GET", NA + path, HEADERS, b"").body)
        keys += [e["retryDataKey"] for e in page["errors"] if "retryDataKey" in e]
        path = page.get("nextPageURL")
    return keys[:count]


def one_run(calls: int) -> list[float]:
    """Seconds of ``handle`` for each of ``calls`` retries of 1000 keys on a fresh large simulator."""
    sim = Simulator(scale="large")
    sim.build_deferred()
    keys = retry_keys(sim, calls * KEYS_PER_CALL)
    gc.freeze()  # as `iox simulator` does once it is built
    took: list[float] = []
    for call in range(calls):
        body = json.dumps({"retryDataKeys": keys[call * KEYS_PER_CALL:(call + 1) * KEYS_PER_CALL]}).encode()
        began = time.process_time()
        answer = sim.handle("POST", f"{NA}{STEP}/retry", HEADERS, body)
        took.append(time.process_time() - began)
        if answer.status != 201:
            raise RuntimeError(f"retry answered {answer.status}: {answer.body[:200]!r}")
    gc.unfreeze()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    print(f"simulator, 1000-key retries in-process (labelled: no socket, no latency); {machine_note()}")
    took = [t for _ in range(args.runs) for t in one_run(args.calls)]
    print(f"  Simulator.handle of one 1000-key retry, CPU: {spread(took)}")
    print(f"  per key: {spread([t / KEYS_PER_CALL for t in took], 'µs', 1e6)}", flush=True)


if __name__ == "__main__":
    main()
