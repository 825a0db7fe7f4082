"""The collector after leaving a big errors screen while a big document is loaded (issue 10, ``gcstall``).

What is measured, from outside the ``iox`` process: ``iox simulator --scale large`` in its own process over
loopback; the integration "Sandbox experiments" given ~10 MB of ``settings`` (as ``bench/json_view.py``);
the real ``iox`` in a 120×40 pty read by pyte (``bench/screen.py``). The tree's cursor goes onto that
integration (the JSON pane loads the document), then ``ctrl+p`` → the errors screen of the step with
100,000 errors, until "100,000 loaded", then ``esc`` back to the tree with the document still in the pane,
then ``ctrl+p``/``esc`` (the palette opened and closed) every 0.3 s for ``--after`` seconds: the user goes on.

Each collection in the ``iox`` process is timed by a ``gc.callbacks`` hook that a ``sitecustomize`` module
(written to a temporary folder put on ``PYTHONPATH``, only for this run) installs; it appends
"monotonic start, generation, ms" lines to a file. Printed: the longest collection after ``esc``, the
number of full collections then; the RSS (VmRSS) of the TUI and the memory blocks Python holds
(``sys.getallocatedblocks()``, written by the hook on SIGUSR1) before the errors screen, with its 100,000
rows, and ``--after`` seconds after leaving it: RSS barely shrinks when objects are freed (the allocator
keeps its arenas), the blocks count does.

The growth itself: the first and the last full collection after ``esc``; then (SIGUSR2: the hook collects,
untimed, and writes ``len(gc.get_objects())``, the objects every full collection walks: reachable and not
frozen) that count before and after as many palette opens/closes again, per open. Textual 8.2.8 kept every
closed palette's rendered lines reachable (``explorer/tui/textual_fixes.py``): full collections grew with
each open.

Run: ``.venv/bin/python bench/gc_stall.py [--runs 5] [--mb 10] [--after 8]``. Prints min/median/max;
nothing here is asserted by the test suite. The load average is printed with the figures (shared machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from errors import open_palette_on_big_step
from json_view import plant_document
from screen import (
    IOX,
    LINES,
    SimulatorProcess,
    Terminal,
    cleanup_home,
    compile_bytecode,
    fresh_home,
    highlighted_line,
    iox_env,
    machine_note,
    simulator,
    spread,
    status_kb,
)

HOOK = '''
import gc, os, signal, sys, time
_path = os.environ.get("IOX_BENCH_GC_TRACE")
if _path:
    _out = open(_path, "a", buffering=1)
    signal.signal(signal.SIGUSR1, lambda *_: _out.write(f"blocks {sys.getallocatedblocks()}\\n"))
    _own = [False]
    def _walked(*_):
        _own[0] = True
        gc.collect()
        _own[0] = False
        _out.write(f"walked {len(gc.get_objects())}\\n")
    signal.signal(signal.SIGUSR2, _walked)
    _start = [0.0]
    def _timed(phase, info):
        if _own[0]:
            return
        if phase == "start":
            _start[0] = time.monotonic()
        else:
            _out.write(f"{_start[0]:.6f} {info['generation']} {(time.monotonic() - _start[0]) * 1000:.3f}\\n")
    gc.callbacks.append(_timed)
'''


def rss_mib(pid: int) -> float:
    """VmRSS of a live process, in MiB."""
    return status_kb(pid, "VmRSS") / 1024


def blocks_signalled(term: Terminal) -> None:
    """Ask the ``iox`` process (SIGUSR1, the hook's handler) to write how many memory blocks Python holds
    (``sys.getallocatedblocks()``: live objects and their buffers; RSS barely shrinks when they are freed,
    as the allocator keeps its arenas for reuse)."""
    os.kill(term.proc.pid, signal.SIGUSR1)
    time.sleep(0.3)


def walked_signalled(term: Terminal) -> None:
    """Ask the ``iox`` process (SIGUSR2, the hook's handler) for a full collection (not timed by the hook)
    and then the number of objects every later full collection walks (``len(gc.get_objects())``: what is
    reachable, outside the frozen set). The same count before and after the palette keys: they left
    nothing behind."""
    os.kill(term.proc.pid, signal.SIGUSR2)
    time.sleep(0.5)


def palette_open_close(term: Terminal) -> None:
    """The user goes on: ``ctrl+p`` (the palette opens), ``esc`` (it closes), 0.3 s in all."""
    term.press("ctrl+p")
    time.sleep(0.15)
    term.press("escape")
    time.sleep(0.15)


def onto_big_document(term: Terminal) -> None:
    """Move the tree's cursor onto "Sandbox experiments" and wait for its document in the pane."""
    term.wait_for_text("● 100,006", timeout=120)
    time.sleep(1.0)
    for _ in range(200):
        with term.lock:
            line = highlighted_line(term.screen, 1, LINES - 2)
            text = term.screen.display[line] if line is not None else ""
        if "Sandbox experiments" in text:
            break
        term.press("down")
        time.sleep(0.15)
    term.wait(term.watch(lambda screen: any('"records": [' in row for row in screen.display)), timeout=120)
    time.sleep(3.0)  # the pane pretty-prints and indexes the rest in slices


def measure(sim: SimulatorProcess, after: float, hook_dir: Path) -> dict[str, Any]:
    """One run: the collections after leaving the errors screen; RSS before, during and after."""
    home = fresh_home()
    trace = home / "gc.trace"
    env = {**iox_env(sim, home), "PYTHONPATH": str(hook_dir), "IOX_BENCH_GC_TRACE": str(trace)}
    try:
        with Terminal([str(IOX), "--base-url", sim.base_url], env=env) as term:
            onto_big_document(term)
            before = rss_mib(term.proc.pid)
            blocks_signalled(term)
            open_palette_on_big_step(term)
            term.press("enter")
            term.wait_for_text("100,000 loaded ·", timeout=300)
            time.sleep(1.0)
            loaded = rss_mib(term.proc.pid)
            blocks_signalled(term)
            left = time.monotonic()
            term.press("escape")
            term.wait_for_text("Sandbox experiments", timeout=30)
            end = time.monotonic() + after
            opens = 0
            while time.monotonic() < end:
                palette_open_close(term)
                opens += 1
            time.sleep(0.5)
            still = any('"name": "Sandbox experiments"' in row for row in term.screen.display)
            freed = rss_mib(term.proc.pid)
            blocks_signalled(term)
            counted = time.monotonic()
            walked_signalled(term)
            for _ in range(opens):  # as many again, now counted from a collected start
                palette_open_close(term)
            time.sleep(0.5)
            walked_signalled(term)
        rows = [line.split() for line in trace.read_text().splitlines()]
        blocks = [int(row[1]) / 1e6 for row in rows if row[0] == "blocks"]
        walked = [int(row[1]) for row in rows if row[0] == "walked"]
        timed = [(float(row[0]), int(row[1]), float(row[2])) for row in rows
                 if row[0] not in ("blocks", "walked")]
        later = [(g, ms) for at, g, ms in timed if left <= at < counted]
        return {"longest": max((ms for _, ms in later), default=0.0),
                "full": [ms for g, ms in later if g == 2], "before": before, "loaded": loaded,
                "after": freed, "document_shown": still,
                "blocks": blocks, "opens": opens, "walked": walked}
    finally:
        cleanup_home(home)


def per_open(run: dict[str, Any]) -> float:
    """Objects left reachable (outside the frozen set) by one palette open/close, from the two counts."""
    walked = run["walked"]
    return (walked[-1] - walked[0]) / max(run["opens"], 1) if len(walked) == 2 else float("nan")


def main() -> None:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--after", type=float, default=8.0, help="seconds of palette keys after esc")
    args = parser.parse_args()
    print(f"leaving the errors screen with a big document loaded; {args.runs} runs; {machine_note()}; "
          f"{compile_bytecode()}", flush=True)
    hook_dir = Path(tempfile.mkdtemp(prefix="iox-gc-hook-"))
    (hook_dir / "sitecustomize.py").write_text(HOOK)
    runs = []
    try:
        for number in range(args.runs):
            with simulator(args.latency_ms, scale="large") as sim:
                plant_document(sim, args.mb)
                run = measure(sim, args.after, hook_dir)
            runs.append(run)
            print(f"  run {number + 1}: longest collection after esc {run['longest']:.1f} ms; full ones "
                  f"{[round(ms, 1) for ms in run['full']]}; RSS {run['before']:.0f} → {run['loaded']:.0f} → "
                  f"{run['after']:.0f} MiB; Python's blocks "
                  f"{' → '.join(f'{b:.2f}' for b in run['blocks'])} M; "
                  f"document still shown: {run['document_shown']}; {run['opens']} palette opens, then "
                  f"as many again: objects a full collection walks "
                  f"{' → '.join(str(n) for n in run['walked'])} "
                  f"({per_open(run):+.0f} an open)", flush=True)
    finally:
        shutil.rmtree(hook_dir, ignore_errors=True)
    longest = spread([r["longest"] / 1000 for r in runs])
    full = spread([len(r["full"]) for r in runs], "", 1)
    print(f"longest collection in the {args.after:.0f} s after esc {longest}; full collections then {full}")
    print(f"RSS before the errors screen {spread([r['before'] for r in runs], 'MiB', 1)}; with its rows "
          f"{spread([r['loaded'] for r in runs], 'MiB', 1)}; {args.after:.0f} s after leaving it "
          f"{spread([r['after'] for r in runs], 'MiB', 1)}")
    for index, label in enumerate(("before the errors screen", "with its rows", "after leaving it")):
        print(f"Python's memory blocks {label} {spread([r['blocks'][index] for r in runs], 'M', 1)}")
    first = spread([r["full"][0] / 1000 for r in runs if r["full"]])
    last = spread([r["full"][-1] / 1000 for r in runs if r["full"]])
    print(f"full collections after esc: the first {first}, the last {last}")
    opens = spread([r["opens"] for r in runs], "", 1)
    print(f"objects a full collection walks, left behind by each palette open/close (collected before and "
          f"after {opens} opens): {spread([per_open(r) for r in runs], '', 1)}")
    print(f"done; {machine_note()}")


if __name__ == "__main__":
    main()
