"""Benchmark large input arriving as keystrokes (a terminal or tmux without bracketed paste), from outside.

Run: ``python bench/keystrokes.py [--runs 5] [--chars 20000] [--big 200000] [--big-runs 1]``. Prints figures;
asserts nothing. Needs the ``bench`` extra (pyte).

What is measured, each in a real process in a pseudo-terminal of 120x40 whose screen is read by pyte:

* ``iox --demo``: ``e`` on the first integration opens the editor; then N characters of JSON are written to
  the terminal as plain keystrokes (newlines as ``\\r``, indentation as spaces, no bracketed paste). The time
  runs from the first byte written until the screen shows the last line typed. Peak RSS (VmHWM) at the end.
* the peer: ``bench/bare_textarea.py``, a bare Textual ``TextArea.code_editor(language="json")`` and nothing
  else, fed the same bytes the same way. The figure that matters is ours over the bare one (same run, same
  machine: the 2 shared cores make absolute times noisy).
* ``ctrl+q`` while a big input is being absorbed: seconds from writing ``ctrl+q`` (2 s into the input) until
  the process has exited.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screen import IOX, Terminal, cleanup_home, fresh_home, machine_note, ratio, spread

MARKER = "zq_end_of_input"
BARE = Path(__file__).with_name("bare_textarea.py")


def payload(chars: int) -> bytes:
    """About ``chars`` characters of JSON as keystrokes: ``\\r`` for enter, spaces for indentation."""
    lines = ["{"]
    size = 1
    n = 0
    while size < chars - 40:
        line = f'  "field_{n:06d}": "value {n} of a typed document, with words",'
        lines.append(line)
        size += len(line) + 1
        n += 1
    lines.append(f'  "{MARKER}": 1')
    lines.append("}")
    return "\r".join(lines).encode()


def _writer(term: Terminal, data: bytes) -> threading.Thread:
    def write() -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(term.master, view[:4096])
            except OSError:
                return
            view = view[written:]

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def private_env() -> Iterator[dict[str, str]]:
    """Config and state folders of one run (a draft left by a run must not greet the next one)."""
    home = fresh_home()
    try:
        yield {"XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state")}
    finally:
        cleanup_home(home)


def _open_editor(term: Terminal, ready: str, keys_to_editor: list[str]) -> None:
    """Wait for the program, then press the keys that open its editor (and wait until it is open)."""
    term.wait_for_text(ready, timeout=60)
    for key in keys_to_editor:
        term.press(key)
    if keys_to_editor:
        term.wait_for_text("valid JSON", timeout=60)


def type_into(argv: list[str], ready: str, keys_to_editor: list[str], data: bytes,
              timeout: float) -> tuple[float, int]:
    """Seconds to absorb ``data`` typed into the program, and its peak RSS (KiB)."""
    with private_env() as env, Terminal(argv, env=env) as term:
        _open_editor(term, ready, keys_to_editor)
        watch = term.watch(lambda screen: any(MARKER in line for line in screen.display))
        started = time.perf_counter()
        _writer(term, data)
        done = term.wait(watch, timeout)
        term.sample_rss()
        return done - started, term.peak_rss_kb


def quit_during_input(argv: list[str], ready: str, keys_to_editor: list[str], data: bytes) -> float:
    """Seconds from ``ctrl+q`` (written 2 s into a big input) until the process exits."""
    with private_env() as env, Terminal(argv, env=env) as term:
        _open_editor(term, ready, keys_to_editor)
        _writer(term, data)
        time.sleep(2.0)
        sent = time.perf_counter()
        os.write(term.master, b"\x11")
        while term.proc.poll() is None and time.perf_counter() - sent < 60:
            time.sleep(0.01)
        return time.perf_counter() - sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chars", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("--big-runs", type=int, default=1)
    parser.add_argument("--skip-bare", action="store_true")
    args = parser.parse_args()
    print(machine_note())
    ours: tuple[list[str], str, list[str]] = ([str(IOX), "--demo"], "Connections", ["e"])
    bare: tuple[list[str], str, list[str]] = ([sys.executable, str(BARE)], "bare TextArea ready", [])
    data = payload(args.chars)
    times: dict[str, list[float]] = {"iox": [], "bare": []}
    rss: dict[str, list[int]] = {"iox": [], "bare": []}
    for _ in range(args.runs):
        for name, (argv, ready, keys) in (("iox", ours), ("bare", bare)):
            if name == "bare" and args.skip_bare:
                continue
            took, peak = type_into(argv, ready, keys, data, timeout=600)
            times[name].append(took)
            rss[name].append(peak)
    if times["iox"]:
        print(f"{len(data):,} characters typed (no bracketed paste):")
        print(f"  iox editor      {spread(times['iox'], 's', 1.0)}  peak RSS "
              f"{statistics.median(rss['iox']) / 1024:.0f} MB (median)")
    if times["bare"]:
        print(f"  bare TextArea   {spread(times['bare'], 's', 1.0)}  peak RSS "
              f"{statistics.median(rss['bare']) / 1024:.0f} MB (median)")
        print(f"  iox / bare      {ratio(times['iox'], times['bare'])}")
    if args.big and args.big_runs:
        big = payload(args.big)
        big_times: list[float] = []
        big_rss: list[int] = []
        quits: list[float] = []
        for _ in range(args.big_runs):
            took, peak = type_into(*ours, big, timeout=900)
            big_times.append(took)
            big_rss.append(peak)
            quits.append(quit_during_input(*ours, big))
        print(f"{len(big):,} characters typed into the iox editor: {spread(big_times, 's', 1.0)}, "
              f"peak RSS {max(big_rss) / 1024:.0f} MB (max)")
        print(f"  ctrl+q 2 s into that input: exited after {spread(quits, 's', 1.0)}")


if __name__ == "__main__":
    main()
