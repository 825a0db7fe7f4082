"""Keystroke latency in the editor on a 64 KB import, with Celigo's schemas installed and without (outside).

What is measured: the real ``iox`` in a pseudo-terminal (120x40, screen read by pyte, see ``screen.py``)
against ``iox simulator`` in its own process over loopback. The import is grown to 64 KB (the largest the
in-app editor opens) by ``netsuite_da.mapping.fields`` entries that Celigo's schema accepts, PUT to the
simulator, reached with the palette and opened with ``e``. Then letters are typed inside its ``name`` value,
one every ``--gap`` seconds (0.35 s: longer than the 0.3 s pause after which the schema checks run, so every
key lands while the previous key's check and doc-strip update are due), and each key's latency is the time
from writing it to the pty until the screen shows it. Same run, same document, two set-ups: schemas
installed (doc strip, checks in a worker thread) and none installed.

Usage: ``python bench/edit_schemas.py [--runs 5] [--keys 8] [--gap 0.35]``. Needs ../shared/celigo-schemas
(installed into a temporary $XDG_CACHE_HOME; the user's own cache is never touched).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pyte

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screen import IOX, Predicate, Terminal, cleanup_home, fresh_home, machine_note, simulator, spread

from explorer.services.schema_files import install_from
from explorer.services.schemas import SchemaLibrary
from explorer.simulator import demo_ids as d

TARGET_BYTES = 64_000
NAME = "Bench sixty-four KB import"


def shared_schemas() -> Path:
    root = Path(__file__).resolve().parents[1]
    for base in (root.parent, root.parent.parent):
        if (base / "shared" / "celigo-schemas").is_dir():
            return base / "shared" / "celigo-schemas"
    sys.exit("no ../shared/celigo-schemas beside the clone: the bench installs the schemas from there")


def big_import(doc: dict[str, Any]) -> dict[str, Any]:
    """The demo import, renamed, its mapping grown until its editor form is about 64 KB."""
    doc = {**doc, "name": NAME}
    fields = doc["netsuite_da"]["mapping"]["fields"]
    index = 0
    while len(json.dumps(doc, indent=2).encode()) < TARGET_BYTES - 120:
        fields.append({"extract": f"order.lines[*].field_{index}", "generate": f"custcol_field_{index}"})
        index += 1
    return doc


def prepare(base_url: str, token: str) -> int:
    """PUT the 64 KB import into the simulator; returns its size."""
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{base_url}/v1/imports/{d.IMP_NS_SALES_ORDER}"
    with httpx.Client(headers=headers, timeout=30) as http:
        doc = big_import(http.get(url).json())
        answer = http.put(url, json=doc)
        answer.raise_for_status()
    return len(json.dumps(answer.json(), indent=2).encode())


def showing(text: str) -> Predicate:
    """The screen shows ``text`` on some line."""
    def predicate(screen: pyte.Screen) -> bool:
        return any(text in line for line in screen.display)

    return predicate


def one_run(base_url: str, token: str, cache: Path | None, keys: int, gap: float) -> list[float]:
    """Open the editor on the big import and type ``keys`` letters; each key's latency in seconds."""
    home = fresh_home()
    env = {"IOX_TOKEN": token, "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
           "XDG_CACHE_HOME": str(cache if cache is not None else home / "cache")}
    latencies: list[float] = []
    try:
        with Terminal([str(IOX), "--base-url", f"{base_url}/v1/"], env=env) as term:
            term.wait_for_text("Connections", timeout=60)
            time.sleep(1.0)
            term.press("ctrl+p")
            time.sleep(0.5)
            term.press(NAME)
            term.wait_for_text(NAME, timeout=20)
            time.sleep(1.0)
            term.press("enter")
            time.sleep(1.5)
            term.press("e")
            term.wait_for_text("valid JSON", timeout=60)
            time.sleep(1.5)
            term.press("down")
            term.press("down")
            term.press("\x1b[F")  # End
            term.press("\x1b[D")  # Left: before the comma
            term.press("\x1b[D")  # Left: before the closing quote
            time.sleep(1.0)
            typed = ""
            for letter in "abcdefghijklmnopqrstuvwxyz"[:keys]:
                typed += letter
                expected = f'{NAME}{typed}"'
                latencies.append(term.key_latency(letter, showing(expected)))
                time.sleep(gap)
            if cache is not None:
                strip = [line for line in term.lines() if line.strip().startswith("name ·")]
                assert strip, "the doc strip was not on screen: the schemas were not used"
    finally:
        cleanup_home(home)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys", type=int, default=8)
    parser.add_argument("--gap", type=float, default=0.35)
    args = parser.parse_args()
    cache = fresh_home()
    install_from(shared_schemas(), cache / "integrator-explorer" / "schemas")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    try:
        with simulator(0.0, scale="demo") as sim:
            size = prepare(sim.base_url, sim.token)
            with httpx.Client(headers={"Authorization": f"Bearer {sim.token}"}) as http:
                doc = http.get(f"{sim.base_url}/v1/imports/{d.IMP_NS_SALES_ORDER}").json()
            problems = SchemaLibrary(cache / "integrator-explorer" / "schemas").check("imports", doc)
            print(f"document: {size:,} bytes, {len(problems)} schema problem(s); {machine_note()}")
            with_schemas: list[float] = []
            without: list[float] = []
            for run in range(args.runs):
                # Alternate, so drift in the machine's load hits both set-ups alike.
                with_schemas += one_run(sim.base_url, sim.token, cache, args.keys, args.gap)
                without += one_run(sim.base_url, sim.token, None, args.keys, args.gap)
                print(f"run {run + 1}: with schemas {spread(with_schemas[-args.keys:])}, "
                      f"without {spread(without[-args.keys:])}", flush=True)
            print(f"keystroke latency, 64 KB, schemas installed: {spread(with_schemas)}")
            print(f"keystroke latency, 64 KB, no schemas:        {spread(without)}")
            print(f"{machine_note()}")
    finally:
        cleanup_home(cache)


if __name__ == "__main__":
    main()
