"""Big JSON bodies are parsed off the event loop, and the loop really runs meanwhile (issue 10).

``json.loads`` in a plain thread would not do: it holds the GIL from start to end. The test watches the
loop's turns while a big body is parsed: a parse that holds the GIL leaves one gap as long as itself.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time

import pytest

from explorer.client.decode import BIG_BODY_BYTES, loads, loads_off_loop, loads_yielding

DOC = {"items": [{"_id": f"{n:024x}", "name": f"Flow {n}", "settings": {"a": n, "b": [1, 2.5, None, True]},
                  "mapping": {"fields": [{"extract": "x", "generate": "y"}] * 3}} for n in range(30_000)]}


def test_the_yielding_parse_gives_the_same_document() -> None:
    text = '{"a": 1, "a": 2, "b": [{"c": "\\u00e9"}, 1e400, -0.0, 12345678901234567890123]}'
    assert loads_yielding(text) == json.loads(text) == loads(text.encode())
    assert loads_yielding(text)["a"] == 2  # the last of repeated keys, as json.loads
    with pytest.raises(ValueError):
        loads_yielding(b"{not json")
    with pytest.raises(UnicodeDecodeError):
        loads_yielding(b'"\xff"')


async def test_the_loop_runs_while_a_big_body_is_parsed() -> None:
    body = json.dumps(DOC).encode()
    assert len(body) > 10 * BIG_BODY_BYTES
    turns: list[float] = []
    started = time.perf_counter()
    parsing = asyncio.ensure_future(loads_off_loop(body))

    async def count() -> None:
        while not parsing.done():
            turns.append(time.perf_counter())
            await asyncio.sleep(0.002)  # a real wait (select), as the UI loop's

    counter = asyncio.ensure_future(count())
    assert await parsing == DOC
    took = time.perf_counter() - started
    await counter
    # relative, not a speed target: a parse holding the GIL leaves one gap as long as the whole parse.
    # Half, not less: on a loaded 2-core machine the OS alone paused the loop for 1/6 of the parse.
    longest = max((later - earlier for earlier, later in itertools.pairwise(turns)), default=took)
    assert longest < took / 2, f"the loop waited {longest:.3f} s of a {took:.3f} s parse"


async def test_small_bodies_are_parsed_at_once() -> None:
    assert await loads_off_loop(b'{"x": [1]}') == {"x": [1]}
