"""What the client tells its ``on_request`` hook about each logical request (for the log pane and journal).

Why a separate record type: the TUI's request log must show status, timings, retries and bodies without ever
holding an ``httpx`` object or the token. The Authorization header is always replaced by ``Bearer ***`` and
bodies are cut to a size that a log pane can hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

BODY_LIMIT = 64 * 1024
"""Characters of a request/response body kept in a record."""

REDACTED_AUTHORIZATION = "Bearer ***"
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


@dataclass(frozen=True)
class RequestRecord:
    """One logical request (all its retries together), as handed to ``on_request``.

    ``status`` is None when no HTTP answer came back; ``retries`` counts the extra attempts; ``error`` is the
    ``str()`` of the exception raised to the caller, if any.
    """

    method: str
    path: str
    status: int | None
    duration_ms: float
    bytes_sent: int
    bytes_received: int
    retries: int
    request_headers: dict[str, str]
    request_body: str | None
    response_headers: dict[str, str]
    response_body: str | None
    error: str | None = None
    started_at: datetime | None = field(default=None, compare=False)


def redact_headers(headers: Mapping[str, str], scrub: Callable[[str], str]) -> dict[str, str]:
    """Headers safe to show: credentials replaced, anything else scrubbed of the token."""
    shown: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == "authorization":
            shown[name] = REDACTED_AUTHORIZATION
        elif lowered in _SECRET_HEADERS:
            shown[name] = "***"
        else:
            shown[name] = scrub(value)
    return shown


def body_text(body: bytes | None, scrub: Callable[[str], str], limit: int = BODY_LIMIT) -> str | None:
    """A body as text for the log, cut to ``limit`` characters with a note of how much was left out.

    Only the bytes that can make ``limit`` characters (four a character, and a margin so a token across
    the cut is scrubbed whole) are decoded and scrubbed: decoding and scrubbing all of a 10 MB answer took
    18-30 ms on the UI loop, for a log that keeps 64 KB of it (issue 10).
    """
    if not body:
        return None
    head = body[: 4 * limit + _SCRUB_MARGIN]
    text = scrub(head.decode("utf-8", errors="replace"))
    if len(head) == len(body) and len(text) <= limit:
        return text
    kept = text[:limit]
    left = len(body) - len(kept.encode("utf-8", errors="replace"))
    return kept + f"\n… [{max(left, 0):,} more bytes not kept]"


_SCRUB_MARGIN = 4096
"""Bytes decoded past the ones that can make ``limit`` characters: a token (or anything scrubbed) that
straddles the cut is replaced whole before the text is cut."""


RequestHook = Callable[[RequestRecord], None]
"""Receives a record of every logical request (the TUI's HTTP log)."""


@dataclass(frozen=True)
class SummaryHook:
    """A request hook that reads only a record's summary (method, path, status, timing, sizes, retries,
    error): the client leaves its headers and bodies empty (``{}`` and None) instead of building them.

    Why: ``iox -v`` prints one line per request; redacting the headers and decoding and scrubbing both
    bodies took ~25 µs a request (a retry's body is 36 KB), ~0.25 ms among the 10 answers of a bulk retry,
    for text nobody read.
    """

    hook: RequestHook

    def __call__(self, record: RequestRecord) -> None:
        self.hook(record)
