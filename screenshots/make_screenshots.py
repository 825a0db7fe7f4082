"""Regenerate the README screenshots (SVG, plus PNG when ``rsvg-convert`` is installed) from the demo account.

Why a script: screenshots go stale the day a screen changes; this drives the real app over the seeded
in-process simulator (no network, no wall clock on screen) so anyone can rebuild identical pictures:

    /work/venv/bin/python screenshots/make_screenshots.py [--size 120x36] [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from explorer.client import IntegratorClient, RequestRecord
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.main import MainScreen

Scenario = Callable[[Pilot[None]], Awaitable[None]]


def demo_app(token: str = "full") -> ExplorerApp:
    """The explorer on a fresh seeded demo account (timings hidden so pictures are reproducible)."""
    sim = Simulator(seed=0)

    def factory(on_request: Callable[[RequestRecord], None] | None = None) -> IntegratorClient:
        return IntegratorClient(DEMO_TOKENS[token], transport=SimulatorTransport(sim), on_request=on_request)

    return ExplorerApp(client_factory=factory, profile_label="demo", show_timings=False)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until nothing is loading any more."""
    for _ in range(50):
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            break
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def reveal(key: str, *keys: str) -> Scenario:
    """Move the tree cursor to ``key`` (loading on the way), then press ``keys``."""

    async def run(pilot: Pilot[None]) -> None:
        main = next(s for s in pilot.app.screen_stack if isinstance(s, MainScreen))
        await main.resource_tree.reveal(key)
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run


def press(*keys: str) -> Scenario:
    """Press ``keys`` once the account is in."""

    async def run(pilot: Pilot[None]) -> None:
        await pilot.press(*keys)
        await settle(pilot)

    return run


SHOTS: list[tuple[str, str, Scenario]] = [
    ("01-start", "full", press()),
    ("02-flow-steps-badges", "full", reveal(f"errors:{d.AMAZON_FLOW}:{d.AMAZON_IMPORT_STEP}")),
    ("03-json-pane-flow", "full", reveal(f"flow:{d.SHOPIFY_FLOW}", "tab")),
    ("04-step-errors", "full", reveal(f"errors:{d.SALESFORCE_FLOW}:{d.SALESFORCE_IMPORT_STEP}", "enter")),
    ("05-token-panel-scoped", "scoped", press("t")),
    ("06-locked-nodes", "noconn", reveal(f"stepconnection:{d.SHOPIFY_FLOW}:{d.SHOPIFY_IMPORT_STEP}")),
    ("07-http-log", "full", press("l")),
    ("08-help", "full", press("question_mark")),
    ("09-palette", "full", press("ctrl+p", *"netsuite inv")),
    ("10-unauthorized", "revoked", press()),
]


async def shoot(name: str, token: str, scenario: Scenario, size: tuple[int, int], out: Path) -> Path:
    """One screenshot: run the scenario, save the SVG."""
    app = demo_app(token)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await scenario(pilot)
        await pilot.pause(0.3)
        return Path(app.save_screenshot(filename=f"{name}.svg", path=str(out)))


def main(argv: list[str] | None = None) -> int:
    """Write every screenshot; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="120x36", help="terminal WIDTHxHEIGHT (default 120x36)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output folder")
    args = parser.parse_args(argv)
    width, height = (int(part) for part in args.size.lower().split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    converter = shutil.which("rsvg-convert")
    for name, token, scenario in SHOTS:
        svg = asyncio.run(shoot(name, token, scenario, (width, height), out))
        line = f"{svg}"
        if converter:
            png = svg.with_suffix(".png")
            subprocess.run([converter, "-o", str(png), str(svg)], check=True)
            line += f" + {png.name}"
        print(line)
    if not converter:
        print("rsvg-convert not found: SVGs only (apt-get install librsvg2-bin for PNGs)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
