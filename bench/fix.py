"""Benchmark the bulk fix (``iox fix``) and the message-template grouping, measured from outside.

1. **Template grouping of 100,000 errors** — the 100,000-error step of the large account:
   ``group_by_template`` over the loaded rows (cold caches, in-process: the function the TUI's ``t`` and
   ``iox errors --group template`` run), and the whole ``iox errors --group template --json`` process against
   the simulator in its own process, next to ``iox errors --json`` (the listing alone).
2. **Fix 10,000 records at 100 ms RTT** — ``iox simulator --scale large --latency-ms 100`` in its own
   process on loopback (a fresh one per run), then the real ``iox fix FLOW STEP --patch FILE --error-id …
   --yes --retry --json -v`` process: read the step, fetch + patch + PUT 10,000 retry data, retry them (10
   batches of 1000, jobs followed), re-read the step for repeats. Requests are counted from ``-v``'s log (one
   line per request, timestamped on arrival by this script). The ideal under the API's rate limit (bucket
   1000, refill 300/s) for the same requests is ``(requests - 1000) / 300`` seconds; the ideal at the client's
   32 requests in flight (what ``iox fix`` asks for) and 100 ms RTT is ``requests / 32 × 0.1`` seconds.

Run: ``.venv/bin/python bench/fix.py [--records 10000] [--latency-ms 100] [--runs 5] [--group-runs 5]``.
Prints figures (min/median/max over the runs); nothing here is asserted by the test suite. The machine is
shared: quote the spread, and CPU time next to wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from explorer.model import ErrorRecord
from explorer.services import templates
from explorer.simulator import DEMO_TOKENS, Simulator
from explorer.simulator import demo_ids as d

IOX = [sys.executable, "-m", "explorer"]
FLOW, STEP = d.LARGE_ERRORS_FLOW, d.LARGE_ERRORS_STEP
PATCH = [{"op": "test", "path": "/status", "value": "pending"},
         {"op": "replace", "path": "/status", "value": "approved"}]
REQUEST_LINE = re.compile(r"^iox: (GET|PUT|POST|DELETE|PATCH) (\S+) → (\S+)")
BUCKET, REFILL, IN_FLIGHT = 1000, 300.0, 32


def spread(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    """``min / median / max`` of a few runs."""
    return (f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / {max(values):.{digits}f} "
            f"{unit}")


@contextlib.contextmanager
def server(latency_ms: float) -> Iterator[str]:
    """``iox simulator`` (large scale, seed 0) in its own process on a free loopback port; its base URL."""
    child = subprocess.Popen([*IOX, "simulator", "--scale", "large", "--port", "0", "--latency-ms",
                              str(latency_ms)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert child.stdout is not None
        base = ""
        while not base:
            line = child.stdout.readline()
            if not line:
                raise RuntimeError("the simulator did not start")
            if line.startswith("NA: "):
                base = line[4:].strip()
        threading.Thread(target=child.stdout.read, daemon=True).start()
        yield base
    finally:
        child.terminate()
        child.wait(10)


def run_iox(base: str, args: list[str]) -> tuple[float, float, str, list[tuple[float, str, str, str]]]:
    """Run the real ``iox`` against ``base``: wall seconds, child CPU seconds, stdout, and each request
    logged by ``-v`` as (seconds since start, method, path, status)."""
    env = {**os.environ, "IOX_TOKEN": DEMO_TOKENS["full"], "NO_COLOR": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen([*IOX, "--base-url", base, "-v", *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    requests: list[tuple[float, str, str, str]] = []

    def read_log() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            found = REQUEST_LINE.match(line)
            if found:
                method, path, status = found.groups()
                requests.append((time.perf_counter() - started, method, path, status))

    reader = threading.Thread(target=read_log)
    reader.start()
    out = child.stdout.read() if child.stdout else ""
    child.wait()
    reader.join()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if child.returncode not in (0, 1):
        raise RuntimeError(f"iox exited {child.returncode}")
    return wall, cpu, out, requests


# --------------------------------------------------------------------------------------------- grouping
def large_rows() -> list[ErrorRecord]:
    sim = Simulator(seed=0, scale="large", time_scale=0)
    return [ErrorRecord.from_json(raw, FLOW, STEP) for raw in sim.open_errors(FLOW, STEP)]


def bench_grouping(runs: int) -> None:
    rows = large_rows()
    times: list[float] = []
    groups: list[templates.TemplateGroup] = []
    for _ in range(runs):
        templates._template_of_skeleton.cache_clear()
        started = time.perf_counter()
        groups = templates.group_by_template(rows)
        times.append(time.perf_counter() - started)
    print(f"group_by_template, {len(rows):,} errors ({len({r.message for r in rows}):,} distinct messages) "
          f"→ {len(groups)} templates, cold: {spread(times, 's', 3)}")
    with server(0.0) as base:
        listing = [run_iox(base, ["errors", FLOW, STEP, "--json"])[0] for _ in range(runs)]
        grouped = [run_iox(base, ["errors", FLOW, STEP, "--group", "template", "--json"])[0]
                   for _ in range(runs)]
    print(f"iox errors --json (100,000 errors, 0 ms latency):                  {spread(listing)}")
    print(f"iox errors --group template --json (same):                         {spread(grouped)}")


# --------------------------------------------------------------------------------------------- fix
def bench_fix(records: int, latency_ms: float, runs: int) -> None:
    rows = large_rows()[:records]
    assert all(r.retry_data_key for r in rows)
    ids = [arg for r in rows for arg in ("--error-id", r.error_id)]
    walls: list[float] = []
    cpus: list[float] = []
    totals: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        patch = Path(tmp) / "patch.json"
        patch.write_text(json.dumps(PATCH))
        for run in range(runs):
            state = Path(tmp) / f"state{run}"
            os.environ["XDG_STATE_HOME"] = str(state)  # a fresh journal per run
            with server(latency_ms) as base:
                wall, cpu, out, log = run_iox(base, ["fix", FLOW, STEP, "--patch", str(patch), *ids,
                                                     "--yes", "--retry", "--json"])
            doc = json.loads(out)
            methods = Counter(method for _, method, _, _ in log)
            statuses = Counter(status for _, _, _, status in log)
            puts = [at for at, method, path, _ in log if method == "PUT" and path.endswith("/data")]
            gets = [at for at, method, path, _ in log if method == "GET" and path.endswith("/data")]
            total = len(log)
            walls.append(wall)
            cpus.append(cpu)
            totals.append(total)
            ideal_rate = max(total - BUCKET, 0) / REFILL
            ideal_flight = total / IN_FLIGHT * latency_ms / 1000
            print(f"run {run + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU, {total:,} requests "
                  f"({dict(methods)}; statuses {dict(statuses)}); change {doc['change']:,}, "
                  f"written {len(doc['written']):,}, retried {len(doc['retry']['retried']):,}, "
                  f"failed again {len(doc['retry']['failed_again']):,}")
            if gets and puts:
                fetch, write = max(gets[-1] - gets[0], 1e-9), max(puts[-1] - puts[0], 1e-9)
                print(f"       fetch {fetch:.1f} s ({len(gets) / fetch:.0f} GET/s), write {write:.1f} s "
                      f"({len(puts) / write:.0f} PUT/s); ideal under the rate limit {ideal_rate:.1f} s "
                      f"(×{wall / max(ideal_rate, 1e-9):.2f}), at {IN_FLIGHT} in flight {ideal_flight:.1f} s "
                      f"(×{wall / ideal_flight:.2f})")
    print(f"fix {records:,} records at {latency_ms:g} ms RTT, wall:  {spread(walls, 's', 1)}")
    print(f"                                    CPU:   {spread(cpus, 's', 1)}")
    median_total = statistics.median(totals)
    print(f"requests per run: {spread([float(t) for t in totals], '', 0)}; ideal under the rate limit "
          f"{max(median_total - BUCKET, 0) / REFILL:.1f} s, at {IN_FLIGHT} in flight and {latency_ms:g} ms "
          f"{median_total / IN_FLIGHT * latency_ms / 1000:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--group-runs", type=int, default=5)
    parser.add_argument("--skip-fix", action="store_true")
    parser.add_argument("--skip-group", action="store_true")
    args = parser.parse_args()
    if not args.skip_group:
        bench_grouping(args.group_runs)
    if not args.skip_fix:
        bench_fix(args.records, args.latency_ms, args.runs)


if __name__ == "__main__":
    main()
