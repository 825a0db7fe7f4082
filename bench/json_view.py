"""The JSON pane on a ~10 MB document, read on the screen a person sees: first JSON line, keys while it loads.

What is measured (issue 10): ``iox simulator`` (demo account, ``--latency-ms`` 50) in its own process holds an
integration whose ``settings`` were made ~10 MB (a PUT over loopback before the TUI starts); the real ``iox``
runs in a 120×40 pty read by pyte (``bench/screen.py``). The tree's cursor is moved onto that integration
(``down`` written: the pane GETs the document, parses it off the loop, pretty-prints it in slices):

* ``down`` written → the document's first lines on screen (nothing else pressed meanwhile);
* then ``z`` (zoom the pane) written → the tree gone from the screen;
* keystroke latency while that document loads: ``down``/``up`` in the zoomed pane written → its cursor line
  moved on screen, keys every 100 ms from then until 6 s after the first lines showed (``--keys-for``),
  while the rest is pretty-printed and indexed in slices (target < 50 ms).

Run: ``.venv/bin/python bench/json_view.py [--runs 5] [--mb 10] [--latency-ms 50]``. Prints min/median/max;
nothing here is asserted by the test suite. The load average is printed with the figures (shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screen import (
    IOX,
    LINES,
    SimulatorProcess,
    Terminal,
    cleanup_home,
    compile_bytecode,
    cursor_on,
    fresh_home,
    highlighted_line,
    iox_env,
    machine_note,
    simulator,
    spread,
)

from explorer.simulator import demo_ids as d

BIG = d.INT_EMPTY  # "Sandbox experiments", sixth in the tree
ABOVE = 4  # lines to move down to stand on the integration above it


def make_document(target_bytes: int, seed: int = 0) -> dict[str, Any]:
    """A flow-like document whose `json.dumps(indent=2)` is about `target_bytes` long."""
    rnd = random.Random(seed)
    records: list[dict[str, Any]] = []
    size = 0
    while size < target_bytes:
        number = len(records)
        record = {
            "_id": f"{rnd.getrandbits(96):024x}",
            "name": f"Import {number} – naïve “quotes” [bold]not markup[/]",
            "lastModified": "2026-11-27T10:00:00.000Z",
            "active": rnd.random() < 0.5,
            "score": round(rnd.random() * 1000, 3),
            "count": rnd.randint(0, 10**6),
            "tags": [f"tag{rnd.randint(0, 50)}" for _ in range(rnd.randint(0, 4))],
            "mapping": {
                "fields": [{"extract": f"field{j}", "generate": f"out.{j}"} for j in range(3)],
                "lists": [],
                "options": {},
            },
        }
        records.append(record)
        size += len(json.dumps(record, indent=2, ensure_ascii=False)) + 6 * 2
    return {"_id": "flow0", "name": "Big flow", "pageProcessors": records}


def plant_document(sim: SimulatorProcess, megabytes: float) -> int:
    """PUT a ~``megabytes`` (as sent, compact) ``settings`` into the integration; returns the body's size."""
    url = f"{sim.base_url}/v1/integrations/{BIG}"
    headers = {"Authorization": f"Bearer {sim.token}"}
    with httpx.Client(timeout=120, trust_env=False) as http:
        doc = http.get(url, headers=headers).raise_for_status().json()
        doc["settings"] = {"records": make_document(int(megabytes * 1_350_000))["pageProcessors"]}
        body = json.dumps(doc).encode()
        sent = {**headers, "Content-Type": "application/json"}
        http.put(url, headers=sent, content=body).raise_for_status()
        return len(http.get(url, headers=headers).raise_for_status().content)


def measure(sim: SimulatorProcess, keys_every: float, keys_for: float) -> dict[str, Any]:
    """One run: first lines of the big document after ``down``; ``z`` latencies while it loads."""
    home = fresh_home()
    try:
        with Terminal([str(IOX), "--base-url", sim.base_url], env=iox_env(sim, home)) as term:
            term.wait_for_text("Sandbox experiments", timeout=120)
            time.sleep(1.0)  # let the first document and the badges settle
            for _ in range(ABOVE):
                with term.lock:
                    line = highlighted_line(term.screen, 1, LINES - 2)
                assert line is not None, "no tree cursor on screen"
                term.key_latency("down", cursor_on(line + 1, 1, LINES - 2))
            time.sleep(1.0)
            shown = term.watch(lambda screen: any('"name": "Sandbox experiments"' in row
                                                  for row in screen.display)
                               and any('"records": [' in row for row in screen.display))
            pressed = term.press("down")
            first_lines = term.wait(shown, timeout=120) - pressed  # alone: `z` waits for it
            zoom = term.key_latency("z", lambda screen: not any("▶ Licensing and Usage" in row
                                                                 for row in screen.display), timeout=60)
            before: list[float] = []
            after: list[float] = []
            direction = "down"
            end = None
            give_up = time.perf_counter() + 120
            while (end is None or time.perf_counter() < end) and time.perf_counter() < give_up:
                time.sleep(keys_every)
                if end is None and shown.done.is_set():
                    end = time.perf_counter() + keys_for
                with term.lock:
                    line = highlighted_line(term.screen, 2, LINES - 2, column=14)
                if line is None:
                    if os.environ.get("IOX_BENCH_DEBUG"):
                        with term.lock:
                            print([(y, term.screen.display[y][:12], term.screen.buffer[y][5].bg)
                                   for y in range(0, 8)])
                    continue
                wanted = line + (1 if direction == "down" else -1)
                latency = term.key_latency(direction, cursor_on(wanted, 2, LINES - 2, column=14), timeout=30)
                direction = "up" if direction == "down" else "down"
                (after if shown.done.is_set() else before).append(latency)
            term.sample_rss()
            return {"first": first_lines, "zoom": zoom, "before": before, "after": after,
                    "rss": term.peak_rss_kb / 1024}
    finally:
        cleanup_home(home)


def main() -> None:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--keys-every", type=float, default=0.1)
    parser.add_argument("--keys-for", type=float, default=6.0,
                        help="seconds of keys after the first lines show (the load and index take ~2-5 s)")
    args = parser.parse_args()
    print(f"JSON pane on a big document; {args.runs} runs; {machine_note()}; {compile_bytecode()}",
          flush=True)
    runs = []
    size = 0
    for _ in range(args.runs):
        with simulator(args.latency_ms, scale="demo") as sim:
            size = plant_document(sim, args.mb)
            runs.append(measure(sim, args.keys_every, args.keys_for))
    before = [k for run in runs for k in run["before"]]
    after = [k for run in runs for k in run["after"]]
    print(f"document of {size / 1e6:.1f} MB as served (GET), {args.latency_ms:.0f} ms latency:")
    print(f"  `down` onto it → its first lines on screen {spread([r['first'] for r in runs])}")
    print(f"  `z` (zoom the pane: a new layout of the big document) → layout on screen "
          f"{spread([r['zoom'] for r in runs])}")
    print(f"  `down`/`up` in the pane → its cursor moved, before the document shows: {spread(before)}; "
          f"{sum(1 for k in before if k >= 0.05)} at or over 50 ms")
    print(f"  `down`/`up` in the pane → its cursor moved, in the {args.keys_for:.0f} s after it shows "
          f"(pretty-print and index in slices): {spread(after)}; "
          f"{sum(1 for k in after if k >= 0.05)} at or over 50 ms")
    print(f"  peak RSS of the TUI {spread([r['rss'] for r in runs], 'MiB', 1)}")
    print(f"done; {machine_note()}")


if __name__ == "__main__":
    main()
