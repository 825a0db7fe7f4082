"""How long the client waits for the server, and which waits are going on right now.

Why: a server (or a proxy) that accepts a connection and never answers used to leave ``iox tree`` silent for
155 s (a 30 s read timeout, five attempts) and the TUI "connecting…" for as long. Three promises are kept
here: every attempt has an explicit connect and read timeout; one logical request, retries and backoff
included, gives up after ``total`` seconds with a clear error (≤ 90 s with the defaults); and the requests in
flight are listed on a ``WaitBoard``, so the CLI and the TUI can say "waiting for api.integrator.io (GET
/v1/tokenInfo)… 5 s" once a wait passes ``notice_after``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from explorer.client.cancel import CancelScope


@dataclass(frozen=True)
class Timeouts:
    """Seconds the client waits: to connect, for each read, and for one request with all its retries."""

    connect: float = 10.0
    read: float = 60.0
    total: float | None = None
    """Defaults to ``read + min(25, read / 2)``: a full read timeout, one retry, a clear failure in 85 s."""
    notice_after: float = 3.0
    """A wait longer than this is shown (CLI stderr, TUI status line)."""

    def __post_init__(self) -> None:
        for name in ("connect", "read"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name} timeout must be a positive number of seconds, got {value!r}")

    @property
    def budget(self) -> float:
        """Seconds one logical request may take, retries and waits included."""
        return self.total if self.total is not None else self.read + min(25.0, self.read / 2)


@dataclass(frozen=True)
class Waiting:
    """One request in flight: what it is, to which host, since when (monotonic seconds)."""

    method: str
    path: str
    host: str
    since: float
    scope: CancelScope | None = field(default=None, compare=False)
    """The cancel scope of the action that sent it (a screen stops only its own requests)."""

    def describe(self, now: float) -> str:
        """``waiting for api.integrator.io (GET /v1/tokenInfo)… 5 s`` (the query string left out)."""
        path = self.path.split("?", 1)[0]
        return f"waiting for {self.host} ({self.method} {path})… {now - self.since:.0f} s"


class WaitBoard:
    """The client's requests in flight now; the oldest is what a status line reports."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._waits: dict[int, Waiting] = {}
        self._ids = itertools.count()

    def start(self, method: str, path: str, host: str, scope: CancelScope | None = None) -> int:
        """Note a request as started (by the action of ``scope``); returns the key to ``end`` it with."""
        key = next(self._ids)
        self._waits[key] = Waiting(method, path, host, self.clock(), scope)
        return key

    def end(self, key: int) -> None:
        """The request is over (answered, failed or cancelled)."""
        self._waits.pop(key, None)

    def longest(self, scope: CancelScope | None = None) -> Waiting | None:
        """The request waiting the longest, if any is in flight (only those of ``scope`` when given)."""
        waits = [w for w in self._waits.values() if scope is None or w.scope is scope]
        return min(waits, key=lambda w: w.since, default=None)

    def notice(self, after: float) -> str:
        """What to show when the longest wait passed ``after`` seconds, else the empty string."""
        longest = self.longest()
        now = self.clock()
        if longest is None or now - longest.since < after:
            return ""
        return longest.describe(now)
