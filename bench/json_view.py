"""Benchmark JsonView on a ~10 MB document: first paint, full load, jump to end, search, path index.

Why: the JSON pane must stay interactive on the biggest documents the API returns (TextArea needs
17.6 s for 5 MB). Run: `/work/venv/bin/python bench/json_view.py [--mb 10] [--seed 0]`.
Prints figures only; nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from explorer.tui.widgets.json_view import JsonView


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


class BenchApp(App[None]):
    """Hosts one JsonView filling a 120×40 terminal."""

    def compose(self) -> ComposeResult:
        """Just the view."""
        yield JsonView(id="view")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Current resident set size (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def painted(pilot: Pilot[None]) -> None:
    """Wait until the screen has been refreshed after the last change.

    Not `pilot.pause()`: that also waits for the CPU to go idle, i.e. for all background slices.
    """
    done = asyncio.get_running_loop().create_future()
    pilot.app.call_after_refresh(lambda: done.set_result(None))
    await done


async def wait_for(predicate: Callable[[], bool], timeout: float = 120.0) -> None:
    """Poll `predicate()` every millisecond while the app runs (no wait for idle)."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.001)


async def key(pilot: Pilot[None], name: str, done: Callable[[], bool]) -> float:
    """Send one key like a terminal would; seconds until `done()` holds and the screen is repainted.

    Not `pilot.press()`: it waits for the CPU to go idle after each key.
    """
    started = time.perf_counter()
    pilot.app.simulate_key(name)
    await wait_for(done)
    await painted(pilot)
    return time.perf_counter() - started


async def run(megabytes: float, seed: int) -> None:
    """Measure and print."""
    rss_start = peak_rss_mb()
    started = time.perf_counter()
    document = make_document(int(megabytes * 1_000_000), seed)
    print(f"generated document in {time.perf_counter() - started:.2f} s; peak RSS {peak_rss_mb():.0f} MB")
    reference = time.perf_counter()
    text = json.dumps(document, indent=2, ensure_ascii=False)
    print(
        f"reference: json.dumps(indent=2) {time.perf_counter() - reference:.3f} s, "
        f"{len(text.encode()) / 1e6:.2f} MB, {text.count(chr(10)) + 1:,} lines"
    )
    reference = time.perf_counter()
    compact = json.dumps(document, ensure_ascii=False)
    print(f"reference: json.dumps(compact, C encoder) {time.perf_counter() - reference:.3f} s")
    reference = time.perf_counter()
    json.loads(text)
    print(f"reference: json.loads {time.perf_counter() - reference:.3f} s")
    del text, compact

    app = BenchApp()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(JsonView)
        view.focus()
        await pilot.pause()
        rss_before = rss_mb()

        t0 = time.perf_counter()
        view.load(document)
        t_return = time.perf_counter() - t0
        await painted(pilot)
        t_paint = time.perf_counter() - t0
        first_row = view.body.render_line(0).text
        assert first_row.strip() == "1 {", first_row
        t_down = await key(pilot, "down", lambda: view.cursor_line == 1)
        loading_during_key = not view.is_loaded
        await view.wait_loaded()
        t_loaded = time.perf_counter() - t0
        print(f"load(): returns after {t_return * 1000:.0f} ms, first paint after {t_paint * 1000:.0f} ms")
        print(
            f"  'down' while loading (still loading: {loading_during_key}): "
            f"cursor moved and repainted in {t_down * 1000:.0f} ms"
        )
        print(f"  whole document in after {t_loaded:.2f} s ({len(view.lines):,} lines)")
        last = len(view.lines) - 1
        t_end = await key(pilot, "end", lambda: view.cursor_line == last)
        print(f"end key → line {view.cursor_line + 1:,} painted in {t_end * 1000:.0f} ms")
        t_home = await key(pilot, "home", lambda: view.cursor_line == 0)
        print(f"home key → painted in {t_home * 1000:.0f} ms")
        await wait_for(lambda: view.is_indexed)
        print(f"path index (background slices) ready after {time.perf_counter() - t0:.2f} s from load()")
        print(f"RSS: {rss_before:.0f} MB before load(), {rss_mb():.0f} MB once shown and indexed")

        for term in ("tag1", "field"):
            t0 = time.perf_counter()
            view.search(term)
            await wait_for(lambda: view.match_count > 0)
            await painted(pilot)
            t_search = time.perf_counter() - t0
            print(f"search {term!r}: {view.match_count:,} matches, shown after {t_search * 1000:.0f} ms")
            before = view.match_index
            t_n = await key(pilot, "n", lambda before=before: view.match_index == before + 1)  # type: ignore[misc]
            t_prev = await key(pilot, "N", lambda before=before: view.match_index == before)  # type: ignore[misc]
            print(f"  n → {t_n * 1000:.0f} ms, N → {t_prev * 1000:.0f} ms")
        view.search("")

        t0 = time.perf_counter()
        view.move_cursor(last - 3)
        await pilot.press("p")
        print(f"p near the end: copied {app.clipboard!r} in {(time.perf_counter() - t0) * 1000:.0f} ms")
        t0 = time.perf_counter()
        path = "pageProcessors[12345].mapping.fields[2].generate"
        found = view.go_to_path(path)
        await painted(pilot)
        elapsed = (time.perf_counter() - t0) * 1000
        print(f"go_to_path({path}) → {found}, line {view.cursor_line + 1:,}: {elapsed:.0f} ms")
        t0 = time.perf_counter()
        await pilot.press("y")
        print(f"y: copied {app.clipboard!r} in {(time.perf_counter() - t0) * 1000:.0f} ms")
        t0 = time.perf_counter()
        await pilot.press("c")
        elapsed = (time.perf_counter() - t0) * 1000
        print(f"c: copied {len(app.clipboard.encode()) / 1e6:.1f} MB in {elapsed:.0f} ms")

        compact = json.dumps(document)
        t0 = time.perf_counter()
        view.load_text(compact)
        t_return = time.perf_counter() - t0
        await painted(pilot)
        t_text = time.perf_counter() - t0
        await view.wait_loaded()
        print(
            f"load_text({len(compact) / 1e6:.1f} MB compact JSON): returns after {t_return * 1000:.0f} ms, "
            f"first paint after {t_text * 1000:.0f} ms, whole document after {time.perf_counter() - t0:.2f} s"
        )
    print(f"peak RSS {peak_rss_mb():.0f} MB (at start {rss_start:.0f} MB)")


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=10.0, help="size of the pretty-printed document")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(run(args.mb, args.seed))


if __name__ == "__main__":
    main()
