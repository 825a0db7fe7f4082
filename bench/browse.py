"""Start-up against posting, the large account's tree on screen, and what ``iox tree`` asks, all from outside.

What is measured (issue 10), with the real processes in a pseudo-terminal read by pyte (``bench/screen.py``):

* start-up: process start → the first full frame, for ``iox --demo`` (its tree and footer) and for posting
  (its collection pane and footer), runs interleaved so both see the same machine; ratio ours/posting
  (target ≤ 0.4), by wall clock and by the CPU time each process had used when its frame landed (read from
  /proc as the frame is parsed: on a shared machine the wall clock mostly measures the other jobs).
  Posting is installed by ``screen.posting_command`` in a venv under /tmp (not a dependency);
* the large account at ``--latency-ms`` (100): process start → the first integration on screen, → its badge
  (open-error count) on screen, → every visible integration with its badge; keystroke latency in the tree
  (``down`` written → the cursor line moved on screen) while badges still arrive;
* ``iox tree`` on the large account: requests sent (``-v`` logs each one; target ≤ 150) and wall time.

Run: ``.venv/bin/python bench/browse.py [--runs 5] [--latency-ms 100] [--skip large --skip tree]``. Prints
min/median/max of the runs; nothing here is asserted by the test suite. The load average is printed with the
figures (shared machine).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screen import (
    IOX,
    LINES,
    Terminal,
    cleanup_home,
    compile_bytecode,
    cpu_seconds,
    fresh_home,
    iox_env,
    machine_note,
    posting_command,
    ratio,
    simulator,
    spread,
)

TREE_TOP, TREE_BOTTOM = 1, LINES - 2


def _all_shown(*texts: str) -> object:
    return lambda screen: all(any(text in line for line in screen.display) for text in texts)


def _first_frame(term: Terminal, *texts: str) -> tuple[float, float]:
    """(wall seconds from spawn, CPU seconds of the process) when all ``texts`` are first on screen."""
    shown = _all_shown(*texts)
    cpu: list[float] = []

    def check(screen: object) -> bool:
        done = bool(shown(screen))  # type: ignore[operator]
        if done and not cpu:
            cpu.append(cpu_seconds(term.proc.pid))  # read as the frame lands, in the reader thread
        return done

    at = term.wait(term.watch(check), 60)
    return at - term.started, cpu[0]


def start_iox(home: Path) -> tuple[float, float]:
    """Wall and CPU seconds from spawning ``iox --demo`` until its tree and footer are on screen."""
    env = {"XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state")}
    with Terminal([str(IOX), "--demo"], env=env) as term:
        return _first_frame(term, "Licensing and Usage", "^p palette")


def start_posting(home: Path) -> tuple[float, float]:
    """Wall and CPU seconds from spawning posting until its collection pane and footer are on screen."""
    collection = home / "collection"
    collection.mkdir(parents=True, exist_ok=True)
    env = {"XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    with Terminal([*posting_command(), "--collection", str(collection)], env=env, cwd=str(home)) as term:
        return _first_frame(term, "Collection is empty.", "^p Commands")


def browse_large(latency_ms: float) -> dict[str, float | list[float]]:
    """The large account's first screen: first integration, first badge, all visible badges, tree keys."""
    home = fresh_home()
    try:
        with simulator(latency_ms) as sim, Terminal([str(IOX), "--base-url", sim.base_url],
                                                    env=iox_env(sim, home)) as term:
            first = term.wait(term.watch(_all_shown("Licensing and Usage")), 120)  # type: ignore[arg-type]
            badge = term.watch(_all_shown("Acme Outlet #00 - ERP Sync  ● 100,006"))  # type: ignore[arg-type]

            def badges_done(screen: object) -> bool:
                lines = [line for line in screen.display if " - ERP Sync" in line]  # type: ignore[attr-defined]
                return bool(lines) and all("●" in line for line in lines)

            every = term.watch(badges_done)
            keys = term.cursor_keys(TREE_TOP, TREE_BOTTOM, every.done.is_set)
            badge_at = term.wait(badge, 120)
            every_at = term.wait(every, 120)
            return {"first": first - term.started, "badge": badge_at - term.started,
                    "every": every_at - term.started, "keys": keys}
    finally:
        cleanup_home(home)


def tree_requests(latency_ms: float) -> tuple[int, float]:
    """``iox tree -v`` on the large account: requests logged, wall seconds."""
    home = fresh_home()
    try:
        with simulator(latency_ms) as sim:
            env = {**os.environ, **iox_env(sim, home)}
            started = time.perf_counter()
            done = subprocess.run([str(IOX), "--base-url", sim.base_url, "-v", "tree"], capture_output=True,
                                  text=True, env=env)
            wall = time.perf_counter() - started
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
            return sum(1 for line in done.stderr.splitlines() if line.startswith("iox: GET ")), wall
    finally:
        cleanup_home(home)


def main() -> None:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--skip", action="append", default=[], choices=("startup", "large", "tree"))
    args = parser.parse_args()
    print(f"browse; {args.runs} runs; {machine_note()}; {compile_bytecode()}", flush=True)

    if "startup" not in args.skip:
        posting_command()  # install before timing anything
        ours: list[tuple[float, float]] = []
        peer: list[tuple[float, float]] = []
        for runner in (start_iox, start_posting):  # one warm-up each: the first run fills the OS file cache
            home = fresh_home()
            try:
                runner(home)
            finally:
                cleanup_home(home)
        for _ in range(args.runs):
            for runner, into in ((start_iox, ours), (start_posting, peer)):
                home = fresh_home()
                try:
                    into.append(runner(home))
                finally:
                    cleanup_home(home)
        start_walls = [wall for wall, _ in ours], [wall for wall, _ in peer]
        cpus = [cpu for _, cpu in ours], [cpu for _, cpu in peer]
        print("start-up, process start → first full frame (tree rows and footer), 120×40 pty, "
              "runs interleaved:")
        print(f"  iox --demo   {spread(start_walls[0])}")
        print(f"  posting      {spread(start_walls[1])}")
        print(f"  ratio iox/posting {ratio(*start_walls)} (target ≤ 0.4)")
        print("  CPU time of the process when that frame landed (/proc, 10 ms ticks; steadier than the wall "
              "clock on a shared machine):")
        print(f"  iox --demo   {spread(cpus[0])}")
        print(f"  posting      {spread(cpus[1])}")
        print(f"  ratio iox/posting {ratio(*cpus)}", flush=True)

    if "large" not in args.skip:
        runs = [browse_large(args.latency_ms) for _ in range(args.runs)]
        keys = [k for run in runs for k in run["keys"]]  # type: ignore[union-attr]
        print(f"large account (`iox simulator --scale large --latency-ms {args.latency_ms:.0f}`), "
              "process start →")
        for label, name in (("first integration on screen", "first"), ("its badge on screen", "badge"),
                            ("every visible badge on screen", "every")):
            print(f"  {label:<30} {spread([r[name] for r in runs], 's', 1)}")  # type: ignore[misc]
        print(f"  tree keys while badges arrive (key written → cursor moved): {spread(keys)}", flush=True)

    if "tree" not in args.skip:
        counts, walls = [], []
        for _ in range(args.runs):
            count, wall = tree_requests(args.latency_ms)
            counts.append(float(count))
            walls.append(wall)
        print(f"iox tree on the large account at {args.latency_ms:.0f} ms: requests "
              f"{spread(counts, '', 1)} (target ≤ 150); wall {spread(walls, 's', 1)}")
    print(f"done; {machine_note()}")


if __name__ == "__main__":
    main()
