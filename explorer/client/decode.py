"""Decoding JSON bodies without freezing the UI: a big body is parsed in a thread that lets the loop run.

Why not just a thread: ``json.loads`` is C code that holds the GIL from start to end, so a thread alone
stalls the event loop as long as the parse (0.2-0.3 s for 10 MB, measured in issue 10; 1.0 s for 16 MB
here). With a Python ``object_pairs_hook`` the parser runs bytecode at the end of every object, where the
interpreter hands the GIL to the waiting loop (every 5 ms by default); the collector is paused meanwhile and
the new objects frozen after (see ``explorer.gc_policy``). The result is the same document: ``dict(pairs)``
keeps the last of repeated keys, as ``json.loads`` does. A body made of one huge array of numbers or one
huge string still parses in one GIL turn (no object ends inside it); API documents are objects.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from explorer.gc_policy import long_lived_burst

BIG_BODY_BYTES = 256 * 1024
"""From this size a body is parsed in a thread (≈5 ms and more on the loop below it, measured)."""
LONG_LIVED_BYTES = 4 * 1024 * 1024
"""From this size the collector is paused during the parse and the document frozen after. Not below: an
error page (440 KB) is parsed 100 times in a row, and freezing each time also froze the garbage cycles
alive at that moment (httpx's), which then were never collected: +40 MB for 100,000 errors (measured)."""


def loads(raw: bytes | str) -> Any:
    """Parse JSON on the calling thread (strict UTF-8 for bytes); raises ValueError/UnicodeDecodeError."""
    return json.loads(raw.decode("utf-8", errors="strict") if isinstance(raw, bytes) else raw)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)


def loads_yielding(raw: bytes | str) -> Any:
    """``loads`` for a worker thread: gives the GIL back between objects; for a very big body the collector
    is paused and the result frozen (``LONG_LIVED_BYTES``)."""
    text = raw.decode("utf-8", errors="strict") if isinstance(raw, bytes) else raw
    if len(text) < LONG_LIVED_BYTES:
        return json.loads(text, object_pairs_hook=_object)
    with long_lived_burst() as kept:
        return kept(json.loads(text, object_pairs_hook=_object))


async def loads_off_loop(raw: bytes | str) -> Any:
    """Parse JSON; a body of ``BIG_BODY_BYTES`` or more in a thread, so keys keep answering meanwhile."""
    if len(raw) < BIG_BODY_BYTES:
        return loads(raw)
    return await asyncio.to_thread(loads_yielding, raw)
