"""The errors screen at real scale, read on the screen a person sees; ``iox errors --jsonl``; bulk retry.

What is measured (issue 10), each from outside the ``iox`` process, against ``iox simulator --scale large``
in its own process over loopback with ``--latency-ms`` (a fresh simulator per run, as a retry changes it):

* TUI at 120×40 (``bench/screen.py``: pty + pyte): ``ctrl+p`` → "errors upsert orders (00.0)" → ``enter``;
  time from the enter key written until the first error row is on screen (target: one round trip + 0.2 s),
  until "100,000 loaded"; keystroke latency while pages still arrive (``down``/``up`` written → the cursor
  line moved on screen; target < 50 ms); peak RSS (VmHWM) of the TUI process with all 100,000 rows (target
  < 200 MiB);
* ``iox errors FLOW STEP --jsonl``: time to the first record on stdout, to the last, and the process's peak
  RSS (target < 100 MiB); the same for ``--json``;
* ``iox retry FLOW STEP -`` of 10,000 error ids at ``--retry-latency-ms`` (100): the command's own elapsed
  time (its report line) and the process's wall time, against the ideal of 10 batches × one round trip
  (target ≤ 1.2 × the ideal).

Run: ``.venv/bin/python bench/errors.py [--runs 5] [--latency-ms 50] [--retry-latency-ms 100]``.
Prints min/median/max of the runs; nothing here is asserted by the test suite. The machine is shared: the
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screen import (
    IOX,
    LINES,
    SimulatorProcess,
    Terminal,
    cleanup_home,
    compile_bytecode,
    fresh_home,
    iox_env,
    machine_note,
    simulator,
    spread,
)

from explorer.simulator import demo_ids as d

FLOW, STEP = d.LARGE_ERRORS_FLOW, d.LARGE_ERRORS_STEP
"""The large account's 100,000-error step."""
TABLE_TOP, TABLE_BOTTOM = 4, LINES - 2
MiB = 1024.0


def measure_screen(sim: SimulatorProcess, keys_every: float) -> dict[str, float | list[float]]:
    """One TUI run: first row, fully loaded, keystroke latencies while loading, peak RSS."""
    home = fresh_home()
    try:
        with Terminal([str(IOX), "--base-url", sim.base_url], env=iox_env(sim, home)) as term:
            term.wait_for_text("● 100,006", timeout=120)  # the tree with its badges
            term.press("ctrl+p")
            term.wait_for_text("🔎", timeout=30)
            term.press("errors upsert orders (00.0)")
            hit = "Errors: Upsert orders (00.0) (Orders to ERP (00.0))"
            for _ in range(20):  # the palette lists steps once the step catalog is in: type again till then
                try:
                    term.wait_for_text(hit, timeout=3)
                    break
                except TimeoutError:
                    term.press("\x7f)")
            term.wait_for_text(hit, timeout=1)
            rows = term.watch(lambda screen: any("REC-0999" in line for line in screen.display))
            done = term.watch(lambda screen: any("100,000 loaded ·" in line for line in screen.display))
            entered = term.press("enter")
            first_row = term.wait(rows, timeout=60) - entered
            latencies = term.cursor_keys(TABLE_TOP, TABLE_BOTTOM, done.done.is_set, every=keys_every)
            loaded = term.wait(done, timeout=300) - entered
            time.sleep(0.5)  # the last page's rows are in; let the collector and the repaint settle
            peak = term.sample_rss() / MiB
        return {"first_row": first_row, "loaded": loaded, "keys": latencies, "rss": peak}
    finally:
        cleanup_home(home)


