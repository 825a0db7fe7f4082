"""Browse benchmark: how fast the first screen fills in, on a big account over a slow link.

Prints (never asserts):
* on the simulator's "large" account (50 integrations × 10 flows, plus the demo) with 100 ms latency per
  request: requests and time from mount until the root level is painted, and until every badge is painted —
  once with the client's default concurrency (8) and once with 24 requests in flight;
* time from process start to the first painted frame of ``iox --demo`` (a real pty, like a terminal);
* time to the first paint of a 10 MB JSON document in the JSON pane;
* peak RSS of this process and of the ``iox --demo`` child.

Run: ``/work/venv/bin/python bench/browse.py [--runs 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pty
import resource
import select
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.client import IntegratorClient, RequestRecord
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.main import MainScreen

LATENCY_MS = 100.0
SIZE = (120, 40)
IOX = Path(sys.executable).with_name("iox")


class TimedApp(ExplorerApp):
    """The explorer, noting when it was mounted."""

    mounted_at = 0.0

    def on_mount(self) -> None:
        # Textual also calls ExplorerApp.on_mount (handlers run for every class in the MRO): no super().
        self.mounted_at = time.monotonic()


def app_on(sim: Simulator, concurrency: int) -> TimedApp:
    def factory(on_request: Callable[[RequestRecord], None] | None = None) -> IntegratorClient:
        return IntegratorClient(DEMO_TOKENS["full"], transport=SimulatorTransport(sim),
                                concurrency=concurrency, on_request=on_request)

    return TimedApp(client_factory=factory, profile_label="bench")


def main_screen(app: ExplorerApp) -> MainScreen:
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


async def first_screen(concurrency: int) -> dict[str, float]:
    """Mount → root painted → every badge painted on the large account, with request counts."""
    sim = Simulator(seed=0, scale="large", latency_ms=LATENCY_MS)
    app = app_on(sim, concurrency)
    out: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            await asyncio.sleep(0.002)
            screens = [s for s in app.screen_stack if isinstance(s, MainScreen)]
            if not screens:
                continue
            tree = screens[0].resource_tree
            if "root_s" not in out and tree.root_painted_at is not None:
                out["root_s"] = tree.root_painted_at - app.mounted_at
                out["root_requests"] = len(sim.requests)
                out["integrations"] = float(sum(1 for item in tree.items if item.kind == "integration"))
            if tree.badges_painted_at is not None:
                out["badges_s"] = tree.badges_painted_at - app.mounted_at
                out["badges_requests"] = len(sim.requests)
                break
        await pilot.pause()
    return out


def big_document(target_bytes: int) -> dict[str, Any]:
    """A realistic ~10 MB JSON document (records of an export page)."""
    record = {"id": "SO-000000", "email": "customer@example.com", "lines": [
        {"sku": "SKU-0001", "qty": 3, "price": 19.99, "note": "gift wrap [bold]please[/bold]"}] * 3,
        "address": {"street": "1 Main St", "city": "Springfield", "zip": "12345"}, "tags": ["a", "b", "c"]}
    one = len(json.dumps(record, indent=2))
    return {"records": [{**record, "id": f"SO-{i:06d}"} for i in range(target_bytes // one + 1)]}


async def json_first_paint(doc: dict[str, Any]) -> float:
    """Seconds from ``JsonView.load`` to the next painted frame."""
    sim = Simulator(seed=0)
    app = app_on(sim, 8)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = main_screen(app).json_view
        painted = asyncio.Event()
        started = time.monotonic()
        view.load(doc)
        view.call_after_refresh(painted.set)
        await painted.wait()
        elapsed = time.monotonic() - started
        await view.wait_loaded()
    return elapsed


def pty_first_paint(marker: bytes = b"Connections") -> tuple[float, int]:
    """Seconds from spawning ``iox --demo`` in a 120×40 pty until a frame shows ``marker``; child peak RSS."""
    started = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ["TERM"] = "xterm-256color"
        os.execv(str(IOX), [str(IOX), "--demo"])
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    seen = b""
    elapsed = float("nan")
    deadline = started + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            if marker in seen:
                elapsed = time.monotonic() - started
                break
    os.write(fd, b"q")
    time.sleep(0.3)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, 9)
    _, _status, usage = os.wait4(pid, 0)
    os.close(fd)
    return elapsed, int(usage.ru_maxrss)


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s  (runs: {', '.join(f'{v:.3f}' for v in values)})"


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description="browse benchmark")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    print(f"large account, {LATENCY_MS:.0f} ms latency per request, terminal {SIZE[0]}x{SIZE[1]}")
    for concurrency in (8, 16, 24, 32):
        results = [asyncio.run(first_screen(concurrency)) for _ in range(args.runs)]
        first = results[0]
        print(f"  client concurrency {concurrency}: {int(first['integrations'])} integrations")
        print(f"    mount → root painted:   {median([r['root_s'] for r in results])}, "
              f"{int(first['root_requests'])} requests")
        print(f"    mount → badges painted: {median([r['badges_s'] for r in results])}, "
              f"{int(first['badges_requests'])} requests")

    paints: list[float] = []
    child_rss = 0
    for _ in range(args.runs):
        elapsed, rss = pty_first_paint()
        paints.append(elapsed)
        child_rss = max(child_rss, rss)
    print(f"process start → first paint of `iox --demo` (pty): {median(paints)}")

    doc = big_document(10_000_000)
    size_mb = len(json.dumps(doc, indent=2)) / 1e6
    json_runs = [asyncio.run(json_first_paint(doc)) for _ in range(args.runs)]
    print(f"{size_mb:.1f} MB JSON document, load → first paint in the pane: {median(json_runs)}")

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS: this process {own / 1024:.0f} MB (large account + 10 MB document), "
          f"`iox --demo` child {child_rss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
