"""Benchmark large input arriving as keystrokes (a terminal or tmux without bracketed paste), from outside.

Run: ``python bench/keystrokes.py [--runs 5] [--chars 20000] [--big 200000] [--big-runs 5] [--quit-runs 6]``.
Prints figures; asserts nothing. Needs the ``bench`` extra (pyte).

What is measured, each in a real process in a pseudo-terminal of 120x40 whose screen is read by pyte:

* ``iox --demo``: ``e`` on the first integration opens the editor; then N characters of JSON are written to
  the terminal as plain keystrokes (newlines as ``\\r``, indentation as spaces, no bracketed paste). The time
  runs from the first byte written until the screen shows the last line typed. Peak RSS (VmHWM) at the end
  (for the big input, 2 s after the last line showed: checking and the draft come after).
* the peer: ``bench/bare_textarea.py``, a bare Textual ``TextArea.code_editor(language="json")`` and nothing
  else, fed the same bytes the same way. The figure that matters is ours over the bare one (same run, same
  machine: the 2 shared cores make absolute times noisy).
* ``ctrl+q`` in the middle of the big input: the quit byte (``\\x11``) is part of the stream, after 10 %,
  30 %, 50 %, 70 %, 90 % or 100 % of it (one position a run, in turn), and the rest of the input keeps coming
  after it, as from a terminal flooding the program. Seconds from the moment the writer reaches the quit
  byte (all before it has been taken by the terminal) until the process has exited, and whether the draft
  it left holds everything typed before the quit (the README's promise).
"""

from __future__ import annotations

import argparse
import contextlib
import json
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


def _write_all(term: Terminal, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(term.master, view[:4096]):]


def _writer(term: Terminal, data: bytes) -> threading.Thread:
    def write() -> None:
        with contextlib.suppress(OSError):
            _write_all(term, data)

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


def type_into(argv: list[str], ready: str, keys_to_editor: list[str], data: bytes, timeout: float,
              settle: float = 0.0) -> tuple[float, int]:
    """Seconds to absorb ``data`` typed into the program, and its peak RSS (KiB) ``settle`` s after that."""
    with private_env() as env, Terminal(argv, env=env) as term:
        _open_editor(term, ready, keys_to_editor)
        watch = term.watch(lambda screen: any(MARKER in line for line in screen.display))
        started = time.perf_counter()
        _writer(term, data)
        done = term.wait(watch, timeout)
        time.sleep(settle)
        term.sample_rss()
        return done - started, term.peak_rss_kb


QUIT_AT = (0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
"""Where in the big input the quit byte goes, one position a run, in turn."""


def quit_during_input(argv: list[str], ready: str, keys_to_editor: list[str], data: bytes,
                      at: float) -> tuple[float, bool]:
    """Seconds from reaching the quit byte (after ``at`` of ``data``) until the process exits, and whether
    its draft holds all that was typed before the quit."""
    cut = int(len(data) * at)
    before, after = data[:cut], data[cut:]
    reached: list[float] = []

    def write() -> None:
        try:
            _write_all(term, before)
            reached.append(time.perf_counter())
            _write_all(term, b"\x11" + after)
        except OSError:  # the program quit and closed the terminal
            pass

    with private_env() as env, Terminal(argv, env=env) as term:
        _open_editor(term, ready, keys_to_editor)
        threading.Thread(target=write, daemon=True).start()
        deadline = time.perf_counter() + 120
        while term.proc.poll() is None and time.perf_counter() < deadline:
            time.sleep(0.005)
        exited = time.perf_counter()
        drafts = list(Path(env["XDG_STATE_HOME"]).rglob("drafts/**/*.json"))
        kept = any(before.decode().replace("\r", "\n") in json.loads(draft.read_text("utf-8"))["text"]
                   for draft in drafts)
        return (exited - reached[0] if reached else float("nan")), kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chars", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("--big-runs", type=int, default=5)
    parser.add_argument("--quit-runs", type=int, default=len(QUIT_AT))
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
    if args.big:
        big = payload(args.big)
        big_times: list[float] = []
        big_rss: list[int] = []
        for _ in range(args.big_runs):
            took, peak = type_into(*ours, big, timeout=900, settle=2.0)
            big_times.append(took)
            big_rss.append(peak)
        if big_times:
            print(f"{len(big):,} characters typed into the iox editor: {spread(big_times, 's', 1.0)}, "
                  f"peak RSS {max(big_rss) / 1024:.0f} MB (max; read 2 s after the last line showed)")
        quits: list[tuple[float, float, bool]] = []
        for run in range(args.quit_runs):
            at = QUIT_AT[run % len(QUIT_AT)]
            quits.append((at, *quit_during_input(*ours, big, at)))
        if quits:
            worst = max(quits, key=lambda each: each[1])
            print(f"  ctrl+q inside that input (after {', '.join(f'{at:.0%}' for at, _, _ in quits)} of it): "
                  f"exited after {spread([took for _, took, _ in quits], 's', 1.0)}; worst at {worst[0]:.0%}")
            print(f"  draft holds everything typed before ctrl+q: {sum(kept for *_, kept in quits)} of "
                  f"{len(quits)} runs")


if __name__ == "__main__":
    main()
