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
* ``iox -v retry FLOW STEP - --no-follow`` of 10,000 error ids (the newest, as ``iox errors --limit``
  lists them) at ``--retry-latency-ms`` (100), in a pty: the bulk phase as the screen shows it (the
  "retrying:" progress line appears → the report line appears), against **the ideal: the least time the
  API allows** (target ≤ 1.2 × the ideal). The API takes at most 1000 ids per retry call (10 calls) and
  rate-limits with a per-account bucket of 1000 requests refilled at 300/s (``../shared/integrator-api.md``,
  "Decisions" 4 and §5; its "Corrections" change neither), so all 10 calls may start together: the ideal
  is one round trip, + (calls − 1000) / 300 s for more calls than the bucket holds. The server's own work is
  not in the ideal; to show it, the same run times a bare client (10 raw concurrent POSTs of 1000 keys
  each from this script, over the same loopback, to the same server): the least any client gets from this
  server on this machine. The simulator answers a call one latency plus its own CPU work after the call
  arrived (the kernel's receive stamp), whatever it waited for in between: a handler thread, the GIL, its one
  lock (``explorer/simulator/server.py``): a real API serves concurrent calls side by side, so ten calls that
  arrive together are not answered one handling time apart. Each call's own work (~1.3 ms for 1000 keys) is
  still counted. Also printed: each
  batch's send and answer time in the slowest run (from the ``-v`` request log on the screen), the
  command's own in-process elapsed (labelled), the whole process.

Run: ``.venv/bin/python bench/errors.py [--runs 5] [--latency-ms 50] [--retry-latency-ms 100]``.
Prints min/median/max of the runs; nothing here is asserted by the test suite. The machine is shared: the
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyte
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

FLOW, STEP = d.LARGE_ERRORS_FLOW, d.LARGE_ERRORS_STEP
"""The large account's 100,000-error step."""
TABLE_TOP, TABLE_BOTTOM = 4, LINES - 2
MiB = 1024.0


def open_palette_on_big_step(term: Terminal) -> None:
    """Wait for the tree, then ``ctrl+p`` "errors upsert orders (00.0)": its errors screen is one key away."""
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


def measure_screen(sim: SimulatorProcess, keys_every: float) -> dict[str, float | list[float]]:
    """One TUI run: first row, fully loaded, keystroke latencies while loading, peak RSS."""
    home = fresh_home()
    try:
        with Terminal([str(IOX), "--base-url", sim.base_url], env=iox_env(sim, home)) as term:
            open_palette_on_big_step(term)
            rows = term.watch(lambda screen: any("REC-0999" in line for line in screen.display))
            done = term.watch(lambda screen: any("100,000 loaded ·" in line for line in screen.display))
            entered = term.press("enter")
            first_row = term.wait(rows, timeout=60) - entered
            keys = keys_while_loading(term, done.done.is_set, keys_every)
            loaded = term.wait(done, timeout=300) - entered
            time.sleep(0.5)  # the last page's rows are in; let the collector and the repaint settle
            peak = term.sample_rss() / MiB
        return {"first_row": first_row, "loaded": loaded, "rss": peak, **keys}
    finally:
        cleanup_home(home)


FILTER_LINE = LINES - 4
"""While the filter input is shown (3 lines over the table's last rows, above the status line), its text is
on the middle one."""
FILTER_TEXT = "REC"
"""Typed into the filter, a letter at a time: every row matches (the traceKeys), so each letter re-filters
100,000 rows in the panel's worker thread while the pages keep coming."""


def _cursor(term: Terminal) -> int | None:
    with term.lock:
        return highlighted_line(term.screen, TABLE_TOP, TABLE_BOTTOM)


def _line(screen: pyte.Screen, y: int) -> str:
    return "".join(screen.buffer[y][x].data for x in range(screen.columns))


def _echoed(text: str) -> Callable[[pyte.Screen], bool]:
    return lambda screen: text in _line(screen, FILTER_LINE)


def keys_while_loading(term: Terminal, loading: Callable[[], bool], every: float) -> dict[str, list[float]]:
    """The keys of issue 10 while pages still arrive, each timed from the key written to the screen showing
    its effect, ``every`` seconds apart, in rounds until the last page is in:

    * cursor: ``down``/``up`` (4 pairs a round) → the highlighted line moved one down/up;
    * mark: ``space`` → the mark (●) toggled on the row and the cursor one line down (then ``up``, itself a
      cursor key); a round marks and unmarks the same row;
    * filter (every third round): ``/`` → the input shown; ``R``, ``E``, ``C`` → each letter echoed in the
      input; then ``escape`` → the input gone, apart ("esc"): a lone esc reaches the app only after the
      terminal's ESCDELAY (Textual's default 100 ms: what tells it from the start of an escape sequence,
      which over SSH may arrive in pieces). Not timed: waiting for the table to show every row again.
    """
    found: dict[str, list[float]] = {"keys": [], "mark": [], "filter": [], "esc": []}
    rounds = 0

    def key(kind: str, data: str, changed: Callable[[pyte.Screen], bool]) -> bool:
        try:
            found[kind].append(term.key_latency(data, changed, timeout=10))
        except TimeoutError:
            return False
        time.sleep(every)
        return True

    def step(kind: str, data: str, offset: int) -> bool:
        line = _cursor(term)
        if line is None:
            time.sleep(0.01)
            return True
        wanted = line + offset
        if kind == "mark":
            glyph = term.screen.buffer[line][0].data
            toggled = " " if glyph == "●" else "●"
            return key(kind, data, lambda screen: (highlighted_line(screen, TABLE_TOP, TABLE_BOTTOM) == wanted
                                                   and screen.buffer[line][0].data == toggled))
        return key(kind, data, cursor_on(wanted, TABLE_TOP, TABLE_BOTTOM))

    while not loading():
        rounds += 1
        plan = [("keys", "down", 1), ("keys", "up", -1)] * 4 + [("mark", " ", 1), ("keys", "up", -1)] * 2
        for kind, data, offset in plan:
            if loading() or not step(kind, data, offset):
                return found
        if rounds % 3 or loading():
            continue
        if not key("filter", "/", lambda screen: "filter message, code" in _line(screen, FILTER_LINE)):
            return found
        for count in range(1, len(FILTER_TEXT) + 1):
            if not key("filter", FILTER_TEXT[count - 1], _echoed("▊  " + FILTER_TEXT[:count] + " ")):
                return found
        if not key("esc", "escape", lambda screen: "▊" not in _line(screen, FILTER_LINE)):
            return found
        settled = term.watch(lambda screen: " shown" not in _line(screen, LINES - 2)
                             and highlighted_line(screen, TABLE_TOP, TABLE_BOTTOM) is not None)
        term.wait(settled, timeout=30)
    return found


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


API_MAX_IDS, API_BUCKET, API_REFILL_PER_S = 1000, 1000, 300.0
"""The API's limits (``../shared/integrator-api.md``): ids per retry call; rate-limit bucket and refill."""
POST_LOG = re.compile(r"POST \S+/retry → (\d+) in (\d+) ms")


def ideal_retry_s(count: int, rtt_s: float) -> tuple[int, float]:
    """The calls a retry of ``count`` ids needs and the least time the API allows for them: calls the bucket
    holds start together (one round trip); each call beyond it waits for the refill."""
    calls = -(-count // API_MAX_IDS)
    return calls, rtt_s + max(0, calls - API_BUCKET) / API_REFILL_PER_S


def bare_retry(sim: SimulatorProcess, keys: list[str]) -> float:
    """The floor on this server: POST all batches at once from bare threads (http.client, a connection
    each, bodies encoded and connections opened inside the timing); seconds until the last answer is read."""
    host, port = sim.base_url.removeprefix("http://").rsplit(":", 1)
    path = f"/v1/flows/{FLOW}/{STEP}/retry"
    headers = {"Authorization": f"Bearer {sim.token}", "Content-Type": "application/json"}
    batches = [keys[i:i + API_MAX_IDS] for i in range(0, len(keys), API_MAX_IDS)]
    gate = threading.Barrier(len(batches) + 1)
    statuses: list[int] = []

    def post(batch: list[str]) -> None:
        gate.wait()
        body = json.dumps({"retryDataKeys": batch})  # timed, as the client's own encoding is
        connection = http.client.HTTPConnection(host, int(port))
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        statuses.append(answer.status)
        connection.close()

    threads = [threading.Thread(target=post, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    if statuses != [201] * len(batches):
        raise RuntimeError(f"bare retry answered {statuses}")
    return took


def measure_retry(sim: SimulatorProcess, count: int) -> dict[str, Any]:
    """``iox -v retry FLOW STEP - --no-follow`` of ``count`` error ids (the newest, listed by ``--jsonl``)
    read from a file, in a pty; then the bare floor with the next ``count`` errors' retry keys."""
    home = fresh_home()
    try:
        env = {**os.environ, **iox_env(sim, home)}
        listed = subprocess.run([str(IOX), "--base-url", sim.base_url, "errors", FLOW, STEP, "--jsonl",
                                 "--limit", str(2 * count)], capture_output=True, env=env, check=True).stdout
        errors = [json.loads(line) for line in listed.splitlines()]
        ids_file = home / "ids.txt"
        ids_file.write_text("\n".join(e["errorId"] for e in errors[:count]) + "\n")
        posts: list[tuple[float, int, float]] = []  # (seen at, status, duration in s) of each retry POST

        def note_posts(screen: Any) -> bool:
            now = time.perf_counter()
            found = [POST_LOG.search(line) for line in screen.display]
            seen = [m for m in found if m is not None]
            for match in seen[len(posts):]:
                posts.append((now, int(match.group(1)), int(match.group(2)) / 1000))
            return False

        argv = ["/bin/sh", "-c", 'exec "$@" < "$0"', str(ids_file), str(IOX), "--base-url", sim.base_url,
                "-v", "retry", FLOW, STEP, "-", "--no-follow"]
        with Terminal(argv, env=iox_env(sim, home)) as term:
            term.watch(note_posts)
            bulk = term.watch(lambda screen: any("retrying:" in line for line in screen.display))
            report = term.watch(lambda screen: any(" retried in " in line for line in screen.display))
            began = term.wait(bulk, timeout=120)
            ended = term.wait(report, timeout=120)
            term.proc.wait(30)
            exited = time.perf_counter()
            screen = "\n".join(term.lines())
        found = re.search(r"(\d+) of (\d+) retried in (\d+) batch\w* \(([\d.]+) s\)", screen)
        if term.proc.returncode != 0 or found is None or int(found.group(1)) != count:
            raise RuntimeError(f"iox retry failed ({term.proc.returncode}):\n{screen}")
        bare = bare_retry(sim, [e["retryDataKey"] for e in errors[count:]])
        batches = [(at - dur - began, at - began) for at, status, dur in posts if status == 201]
        return {"bulk": ended - began, "own": float(found.group(4)), "whole": exited - term.started,
                "bare": bare, "batches": batches, "429s": sum(1 for _, status, _ in posts if status == 429)}
    finally:
        cleanup_home(home)


def measure_tui_retry(sim: SimulatorProcess, count: int) -> dict[str, float]:
    """The TUI's path: the big step's 100,000 errors loaded, ``d`` "newest COUNT's time.." (the newest
    ``count`` shown), ``a`` (mark them), ``r``; from the ``y`` that confirms until the progress dialog says
    every batch is done ("batches N/N · sent S"; the retry jobs are followed after that)."""
    home = fresh_home()
    try:
        env = {**os.environ, **iox_env(sim, home)}
        listed = subprocess.run([str(IOX), "--base-url", sim.base_url, "errors", FLOW, STEP, "--jsonl",
                                 "--limit", str(count)], capture_output=True, env=env, check=True).stdout
        since = json.loads(listed.splitlines()[-1])["occurredAt"]
        with Terminal([str(IOX), "--base-url", sim.base_url], env=iox_env(sim, home)) as term:
            open_palette_on_big_step(term)
            term.press("enter")
            term.wait_for_text("100,000 loaded ·", timeout=300)
            term.press("d")
            term.wait_for_text("Occurred between", timeout=30)
            term.press(f"{since}..")
            term.press("enter")
            term.wait_for_text(f"{count:,} shown", timeout=60)
            term.press("a")
            term.wait_for_text(f"{count:,} selected", timeout=30)
            term.press("r")
            term.wait_for_text("Retry ", timeout=30)
            time.sleep(0.3)  # the dialog is painted; let it settle before the key that is timed
            all_done = re.compile(r"batches (\d+)/\1 · sent (\d+)")
            done = term.watch(lambda screen: any(all_done.search(line) for line in screen.display))
            pressed = term.press("y")
            finished = term.wait(done, timeout=120)
            found = next(m for m in map(all_done.search, term.lines()) if m is not None)
        return {"bulk": finished - pressed, "batches": float(found.group(1)), "sent": float(found.group(2))}
    finally:
        cleanup_home(home)


T = TypeVar("T")


def on_fresh_simulators(runs: int, latency_ms: float, measure: Callable[[SimulatorProcess], T]) -> list[T]:
    """``measure`` once per run, each on a fresh ``iox simulator`` (a retry changes the one it runs on)."""
    measured = []
    for _ in range(runs):
        with simulator(latency_ms) as sim:
            measured.append(measure(sim))
    return measured


def main() -> None:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--retry-latency-ms", type=float, default=100.0)
    parser.add_argument("--retry", type=int, default=10_000)
    parser.add_argument("--keys-every", type=float, default=0.1, help="seconds between keys while loading")
    parser.add_argument("--skip", action="append", default=[],
                        choices=("screen", "stream", "retry", "tui-retry"))
    args = parser.parse_args()
    print(f"iox errors at scale; {args.runs} runs; {machine_note()}; {compile_bytecode()}", flush=True)

    if "screen" not in args.skip:
        runs = on_fresh_simulators(args.runs, args.latency_ms,
                                   partial(measure_screen, keys_every=args.keys_every))
        keys = [k for run in runs for k in run["keys"]]  # type: ignore[union-attr]
        per_run_worst = [max(run["keys"]) for run in runs if run["keys"]]  # type: ignore[arg-type]
        marks = [k for run in runs for k in run["mark"]]  # type: ignore[union-attr]
        filters = [k for run in runs for k in run["filter"]]  # type: ignore[union-attr]
        escapes = [k for run in runs for k in run["esc"]]  # type: ignore[union-attr]
        print(f"TUI, 100,000 errors, {args.latency_ms:.0f} ms latency (`iox simulator --scale large`):")
        print(f"  enter → first error row on screen  {spread([r['first_row'] for r in runs])}  "  # type: ignore[misc]
              f"(target ≤ {args.latency_ms + 200:.0f} ms)")
        print(f"  enter → '100,000 loaded' on screen {spread([r['loaded'] for r in runs], 's', 1)}")  # type: ignore[misc]
        print(f"  keystroke → cursor moved on screen, while loading: all {len(keys)} keys "
              f"{spread(keys)}; worst per run {spread(per_run_worst)}; "
              f"{sum(1 for k in keys if k >= 0.05)} at or over 50 ms")
        print(f"  mark (space → ● toggled, cursor down), while loading: {len(marks)} keys {spread(marks)}; "
              f"{sum(1 for k in marks if k >= 0.05)} at or over 50 ms")
        slow_filters = sum(1 for k in filters if k >= 0.05)
        print(f"  filter (/ → input shown, R E C → echoed), while loading: "
              f"{len(filters)} keys {spread(filters)}; {slow_filters} at or over 50 ms")
        print(f"  esc → filter input gone, while loading: {len(escapes)} keys {spread(escapes)} "
              f"(includes the terminal's ESCDELAY, {os.environ.get('ESCDELAY', '100')} ms, that tells a "
              f"lone esc from an escape sequence; not in the counts below)")
        every_key = keys + marks + filters
        print(f"  all keys while loading: {len(every_key)} {spread(every_key)}; "
              f"{sum(1 for k in every_key if k >= 0.05)} at or over 50 ms (target: none)")
        print(f"  peak RSS of the TUI (VmHWM) with 100,000 rows "
              f"{spread([r['rss'] for r in runs], 'MiB', 1)} (target < 200 MiB)", flush=True)  # type: ignore[misc]

    if "stream" not in args.skip:
        for mode in ("--jsonl", "--json"):
            runs_s = on_fresh_simulators(args.runs, args.latency_ms, partial(measure_stream, mode=mode))
            print(f"iox errors FLOW STEP {mode} (100,000 records, {args.latency_ms:.0f} ms latency):")
            print(f"  first record on stdout {spread([r['first'] for r in runs_s])} after start; "
                  f"all {spread([r['total'] for r in runs_s], 's', 1)}")
            print(f"  peak RSS {spread([r['rss'] for r in runs_s], 'MiB', 1)} (target < 100 MiB)", flush=True)

    if "retry" not in args.skip:
        runs_r = on_fresh_simulators(args.runs, args.retry_latency_ms,
                                     partial(measure_retry, count=args.retry))
        rtt = args.retry_latency_ms / 1000
        calls, ideal = ideal_retry_s(args.retry, rtt)
        bulk = [r["bulk"] for r in runs_r]
        bare = [r["bare"] for r in runs_r]
        print(f"iox retry of {args.retry:,} errors at {args.retry_latency_ms:.0f} ms round trip "
              f"(`iox -v retry FLOW STEP - --no-follow` in a pty, {args.runs} fresh simulators):")
        print(f"  ideal = the least time the API allows: {calls} calls of ≤ {API_MAX_IDS} ids; the rate "
              f"limit's bucket ({API_BUCKET} requests, refill {API_REFILL_PER_S:.0f}/s) lets "
              f"{min(calls, API_BUCKET)} start together: {ideal * 1000:.0f} ms (server work not counted)")
        print(f"  bulk phase on screen ('retrying:' → report line) {spread(bulk)}; "
              f"ratio to the ideal {spread([b / ideal for b in bulk], '×', 1)} (target ≤ 1.2)")
        print(f"  bare floor on this server ({calls} raw concurrent POSTs from the bench, same run) "
              f"{spread(bare)}; ratio to the ideal {spread([b / ideal for b in bare], '×', 1)}; iox / bare "
              f"{spread([r['bulk'] / r['bare'] for r in runs_r], '×', 1)}")
        slowest = max(runs_r, key=lambda r: r["bulk"])
        timeline = ", ".join(f"{sent * 1000:.0f}→{got * 1000:.0f}"
                             for sent, got in sorted(slowest["batches"]))
        print(f"  slowest run's batches, ms after 'retrying:' (sent→answered, from the -v log): {timeline}; "
              f"429s in all runs: {sum(r['429s'] for r in runs_r)}")
        own = [r["own"] for r in runs_r]
        print(f"  the command's own elapsed (in-process timer of its report) {spread(own)}")
        print(f"  whole process (start-up, listing the pages holding the ids, retry, report, exit) "
              f"{spread([r['whole'] for r in runs_r], 's', 1)}")
    if "tui-retry" not in args.skip:
        runs_t = on_fresh_simulators(args.runs, args.retry_latency_ms,
                                     partial(measure_tui_retry, count=args.retry))
        rtt = args.retry_latency_ms / 1000
        sent = int(min(r["sent"] for r in runs_t))
        calls, ideal = ideal_retry_s(sent, rtt)
        bulk = [r["bulk"] for r in runs_t]
        print(f"TUI retry of the newest {args.retry:,} errors of the 100,000 at "
              f"{args.retry_latency_ms:.0f} ms round trip (`d` newest..; `a`; `r`; `y`), {sent:,} sent in "
              f"{calls} calls, ideal {ideal * 1000:.0f} ms:")
        print(f"  `y` → 'batches {calls}/{calls}' on screen {spread(bulk)}; ratio to the ideal "
              f"{spread([b / ideal for b in bulk], '×', 1)} (target ≤ 1.2)")
    print(f"done; {machine_note()}")


if __name__ == "__main__":
    main()
