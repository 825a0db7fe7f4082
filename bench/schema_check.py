"""Checking a 2 MB flow against Celigo's schemas: our compiled checker, jsonschema, fastjsonschema; and
``iox validate`` on that file as a whole process (what the user waits for at the shell).

Usage: ``python bench/schema_check.py [--runs 7] [--schemas ../shared/celigo-schemas]``. Prints min/median/max
in ms. The schemas are installed into a temporary ``$XDG_CACHE_HOME`` (never the user's). jsonschema and
fastjsonschema are measured only if installed (jsonschema is a test dependency; fastjsonschema is not one).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_BYTES = 2_000_000


def figures(samples: list[float]) -> str:
    return f"min {min(samples):7.1f}  median {statistics.median(samples):7.1f}  max {max(samples):7.1f} ms"


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def big_flow() -> dict[str, Any]:
    """The demo's flows' page processors, repeated (each with 20 response mappings) up to 2 MB of JSON."""
    from explorer.simulator import Simulator

    account = Simulator(seed=0)._account("na")
    flows = list(account.docs["flows"].values())
    processors = [p for flow in flows for p in flow.get("pageProcessors", [])]
    doc = copy.deepcopy(flows[0])
    doc["pageProcessors"] = []
    while len(json.dumps(doc, indent=2)) < TARGET_BYTES:
        for processor in processors:
            item = copy.deepcopy(processor)
            fields = [{"extract": f"a{i}", "generate": f"b{i}"} for i in range(20)]
            item["responseMapping"] = {"fields": fields, "lists": []}
            doc["pageProcessors"].append(item)
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--schemas", default=str(ROOT.parent / "shared" / "celigo-schemas"))
    args = parser.parse_args()
    source = Path(args.schemas)
    if not source.is_dir() and (ROOT.parent.parent / "shared" / "celigo-schemas").is_dir():
        source = ROOT.parent.parent / "shared" / "celigo-schemas"
    if not source.is_dir():
        sys.exit(f"no schemas at {source}: pass --schemas DIR (the JSON bundles or the YAML files)")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache
        from explorer.services.schema_files import install_from, schema_dir
        from explorer.services.schemas import SchemaLibrary

        install_from(source, schema_dir())
        doc = big_flow()
        text = json.dumps(doc, indent=2)
        print(f"flow: {len(text):,} bytes, {len(doc['pageProcessors'])} page processors; runs: {args.runs}")
        library = SchemaLibrary()
        start = time.perf_counter()
        assert library.check("flows", doc) == []
        print(f"first check (builds the tree and compiles it): {(time.perf_counter() - start) * 1000:.1f} ms")
        print(f"iox checker            {figures(timed(lambda: library.check('flows', doc), args.runs))}")
        print(f"json.loads (for scale) {figures(timed(lambda: json.loads(text), args.runs))}")
        tree = library.tree("flows")
        connections = library.tree("connections")
        assert tree is not None and connections is not None
        try:
            import jsonschema

            validator = jsonschema.Draft202012Validator(tree)
            samples = timed(lambda: list(validator.iter_errors(doc)), args.runs)
            print(f"jsonschema iter_errors {figures(samples)}")
        except ImportError:
            print("jsonschema: not installed")
        try:
            import fastjsonschema

            compiled = fastjsonschema.compile(tree)
            print(f"fastjsonschema (first error only) {figures(timed(lambda: compiled(doc), args.runs))}")
            try:
                fastjsonschema.compile(connections)
                print("fastjsonschema compiles the connection schema")
            except (SyntaxError, RecursionError) as error:
                print(f"fastjsonschema cannot compile the connection schema: {type(error).__name__}: {error}")
        except ImportError:
            print("fastjsonschema: not installed")
        path = Path(cache) / "flow.json"
        path.write_text(text)
        command = [sys.executable, "-m", "explorer", "validate", "--kind", "flow", str(path)]
        walls = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            walls.append((time.perf_counter() - start) * 1000)
            assert result.returncode == 0, result.stderr
        print(f"`iox validate` process {figures(walls)}  (interpreter start, read, parse, check)")


if __name__ == "__main__":
    main()