def measure_stream(sim: SimulatorProcess, mode: str) -> dict[str, float]:
    """``iox errors FLOW STEP --jsonl`` (or ``--json``): first record on stdout, last, peak RSS."""
    home = fresh_home()
    try:
        env = {**os.environ, **iox_env(sim, home)}
        started = time.perf_counter()
        proc = subprocess.Popen([str(IOX), "--base-url", sim.base_url, "errors", FLOW, STEP, mode],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert isinstance(proc.stdout, io.BufferedReader)
        marker = b'"errorId"'
        seen = b""
        first = 0.0
        count = 0
        while chunk := proc.stdout.read1(65536):
            if not first:
                seen += chunk
                if marker in seen:
                    first = time.perf_counter() - started
            count += chunk.count(marker)
        _, status, usage = os.wait4(proc.pid, 0)
        total = time.perf_counter() - started
        if status != 0 or count != 100_000:
            raise RuntimeError(f"iox errors {mode}: status {status}, {count} records")
        return {"first": first, "total": total, "rss": usage.ru_maxrss / MiB}
    finally:
        cleanup_home(home)


def measure_retry(sim: SimulatorProcess, count: int) -> dict[str, float]:
    """``iox retry FLOW STEP -`` of ``count`` error ids read from stdin (ids listed by ``--jsonl``)."""
    home = fresh_home()
    try:
        env = {**os.environ, **iox_env(sim, home)}
        listed = subprocess.run([str(IOX), "--base-url", sim.base_url, "errors", FLOW, STEP, "--jsonl",
                                 "--limit", str(count)], capture_output=True, env=env, check=True).stdout
        ids = "\n".join(json.loads(line)["errorId"] for line in listed.splitlines()) + "\n"
        started = time.perf_counter()
        done = subprocess.run([str(IOX), "--base-url", sim.base_url, "retry", FLOW, STEP, "-", "--no-follow"],
                              input=ids.encode(), capture_output=True, env=env)
        wall = time.perf_counter() - started
        report = done.stdout.decode()
        found = re.search(r"(\d+) of (\d+) retried in (\d+) batch\w* \(([\d.]+) s\)", report)
        if done.returncode != 0 or found is None or int(found.group(1)) != count:
            raise RuntimeError(f"iox retry failed ({done.returncode}): {report} {done.stderr.decode()}")
        return {"elapsed": float(found.group(4)), "wall": wall, "batches": float(found.group(3))}
    finally:
        cleanup_home(home)


def main() -> None:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--retry-latency-ms", type=float, default=100.0)
    parser.add_argument("--retry", type=int, default=10_000)
    parser.add_argument("--keys-every", type=float, default=0.1, help="seconds between keys while loading")
    parser.add_argument("--skip", action="append", default=[], choices=("screen", "stream", "retry"))
    args = parser.parse_args()
    print(f"iox errors at scale; {args.runs} runs; {machine_note()}; {compile_bytecode()}", flush=True)

    if "screen" not in args.skip:
        runs = []
        for _ in range(args.runs):
            with simulator(args.latency_ms) as sim:
                runs.append(measure_screen(sim, args.keys_every))
        keys = [k for run in runs for k in run["keys"]]  # type: ignore[union-attr]
        per_run_worst = [max(run["keys"]) for run in runs if run["keys"]]  # type: ignore[arg-type]
        print(f"TUI, 100,000 errors, {args.latency_ms:.0f} ms latency (`iox simulator --scale large`):")
        print(f"  enter → first error row on screen  {spread([r['first_row'] for r in runs])}  "  # type: ignore[misc]
              f"(target ≤ {args.latency_ms + 200:.0f} ms)")
        print(f"  enter → '100,000 loaded' on screen {spread([r['loaded'] for r in runs], 's', 1)}")  # type: ignore[misc]
        print(f"  keystroke → cursor moved on screen, while loading: all {len(keys)} keys "
              f"{spread(keys)}; worst per run {spread(per_run_worst)}; "
              f"{sum(1 for k in keys if k >= 0.05)} at or over 50 ms")
        print(f"  peak RSS of the TUI (VmHWM) with 100,000 rows "
              f"{spread([r['rss'] for r in runs], 'MiB', 1)} (target < 200 MiB)", flush=True)  # type: ignore[misc]

    if "stream" not in args.skip:
        for mode in ("--jsonl", "--json"):
            runs_s = []
            for _ in range(args.runs):
                with simulator(args.latency_ms) as sim:
                    runs_s.append(measure_stream(sim, mode))
            print(f"iox errors FLOW STEP {mode} (100,000 records, {args.latency_ms:.0f} ms latency):")
            print(f"  first record on stdout {spread([r['first'] for r in runs_s])} after start; "
                  f"all {spread([r['total'] for r in runs_s], 's', 1)}")
            print(f"  peak RSS {spread([r['rss'] for r in runs_s], 'MiB', 1)} (target < 100 MiB)", flush=True)

    if "retry" not in args.skip:
        runs_r = []
        for _ in range(args.runs):
            with simulator(args.retry_latency_ms) as sim:
                runs_r.append(measure_retry(sim, args.retry))
        batches = -(-args.retry // 1000)
        ideal = batches * args.retry_latency_ms / 1000
        elapsed = [r["elapsed"] for r in runs_r]
        print(f"iox retry of {args.retry:,} errors ({batches} batches) at {args.retry_latency_ms:.0f} ms "
              f"latency; ideal {ideal:.2f} s ({batches} round trips):")
        print(f"  the command's own elapsed (its report) {spread(elapsed, 's', 1)}; "
              f"ratio to the ideal {spread([e / ideal for e in elapsed], '×', 1)} (target ≤ 1.2)")
        print(f"  whole process (start-up, listing the 10,000 open errors, report) "
              f"{spread([r['wall'] for r in runs_r], 's', 1)}")
    print(f"done; {machine_note()}")


if __name__ == "__main__":
    main()
